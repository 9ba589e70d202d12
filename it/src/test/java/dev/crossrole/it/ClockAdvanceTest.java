package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * The admin clock ({@code /_crossrole/clock}): moved forward, what AWS does after days happens now — a lifecycle
 * rule expires its objects before the answer, temporary credentials expire — and bad requests move nothing.
 */
class ClockAdvanceTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestCrossrole crossrole;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        token = Files.readString(crossrole.dataDir.resolve("admin-token")).trim();
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    private static HttpResponse<String> clock(String method, String query, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(crossrole.endpoint() + "/_crossrole/clock"
                + (query == null ? "" : "?" + query))).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long offsetSeconds() throws Exception {
        HttpResponse<String> shown = clock("GET", null, token);
        assertEquals(200, shown.statusCode(), shown.body());
        return JSON.readTree(shown.body()).path("offsetSeconds").asLong();
    }

    @Test
    void advancingTheClockAppliesLifecycleRulesAndExpiresCredentials() throws Exception {
        S3Client s3 = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        s3.createBucket(b -> b.bucket("clock-rules"));
        s3.putBucketLifecycleConfiguration(b -> b.bucket("clock-rules").lifecycleConfiguration(c -> c.rules(r -> r
                .id("tmp").status(ExpirationStatus.ENABLED).filter(f -> f.prefix("tmp/"))
                .expiration(e -> e.days(1)))));
        s3.putObject(b -> b.bucket("clock-rules").key("tmp/scratch"), RequestBody.fromString("gone soon"));
        s3.putObject(b -> b.bucket("clock-rules").key("keep/report"), RequestBody.fromString("kept"));
        Credentials session = crossrole.sts(crossrole.adminCredentials(DESTINATION))
                .getSessionToken(b -> b.durationSeconds(900)).credentials();
        S3Client temporary = S3Sdk.pathStyle(crossrole, TestCrossrole.session(session));
        assertEquals(2, temporary.listObjectsV2(b -> b.bucket("clock-rules")).keyCount());

        long before = offsetSeconds();
        HttpResponse<String> moved = clock("POST", "advance=P3D", token);
        assertEquals(200, moved.statusCode(), moved.body());
        JsonNode now = JSON.readTree(moved.body());
        assertEquals(before + 3 * 86_400, now.path("offsetSeconds").asLong());
        assertTrue(Instant.parse(now.path("now").asText()).isAfter(Instant.now().plus(Duration.ofDays(2))));

        // The lifecycle pass ran before the answer: the rule's object is gone, the other kept.
        assertError(404, "NoSuchKey", null, () -> s3.getObject(b -> b.bucket("clock-rules").key("tmp/scratch")));
        assertEquals("kept", s3.getObjectAsBytes(b -> b.bucket("clock-rules").key("keep/report")).asUtf8String());
        // Clients still sign with the real time, which the signature check holds them to: boto3 (which, unlike the
        // SDK for Java v2, never corrects its clock by the server's) works as before.
        assertTrue(Boto3Script.run(crossrole, "/boto3/list_buckets.py", 60).toString().contains("\"clock-rules\""));
        // The 15-minute session ended days ago.
        assertError(400, "ExpiredToken", null, () -> temporary.listObjectsV2(b -> b.bucket("clock-rules")));
        s3.close();
        temporary.close();
    }

    @Test
    void badRequestsMoveNothing() throws Exception {
        long before = offsetSeconds();
        for (String query : new String[] {"advance=P-1D", "advance=PT0S", "advance=tomorrow", "advance=", null}) {
            HttpResponse<String> refused = clock("POST", query, token);
            assertEquals(400, refused.statusCode(), query + ": " + refused.body());
        }
        assertEquals(405, clock("PUT", "advance=P1D", token).statusCode());
        HttpResponse<String> tokenless = clock("POST", "advance=P1D", null);
        assertEquals(401, tokenless.statusCode(), tokenless.body());
        assertEquals(403, clock("POST", "advance=P1D", "not-the-token").statusCode());
        assertEquals(before, offsetSeconds());
    }
}
