package dev.crossrole.server.saml;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The XML side of SAML: namespaces, a hardened parser, element lookups by namespace, and serialization.
 *
 * <p>The parser refuses a DOCTYPE outright (so no internal or external entity, no entity expansion bomb), loads
 * nothing external, does no XInclude, and drops comments: the signatures SAML uses never cover comments, so a
 * comment inside a signed value ({@code user@example.com<!---->.evil.com}) could otherwise make a reader that
 * stops at the first text node see less than what was signed.
 */
public final class SamlXml {
    public static final String PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
    public static final String ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";
    public static final String METADATA = "urn:oasis:names:tc:SAML:2.0:metadata";
    public static final String DSIG = "http://www.w3.org/2000/09/xmldsig#";
    public static final String XENC = "http://www.w3.org/2001/04/xmlenc#";
    public static final String XENC11 = "http://www.w3.org/2009/xmlenc11#";
    public static final String SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
    public static final String BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
    /** Documents larger than this are not SAML a person would send (STS takes 100,000 base64 characters). */
    static final int MAX_BYTES = 10_000_000;
    static final int MAX_DEPTH = 64;

    private SamlXml() {}

    /** A namespace-aware document parsed without DTDs, entities, external resources or comments. */
    public static Document parse(byte[] xml) throws SamlException {
        if (xml.length > MAX_BYTES) {
            throw new SamlException("the document is larger than " + MAX_BYTES + " bytes");
        }
        try {
            DocumentBuilder builder = factory().newDocumentBuilder();
            builder.setErrorHandler(null);
            builder.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("no external entity is read");
            });
            return builder.parse(new ByteArrayInputStream(xml));
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("this JDK's XML parser cannot be hardened: " + e.getMessage(), e);
        } catch (SAXException | IOException e) {
            throw new SamlException("not well-formed XML: " + e.getMessage(), e);
        }
    }

    private static DocumentBuilderFactory factory() throws ParserConfigurationException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
        factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        // SAML nests a dozen levels; a document nested thousands deep is an attack on whatever walks it.
        factory.setAttribute("jdk.xml.maxElementDepth", String.valueOf(MAX_DEPTH));
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        factory.setIgnoringComments(true);
        factory.setCoalescing(true);
        return factory;
    }

    /** An empty namespace-aware document to build in. */
    public static Document newDocument() {
        try {
            return factory().newDocumentBuilder().newDocument();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The element children of {@code parent} with this namespace and local name, in order. */
    public static List<Element> children(Element parent, String namespace, String localName) {
        List<Element> out = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && is(element, namespace, localName)) {
                out.add(element);
            }
        }
        return out;
    }

    /** The one child of that name, {@code null} when there is none; more than one is an error. */
    public static Element child(Element parent, String namespace, String localName) throws SamlException {
        List<Element> found = children(parent, namespace, localName);
        if (found.size() > 1) {
            throw new SamlException(parent.getLocalName() + " has " + found.size() + " " + localName + " elements");
        }
        return found.isEmpty() ? null : found.get(0);
    }

    /** Every element of that name anywhere in the document, the root included. */
    public static List<Element> all(Document document, String namespace, String localName) {
        List<Element> out = new ArrayList<>();
        var nodes = document.getElementsByTagNameNS(namespace, localName);
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    public static boolean is(Element element, String namespace, String localName) {
        return namespace.equals(element.getNamespaceURI()) && localName.equals(element.getLocalName());
    }

    /** The element's text, every text node below it joined (comments were dropped when parsing), trimmed. */
    public static String text(Element element) {
        return element.getTextContent().trim();
    }

    /** An attribute without namespace, {@code null} when absent. */
    public static String attribute(Element element, String name) {
        return element.hasAttributeNS(null, name) ? element.getAttributeNS(null, name) : null;
    }

    /** An {@code xs:dateTime}; one without a zone is taken as UTC, as SAML requires times to be. */
    public static Instant instant(String text) throws SamlException {
        try {
            return OffsetDateTime.parse(text.trim()).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text.trim()).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException again) {
                throw new SamlException("'" + text + "' is not an xs:dateTime");
            }
        }
    }

    /** The document (or element) as UTF-8 XML, exactly as built: no indentation is added. */
    public static byte[] serialize(Node node) {
        try {
            TransformerFactory factory = TransformerFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
            Transformer transformer = factory.newTransformer();
            transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            transformer.setOutputProperty(OutputKeys.INDENT, "no");
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, node instanceof Document ? "no" : "yes");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            transformer.transform(new DOMSource(node), new StreamResult(out));
            return out.toByteArray();
        } catch (TransformerException e) {
            throw new IllegalStateException("cannot write XML: " + e.getMessage(), e);
        }
    }

    /** Text escaped for an XML attribute value or element content. */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
