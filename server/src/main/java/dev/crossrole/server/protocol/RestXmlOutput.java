package dev.crossrole.server.protocol;

import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ShapeModel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a REST-XML response (S3) by the operation's output shape: header members as headers (HTTP dates for
 * timestamps, lists comma-joined), a prefix map as one header per entry ({@code x-amz-meta-*}), a status-code member
 * as the status, and the body — the payload member (an XML document, or raw bytes for a blob), or else the body
 * members as one document. Lists are wrapped (items named by the list member's location name) or flattened (one
 * element per item, named by the member), maps are {@code <entry><key/><value/></entry>}, timestamps ISO 8601 with
 * milliseconds. A member the shape does not have fails the call, as in {@link QueryOutput}.
 */
public final class RestXmlOutput {
    /** S3's namespace, the default of its documents. */
    public static final String S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
    /** S3 Control's documents' namespace, which its model gives its inputs only. */
    static final String S3_CONTROL_NAMESPACE = "http://awss3control.amazonaws.com/doc/2018-08-20/";
    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    /** A response as written: status, headers in order, body ({@code null} for none). */
    public record Rendered(int status, Map<String, String> headers, byte[] body) {}

    private final StringBuilder out = new StringBuilder(512);
    private final XmlWriter xml = new XmlWriter(out);
    private final Map<String, List<String>> elementOrder;

    private RestXmlOutput(Map<String, List<String>> elementOrder) {
        this.elementOrder = elementOrder;
    }

    /** The response of an operation, its elements in the model's member order. */
    public static Rendered write(OperationModel operation, Shape output, String root) {
        return write(operation, output, root, Map.of());
    }

    /**
     * The response of an operation.
     *
     * @param root the document element of an output whose body members make up the body ({@code
     *     ListAllMyBucketsResult}); the models do not name it. Ignored when the output has a payload member.
     * @param elementOrder by structure shape name, the members whose elements the service writes in another order
     *     than the model's, in its order; they come first, the shape's other members follow in model order. A
     *     service's documents are read by element name, but clients and tests that compare bytes see the order.
     */
    public static Rendered write(OperationModel operation, Shape output, String root,
                                 Map<String, List<String>> elementOrder) {
        Split split = split(operation, output);
        if (split == null) {
            return new Rendered(operation.responseCode(), new LinkedHashMap<>(), null);
        }
        ShapeModel shape = operation.output();
        int status = split.status();
        Map<String, String> headers = split.headers();
        Map<String, Object> body = split.body();
        if (shape.payload() != null) {
            MemberModel payload = shape.member(shape.payload());
            Object value = body.get(payload.name());
            return new Rendered(status, headers, value == null ? null
                    : new RestXmlOutput(elementOrder).payload(payload, value, defaultNamespace(operation)));
        }
        if (operation.name().equals(BUCKET_LOCATION_OPERATION)) {
            return new Rendered(status, headers, bucketLocation(body.get("LocationConstraint")));
        }
        if (body.isEmpty()) {
            return new Rendered(status, headers, null);
        }
        RestXmlOutput writer = new RestXmlOutput(elementOrder);
        writer.prolog();
        writer.open(root, S3_NAMESPACE);
        writer.members(shape, body);
        writer.xml.close(root);
        return new Rendered(status, headers, writer.out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * S3 answers GetBucketLocation with its one member as the text of the document element,
     * {@code <LocationConstraint>eu-west-1</LocationConstraint>} (empty for us-east-1), which the model does not say:
     * the SDKs read it so by hand.
     */
    private static final String BUCKET_LOCATION_OPERATION = "GetBucketLocation";

    private static byte[] bucketLocation(Object location) {
        RestXmlOutput writer = new RestXmlOutput(Map.of());
        writer.prolog();
        writer.open("LocationConstraint", S3_NAMESPACE);
        if (location != null) {
            writer.xml.escape(String.valueOf(location));
        }
        writer.xml.close("LocationConstraint");
        return writer.out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An output parted as every REST protocol parts it: status, headers, and what goes in the body. */
    record Split(int status, Map<String, String> headers, Map<String, Object> body) {}

    /**
     * Header members as headers (HTTP dates for timestamps, lists comma-joined), a prefix map as one header per entry,
     * a status-code member as the status, the rest as the body's members; {@code null} for an operation without
     * output. A member the shape does not have fails the call.
     */
    static Split split(OperationModel operation, Shape output) {
        ShapeModel shape = operation.output();
        if (shape == null || output == null) {
            if (output != null && !output.members().isEmpty()) {
                throw new IllegalStateException(operation + " has no output in its model, but returned "
                        + output.members());
            }
            return null;
        }
        int status = operation.responseCode();
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, Object> body = new LinkedHashMap<>();
        for (Map.Entry<String, Object> given : output.members().entrySet()) {
            MemberModel member = shape.member(given.getKey());
            if (member == null) {
                throw new IllegalStateException("the shape " + shape.name() + " has no member " + given.getKey());
            }
            Object value = given.getValue();
            if (value == null) {
                continue;
            }
            String location = member.location();
            if ("header".equals(location)) {
                headers.put(member.wireName(), headerValue(member, value));
            } else if ("headers".equals(location)) {
                ((Map<?, ?>) value).forEach((k, v) -> headers.put(member.wireName() + k, String.valueOf(v)));
            } else if ("statusCode".equals(location)) {
                status = ((Number) value).intValue();
            } else {
                body.put(member.name(), value);
            }
        }
        return new Split(status, headers, body);
    }

    private static String defaultNamespace(OperationModel operation) {
        return operation.service() != null && "s3control".equals(operation.service().id()) ? S3_CONTROL_NAMESPACE
                : S3_NAMESPACE;
    }

    private byte[] payload(MemberModel member, Object value, String defaultNamespace) {
        ShapeModel shape = member.shape();
        if (shape.type() == ShapeModel.Type.BLOB) {
            return value instanceof byte[] bytes ? bytes : String.valueOf(value).getBytes(StandardCharsets.UTF_8);
        }
        if (shape.type() != ShapeModel.Type.STRUCTURE) {
            return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
        }
        String name = member.locationName() != null ? member.locationName()
                : shape.locationName() != null ? shape.locationName() : shape.name();
        String namespace = member.xmlNamespace() != null ? member.xmlNamespace()
                : shape.xmlNamespace() != null ? shape.xmlNamespace() : defaultNamespace;
        prolog();
        open(name, namespace);
        members(shape, ((Shape) value).members());
        xml.close(name);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void prolog() {
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }

    private void open(String name, String namespace) {
        out.append('<').append(name).append(" xmlns=\"").append(namespace).append("\">");
    }

    private void members(ShapeModel shape, Map<String, Object> given) {
        List<String> first = elementOrder.getOrDefault(shape.name(), List.of());
        for (String name : first) {
            MemberModel member = shape.member(name);
            if (member == null) {
                throw new IllegalStateException("the element order of " + shape.name() + " names no member " + name);
            }
            Object value = given.get(name);
            if (value != null && !member.xmlAttribute()) {
                member(member, value);
            }
        }
        for (MemberModel member : shape.members().values()) {
            Object value = given.get(member.name());
            if (value != null && !member.xmlAttribute() && !first.contains(member.name())) {
                member(member, value);
            }
        }
        for (String name : given.keySet()) {
            if (shape.member(name) == null) {
                throw new IllegalStateException("the shape " + shape.name() + " has no member " + name);
            }
        }
    }

    private void member(MemberModel member, Object value) {
        ShapeModel shape = member.shape();
        String name = member.wireName();
        if (shape.type() == ShapeModel.Type.LIST && member.flattened()) {
            for (Object item : (List<?>) value) {
                element(shape.member(), name, item);
            }
        } else if (shape.type() == ShapeModel.Type.MAP && member.flattened()) {
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                xml.open(name);
                element(shape.key(), shape.key().wireName(), entry.getKey());
                element(shape.value(), shape.value().wireName(), entry.getValue());
                xml.close(name);
            }
        } else {
            element(member, name, value);
        }
    }

    private void element(MemberModel member, String name, Object value) {
        if (value == null) {
            return;
        }
        ShapeModel shape = member.shape();
        switch (shape.type()) {
            case STRUCTURE -> {
                Map<String, Object> members = ((Shape) value).members();
                out.append('<').append(name);
                attributes(shape, members);
                out.append('>');
                members(shape, members);
                xml.close(name);
            }
            case LIST -> {
                MemberModel item = shape.member();
                String itemName = item.locationName() != null ? item.locationName() : "member";
                xml.open(name);
                for (Object element : (List<?>) value) {
                    element(item, itemName, element);
                }
                xml.close(name);
            }
            case MAP -> {
                xml.open(name);
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    xml.open("entry");
                    element(shape.key(), shape.key().wireName(), entry.getKey());
                    element(shape.value(), shape.value().wireName(), entry.getValue());
                    xml.close("entry");
                }
                xml.close(name);
            }
            default -> xml.element(name, text(shape, member.timestampFormat(), value));
        }
    }

    /** Members bound to XML attributes ({@code xsi:type} of a grantee), with their namespace declared. */
    private void attributes(ShapeModel shape, Map<String, Object> members) {
        for (MemberModel member : shape.members().values()) {
            Object value = members.get(member.name());
            if (value == null || !member.xmlAttribute()) {
                continue;
            }
            String name = member.wireName();
            if (name.startsWith("xsi:")) {
                out.append(" xmlns:xsi=\"").append(XSI).append('"');
            }
            out.append(' ').append(name).append("=\"");
            xml.escape(String.valueOf(value));
            out.append('"');
        }
    }

    private static String text(ShapeModel shape, String format, Object value) {
        return switch (shape.type()) {
            case TIMESTAMP -> timestamp((Instant) value, format == null ? "iso8601" : format);
            case BLOB -> value instanceof byte[] bytes ? Base64.getEncoder().encodeToString(bytes) : String.valueOf(value);
            default -> String.valueOf(value);
        };
    }

    static String headerValue(MemberModel member, Object value) {
        ShapeModel shape = member.shape();
        if (shape.type() == ShapeModel.Type.LIST) {
            StringBuilder joined = new StringBuilder();
            for (Object item : (List<?>) value) {
                if (joined.length() > 0) {
                    joined.append(',');
                }
                joined.append(item);
            }
            return joined.toString();
        }
        if (member.jsonValue()) {
            return Base64.getEncoder().encodeToString(String.valueOf(value).getBytes(StandardCharsets.UTF_8));
        }
        if (shape.type() == ShapeModel.Type.TIMESTAMP) {
            String format = member.timestampFormat();
            return timestamp((Instant) value, format == null ? "rfc822" : format);
        }
        return text(shape, null, value);
    }

    static String timestamp(Instant instant, String format) {
        return switch (format) {
            case "rfc822" -> HTTP_DATE.format(instant);
            case "unixTimestamp" -> String.valueOf(instant.getEpochSecond());
            default -> {
                String text = instant.truncatedTo(ChronoUnit.MILLIS).toString();
                yield text.indexOf('.') < 0 ? text.substring(0, text.length() - 1) + ".000Z" : text;
            }
        };
    }
}
