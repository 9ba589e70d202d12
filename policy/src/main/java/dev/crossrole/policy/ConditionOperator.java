package dev.crossrole.policy;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The base condition operators of the IAM policy language, without {@code IfExists} and set prefixes. */
enum ConditionOperator {
    STRING_EQUALS("StringEquals", Family.STRING, false),
    STRING_NOT_EQUALS("StringNotEquals", Family.STRING, true),
    STRING_EQUALS_IGNORE_CASE("StringEqualsIgnoreCase", Family.STRING, false),
    STRING_NOT_EQUALS_IGNORE_CASE("StringNotEqualsIgnoreCase", Family.STRING, true),
    STRING_LIKE("StringLike", Family.STRING, false),
    STRING_NOT_LIKE("StringNotLike", Family.STRING, true),
    NUMERIC_EQUALS("NumericEquals", Family.NUMERIC, false),
    NUMERIC_NOT_EQUALS("NumericNotEquals", Family.NUMERIC, true),
    NUMERIC_LESS_THAN("NumericLessThan", Family.NUMERIC, false),
    NUMERIC_LESS_THAN_EQUALS("NumericLessThanEquals", Family.NUMERIC, false),
    NUMERIC_GREATER_THAN("NumericGreaterThan", Family.NUMERIC, false),
    NUMERIC_GREATER_THAN_EQUALS("NumericGreaterThanEquals", Family.NUMERIC, false),
    DATE_EQUALS("DateEquals", Family.DATE, false),
    DATE_NOT_EQUALS("DateNotEquals", Family.DATE, true),
    DATE_LESS_THAN("DateLessThan", Family.DATE, false),
    DATE_LESS_THAN_EQUALS("DateLessThanEquals", Family.DATE, false),
    DATE_GREATER_THAN("DateGreaterThan", Family.DATE, false),
    DATE_GREATER_THAN_EQUALS("DateGreaterThanEquals", Family.DATE, false),
    BOOL("Bool", Family.BOOL, false),
    BINARY_EQUALS("BinaryEquals", Family.BINARY, false),
    IP_ADDRESS("IpAddress", Family.IP, false),
    NOT_IP_ADDRESS("NotIpAddress", Family.IP, true),
    ARN_EQUALS("ArnEquals", Family.ARN, false),
    ARN_LIKE("ArnLike", Family.ARN, false),
    ARN_NOT_EQUALS("ArnNotEquals", Family.ARN, true),
    ARN_NOT_LIKE("ArnNotLike", Family.ARN, true),
    NULL("Null", Family.NULL, false);

    enum Family { STRING, NUMERIC, DATE, BOOL, BINARY, IP, ARN, NULL }

    private static final Map<String, ConditionOperator> BY_NAME = new HashMap<>();
    private static final Map<String, ConditionOperator> BY_LOWER_NAME = new HashMap<>();

    static {
        for (ConditionOperator op : values()) {
            BY_NAME.put(op.awsName, op);
            BY_LOWER_NAME.put(op.awsName.toLowerCase(Locale.ROOT), op);
        }
    }

    final String awsName;
    final Family family;
    /** Negated operators combine several policy values with NOR and are true when the key is absent. */
    final boolean negated;

    ConditionOperator(String awsName, Family family, boolean negated) {
        this.awsName = awsName;
        this.family = family;
        this.negated = negated;
    }

    /** Exact spelling, as write-time validation requires. */
    static ConditionOperator byExactName(String name) {
        return BY_NAME.get(name);
    }

    /** Case-insensitive lookup, as evaluation uses. */
    static ConditionOperator byName(String name) {
        return BY_LOWER_NAME.get(name.toLowerCase(Locale.ROOT));
    }

    /** Whether policy variables are substituted in values of this operator. */
    boolean acceptsVariables() {
        return family == Family.STRING || family == Family.ARN || family == Family.BOOL;
    }

    /** The fully spelled operator as written in policies: set prefix + base name + IfExists. */
    record Parsed(ConditionOperator base, SetQualifier qualifier, boolean ifExists) {
        /**
         * Whether AWS accepts the operator: {@code IfExists} can be added to every operator but {@code Null}
         * (IAM User Guide, reference_policies_elements_condition_operators.html, "...IfExists condition operators").
         */
        boolean supported() {
            return !(ifExists && base == NULL);
        }
    }

    enum SetQualifier {
        NONE(""), FOR_ALL_VALUES("ForAllValues:"), FOR_ANY_VALUE("ForAnyValue:");

        final String prefix;

        SetQualifier(String prefix) {
            this.prefix = prefix;
        }
    }

    /** Splits an operator such as {@code ForAnyValue:StringLikeIfExists}; {@code null} when it is not one. */
    static Parsed parse(String written, boolean exact) {
        String rest = written;
        SetQualifier qualifier = SetQualifier.NONE;
        for (SetQualifier q : new SetQualifier[] {SetQualifier.FOR_ALL_VALUES, SetQualifier.FOR_ANY_VALUE}) {
            if (exact ? rest.startsWith(q.prefix) : rest.regionMatches(true, 0, q.prefix, 0, q.prefix.length())) {
                rest = rest.substring(q.prefix.length());
                qualifier = q;
                break;
            }
        }
        boolean ifExists = false;
        if (exact ? rest.endsWith("IfExists") : rest.regionMatches(true, rest.length() - 8, "IfExists", 0, 8)) {
            if (rest.length() > 8) {
                rest = rest.substring(0, rest.length() - 8);
                ifExists = true;
            }
        }
        ConditionOperator base = exact ? byExactName(rest) : byName(rest);
        return base == null ? null : new Parsed(base, qualifier, ifExists);
    }
}
