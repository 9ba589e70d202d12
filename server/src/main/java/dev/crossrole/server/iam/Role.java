package dev.crossrole.server.iam;

import dev.crossrole.policy.Policy;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An IAM role: its trust policy (compiled), permissions, session limit and tags; immutable, replaced on change. */
public record Role(String account, String name, String path, String roleId, Instant created, String description,
                   Policy trustPolicy, int maxSessionDuration, Map<String, String> tags,
                   Map<String, Policy> inlinePolicies, List<String> attachedPolicyArns, String permissionsBoundaryArn) {

    public static final int DEFAULT_MAX_SESSION_DURATION = 3600;

    public Role {
        tags = Map.copyOf(tags);
        inlinePolicies = Map.copyOf(inlinePolicies);
        attachedPolicyArns = List.copyOf(attachedPolicyArns);
    }

    public String arn() {
        return "arn:aws:iam::" + account + ":role" + path + name;
    }
}
