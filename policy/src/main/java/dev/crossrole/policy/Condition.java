package dev.crossrole.policy;

import dev.crossrole.policy.ConditionOperator.Family;
import dev.crossrole.policy.ConditionOperator.SetQualifier;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;

/**
 * One condition test: an operator (with its {@code IfExists} suffix and set qualifier) applied to one
 * context key and the policy's values. Several values for a positive operator are OR-ed, for a
 * negated operator NOR-ed. Typed policy values are parsed once, here.
 */
final class Condition {
    private static final int MATCH = 1;
    private static final int NO_MATCH = 0;
    private static final int UNREADABLE = -1;

    final String operatorAsWritten;
    final ConditionOperator op;
    final SetQualifier qualifier;
    final boolean ifExists;
    /** False for an operator AWS does not accept (NullIfExists), found only in documents stored before it was refused. */
    final boolean supported;
    final String key;
    final String lowerKey;
    final List<String> policyValues;

    private final TextPattern[] patterns;
    private final BigDecimal[] numbers;
    private final Long[] dates;
    private final Values.Cidr[] cidrs;
    private final byte[][] binaries;
    private final Boolean[] nullChecks;
    /** Per ARN policy value without variables: its components, compiled once. */
    private final Glob[][] arnGlobs;

    Condition(String operatorAsWritten, ConditionOperator.Parsed parsed, String key, List<String> policyValues,
              boolean variablesEnabled) {
        this.operatorAsWritten = operatorAsWritten;
        this.op = parsed.base();
        this.qualifier = parsed.qualifier();
        this.ifExists = parsed.ifExists();
        this.supported = parsed.supported();
        this.key = key;
        this.lowerKey = ContextKeys.normalize(key);
        this.policyValues = List.copyOf(policyValues);
        int n = policyValues.size();
        TextPattern[] patterns = null;
        BigDecimal[] numbers = null;
        Long[] dates = null;
        Values.Cidr[] cidrs = null;
        byte[][] binaries = null;
        Boolean[] nullChecks = null;
        switch (op.family) {
            case STRING, ARN, BOOL -> {
                patterns = new TextPattern[n];
                boolean vars = variablesEnabled && op.acceptsVariables();
                for (int i = 0; i < n; i++) {
                    patterns[i] = TextPattern.compile(policyValues.get(i), vars);
                }
            }
            case NUMERIC -> {
                numbers = new BigDecimal[n];
                for (int i = 0; i < n; i++) {
                    numbers[i] = Values.number(policyValues.get(i));
                }
            }
            case DATE -> {
                dates = new Long[n];
                for (int i = 0; i < n; i++) {
                    dates[i] = Values.epochMillis(policyValues.get(i));
                }
            }
            case IP -> {
                cidrs = new Values.Cidr[n];
                for (int i = 0; i < n; i++) {
                    cidrs[i] = Values.cidr(policyValues.get(i));
                }
            }
            case BINARY -> {
                binaries = new byte[n][];
                for (int i = 0; i < n; i++) {
                    binaries[i] = Values.binary(policyValues.get(i));
                }
            }
            case NULL -> {
                nullChecks = new Boolean[n];
                for (int i = 0; i < n; i++) {
                    nullChecks[i] = Values.bool(policyValues.get(i));
                }
            }
            default -> throw new IllegalStateException();
        }
        this.patterns = patterns;
        this.numbers = numbers;
        this.dates = dates;
        this.cidrs = cidrs;
        this.binaries = binaries;
        this.nullChecks = nullChecks;
        if (op.family == Family.ARN) {
            arnGlobs = new Glob[n][];
            for (int i = 0; i < n; i++) {
                arnGlobs[i] = patterns[i].hasVariables() ? null : Glob.of(policyValues.get(i), false).arnComponents();
            }
        } else {
            arnGlobs = null;
        }
    }

    /** The context keys the policy values name as variables, as written and in order. */
    List<String> valueVariableKeys() {
        if (patterns == null) {
            return List.of();
        }
        List<String> keys = new java.util.ArrayList<>();
        for (TextPattern pattern : patterns) {
            keys.addAll(pattern.variableKeys());
        }
        return keys;
    }

    boolean evaluate(EvaluationContext ctx) {
        ContextValue value = ctx.lookup(lowerKey);
        boolean absent = value == null || (value.multivalued() && value.isEmpty());
        if (op == ConditionOperator.NULL) {
            for (Boolean expectAbsent : nullChecks) {
                if (expectAbsent != null && expectAbsent == absent) {
                    return true;
                }
            }
            return false;
        }
        switch (qualifier) {
            case FOR_ALL_VALUES:
                if (absent) {
                    return true;
                }
                for (String requestValue : value.values()) {
                    if (!holdsFor(requestValue, ctx)) {
                        return false;
                    }
                }
                return true;
            case FOR_ANY_VALUE:
                if (absent) {
                    return ifExists;
                }
                for (String requestValue : value.values()) {
                    if (holdsFor(requestValue, ctx)) {
                        return true;
                    }
                }
                return false;
            default:
                if (absent) {
                    return ifExists || op.negated;
                }
                if (value.multivalued()) {
                    // A plain operator does not match a multivalued key: set operators are required.
                    return false;
                }
                return holdsFor(value.values().get(0), ctx);
        }
    }

    /** The operator's truth for one request value: OR over policy values, or NOR for negated operators. */
    private boolean holdsFor(String requestValue, EvaluationContext ctx) {
        int result = anyPolicyValueMatches(requestValue, ctx);
        if (result == UNREADABLE) {
            // A value of the wrong type never satisfies a condition, negated or not.
            return false;
        }
        return op.negated ? result == NO_MATCH : result == MATCH;
    }

    private int anyPolicyValueMatches(String requestValue, EvaluationContext ctx) {
        switch (op.family) {
            case STRING: {
                for (TextPattern pattern : patterns) {
                    if (stringMatches(pattern, requestValue, ctx)) {
                        return MATCH;
                    }
                }
                return NO_MATCH;
            }
            case BOOL: {
                Boolean request = Values.bool(requestValue);
                if (request == null) {
                    return UNREADABLE;
                }
                for (TextPattern pattern : patterns) {
                    Boolean expected = Values.bool(pattern.resolveText(ctx));
                    if (request.equals(expected)) {
                        return MATCH;
                    }
                }
                return NO_MATCH;
            }
            case ARN: {
                String[] request = Values.arnComponents(requestValue);
                if (request == null) {
                    return UNREADABLE;
                }
                for (int i = 0; i < patterns.length; i++) {
                    if (arnMatches(i, request, ctx)) {
                        return MATCH;
                    }
                }
                return NO_MATCH;
            }
            case NUMERIC: {
                BigDecimal request = Values.number(requestValue);
                if (request == null) {
                    return UNREADABLE;
                }
                for (BigDecimal expected : numbers) {
                    if (expected != null && compares(request.compareTo(expected))) {
                        return MATCH;
                    }
                }
                return NO_MATCH;
            }
            case DATE: {
                Long request = ctx.epochMillis(requestValue);
                if (request == null) {
                    return UNREADABLE;
                }
                for (Long expected : dates) {
                    if (expected != null && compares(Long.compare(request, expected))) {
                        return MATCH;
                    }
                }
                return NO_MATCH;
            }
            case IP: {
                byte[] request = Values.ipAddress(requestValue);
                if (request == null) {
                    return UNREADABLE;
                }
                for (Values.Cidr cidr : cidrs) {
                    if (cidr != null && cidr.contains(request)) {
                        return MATCH;
                    }
                }
                return NO_MATCH;
            }
            case BINARY: {
                byte[] request = Values.binary(requestValue);
                if (request == null) {
                    return UNREADABLE;
                }
                for (byte[] expected : binaries) {
                    if (expected != null && Arrays.equals(expected, request)) {
                        return MATCH;
                    }
                }
                return NO_MATCH;
            }
            default:
                return NO_MATCH;
        }
    }

    private boolean stringMatches(TextPattern pattern, String requestValue, EvaluationContext ctx) {
        switch (op) {
            case STRING_LIKE:
            case STRING_NOT_LIKE: {
                Glob glob = pattern.resolveGlob(ctx, false);
                return glob != null && glob.matches(requestValue);
            }
            case STRING_EQUALS_IGNORE_CASE:
            case STRING_NOT_EQUALS_IGNORE_CASE: {
                String expected = pattern.resolveText(ctx);
                return expected != null && expected.equalsIgnoreCase(requestValue);
            }
            default: {
                String expected = pattern.resolveText(ctx);
                return expected != null && expected.equals(requestValue);
            }
        }
    }

    /** ArnLike/ArnEquals: the six colon-separated components are compared one by one, each a case-sensitive glob. */
    private boolean arnMatches(int index, String[] request, EvaluationContext ctx) {
        Glob[] components = arnGlobs[index];
        if (components == null) {
            Glob whole = patterns[index].resolveGlob(ctx, false);
            components = whole == null ? null : whole.arnComponents();
            if (components == null) {
                return false;
            }
        }
        for (int i = 0; i < 6; i++) {
            if (!components[i].matches(request[i])) {
                return false;
            }
        }
        return true;
    }

    private boolean compares(int cmp) {
        switch (op) {
            case NUMERIC_EQUALS:
            case NUMERIC_NOT_EQUALS:
            case DATE_EQUALS:
            case DATE_NOT_EQUALS:
                return cmp == 0;
            case NUMERIC_LESS_THAN:
            case DATE_LESS_THAN:
                return cmp < 0;
            case NUMERIC_LESS_THAN_EQUALS:
            case DATE_LESS_THAN_EQUALS:
                return cmp <= 0;
            case NUMERIC_GREATER_THAN:
            case DATE_GREATER_THAN:
                return cmp > 0;
            case NUMERIC_GREATER_THAN_EQUALS:
            case DATE_GREATER_THAN_EQUALS:
                return cmp >= 0;
            default:
                return false;
        }
    }
}
