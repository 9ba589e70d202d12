package dev.crossrole.policy;

/**
 * How far a same-account resource-policy Allow reaches on its own, by which principal entry it named
 * (IAM User Guide, "Policy evaluation logic", table of resource-based policies).
 */
enum Grant {
    /** The account was named: the caller's identity policies must allow too. */
    ACCOUNT,
    /** The role (or a federated user's IAM user) was named: not limited by identity policies, limited by boundary and session policies. */
    ROLE,
    /** The caller itself (user, exact session, service) or {@code "*"}: not limited by identity, boundary or session policies. */
    DIRECT;

    static Grant of(PrincipalEntry.Kind kind) {
        switch (kind) {
            case ACCOUNT:
                return ACCOUNT;
            case ROLE:
            case ROLE_ID:
                return ROLE;
            default:
                return DIRECT;
        }
    }
}
