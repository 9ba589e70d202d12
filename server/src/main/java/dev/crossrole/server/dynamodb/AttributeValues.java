package dev.crossrole.server.dynamodb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DynamoDB's {@code AttributeValue} union on the wire: read from a request (with DynamoDB's checks: exactly one type
 * set, sets neither empty nor with duplicates, numbers DynamoDB can store) and written back as JSON, which is also how
 * items are kept in the store.
 */
public final class AttributeValues {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> TYPES = List.of("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL");
    /** The largest magnitude DynamoDB stores: 38 nines times 10^125. */
    private static final BigDecimal LARGEST = new BigDecimal("9.9999999999999999999999999999999999999E+125");
    private static final BigDecimal SMALLEST = new BigDecimal("1E-130");
    /** DynamoDB nests documents at most 32 levels deep. */
    private static final int MAX_DEPTH = 32;

    private AttributeValues() {}

    static AwsException invalid(String message) {
        return new AwsException("ValidationException", 400, message);
    }

    /** An item or key map read from the wire. */
    static Map<String, AttributeValue> item(Map<String, Input> wire) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        if (wire != null) {
            for (Map.Entry<String, Input> attribute : wire.entrySet()) {
                item.put(attribute.getKey(), value(attribute.getValue(), 0));
            }
        }
        return item;
    }

    /** One value read from the wire; {@code null} (a JSON null) is an empty value. */
    public static AttributeValue value(Input wire) {
        return value(wire, 0);
    }

    private static AttributeValue value(Input wire, int depth) {
        if (depth > MAX_DEPTH) {
            throw invalid("Nesting Levels have exceeded supported limits: Nesting Levels exceeded 32");
        }
        if (wire == null || wire.values().isEmpty()) {
            throw invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
        }
        int set = 0;
        for (String type : TYPES) {
            if (wire.has(type)) {
                set++;
            }
        }
        if (set > 1) {
            throw invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the"
                    + " supported datatypes");
        }
        if (wire.has("S")) {
            return new AttributeValue.S(wire.string("S"));
        }
        if (wire.has("N")) {
            return new AttributeValue.N(number(wire.string("N")));
        }
        if (wire.has("B")) {
            return AttributeValue.B.of(wire.blob("B"));
        }
        if (wire.has("BOOL")) {
            return new AttributeValue.Bool(wire.bool("BOOL"));
        }
        if (wire.has("NULL")) {
            if (!wire.bool("NULL")) {
                throw invalid("One or more parameter values were invalid: Null attribute value types must have the"
                        + " value of true");
            }
            return new AttributeValue.Null();
        }
        if (wire.has("SS")) {
            List<String> members = wire.list("SS");
            checkSet(members, "An string set ");
            return new AttributeValue.SS(new LinkedHashSet<>(members));
        }
        if (wire.has("NS")) {
            List<String> members = wire.list("NS");
            checkSet(members, "An number set ");
            LinkedHashSet<BigDecimal> numbers = new LinkedHashSet<>();
            for (String member : members) {
                if (!numbers.add(new AttributeValue.N(number(member)).value())) {
                    throw duplicates(members);
                }
            }
            return new AttributeValue.NS(numbers);
        }
        if (wire.has("BS")) {
            List<byte[]> members = wire.list("BS");
            LinkedHashSet<AttributeValue.Binary> binaries = new LinkedHashSet<>();
            if (members.isEmpty()) {
                throw invalid("One or more parameter values were invalid: Binary sets should not be empty");
            }
            List<String> shown = new ArrayList<>();
            boolean repeated = false;
            for (byte[] member : members) {
                repeated |= !binaries.add(new AttributeValue.Binary(member));
                shown.add(Base64.getEncoder().encodeToString(member));
            }
            if (repeated) {
                throw duplicates(shown);
            }
            return new AttributeValue.BS(binaries);
        }
        if (wire.has("M")) {
            Map<String, Input> members = wire.map("M");
            Map<String, AttributeValue> map = new LinkedHashMap<>();
            for (Map.Entry<String, Input> member : members.entrySet()) {
                map.put(member.getKey(), value(member.getValue(), depth + 1));
            }
            return new AttributeValue.M(map);
        }
        List<Input> elements = wire.list("L");
        List<AttributeValue> list = new ArrayList<>();
        for (Input element : elements) {
            list.add(value(element, depth + 1));
        }
        return new AttributeValue.L(list);
    }

    /** A string or number set's members: some, and no two alike. */
    private static void checkSet(List<String> members, String kind) {
        if (members.isEmpty()) {
            // DynamoDB's wording, its grammar and double space included.
            throw invalid("One or more parameter values were invalid: " + kind + " may not be empty");
        }
        for (String member : members) {
            if (member == null) {
                throw invalid("Supplied AttributeValue is empty, must contain exactly one of the supported"
                        + " datatypes");
            }
        }
        if (new HashSet<>(members).size() != members.size()) {
            throw duplicates(members);
        }
    }

    private static AwsException duplicates(List<String> members) {
        return invalid("One or more parameter values were invalid: Input collection " + members
                + " contains duplicates.");
    }

    /** A number as DynamoDB accepts it: at most 38 significant digits, magnitude from 1E-130 to below 1E+126. */
    static BigDecimal number(String text) {
        BigDecimal number;
        try {
            if (text.isEmpty() || Character.isWhitespace(text.charAt(0))
                    || Character.isWhitespace(text.charAt(text.length() - 1))) {
                throw new NumberFormatException();
            }
            number = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw invalid("The parameter cannot be converted to a numeric value: " + text);
        }
        BigDecimal stripped = number.stripTrailingZeros();
        if (stripped.signum() == 0) {
            return BigDecimal.ZERO;
        }
        if (stripped.precision() > 38) {
            throw invalid("Attempting to store more than 38 significant digits in a Number");
        }
        if (stripped.abs().compareTo(LARGEST) > 0) {
            throw invalid("Number overflow. Attempting to store a number with magnitude larger than supported range");
        }
        if (stripped.abs().compareTo(SMALLEST) < 0) {
            throw invalid("Number underflow. Attempting to store a number with magnitude smaller than supported"
                    + " range");
        }
        return stripped;
    }

    // ---- JSON, for answers and for the store ------------------------------------------------------------

    /** An item as DynamoDB JSON ({@code {"pk": {"S": "a"}}}). */
    public static ObjectNode json(Map<String, AttributeValue> item) {
        ObjectNode node = NODES.objectNode();
        item.forEach((name, value) -> node.set(name, json(value)));
        return node;
    }

    /** An item as an answer's map member: attribute names to their values' JSON. */
    static Map<String, Object> output(Map<String, AttributeValue> item) {
        Map<String, Object> out = new LinkedHashMap<>();
        item.forEach((name, value) -> out.put(name, json(value)));
        return out;
    }

    public static ObjectNode json(AttributeValue value) {
        ObjectNode node = NODES.objectNode();
        if (value instanceof AttributeValue.S s) {
            node.put("S", s.value());
        } else if (value instanceof AttributeValue.N n) {
            node.put("N", n.text());
        } else if (value instanceof AttributeValue.B b) {
            node.put("B", Base64.getEncoder().encodeToString(b.value().bytes()));
        } else if (value instanceof AttributeValue.Bool b) {
            node.put("BOOL", b.value());
        } else if (value instanceof AttributeValue.Null) {
            node.put("NULL", true);
        } else if (value instanceof AttributeValue.SS ss) {
            ArrayNode array = node.putArray("SS");
            ss.value().forEach(array::add);
        } else if (value instanceof AttributeValue.NS ns) {
            ArrayNode array = node.putArray("NS");
            ns.value().forEach(n -> array.add(n.toPlainString()));
        } else if (value instanceof AttributeValue.BS bs) {
            ArrayNode array = node.putArray("BS");
            bs.value().forEach(b -> array.add(Base64.getEncoder().encodeToString(b.bytes())));
        } else if (value instanceof AttributeValue.M m) {
            node.set("M", json(m.value()));
        } else {
            ArrayNode array = node.putArray("L");
            ((AttributeValue.L) value).value().forEach(element -> array.add(json(element)));
        }
        return node;
    }

    /** An item read back from JSON this class wrote (the store's records: trusted, not checked again). */
    public static Map<String, AttributeValue> fromJson(JsonNode item) {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        item.fields().forEachRemaining(e -> out.put(e.getKey(), valueFromJson(e.getValue())));
        return out;
    }

    static AttributeValue valueFromJson(JsonNode node) {
        Map.Entry<String, JsonNode> only = node.fields().next();
        JsonNode v = only.getValue();
        return switch (only.getKey()) {
            case "S" -> new AttributeValue.S(v.asText());
            case "N" -> AttributeValue.N.of(v.asText());
            case "B" -> AttributeValue.B.of(Base64.getDecoder().decode(v.asText()));
            case "BOOL" -> new AttributeValue.Bool(v.asBoolean());
            case "NULL" -> new AttributeValue.Null();
            case "SS" -> {
                Set<String> members = new LinkedHashSet<>();
                v.forEach(m -> members.add(m.asText()));
                yield new AttributeValue.SS(members);
            }
            case "NS" -> {
                Set<BigDecimal> members = new LinkedHashSet<>();
                v.forEach(m -> members.add(new BigDecimal(m.asText())));
                yield new AttributeValue.NS(members);
            }
            case "BS" -> {
                Set<AttributeValue.Binary> members = new LinkedHashSet<>();
                v.forEach(m -> members.add(new AttributeValue.Binary(Base64.getDecoder().decode(m.asText()))));
                yield new AttributeValue.BS(members);
            }
            case "M" -> new AttributeValue.M(fromJson(v));
            case "L" -> {
                List<AttributeValue> elements = new ArrayList<>();
                v.forEach(e -> elements.add(valueFromJson(e)));
                yield new AttributeValue.L(elements);
            }
            default -> throw new IllegalArgumentException("not an attribute value: " + node);
        };
    }

    /** An item's size as DynamoDB counts it toward the 400 KB limit: names' UTF-8 bytes plus values' sizes. */
    static int size(Map<String, AttributeValue> item) {
        int size = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            size += attribute.getKey().getBytes(StandardCharsets.UTF_8).length + attribute.getValue().size();
        }
        return size;
    }
}
