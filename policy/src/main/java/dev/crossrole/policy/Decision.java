package dev.crossrole.policy;

/**
 * The engine's answer for one request.
 *
 * @param outcome allow, explicit deny or implicit deny
 * @param decidedBy the policy type whose gate closed (for denials), {@code null} for allows
 * @param explanation why, as data
 */
public record Decision(Outcome outcome, PolicyKind decidedBy, Explanation explanation) {

    public boolean allowed() {
        return outcome == Outcome.ALLOW;
    }

    /** AWS's AccessDenied text; for an implicit trust-policy denial, the classic form without a reason (what STS prints). */
    public String accessDeniedMessage() {
        return AccessDeniedMessages.render(this, false);
    }

    /** As {@link #accessDeniedMessage()}, with the documented "because no role trust policy allows" reason for trust denials. */
    public String accessDeniedMessageWithTrustReason() {
        return AccessDeniedMessages.render(this, true);
    }
}
