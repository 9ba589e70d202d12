package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.JsonService;
import dev.crossrole.server.service.PreparedCall;
import java.util.HashMap;
import java.util.Map;

/** The ECS API (awsJson1_1, target prefix {@code AmazonEC2ContainerServiceV20141113}). */
public final class EcsService implements JsonService {
    public static final String TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113";

    private final Map<String, EcsOperation> operations = new HashMap<>();

    public EcsService(EcsDirectory ecs, EcsTasks tasks) {
        EcsSupport support = new EcsSupport(ecs);
        ecs.useTasks(tasks);
        ClusterOperations.register(operations, support);
        TaskOperations.register(operations, support, tasks);
        TagOperations.register(operations, support, tasks);
        TaskDefinitionOperations.register(operations, support);
    }

    /** Adds operations written elsewhere (task definitions, tasks) that need more than the directory. */
    public EcsService register(String name, EcsOperation operation) {
        operations.put(name, operation);
        return this;
    }

    @Override
    public String signingName() {
        return "ecs";
    }

    @Override
    public String targetPrefix() {
        return TARGET_PREFIX;
    }

    @Override
    public boolean hasOperation(String operation) {
        return operations.containsKey(operation);
    }

    @Override
    public PreparedCall prepare(String operation, Call call, ObjectNode input) {
        EcsOperation op = operations.get(operation);
        if (op == null) {
            throw new AwsException("UnknownOperationException", 400, null);
        }
        return op.prepare(call, input);
    }
}
