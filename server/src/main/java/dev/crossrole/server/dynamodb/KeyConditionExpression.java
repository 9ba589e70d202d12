package dev.crossrole.server.dynamodb;

import dev.crossrole.server.dynamodb.ExpressionTree.And;
import dev.crossrole.server.dynamodb.ExpressionTree.Between;
import dev.crossrole.server.dynamodb.ExpressionTree.Comparison;
import dev.crossrole.server.dynamodb.ExpressionTree.Condition;
import dev.crossrole.server.dynamodb.ExpressionTree.FunctionCall;
import dev.crossrole.server.dynamodb.ExpressionTree.FunctionCondition;
import dev.crossrole.server.dynamodb.ExpressionTree.In;
import dev.crossrole.server.dynamodb.ExpressionTree.Not;
import dev.crossrole.server.dynamodb.ExpressionTree.Operand;
import dev.crossrole.server.dynamodb.ExpressionTree.Or;
import dev.crossrole.server.dynamodb.ExpressionTree.PathOperand;
import dev.crossrole.server.dynamodb.ExpressionTree.ValueOperand;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed Query {@code KeyConditionExpression}: an equality on the partition key, optionally AND one condition on the
 * sort key ({@code = < <= > >=}, {@code BETWEEN}, {@code begins_with}).
 */
public final class KeyConditionExpression {

    /** One condition on one key attribute; {@code operator} is a comparator, BETWEEN or begins_with. */
    record KeyTerm(String attribute, String operator, List<AttributeValue> values) {
        KeyTerm {
            values = List.copyOf(values);
        }
    }

    private final List<KeyTerm> terms;
    private KeyTerm partition;
    private KeyTerm sort;

    private KeyConditionExpression(List<KeyTerm> terms) {
        this.terms = List.copyOf(terms);
    }

    public static KeyConditionExpression parse(String text, ExpressionAttributes attributes)
            throws ExpressionException {
        Condition condition = ExpressionParser.parseCondition(text, attributes, "KeyConditionExpression");
        List<Condition> leaves = new ArrayList<>();
        flatten(condition, leaves);
        List<KeyTerm> terms = new ArrayList<>();
        for (Condition leaf : leaves) {
            terms.add(term(leaf));
        }
        return new KeyConditionExpression(terms);
    }

    /** Conditions already converted from the legacy {@code KeyConditions}. */
    static KeyConditionExpression of(List<KeyTerm> terms) {
        return new KeyConditionExpression(terms);
    }

    private static void flatten(Condition condition, List<Condition> leaves) throws ExpressionException {
        if (condition instanceof And and) {
            flatten(and.left(), leaves);
            flatten(and.right(), leaves);
        } else if (condition instanceof Or) {
            throw invalidOperator("OR");
        } else if (condition instanceof Not) {
            throw invalidOperator("NOT");
        } else if (condition instanceof In) {
            throw invalidOperator("IN");
        } else {
            leaves.add(condition);
        }
    }

    private static ExpressionException invalidOperator(String operator) {
        return new ExpressionException("Invalid operator used in KeyConditionExpression: " + operator);
    }

    private static KeyTerm term(Condition leaf) throws ExpressionException {
        if (leaf instanceof Comparison comparison) {
            if (comparison.operator().equals("<>")) {
                throw invalidOperator("<>");
            }
            if (comparison.left() instanceof PathOperand && comparison.right() instanceof ValueOperand value) {
                return new KeyTerm(keyName(comparison.left()), comparison.operator(), List.of(value.value()));
            }
            if (comparison.left() instanceof ValueOperand value && comparison.right() instanceof PathOperand) {
                // ":low <= sk" reads as "sk >= :low"
                return new KeyTerm(keyName(comparison.right()), mirrored(comparison.operator()),
                        List.of(value.value()));
            }
            throw unsupported();
        }
        if (leaf instanceof Between between && between.subject() instanceof PathOperand
                && between.lower() instanceof ValueOperand lower && between.upper() instanceof ValueOperand upper) {
            return new KeyTerm(keyName(between.subject()), "BETWEEN", List.of(lower.value(), upper.value()));
        }
        if (leaf instanceof FunctionCondition function) {
            FunctionCall call = function.call();
            if (!call.name().equals("begins_with")) {
                throw invalidOperator(call.name());
            }
            if (call.arguments().get(0) instanceof PathOperand && call.arguments().get(1) instanceof ValueOperand v) {
                return new KeyTerm(keyName(call.arguments().get(0)), "begins_with", List.of(v.value()));
            }
        }
        throw unsupported();
    }

    private static String keyName(Operand operand) throws ExpressionException {
        DocumentPath path = ((PathOperand) operand).path();
        if (path.depth() != 1) {
            throw unsupported();
        }
        return path.topLevel();
    }

    private static String mirrored(String operator) {
        return switch (operator) {
            case "<" -> ">";
            case "<=" -> ">=";
            case ">" -> "<";
            case ">=" -> "<=";
            default -> operator;
        };
    }

    private static ExpressionException unsupported() {
        return new ExpressionException("Query key condition not supported");
    }

    /**
     * Checks the condition against the queried table's or index's key schema: {@code Query condition missed key
     * schema element: pk}, {@code Query key condition not supported}, values of another type than the key's declared
     * one. Must be called before {@link #partitionValue()} and {@link #sortKeyMatches}.
     *
     * @param hashType  the partition key's declared type, {@code S}, {@code N} or {@code B}
     * @param rangeKey  the sort key's name, null when the table or index has none
     * @param rangeType the sort key's declared type, null when there is no sort key
     */
    public void check(String hashKey, String hashType, String rangeKey, String rangeType) throws ExpressionException {
        KeyTerm hash = null;
        KeyTerm range = null;
        for (KeyTerm term : terms) {
            if (term.attribute().equals(hashKey)) {
                if (hash != null) {
                    throw new ExpressionException("KeyConditionExpressions must only contain one condition per key");
                }
                hash = term;
            } else if (term.attribute().equals(rangeKey)) {
                if (range != null) {
                    throw new ExpressionException("KeyConditionExpressions must only contain one condition per key");
                }
                range = term;
            }
        }
        if (hash == null) {
            throw new ExpressionException("Query condition missed key schema element: " + hashKey);
        }
        int others = terms.size() - 1 - (range == null ? 0 : 1);
        if (others > 0) {
            // a condition on an attribute that is no key of the table or index
            throw rangeKey != null && range == null
                    ? new ExpressionException("Query condition missed key schema element: " + rangeKey)
                    : unsupported();
        }
        if (!hash.operator().equals("=")) {
            throw unsupported();
        }
        checkTypes(hash, hashType);
        if (range != null) {
            checkTypes(range, rangeType);
        }
        partition = hash;
        sort = range;
    }

    private static void checkTypes(KeyTerm term, String declaredType) throws ExpressionException {
        for (AttributeValue value : term.values()) {
            if (!value.type().equals(declaredType)) {
                throw new ExpressionException(
                        "One or more parameter values were invalid: Condition parameter type does not match schema type");
            }
        }
        if (term.operator().equals("BETWEEN") && AttributeOrder.compare(term.values().get(0), term.values().get(1)) > 0) {
            // Parsing already refuses literal bounds in the wrong order; this guards converted legacy conditions.
            throw new ExpressionException("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound "
                    + "to be greater than or equal to lower bound; lower bound operand: AttributeValue: {"
                    + declaredType + ":" + ExpressionParser.scalarText(term.values().get(0))
                    + "}, upper bound operand: AttributeValue: {" + declaredType + ":"
                    + ExpressionParser.scalarText(term.values().get(1)) + "}");
        }
    }

    /** The value the partition key must equal. */
    public AttributeValue partitionValue() {
        requireChecked();
        return partition.values().get(0);
    }

    /** The sort-key condition's attribute name, or null when there is none. */
    public String sortKeyName() {
        requireChecked();
        return sort == null ? null : sort.attribute();
    }

    /** Whether a sort-key value satisfies the sort-key condition (true when there is none). */
    public boolean sortKeyMatches(AttributeValue sortValue) {
        requireChecked();
        if (sort == null) {
            return true;
        }
        if (sortValue == null || !AttributeOrder.comparable(sortValue, sort.values().get(0))) {
            return false;
        }
        AttributeValue operand = sort.values().get(0);
        return switch (sort.operator()) {
            case "BETWEEN" -> AttributeOrder.compare(operand, sortValue) <= 0
                    && AttributeOrder.compare(sortValue, sort.values().get(1)) <= 0;
            case "begins_with" -> beginsWith(sortValue, operand);
            default -> ConditionExpression.compare(sort.operator(), sortValue, operand);
        };
    }

    private static boolean beginsWith(AttributeValue value, AttributeValue prefix) {
        if (value instanceof AttributeValue.S s && prefix instanceof AttributeValue.S p) {
            return s.value().startsWith(p.value());
        }
        if (value instanceof AttributeValue.B b && prefix instanceof AttributeValue.B p) {
            byte[] bytes = b.value().bytes();
            byte[] start = p.value().bytes();
            return bytes.length >= start.length && java.util.Arrays.equals(bytes, 0, start.length, start, 0,
                    start.length);
        }
        return false;
    }

    private void requireChecked() {
        if (partition == null) {
            throw new IllegalStateException("check(...) must succeed before the condition is used");
        }
    }
}
