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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
        Set<String> keys = new HashSet<>();
        for (Condition leaf : leaves) {
            KeyTerm term = term(leaf);
            if (!keys.add(term.attribute())) {
                throw new ExpressionException("KeyConditionExpressions must only contain one condition per key");
            }
            terms.add(term);
        }
        return new KeyConditionExpression(terms);
    }

    /** Conditions already converted from the legacy {@code KeyConditions}. */
    static KeyConditionExpression of(List<KeyTerm> terms) {
        return new KeyConditionExpression(terms);
    }

    /** The AND-ed conditions, after refusing every operator a key condition cannot use. */
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
        } else if (condition instanceof Comparison comparison && comparison.operator().equals("<>")) {
            throw invalidOperator("<>");
        } else if (condition instanceof FunctionCondition function && !function.call().name().equals("begins_with")) {
            throw invalidOperator(function.call().name());
        } else {
            leaves.add(condition);
        }
    }

    private static ExpressionException invalidOperator(String operator) {
        return new ExpressionException("Invalid operator used in KeyConditionExpression: " + operator);
    }

    private static ExpressionException invalidCondition(String problem) {
        return new ExpressionException("Invalid condition in KeyConditionExpression: " + problem);
    }

    /** One condition: the key attribute (first, or mirrored for comparisons) and values, nothing nested. */
    private static KeyTerm term(Condition leaf) throws ExpressionException {
        if (leaf instanceof Comparison comparison) {
            Operand left = comparison.left();
            Operand right = comparison.right();
            if (left instanceof ValueOperand && right instanceof ValueOperand) {
                throw invalidCondition("No key attribute specified");
            }
            if (left instanceof ValueOperand value) {
                // ":low <= sk" reads as "sk >= :low"
                return new KeyTerm(keyName(right), mirrored(comparison.operator()), List.of(valueOf(value)));
            }
            String key = keyName(left);
            return new KeyTerm(key, comparison.operator(), List.of(valueOf(right)));
        }
        String operator;
        List<Operand> operands;
        if (leaf instanceof Between between) {
            operator = "BETWEEN";
            operands = List.of(between.subject(), between.lower(), between.upper());
        } else {
            operator = "begins_with";
            operands = ((FunctionCondition) leaf).call().arguments();
        }
        if (!(operands.get(0) instanceof PathOperand)) {
            throw invalidCondition(operator + " operator must have the key attribute as its first operand");
        }
        String key = keyName(operands.get(0));
        List<AttributeValue> values = new ArrayList<>();
        for (Operand operand : operands.subList(1, operands.size())) {
            values.add(valueOf(operand));
        }
        return new KeyTerm(key, operator, values);
    }

    /** The key attribute a condition names: a top-level attribute, not a function of one. */
    private static String keyName(Operand operand) throws ExpressionException {
        if (!(operand instanceof PathOperand path)) {
            throw new ExpressionException("KeyConditionExpressions cannot contain nested operations");
        }
        if (path.path().depth() != 1) {
            throw new ExpressionException("KeyConditionExpressions cannot have conditions on nested attributes");
        }
        return path.path().topLevel();
    }

    /** A value compared with the key attribute: a {@code :value}, not another attribute or function. */
    private static AttributeValue valueOf(Operand operand) throws ExpressionException {
        if (operand instanceof ValueOperand value) {
            return value.value();
        }
        if (operand instanceof PathOperand) {
            throw invalidCondition("Multiple attribute names used in one condition");
        }
        throw new ExpressionException("KeyConditionExpressions cannot contain nested operations");
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
