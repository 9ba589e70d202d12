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
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** A parsed {@code ConditionExpression} or {@code FilterExpression}, tested against items. */
public final class ConditionExpression {

    private final Condition condition;

    private ConditionExpression(Condition condition) {
        this.condition = condition;
    }

    /**
     * @param kind {@code "ConditionExpression"} or {@code "FilterExpression"}; it appears in messages
     *             ({@code Invalid ConditionExpression: …})
     */
    public static ConditionExpression parse(String text, ExpressionAttributes attributes, String kind)
            throws ExpressionException {
        return new ConditionExpression(ExpressionParser.parseCondition(text, attributes, kind));
    }

    /** Wraps an already built condition (null: nothing to check), for the legacy parameters. */
    static ConditionExpression of(Condition condition) {
        return new ConditionExpression(condition);
    }

    Condition condition() {
        return condition;
    }

    /**
     * The top-level attribute names the condition reads, for the service's rule that a Query's filter may not name
     * key attributes.
     */
    public Set<String> topLevelAttributes() {
        Set<String> names = new LinkedHashSet<>();
        if (condition != null) {
            collect(condition, names);
        }
        return Collections.unmodifiableSet(names);
    }

    private static void collect(Condition condition, Set<String> names) {
        if (condition instanceof And and) {
            collect(and.left(), names);
            collect(and.right(), names);
        } else if (condition instanceof Or or) {
            collect(or.left(), names);
            collect(or.right(), names);
        } else if (condition instanceof Not not) {
            collect(not.inner(), names);
        } else if (condition instanceof Comparison comparison) {
            collect(comparison.left(), names);
            collect(comparison.right(), names);
        } else if (condition instanceof Between between) {
            collect(between.subject(), names);
            collect(between.lower(), names);
            collect(between.upper(), names);
        } else if (condition instanceof In in) {
            collect(in.subject(), names);
            in.candidates().forEach(candidate -> collect(candidate, names));
        } else if (condition instanceof FunctionCondition function) {
            collect(function.call(), names);
        }
    }

    private static void collect(Operand operand, Set<String> names) {
        if (operand instanceof PathOperand path) {
            names.add(path.path().topLevel());
        } else if (operand instanceof FunctionCall call) {
            call.arguments().forEach(argument -> collect(argument, names));
        }
    }

    /**
     * Whether the item satisfies the condition; {@code item} is the stored item, or an empty map when there is none.
     * Missing attributes and comparisons across types evaluate as DynamoDB does: false.
     */
    public boolean test(Map<String, AttributeValue> item) {
        return condition == null || holds(condition, item);
    }

    static boolean holds(Condition condition, Map<String, AttributeValue> item) {
        if (condition instanceof And and) {
            return holds(and.left(), item) && holds(and.right(), item);
        }
        if (condition instanceof Or or) {
            return holds(or.left(), item) || holds(or.right(), item);
        }
        if (condition instanceof Not not) {
            return !holds(not.inner(), item);
        }
        if (condition instanceof Comparison comparison) {
            return compare(comparison.operator(), evaluate(comparison.left(), item),
                    evaluate(comparison.right(), item));
        }
        if (condition instanceof Between between) {
            AttributeValue subject = evaluate(between.subject(), item);
            AttributeValue lower = evaluate(between.lower(), item);
            AttributeValue upper = evaluate(between.upper(), item);
            return ordered(lower, subject) && ordered(subject, upper)
                    && AttributeOrder.compare(lower, subject) <= 0 && AttributeOrder.compare(subject, upper) <= 0;
        }
        if (condition instanceof In in) {
            AttributeValue subject = evaluate(in.subject(), item);
            if (subject == null) {
                return false;
            }
            for (Operand candidate : in.candidates()) {
                if (subject.equals(evaluate(candidate, item))) {
                    return true;
                }
            }
            return false;
        }
        return function(((FunctionCondition) condition).call(), item);
    }

    private static boolean ordered(AttributeValue a, AttributeValue b) {
        return a != null && b != null && AttributeOrder.comparable(a, b);
    }

    /**
     * A comparison; a missing operand makes every comparison false except {@code <>}, which holds when exactly one
     * side is missing (DynamoDB treats a missing attribute as different from any value).
     */
    static boolean compare(String operator, AttributeValue left, AttributeValue right) {
        if (operator.equals("<>")) {
            if (left == null || right == null) {
                return left != right;
            }
            return !left.equals(right);
        }
        if (left == null || right == null) {
            return false;
        }
        if (operator.equals("=")) {
            return left.equals(right);
        }
        if (!AttributeOrder.comparable(left, right)) {
            return false;
        }
        int order = AttributeOrder.compare(left, right);
        return switch (operator) {
            case "<" -> order < 0;
            case "<=" -> order <= 0;
            case ">" -> order > 0;
            default -> order >= 0;
        };
    }

    /** An operand's value in the item, or null when it names nothing (or size of something without one). */
    static AttributeValue evaluate(Operand operand, Map<String, AttributeValue> item) {
        if (operand instanceof ValueOperand value) {
            return value.value();
        }
        if (operand instanceof PathOperand path) {
            return path.path().resolve(item);
        }
        if (operand instanceof FunctionCall call && call.name().equals("size")) {
            AttributeValue subject = evaluate(call.arguments().get(0), item);
            Integer size = size(subject);
            return size == null ? null : new AttributeValue.N(BigDecimal.valueOf(size));
        }
        return null;
    }

    /**
     * DynamoDB's size: string length in UTF-8 bytes (how DynamoDB measures strings everywhere), binary length, and
     * the number of elements of sets, lists and maps; numbers, booleans and nulls have none.
     */
    static Integer size(AttributeValue value) {
        if (value instanceof AttributeValue.S s) {
            return s.value().getBytes(StandardCharsets.UTF_8).length;
        }
        if (value instanceof AttributeValue.B b) {
            return b.value().length();
        }
        if (value instanceof AttributeValue.SS set) {
            return set.value().size();
        }
        if (value instanceof AttributeValue.NS set) {
            return set.value().size();
        }
        if (value instanceof AttributeValue.BS set) {
            return set.value().size();
        }
        if (value instanceof AttributeValue.L list) {
            return list.value().size();
        }
        if (value instanceof AttributeValue.M map) {
            return map.value().size();
        }
        return null;
    }

    private static boolean function(FunctionCall call, Map<String, AttributeValue> item) {
        switch (call.name()) {
            case "attribute_exists":
                return evaluate(call.arguments().get(0), item) != null;
            case "attribute_not_exists":
                return evaluate(call.arguments().get(0), item) == null;
            case "attribute_type": {
                AttributeValue subject = evaluate(call.arguments().get(0), item);
                AttributeValue type = evaluate(call.arguments().get(1), item);
                return subject != null && type instanceof AttributeValue.S name && subject.type().equals(name.value());
            }
            case "begins_with": {
                AttributeValue subject = evaluate(call.arguments().get(0), item);
                AttributeValue prefix = evaluate(call.arguments().get(1), item);
                if (subject instanceof AttributeValue.S s && prefix instanceof AttributeValue.S p) {
                    return s.value().startsWith(p.value());
                }
                if (subject instanceof AttributeValue.B b && prefix instanceof AttributeValue.B p) {
                    byte[] bytes = b.value().bytes();
                    byte[] start = p.value().bytes();
                    return bytes.length >= start.length
                            && Arrays.equals(bytes, 0, start.length, start, 0, start.length);
                }
                return false;
            }
            case "contains":
                return contains(evaluate(call.arguments().get(0), item), evaluate(call.arguments().get(1), item));
            default:
                return false;
        }
    }

    private static boolean contains(AttributeValue subject, AttributeValue operand) {
        if (subject == null || operand == null) {
            return false;
        }
        if (subject instanceof AttributeValue.S s) {
            return operand instanceof AttributeValue.S part && s.value().contains(part.value());
        }
        if (subject instanceof AttributeValue.B b) {
            return operand instanceof AttributeValue.B part && indexOf(b.value().bytes(), part.value().bytes()) >= 0;
        }
        if (subject instanceof AttributeValue.SS set) {
            return operand instanceof AttributeValue.S member && set.value().contains(member.value());
        }
        if (subject instanceof AttributeValue.NS set) {
            return operand instanceof AttributeValue.N member && set.value().contains(member.value());
        }
        if (subject instanceof AttributeValue.BS set) {
            return operand instanceof AttributeValue.B member && set.value().contains(member.value());
        }
        if (subject instanceof AttributeValue.L list) {
            return list.value().contains(operand);
        }
        return false;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
