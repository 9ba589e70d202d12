package dev.crossrole.server.dynamodb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code ExpressionAttributeNames} and {@code ExpressionAttributeValues} of one request. Every expression of the
 * request is parsed against the same instance, which records which names and values were used, so that
 * {@link #checkAllUsed()} can answer DynamoDB's errors for the ones left over.
 *
 * <p>The maps' own shape (not empty, keys like {@code #name} and {@code :value}) is checked when the first expression
 * is parsed, or by {@link #checkAllUsed()} when there is none, so those errors come before any expression's.
 */
public final class ExpressionAttributes {

    private static final Pattern NAME_KEY = Pattern.compile("#[A-Za-z0-9_]+");
    private static final Pattern VALUE_KEY = Pattern.compile(":[A-Za-z0-9_]+");

    private final Map<String, String> names;
    private final Map<String, AttributeValue> values;
    private final Set<String> usedNames = new HashSet<>();
    private final Set<String> usedValues = new HashSet<>();
    private boolean anyExpression;
    private boolean shapeChecked;

    /**
     * @param names  {@code ExpressionAttributeNames} ({@code #name} → attribute name), null when absent
     * @param values {@code ExpressionAttributeValues} ({@code :value} → value), null when absent
     */
    public ExpressionAttributes(Map<String, String> names, Map<String, AttributeValue> values) {
        this.names = names == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(names));
        this.values = values == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** No names and no values: for requests that carry expressions without placeholders. */
    public static ExpressionAttributes none() {
        return new ExpressionAttributes(null, null);
    }

    /**
     * Called once all of a request's expressions were parsed: DynamoDB's errors for names or values never used
     * ({@code Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}}, the same for values) and
     * for names or values given while the request has no expression at all
     * ({@code ExpressionAttributeNames can only be specified when using expressions}).
     */
    public void checkAllUsed() throws ExpressionException {
        if (!anyExpression) {
            if (names != null) {
                throw new ExpressionException("ExpressionAttributeNames can only be specified when using expressions");
            }
            if (values != null) {
                throw new ExpressionException("ExpressionAttributeValues can only be specified when using expressions");
            }
            return;
        }
        checkShape();
        unused("ExpressionAttributeNames", names == null ? Set.of() : names.keySet(), usedNames);
        unused("ExpressionAttributeValues", values == null ? Set.of() : values.keySet(), usedValues);
    }

    private static void unused(String parameter, Set<String> given, Set<String> used) throws ExpressionException {
        List<String> left = new ArrayList<>();
        for (String key : given) {
            if (!used.contains(key)) {
                left.add(key);
            }
        }
        if (!left.isEmpty()) {
            throw new ExpressionException("Value provided in " + parameter + " unused in expressions: keys: {"
                    + String.join(", ", left) + "}");
        }
    }

    /** Marks the start of parsing one expression; checks the maps' shape the first time. */
    void expressionStarted() throws ExpressionException {
        anyExpression = true;
        checkShape();
    }

    private void checkShape() throws ExpressionException {
        if (shapeChecked) {
            return;
        }
        if (names != null) {
            if (names.isEmpty()) {
                throw new ExpressionException("ExpressionAttributeNames must not be empty");
            }
            for (String key : names.keySet()) {
                if (!NAME_KEY.matcher(key).matches()) {
                    throw new ExpressionException(
                            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + key + "\"");
                }
            }
        }
        if (values != null) {
            if (values.isEmpty()) {
                throw new ExpressionException("ExpressionAttributeValues must not be empty");
            }
            for (String key : values.keySet()) {
                if (!VALUE_KEY.matcher(key).matches()) {
                    throw new ExpressionException(
                            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + key + "\"");
                }
            }
        }
        shapeChecked = true;
    }

    /** The attribute name a {@code #name} placeholder stands for (marking it used), or null when undefined. */
    String name(String placeholder) {
        usedNames.add(placeholder);
        return names == null ? null : names.get(placeholder);
    }

    /** The value a {@code :value} placeholder stands for (marking it used), or null when undefined. */
    AttributeValue value(String placeholder) {
        usedValues.add(placeholder);
        return values == null ? null : values.get(placeholder);
    }
}
