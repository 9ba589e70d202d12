package dev.crossrole.server.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The awsJson1_1 protocol: {@code X-Amz-Target: Prefix.Operation}, JSON bodies, timestamps as epoch
 * seconds, errors as {@code {"__type": code, "message": text}} with the code also in {@code X-Amzn-ErrorType}.
 */
public final class JsonCodec {
    public static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonCodec() {}

    /** The operation named by an {@code X-Amz-Target} header for the given target prefix, or {@code null}. */
    public static String operation(String target, String prefix) {
        if (target == null || !target.startsWith(prefix + ".")) {
            return null;
        }
        return target.substring(prefix.length() + 1);
    }

    /** Parses a request body; an empty body is {@code {}}. */
    public static ObjectNode parseBody(byte[] body) {
        if (body == null || body.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new AwsException("SerializationException", 400, "Start of structure or map found where not expected.");
            }
            return (ObjectNode) node;
        } catch (java.io.IOException e) {
            throw new AwsException("SerializationException", 400, "Unable to parse the request body as JSON.");
        }
    }

    public static byte[] success(Shape result) {
        ObjectNode node = result == null ? MAPPER.createObjectNode() : toJson(result.members());
        return write(node);
    }

    public static byte[] error(AwsException error) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("__type", error.code());
        node.put("message", error.getMessage() == null ? "" : error.getMessage());
        return write(node);
    }

    private static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode toJson(Map<String, Object> members) {
        ObjectNode node = MAPPER.createObjectNode();
        for (Map.Entry<String, Object> member : members.entrySet()) {
            Object value = member.getValue();
            if (value != null) {
                node.set(member.getKey(), toJsonValue(value));
            }
        }
        return node;
    }

    private static JsonNode toJsonValue(Object value) {
        if (value instanceof Shape shape) {
            return toJson(shape.members());
        } else if (value instanceof List<?> list) {
            ArrayNode array = MAPPER.createArrayNode();
            list.forEach(item -> array.add(toJsonValue(item)));
            return array;
        } else if (value instanceof Map<?, ?> map) {
            ObjectNode node = MAPPER.createObjectNode();
            map.forEach((k, v) -> node.set(String.valueOf(k), toJsonValue(v)));
            return node;
        } else if (value instanceof Instant instant) {
            return MAPPER.getNodeFactory().numberNode(BigDecimal.valueOf(instant.toEpochMilli(), 3));
        } else if (value instanceof Integer i) {
            return MAPPER.getNodeFactory().numberNode(i);
        } else if (value instanceof Long l) {
            return MAPPER.getNodeFactory().numberNode(l);
        } else if (value instanceof Boolean b) {
            return MAPPER.getNodeFactory().booleanNode(b);
        } else if (value instanceof JsonNode json) {
            return json;
        }
        return MAPPER.getNodeFactory().textNode(String.valueOf(value));
    }
}
