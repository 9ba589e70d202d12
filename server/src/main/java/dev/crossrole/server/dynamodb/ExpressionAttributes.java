package dev.crossrole.server.dynamodb;

import java.util.Map;

/**
 * The {@code ExpressionAttributeNames} and {@code ExpressionAttributeValues} of one request. Every expression of the
 * request is parsed against the same instance, which records which names and values were used, so that
 * {@link #checkAllUsed()} can answer DynamoDB's errors for the ones left over.
 */
public final class ExpressionAttributes {

    /**
     * @param names  {@code ExpressionAttributeNames} ({@code #name} → attribute name), null when absent
     * @param values {@code ExpressionAttributeValues} ({@code :value} → value), null when absent
     */
    public ExpressionAttributes(Map<String, String> names, Map<String, AttributeValue> values) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Called once all of a request's expressions were parsed: DynamoDB's errors for names or values never used
     * ({@code Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}}, the same for values) and
     * for names or values given while the request has no expression at all
     * ({@code ExpressionAttributeNames can only be specified when using expressions}).
     */
    public void checkAllUsed() throws ExpressionException {
        throw new UnsupportedOperationException("not yet");
    }
}
