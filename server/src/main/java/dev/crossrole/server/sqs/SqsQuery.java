package dev.crossrole.server.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ShapeModel;
import dev.crossrole.server.protocol.QueryParams;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.ServiceProvider;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * SQS's Query protocol (older clients, XML answers), on the JSON model crossrole carries: a Query request is read into
 * the JSON body the same call would have, and the output written in SQS's XML. The JSON model has lost the Query
 * names SQS's older model gave its members ({@code Attribute.1.Name}, {@code MessageAttribute.1.Value.StringValue},
 * {@code SendMessageBatchRequestEntry.1.Id}); they are kept here. Lists and maps are flattened, a map's entries are
 * {@code Name}/{@code Value} ({@code Key}/{@code Value} for tags).
 */
final class SqsQuery implements ServiceProvider.QueryCompatibility {
    static final String NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The Query name of a JSON member, where they differ. */
    private static final Map<String, String> NAMES = Map.ofEntries(Map.entry("Attributes", "Attribute"),
            Map.entry("AttributeNames", "AttributeName"), Map.entry("MessageAttributes", "MessageAttribute"),
            Map.entry("MessageAttributeNames", "MessageAttributeName"),
            Map.entry("MessageSystemAttributeNames", "MessageSystemAttributeName"),
            Map.entry("MessageSystemAttributes", "MessageSystemAttribute"), Map.entry("tags", "Tag"),
            Map.entry("Tags", "Tag"), Map.entry("TagKeys", "TagKey"), Map.entry("AWSAccountIds", "AWSAccountId"),
            Map.entry("Actions", "ActionName"), Map.entry("StringListValues", "StringListValue"),
            Map.entry("BinaryListValues", "BinaryListValue"), Map.entry("Messages", "Message"),
            Map.entry("QueueUrls", "QueueUrl"), Map.entry("queueUrls", "QueueUrl"),
            Map.entry("Failed", "BatchResultErrorEntry"));

    @Override
    public String namespace() {
        return NAMESPACE;
    }

    private static String name(String member, OperationModel operation, boolean output) {
        if (member.equals("Entries")) {
            return operation.name() + "RequestEntry";
        }
        if (member.equals("Successful")) {
            return operation.name() + "ResultEntry";
        }
        return NAMES.getOrDefault(member, member);
    }

    // ---- requests --------------------------------------------------------------------------------------

    @Override
    public byte[] input(OperationModel operation, QueryParams params) {
        JsonNode body = operation.input() == null ? NODES.objectNode()
                : structure(operation.input(), "", params, operation);
        try {
            return JSON.writeValueAsBytes(body == null ? NODES.objectNode() : body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode structure(ShapeModel shape, String prefix, QueryParams params, OperationModel op) {
        ObjectNode node = NODES.objectNode();
        for (MemberModel member : shape.members().values()) {
            JsonNode value = value(member.shape(), prefix + name(member.name(), op, false), member.name(), params, op);
            if (value != null) {
                node.set(member.name(), value);
            }
        }
        return node;
    }

    private static JsonNode value(ShapeModel shape, String key, String member, QueryParams params,
                                  OperationModel op) {
        switch (shape.type()) {
            case STRUCTURE -> {
                return params.hasPrefix(key + ".") ? structure(shape, key + ".", params, op) : null;
            }
            case LIST -> {
                if (!params.has(key + ".1") && !params.hasPrefix(key + ".1.")) {
                    return null;
                }
                ArrayNode list = NODES.arrayNode();
                for (int i = 1; params.has(key + "." + i) || params.hasPrefix(key + "." + i + "."); i++) {
                    list.add(value(shape.member().shape(), key + "." + i, member, params, op));
                }
                return list;
            }
            case MAP -> {
                if (!params.hasPrefix(key + ".1.")) {
                    return null;
                }
                boolean tags = member.equalsIgnoreCase("tags");
                ObjectNode map = NODES.objectNode();
                for (int i = 1; params.hasPrefix(key + "." + i + "."); i++) {
                    String entry = key + "." + i + ".";
                    String name = params.get(entry + (tags ? "Key" : "Name"));
                    if (name != null) {
                        map.set(name, value(shape.value().shape(), entry + "Value", member, params, op));
                    }
                }
                return map;
            }
            case INTEGER, LONG -> {
                String text = params.get(key);
                if (text == null) {
                    return null;
                }
                try {
                    return NODES.numberNode(Long.parseLong(text.trim()));
                } catch (NumberFormatException e) {
                    return NODES.textNode(text); // the model's validation reports it
                }
            }
            case BOOLEAN -> {
                String text = params.get(key);
                return text == null ? null : NODES.booleanNode(Boolean.parseBoolean(text));
            }
            default -> {
                String text = params.get(key);
                return text == null ? null : NODES.textNode(text);
            }
        }
    }

    // ---- answers ---------------------------------------------------------------------------------------

    @Override
    public byte[] output(OperationModel operation, Shape result, String requestId) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?><").append(operation.name())
                .append("Response xmlns=\"").append(NAMESPACE).append("\">");
        if (operation.output() != null) {
            xml.append('<').append(operation.name()).append("Result>");
            if (result != null) {
                members(xml, result, operation);
            }
            xml.append("</").append(operation.name()).append("Result>");
        }
        xml.append("<ResponseMetadata><RequestId>").append(requestId).append("</RequestId></ResponseMetadata></")
                .append(operation.name()).append("Response>");
        return xml.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void members(StringBuilder xml, Shape shape, OperationModel op) {
        shape.members().forEach((member, value) -> element(xml, name(member, op, true), member, value, op));
    }

    private static void element(StringBuilder xml, String name, String member, Object value, OperationModel op) {
        if (value == null) {
            return;
        }
        if (value instanceof List<?> list) {
            list.forEach(item -> element(xml, name, member, item, op));
            return;
        }
        if (value instanceof Map<?, ?> map) {
            boolean tags = member.equalsIgnoreCase("tags");
            map.forEach((key, entry) -> {
                xml.append('<').append(name).append('>');
                element(xml, tags ? "Key" : "Name", "", key, op);
                element(xml, "Value", "", entry, op);
                xml.append("</").append(name).append('>');
            });
            return;
        }
        xml.append('<').append(name).append('>');
        if (value instanceof Shape nested) {
            members(xml, nested, op);
        } else if (value instanceof byte[] bytes) {
            xml.append(Base64.getEncoder().encodeToString(bytes));
        } else {
            escape(xml, String.valueOf(value));
        }
        xml.append("</").append(name).append('>');
    }

    private static void escape(StringBuilder xml, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> xml.append("&lt;");
                case '>' -> xml.append("&gt;");
                case '&' -> xml.append("&amp;");
                case '"' -> xml.append("&quot;");
                case '\r' -> xml.append("&#xD;");
                default -> xml.append(c);
            }
        }
    }
}
