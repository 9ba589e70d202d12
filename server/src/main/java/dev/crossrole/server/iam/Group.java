package dev.crossrole.server.iam;

import dev.crossrole.policy.Policy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An IAM group: its policies apply to its members. Immutable, replaced on change. */
public record Group(String account, String name, String path, String groupId, Instant created,
                   Map<String, Policy> inlinePolicies, List<String> attachedPolicyArns, Set<String> members) {

    public Group {
        inlinePolicies = Map.copyOf(inlinePolicies);
        attachedPolicyArns = List.copyOf(attachedPolicyArns);
        members = Set.copyOf(members);
    }

    public String arn() {
        return "arn:aws:iam::" + account + ":group" + path + name;
    }
}
