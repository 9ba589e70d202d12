package dev.crossrole.server.iam;

import dev.crossrole.policy.Policy;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An IAM user with its policies; immutable, replaced on change. */
public record IamUser(String account, String name, String path, String userId, Instant created,
                      Map<String, String> tags, Map<String, Policy> inlinePolicies, List<String> attachedPolicyArns,
                      String permissionsBoundaryArn) {

    public IamUser {
        tags = Map.copyOf(tags);
        inlinePolicies = Map.copyOf(inlinePolicies);
        attachedPolicyArns = List.copyOf(attachedPolicyArns);
    }

    public String arn() {
        return "arn:aws:iam::" + account + ":user" + path + name;
    }
}
