package dev.crossrole.server.dynamodb;

import java.util.Map;

/** A parsed {@code ConditionExpression} or {@code FilterExpression}, tested against items. */
public final class ConditionExpression {

    /**
     * @param kind {@code "ConditionExpression"} or {@code "FilterExpression"}; it appears in messages
     *             ({@code Invalid ConditionExpression: …})
     */
    public static ConditionExpression parse(String text, ExpressionAttributes attributes, String kind)
            throws ExpressionException {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Whether the item satisfies the condition; {@code item} is the stored item, or an empty map when there is none.
     * Missing attributes and comparisons across types evaluate as DynamoDB does: false.
     */
    public boolean test(Map<String, AttributeValue> item) {
        throw new UnsupportedOperationException("not yet");
    }
}
