package dev.crossrole.server.dynamodb;

import java.util.Map;
import java.util.Set;

/** A parsed {@code ProjectionExpression}: the document paths to return of each item. */
public final class ProjectionExpression {

    public static ProjectionExpression parse(String text, ExpressionAttributes attributes) throws ExpressionException {
        throw new UnsupportedOperationException("not yet");
    }

    /** The parts of the item the paths name (paths that name nothing are left out); the item is left untouched. */
    public Map<String, AttributeValue> project(Map<String, AttributeValue> item) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The top-level attribute names the paths start with. */
    public Set<String> topLevelAttributes() {
        throw new UnsupportedOperationException("not yet");
    }
}
