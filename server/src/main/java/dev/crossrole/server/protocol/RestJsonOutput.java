package dev.crossrole.server.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ShapeModel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a REST-JSON response by the operation's output shape: header members, prefix maps and the status code as
 * {@link RestXmlOutput} writes them, and the body — the payload member (JSON, text, or raw bytes for a blob), or
 * else the body members as one JSON object written by {@link JsonOutput}.
 */
public final class RestJsonOutput {
    private RestJsonOutput() {}

    public static RestXmlOutput.Rendered write(OperationModel operation, Shape output) {
        ShapeModel shape = operation.output();
        int status = operation.responseCode();
        Map<String, String> headers = new LinkedHashMap<>();
        if (shape == null || output == null) {
            if (output != null && !output.members().isEmpty()) {
                throw new IllegalStateException(operation + " has no output in its model, but returned "
                        + output.members());
            }
            return new RestXmlOutput.Rendered(status, headers, null);
        }
        Shape body = Shape.of();
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
                headers.put(member.wireName(), RestXmlOutput.headerValue(member, value));
            } else if ("headers".equals(location)) {
                ((Map<?, ?>) value).forEach((k, v) -> headers.put(member.wireName() + k, String.valueOf(v)));
            } else if ("statusCode".equals(location)) {
                status = ((Number) value).intValue();
            } else {
                body.put(member.name(), value);
            }
        }
        if (shape.payload() != null) {
            MemberModel payload = shape.member(shape.payload());
            Object value = body.get(payload.name());
            return new RestXmlOutput.Rendered(status, headers, value == null ? null : payload(payload, value));
        }
        return new RestXmlOutput.Rendered(status, headers, json(JsonOutput.structure(shape, body)));
    }

    private static byte[] payload(MemberModel member, Object value) {
        return switch (member.shape().type()) {
            case BLOB -> value instanceof byte[] bytes ? bytes : String.valueOf(value).getBytes(StandardCharsets.UTF_8);
            case STRING -> String.valueOf(value).getBytes(StandardCharsets.UTF_8);
            default -> json(JsonOutput.structure(member.shape(), (Shape) value));
        };
    }

    private static byte[] json(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            return JsonCodec.MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
