package dev.crossrole.server.ecs;

import dev.crossrole.server.protocol.AwsException;

/** ECS's error vocabulary: every client error is HTTP 400 (ECS error shapes carry no status), server errors 500. */
public final class EcsErrors {
    private EcsErrors() {}

    public static AwsException client(String message) {
        return new AwsException("ClientException", 400, message);
    }

    public static AwsException invalidParameter(String message) {
        return new AwsException("InvalidParameterException", 400, message);
    }

    public static AwsException clusterNotFound() {
        return new AwsException("ClusterNotFoundException", 400, "Cluster not found.");
    }

    public static AwsException clusterContainsTasks() {
        return new AwsException("ClusterContainsTasksException", 400,
                "The Cluster cannot be deleted while Tasks are active.");
    }

    public static AwsException accessDenied(String message) {
        return new AwsException("AccessDeniedException", 400, message);
    }
}
