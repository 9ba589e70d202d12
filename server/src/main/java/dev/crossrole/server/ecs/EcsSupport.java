package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** What ECS operations share: reading JSON input with ECS's errors, cluster resolution, tags, ARNs. */
public final class EcsSupport {
    static final Pattern CLUSTER_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,255}");
    static final String DEFAULT_CLUSTER = "default";

    final EcsDirectory ecs;

    EcsSupport(EcsDirectory ecs) {
        this.ecs = ecs;
    }

    public EcsDirectory directory() {
        return ecs;
    }

    public static String account(Call call) {
        return call.caller().account();
    }

    // ---- input ------------------------------------------------------------------------------

    /** A string member, or {@code null}; a value of another JSON type is a serialization error, as AWS reports it. */
    public static String string(ObjectNode input, String member) {
        JsonNode node = input.get(member);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new AwsException("SerializationException", 400, "STRING_VALUE can not be converted to a String");
        }
        return node.textValue();
    }

    public static Integer integer(ObjectNode input, String member) {
        JsonNode node = input.get(member);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber()) {
            throw new AwsException("SerializationException", 400, "NUMBER_VALUE can not be converted to an Integer");
        }
        return node.intValue();
    }

    public static Boolean bool(ObjectNode input, String member) {
        JsonNode node = input.get(member);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isBoolean()) {
            throw new AwsException("SerializationException", 400, "BOOLEAN_VALUE can not be converted to a Boolean");
        }
        return node.booleanValue();
    }

    public static List<String> strings(ObjectNode input, String member) {
        JsonNode node = input.get(member);
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw new AwsException("SerializationException", 400, "Start of list found where not expected");
        }
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw new AwsException("SerializationException", 400, "STRING_VALUE can not be converted to a String");
            }
            out.add(item.textValue());
        }
        return out;
    }

    /** ECS tags are {@code [{key, value}]} with lower-case members. */
    public static Map<String, String> tags(ObjectNode input, String member) {
        Map<String, String> tags = new LinkedHashMap<>();
        JsonNode node = input.get(member);
        if (node == null || node.isNull()) {
            return tags;
        }
        if (!node.isArray()) {
            throw new AwsException("SerializationException", 400, "Start of list found where not expected");
        }
        if (node.size() > 50) {
            throw EcsErrors.invalidParameter("Tags can have a maximum of 50 key-value pairs.");
        }
        for (JsonNode tag : node) {
            JsonNode key = tag.get("key");
            if (key == null || !key.isTextual() || key.textValue().isEmpty() || key.textValue().length() > 128) {
                throw EcsErrors.invalidParameter("Tag keys must be between 1 and 128 characters.");
            }
            JsonNode value = tag.get("value");
            String v = value == null || value.isNull() ? "" : value.asText();
            if (v.length() > 256) {
                throw EcsErrors.invalidParameter("Tag values must be between 0 and 256 characters.");
            }
            tags.put(key.textValue(), v);
        }
        return tags;
    }

    public static List<Shape> tagShapes(Map<String, String> tags) {
        List<Shape> out = new ArrayList<>();
        tags.forEach((k, v) -> out.add(Shape.of().put("key", k).put("value", v)));
        return out;
    }

    // ---- clusters ---------------------------------------------------------------------------

    /** The cluster name a request names by name or ARN ({@code default} when it names none). */
    public static String clusterName(String nameOrArn) {
        if (nameOrArn == null || nameOrArn.isEmpty()) {
            return DEFAULT_CLUSTER;
        }
        if (nameOrArn.startsWith("arn:")) {
            int slash = nameOrArn.indexOf(":cluster/");
            return slash < 0 ? nameOrArn : nameOrArn.substring(slash + 9);
        }
        return nameOrArn;
    }

    public String clusterArn(Call call, String name) {
        return "arn:aws:ecs:" + call.region() + ":" + account(call) + ":cluster/" + name;
    }

    /**
     * The active cluster a request names; the {@code default} cluster is created on first use (the
     * documentation disagrees on when AWS creates it; crossrole chooses the friendlier reading).
     */
    public Cluster activeCluster(Call call, String nameOrArn) {
        String name = clusterName(nameOrArn);
        synchronized (ecs) {
            Cluster cluster = ecs.cluster(account(call), call.region(), name).orElse(null);
            if (cluster == null && name.equals(DEFAULT_CLUSTER)) {
                cluster = ecs.putCluster(new Cluster(account(call), call.region(), name, true, ecs.clock().instant(), Map.of()));
            }
            if (cluster == null || !cluster.active()) {
                throw EcsErrors.clusterNotFound();
            }
            return cluster;
        }
    }

    /** ECS's AccessDenied messages name the resource even when it is {@code *}. */
    public static AccessCheck check(String action, String resource, RequestContext context) {
        return new AccessCheck(action, resource, null, null, context, resource.equals("*") ? "*" : null);
    }
}
