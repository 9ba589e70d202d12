package dev.crossrole.server.protocol;

import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.ShapeModel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a REST-JSON request into an {@link Input} by the operation's input shape: members bound to the URI, query
 * and headers as every REST protocol reads them ({@link RestXmlInput#bound}), and the body — the payload member (a
 * JSON structure, a string, or raw bytes for a blob that does not stream), or else the body members as one JSON
 * object read by {@link JsonInput}.
 */
public final class RestJsonInput {
    private RestJsonInput() {}

    /**
     * The input; values of the request line and headers that are not of their type go to {@code failures}, a body of
     * the wrong JSON shape is {@code SerializationException} (as for the JSON protocols).
     *
     * @param body the body when it does not stream ({@code null} or empty when there is none)
     */
    public static Input read(ShapeModel shape, RestXmlInput.Parts parts, byte[] body, List<String> failures) {
        Map<String, Object> values = new LinkedHashMap<>();
        String payload = shape.payload();
        Input fromBody = null;
        if (payload == null && body != null && body.length > 0) {
            fromBody = JsonInput.read(shape, body);
        }
        for (MemberModel member : shape.members().values()) {
            Object value;
            if (member.location() != null) {
                value = RestXmlInput.bound(member, parts, failures);
            } else if (member.name().equals(payload)) {
                value = payload(member, body);
            } else {
                value = fromBody == null ? null : fromBody.get(member.name());
            }
            if (value != null) {
                values.put(member.name(), value);
            }
        }
        return new Input(shape, values);
    }

    private static Object payload(MemberModel member, byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        return switch (member.shape().type()) {
            case BLOB -> member.streaming() ? null : body;
            case STRING -> new String(body, StandardCharsets.UTF_8);
            default -> JsonInput.read(member.shape(), body);
        };
    }
}
