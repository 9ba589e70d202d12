package dev.crossrole.it;

import static dev.crossrole.it.Docs.allow;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Presigned GET and PUT URLs made by the SDK's S3Presigner, used by a plain HTTP client; expiry and tampering. */
class S3PresignSdkTest {
    private static TestCrossrole crossrole;
    private static MutableClock clock;
    private static S3Client owner;
    private static S3Presigner presigner;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        clock = MutableClock.frozenNow();
        crossrole = new TestCrossrole(clock);
        owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        presigner = S3Sdk.presigner(crossrole, crossrole.adminCredentials(DESTINATION));
        owner.createBucket(b -> b.bucket("presigned"));
        owner.putObject(b -> b.bucket("presigned").key("report.txt"), RequestBody.fromString("shared by link"));
    }

    @AfterAll
    static void stop() throws IOException {
        presigner.close();
        crossrole.close();
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI presignGet(S3Presigner signer, String key, Duration validity) throws Exception {
        return signer.presignGetObject(p -> p.signatureDuration(validity)
                .getObjectRequest(g -> g.bucket("presigned").key(key))).url().toURI();
    }

    @Test
    void aPresignedGetReadsTheObject() throws Exception {
        HttpResponse<String> response = get(presignGet(presigner, "report.txt", Duration.ofMinutes(10)));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("shared by link", response.body());
    }

    @Test
    void aPresignedPutWritesTheObject() throws Exception {
        URI uri = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(10))
                .putObjectRequest(r -> r.bucket("presigned").key("uploaded.txt"))).url().toURI();
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(uri)
                .PUT(HttpRequest.BodyPublishers.ofString("sent without credentials")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        assertEquals("sent without credentials", owner.getObjectAsBytes(b -> b.bucket("presigned").key("uploaded.txt"))
                .asUtf8String());
    }

    @Test
    void anExpiredUrlIsRefusedWithS3sError() throws Exception {
        URI uri = presignGet(presigner, "report.txt", Duration.ofSeconds(60));
        assertEquals(200, get(uri).statusCode());
        clock.advance(Duration.ofSeconds(120));
        try {
            HttpResponse<String> expired = get(uri);
            assertEquals(403, expired.statusCode());
            assertTrue(expired.body().contains("<Code>AccessDenied</Code><Message>Request has expired</Message>"),
                    expired.body());
            assertTrue(expired.body().contains("<X-Amz-Expires>60</X-Amz-Expires>"), expired.body());
        } finally {
            clock.advance(Duration.ofSeconds(-120));
        }
    }

    @Test
    void aTamperedUrlDoesNotVerify() throws Exception {
        String url = presignGet(presigner, "report.txt", Duration.ofMinutes(5)).toString();
        HttpResponse<String> otherKey = get(URI.create(url.replace("/report.txt", "/uploaded.txt")));
        assertEquals(403, otherKey.statusCode());
        assertTrue(otherKey.body().contains("<Code>SignatureDoesNotMatch</Code>"), otherKey.body());
    }

    @Test
    void aUrlCarriesOnlyItsSignersPermissions() throws Exception {
        var key = crossrole.user(DESTINATION, "lister", Map.of("list", allow("arn:aws:s3:::presigned", "s3:ListBucket")));
        try (S3Presigner lister = S3Sdk.presigner(crossrole, TestCrossrole.credentials(key))) {
            HttpResponse<String> denied = get(presignGet(lister, "report.txt", Duration.ofMinutes(5)));
            assertEquals(403, denied.statusCode());
            assertTrue(denied.body().contains("<Code>AccessDenied</Code>"), denied.body());
        }
        // Temporary credentials work too: the session token travels in the signed query.
        var session = crossrole.sts(crossrole.adminCredentials(DESTINATION)).getSessionToken().credentials();
        try (S3Presigner temporary = S3Sdk.presigner(crossrole, TestCrossrole.session(session))) {
            URI uri = presignGet(temporary, "report.txt", Duration.ofMinutes(5));
            assertTrue(uri.getRawQuery().contains("X-Amz-Security-Token="));
            assertEquals("shared by link", get(uri).body());
        }
    }
}
