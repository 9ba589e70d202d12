package dev.crossrole.server.iam;

import java.util.Map;

/** Every group of IAM operations besides roles; each registers its operations by name. */
final class IamOperationGroups {
    private IamOperationGroups() {}

    static void registerAll(Map<String, IamOperation> operations, IamSupport support) {
        // Groups are added here as they are written (policies, users and keys, groups, account-wide).
    }
}
