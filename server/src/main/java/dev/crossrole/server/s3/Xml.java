package dev.crossrole.server.s3;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** S3's XML: a small writer for the responses not yet written by the model (request bodies are read by it). */
final class Xml {
    static final String NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

    private final StringBuilder out = new StringBuilder(256);

    /** A document: the XML declaration, then what is added. */
    Xml() {
        this("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }

    private Xml(String prolog) {
        out.append(prolog);
    }

    /** Elements to be placed inside a document later. */
    static Xml fragment() {
        return new Xml("");
    }

    Xml open(String name) {
        out.append('<').append(name).append('>');
        return this;
    }

    /** The document element, in S3's namespace. */
    Xml root(String name) {
        out.append('<').append(name).append(" xmlns=\"").append(NAMESPACE).append("\">");
        return this;
    }

    Xml close(String name) {
        out.append("</").append(name).append('>');
        return this;
    }

    Xml element(String name, Object value) {
        if (value == null) {
            return this;
        }
        open(name);
        escape(value instanceof Instant instant ? timestamp(instant) : String.valueOf(value));
        return close(name);
    }

    static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString().replaceFirst("(\\d{2}:\\d{2}:\\d{2})Z$", "$1.000Z");
    }

    private void escape(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                case '\r' -> out.append("&#13;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        out.append("&#").append((int) c).append(';');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
