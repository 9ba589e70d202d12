package dev.crossrole.policy;

/** The three results of IAM policy evaluation. */
public enum Outcome {
    ALLOW("Allow"), EXPLICIT_DENY("ExplicitDeny"), IMPLICIT_DENY("ImplicitDeny");

    private final String wireName;

    Outcome(String wireName) {
        this.wireName = wireName;
    }

    /** {@code Allow}, {@code ExplicitDeny} or {@code ImplicitDeny}, as the simulate output and admin API spell it. */
    public String wireName() {
        return wireName;
    }
}
