package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container's {@code environmentFiles}: S3 objects of {@code VARIABLE=VALUE} lines, read when the task starts with
 * the task execution role's credentials, as the ECS agent reads them. What the container definition's
 * {@code environment} names wins over the files; among the files, the first that names a variable wins (ECS
 * developer guide, "Pass an individual environment variable to an Amazon ECS container"; the agent's merge keeps a
 * variable already set).
 */
final class EnvironmentFiles {
    /** ECS's limit per container (API reference, {@code ContainerDefinition.environmentFiles}). */
    static final int MAX_FILES = 10;

    /** An S3 object named by an environment file's ARN. */
    record Location(String arn, String bucket, String key) {}

    private EnvironmentFiles() {}

    /** Why a container definition's {@code environmentFiles} cannot be registered, or empty when they can. */
    static Optional<String> invalid(String container, JsonNode files) {
        if (files == null || files.isNull()) {
            return Optional.empty();
        }
        if (files.size() > MAX_FILES) {
            return Optional.of("Container " + container + " has " + files.size() + " environmentFiles; at most "
                    + MAX_FILES + " are allowed.");
        }
        for (JsonNode file : files) {
            if (!"s3".equals(file.path("type").asText())) {
                return Optional.of("Invalid environmentFiles type for container " + container
                        + ": only 's3' is supported.");
            }
            if (location(file.path("value").asText()).isEmpty()) {
                // ECS's answer to an ARN it cannot read.
                return Optional.of("Invalid arn syntax.");
            }
        }
        return Optional.empty();
    }

    /** The bucket and key of {@code arn:aws:s3:::bucket/key}, or empty when {@code arn} is not an S3 object's ARN. */
    static Optional<Location> location(String arn) {
        String prefix = "arn:aws:s3:::";
        if (arn == null || !arn.startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = arn.substring(prefix.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new Location(arn, rest.substring(0, slash), rest.substring(slash + 1)));
    }

    /** The files of a container: the task's container override's list replaces the definition's. */
    static List<Location> of(EcsTask task, String container) {
        JsonNode files = task.definition.container(container).path("environmentFiles");
        if (task.overrides != null) {
            for (JsonNode override : task.overrides.path("containerOverrides")) {
                if (override.path("name").asText().equals(container) && override.has("environmentFiles")) {
                    files = override.get("environmentFiles");
                }
            }
        }
        List<Location> out = new ArrayList<>();
        for (JsonNode file : files) {
            location(file.path("value").asText()).ifPresent(out::add);
        }
        return out;
    }

    /**
     * The variables of one file, in order: {@code NAME=VALUE} lines, split at the first {@code =}; lines beginning
     * with {@code #}, lines without {@code =}, and lines whose name or value is empty are skipped, as the agent skips
     * them. A name set twice keeps its last value.
     */
    static Map<String, String> parse(byte[] content) {
        Map<String, String> variables = new LinkedHashMap<>();
        try (BufferedReader lines = new BufferedReader(new StringReader(new String(content, StandardCharsets.UTF_8)))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("#")) {
                    continue;
                }
                int equals = line.indexOf('=');
                if (equals > 0 && equals < line.length() - 1) {
                    variables.put(line.substring(0, equals), line.substring(equals + 1));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringReader does not fail
        }
        return variables;
    }

    /** A container's environment with its files' variables, and the names the files set. */
    record Merged(Map<String, String> environment, java.util.Set<String> fromFiles) {}

    /**
     * The container's environment with the files' variables added: a variable the container already has (its
     * definition's or ECS's) keeps its value, and the first file naming a variable wins over later ones.
     *
     * @param replaceable names the container has only as crossrole's defaults for a local process ({@code PATH},
     *     {@code HOME}, {@code LANG} when its definition does not name them): a file may set them
     */
    static Merged merge(Map<String, String> environment, java.util.Set<String> replaceable,
                        List<Map<String, String>> files) {
        Map<String, String> merged = new LinkedHashMap<>(environment);
        java.util.Set<String> fromFiles = new java.util.LinkedHashSet<>();
        for (Map<String, String> file : files) {
            file.forEach((name, value) -> {
                boolean free = !merged.containsKey(name) || (replaceable.contains(name) && !fromFiles.contains(name));
                if (free && !fromFiles.contains(name)) {
                    merged.put(name, value);
                    fromFiles.add(name);
                }
            });
        }
        return new Merged(merged, java.util.Set.copyOf(fromFiles));
    }
}
