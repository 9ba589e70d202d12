package dev.crossrole.server.protocol;

import dev.crossrole.server.model.ShapeModel;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Function;

/**
 * A scalar sent as text (a Query parameter, a REST label, query value, header or XML element) read as its shape's
 * type. A value that is not of the type throws {@link IllegalArgumentException} (a {@link NumberFormatException} for
 * numbers) or {@link java.time.format.DateTimeParseException}; each codec words the failure as its protocol does.
 */
final class ScalarText {
    private ScalarText() {}

    /**
     * The value; strings are kept as sent, other types read without surrounding white space.
     *
     * @param timestamps how the protocol reads a timestamp
     */
    static Object read(ShapeModel shape, String text, Function<String, Instant> timestamps) {
        return switch (shape.type()) {
            case STRING -> text;
            case INTEGER -> Integer.valueOf(text.trim());
            case LONG -> Long.valueOf(text.trim());
            case DOUBLE, FLOAT -> Double.valueOf(text.trim());
            case BOOLEAN -> bool(text.trim());
            case TIMESTAMP -> timestamps.apply(text.trim());
            case BLOB -> Base64.getDecoder().decode(text.trim());
            default -> text;
        };
    }

    private static Boolean bool(String text) {
        if (text.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (text.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException(text);
    }
}
