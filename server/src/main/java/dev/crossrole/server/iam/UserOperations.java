package dev.crossrole.server.iam;

import java.util.Map;

/** IAM operations of this group; see {@link IamService}. */
final class UserOperations {
    private UserOperations() {}

    static void register(Map<String, IamOperation> ops, IamSupport support) {
        // Operations are registered here as they are implemented.
    }
}
