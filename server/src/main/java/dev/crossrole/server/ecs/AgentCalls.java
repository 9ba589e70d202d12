package dev.crossrole.server.ecs;

import dev.crossrole.server.sts.TemporaryCredentials;

/**
 * The calls ECS's agent makes on a task's behalf before its containers start, as the holder of the task execution
 * role's credentials and through crossrole's own endpoint, so that the role's policies and the resources' policies
 * decide: reading environment files from S3 and secrets from Secrets Manager and Parameter Store, and writing the
 * containers' output to CloudWatch Logs ({@code awslogs}).
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

    /** Why a call failed: the service's error code and message, or what went wrong on the way. */
    final class CallFailure extends Exception {
        private static final long serialVersionUID = 1L;

        public CallFailure(String message) {
            super(message, null, false, false);
        }
    }
}
