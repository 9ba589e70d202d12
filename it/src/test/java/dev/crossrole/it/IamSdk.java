package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.IamException;

/** The IAM client of the AWS SDK for Java v2 against crossrole, and IAM's error vocabulary for assertions. */
final class IamSdk {
    private IamSdk() {}

    /** An IAM client signing with {@code credentials}; region {@code aws-global} as the SDK uses for IAM. */
    static IamClient iam(TestCrossrole crossrole, AwsCredentialsProvider credentials) {
        return IamClient.builder()
                .endpointOverride(URI.create(crossrole.endpoint()))
                .region(Region.AWS_GLOBAL)
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create())
                // Throttling/5xx retries would only slow a failing test down.
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    /** Runs an IAM call that must fail and returns its exception. */
    static IamException fails(Executable call) {
        return assertThrows(IamException.class, call);
    }

    /** AWS's error: code, HTTP status and message, with a request id. */
    static void assertError(AwsServiceException e, int status, String code, String message) {
        assertAll(
                () -> assertEquals(code, e.awsErrorDetails().errorCode(), "error code"),
                () -> assertEquals(message, e.awsErrorDetails().errorMessage(), "error message"),
                () -> assertEquals(status, e.statusCode(), "HTTP status"),
                () -> assertNotNull(e.requestId(), "request id"));
    }

    static void assertError(Executable call, int status, String code, String message) {
        assertError(fails(call), status, code, message);
    }

    /** IAM returns policy documents URL-encoded; this is what an SDK for Java user does with them. */
    static String decode(String document) {
        assertNotNull(document, "policy document");
        return URLDecoder.decode(document, StandardCharsets.UTF_8);
    }

    static String notAuthorized(String caller, String action, String resource) {
        return "User: " + caller + " is not authorized to perform: " + action + " on resource: " + resource
                + " because no identity-based policy allows the " + action + " action";
    }

    /** {@code 1 validation error detected: Value 'v' at 'member' failed to satisfy constraint: <constraint>}. */
    static String validation(String value, String member, String constraint) {
        return "1 validation error detected: Value '" + value + "' at '" + member + "' failed to satisfy constraint: "
                + constraint;
    }
}
