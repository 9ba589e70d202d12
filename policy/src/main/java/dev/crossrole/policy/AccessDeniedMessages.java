package dev.crossrole.policy;

/**
 * AWS's AccessDenied message texts (IAM User Guide, "Troubleshoot access denied error messages"),
 * with their quirks kept: "a permissions boundary" without "policy", "a sessions policy", "the role
 * trust policy", and the SCP/RCP wording "with an explicit deny" even for implicit denials.
 */
final class AccessDeniedMessages {
    private AccessDeniedMessages() {}

    static String render(Decision decision, boolean trustReason) {
        if (decision.allowed()) {
            return null;
        }
        Explanation e = decision.explanation();
        StringBuilder out = new StringBuilder("User: ").append(e.principal())
                .append(" is not authorized to perform: ").append(e.action());
        if (!"*".equals(e.resource())) {
            out.append(" on resource: ").append(e.resource());
        }
        String suffix = suffix(decision.outcome(), decision.decidedBy(), e.action(), trustReason);
        if (!suffix.isEmpty()) {
            out.append(' ').append(suffix);
        }
        return out.toString();
    }

    static String suffix(Outcome outcome, PolicyKind kind, String action, boolean trustReason) {
        if (outcome == Outcome.EXPLICIT_DENY) {
            switch (kind) {
                case IDENTITY: return "with an explicit deny in an identity-based policy";
                case RESOURCE:
                case KEY: return "with an explicit deny in a resource-based policy";
                case TRUST: return "with an explicit deny in the role trust policy";
                case BOUNDARY: return "with an explicit deny in a permissions boundary";
                case SESSION: return "with an explicit deny in a sessions policy";
                case SCP: return "with an explicit deny in a service control policy";
                default: return "with an explicit deny in a resource control policy";
            }
        }
        switch (kind) {
            case IDENTITY: return "because no identity-based policy allows the " + action + " action";
            case RESOURCE:
            case KEY: return "because no resource-based policy allows the " + action + " action";
            case TRUST: return trustReason ? "because no role trust policy allows the " + action + " action" : "";
            case BOUNDARY: return "because no permissions boundary allows the " + action + " action";
            case SESSION: return "because no session policy allows the " + action + " action";
            case SCP: return "with an explicit deny in a service control policy";
            default: return "with an explicit deny in a resource control policy";
        }
    }
}
