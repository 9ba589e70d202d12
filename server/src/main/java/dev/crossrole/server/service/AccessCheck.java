package dev.crossrole.server.service;

import dev.crossrole.policy.KeyGrant;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.Principal;
import dev.crossrole.policy.RequestContext;
import java.util.List;

/**
 * One permission a call needs: an action on a resource, the resource's policy (a role's trust policy
 * for {@code sts:AssumeRole}) and the condition keys the operation adds.
 *
 * @param resourceAccount the account owning the resource, {@code null} to derive it from the ARN
 * @param resourcePolicy the resource-based policy, or {@code null}
 * @param operationContext condition keys set by the operation ({@code sts:ExternalId}, {@code aws:ResourceTag/...})
 * @param shownResource how AccessDenied messages name the resource when it is not its ARN (IAM says
 *     {@code role NAME}, {@code user NAME}, {@code policy ARN}), or {@code null}
 * @param principal who asks, when it is not the request's signer: the holder of an identity provider's token in
 *     {@code AssumeRoleWithWebIdentity}, an unsigned call; {@code null} for the signer
 * @param deniedMessage the whole AccessDenied message when the operation has its own ({@code "Not authorized to
 *     perform sts:AssumeRoleWithWebIdentity"}), or {@code null}
 * @param grants the KMS grants on the key the check is for, each saying whether it covers the request
 */
public record AccessCheck(String action, String resource, String resourceAccount, Policy resourcePolicy,
                          RequestContext operationContext, String shownResource, Principal principal,
                          String deniedMessage, List<KeyGrant> grants) {

    public AccessCheck {
        grants = List.copyOf(grants);
    }

    public AccessCheck(String action, String resource, String resourceAccount, Policy resourcePolicy,
                       RequestContext operationContext, String shownResource, Principal principal,
                       String deniedMessage) {
        this(action, resource, resourceAccount, resourcePolicy, operationContext, shownResource, principal,
                deniedMessage, List.of());
    }

    public AccessCheck(String action, String resource, String resourceAccount, Policy resourcePolicy,
                       RequestContext operationContext, String shownResource) {
        this(action, resource, resourceAccount, resourcePolicy, operationContext, shownResource, null, null);
    }

    public AccessCheck(String action, String resource, String resourceAccount, Policy resourcePolicy,
                       RequestContext operationContext) {
        this(action, resource, resourceAccount, resourcePolicy, operationContext, null);
    }

    /** The same check asked by {@code asker}, denied with {@code message}. */
    public AccessCheck askedBy(Principal asker, String message) {
        return new AccessCheck(action, resource, resourceAccount, resourcePolicy, operationContext, shownResource, asker,
                message, grants);
    }

    /** The same check, decided with the KMS grants on its key too. */
    public AccessCheck withGrants(List<KeyGrant> keyGrants) {
        return new AccessCheck(action, resource, resourceAccount, resourcePolicy, operationContext, shownResource,
                principal, deniedMessage, keyGrants);
    }

    public static AccessCheck of(String action, String resource) {
        return new AccessCheck(action, resource, null, null, RequestContext.empty());
    }
}
