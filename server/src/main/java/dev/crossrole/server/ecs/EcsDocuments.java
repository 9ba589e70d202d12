package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.protocol.Input;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Input kept as ECS records it (a task definition's containers and volumes, a task's overrides): the values the
 * codec read by the model, as the JSON document that is stored and answered back. ECS's members are named on the
 * wire as in the model, so the document uses the model's names.
 */
final class EcsDocuments {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private EcsDocuments() {}

    static ObjectNode object(Input input) {
        ObjectNode node = JSON.objectNode();
        input.values().forEach((member, value) -> node.set(member, json(value)));
        return node;
    }

    static ArrayNode array(List<?> items) {
        ArrayNode array = JSON.arrayNode();
        items.forEach(item -> array.add(json(item)));
        return array;
    }

    static JsonNode json(Object value) {
        if (value == null) {
            return JSON.nullNode();
        }
        if (value instanceof Input input) {
            return object(input);
        }
        if (value instanceof JsonNode document) {
            return document.deepCopy(); // a document-typed member, kept as sent
        }
        if (value instanceof List<?> list) {
            return array(list);
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode node = JSON.objectNode();
            map.forEach((key, item) -> node.set(String.valueOf(key), json(item)));
            return node;
        }
        if (value instanceof String text) {
            return JSON.textNode(text);
        }
        if (value instanceof Boolean bool) {
            return JSON.booleanNode(bool);
        }
        if (value instanceof Integer number) {
            return JSON.numberNode(number);
        }
        if (value instanceof Long number) {
            return JSON.numberNode(number);
        }
        if (value instanceof Double number) {
            return JSON.numberNode(number);
        }
        if (value instanceof Instant instant) {
            return JSON.numberNode(BigDecimal.valueOf(instant.toEpochMilli(), 3));
        }
        if (value instanceof byte[] bytes) {
            return JSON.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        throw new IllegalArgumentException("an input value of an unexpected type: " + value.getClass());
    }
}
