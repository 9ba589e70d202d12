package dev.crossrole.server.iam;

import dev.crossrole.policy.Policy;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An IAM role. Its trust policy is kept three ways, as AWS keeps it: the text as submitted, the
 * users and roles it named resolved to their unique ids ({@code trustPrincipals}: ARN to id), and
 * the compiled form in which those ARNs are replaced by the ids, so that a deleted and recreated
 * principal of the same name is not trusted. Immutable, replaced on change.
 */
public record Role(String account, String name, String path, String roleId, Instant created, String description,
                   Policy trustPolicy, String trustPolicyText, Map<String, String> trustPrincipals,
                   int maxSessionDuration, Map<String, String> tags, Map<String, Policy> inlinePolicies,
                   List<String> attachedPolicyArns, String permissionsBoundaryArn, Instant lastUsed, String lastUsedRegion) {

    public static final int DEFAULT_MAX_SESSION_DURATION = 3600;

    public Role {
        trustPrincipals = Map.copyOf(trustPrincipals);
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags)); // in the order given
        inlinePolicies = Map.copyOf(inlinePolicies);
        attachedPolicyArns = List.copyOf(attachedPolicyArns);
    }

    public String arn() {
        return "arn:aws:iam::" + account + ":role" + path + name;
    }

    /**
     * Whether this is a service-linked role: only {@code CreateServiceLinkedRole} makes roles under this path (IAM
     * refuses it to {@code CreateRole}).
     */
    public boolean serviceLinked() {
        return path.startsWith(ServiceLinkedRoles.PATH_PREFIX);
    }

    public Role withTrust(Policy compiled, String text, Map<String, String> principals) {
        return new Role(account, name, path, roleId, created, description, compiled, text, principals, maxSessionDuration,
                tags, inlinePolicies, attachedPolicyArns, permissionsBoundaryArn, lastUsed, lastUsedRegion);
    }

    public Role withDescription(String newDescription) {
        return new Role(account, name, path, roleId, created, newDescription, trustPolicy, trustPolicyText, trustPrincipals,
                maxSessionDuration, tags, inlinePolicies, attachedPolicyArns, permissionsBoundaryArn, lastUsed, lastUsedRegion);
    }

    public Role withMaxSessionDuration(int seconds) {
        return new Role(account, name, path, roleId, created, description, trustPolicy, trustPolicyText, trustPrincipals,
                seconds, tags, inlinePolicies, attachedPolicyArns, permissionsBoundaryArn, lastUsed, lastUsedRegion);
    }

    public Role withTags(Map<String, String> newTags) {
        return new Role(account, name, path, roleId, created, description, trustPolicy, trustPolicyText, trustPrincipals,
                maxSessionDuration, newTags, inlinePolicies, attachedPolicyArns, permissionsBoundaryArn, lastUsed, lastUsedRegion);
    }

    public Role withInlinePolicies(Map<String, Policy> policies) {
        return new Role(account, name, path, roleId, created, description, trustPolicy, trustPolicyText, trustPrincipals,
                maxSessionDuration, tags, policies, attachedPolicyArns, permissionsBoundaryArn, lastUsed, lastUsedRegion);
    }

    public Role withAttachedPolicies(List<String> arns) {
        return new Role(account, name, path, roleId, created, description, trustPolicy, trustPolicyText, trustPrincipals,
                maxSessionDuration, tags, inlinePolicies, arns, permissionsBoundaryArn, lastUsed, lastUsedRegion);
    }

    public Role withPermissionsBoundary(String arn) {
        return new Role(account, name, path, roleId, created, description, trustPolicy, trustPolicyText, trustPrincipals,
                maxSessionDuration, tags, inlinePolicies, attachedPolicyArns, arn, lastUsed, lastUsedRegion);
    }

    public Role withLastUsed(Instant when, String region) {
        return new Role(account, name, path, roleId, created, description, trustPolicy, trustPolicyText, trustPrincipals,
                maxSessionDuration, tags, inlinePolicies, attachedPolicyArns, permissionsBoundaryArn, when, region);
    }
}
