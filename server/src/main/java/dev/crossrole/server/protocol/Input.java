package dev.crossrole.server.protocol;

import dev.crossrole.server.model.ShapeModel;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A structure as a codec read it from the wire, whatever the protocol: members by their model names, with values of
 * the member's type ({@code String}, {@code Integer}, {@code Long}, {@code Boolean}, {@code Double}, {@link Instant},
 * {@code byte[]}, {@code List}, {@code Map} with string keys, or a nested {@code Input}). Absent members are absent.
 */
public final class Input {
    private final ShapeModel shape;
    private final Map<String, Object> values;

    public Input(ShapeModel shape, Map<String, Object> values) {
        this.shape = shape;
        this.values = values;
    }

    /** An input with no members (an operation whose model has no input). */
    public static Input empty(ShapeModel shape) {
        return new Input(shape, new LinkedHashMap<>());
    }

    public ShapeModel shape() {
        return shape;
    }

    public boolean has(String member) {
        return values.containsKey(member);
    }

    public Object get(String member) {
        return values.get(member);
    }

    public String string(String member) {
        return (String) values.get(member);
    }

    public Integer integer(String member) {
        Object value = values.get(member);
        return value instanceof Long l ? Integer.valueOf(l.intValue()) : (Integer) value;
    }

    public Long longValue(String member) {
        Object value = values.get(member);
        return value instanceof Integer i ? Long.valueOf(i) : (Long) value;
    }

    public Boolean bool(String member) {
        return (Boolean) values.get(member);
    }

    /** A boolean member, or {@code otherwise} when it is absent. */
    public boolean bool(String member, boolean otherwise) {
        Boolean value = (Boolean) values.get(member);
        return value == null ? otherwise : value;
    }

    public Double doubleValue(String member) {
        Object value = values.get(member);
        return value instanceof Number n ? n.doubleValue() : null;
    }

    public Instant timestamp(String member) {
        return (Instant) values.get(member);
    }

    public byte[] blob(String member) {
        return (byte[]) values.get(member);
    }

    public Input struct(String member) {
        return (Input) values.get(member);
    }

    /** A list member; {@code null} when absent (an empty list sent is an empty list). */
    @SuppressWarnings("unchecked")
    public <T> List<T> list(String member) {
        return (List<T>) values.get(member);
    }

    /** A list member, or an empty list when it is absent. */
    public <T> List<T> listOrEmpty(String member) {
        List<T> list = list(member);
        return list == null ? List.of() : list;
    }

    /** A map member; {@code null} when absent. */
    @SuppressWarnings("unchecked")
    public <T> Map<String, T> map(String member) {
        return (Map<String, T>) values.get(member);
    }

    /** Every member present, by model name, in the order read. */
    public Map<String, Object> values() {
        return Collections.unmodifiableMap(values);
    }

    @Override
    public String toString() {
        return shape.name() + values;
    }
}
