package dev.crossrole.server.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ShapeModel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a REST-JSON response by the operation's output shape: header members, prefix maps and the status code parted
 * as {@link RestXmlOutput#split} parts them, and the body — the payload member (JSON, text, or raw bytes for a blob), or
 * else the body members as one JSON object written by {@link JsonOutput}.
 */
public final class RestJsonOutput {
    private RestJsonOutput() {}

    public static RestXmlOutput.Rendered write(OperationModel operation, Shape output) {
        RestXmlOutput.Split split = RestXmlOutput.split(operation, output);
        if (split == null) {
            return new RestXmlOutput.Rendered(operation.responseCode(), new LinkedHashMap<>(), null);
        }
        ShapeModel shape = operation.output();
        int status = split.status();
        Map<String, String> headers = split.headers();
        Shape body = Shape.of();
        split.body().forEach(body::put);
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
