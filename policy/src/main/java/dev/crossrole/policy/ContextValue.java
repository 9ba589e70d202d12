package dev.crossrole.policy;

import java.util.List;

/**
 * The value of one condition key in a request: single-valued (one string) or multivalued (a set, possibly empty).
 * Whether a key is multivalued is a property of the request, not of how many values a policy lists.
 */
public record ContextValue(List<String> values, boolean multivalued) {

    public ContextValue {
        values = List.copyOf(values);
        if (!multivalued && values.size() != 1) {
            throw new IllegalArgumentException("a single-valued key has exactly one value");
        }
    }

    public static ContextValue single(String value) {
        return new ContextValue(List.of(value), false);
    }

    public static ContextValue multi(List<String> values) {
        return new ContextValue(values, true);
    }

    /** The value of a single-valued key; {@code null} for a multivalued one. */
    public String singleOrNull() {
        return multivalued ? null : values.get(0);
    }

    /** A multivalued key with no values counts as "null" for the {@code Null} operator and set operators. */
    public boolean isEmpty() {
        return values.isEmpty();
    }
}
