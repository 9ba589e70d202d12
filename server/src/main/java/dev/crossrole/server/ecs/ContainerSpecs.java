package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossrole.server.tasks.TaskRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A container of a task as a runtime that runs images reads it: its definition with the task's overrides. */
final class ContainerSpecs {
    /** What the process runtimes add from this machine; an image has its own unless the definition names them. */
    private static final Set<String> HOST_DEFAULTS = Set.of("PATH", "HOME", "LANG");

    private ContainerSpecs() {}

    static TaskRuntime.ContainerSpec of(EcsTask task, EcsTask.Container container) {
        JsonNode def = task.definition.container(container.name);
        JsonNode override = override(task, container.name);
        List<String> entryPoint = strings(def.get("entryPoint"));
        List<String> command = override != null && override.has("command") ? strings(override.get("command"))
                : strings(def.get("command"));
        Set<String> named = new java.util.HashSet<>(namedByDefinition(task, container.name));
        named.addAll(container.fromFiles);
        Map<String, String> environment = new LinkedHashMap<>();
        container.environment.forEach((name, value) -> {
            if (!HOST_DEFAULTS.contains(name) || named.contains(name)) {
                environment.put(name, value);
            }
        });
        int cpu = override != null && override.has("cpu") ? override.get("cpu").asInt() : def.path("cpu").asInt(0);
        Long memory = override != null && override.hasNonNull("memory") ? Long.valueOf(override.get("memory").asLong())
                : def.hasNonNull("memory") ? Long.valueOf(def.get("memory").asLong()) : null;
        Long reservation = override != null && override.hasNonNull("memoryReservation")
                ? Long.valueOf(override.get("memoryReservation").asLong())
                : def.hasNonNull("memoryReservation") ? Long.valueOf(def.get("memoryReservation").asLong()) : null;
        List<TaskRuntime.Ulimit> ulimits = new ArrayList<>();
        def.path("ulimits").forEach(u -> ulimits.add(new TaskRuntime.Ulimit(u.path("name").asText(),
                u.path("softLimit").asLong(), u.path("hardLimit").asLong())));
        List<TaskRuntime.PortMapping> ports = new ArrayList<>();
        def.path("portMappings").forEach(p -> ports.add(new TaskRuntime.PortMapping(p.path("containerPort").asInt(),
                p.path("hostPort").asInt(0), p.path("protocol").asText("tcp"))));
        return new TaskRuntime.ContainerSpec(task.arn(), task.cluster.name(), task.definition.family(),
                task.definition.revision(), entryPoint, command, environment, text(def, "workingDirectory"),
                text(def, "user"), cpu, memory, reservation, ulimits, def.path("readonlyRootFilesystem").asBoolean(false),
                def.path("linuxParameters").path("initProcessEnabled").asBoolean(false), container.stopTimeoutSeconds,
                ports, ContainerLinks.aliases(def));
    }

    /** The variables the container's definition (or its task's override) names in {@code environment}. */
    static Set<String> namedByDefinition(EcsTask task, String container) {
        Set<String> named = new java.util.HashSet<>();
        task.definition.container(container).path("environment").forEach(e -> named.add(e.path("name").asText()));
        JsonNode override = override(task, container);
        if (override != null) {
            override.path("environment").forEach(e -> named.add(e.path("name").asText()));
        }
        return named;
    }

    /** The names the process runtimes set from this machine that the definition leaves to the image. */
    static Set<String> hostDefaults(EcsTask task, String container) {
        Set<String> defaults = new java.util.HashSet<>(HOST_DEFAULTS);
        defaults.removeAll(namedByDefinition(task, container));
        return defaults;
    }

    private static JsonNode override(EcsTask task, String name) {
        if (task.overrides != null && task.overrides.has("containerOverrides")) {
            for (JsonNode o : task.overrides.get("containerOverrides")) {
                if (o.path("name").asText().equals(name)) {
                    return o;
                }
            }
        }
        return null;
    }

    private static List<String> strings(JsonNode array) {
        if (array == null || array.isNull()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static String text(JsonNode def, String field) {
        return def.hasNonNull(field) ? def.get(field).asText() : null;
    }
}
