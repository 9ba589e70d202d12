package dev.crossrole.server.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A service's output, independent of the wire: members in model order, whose values are strings,
 * numbers, booleans, {@link java.time.Instant}s, lists, maps or nested shapes. Absent members are
 * left out, as AWS leaves them out.
 */
public final class Shape {
    private final Map<String, Object> members = new LinkedHashMap<>();

    public static Shape of() {
        return new Shape();
    }

    /** Adds a member; {@code null} values are skipped. */
    public Shape put(String name, Object value) {
        if (value != null) {
            members.put(name, value);
        }
        return this;
    }

    public Map<String, Object> members() {
        return members;
    }

    public Object get(String name) {
        return members.get(name);
    }
}
