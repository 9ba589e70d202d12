package dev.crossrole.server.protocol;

import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ShapeModel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Writes a Query response by the operation's output shape: members in model order under their wire names, lists
 * as {@code <member>} elements (or the list member's own name; flattened lists without a wrapper), maps as
 * {@code <entry><key/><value/></entry>}, timestamps ISO 8601. A member the shape does not have is a defect of the
 * service that produced it, and fails the call rather than reaching the client.
 */
public final class QueryOutput {
    private final XmlWriter xml;

    private QueryOutput(XmlWriter xml) {
        this.xml = xml;
    }

    /** {@code <OpResponse xmlns><OpResult>…</OpResult><ResponseMetadata>…</OpResponse>}. */
    public static byte[] success(String namespace, OperationModel operation, Shape result, String requestId) {
        XmlWriter xml = QueryCodec.writer();
        String name = operation.name();
        xml.raw("<").raw(name).raw("Response xmlns=\"").raw(namespace).raw("\">\n");
        ShapeModel output = operation.output();
        if (output != null && operation.resultWrapper() != null) {
            xml.open(operation.resultWrapper());
            if (result != null) {
                new QueryOutput(xml).members(output, result);
            }
            xml.close(operation.resultWrapper()).raw("\n");
        } else if (result != null && !result.members().isEmpty()) {
            throw new IllegalStateException(operation + " has no output in its model, but returned " + result.members());
        }
        xml.open("ResponseMetadata").element("RequestId", requestId).close("ResponseMetadata").raw("\n");
        xml.close(name + "Response").raw("\n");
        return xml.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void members(ShapeModel shape, Shape value) {
        Map<String, Object> given = value.members();
        int written = 0;
        for (MemberModel member : shape.members().values()) {
            Object memberValue = given.get(member.name());
            if (memberValue != null) {
                member(member, memberValue);
                written++;
            }
        }
        if (written != given.size()) {
            for (String name : given.keySet()) {
                if (shape.member(name) == null) {
                    throw new IllegalStateException("the shape " + shape.name() + " has no member " + name);
                }
            }
        }
    }

    private void member(MemberModel member, Object value) {
        ShapeModel shape = member.shape();
        String name = member.wireName();
        switch (shape.type()) {
            case LIST -> {
                List<?> list = (List<?>) value;
                MemberModel item = shape.member();
                if (member.flattened()) {
                    for (Object element : list) {
                        item(item, name, element);
                    }
                } else {
                    xml.open(name);
                    for (Object element : list) {
                        item(item, item.locationName() != null ? item.locationName() : "member", element);
                    }
                    xml.close(name);
                }
            }
            case MAP -> {
                Map<?, ?> map = (Map<?, ?>) value;
                if (!member.flattened()) {
                    xml.open(name);
                }
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    xml.open(member.flattened() ? name : "entry");
                    item(shape.key(), shape.key().wireName(), entry.getKey());
                    item(shape.value(), shape.value().wireName(), entry.getValue());
                    xml.close(member.flattened() ? name : "entry");
                }
                if (!member.flattened()) {
                    xml.close(name);
                }
            }
            default -> item(member, name, value);
        }
    }

    private void item(MemberModel item, String name, Object value) {
        if (value == null) {
            return;
        }
        ShapeModel shape = item.shape();
        switch (shape.type()) {
            case STRUCTURE -> {
                xml.open(name);
                members(shape, (Shape) value);
                xml.close(name);
            }
            case LIST, MAP -> {
                xml.open(name);
                MemberModel inner = shape.type() == ShapeModel.Type.LIST ? shape.member() : null;
                if (inner != null) {
                    for (Object element : (List<?>) value) {
                        item(inner, inner.locationName() != null ? inner.locationName() : "member", element);
                    }
                } else {
                    for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                        xml.open("entry");
                        item(shape.key(), shape.key().wireName(), entry.getKey());
                        item(shape.value(), shape.value().wireName(), entry.getValue());
                        xml.close("entry");
                    }
                }
                xml.close(name);
            }
            case TIMESTAMP -> xml.element(name, XmlWriter.timestamp((Instant) value));
            case BLOB -> xml.element(name, value instanceof byte[] bytes ? Base64.getEncoder().encodeToString(bytes)
                    : String.valueOf(value));
            default -> xml.element(name, String.valueOf(value));
        }
    }
}
