package dev.crossrole.server.dynamodb;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Items and values for the expression tests, written in DynamoDB's JSON with single quotes and bare member names:
 * {@code {a: {N: '1'}, tags: {SS: ['x']}}}.
 */
final class ExpressionTestValues {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.ALLOW_SINGLE_QUOTES)
            .enable(JsonParser.Feature.ALLOW_UNQUOTED_FIELD_NAMES);

    private ExpressionTestValues() {
    }

    static Map<String, AttributeValue> item(String json) {
        try {
            return members(JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    static AttributeValue value(String json) {
        try {
            return value(JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private static Map<String, AttributeValue> members(JsonNode node) {
        Map<String, AttributeValue> result = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            result.put(field.getKey(), value(field.getValue()));
        }
        return result;
    }

    private static AttributeValue value(JsonNode node) {
        Map.Entry<String, JsonNode> typed = node.fields().next();
        JsonNode content = typed.getValue();
        return switch (typed.getKey()) {
            case "S" -> new AttributeValue.S(content.asText());
            case "N" -> AttributeValue.N.of(content.asText());
            case "B" -> AttributeValue.B.of(Base64.getDecoder().decode(content.asText()));
            case "BOOL" -> new AttributeValue.Bool(content.asBoolean());
            case "NULL" -> new AttributeValue.Null();
            case "M" -> new AttributeValue.M(members(content));
            case "L" -> {
                List<AttributeValue> elements = new ArrayList<>();
                content.forEach(element -> elements.add(value(element)));
                yield new AttributeValue.L(elements);
            }
            case "SS" -> {
                Set<String> set = new LinkedHashSet<>();
                content.forEach(element -> set.add(element.asText()));
                yield new AttributeValue.SS(set);
            }
            case "NS" -> {
                Set<BigDecimal> set = new LinkedHashSet<>();
                content.forEach(element -> set.add(new BigDecimal(element.asText())));
                yield new AttributeValue.NS(set);
            }
            case "BS" -> {
                Set<AttributeValue.Binary> set = new LinkedHashSet<>();
                content.forEach(element -> set.add(new AttributeValue.Binary(
                        Base64.getDecoder().decode(element.asText()))));
                yield new AttributeValue.BS(set);
            }
            default -> throw new IllegalArgumentException("unknown type " + typed.getKey());
        };
    }
}
