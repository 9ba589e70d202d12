package dev.crossrole.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The condition keys a request carries, looked up case-insensitively. Keys the engine can derive from
 * the request itself (principal ARN, account, type, resource account, time, ...) need not be given;
 * a value given here overrides the derived one.
 */
public final class RequestContext {
    private static final RequestContext EMPTY = new RequestContext(Map.of(), Map.of());

    private final Map<String, ContextValue> byLowerKey;
    private final Map<String, ContextValue> asGiven;

    private RequestContext(Map<String, ContextValue> byLowerKey, Map<String, ContextValue> asGiven) {
        this.byLowerKey = byLowerKey;
        this.asGiven = asGiven;
    }

    public static RequestContext empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The value for a key in its normalised (lower-case) form, or {@code null}. */
    ContextValue getNormalized(String lowerKey) {
        return byLowerKey.get(lowerKey);
    }

    public ContextValue get(String key) {
        return byLowerKey.get(ContextKeys.normalize(key));
    }

    /** The keys and values as they were given, in insertion order. */
    public Map<String, ContextValue> asMap() {
        return Collections.unmodifiableMap(asGiven);
    }

    public Builder toBuilder() {
        Builder builder = new Builder();
        asGiven.forEach(builder::put);
        return builder;
    }

    public static final class Builder {
        private final Map<String, ContextValue> byLowerKey = new java.util.HashMap<>();
        private final Map<String, ContextValue> asGiven = new LinkedHashMap<>();

        public Builder put(String key, ContextValue value) {
            String lower = ContextKeys.normalize(key);
            if (byLowerKey.put(lower, value) != null) {
                asGiven.keySet().removeIf(k -> ContextKeys.normalize(k).equals(lower));
            }
            asGiven.put(key, value);
            return this;
        }

        public Builder single(String key, String value) {
            return put(key, ContextValue.single(value));
        }

        public Builder multi(String key, List<String> values) {
            return put(key, ContextValue.multi(values));
        }

        public RequestContext build() {
            return new RequestContext(Map.copyOf(byLowerKey), new LinkedHashMap<>(asGiven));
        }
    }
}
