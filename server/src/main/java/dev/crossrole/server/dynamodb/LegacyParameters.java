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
import dev.crossrole.server.dynamodb.ExpressionTree.UpdateAction;
import dev.crossrole.server.dynamodb.ExpressionTree.ValueOperand;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DynamoDB's legacy request parameters, turned into the same parsed forms as their expressions, so that the service
 * evaluates both alike. The service converts the wire shapes into the records below (top-level attribute names as
 * map keys, in request order) and calls one factory per parameter:
 *
 * <ul>
 *   <li>{@code Expected} + {@code ConditionalOperator} → {@link #expected(Map, String)}</li>
 *   <li>{@code QueryFilter} / {@code ScanFilter} + {@code ConditionalOperator} → {@link #filter(Map, String)}</li>
 *   <li>{@code KeyConditions} → {@link #keyConditions(Map)} (then {@link KeyConditionExpression#check} as usual)</li>
 *   <li>{@code AttributeUpdates} → {@link #attributeUpdates(Map)}</li>
 *   <li>{@code AttributesToGet} → {@link ProjectionExpression#ofAttributes(List)}</li>
 * </ul>
 *
 * Errors are {@link ExpressionException}s with DynamoDB's ValidationException message; {@link #checkNotMixed}
 * words the refusal of a request that mixes legacy and expression parameters.
 */
public final class LegacyParameters {

    private static final String INVALID = "One or more parameter values were invalid: ";
    private static final Set<String> SCALARS = Set.of("S", "N", "B");

    private LegacyParameters() {
    }

    /** One {@code Condition}: a {@code ComparisonOperator} and its {@code AttributeValueList} (null when absent). */
    public record LegacyCondition(String comparisonOperator, List<AttributeValue> attributeValueList) {
        public LegacyCondition {
            attributeValueList = attributeValueList == null ? List.of() : List.copyOf(attributeValueList);
        }
    }

    /**
     * One {@code ExpectedAttributeValue}: either {@code Value}/{@code Exists} or {@code ComparisonOperator}/
     * {@code AttributeValueList}; absent members are null.
     */
    public record ExpectedValue(AttributeValue value, Boolean exists, String comparisonOperator,
            List<AttributeValue> attributeValueList) {
    }

    /** One {@code AttributeValueUpdate}: {@code Action} ({@code PUT} when null) and {@code Value} (may be null). */
    public record AttributeUpdate(String action, AttributeValue value) {
    }

    /** {@code Expected} with its {@code ConditionalOperator} ({@code AND} when null). */
    public static ConditionExpression expected(Map<String, ExpectedValue> expected, String conditionalOperator)
            throws ExpressionException {
        List<Condition> conditions = new ArrayList<>();
        for (Map.Entry<String, ExpectedValue> entry : expected.entrySet()) {
            String attribute = entry.getKey();
            ExpectedValue expectation = entry.getValue();
            if (expectation.comparisonOperator() != null) {
                if (expectation.value() != null) {
                    throw new ExpressionException(INVALID + "Value and ComparisonOperator cannot be used together "
                            + "for attribute (" + attribute + ")"); // wording not confirmed against DynamoDB
                }
                conditions.add(condition(attribute, new LegacyCondition(expectation.comparisonOperator(),
                        expectation.attributeValueList())));
            } else if (Boolean.FALSE.equals(expectation.exists())) {
                if (expectation.value() != null) {
                    throw new ExpressionException(INVALID + "Cannot expect an attribute to have a specified value "
                            + "while expecting it to not exist");
                }
                conditions.add(function("attribute_not_exists", attribute));
            } else {
                if (expectation.value() == null) {
                    throw new ExpressionException(INVALID + "Exists is set to TRUE for attribute (" + attribute
                            + "), Value must also be set");
                }
                conditions.add(new Comparison("=", path(attribute), value(expectation.value())));
            }
        }
        return ConditionExpression.of(combine(conditions, conditionalOperator));
    }

    /** {@code QueryFilter} or {@code ScanFilter} with its {@code ConditionalOperator} ({@code AND} when null). */
    public static ConditionExpression filter(Map<String, LegacyCondition> filter, String conditionalOperator)
            throws ExpressionException {
        List<Condition> conditions = new ArrayList<>();
        for (Map.Entry<String, LegacyCondition> entry : filter.entrySet()) {
            conditions.add(condition(entry.getKey(), entry.getValue()));
        }
        return ConditionExpression.of(combine(conditions, conditionalOperator));
    }

    /** {@code KeyConditions}: each key's condition becomes the key-condition term of the same meaning. */
    public static KeyConditionExpression keyConditions(Map<String, LegacyCondition> keyConditions)
            throws ExpressionException {
        List<KeyConditionExpression.KeyTerm> terms = new ArrayList<>();
        for (Map.Entry<String, LegacyCondition> entry : keyConditions.entrySet()) {
            LegacyCondition condition = entry.getValue();
            String operator = switch (condition.comparisonOperator()) {
                case "EQ" -> "=";
                case "LT" -> "<";
                case "LE" -> "<=";
                case "GT" -> ">";
                case "GE" -> ">=";
                case "BETWEEN" -> "BETWEEN";
                case "BEGINS_WITH" -> "begins_with";
                default -> throw new ExpressionException("Attempted conditional constraint is not an indexable operation");
            };
            checkArguments(condition);
            terms.add(new KeyConditionExpression.KeyTerm(entry.getKey(), operator, condition.attributeValueList()));
        }
        if (terms.isEmpty() || terms.size() > 2) {
            throw new ExpressionException("Conditions can be of length 1 or 2 only");
        }
        return KeyConditionExpression.of(terms);
    }

    /**
     * {@code AttributeUpdates}: PUT sets the attribute, DELETE without a value removes it, DELETE with a set removes
     * those members, ADD adds to a number or set (and, unlike an update expression, appends to a list).
     */
    public static UpdateExpression attributeUpdates(Map<String, AttributeUpdate> updates) throws ExpressionException {
        List<UpdateAction> actions = new ArrayList<>();
        for (Map.Entry<String, AttributeUpdate> entry : updates.entrySet()) {
            DocumentPath path = new DocumentPath(List.of(entry.getKey()));
            AttributeUpdate update = entry.getValue();
            String action = update.action() == null ? "PUT" : update.action();
            AttributeValue value = update.value();
            switch (action) {
                case "PUT" -> {
                    if (value == null) {
                        throw new ExpressionException(INVALID + "Only DELETE action is allowed when no attribute "
                                + "value is specified");
                    }
                    actions.add(new UpdateAction("SET", path, value(value)));
                }
                case "DELETE" -> {
                    if (value == null) {
                        actions.add(new UpdateAction("REMOVE", path, null));
                    } else if (Set.of("SS", "NS", "BS").contains(value.type())) {
                        actions.add(new UpdateAction("DELETE", path, value(value)));
                    } else {
                        // wording not confirmed against DynamoDB
                        throw new ExpressionException(INVALID + "Action DELETE is not supported for the type "
                                + value.type());
                    }
                }
                case "ADD" -> {
                    if (value == null) {
                        throw new ExpressionException(INVALID + "Only DELETE action is allowed when no attribute "
                                + "value is specified");
                    }
                    if (value instanceof AttributeValue.L) {
                        Operand existingOrEmpty = new FunctionCall("if_not_exists",
                                List.of(new PathOperand(path), value(new AttributeValue.L(List.of()))));
                        actions.add(new UpdateAction("SET", path,
                                new FunctionCall("list_append", List.of(existingOrEmpty, value(value)))));
                    } else if (Set.of("N", "SS", "NS", "BS").contains(value.type())) {
                        actions.add(new UpdateAction("ADD", path, value(value)));
                    } else {
                        // wording not confirmed against DynamoDB
                        throw new ExpressionException(INVALID + "Action ADD is not supported for the type "
                                + value.type());
                    }
                }
                default -> throw new ExpressionException(INVALID + "Unknown action " + action);
            }
        }
        return UpdateExpression.of(actions);
    }

    /**
     * DynamoDB's refusal of a request that gives both kinds: the legacy parameters present (e.g.
     * {@code AttributesToGet}) and the expression parameters present (e.g. {@code ProjectionExpression}), each in
     * the request's order. Does nothing when either set is empty.
     */
    public static void checkNotMixed(Collection<String> legacyGiven, Collection<String> expressionGiven)
            throws ExpressionException {
        if (!legacyGiven.isEmpty() && !expressionGiven.isEmpty()) {
            throw new ExpressionException("Can not use both expression and non-expression parameters in the same "
                    + "request: Non-expression parameters: {" + String.join(", ", legacyGiven)
                    + "} Expression parameters: {" + String.join(", ", expressionGiven) + "}");
        }
    }

    private static Condition combine(List<Condition> conditions, String conditionalOperator)
            throws ExpressionException {
        if (conditions.isEmpty()) {
            return null; // nothing to check
        }
        boolean or = "OR".equals(conditionalOperator);
        if (conditionalOperator != null && !or && !"AND".equals(conditionalOperator)) {
            // the model's enum; wording not confirmed against DynamoDB
            throw new ExpressionException("Invalid ConditionalOperator: " + conditionalOperator);
        }
        Condition combined = conditions.get(0);
        for (int i = 1; i < conditions.size(); i++) {
            combined = or ? new Or(combined, conditions.get(i)) : new And(combined, conditions.get(i));
        }
        return combined;
    }

    /** One legacy {@code ComparisonOperator} on a top-level attribute, as the equivalent expression. */
    static Condition condition(String attribute, LegacyCondition condition) throws ExpressionException {
        checkArguments(condition);
        List<AttributeValue> values = condition.attributeValueList();
        PathOperand path = path(attribute);
        return switch (condition.comparisonOperator()) {
            case "EQ" -> new Comparison("=", path, value(values.get(0)));
            case "NE" -> new Comparison("<>", path, value(values.get(0)));
            case "LT" -> new Comparison("<", path, value(values.get(0)));
            case "LE" -> new Comparison("<=", path, value(values.get(0)));
            case "GT" -> new Comparison(">", path, value(values.get(0)));
            case "GE" -> new Comparison(">=", path, value(values.get(0)));
            case "BETWEEN" -> new Between(path, value(values.get(0)), value(values.get(1)));
            case "IN" -> {
                List<Operand> candidates = new ArrayList<>();
                values.forEach(candidate -> candidates.add(value(candidate)));
                yield new In(path, candidates);
            }
            case "NULL" -> function("attribute_not_exists", attribute);
            case "NOT_NULL" -> function("attribute_exists", attribute);
            case "CONTAINS" -> new FunctionCondition(new FunctionCall("contains", List.of(path, value(values.get(0)))));
            case "NOT_CONTAINS" -> new Not(new FunctionCondition(
                    new FunctionCall("contains", List.of(path, value(values.get(0))))));
            case "BEGINS_WITH" -> new FunctionCondition(
                    new FunctionCall("begins_with", List.of(path, value(values.get(0)))));
            // the model's enum; wording not confirmed against DynamoDB
            default -> throw new ExpressionException("Invalid ComparisonOperator: " + condition.comparisonOperator());
        };
    }

    /** The number and types of values each operator takes. */
    private static void checkArguments(LegacyCondition condition) throws ExpressionException {
        String operator = condition.comparisonOperator();
        List<AttributeValue> values = condition.attributeValueList();
        int expected = switch (operator) {
            case "EQ", "NE", "LT", "LE", "GT", "GE", "CONTAINS", "NOT_CONTAINS", "BEGINS_WITH" -> 1;
            case "NULL", "NOT_NULL" -> 0;
            case "BETWEEN" -> 2;
            case "IN" -> -1;
            // the model's enum; wording not confirmed against DynamoDB
            default -> throw new ExpressionException("Invalid ComparisonOperator: " + operator);
        };
        if (expected >= 0 ? values.size() != expected : values.isEmpty()) {
            throw new ExpressionException(INVALID + "Invalid number of argument(s) for the " + operator
                    + " ComparisonOperator");
        }
        for (AttributeValue value : values) {
            boolean allowed = switch (operator) {
                case "EQ", "NE" -> true;
                case "CONTAINS", "NOT_CONTAINS", "IN", "LT", "LE", "GT", "GE", "BETWEEN" ->
                        SCALARS.contains(value.type());
                case "BEGINS_WITH" -> value.type().equals("S") || value.type().equals("B");
                default -> true;
            };
            if (!allowed) {
                throw new ExpressionException(INVALID + "ComparisonOperator " + operator + " is not valid for "
                        + value.type() + " AttributeValue type");
            }
        }
        for (AttributeValue value : values) {
            if (!value.type().equals(values.get(0).type())) {
                throw new ExpressionException(INVALID + "AttributeValues inside AttributeValueList must be of same type");
            }
        }
        if (operator.equals("BETWEEN") && AttributeOrder.compare(values.get(0), values.get(1)) > 0) {
            throw new ExpressionException("The BETWEEN condition was provided a range where the lower bound is "
                    + "greater than the upper bound");
        }
    }

    private static PathOperand path(String attribute) {
        return new PathOperand(new DocumentPath(List.of(attribute)));
    }

    private static ValueOperand value(AttributeValue value) {
        return new ValueOperand(null, value);
    }

    private static Condition function(String name, String attribute) {
        return new FunctionCondition(new FunctionCall(name, List.of(path(attribute))));
    }
}
