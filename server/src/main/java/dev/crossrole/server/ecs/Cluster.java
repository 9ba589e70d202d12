package dev.crossrole.server.ecs;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** An ECS cluster; {@code active} false once deleted (AWS keeps it describable as INACTIVE). */
public record Cluster(String account, String region, String name, boolean active, Instant created, Map<String, String> tags) {

    public Cluster {
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags)); // in the order given
    }

    public String arn() {
        return "arn:aws:ecs:" + region + ":" + account + ":cluster/" + name;
    }
}
