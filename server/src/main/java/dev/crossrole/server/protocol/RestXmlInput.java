package dev.crossrole.server.protocol;

import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.ShapeModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Reads a REST-XML request (S3) into an {@link Input} by the operation's input shape: URI labels, query
 * parameters, headers (a prefix map for {@code x-amz-meta-*}), and the payload member — an XML document read by its
 * shape (lists wrapped or flattened, maps as entries, attributes), or, for a blob payload, the raw bytes unless it
 * streams (a streaming body is the operation's to read, after authorization). Values that are not of their type are
 * reported in {@code failures} for the caller to answer as its service does.
 */
public final class RestXmlInput {
    /** The most XML body read into memory; a larger one is refused as malformed, as S3 refuses it. */
    public static final int MAX_XML_BODY = 1024 * 1024;

    private final List<String> failures;

    private RestXmlInput(List<String> failures) {
        this.failures = failures;
    }

    /**
     * What a REST request carries besides its body.
     *
     * @param labels the URI labels by name ({@code Bucket}, {@code Key})
     * @param query decoded query parameters, the first value of a name (a name without value maps to {@code ""})
     * @param headers the headers, in order
     * @param queryValues every value of each query parameter, in order (a list member bound to the query string is
     *     the parameter repeated)
     */
    public record Parts(Map<String, String> labels, Map<String, String> query, List<Map.Entry<String, String>> headers,
                        Map<String, List<String>> queryValues) {
        /** Parts whose query parameters each came once. */
        public Parts(Map<String, String> labels, Map<String, String> query, List<Map.Entry<String, String>> headers) {
            this(labels, query, headers, singleValues(query));
        }

        private static Map<String, List<String>> singleValues(Map<String, String> query) {
            Map<String, List<String>> values = new LinkedHashMap<>();
            query.forEach((name, value) -> values.put(name, List.of(value)));
            return values;
        }

        /** Every value of a header, in order. */
        List<String> headerValues(String name) {
            List<String> values = new ArrayList<>();
            for (Map.Entry<String, String> header : headers) {
                if (header.getKey().equalsIgnoreCase(name)) {
                    values.add(header.getValue());
                }
            }
            return values;
        }
    }

    /**
     * The input.
     *
     * @param payload the body when the payload member is not streamed ({@code null} or empty when there is none)
     * @throws AwsException {@code MalformedXML} for a body that is not well-formed XML
     */
    public static Input read(ShapeModel shape, Parts parts, byte[] payload, List<String> failures) {
        RestXmlInput reader = new RestXmlInput(failures);
        Map<String, Object> values = new LinkedHashMap<>();
        for (MemberModel member : shape.members().values()) {
            Object value = reader.member(shape, member, parts, payload);
            if (value != null) {
                values.put(member.name(), value);
            }
        }
        return new Input(shape, values);
    }

    private Object member(ShapeModel input, MemberModel member, Parts parts, byte[] payload) {
        String location = member.location();
        if (location == null) {
            if (!member.name().equals(input.payload())) {
                return null; // S3's inputs carry their body as one payload member
            }
            ShapeModel shape = member.shape();
            if (shape.type() == ShapeModel.Type.BLOB) {
                return member.streaming() || payload == null ? null : payload;
            }
            if (shape.type() == ShapeModel.Type.STRING) {
                return payload == null ? null : new String(payload, StandardCharsets.UTF_8);
            }
            if (payload == null || payload.length == 0 || new String(payload, StandardCharsets.UTF_8).isBlank()) {
                return null;
            }
            Element root = parse(payload);
            String expected = member.locationName() != null ? member.locationName()
                    : shape.locationName() != null ? shape.locationName() : shape.name();
            if (!expected.equals(root.getLocalName())) {
                throw malformed();
            }
            return structure(shape, root);
        }
        return bound(member, parts);
    }

    /**
     * A member bound to the request line or headers, read as every REST protocol reads it (REST-JSON too);
     * {@code null} for a body member.
     */
    static Object bound(MemberModel member, Parts parts, List<String> failures) {
        return member.location() == null ? null : new RestXmlInput(failures).bound(member, parts);
    }

    private Object bound(MemberModel member, Parts parts) {
        return switch (member.location()) {
            case "uri" -> text(member.shape(), parts.labels().get(member.wireName()), member.name());
            case "querystring" -> query(member, parts);
            case "header" -> header(member, parts.headerValues(member.wireName()));
            case "headers" -> prefixed(member, parts.headers());
            default -> null;
        };
    }

    private Object query(MemberModel member, Parts parts) {
        ShapeModel shape = member.shape();
        if (shape.type() == ShapeModel.Type.MAP) {
            return new LinkedHashMap<>(parts.query()); // a map bound to the query string takes every parameter
        }
        String value = parts.query().get(member.wireName());
        if (value == null) {
            return null;
        }
        if (shape.type() == ShapeModel.Type.LIST) {
            List<Object> items = new ArrayList<>();
            for (String item : parts.queryValues().getOrDefault(member.wireName(), List.of(value))) {
                items.add(text(shape.member().shape(), item, member.name()));
            }
            return items;
        }
        return text(shape, value, member.name());
    }

    private Object header(MemberModel member, List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        ShapeModel shape = member.shape();
        if (shape.type() == ShapeModel.Type.LIST) {
            // A list comes comma-joined in one header, or as the header repeated (as the SDK for Java sends it).
            List<Object> items = new ArrayList<>();
            for (String value : values) {
                for (String item : value.split(",")) {
                    items.add(text(shape.member().shape(), item.trim(), member.name()));
                }
            }
            return items;
        }
        String value = values.get(0);
        if (member.jsonValue()) {
            try {
                return new String(Base64.getDecoder().decode(value.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                failures.add(member.name() + ": '" + value + "' is not base64");
                return null;
            }
        }
        return text(shape, value.trim(), member.name());
    }

    private static Map<String, String> prefixed(MemberModel member, List<Map.Entry<String, String>> headers) {
        String prefix = member.wireName().toLowerCase(Locale.ROOT);
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith(prefix)) {
                // A header sent twice is one header of both values, comma-joined (RFC 9110, section 5.3).
                values.merge(name.substring(prefix.length()), header.getValue(), (first, next) -> first + "," + next);
            }
        }
        return values.isEmpty() ? null : values;
    }

    // ---- the XML payload -------------------------------------------------------------------

    private Input structure(ShapeModel shape, Element element) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (MemberModel member : shape.members().values()) {
            Object value;
            if (member.xmlAttribute()) {
                String name = member.wireName();
                int colon = name.indexOf(':');
                String attribute = element.getAttributeNS(XSI, colon < 0 ? name : name.substring(colon + 1));
                if (attribute.isEmpty()) {
                    attribute = element.getAttribute(name);
                }
                value = attribute.isEmpty() ? null : text(member.shape(), attribute, member.name());
            } else {
                value = element(member, element);
            }
            if (value != null) {
                values.put(member.name(), value);
            }
        }
        return new Input(shape, values);
    }

    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

    private Object element(MemberModel member, Element parent) {
        ShapeModel shape = member.shape();
        if (shape.type() == ShapeModel.Type.LIST && member.flattened()) {
            List<Element> items = children(parent, member.wireName());
            if (items.isEmpty()) {
                return null;
            }
            List<Object> values = new ArrayList<>();
            for (Element item : items) {
                values.add(value(shape.member(), item));
            }
            return values;
        }
        if (shape.type() == ShapeModel.Type.MAP && member.flattened()) {
            List<Element> entries = children(parent, member.wireName());
            return entries.isEmpty() ? null : entries(shape, entries);
        }
        List<Element> found = children(parent, member.wireName());
        if (found.isEmpty()) {
            return null;
        }
        if (found.size() > 1) {
            throw malformed(); // a member that is not a flattened list appears once
        }
        return value(member, found.get(0));
    }

    private Object value(MemberModel member, Element element) {
        ShapeModel shape = member.shape();
        switch (shape.type()) {
            case STRUCTURE:
                return structure(shape, element);
            case LIST: {
                MemberModel item = shape.member();
                String name = item.locationName() != null ? item.locationName() : "member";
                List<Object> values = new ArrayList<>();
                for (Element child : children(element, name)) {
                    values.add(value(item, child));
                }
                return values;
            }
            case MAP:
                return entries(shape, children(element, "entry"));
            default:
                return text(shape, element.getTextContent(), member.name());
        }
    }

    private Map<String, Object> entries(ShapeModel map, List<Element> entries) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Element entry : entries) {
            List<Element> keys = children(entry, map.key().wireName());
            List<Element> found = children(entry, map.value().wireName());
            if (keys.size() != 1 || found.size() > 1) {
                throw malformed();
            }
            values.put(keys.get(0).getTextContent(), found.isEmpty() ? null : value(map.value(), found.get(0)));
        }
        return values;
    }

    // ---- scalars ---------------------------------------------------------------------------

    private Object text(ShapeModel shape, String text, String member) {
        if (text == null) {
            return null;
        }
        try {
            return ScalarText.read(shape, text, RestXmlInput::timestamp);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            failures.add(member + ": '" + text + "' is not a valid " + shape.type().name().toLowerCase(Locale.ROOT));
            return null;
        }
    }

    /**
     * A timestamp in any of the model's forms, told apart by how it starts: an HTTP date (RFC 1123, a header's
     * default, and the form of some query and body members: {@code ResponseExpires}, {@code LastModifiedTime}), else
     * ISO 8601 or epoch seconds.
     */
    static Instant timestamp(String text) {
        if (!text.isEmpty() && Character.isLetter(text.charAt(0))) {
            return ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        }
        return QueryInput.timestamp(text);
    }

    // ---- XML documents ---------------------------------------------------------------------

    /**
     * A request document, parsed without DTDs or entity expansion (no XXE, no entity bombs). Anything that is not
     * well-formed XML is {@code MalformedXML}, as S3 answers it.
     */
    public static Element parse(byte[] bytes) {
        if (bytes.length > MAX_XML_BODY) {
            throw malformed();
        }
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            return builder.parse(new ByteArrayInputStream(bytes)).getDocumentElement();
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw malformed();
        }
    }

    static AwsException malformed() {
        return new AwsException("MalformedXML", 400, "The XML you provided was not well-formed or did not validate"
                + " against our published schema");
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && name.equals(element.getLocalName())) {
                out.add(element);
            }
        }
        return out;
    }
}
