package dev.crossrole.server.protocol;

import dev.crossrole.server.model.OperationModel;
import java.util.ArrayList;
import java.util.List;

/**
 * An operation's input as every caller of a provider gets it (the pipeline, and tests that call a provider without
 * HTTP): read by the protocol's codec from the operation's input shape, then checked against the model's
 * constraints. Values of the wrong type and constraint failures are reported together, as one error of the given
 * code, before anything runs.
 */
public final class OperationInput {
    private OperationInput() {}

    /** A Query operation's input; {@code null} for an operation whose model has no input. */
    public static Input fromQuery(OperationModel operation, QueryParams params, String validationErrorCode) {
        if (operation.input() == null) {
            return null;
        }
        List<String> failures = new ArrayList<>();
        Input input = QueryInput.read(operation.input(), params, failures);
        return checked(input, failures, validationErrorCode);
    }

    /** A JSON operation's input; {@code null} for an operation whose model has no input. */
    public static Input fromJson(OperationModel operation, byte[] body, String validationErrorCode) {
        if (operation.input() == null) {
            return null;
        }
        return checked(JsonInput.read(operation.input(), body), new ArrayList<>(), validationErrorCode);
    }

    private static Input checked(Input input, List<String> failures, String validationErrorCode) {
        failures.addAll(InputValidation.failures(input));
        if (!failures.isEmpty()) {
            throw new AwsException(validationErrorCode, 400, InputValidation.message(failures));
        }
        return input;
    }
}
