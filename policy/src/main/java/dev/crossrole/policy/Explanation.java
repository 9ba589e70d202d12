package dev.crossrole.policy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Why a decision came out as it did, as data: every gate and its outcome, every statement that
 * applied, every condition that failed in a statement that would otherwise have applied, the
 * condition keys that were missing, which side decided, and what would change the outcome.
 */
public record Explanation(
        String principal,
        String action,
        String resource,
        String principalAccount,
        String resourceAccount,
        boolean crossAccount,
        List<Gate> gates,
        List<StatementRef> matchedStatements,
        List<FailedCondition> failedConditions,
        List<ResourceMiss> resourceMisses,
        List<String> missingKeys,
        String decidingSide,
        String fix) {

    /** This explanation with a suggested fix. */
    public Explanation withFix(String suggestion) {
        return new Explanation(principal, action, resource, principalAccount, resourceAccount, crossAccount, gates,
                matchedStatements, failedConditions, resourceMisses, missingKeys, decidingSide, suggestion);
    }

    /** Outcome of one gate of the evaluation. */
    public enum GateOutcome { ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, NOT_APPLICABLE }

    /**
     * One gate: a policy type's verdict on the request.
     *
     * @param kind the policy type
     * @param outcome what it decided
     * @param note a sentence on why, e.g. which principal entry a resource policy matched or why the gate was skipped
     */
    public record Gate(PolicyKind kind, GateOutcome outcome, String note) {}

    /** A statement that applied to the request. */
    public record StatementRef(PolicyKind kind, String policy, int statementIndex, String sid, String effect) {
        String label() {
            return policy + " statement " + statementIndex + (sid == null || sid.isEmpty() ? "" : " (Sid " + sid + ")");
        }
    }

    /**
     * A condition that was false in a statement whose action, resource and principal matched.
     *
     * @param requestValues the request's values for the key, {@code null} when the key was absent
     */
    public record FailedCondition(StatementRef statement, String operator, String key, List<String> requestValues,
                                  List<String> policyValues) {}

    /**
     * An Allow statement whose action matched but whose Resource did not: the usual near miss (a bucket's ARN where
     * its objects' were asked, a log group's ARN without its trailing {@code :*}).
     *
     * @param policyResources the statement's Resource entries as written
     */
    public record ResourceMiss(StatementRef statement, List<String> policyResources) {}

    // ---- renderings -------------------------------------------------------------------------

    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode out = f.objectNode();
        out.put("principal", principal);
        out.put("action", action);
        out.put("resource", resource);
        out.put("principalAccount", principalAccount);
        out.put("resourceAccount", resourceAccount);
        out.put("crossAccount", crossAccount);
        if (decidingSide != null) {
            out.put("decidingSide", decidingSide);
        }
        ArrayNode gateArray = out.putArray("gates");
        for (Gate gate : gates) {
            ObjectNode g = gateArray.addObject();
            g.put("policyType", gate.kind().cliName());
            g.put("outcome", gate.outcome().name());
            if (gate.note() != null) {
                g.put("note", gate.note());
            }
        }
        ArrayNode matched = out.putArray("matchedStatements");
        for (StatementRef ref : matchedStatements) {
            statementJson(matched.addObject(), ref);
        }
        ArrayNode failed = out.putArray("failedConditions");
        for (FailedCondition condition : failedConditions) {
            ObjectNode c = failed.addObject();
            statementJson(c.putObject("statement"), condition.statement());
            c.put("operator", condition.operator());
            c.put("key", condition.key());
            if (condition.requestValues() == null) {
                c.putNull("requestValues");
            } else {
                condition.requestValues().forEach(c.putArray("requestValues")::add);
            }
            condition.policyValues().forEach(c.putArray("policyValues")::add);
        }
        ArrayNode misses = out.putArray("resourceMisses");
        for (ResourceMiss miss : resourceMisses) {
            ObjectNode m = misses.addObject();
            statementJson(m.putObject("statement"), miss.statement());
            miss.policyResources().forEach(m.putArray("policyResources")::add);
        }
        missingKeys.forEach(out.putArray("missingKeys")::add);
        if (fix != null) {
            out.put("fix", fix);
        }
        return out;
    }

    private static void statementJson(ObjectNode node, StatementRef ref) {
        node.put("policyType", ref.kind().cliName());
        node.put("policy", ref.policy());
        node.put("statementIndex", ref.statementIndex());
        if (ref.sid() != null) {
            node.put("sid", ref.sid());
        }
        node.put("effect", ref.effect());
    }

    /** A readable account for people, one fact a line. */
    public String toText(Decision decision) {
        StringBuilder out = new StringBuilder();
        out.append("Decision: ").append(decision.outcome().wireName());
        if (decision.decidedBy() != null) {
            out.append(" (decided by the ").append(decision.decidedBy().awsTypeName())
                    .append(decision.decidedBy() == PolicyKind.BOUNDARY ? "" : " policies").append(')');
        }
        out.append('\n');
        out.append("Request: ").append(principal).append(" -> ").append(action).append(" on ").append(resource).append('\n');
        out.append("Accounts: caller ").append(principalAccount == null ? "(none)" : principalAccount)
                .append(", resource ").append(resourceAccount == null ? "(none)" : resourceAccount)
                .append(crossAccount ? " (cross-account: both sides must allow)" : " (same account)").append('\n');
        if (decidingSide != null) {
            out.append("Decided on: ").append(decidingSide).append('\n');
        }
        out.append("Gates:\n");
        for (Gate gate : gates) {
            out.append("  ").append(pad(gate.kind().cliName(), 9)).append(' ').append(gate.outcome());
            if (gate.note() != null) {
                out.append(" - ").append(gate.note());
            }
            out.append('\n');
        }
        if (!matchedStatements.isEmpty()) {
            out.append("Statements that applied:\n");
            for (StatementRef ref : matchedStatements) {
                out.append("  ").append(ref.effect()).append(": ").append(ref.label()).append(" [")
                        .append(ref.kind().cliName()).append("]\n");
            }
        }
        if (!failedConditions.isEmpty()) {
            out.append("Conditions that failed:\n");
            for (FailedCondition c : failedConditions) {
                out.append("  ").append(c.statement().label()).append(": ").append(c.operator()).append(' ')
                        .append(c.key()).append(" — request ")
                        .append(c.requestValues() == null ? "has no such key" : "value " + c.requestValues())
                        .append(", policy expects ").append(c.policyValues()).append('\n');
            }
        }
        if (!resourceMisses.isEmpty()) {
            out.append("Statements that allow the action on other resources:\n");
            for (ResourceMiss miss : resourceMisses) {
                out.append("  ").append(miss.statement().label()).append(" [").append(miss.statement().kind().cliName())
                        .append("]: Resource ").append(miss.policyResources()).append('\n');
            }
        }
        if (!missingKeys.isEmpty()) {
            out.append("Missing condition keys: ").append(String.join(", ", missingKeys)).append('\n');
        }
        if (fix != null) {
            out.append("To change this: ").append(fix).append('\n');
        }
        return out.toString();
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
