package dev.crossrole.server.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/** S3's XML: a small writer for responses and a hardened reader (no DTDs, no entities) for request bodies. */
final class Xml {
    static final String NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
    static final int MAX_REQUEST_XML = 1024 * 1024;

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

    // ---- reading ------------------------------------------------------------------------------

    /** Parses a request body of at most 1 MiB; anything that is not well-formed XML is S3's MalformedXML. */
    static Element parse(InputStream body) {
        try {
            byte[] bytes = body.readNBytes(MAX_REQUEST_XML + 1);
            if (bytes.length > MAX_REQUEST_XML) {
                throw S3Exception.malformedXml();
            }
            return parse(bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Element parse(byte[] bytes) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            Document document = builder.parse(new ByteArrayInputStream(bytes));
            return document.getDocumentElement();
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw S3Exception.malformedXml();
        }
    }

    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && name.equals(element.getLocalName())) {
                out.add(element);
            }
        }
        return out;
    }

    static String childText(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0).getTextContent();
    }
}
