package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A container definition's {@code secrets}: environment variables whose values ECS's agent reads, with the task
 * execution role, before the container starts. {@code valueFrom} names a Secrets Manager secret by ARN, optionally
 * followed by {@code :json-key:version-stage:version-id}, or a Parameter Store parameter by name (the task's account
 * and Region) or ARN (ECS developer guide, "Pass sensitive data to an Amazon ECS container").
 */
final class ContainerSecrets {
    /** How ECS's stopped reason begins when a secret could not be read. */
    static final String FAILURE = "ResourceInitializationError: unable to pull secrets or registry auth: execution"
            + " resource retrieval failed: ";
    private static final String SECRETS_MANAGER = "arn:aws:secretsmanager:";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A JSON key the secret's value lacks. */
    static final class MissingKey extends Exception {
        private static final long serialVersionUID = 1L;

        MissingKey(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * One secret of a container.
     *
     * @param secretId the secret's ARN (without the JSON key and version parts)
     * @param jsonKey the key of the secret's JSON value to take, or {@code null} for the whole value
     */
    record Reference(String name, String secretId, String jsonKey, String versionStage, String versionId,
                     boolean parameter) {
        /** The Region of the secret: its ARN's. */
        String region(String taskRegion) {
            String[] parts = secretId.split(":");
            return parts.length > 3 && !parts[3].isEmpty() ? parts[3] : taskRegion;
        }

        /** The value the variable gets: the whole secret, or one key of its JSON. */
        String select(String value) throws MissingKey {
            if (jsonKey == null) {
                return value;
            }
            try {
                JsonNode json = JSON.readTree(value);
                JsonNode field = json == null ? null : json.get(jsonKey);
                if (field == null) {
                    throw new MissingKey("retrieved secret from Secrets Manager did not contain json key " + jsonKey);
                }
                return field.isTextual() ? field.asText() : field.toString();
            } catch (IOException e) {
                throw new MissingKey("retrieved secret from Secrets Manager is not JSON, so it has no json key "
                        + jsonKey);
            }
        }
    }

    private ContainerSecrets() {}

    static List<Reference> of(JsonNode definition) {
        List<Reference> out = new ArrayList<>();
        for (JsonNode secret : definition.path("secrets")) {
            parse(secret.path("name").asText(), secret.path("valueFrom").asText()).ifPresent(out::add);
        }
        return out;
    }

    /** A {@code valueFrom}: a Secrets Manager secret's ARN, else a parameter's name or ARN; empty when neither. */
    static Optional<Reference> parse(String name, String valueFrom) {
        if (!valueFrom.startsWith(SECRETS_MANAGER)) {
            boolean parameter = valueFrom.startsWith("arn:aws:ssm:") ? valueFrom.contains(":parameter/")
                    : !valueFrom.startsWith("arn:") && !valueFrom.isEmpty();
            return parameter ? Optional.of(new Reference(name, valueFrom, null, null, null, true)) : Optional.empty();
        }
        String[] parts = valueFrom.split(":", -1);
        if (parts.length < 7 || parts.length > 10 || !parts[5].equals("secret") || parts[6].isEmpty()) {
            return Optional.empty();
        }
        String secretId = String.join(":", java.util.Arrays.copyOfRange(parts, 0, 7));
        return Optional.of(new Reference(name, secretId, part(parts, 7), part(parts, 8), part(parts, 9), false));
    }

    private static String part(String[] parts, int index) {
        return parts.length > index && !parts[index].isEmpty() ? parts[index] : null;
    }

    /** Why a definition's {@code secrets} cannot be registered, or empty (ECS requires the execution role for them). */
    static Optional<String> invalid(List<? extends JsonNode> containers, String executionRoleArn) {
        for (JsonNode container : containers) {
            for (JsonNode secret : container.path("secrets")) {
                if (executionRoleArn == null) {
                    return Optional.of("When you are specifying container secrets, you must also specify a value for"
                            + " 'executionRoleArn'.");
                }
                if (secret.path("name").asText("").isEmpty() || secret.path("valueFrom").asText("").isEmpty()) {
                    return Optional.of("Container '" + container.path("name").asText() + "': every secret needs a name"
                            + " and a valueFrom.");
                }
            }
        }
        return Optional.empty();
    }

    /** A secret RunTask cannot provide: a {@code valueFrom} that is neither a secret's ARN nor a parameter. */
    static Optional<String> unsupported(TaskDefinition definition) {
        for (JsonNode container : definition.document().path("containerDefinitions")) {
            for (JsonNode secret : container.path("secrets")) {
                String valueFrom = secret.path("valueFrom").asText();
                if (parse(secret.path("name").asText(), valueFrom).isEmpty()) {
                    return Optional.of("Container " + container.path("name").asText() + " takes secret "
                            + secret.path("name").asText() + " from " + valueFrom + ", which is neither a Secrets"
                            + " Manager secret's ARN nor a Parameter Store parameter's name or ARN.");
                }
            }
        }
        return Optional.empty();
    }
}
