package dev.crossrole.server.protocol;

import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.ShapeModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.crossrole.server.model.ValuePattern;

/**
 * Checks an input against its model's constraints ({@code required}, {@code min}, {@code max}, {@code pattern},
 * {@code enum}) and words each failure as AWS does: "Value 'x' at 'roleName' failed to satisfy constraint: Member
 * must satisfy regular expression pattern: [\w+=,.@-]+". Members are named in lower camel case; a list's element as
 * {@code tags.1.member.key}, a map's value as {@code tags.key.value}; a list of scalars once, as a whole. Values of
 * sensitive shapes are not repeated.
 */
public final class InputValidation {
    private InputValidation() {}

    /**
     * A service's own wording for a value its shape's pattern refuses (IAM: "The specified value for roleName is
     * invalid. It must contain only …"), or {@code null} to keep the generic one. A worded failure is reported alone,
     * and only when nothing else failed, as IAM does.
     */
    @FunctionalInterface
    public interface Wording {
        Wording GENERIC = (path, shape) -> null;

        String patternFailure(String path, ShapeModel shape);

        /** Whether the service holds the member to its enum (SQS takes more names than one of its enums lists). */
        default boolean checksEnum(String path, ShapeModel shape) {
            return true;
        }
    }

    /** The failures, in model member order, depth first; empty when the input satisfies its model. */
    public static List<String> failures(Input input) {
        return check(input, Wording.GENERIC).failures();
    }

    /**
     * What a check found: the failures worded generically, in model member order, depth first, and those the service
     * words itself.
     */
    public record Findings(List<String> failures, List<String> worded) {}

    public static Findings check(Input input, Wording wording) {
        Checker checker = new Checker(wording);
        if (input != null) {
            checker.structure(input.shape(), input, "");
        }
        return new Findings(checker.failures, checker.worded);
    }

    /** The message of a {@code ValidationError}/{@code ValidationException}: "1 validation error detected: …". */
    public static String message(List<String> failures) {
        String count = failures.size() == 1 ? "1 validation error detected: "
                : failures.size() + " validation errors detected: ";
        return count + String.join("; ", failures);
    }

    /** One check's findings: the generic failures and those the service words itself. */
    private static final class Checker {
        final Wording wording;
        final List<String> failures = new ArrayList<>();
        final List<String> worded = new ArrayList<>();

        Checker(Wording wording) {
            this.wording = wording;
        }

        void structure(ShapeModel shape, Input input, String prefix) {
            for (MemberModel member : shape.members().values()) {
                String path = prefix.isEmpty() ? member.messageName() : prefix + member.messageName();
                Object value = input.get(member.name());
                if (value == null) {
                    if (member.required()) {
                        failures.add("Value null at '" + path + "' failed to satisfy constraint: Member must not be null");
                    }
                    continue;
                }
                value(member.shape(), value, path);
            }
        }

        void value(ShapeModel shape, Object value, String path) {
            switch (shape.type()) {
                case STRUCTURE -> {
                    if (value instanceof Input nested) {
                        structure(shape, nested, path + ".");
                    }
                }
                case LIST -> {
                    List<?> list = (List<?>) value;
                    size(shape, list.size(), list, path);
                    if (scalar(shape.member().shape())) {
                        elements(shape.member().shape(), list, path);
                        return;
                    }
                    for (int i = 0; i < list.size(); i++) {
                        if (list.get(i) != null) {
                            value(shape.member().shape(), list.get(i), path + "." + (i + 1) + ".member");
                        }
                    }
                }
                case MAP -> {
                    Map<?, ?> map = (Map<?, ?>) value;
                    size(shape, map.size(), map, path);
                    for (Map.Entry<?, ?> entry : map.entrySet()) {
                        value(shape.key().shape(), entry.getKey(), path + "." + entry.getKey() + ".key");
                        if (entry.getValue() != null) {
                            value(shape.value().shape(), entry.getValue(), path + "." + entry.getKey() + ".value");
                        }
                    }
                }
                case STRING -> string(shape, (String) value, path);
                case INTEGER, LONG, DOUBLE, FLOAT -> number(shape, ((Number) value).doubleValue(), value, path);
                case BLOB -> {
                    if (value instanceof byte[] bytes) {
                        size(shape, bytes.length, null, path);
                    }
                }
                default -> { }
            }
        }

        private static final String CONSTRAINT = " failed to satisfy constraint: ";

        static boolean scalar(ShapeModel shape) {
            return shape.type() != ShapeModel.Type.STRUCTURE && shape.type() != ShapeModel.Type.LIST
                    && shape.type() != ShapeModel.Type.MAP;
        }

        /**
         * The elements of a list of scalars, reported as AWS reports them: once for the whole list, with every
         * constraint an element broke ("Value '[Users]' at 'filter' failed to satisfy constraint: Member must satisfy
         * constraint: [Member must satisfy enum value set: [User, Role]]").
         */
        void elements(ShapeModel element, List<?> list, String path) {
            boolean enumChecked = wording.checksEnum(path, element);
            Checker each = new Checker(enumChecked ? Wording.GENERIC : new Wording() {
                @Override
                public String patternFailure(String elementPath, ShapeModel shape) {
                    return null;
                }

                @Override
                public boolean checksEnum(String elementPath, ShapeModel shape) {
                    return false;
                }
            });
            for (Object item : list) {
                if (item != null) {
                    each.value(element, item, path);
                }
            }
            java.util.Set<String> broken = new java.util.LinkedHashSet<>();
            for (String failure : each.failures) {
                broken.add(failure.substring(failure.indexOf(CONSTRAINT) + CONSTRAINT.length()));
            }
            if (!broken.isEmpty()) {
                failures.add("Value '" + list + "' at '" + path + "'" + CONSTRAINT + "Member must satisfy constraint: ["
                        + String.join(", ", broken) + "]");
            }
        }

        void string(ShapeModel shape, String value, String path) {
            // Messages are built only for a value that fails: checking runs for every member of every request.
            int length = value.codePointCount(0, value.length());
            if (shape.min() != null && length < shape.min()) {
                failures.add(shown(shape, value, path) + " failed to satisfy constraint: Member must have length greater than or equal to "
                        + shape.min());
            }
            if (shape.max() != null && length > shape.max()) {
                failures.add(shown(shape, value, path) + " failed to satisfy constraint: Member must have length less"
                        + " than or equal to " + shape.max());
            }
            ValuePattern pattern = shape.pattern();
            if (pattern != null && !pattern.matches(value)) {
                String own = wording.patternFailure(path, shape);
                if (own != null) {
                    worded.add(own);
                } else {
                    failures.add(shown(shape, value, path) + " failed to satisfy constraint: Member must satisfy"
                            + " regular expression pattern: " + shape.patternText());
                }
            }
            if (!shape.allows(value) && wording.checksEnum(path, shape)) {
                failures.add(shown(shape, value, path) + " failed to satisfy constraint: Member must satisfy enum value"
                        + " set: " + shape.enumValues());
            }
        }

        private static String shown(ShapeModel shape, String value, String path) {
            return shape.sensitive() ? "Value at '" + path + "'" : "Value '" + value + "' at '" + path + "'";
        }

        void number(ShapeModel shape, double number, Object value, String path) {
            if (shape.min() != null && number < shape.min()) {
                failures.add("Value '" + value + "' at '" + path + "' failed to satisfy constraint: Member must have value"
                        + " greater than or equal to " + shape.min());
            }
            if (shape.max() != null && number > shape.max()) {
                failures.add("Value '" + value + "' at '" + path + "' failed to satisfy constraint: Member must have value"
                        + " less than or equal to " + shape.max());
            }
        }

        void size(ShapeModel shape, int size, Object shownValue, String path) {
            if (shape.min() != null && size < shape.min()) {
                failures.add(shownSize(shownValue, path) + " failed to satisfy constraint: Member must have length greater than or equal to "
                        + shape.min());
            }
            if (shape.max() != null && size > shape.max()) {
                failures.add(shownSize(shownValue, path) + " failed to satisfy constraint: Member must have length less"
                        + " than or equal to " + shape.max());
            }
        }

        private static String shownSize(Object shownValue, String path) {
            return shownValue == null ? "Value at '" + path + "'" : "Value '" + shownValue + "' at '" + path + "'";
        }
    }
}
