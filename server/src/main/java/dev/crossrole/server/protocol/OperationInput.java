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
        return fromQuery(operation, params, validationErrorCode, InputValidation.Wording.GENERIC);
    }

    /** A Query operation's input, pattern failures worded as the service words them. */
    public static Input fromQuery(OperationModel operation, QueryParams params, String validationErrorCode,
                                  InputValidation.Wording wording) {
        if (operation.input() == null) {
            return null;
        }
        List<String> failures = new ArrayList<>();
        Input input = QueryInput.read(operation.input(), params, failures);
        return checked(input, failures, validationErrorCode, wording);
    }

    /** A JSON operation's input; {@code null} for an operation whose model has no input. */
    public static Input fromJson(OperationModel operation, byte[] body, String validationErrorCode) {
        return fromJson(operation, body, validationErrorCode, InputValidation.Wording.GENERIC);
    }

    /** A JSON operation's input, pattern failures worded as the service words them. */
    public static Input fromJson(OperationModel operation, byte[] body, String validationErrorCode,
                                 InputValidation.Wording wording) {
        return fromJson(operation, body, validationErrorCode, wording, InputValidation::message);
    }

    /** A JSON operation's input, failures worded as the service words them. */
    public static Input fromJson(OperationModel operation, byte[] body, String validationErrorCode,
                                 InputValidation.Wording wording,
                                 java.util.function.Function<List<String>, String> message) {
        if (operation.input() == null) {
            return null;
        }
        return checked(JsonInput.read(operation.input(), body), new ArrayList<>(), validationErrorCode,
                wording, message);
    }

    private static Input checked(Input input, List<String> failures, String validationErrorCode,
                                 InputValidation.Wording wording) {
        return checked(input, failures, validationErrorCode, wording, InputValidation::message);
    }

    private static Input checked(Input input, List<String> failures, String validationErrorCode,
                                 InputValidation.Wording wording,
                                 java.util.function.Function<List<String>, String> message) {
        InputValidation.Findings findings = InputValidation.check(input, wording);
        failures.addAll(findings.failures());
        if (!failures.isEmpty()) {
            throw new AwsException(validationErrorCode, 400, message.apply(failures));
        }
        if (!findings.worded().isEmpty()) {
            // A service's own wording stands alone, and only when nothing else failed.
            throw new AwsException(validationErrorCode, 400, findings.worded().get(0));
        }
        return input;
    }
}
