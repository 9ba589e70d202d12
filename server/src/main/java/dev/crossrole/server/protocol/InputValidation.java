package dev.crossrole.server.protocol;

import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.ShapeModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks an input against its model's constraints ({@code required}, {@code min}, {@code max}, {@code pattern},
 * {@code enum}) and words each failure as AWS does: "Value 'x' at 'roleName' failed to satisfy constraint: Member
 * must satisfy regular expression pattern: [\w+=,.@-]+". Members are named in lower camel case; a list's element as
 * {@code tags.1.member.key}, a map's value as {@code tags.key.value}. Values of sensitive shapes are not repeated.
 */
public final class InputValidation {
    private InputValidation() {}

    /** The failures, in model member order, depth first; empty when the input satisfies its model. */
    public static List<String> failures(Input input) {
        List<String> failures = new ArrayList<>();
        if (input != null) {
            structure(input.shape(), input, "", failures);
        }
        return failures;
    }

    /** The message of a {@code ValidationError}/{@code ValidationException}: "1 validation error detected: …". */
    public static String message(List<String> failures) {
        String count = failures.size() == 1 ? "1 validation error detected: "
                : failures.size() + " validation errors detected: ";
        return count + String.join("; ", failures);
    }

    private static void structure(ShapeModel shape, Input input, String prefix, List<String> failures) {
        for (MemberModel member : shape.members().values()) {
            String path = prefix + lowerCamel(member.name());
            Object value = input.get(member.name());
            if (value == null) {
                if (member.required()) {
                    failures.add("Value null at '" + path + "' failed to satisfy constraint: Member must not be null");
                }
                continue;
            }
            value(member.shape(), value, path, failures);
        }
    }

    private static void value(ShapeModel shape, Object value, String path, List<String> failures) {
        switch (shape.type()) {
            case STRUCTURE -> {
                if (value instanceof Input nested) {
                    structure(shape, nested, path + ".", failures);
                }
            }
            case LIST -> {
                List<?> list = (List<?>) value;
                size(shape, list.size(), list, path, failures);
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) != null) {
                        value(shape.member().shape(), list.get(i), path + "." + (i + 1) + ".member", failures);
                    }
                }
            }
            case MAP -> {
                Map<?, ?> map = (Map<?, ?>) value;
                size(shape, map.size(), map, path, failures);
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    value(shape.key().shape(), entry.getKey(), path + "." + entry.getKey() + ".key", failures);
                    if (entry.getValue() != null) {
                        value(shape.value().shape(), entry.getValue(), path + "." + entry.getKey() + ".value", failures);
                    }
                }
            }
            case STRING -> string(shape, (String) value, path, failures);
            case INTEGER, LONG, DOUBLE, FLOAT -> number(shape, ((Number) value).doubleValue(), value, path, failures);
            case BLOB -> {
                if (value instanceof byte[] bytes) {
                    size(shape, bytes.length, null, path, failures);
                }
            }
            default -> { }
        }
    }

    private static void string(ShapeModel shape, String value, String path, List<String> failures) {
        String shown = shape.sensitive() ? "Value at '" + path + "'" : "Value '" + value + "' at '" + path + "'";
        int length = value.codePointCount(0, value.length());
        if (shape.min() != null && length < shape.min()) {
            failures.add(shown + " failed to satisfy constraint: Member must have length greater than or equal to "
                    + shape.min());
        }
        if (shape.max() != null && length > shape.max()) {
            failures.add(shown + " failed to satisfy constraint: Member must have length less than or equal to "
                    + shape.max());
        }
        Pattern pattern = shape.pattern();
        if (pattern != null && !pattern.matcher(value).matches()) {
            failures.add(shown + " failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + shape.patternText());
        }
        if (!shape.allows(value)) {
            failures.add(shown + " failed to satisfy constraint: Member must satisfy enum value set: "
                    + shape.enumValues());
        }
    }

    private static void number(ShapeModel shape, double number, Object value, String path, List<String> failures) {
        if (shape.min() != null && number < shape.min()) {
            failures.add("Value '" + value + "' at '" + path + "' failed to satisfy constraint: Member must have value"
                    + " greater than or equal to " + shape.min());
        }
        if (shape.max() != null && number > shape.max()) {
            failures.add("Value '" + value + "' at '" + path + "' failed to satisfy constraint: Member must have value"
                    + " less than or equal to " + shape.max());
        }
    }

    private static void size(ShapeModel shape, int size, Object shownValue, String path, List<String> failures) {
        String shown = shownValue == null ? "Value at '" + path + "'" : "Value '" + shownValue + "' at '" + path + "'";
        if (shape.min() != null && size < shape.min()) {
            failures.add(shown + " failed to satisfy constraint: Member must have length greater than or equal to "
                    + shape.min());
        }
        if (shape.max() != null && size > shape.max()) {
            failures.add(shown + " failed to satisfy constraint: Member must have length less than or equal to "
                    + shape.max());
        }
    }

    /** {@code RoleName} → {@code roleName}, as AWS names members in its messages. */
    static String lowerCamel(String name) {
        return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }
}
