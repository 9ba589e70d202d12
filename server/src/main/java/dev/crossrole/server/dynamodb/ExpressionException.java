package dev.crossrole.server.dynamodb;

/**
 * A malformed expression, or one that cannot be applied to an item. {@link #getMessage()} is DynamoDB's
 * ValidationException message, word for word, so the service answers {@code ValidationException} (HTTP 400) with it.
 */
public final class ExpressionException extends Exception {

    public ExpressionException(String message) {
        super(message, null, false, false);
    }
}
