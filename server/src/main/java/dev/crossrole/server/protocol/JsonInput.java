package dev.crossrole.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.ShapeModel;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON request body (awsJson 1.0/1.1, rest-json) into an {@link Input} by the operation's input shape.
 * Members the shape does not name are ignored; a value of the wrong JSON type is AWS's
 * {@code SerializationException} ("STRING_VALUE can not be converted to an Integer"). {@code null} is absent.
 */
public final class JsonInput {
    private JsonInput() {}

    /** The input of a body; an empty body is an empty structure. */
    public static Input read(ShapeModel shape, byte[] body) {
        JsonNode root;
        if (body == null || body.length == 0) {
            return Input.empty(shape);
        }
        try {
            root = JsonCodec.MAPPER.readTree(body);
        } catch (IOException e) {
            throw serialization("Unable to parse the request body as JSON.");
        }
        if (root == null || root.isMissingNode()) {
            return Input.empty(shape);
        }
        return read(shape, root);
    }

    public static Input read(ShapeModel shape, JsonNode root) {
        if (!root.isObject()) {
            throw serialization(found(root) + " can not be converted to a structure");
        }
        return structure(shape, root);
    }

    private static Input structure(ShapeModel shape, JsonNode node) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (MemberModel member : shape.members().values()) {
            JsonNode value = node.get(member.wireName());
            if (value != null && !value.isNull()) {
                values.put(member.name(), value(member.shape(), value));
            }
        }
        return new Input(shape, values);
    }

    private static Object value(ShapeModel shape, JsonNode node) {
        switch (shape.type()) {
            case STRUCTURE -> {
                if (!node.isObject()) {
                    throw node.isArray() ? serialization("Start of list found where not expected")
                            : serialization(found(node) + " can not be converted to a structure");
                }
                return structure(shape, node);
            }
            case LIST -> {
                if (!node.isArray()) {
                    throw serialization(node.isObject() ? "Start of structure or map found where not expected."
                            : found(node) + " can not be converted to a list");
                }
                List<Object> items = new ArrayList<>();
                for (JsonNode item : node) {
                    items.add(item.isNull() ? null : value(shape.member().shape(), item));
                }
                return items;
            }
            case MAP -> {
                if (!node.isObject()) {
                    throw serialization(node.isArray() ? "Start of list found where not expected."
                            : found(node) + " can not be converted to a map");
                }
                Map<String, Object> entries = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    entries.put(entry.getKey(), entry.getValue().isNull() ? null
                            : value(shape.value().shape(), entry.getValue()));
                }
                return entries;
            }
            case STRING -> {
                if (!node.isTextual()) {
                    throw mismatch(node, "a String");
                }
                return node.textValue();
            }
            case INTEGER -> {
                if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                    throw mismatch(node, "an Integer");
                }
                return node.intValue();
            }
            case LONG -> {
                if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                    throw mismatch(node, "a Long");
                }
                return node.longValue();
            }
            case DOUBLE, FLOAT -> {
                if (!node.isNumber()) {
                    throw mismatch(node, "a Double");
                }
                return node.doubleValue();
            }
            case BOOLEAN -> {
                if (!node.isBoolean()) {
                    throw mismatch(node, "a Boolean");
                }
                return node.booleanValue();
            }
            case TIMESTAMP -> {
                if (node.isNumber()) {
                    BigDecimal seconds = node.decimalValue();
                    return Instant.ofEpochMilli(seconds.movePointRight(3).longValue());
                }
                if (node.isTextual()) {
                    try {
                        return QueryInput.timestamp(node.textValue());
                    } catch (RuntimeException e) {
                        throw mismatch(node, "a Date");
                    }
                }
                throw mismatch(node, "a Date");
            }
            case BLOB -> {
                if (!node.isTextual()) {
                    throw mismatch(node, "a ByteBuffer");
                }
                try {
                    return Base64.getDecoder().decode(node.textValue());
                } catch (IllegalArgumentException e) {
                    throw serialization("Base64 encoded value is not valid.");
                }
            }
            default -> {
                return node;
            }
        }
    }

    /** A value of another type than its member's: a structure or list found is named as such, a scalar by its token. */
    private static AwsException mismatch(JsonNode node, String type) {
        if (node.isObject()) {
            return serialization("Start of structure or map found where not expected.");
        }
        if (node.isArray()) {
            return serialization("Start of list found where not expected");
        }
        return serialization(found(node) + " can not be converted to " + type);
    }

    /** The JSON token kind as AWS's messages name it. */
    private static String found(JsonNode node) {
        if (node.isObject()) {
            return "START_OBJECT";
        }
        if (node.isArray()) {
            return "START_ARRAY";
        }
        if (node.isTextual()) {
            return "STRING_VALUE";
        }
        if (node.isBoolean()) {
            return "BOOLEAN_VALUE";
        }
        return "NUMBER_VALUE";
    }

    static AwsException serialization(String message) {
        return new AwsException("SerializationException", 400, message);
    }
}
