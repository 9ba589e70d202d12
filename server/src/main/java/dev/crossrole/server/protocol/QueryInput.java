package dev.crossrole.server.protocol;

import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.ShapeModel;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads the parameters of an AWS Query request into an {@link Input} by the operation's input shape: a member as
 * {@code Name}, a structure's members as {@code Name.Member}, a list as {@code Name.member.N} (flattened:
 * {@code Name.N}), a map as {@code Name.entry.N.key} / {@code .value}. Parameters the shape does not name are
 * ignored, as AWS ignores them. A value that is not of its member's type is a failure in AWS's words.
 */
public final class QueryInput {
    private final QueryParams params;
    private final List<String> failures = new ArrayList<>();

    private QueryInput(QueryParams params) {
        this.params = params;
    }

    /**
     * The input; {@code failures} receives the values that are not of their type (the caller reports them with
     * the constraint failures, as one {@code ValidationError}).
     */
    public static Input read(ShapeModel shape, QueryParams params, List<String> failures) {
        QueryInput reader = new QueryInput(params);
        Input input = reader.structure(shape, "", "");
        failures.addAll(reader.failures);
        return input;
    }

    private Input structure(ShapeModel shape, String prefix, String path) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (MemberModel member : shape.members().values()) {
            String key = prefix + member.wireName();
            Object value = value(member, key, path + member.messageName());
            if (value != null) {
                values.put(member.name(), value);
            }
        }
        return new Input(shape, values);
    }

    private Object value(MemberModel member, String key, String path) {
        ShapeModel shape = member.shape();
        return switch (shape.type()) {
            case STRUCTURE -> params.hasPrefix(key + ".") ? structure(shape, key + ".", path + ".") : null;
            case LIST -> list(member, key, path);
            case MAP -> map(member, key, path);
            default -> scalar(shape, params.get(key), path);
        };
    }

    private List<Object> list(MemberModel member, String key, String path) {
        ShapeModel shape = member.shape();
        String itemPrefix = member.flattened() ? key + "." : key + "." + shape.member().wireName() + ".";
        TreeSet<Integer> indexes = params.indexes(itemPrefix);
        if (indexes.isEmpty()) {
            // "Name=" alone is how a Query client sends an empty list.
            String bare = params.get(key);
            return bare != null && bare.isEmpty() ? new ArrayList<>() : null;
        }
        List<Object> items = new ArrayList<>();
        for (int index : indexes) {
            String itemKey = itemPrefix + index;
            Object item = itemValue(shape.member(), itemKey, path + "." + index + ".member");
            if (item != null) {
                items.add(item);
            }
        }
        return items;
    }

    private Object itemValue(MemberModel item, String key, String path) {
        ShapeModel shape = item.shape();
        return switch (shape.type()) {
            case STRUCTURE -> structure(shape, key + ".", path + ".");
            case LIST -> list(item, key, path);
            case MAP -> map(item, key, path);
            default -> scalar(shape, params.get(key), path);
        };
    }

    private Map<String, Object> map(MemberModel member, String key, String path) {
        ShapeModel shape = member.shape();
        String entryPrefix = member.flattened() ? key + "." : key + ".entry.";
        TreeSet<Integer> indexes = params.indexes(entryPrefix);
        if (indexes.isEmpty()) {
            return null;
        }
        Map<String, Object> entries = new LinkedHashMap<>();
        for (int index : indexes) {
            String entry = entryPrefix + index + ".";
            String mapKey = params.get(entry + shape.key().wireName());
            if (mapKey == null) {
                continue;
            }
            entries.put(mapKey, itemValue(shape.value(), entry + shape.value().wireName(), path + "." + mapKey + ".value"));
        }
        return entries;
    }

    private Object scalar(ShapeModel shape, String text, String path) {
        if (text == null) {
            return null;
        }
        try {
            return ScalarText.read(shape, text, QueryInput::timestamp);
        } catch (NumberFormatException e) {
            failures.add("Value '" + text + "' at '" + path + "' failed to satisfy constraint: Member must be a number");
        } catch (IllegalArgumentException | DateTimeParseException e) {
            failures.add("Value '" + text + "' at '" + path + "' failed to satisfy constraint: Member must be a "
                    + shape.type().name().toLowerCase(java.util.Locale.ROOT));
        }
        return null;
    }

    /** ISO 8601 as Query clients send it, or epoch seconds. */
    static Instant timestamp(String text) {
        String trimmed = text.trim();
        if (!trimmed.isEmpty() && trimmed.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
            return Instant.ofEpochMilli(Math.round(Double.parseDouble(trimmed) * 1000));
        }
        return java.time.OffsetDateTime.parse(trimmed, java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                .toInstant();
    }
}
