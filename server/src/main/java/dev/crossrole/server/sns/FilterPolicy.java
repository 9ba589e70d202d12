package dev.crossrole.server.sns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.protocol.AwsException;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SNS's filter policy language: checked as SNS checks a policy when it is set (with SNS's messages), and matched
 * against a message's attributes ({@code MessageAttributes} scope) or its JSON body ({@code MessageBody} scope).
 *
 * <p>A policy is a JSON object: its keys must all match (AND), each key's array of rules needs one match (OR), and a
 * {@code $or} key holds alternative policies. A rule is an exact string, number, {@code true}/{@code false} or
 * {@code null}, or one operator: {@code prefix}, {@code suffix}, {@code equals-ignore-case}, {@code anything-but},
 * {@code numeric}, {@code exists}, {@code cidr}. In the body scope a policy's keys nest as the body's objects do.
 */
final class FilterPolicy {
    static final String ATTRIBUTES = "MessageAttributes";
    static final String BODY = "MessageBody";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** SNS's limits: five keys at the top, 150 combinations of values. */
    private static final int MAX_KEYS = 5;
    private static final int MAX_COMBINATIONS = 150;

    private FilterPolicy() {}

    /** A message attribute as filters see it: its SNS type ({@code String}, {@code Number}, …) and value. */
    record Attribute(String type, String value) {}

    /**
     * Checks a policy, answering SNS's InvalidParameter when it is not one.
     *
     * @param prefix how the message begins: Subscribe's {@code "Invalid parameter: Attributes Reason: "},
     *     SetSubscriptionAttributes' {@code "Invalid parameter: "}
     */
    static JsonNode check(String text, String scope, String prefix) {
        JsonNode policy;
        try {
            policy = JSON.readTree(text);
        } catch (IOException e) {
            policy = null;
        }
        if (policy == null || !policy.isObject()) {
            throw invalid(prefix, "FilterPolicy: failed to parse JSON.");
        }
        if (policy.size() > MAX_KEYS) {
            throw invalid(prefix, "FilterPolicy: Filter policy can not have more than 5 keys");
        }
        List<JsonNode> rules = new ArrayList<>();
        long combinations = collect(policy, 1, 1, scope, prefix, rules);
        if (combinations > MAX_COMBINATIONS) {
            throw invalid(prefix, "FilterPolicy: Filter policy is too complex");
        }
        for (JsonNode list : rules) {
            for (JsonNode rule : list) {
                checkRule(rule, prefix);
            }
        }
        return policy;
    }

    private static AwsException invalid(String prefix, String reason) {
        return new AwsException("InvalidParameter", 400, prefix + reason);
    }

    /** Gathers the rule arrays of a (nested) policy, and counts its combinations as SNS does. */
    private static long collect(JsonNode policy, int depth, long combinations, String scope, String prefix,
                                List<JsonNode> rules) {
        Iterator<Map.Entry<String, JsonNode>> fields = policy.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                if (scope.equals(ATTRIBUTES)) {
                    throw invalid(prefix, "Filter policy scope MessageAttributes does not support nested filter"
                            + " policy");
                }
                combinations = collect(value, depth + 1, combinations, scope, prefix, rules);
            } else if (value.isArray()) {
                if (value.isEmpty()) {
                    throw invalid(prefix, "FilterPolicy: Empty arrays are not allowed");
                }
                if (field.getKey().equals("$or")) {
                    long sum = 0;
                    for (JsonNode alternative : value) {
                        if (!alternative.isObject()) {
                            throw invalid(prefix, "FilterPolicy: \"$or\" must be an object or an array");
                        }
                        sum += collect(alternative, depth, combinations, scope, prefix, rules);
                    }
                    combinations = sum;
                } else {
                    rules.add(value);
                    combinations = combinations * value.size() * depth;
                }
            } else {
                throw invalid(prefix, "FilterPolicy: \"" + field.getKey() + "\" must be an object or an array");
            }
        }
        return combinations;
    }

    private static void checkRule(JsonNode rule, String prefix) {
        if (rule.isTextual() || rule.isNumber() || rule.isBoolean() || rule.isNull()) {
            return;
        }
        if (!rule.isObject()) {
            throw invalid(prefix, "FilterPolicy: Match value must be String, number, true, false, or null");
        }
        if (rule.size() != 1) {
            throw invalid(prefix, "FilterPolicy: Only one key allowed in match expression");
        }
        String operator = rule.fieldNames().next();
        JsonNode value = rule.get(operator);
        switch (operator) {
            case "prefix", "suffix", "equals-ignore-case" -> {
                if (!value.isTextual()) {
                    throw invalid(prefix, "FilterPolicy: " + operator + " match pattern must be a string");
                }
            }
            case "anything-but" -> {
                if (value.isArray()) {
                    for (JsonNode item : value) {
                        if (!item.isTextual() && !item.isNumber()) {
                            throw invalid(prefix, "FilterPolicy: Match value must be String, number, true, false,"
                                    + " or null");
                        }
                    }
                } else if (value.isObject()) {
                    if (value.size() != 1) {
                        throw invalid(prefix, "FilterPolicy: Only one key allowed in match expression");
                    }
                    String inner = value.fieldNames().next();
                    if (!inner.equals("prefix") && !inner.equals("suffix") && !inner.equals("equals-ignore-case")) {
                        throw invalid(prefix, "FilterPolicy: Unsupported anything-but pattern: " + inner);
                    }
                    if (!value.get(inner).isTextual()) {
                        throw invalid(prefix, "FilterPolicy: " + inner + " match pattern must be a string");
                    }
                } else if (!value.isTextual() && !value.isNumber()) {
                    throw invalid(prefix, "FilterPolicy: Match value must be String, number, true, false, or null");
                }
            }
            case "exists" -> {
                if (!value.isBoolean()) {
                    throw invalid(prefix, "FilterPolicy: exists match pattern must be either true or false.");
                }
            }
            case "numeric" -> checkNumeric(value, prefix);
            case "cidr" -> checkCidr(value, prefix);
            default -> throw invalid(prefix, "FilterPolicy: Unrecognized match type " + operator);
        }
    }

    private static void checkNumeric(JsonNode value, String prefix) {
        if (!value.isArray() || value.isEmpty()) {
            throw invalid(prefix, "FilterPolicy: Invalid member in numeric match: ]");
        }
        JsonNode first = value.get(0);
        if (!first.isTextual()) {
            throw invalid(prefix, "FilterPolicy: Invalid member in numeric match: " + first);
        }
        String operator = first.asText();
        if (!List.of("<", "<=", "=", ">", ">=").contains(operator)) {
            throw invalid(prefix, "FilterPolicy: Unrecognized numeric range operator: " + operator);
        }
        if (value.size() < 2 || !value.get(1).isNumber()) {
            throw invalid(prefix, "FilterPolicy: Value of " + (operator.equals("=") ? "equals" : operator)
                    + " must be numeric");
        }
        if (value.size() == 2) {
            return;
        }
        if (!operator.equals(">") && !operator.equals(">=")) {
            throw invalid(prefix, "FilterPolicy: Too many elements in numeric expression");
        }
        JsonNode second = value.get(2);
        if (!second.isTextual()) {
            throw invalid(prefix, "FilterPolicy: Bad value in numeric range: " + second);
        }
        if (!second.asText().equals("<") && !second.asText().equals("<=")) {
            throw invalid(prefix, "FilterPolicy: Bad numeric range operator: " + second.asText());
        }
        if (value.size() < 4 || !value.get(3).isNumber()) {
            throw invalid(prefix, "FilterPolicy: Value of " + second.asText() + " must be numeric");
        }
        if (value.get(3).decimalValue().compareTo(value.get(1).decimalValue()) <= 0) {
            throw invalid(prefix, "FilterPolicy: Bottom must be less than top");
        }
        if (value.size() > 4) {
            throw invalid(prefix, "FilterPolicy: Too many terms in numeric range expression");
        }
    }

    private static void checkCidr(JsonNode value, String prefix) {
        if (!value.isTextual()) {
            throw invalid(prefix, "FilterPolicy: prefix match pattern must be a string");
        }
        String[] parts = value.asText().split("/", -1);
        if (parts.length != 2) {
            throw invalid(prefix, "FilterPolicy: Malformed CIDR, one '/' required");
        }
        if (!parts[1].matches("[0-9]{1,3}")) {
            throw invalid(prefix, "FilterPolicy: Malformed CIDR, mask bits must be an integer");
        }
        byte[] address = literalAddress(parts[0]);
        if (address == null || Integer.parseInt(parts[1]) > address.length * 8) {
            throw invalid(prefix, "FilterPolicy: Nonstandard IP address: " + parts[0]);
        }
    }

    /** The bytes of an IP address written as a literal; {@code null} for anything else (never a name lookup). */
    private static byte[] literalAddress(String text) {
        boolean v4 = text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    // ---- matching ------------------------------------------------------------------------------------------

    /** Whether a message's attributes pass a policy of the MessageAttributes scope. */
    static boolean matchesAttributes(JsonNode policy, Map<String, Attribute> attributes) {
        Iterator<Map.Entry<String, JsonNode>> fields = policy.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equals("$or")) {
                boolean any = false;
                for (JsonNode alternative : field.getValue()) {
                    any |= matchesAttributes(alternative, attributes);
                }
                if (!any) {
                    return false;
                }
                continue;
            }
            Attribute attribute = attributes.get(field.getKey());
            List<JsonNode> values = new ArrayList<>();
            if (attribute != null) {
                if (attribute.type().startsWith("String.Array")) {
                    try {
                        JsonNode array = JSON.readTree(attribute.value());
                        if (array.isArray()) {
                            array.forEach(values::add);
                        } else {
                            values.add(JSON.getNodeFactory().textNode(attribute.value()));
                        }
                    } catch (IOException e) {
                        values.add(JSON.getNodeFactory().textNode(attribute.value()));
                    }
                } else if (attribute.type().startsWith("Number")) {
                    try {
                        values.add(JSON.getNodeFactory().numberNode(new BigDecimal(attribute.value().trim())));
                    } catch (NumberFormatException e) {
                        values.add(JSON.getNodeFactory().textNode(attribute.value()));
                    }
                } else if (attribute.type().startsWith("String")) {
                    values.add(JSON.getNodeFactory().textNode(attribute.value()));
                } else {
                    // A Binary attribute is never compared; it exists, nothing more.
                    values.add(JSON.getNodeFactory().missingNode());
                }
            }
            if (!anyRule(field.getValue(), attribute != null, values)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a message body (JSON) passes a policy of the MessageBody scope; a body that is not JSON passes none. */
    static boolean matchesBody(JsonNode policy, String body) {
        JsonNode document;
        try {
            document = JSON.readTree(body);
        } catch (IOException e) {
            return false;
        }
        return document != null && document.isObject() && matchesNode(policy, List.of(document));
    }

    /** Matches a (nested) policy against the nodes found at its level of the body (arrays of objects spread). */
    private static boolean matchesNode(JsonNode policy, List<JsonNode> nodes) {
        Iterator<Map.Entry<String, JsonNode>> fields = policy.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equals("$or")) {
                boolean any = false;
                for (JsonNode alternative : field.getValue()) {
                    any |= matchesNode(alternative, nodes);
                }
                if (!any) {
                    return false;
                }
                continue;
            }
            List<JsonNode> found = new ArrayList<>();
            for (JsonNode node : nodes) {
                JsonNode child = node.get(field.getKey());
                if (child == null) {
                    continue;
                }
                if (child.isArray()) {
                    child.forEach(found::add);
                } else {
                    found.add(child);
                }
            }
            if (field.getValue().isObject()) {
                List<JsonNode> objects = found.stream().filter(JsonNode::isObject).toList();
                if (!matchesNode(field.getValue(), objects)) {
                    return false;
                }
            } else {
                List<JsonNode> leaves = found.stream().filter(n -> !n.isObject() && !n.isArray()).toList();
                if (!anyRule(field.getValue(), !found.isEmpty(), leaves)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean anyRule(JsonNode rules, boolean present, List<JsonNode> values) {
        for (JsonNode rule : rules) {
            if (rule.isObject() && rule.has("exists")) {
                if (rule.get("exists").asBoolean() == present) {
                    return true;
                }
                continue;
            }
            for (JsonNode value : values) {
                if (matches(rule, value)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean matches(JsonNode rule, JsonNode value) {
        if (rule.isTextual()) {
            return value.isTextual() && value.asText().equals(rule.asText());
        }
        if (rule.isNumber()) {
            return value.isNumber() && value.decimalValue().compareTo(rule.decimalValue()) == 0;
        }
        if (rule.isBoolean()) {
            return value.isBoolean() && value.asBoolean() == rule.asBoolean();
        }
        if (rule.isNull()) {
            return value.isNull();
        }
        String operator = rule.fieldNames().next();
        JsonNode operand = rule.get(operator);
        return switch (operator) {
            case "prefix" -> value.isTextual() && value.asText().startsWith(operand.asText());
            case "suffix" -> value.isTextual() && value.asText().endsWith(operand.asText());
            case "equals-ignore-case" -> value.isTextual() && value.asText().equalsIgnoreCase(operand.asText());
            case "anything-but" -> anythingBut(operand, value);
            case "numeric" -> value.isNumber() && numeric(operand, value.decimalValue());
            case "cidr" -> value.isTextual() && inCidr(operand.asText(), value.asText());
            default -> false;
        };
    }

    private static boolean anythingBut(JsonNode operand, JsonNode value) {
        if (value.isMissingNode()) {
            return false;
        }
        if (operand.isObject()) {
            String inner = operand.fieldNames().next();
            String text = operand.get(inner).asText();
            if (!value.isTextual()) {
                return true;
            }
            return switch (inner) {
                case "prefix" -> !value.asText().startsWith(text);
                case "suffix" -> !value.asText().endsWith(text);
                default -> !value.asText().toLowerCase(Locale.ROOT).equals(text.toLowerCase(Locale.ROOT));
            };
        }
        List<JsonNode> excluded = new ArrayList<>();
        if (operand.isArray()) {
            operand.forEach(excluded::add);
        } else {
            excluded.add(operand);
        }
        for (JsonNode item : excluded) {
            if (matches(item, value)) {
                return false;
            }
        }
        return true;
    }

    private static boolean numeric(JsonNode range, BigDecimal number) {
        for (int i = 0; i + 1 < range.size(); i += 2) {
            int order = number.compareTo(range.get(i + 1).decimalValue());
            boolean holds = switch (range.get(i).asText()) {
                case "<" -> order < 0;
                case "<=" -> order <= 0;
                case "=" -> order == 0;
                case ">" -> order > 0;
                default -> order >= 0;
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    private static boolean inCidr(String cidr, String address) {
        String[] parts = cidr.split("/");
        byte[] network = literalAddress(parts[0]);
        byte[] candidate = literalAddress(address);
        if (network == null || candidate == null || network.length != candidate.length) {
            return false;
        }
        int bits = Integer.parseInt(parts[1]);
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((network[i / 8] & mask) != (candidate[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
