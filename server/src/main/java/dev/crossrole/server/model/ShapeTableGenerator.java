package dev.crossrole.server.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Build step beside {@link OperationTableGenerator}: the shapes of every model, in the compact form
 * {@link ShapeTable} reads (only what the codecs and validation use; documentation is left behind).
 *
 * <p>A shape is one line, {@code name TAB type TAB attribute...}; the members of a structure follow it, each a line
 * starting with a tab: {@code TAB member TAB target TAB attribute...}. Attributes are {@code key=value} or bare flags.
 * Enum values are joined by {@link ShapeTable#ENUM_SEPARATOR}. The build fails when a value it would write holds a
 * tab, a line break or that separator, so the form never needs escaping.
 */
final class ShapeTableGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ShapeTableGenerator() {}

    /** The shape table of every model, by model directory name. */
    static Map<String, String> generate(Path models) throws IOException {
        Map<String, String> tables = new TreeMap<>();
        try (Stream<Path> files = Files.walk(models)) {
            for (Path file : files.filter(f -> f.getFileName().toString().equals("service-2.json")).toList()) {
                String id = models.relativize(file).getName(0).toString();
                tables.put(id, table(JSON.readTree(file.toFile())));
            }
        }
        return tables;
    }

    static String table(JsonNode model) {
        StringBuilder out = new StringBuilder();
        Map<String, JsonNode> shapes = new TreeMap<>();
        model.path("shapes").fields().forEachRemaining(e -> shapes.put(e.getKey(), e.getValue()));
        for (Map.Entry<String, JsonNode> entry : shapes.entrySet()) {
            JsonNode shape = entry.getValue();
            List<String> fields = new ArrayList<>();
            fields.add(entry.getKey());
            fields.add(shape.path("document").asBoolean(false) ? "document" : shape.get("type").asText());
            number(fields, shape, "min");
            number(fields, shape, "max");
            text(fields, shape, "pattern", "pattern");
            if (shape.has("enum")) {
                List<String> values = new ArrayList<>();
                shape.get("enum").forEach(v -> {
                    if (v.asText().indexOf(ShapeTable.ENUM_SEPARATOR) >= 0) {
                        throw new IllegalStateException("an enum value of " + entry.getKey() + " holds the separator");
                    }
                    values.add(v.asText());
                });
                fields.add("enum=" + String.join(String.valueOf(ShapeTable.ENUM_SEPARATOR), values));
            }
            flag(fields, shape, "flattened");
            flag(fields, shape, "streaming");
            flag(fields, shape, "exception");
            flag(fields, shape, "union");
            flag(fields, shape, "sensitive");
            text(fields, shape, "payload", "payload");
            text(fields, shape, "timestampFormat", "timestampFormat");
            text(fields, shape, "locationName", "locationName");
            if (shape.has("xmlNamespace")) {
                fields.add("xmlNamespace=" + shape.get("xmlNamespace").path("uri").asText());
            }
            if (shape.has("error")) {
                JsonNode error = shape.get("error");
                fields.add("errorCode=" + error.path("code").asText(entry.getKey()));
                if (error.has("httpStatusCode")) {
                    fields.add("errorStatus=" + error.get("httpStatusCode").asInt());
                }
                if (error.path("senderFault").asBoolean(false)) {
                    fields.add("senderFault");
                }
            }
            if (shape.path("fault").asBoolean(false)) {
                fields.add("fault");
            }
            for (String part : List.of("member", "key", "value")) {
                JsonNode target = shape.get(part);
                if (target != null) {
                    fields.add(part + "=" + target.get("shape").asText());
                    text(fields, target, "locationName", part + "Name");
                    flag(fields, target, "flattened", part + "Flattened");
                    if (target.has("xmlNamespace")) {
                        fields.add(part + "XmlNamespace=" + target.get("xmlNamespace").path("uri").asText());
                    }
                }
            }
            line(out, fields);
            JsonNode required = shape.path("required");
            shape.path("members").fields().forEachRemaining(member -> {
                List<String> memberFields = new ArrayList<>();
                memberFields.add("");
                memberFields.add(member.getKey());
                JsonNode definition = member.getValue();
                memberFields.add(definition.get("shape").asText());
                for (JsonNode name : required) {
                    if (name.asText().equals(member.getKey())) {
                        memberFields.add("required");
                    }
                }
                text(memberFields, definition, "location", "location");
                text(memberFields, definition, "locationName", "locationName");
                text(memberFields, definition, "queryName", "queryName");
                text(memberFields, definition, "timestampFormat", "timestampFormat");
                flag(memberFields, definition, "flattened");
                flag(memberFields, definition, "xmlAttribute");
                flag(memberFields, definition, "idempotencyToken");
                flag(memberFields, definition, "hostLabel");
                flag(memberFields, definition, "jsonvalue");
                flag(memberFields, definition, "streaming");
                flag(memberFields, definition, "eventpayload");
                if (definition.has("xmlNamespace")) {
                    memberFields.add("xmlNamespace=" + definition.get("xmlNamespace").path("uri").asText());
                    if (definition.get("xmlNamespace").has("prefix")) {
                        memberFields.add("xmlPrefix=" + definition.get("xmlNamespace").get("prefix").asText());
                    }
                }
                line(out, memberFields);
            });
        }
        return out.toString();
    }

    private static void number(List<String> fields, JsonNode shape, String name) {
        if (shape.has(name)) {
            fields.add(name + "=" + shape.get(name).asText());
        }
    }

    private static void text(List<String> fields, JsonNode shape, String name, String as) {
        if (shape.has(name)) {
            fields.add(as + "=" + shape.get(name).asText());
        }
    }

    private static void flag(List<String> fields, JsonNode shape, String name) {
        flag(fields, shape, name, name);
    }

    private static void flag(List<String> fields, JsonNode shape, String name, String as) {
        if (shape.path(name).asBoolean(false)) {
            fields.add(as);
        }
    }

    private static void line(StringBuilder out, List<String> fields) {
        for (String field : fields) {
            for (int i = 0; i < field.length(); i++) {
                char c = field.charAt(i);
                if (c == '\t' || c == '\n' || c == '\r') {
                    throw new IllegalStateException("a model value holds a tab or line break: " + fields);
                }
            }
        }
        out.append(String.join("\t", fields)).append('\n');
    }
}
