package dev.crossrole.server.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ShapeModel;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Writes a JSON response body by the operation's output shape: members under their wire names, timestamps as epoch
 * seconds (with milliseconds), blobs base64. A member the shape does not have fails the call (a defect of the
 * service), as in {@link QueryOutput}.
 */
public final class JsonOutput {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonOutput() {}

    public static byte[] success(OperationModel operation, Shape result) {
        ShapeModel output = operation.output();
        ObjectNode body;
        if (output == null) {
            if (result != null && !result.members().isEmpty()) {
                throw new IllegalStateException(operation + " has no output in its model, but returned "
                        + result.members());
            }
            body = NODES.objectNode();
        } else {
            body = result == null ? NODES.objectNode() : structure(output, result);
        }
        try {
            return JsonCodec.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode structure(ShapeModel shape, Shape value) {
        ObjectNode node = NODES.objectNode();
        for (Map.Entry<String, Object> given : value.members().entrySet()) {
            MemberModel member = shape.member(given.getKey());
            if (member == null) {
                throw new IllegalStateException("the shape " + shape.name() + " has no member " + given.getKey());
            }
            if (given.getValue() != null) {
                node.set(member.wireName(), value(member.shape(), given.getValue()));
            }
        }
        return node;
    }

    /** Where a JSON document departs from its shape (a member the shape lacks, a value of another kind); else null. */
    static String conforms(ShapeModel shape, JsonNode json, String path) {
        if (json.isNull()) {
            return null;
        }
        switch (shape.type()) {
            case STRUCTURE: {
                if (!json.isObject()) {
                    return path + " is not an object";
                }
                for (java.util.Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    MemberModel member = null;
                    for (MemberModel candidate : shape.members().values()) {
                        if (candidate.wireName().equals(field.getKey())) {
                            member = candidate;
                        }
                    }
                    if (member == null) {
                        return path + "." + field.getKey() + " is no member of " + shape.name();
                    }
                    String wrong = conforms(member.shape(), field.getValue(), path + "." + field.getKey());
                    if (wrong != null) {
                        return wrong;
                    }
                }
                return null;
            }
            case LIST: {
                if (!json.isArray()) {
                    return path + " is not a list";
                }
                for (JsonNode item : json) {
                    String wrong = conforms(shape.member().shape(), item, path + "[]");
                    if (wrong != null) {
                        return wrong;
                    }
                }
                return null;
            }
            case MAP: {
                if (!json.isObject()) {
                    return path + " is not a map";
                }
                for (JsonNode item : json) {
                    String wrong = conforms(shape.value().shape(), item, path + "{}");
                    if (wrong != null) {
                        return wrong;
                    }
                }
                return null;
            }
            case STRING:
                return json.isTextual() ? null : path + " is not a string";
            case BOOLEAN:
                return json.isBoolean() ? null : path + " is not a boolean";
            case INTEGER, LONG, DOUBLE, FLOAT, TIMESTAMP:
                return json.isNumber() ? null : path + " is not a number";
            default:
                return null;
        }
    }

    private static JsonNode value(ShapeModel shape, Object value) {
        switch (shape.type()) {
            case STRUCTURE:
                if (value instanceof JsonNode json) {
                    // A document a service keeps as JSON (ECS's task definitions): written as it is, but its members
                    // must be the shape's, as for a Shape (checked where assertions are on: the tests).
                    assert conforms(shape, json, shape.name()) == null : conforms(shape, json, shape.name());
                    return json;
                }
                return structure(shape, (Shape) value);
            case LIST: {
                ArrayNode array = NODES.arrayNode();
                for (Object item : (List<?>) value) {
                    array.add(item == null ? NODES.nullNode() : value(shape.member().shape(), item));
                }
                return array;
            }
            case MAP: {
                ObjectNode map = NODES.objectNode();
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    map.set(String.valueOf(entry.getKey()), entry.getValue() == null ? NODES.nullNode()
                            : value(shape.value().shape(), entry.getValue()));
                }
                return map;
            }
            case TIMESTAMP:
                return NODES.numberNode(BigDecimal.valueOf(((Instant) value).toEpochMilli(), 3));
            case BLOB:
                return NODES.textNode(value instanceof byte[] bytes ? Base64.getEncoder().encodeToString(bytes)
                        : String.valueOf(value));
            case BOOLEAN:
                return NODES.booleanNode((Boolean) value);
            case INTEGER, LONG:
                return NODES.numberNode(((Number) value).longValue());
            case DOUBLE, FLOAT:
                return NODES.numberNode(((Number) value).doubleValue());
            case DOCUMENT:
                return value instanceof JsonNode json ? json : NODES.pojoNode(value);
            default:
                return NODES.textNode(String.valueOf(value));
        }
    }
}
