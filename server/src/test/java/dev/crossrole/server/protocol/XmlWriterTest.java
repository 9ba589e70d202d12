package dev.crossrole.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Escaping by runs gives, character for character, what escaping one character at a time gave. */
class XmlWriterTest {
    /** The former escaping, one character at a time: the oracle. */
    private static String oneByOne(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                case '\r' -> out.append("&#xD;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String escaped(String text) {
        XmlWriter xml = new XmlWriter();
        xml.escape(text);
        return xml.toString();
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().withChars("<>&\"'\r\n\tab =?@\u00e9\u20ac").ofMaxLength(40)
                .injectDuplicates(0.1);
    }

    @Property(tries = 2000)
    void runsEscapeAsOneByOneDid(@ForAll("texts") String text) {
        assertEquals(oneByOne(text), escaped(text));
    }

    @Property(tries = 500)
    void anyTextEscapesAsOneByOneDid(@ForAll String text) {
        assertEquals(oneByOne(text), escaped(text));
    }

    @Test
    void examples() {
        assertEquals("", escaped(""));
        assertEquals("plain", escaped("plain"));
        assertEquals("&lt;a href=&quot;x&quot;&gt;it&apos;s &amp; more&#xD;\n&lt;/a&gt;",
                escaped("<a href=\"x\">it's & more\r\n</a>"));
        assertEquals("&amp;&amp;", escaped("&&"));
        assertEquals("end&gt;", escaped("end>"));
    }
}
