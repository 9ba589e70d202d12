package dev.crossrole.server.service;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A service spoken in awsJson1_1 (ECS). */
public interface JsonService {
    String signingName();

    /** The {@code X-Amz-Target} prefix ({@code AmazonEC2ContainerServiceV20141113}). */
    String targetPrefix();

    boolean hasOperation(String operation);

    PreparedCall prepare(String operation, Call call, ObjectNode input);

    /** The error code of an authorization denial in this service ({@code AccessDeniedException}). */
    default String accessDeniedCode() {
        return "AccessDeniedException";
    }
}
