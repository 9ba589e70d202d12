package dev.crossrole.server.ecs;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** What ECS operations share: tags, cluster resolution, ARNs. */
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

    /**
     * ECS tags ({@code [{key, value}]}), in the order given. The model bounds their number and lengths; a tag without
     * its key is ECS's own refusal.
     */
    public static Map<String, String> tags(Input input, String member) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Input tag : input.<Input>listOrEmpty(member)) {
            String key = tag == null ? null : tag.string("key");
            if (key == null || key.isEmpty()) {
                throw EcsErrors.invalidParameter("Tag keys must be between 1 and 128 characters.");
            }
            String value = tag.string("value");
            tags.put(key, value == null ? "" : value);
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
