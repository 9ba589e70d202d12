package dev.crossrole.server.iam;

import dev.crossrole.policy.Policy;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An IAM user with its policies; immutable, replaced on change. */
public record IamUser(String account, String name, String path, String userId, Instant created,
                      Map<String, String> tags, Map<String, Policy> inlinePolicies, List<String> attachedPolicyArns,
                      String permissionsBoundaryArn) {

    public IamUser {
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags)); // in the order given
        inlinePolicies = Map.copyOf(inlinePolicies);
        attachedPolicyArns = List.copyOf(attachedPolicyArns);
    }

    public String arn() {
        return "arn:aws:iam::" + account + ":user" + path + name;
    }

    public IamUser withTags(Map<String, String> newTags) {
        return new IamUser(account, name, path, userId, created, newTags, inlinePolicies, attachedPolicyArns,
                permissionsBoundaryArn);
    }

    public IamUser withInlinePolicies(Map<String, Policy> policies) {
        return new IamUser(account, name, path, userId, created, tags, policies, attachedPolicyArns, permissionsBoundaryArn);
    }

    public IamUser withAttachedPolicies(List<String> arns) {
        return new IamUser(account, name, path, userId, created, tags, inlinePolicies, arns, permissionsBoundaryArn);
    }

    public IamUser withPermissionsBoundary(String arn) {
        return new IamUser(account, name, path, userId, created, tags, inlinePolicies, attachedPolicyArns, arn);
    }

    public IamUser withNameAndPath(String newName, String newPath) {
        return new IamUser(account, newName, newPath, userId, created, tags, inlinePolicies, attachedPolicyArns,
                permissionsBoundaryArn);
    }
}
