package dev.crossrole.policy;

import java.util.function.Supplier;

/**
 * The engine's answer for one request: allow, explicit deny or implicit deny; for denials the policy
 * type whose gate closed; and why, as data. The explanation is assembled when first asked for, so that
 * deciding stays cheap when nobody reads it.
 */
public final class Decision {
    private final Outcome outcome;
    private final PolicyKind decidedBy;
    private Supplier<Explanation> pending;
    private volatile Explanation explanation;

    Decision(Outcome outcome, PolicyKind decidedBy, Supplier<Explanation> explanation) {
        this.outcome = outcome;
        this.decidedBy = decidedBy;
        this.pending = explanation;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** The policy type whose gate closed (for denials), {@code null} for allows. */
    public PolicyKind decidedBy() {
        return decidedBy;
    }

    /** Why, as data: gates, statements that applied, conditions that failed, the deciding side and a fix. */
    public Explanation explanation() {
        Explanation e = explanation;
        if (e == null) {
            synchronized (this) {
                if (explanation == null) {
                    explanation = pending.get();
                    pending = null;
                }
                e = explanation;
            }
        }
        return e;
    }

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

    @Override
    public String toString() {
        return "Decision[" + outcome.wireName() + (decidedBy == null ? "" : ", " + decidedBy.cliName()) + "]";
    }
}
