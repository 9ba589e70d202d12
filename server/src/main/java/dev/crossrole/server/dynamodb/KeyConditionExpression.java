package dev.crossrole.server.dynamodb;

/**
 * A parsed Query {@code KeyConditionExpression}: an equality on the partition key, optionally AND one condition on the
 * sort key ({@code = < <= > >=}, {@code BETWEEN}, {@code begins_with}).
 */
public final class KeyConditionExpression {

    public static KeyConditionExpression parse(String text, ExpressionAttributes attributes)
            throws ExpressionException {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Checks the condition against the queried table's or index's key schema: {@code Query condition missed key
     * schema element: pk}, {@code Query key condition not supported}, values of another type than the key's declared
     * one.
     *
     * @param hashType  the partition key's declared type, {@code S}, {@code N} or {@code B}
     * @param rangeKey  the sort key's name, null when the table or index has none
     * @param rangeType the sort key's declared type, null when there is no sort key
     */
    public void check(String hashKey, String hashType, String rangeKey, String rangeType) throws ExpressionException {
        throw new UnsupportedOperationException("not yet");
    }

    /** The value the partition key must equal. */
    public AttributeValue partitionValue() {
        throw new UnsupportedOperationException("not yet");
    }

    /** Whether a sort-key value satisfies the sort-key condition (true when there is none). */
    public boolean sortKeyMatches(AttributeValue sortValue) {
        throw new UnsupportedOperationException("not yet");
    }
}
