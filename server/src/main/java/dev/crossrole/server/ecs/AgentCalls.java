package dev.crossrole.server.ecs;

import dev.crossrole.server.sts.TemporaryCredentials;

/**
 * The calls ECS's agent makes on a task's behalf before its containers start, as the holder of the task execution
 * role's credentials and through crossrole's own endpoint, so that the role's policies and the resources' policies
 * decide: reading environment files from S3 and secrets from Secrets Manager and Parameter Store, pulling ECR
 * images, and writing the containers' output to CloudWatch Logs ({@code awslogs}).
 */
public interface AgentCalls {
    /** An S3 object's content. */
    byte[] readObject(TemporaryCredentials credentials, String region, String bucket, String key) throws CallFailure;

    /**
     * A secret's value ({@code SecretString}, or {@code SecretBinary} as UTF-8).
     *
     * @param versionStage the staging label, or {@code null}
     * @param versionId the version, or {@code null}
     */
    String secretValue(TemporaryCredentials credentials, String region, String secretId, String versionStage,
                       String versionId) throws CallFailure;

    /** A Parameter Store parameter's value, decrypted ({@code name} is its name or ARN, with an optional selector). */
    String parameterValue(TemporaryCredentials credentials, String region, String name) throws CallFailure;

    /** One line of a container's output, for CloudWatch Logs. */
    record LogLine(long timestamp, String message) {}

    /** Creates a log group ({@code awslogs-create-group}); one that exists already is no failure. */
    void createLogGroup(TemporaryCredentials credentials, String region, String group) throws CallFailure;

    /** Creates a log stream; one that exists already is no failure. */
    void createLogStream(TemporaryCredentials credentials, String region, String group, String stream)
            throws CallFailure;

    /** Sends lines (in time order, within PutLogEvents' limits) to a log stream. */
    void putLogEvents(TemporaryCredentials credentials, String region, String group, String stream,
                      java.util.List<LogLine> lines) throws CallFailure;

    /**
     * ECR's {@code GetAuthorizationToken} in {@code region}: the registry's Basic credentials (base64 of
     * {@code AWS:<password>}).
     */
    default String registryAuthorization(TemporaryCredentials credentials, String region) throws CallFailure {
        throw new CallFailure("ECR is not served here");
    }

    /**
     * Pulls an ECR image from crossrole's registry with {@code authorization}, as the agent's pull does: the manifest
     * (the platform's, from a list), the config, and every layer, each checked against its digest.
     *
     * @param folder where the layers are written; {@code null} to pull nothing but ask for each layer (one byte of
     *     it) as a pull would, for a runtime that runs no images but must be refused as ECS refuses a pull
     * @throws PullFailure when the registry refuses, or its answer is not the image named
     */
    default dev.crossrole.server.tasks.PulledImage pullImage(String authorization, EcrImage image,
                                                              java.nio.file.Path folder) throws CallFailure {
        throw new CallFailure("ECR is not served here");
    }

    /**
     * A pull that failed, in the words of the container runtime, while resolving the image's manifest or later while
     * copying its blobs (ECS words the two differently).
     */
    final class PullFailure extends CallFailure {
        private static final long serialVersionUID = 1L;
        private final boolean resolving;

        public PullFailure(boolean resolving, String message) {
            super(message);
            this.resolving = resolving;
        }

        /** Whether the manifest could not be had (else a blob could not). */
        public boolean resolving() {
            return resolving;
        }
    }

    /** Why a call failed: the service's error code and message, or what went wrong on the way. */
    class CallFailure extends Exception {
        private static final long serialVersionUID = 1L;

        public CallFailure(String message) {
            super(message, null, false, false);
        }
    }
}
