package dev.crossrole.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.ShapeModel;
import dev.crossrole.server.model.ValuePattern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Values for every member of a shape, generated from crossrole's model so that they satisfy its constraints: string
 * lengths and patterns, enums, number ranges, list and map sizes. Lists and maps get two elements where the model
 * allows; values differ from member to member, so a codec that mixes members up is caught.
 */
final class ModelValues {
    /** A generated structure: its members by model name (a map of the model is a plain {@code Map}). */
    record Struct(Map<String, Object> members) {}

    /** Structures nest no deeper than this (a recursive shape would otherwise never end). */
    private static final int MAX_DEPTH = 8;
    static final Instant BASE_TIME = Instant.parse("2024-05-06T07:08:09.123Z");

    private final Set<String> excludedMembers;
    private final boolean emptyCollections;
    private boolean patternsIgnored;
    private final List<String> unsatisfiable = new ArrayList<>();
    private int emptied;

    /**
     * {@code excludedMembers}: {@code Shape.Member} names to leave unset. {@code emptyCollections}: lists and maps
     * get no elements where the model allows none (else as few as it allows), instead of two.
     */
    ModelValues(Set<String> excludedMembers, boolean emptyCollections) {
        this.excludedMembers = excludedMembers;
        this.emptyCollections = emptyCollections;
    }

    /**
     * Values that fit the lengths but not necessarily the patterns: for a codec that reads values without checking
     * them (REST-JSON, whose test model's ARN patterns no simple candidate meets), where the value's form is beside
     * the point.
     */
    ModelValues ignoringPatterns() {
        this.patternsIgnored = true;
        return this;
    }

    /** How many empty lists and maps were generated. */
    int emptied() {
        return emptied;
    }

    /** The members whose constraints no generated value met (and that no exclusion names). */
    List<String> unsatisfiable() {
        return unsatisfiable;
    }

    Struct structure(ShapeModel shape) {
        return structure(shape, 0, 0);
    }

    /** {@code variant}: which element of a list or map this structure is, so that elements differ. */
    private Struct structure(ShapeModel shape, int depth, int variant) {
        Map<String, Object> members = new LinkedHashMap<>();
        // A recursive shape (DynamoDB's AttributeValue, with two recursive members) nests twice at most, or its
        // values would grow exponentially with the depth.
        if (depth > MAX_DEPTH || onPath.getOrDefault(shape.name(), 0) >= 2) {
            return new Struct(members);
        }
        onPath.merge(shape.name(), 1, Integer::sum);
        try {
            return new Struct(members(shape, members, depth, variant));
        } finally {
            onPath.merge(shape.name(), -1, Integer::sum);
        }
    }

    /** How many times each structure is on the path being generated. */
    private final Map<String, Integer> onPath = new java.util.HashMap<>();

    private Map<String, Object> members(ShapeModel shape, Map<String, Object> members, int depth, int variant) {
        int ordinal = 0;
        for (MemberModel member : shape.members().values()) {
            ordinal++;
            if (excludedMembers.contains(shape.name() + "." + member.name())) {
                continue;
            }
            Object value = value(member.shape(), shape.name() + "." + member.name(), member.name(),
                    ordinal + 20 * variant, depth);
            if (value != null) {
                members.put(member.name(), value);
            }
        }
        return members;
    }

    private Object value(ShapeModel shape, String owner, String hint, int index, int depth) {
        return switch (shape.type()) {
            case STRUCTURE -> structure(shape, depth + 1, index);
            case LIST -> list(shape, owner, hint, depth);
            case MAP -> map(shape, owner, hint, depth);
            case STRING -> string(shape, owner, hint, index);
            case INTEGER -> (int) clamp(6 + index, shape);
            case LONG -> clamp(5_000_000_000L + index, shape);
            case DOUBLE, FLOAT -> clampDouble(1.25 + index, shape);
            case BOOLEAN -> index % 2 == 1;
            case TIMESTAMP -> BASE_TIME.plusSeconds(3_671L * index);
            case BLOB -> blob(shape, index);
            case DOCUMENT -> document(hint, index);
        };
    }

    private List<Object> list(ShapeModel shape, String owner, String hint, int depth) {
        int count = (int) clamp(emptyCollections ? 0 : 2, shape);
        if (count == 0) {
            emptied++;
        }
        MemberModel member = shape.member();
        int distinct = member.shape().enumValues().size();
        if (distinct > 0) {
            count = Math.min(count, distinct);
        }
        List<Object> items = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Object item = value(member.shape(), shape.name() + ".member", hint, i, depth);
            if (item == null) {
                unsatisfiable.add(owner + " (its elements)");
                return null;
            }
            items.add(item);
        }
        return items;
    }

    private Map<String, Object> map(ShapeModel shape, String owner, String hint, int depth) {
        int count = (int) clamp(emptyCollections ? 0 : 2, shape);
        if (count == 0) {
            emptied++;
        }
        ShapeModel keyShape = shape.key().shape();
        if (!keyShape.enumValues().isEmpty()) {
            count = Math.min(count, keyShape.enumValues().size());
        }
        Map<String, Object> entries = new LinkedHashMap<>();
        for (int i = 1; i <= count; i++) {
            String key = string(keyShape, shape.name() + ".key", hint + "Key", i);
            Object value = value(shape.value().shape(), shape.name() + ".value", hint + "Value", i, depth);
            if (key == null || value == null) {
                unsatisfiable.add(owner + " (its entries)");
                return null;
            }
            entries.put(key, value);
        }
        return entries;
    }

    /**
     * An enum's value, else the first of a few simple candidates that fits the length limits and the pattern:
     * the member's name with the index (distinct per member), then lower-case, digit, ARN and path forms.
     */
    private String string(ShapeModel shape, String owner, String hint, int index) {
        if (!shape.enumValues().isEmpty()) {
            return shape.enumValues().get((index - 1) % shape.enumValues().size());
        }
        String alphanumeric = hint.replaceAll("[^A-Za-z0-9]", "") + index;
        List<String> candidates = List.of(
                // Characters XML escapes, form encoding changes, white space and non-ASCII, where allowed.
                alphanumeric + " &<>\"'+=%/?#;\n\té€",
                alphanumeric + "+=,.@-_",
                alphanumeric,
                alphanumeric.toLowerCase(Locale.ROOT),
                alphanumeric.toUpperCase(Locale.ROOT),
                String.format(Locale.ROOT, "1234567890%02d", index % 100),
                "v" + index,
                "arn:aws:iam::123456789012:role/" + alphanumeric,
                "arn:aws:iam::123456789012:policy/" + alphanumeric,
                "arn:aws:s3:::" + alphanumeric.toLowerCase(Locale.ROOT),
                "arn:aws:kms:us-east-1:123456789012:key/" + alphanumeric,
                "/" + alphanumeric + "/",
                "/",
                alphanumeric.toLowerCase(Locale.ROOT).replace("1", "-1"),
                "a" + index,
                // Identifiers of AWS Organizations and URLs, which some IAM members hold.
                "o-abcdefgh" + String.format(Locale.ROOT, "%02d", index % 100),
                "p-abcdefgh" + String.format(Locale.ROOT, "%02d", index % 100),
                "o-abcdefgh" + String.format(Locale.ROOT, "%02d", index % 100) + "/r-abc" + index,
                "https://example.com/" + alphanumeric,
                // KMS: Regions, CloudHSM clusters, external key store proxies (base32 key ids, URIs, VPC services).
                "us-east-1",
                "cluster-abcdefghij" + (char) ('k' + index % 10),
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + (char) ('2' + index % 6),
                "https://xks" + index + ".example.com",
                "/kms/xks/v" + (index % 10),
                "com.amazonaws.vpce.us-east-1.vpce-svc-0abc" + index,
                // Secrets Manager: a rotation window in hours; SSM: a filter key.
                (2 + index % 8) + "h",
                "Name",
                // ECR: layer digests, upload ids, and the ARNs of keys, pull-through credentials and signing profiles.
                String.format(Locale.ROOT, "sha256:%064x", index),
                String.format(Locale.ROOT, "%08x-0000-4000-8000-%012x", index, index),
                "arn:aws:kms:us-east-1:123456789012:key/" + alphanumeric.toLowerCase(Locale.ROOT),
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/" + alphanumeric,
                "arn:aws:signer:us-east-1:123456789012:/signing-profiles/" + alphanumeric);
        ValuePattern pattern = shape.pattern();
        for (String candidate : candidates) {
            String sized = sized(candidate, shape);
            if (sized != null && (pattern == null || patternsIgnored || pattern.matches(sized))) {
                return sized;
            }
        }
        unsatisfiable.add(owner + " (pattern " + shape.patternText() + ", length " + shape.min() + ".."
                + shape.max() + ")");
        return null;
    }

    /** The candidate padded (by repeating it) to the least length, or cut to the greatest. */
    private static String sized(String candidate, ShapeModel shape) {
        StringBuilder text = new StringBuilder(candidate);
        long min = shape.min() == null ? 1 : Math.max(shape.min(), 1);
        for (int i = 0; text.length() < min; i++) {
            text.append(candidate.charAt(i % candidate.length()));
        }
        if (shape.max() != null && text.length() > shape.max()) {
            if (shape.max() < 1) {
                return null;
            }
            text.setLength((int) (long) shape.max());
        }
        return text.toString();
    }

    /** A document (free JSON) as crossrole's codecs hold one: an object with a string, a number, a list. */
    private static JsonNode document(String hint, int index) {
        ObjectNode document = JsonNodeFactory.instance.objectNode();
        document.put("name", hint + index);
        document.put("count", index);
        document.putArray("flags").add(true).add("on").add(2.5);
        document.putObject("nested").put("empty", false);
        return document;
    }

    private static byte[] blob(ShapeModel shape, int index) {
        byte[] bytes = new byte[(int) clamp(5 + index, shape)];
        for (int i = 0; i < bytes.length; i++) {
            // Bytes above 0x7f and base64's '+' and '/' both appear: a codec that treats blobs as text shows.
            bytes[i] = (byte) (0xf0 + 37 * i + index);
        }
        return bytes;
    }

    private static long clamp(long wanted, ShapeModel shape) {
        long value = wanted;
        if (shape.max() != null && value > shape.max()) {
            value = shape.max();
        }
        if (shape.min() != null && value < shape.min()) {
            value = shape.min();
        }
        return value;
    }

    private static double clampDouble(double wanted, ShapeModel shape) {
        double value = wanted;
        if (shape.max() != null && value > shape.max()) {
            value = shape.max();
        }
        if (shape.min() != null && value < shape.min()) {
            value = shape.min();
        }
        return value;
    }
}
