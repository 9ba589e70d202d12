package dev.crossrole.server.service;

import dev.crossrole.server.model.ShapeModel;

/**
 * A service crossrole serves: which model it implements, and its operations, registered by their model names. The
 * wire (protocol, input reading, validation, output writing) is the pipeline's, driven by the model.
 */
public interface ServiceProvider {
    /** The model's directory name ({@code iam}, {@code ecs}). */
    String modelId();

    /** Binds every operation the provider implements: {@code operations.on("PutRolePolicy", this::putRolePolicy, …)}. */
    void register(OperationTable operations);

    /**
     * For a JSON service that is {@code awsQueryCompatible} (SQS), the Query code of an error it answers, sent in the
     * {@code x-amzn-query-error} header; {@code null} for services that are not.
     */
    default String queryErrorCode(dev.crossrole.server.protocol.AwsException error) {
        return null;
    }

    /**
     * For a JSON service that also serves its older Query protocol (SQS), how: a Query request read into the JSON
     * body of the same call, and the output written as the service's XML; {@code null} for services that do not.
     */
    default QueryCompatibility queryCompatibility() {
        return null;
    }

    /** The Query protocol of a JSON service (see {@link #queryCompatibility()}). */
    interface QueryCompatibility {
        String namespace();

        byte[] input(dev.crossrole.server.model.OperationModel operation,
                     dev.crossrole.server.protocol.QueryParams params);

        byte[] output(dev.crossrole.server.model.OperationModel operation, dev.crossrole.server.protocol.Shape result,
                      String requestId);
    }

    /** The HTTP status of an authorization denial over the JSON protocol: 400, but SQS keeps its Query status, 403. */
    default int jsonAccessDeniedStatus() {
        return 400;
    }

    /** The error code of an authorization denial in this service. */
    default String accessDeniedCode() {
        return "AccessDenied";
    }

    /**
     * An authorization denial's message as the service words it, given the engine's: SNS names its actions in capitals
     * ({@code SNS:Publish}).
     */
    default String accessDeniedMessage(String message) {
        return message;
    }

    /** The code of an input that fails its model's constraints: Query services' {@code ValidationError}. */
    default String validationErrorCode() {
        return "ValidationError";
    }

    /**
     * The message of an input that fails its model's constraints, given the failures in the generic wording ("Value
     * 'a' at 'repositoryName' failed to satisfy constraint: Member must have length greater than or equal to 2"):
     * "1 validation error detected: …" unless the service words them its own way (ECR).
     */
    default String validationMessage(java.util.List<String> failures) {
        return dev.crossrole.server.protocol.InputValidation.message(failures);
    }

    /**
     * The service's own message for a value that fails its shape's pattern, reported alone when nothing else failed
     * (IAM: "The specified value for roleName is invalid. …"); {@code null} for the generic wording.
     *
     * @param path the member as messages name it ({@code roleName})
     */
    default String patternFailure(String path, ShapeModel shape) {
        return null;
    }

    /**
     * Whether a member is held to its shape's enum: yes, unless the service takes values its model's enum lacks (SQS's
     * ReceiveMessage {@code AttributeNames}, which takes the message system attribute names).
     */
    default boolean checksEnum(String path, ShapeModel shape) {
        return true;
    }

    /** The service's wording of input failures, for the input checks. */
    default dev.crossrole.server.protocol.InputValidation.Wording wording() {
        ServiceProvider provider = this;
        return new dev.crossrole.server.protocol.InputValidation.Wording() {
            @Override
            public String patternFailure(String path, ShapeModel shape) {
                return provider.patternFailure(path, shape);
            }

            @Override
            public boolean checksEnum(String path, ShapeModel shape) {
                return provider.checksEnum(path, shape);
            }
        };
    }
}
