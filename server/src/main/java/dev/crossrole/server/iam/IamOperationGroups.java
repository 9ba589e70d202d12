package dev.crossrole.server.iam;

import java.util.Map;

/** Every group of IAM operations besides roles; each registers its operations by name. */
final class IamOperationGroups {
    private IamOperationGroups() {}

    static void registerAll(Map<String, IamOperation> operations, IamSupport support) {
        PolicyOperations.register(operations, support);
        UserOperations.register(operations, support);
        GroupOperations.register(operations, support);
        AccountOperations.register(operations, support);
        SimulationOperations.register(operations, support);
    }
}
