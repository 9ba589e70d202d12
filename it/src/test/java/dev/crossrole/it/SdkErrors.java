package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** Any service's error through an SDK for Java v2 client: its HTTP status, code and (when given) message. */
final class SdkErrors {
    private SdkErrors() {}

    /** The call fails with {@code status} and {@code code}, and with {@code message} unless it is {@code null}. */
    static AwsServiceException assertError(int status, String code, String message, Executable call) {
        AwsServiceException e = assertThrows(AwsServiceException.class, call);
        assertEquals(status, e.statusCode(), e.toString());
        assertEquals(code, e.awsErrorDetails().errorCode(), e.toString());
        if (message != null) {
            assertEquals(message, e.awsErrorDetails().errorMessage());
        }
        return e;
    }
}
