package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One revision of a task definition. {@code document} is the definition as ECS returns it (the
 * registered input with ECS's computed fields and container defaults); status and dates are kept apart.
 */
public record TaskDefinition(String account, String region, String family, int revision, ObjectNode document,
                             boolean active, Instant registeredAt, Instant deregisteredAt, Map<String, String> tags) {

    public TaskDefinition {
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags)); // in the order given
    }

    public String arn() {
        return "arn:aws:ecs:" + region + ":" + account + ":task-definition/" + family + ":" + revision;
    }

    /** The definition with its status and dates, as DescribeTaskDefinition shows it. */
    public ObjectNode shape() {
        ObjectNode out = document.deepCopy();
        out.put("status", active ? "ACTIVE" : "INACTIVE");
        if (deregisteredAt != null) {
            out.put("deregisteredAt", deregisteredAt.toEpochMilli() / 1000.0);
        }
        return out;
    }

    public TaskDefinition deregistered(Instant when) {
        return new TaskDefinition(account, region, family, revision, document, false, registeredAt, when, tags);
    }

    /** A container's definition by name; a missing node when the definition has no such container. */
    public com.fasterxml.jackson.databind.JsonNode container(String name) {
        for (com.fasterxml.jackson.databind.JsonNode def : document.path("containerDefinitions")) {
            if (def.path("name").asText().equals(name)) {
                return def;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    public String taskRoleArn() {
        return document.hasNonNull("taskRoleArn") ? document.get("taskRoleArn").asText() : null;
    }

    public String executionRoleArn() {
        return document.hasNonNull("executionRoleArn") ? document.get("executionRoleArn").asText() : null;
    }
}
