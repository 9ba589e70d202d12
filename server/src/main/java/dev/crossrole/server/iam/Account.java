package dev.crossrole.server.iam;

import dev.crossrole.policy.Policy;
import java.util.List;

/**
 * An AWS account: a 12-digit id, an optional alias, and, when it belongs to an organization, the
 * organization's id and the service and resource control policies that apply to it (one list per
 * organization level, root first, account last).
 *
 * @param organizationPath the path of the account's root or OU ({@code o-…/r-…/ou-…/}), the value of
 *     {@code aws:PrincipalOrgPaths} and {@code aws:ResourceOrgPaths}; {@code null} when the organization has no tree
 *     (one the accounts file defines)
 */
public record Account(String id, String alias, String organizationId, List<List<Policy>> serviceControlPolicies,
                      List<List<Policy>> resourceControlPolicies, String organizationPath) {

    public Account {
        serviceControlPolicies = serviceControlPolicies.stream().map(List::copyOf).toList();
        resourceControlPolicies = resourceControlPolicies.stream().map(List::copyOf).toList();
    }

    public Account(String id, String alias, String organizationId, List<List<Policy>> serviceControlPolicies,
                   List<List<Policy>> resourceControlPolicies) {
        this(id, alias, organizationId, serviceControlPolicies, resourceControlPolicies, null);
    }

    public Account(String id, String alias) {
        this(id, alias, null, List.of(), List.of());
    }

    public String rootArn() {
        return "arn:aws:iam::" + id + ":root";
    }

    public Account withAlias(String newAlias) {
        return new Account(id, newAlias, organizationId, serviceControlPolicies, resourceControlPolicies,
                organizationPath);
    }
}
