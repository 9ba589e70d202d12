package dev.crossrole.server.protocol;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Appends XML elements and escaped text to a builder (the output writers decide the elements by the models). */
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
            if (c >= 64 || (ESCAPED >>> c & 1) == 0) {
                continue;
            }
            out.append(text, run, i).append(entity(c));
            run = i + 1;
        }
        if (run == 0) {
            out.append(text); // one copy: appending a range goes a character at a time (JDK 17)
        } else {
            out.append(text, run, text.length());
        }
    }

    /**
     * The characters {@link #entity} replaces, as bits of a word: all are below 64, so one shift and mask tells a
     * character (a base64 session token is mostly digits, '+', '/' and '=', which a range test would not pass over).
     */
    private static final long ESCAPED = 1L << '<' | 1L << '>' | 1L << '&' | 1L << '"' | 1L << '\'' | 1L << '\r';

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
