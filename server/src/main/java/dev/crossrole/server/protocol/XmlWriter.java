package dev.crossrole.server.protocol;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/** Writes a {@link Shape} tree as AWS Query XML: lists as {@code <member>}, timestamps ISO 8601 in seconds. */
final class XmlWriter {
    private final StringBuilder out;

    XmlWriter() {
        this(new StringBuilder(512));
    }

    /** Writes into {@code out}, from its current end (a builder reused between responses: see QueryCodec). */
    XmlWriter(StringBuilder out) {
        this.out = out;
    }

    XmlWriter raw(String text) {
        out.append(text);
        return this;
    }

    XmlWriter open(String name) {
        out.append('<').append(name).append('>');
        return this;
    }

    XmlWriter close(String name) {
        out.append("</").append(name).append('>');
        return this;
    }

    XmlWriter element(String name, String text) {
        open(name);
        escape(text);
        return close(name);
    }

    void shape(Map<String, Object> members) {
        for (Map.Entry<String, Object> member : members.entrySet()) {
            value(member.getKey(), member.getValue());
        }
    }

    @SuppressWarnings("unchecked")
    private void value(String name, Object value) {
        if (value == null) {
            return;
        }
        if (value instanceof Shape shape) {
            open(name);
            shape(shape.members());
            close(name);
        } else if (value instanceof List<?> list) {
            open(name);
            for (Object item : list) {
                value("member", item);
            }
            close(name);
        } else if (value instanceof Map<?, ?> map) {
            open(name);
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                open("entry");
                element("key", String.valueOf(entry.getKey()));
                value("value", entry.getValue());
                close("entry");
            }
            close(name);
        } else if (value instanceof Instant instant) {
            element(name, timestamp(instant));
        } else {
            element(name, String.valueOf(value));
        }
    }

    static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * Appends text with XML's special characters as entities (and CR as a character reference, which an XML
     * parser would otherwise turn into LF). Runs of ordinary characters, nearly all of any text, are appended
     * whole: a session token or a policy document is hundreds of characters with none to escape.
     */
    void escape(String text) {
        int run = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > '>') {
                continue; // every character to escape is '>' or below
            }
            String entity = entity(c);
            if (entity != null) {
                out.append(text, run, i).append(entity);
                run = i + 1;
            }
        }
        out.append(text, run, text.length());
    }

    private static String entity(char c) {
        return switch (c) {
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '&' -> "&amp;";
            case '"' -> "&quot;";
            case '\'' -> "&apos;";
            case '\r' -> "&#xD;";
            default -> null;
        };
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
