package dev.crossrole.server.iam;

import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.QueryParams;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import dev.crossrole.server.service.QueryService;
import java.util.HashMap;
import java.util.Map;

/**
 * The IAM Query API (version 2010-05-08). Operations are grouped by the entity they manage; each group
 * registers its operations here.
 */
public final class IamService implements QueryService {
    public static final String NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";

    private final Map<String, IamOperation> operations = new HashMap<>();

    public IamService(IamDirectory iam) {
        IamSupport support = new IamSupport(iam);
        RoleOperations.register(operations, support);
        IamOperationGroups.registerAll(operations, support);
    }

    @Override
    public String signingName() {
        return "iam";
    }

    @Override
    public String version() {
        return "2010-05-08";
    }

    @Override
    public String namespace() {
        return NAMESPACE;
    }

    @Override
    public boolean hasOperation(String action) {
        return operations.containsKey(action);
    }

    @Override
    public PreparedCall prepare(String action, Call call, QueryParams params) {
        IamOperation operation = operations.get(action);
        if (operation == null) {
            throw new AwsException("InvalidAction", 400, "Could not find operation " + action + " for version 2010-05-08");
        }
        return operation.prepare(call, params);
    }
}
