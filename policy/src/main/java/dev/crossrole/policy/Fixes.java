package dev.crossrole.policy;

import dev.crossrole.policy.Explanation.FailedCondition;
import dev.crossrole.policy.Explanation.StatementRef;

/** What would change a denial into an allow, said in one or two sentences. */
final class Fixes {
    private Fixes() {}

    static String suggest(Outcome outcome, PolicyKind gate, Explanation e, AuthorizationRequest request, PolicySet set) {
        if (outcome == Outcome.ALLOW) {
            return null;
        }
        String action = e.action();
        String target = "*".equals(e.resource()) ? "\"Resource\": \"*\"" : e.resource();
        if (outcome == Outcome.EXPLICIT_DENY) {
            StatementRef deny = e.matchedStatements().stream()
                    .filter(s -> s.kind() == gate && s.effect().equals("Deny")).findFirst().orElse(null);
            return (deny == null ? "A Deny statement" : "The Deny in " + deny.label())
                    + " applies to this request; no Allow can override an explicit deny. Remove or narrow that"
                    + " statement (its Action, Resource or Condition) so it no longer covers " + action + ".";
        }
        String conditionHint = conditionHint(e, gate);
        if (conditionHint == null) {
            conditionHint = resourceHint(e, gate);
        }
        String fix;
        switch (gate) {
            case IDENTITY:
                fix = "Allow " + action + " on " + target + " in an identity-based policy of " + entity(request.principal())
                        + (e.crossAccount() ? " (cross-account requests need an Allow on both sides)." : ".");
                break;
            case BOUNDARY:
                fix = "The permissions boundary " + (set.permissionsBoundary() == null ? "" : set.permissionsBoundary().name() + " ")
                        + "of " + entity(request.principal()) + " must also allow " + action + " on " + target + ".";
                break;
            case SESSION:
                fix = "The session was created with session policies that do not allow " + action
                        + "; create a new session whose session policy allows it, or one without session policies.";
                break;
            case TRUST:
                fix = set.resourcePolicy() == null
                        ? "Give the role a trust policy that allows " + action + " for " + principalElement(request.principal()) + "."
                        : "Add a statement to the trust policy of " + e.resource() + " allowing " + action + " for "
                        + principalElement(request.principal()) + ".";
                break;
            case KEY:
                fix = "Add a statement to the key policy of " + e.resource() + " allowing " + action + " for "
                        + principalElement(request.principal()) + (e.crossAccount() ? "" : ", or one allowing the account ("
                        + "arn:aws:iam::" + e.resourceAccount() + ":root) so that its identity policies decide") + ".";
                break;
            case RESOURCE:
                fix = (set.resourcePolicy() == null ? "The resource has no resource-based policy; add one" : "Add a statement to the resource-based policy of " + e.resource())
                        + " allowing " + action + " for " + principalElement(request.principal()) + ".";
                break;
            case SCP:
                fix = "Every organization level above account " + e.principalAccount() + " must have a service control"
                        + " policy allowing " + action + "; see the SCP gates for the level that does not.";
                break;
            default:
                fix = "Every organization level above account " + e.resourceAccount() + " must allow " + action
                        + " in its resource control policies.";
                break;
        }
        fix = conditionHint == null ? fix : fix + " " + conditionHint;
        String grantHint = grantHint(request, set);
        return grantHint == null ? fix : fix + " " + grantHint;
    }

    /** A KMS grant that names the caller but does not cover the request: what it lacks. */
    private static String grantHint(AuthorizationRequest request, PolicySet set) {
        for (KeyGrant grant : set.grants()) {
            if (!grant.covers() && grant.names(request.principal()) != null) {
                return grant.source().label() + " " + grant.grantId() + " names the caller, but "
                        + grant.notCovering() + ".";
            }
        }
        return null;
    }

    private static String conditionHint(Explanation e, PolicyKind gate) {
        for (FailedCondition condition : e.failedConditions()) {
            if (condition.statement().kind() == gate && condition.statement().effect().equals("Allow")) {
                return condition.statement().label() + " would allow it, but its condition " + condition.operator() + " "
                        + condition.key() + " " + condition.policyValues() + " is false: the request "
                        + (condition.requestValues() == null ? "has no " + condition.key() + " key"
                        : "has " + condition.requestValues()) + ".";
            }
        }
        return null;
    }

    /** A statement that allows the action on other resources: most denials of a policy "that allows it" are this. */
    private static String resourceHint(Explanation e, PolicyKind gate) {
        for (Explanation.ResourceMiss miss : e.resourceMisses()) {
            if (miss.statement().kind() != gate) {
                continue;
            }
            String hint = miss.statement().label() + " allows " + e.action() + ", but on " + miss.policyResources()
                    + ", which does not match " + e.resource() + ".";
            String logGroup = logGroupOf(e.action(), e.resource());
            if (logGroup != null && miss.policyResources().contains(logGroup)) {
                hint += " CloudWatch Logs asks about a log group's actions on its ARN with a trailing :* ("
                        + logGroup + ":*), which also covers its streams.";
            }
            return hint;
        }
        return null;
    }

    /** The log group ARN (without {@code :*}) of a CloudWatch Logs action's resource, or {@code null}. */
    private static String logGroupOf(String action, String resource) {
        if (!action.regionMatches(true, 0, "logs:", 0, 5) || !resource.startsWith("arn:aws:logs:")) {
            return null;
        }
        int group = resource.indexOf(":log-group:");
        if (group < 0) {
            return null;
        }
        String rest = resource.substring(group + ":log-group:".length());
        int end = rest.indexOf(':');
        return resource.substring(0, group + ":log-group:".length()) + (end < 0 ? rest : rest.substring(0, end));
    }

    /** The IAM entity whose policies apply: a role for a role session. */
    private static String entity(Principal principal) {
        if (principal instanceof Principal.RoleSession session) {
            return "the role " + session.roleArn();
        }
        return principal.displayName();
    }

    private static String principalElement(Principal principal) {
        if (principal instanceof Principal.RoleSession session) {
            return "{\"AWS\": \"" + session.roleArn() + "\"}";
        }
        if (principal instanceof Principal.ServicePrincipal service) {
            return "{\"Service\": \"" + service.name() + "\"}";
        }
        if (principal instanceof Principal.Anonymous) {
            return "\"*\"";
        }
        if (principal instanceof Principal.WebIdentity holder) {
            return "{\"Federated\": \"" + holder.provider() + "\"}";
        }
        return "{\"AWS\": \"" + principal.principalArn() + "\"}";
    }
}
