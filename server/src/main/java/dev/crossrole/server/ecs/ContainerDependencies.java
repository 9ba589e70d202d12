package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container definition's {@code dependsOn}: which containers must have started ({@code START}), exited
 * ({@code COMPLETE}), exited 0 ({@code SUCCESS}) or be {@code HEALTHY} before it starts.
 */
final class ContainerDependencies {
    /** How long a container waits for its dependencies without a {@code startTimeout}, in seconds. */
    static final int DEFAULT_START_TIMEOUT = 180;

    record Dependency(String containerName, String condition) {}

    /** Whether a container may start now; else why it never will ({@code failure}), or what it waits for. */
    record Verdict(boolean met, String failure, String waitingFor) {}

    private ContainerDependencies() {}

    /** Its {@code dependsOn}, and a {@code START} dependency on each container it links to (ECS's agent orders those). */
    static List<Dependency> of(JsonNode definition) {
        List<Dependency> out = new ArrayList<>();
        java.util.Set<String> named = new java.util.HashSet<>();
        definition.path("dependsOn").forEach(d -> {
            out.add(new Dependency(d.path("containerName").asText(), d.path("condition").asText()));
            named.add(d.path("containerName").asText());
        });
        for (ContainerLinks.Link link : ContainerLinks.of(definition)) {
            if (named.add(link.container())) {
                out.add(new Dependency(link.container(), "START"));
            }
        }
        return out;
    }

    static int startTimeoutSeconds(JsonNode definition) {
        return definition.path("startTimeout").asInt(DEFAULT_START_TIMEOUT);
    }

    /** Judges a container's dependencies against the task's containers as they are (called under the task's lock). */
    static Verdict verdict(EcsTask task, String name, List<Dependency> dependencies) {
        List<String> waitingFor = new ArrayList<>();
        for (Dependency dependency : dependencies) {
            EcsTask.Container target = task.containers.stream()
                    .filter(c -> c.name.equals(dependency.containerName())).findFirst().orElse(null);
            if (target == null) {
                return new Verdict(false, "it depends on " + dependency.containerName() + ", which the task lacks", null);
            }
            boolean started = target.running != null;
            boolean exited = started && "STOPPED".equals(target.lastStatus) && target.exitCode != null;
            boolean neverStarts = !started && "STOPPED".equals(target.lastStatus);
            String what = dependency.containerName() + " " + dependency.condition();
            switch (dependency.condition()) {
                case "START" -> {
                    if (neverStarts) {
                        return failed(dependency, "did not start");
                    }
                    if (!started) {
                        waitingFor.add(what);
                    }
                }
                case "COMPLETE", "SUCCESS" -> {
                    if (neverStarts) {
                        return failed(dependency, "did not start");
                    }
                    if (exited && dependency.condition().equals("SUCCESS") && target.exitCode != 0) {
                        return failed(dependency, "exited with " + target.exitCode);
                    }
                    if (!exited) {
                        waitingFor.add(what);
                    }
                }
                case "HEALTHY" -> {
                    if (neverStarts || "STOPPED".equals(target.lastStatus)) {
                        return failed(dependency, "stopped before it was HEALTHY");
                    }
                    if ("UNHEALTHY".equals(target.healthStatus)) {
                        return failed(dependency, "is UNHEALTHY");
                    }
                    if (!"HEALTHY".equals(target.healthStatus)) {
                        waitingFor.add(what);
                    }
                }
                default -> {
                    return new Verdict(false, "its dependency condition " + dependency.condition() + " is unknown", null);
                }
            }
        }
        return waitingFor.isEmpty() ? new Verdict(true, null, null)
                : new Verdict(false, null, "waiting for " + String.join(", ", waitingFor));
    }

    private static Verdict failed(Dependency dependency, String what) {
        return new Verdict(false, "its dependency " + dependency.containerName() + " " + what + " (dependsOn "
                + dependency.condition() + ")", null);
    }

    /**
     * What RegisterTaskDefinition refuses in the containers' {@code dependsOn}: a container the definition lacks,
     * itself, {@code HEALTHY} of a container without a health check, {@code COMPLETE} or {@code SUCCESS} of an
     * essential container (its exit stops the task), or a cycle.
     */
    static Optional<String> invalid(List<? extends JsonNode> containers) {
        Map<String, JsonNode> byName = new HashMap<>();
        containers.forEach(c -> byName.put(c.path("name").asText(), c));
        for (JsonNode container : containers) {
            String name = container.path("name").asText();
            for (Dependency dependency : of(container)) {
                JsonNode target = byName.get(dependency.containerName());
                if (dependency.containerName().equals(name)) {
                    return Optional.of("Container '" + name + "' cannot depend on itself.");
                }
                if (target == null) {
                    return Optional.of("Container '" + name + "' depends on container '" + dependency.containerName()
                            + "', which is not in the task definition.");
                }
                if (dependency.condition().equals("HEALTHY") && (!target.has("healthCheck")
                        || target.path("healthCheck").path("command").path(0).asText().equals("NONE"))) {
                    return Optional.of("Container '" + name + "' depends on container '" + dependency.containerName()
                            + "' being HEALTHY, but it has no healthCheck.");
                }
                if ((dependency.condition().equals("COMPLETE") || dependency.condition().equals("SUCCESS"))
                        && target.path("essential").asBoolean(true)) {
                    return Optional.of("Container '" + name + "' depends on essential container '"
                            + dependency.containerName() + "' with condition " + dependency.condition()
                            + ": an essential container's exit stops the task, so only a nonessential one can be"
                            + " awaited to exit.");
                }
            }
        }
        for (JsonNode container : containers) {
            List<String> path = new ArrayList<>();
            if (cycle(container.path("name").asText(), byName, path)) {
                return Optional.of("Container dependencies form a cycle: " + String.join(" -> ", path) + ".");
            }
        }
        return Optional.empty();
    }

    private static boolean cycle(String name, Map<String, JsonNode> byName, List<String> path) {
        if (path.contains(name)) {
            List<String> loop = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
            path.clear();
            path.addAll(loop);
            path.add(name);
            return true;
        }
        path.add(name);
        JsonNode container = byName.get(name);
        if (container != null) {
            for (Dependency dependency : of(container)) {
                if (cycle(dependency.containerName(), byName, path)) {
                    return true;
                }
            }
        }
        path.remove(path.size() - 1);
        return false;
    }
}
