package dev.crossrole.server.dynamodb;

import java.util.Map;
import java.util.Set;

/** A parsed {@code UpdateExpression}: SET, REMOVE, ADD and DELETE clauses applied to an item. */
public final class UpdateExpression {

    public static UpdateExpression parse(String text, ExpressionAttributes attributes) throws ExpressionException {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * The item after the update; the given item (empty map when there is none) is left untouched. Runtime errors are
     * worded as DynamoDB words them, e.g. {@code The provided expression refers to an attribute that does not exist in
     * the item} or {@code An operand in the update expression has an incorrect data type}.
     */
    public Map<String, AttributeValue> apply(Map<String, AttributeValue> item) throws ExpressionException {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * The top-level attribute names the expression sets, removes, adds to or deletes from, for the service's
     * {@code Cannot update attribute pk. This attribute is part of the key} check.
     */
    public Set<String> topLevelAttributes() {
        throw new UnsupportedOperationException("not yet");
    }
}
