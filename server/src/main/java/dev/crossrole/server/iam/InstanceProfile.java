package dev.crossrole.server.iam;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An IAM instance profile: a container for at most one role, which EC2 hands to an instance. It names its role by
 * the role's unique id (a role in an instance profile cannot be deleted, and roles are never renamed). Immutable,
 * replaced on change.
 */
public record InstanceProfile(String account, String name, String path, String instanceProfileId, Instant created,
                              List<String> roleIds, Map<String, String> tags) {
    public InstanceProfile {
        roleIds = List.copyOf(roleIds);
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags)); // in the order given
    }

    public static String arn(String account, String path, String name) {
        return "arn:aws:iam::" + account + ":instance-profile" + path + name;
    }

    public String arn() {
        return arn(account, path, name);
    }

    InstanceProfile withRoleIds(List<String> ids) {
        return new InstanceProfile(account, name, path, instanceProfileId, created, ids, tags);
    }

    InstanceProfile withTags(Map<String, String> newTags) {
        return new InstanceProfile(account, name, path, instanceProfileId, created, roleIds, newTags);
    }
}
