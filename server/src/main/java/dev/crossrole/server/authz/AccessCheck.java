package dev.crossrole.server.authz;

import dev.crossrole.policy.Policy;
import dev.crossrole.policy.RequestContext;

/**
 * One permission a call needs: an action on a resource, the resource's policy (a role's trust policy
 * for {@code sts:AssumeRole}) and the condition keys the operation adds.
 *
 * @param resourceAccount the account owning the resource, {@code null} to derive it from the ARN
 * @param resourcePolicy the resource-based policy, or {@code null}
 * @param operationContext condition keys set by the operation ({@code sts:ExternalId}, {@code aws:ResourceTag/...})
 */
public record AccessCheck(String action, String resource, String resourceAccount, Policy resourcePolicy,
                          RequestContext operationContext) {

    public static AccessCheck of(String action, String resource) {
        return new AccessCheck(action, resource, null, null, RequestContext.empty());
    }
}
