package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A container definition's {@code links} ({@code name} or {@code name:alias}), for tasks in {@code bridge} mode: the
 * linked container is reachable from the linking one by the alias (or its name). crossrole's containers share one
 * network per task (see the runtimes), so an alias resolves to that network's address, where the linked container
 * listens. As with ECS's agent, a linked container starts before the one that links to it, and stops after it.
 */
final class ContainerLinks {
    /** ECS's rule for a link's names: up to 255 letters, numbers, underscores and hyphens. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,255}");

    /** One link: the linked container's name and the alias it is reached by. */
    record Link(String container, String alias) {}

    private ContainerLinks() {}

    static List<Link> of(JsonNode definition) {
        List<Link> links = new ArrayList<>();
        for (JsonNode link : definition.path("links")) {
            String text = link.asText();
            int colon = text.indexOf(':');
            links.add(colon < 0 ? new Link(text, text) : new Link(text.substring(0, colon), text.substring(colon + 1)));
        }
        return links;
    }

    /** The names a container's links make resolvable inside it, each once, in order. */
    static List<String> aliases(JsonNode definition) {
        Set<String> seen = new java.util.LinkedHashSet<>();
        for (Link link : of(definition)) {
            seen.add(link.alias());
        }
        return List.copyOf(seen);
    }

    /** What RegisterTaskDefinition refuses in the containers' {@code links}, or empty. */
    static Optional<String> invalid(List<? extends JsonNode> containers, String networkMode) {
        Set<String> names = new HashSet<>();
        containers.forEach(c -> names.add(c.path("name").asText()));
        for (JsonNode container : containers) {
            String name = container.path("name").asText();
            if (container.path("links").size() == 0) {
                continue;
            }
            if (networkMode != null && !networkMode.equals("bridge")) {
                // ECS's answer for awsvpc; the same rule holds for host and none.
                return Optional.of("Links are not supported when networkMode=" + networkMode + ".");
            }
            for (JsonNode raw : container.path("links")) {
                String text = raw.asText();
                String[] parts = text.split(":", -1);
                if (parts.length > 2 || !NAME.matcher(parts[0]).matches()
                        || (parts.length == 2 && !NAME.matcher(parts[1]).matches())) {
                    return Optional.of("Container '" + name + "' has an invalid link '" + text + "': a link is name or"
                            + " name:alias, each up to 255 letters, numbers, underscores and hyphens.");
                }
                if (parts[0].equals(name)) {
                    return Optional.of("Container '" + name + "' cannot link to itself.");
                }
                if (!names.contains(parts[0])) {
                    return Optional.of("Container '" + name + "' links to container '" + parts[0]
                            + "', which is not in the task definition.");
                }
            }
        }
        return Optional.empty();
    }
}
