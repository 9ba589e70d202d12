package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * S3 CORS and lifecycle configuration with boto3 ({@code boto3/s3_cors_lifecycle.py}): put_bucket_cors and
 * put_bucket_lifecycle_configuration (with the Content-MD5 or checksum botocore adds) read back as put, S3's refusals
 * changing nothing, a preflight, and the {@code x-amz-expiration} botocore parses into {@code Expiration}.
 */
class S3CorsLifecycleBoto3Test {
    static TestCrossrole crossrole;
    static JsonNode out;

    @BeforeAll
    static void run() throws Exception {
        crossrole = new TestCrossrole();
        out = Boto3Script.run(crossrole, "/boto3/s3_cors_lifecycle.py", 90);
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    @Test
    void corsIsPutReadRefusedAndAnswered() {
        assertAll(
                () -> assertEquals("NoSuchCORSConfiguration", out.path("noCors").path("code").asText()),
                () -> assertEquals(404, out.path("noCors").path("status").asInt()),
                () -> assertEquals("[{\"ID\":\"web\",\"AllowedHeaders\":[\"*\"],\"AllowedMethods\":[\"GET\",\"PUT\"],"
                        + "\"AllowedOrigins\":[\"https://app.example.com\"],\"ExposeHeaders\":[\"ETag\"],"
                        + "\"MaxAgeSeconds\":120}]", out.path("cors").toString()),
                () -> assertEquals("InvalidRequest", out.path("badMethod").path("code").asText()),
                () -> assertEquals("web", out.path("corsAfterRefusal").asText()),
                () -> assertEquals(200, out.path("preflight").path("status").asInt(), out.toString()),
                () -> assertEquals("https://app.example.com", out.path("preflight").path("origin").asText()),
                () -> assertEquals("GET, PUT", out.path("preflight").path("methods").asText()),
                () -> assertEquals("content-type", out.path("preflight").path("headers").asText()),
                () -> assertEquals("120", out.path("preflight").path("maxAge").asText()));
    }

    @Test
    void lifecycleIsPutReadRefusedAndAnnounced() {
        assertAll(
                () -> assertEquals("NoSuchLifecycleConfiguration", out.path("noLifecycle").path("code").asText()),
                // In the order of the model's members, as the document is written.
                () -> assertEquals("[{\"Expiration\":{\"Days\":7},\"ID\":\"logs\",\"Filter\":{\"Prefix\":\"logs/\"},"
                        + "\"Status\":\"Enabled\",\"AbortIncompleteMultipartUpload\":{\"DaysAfterInitiation\":2}},"
                        + "{\"ID\":\"big\",\"Filter\":{\"ObjectSizeGreaterThan\":1048576},\"Status\":\"Enabled\","
                        + "\"Transitions\":[{\"Days\":30,\"StorageClass\":\"GLACIER\"}]}]",
                        out.path("lifecycle").toString()),
                () -> assertEquals("InvalidArgument", out.path("zeroDays").path("code").asText()),
                () -> assertEquals("'Days' for Expiration action must be a positive integer",
                        out.path("zeroDays").path("message").asText()),
                () -> assertEquals("[\"logs\",\"big\"]", out.path("lifecycleAfterRefusal").toString()),
                () -> assertTrue(out.path("putExpiration").asText().endsWith("rule-id=\"logs\""), out.toString()),
                () -> assertEquals(out.path("putExpiration"), out.path("headExpiration")),
                () -> assertTrue(out.path("otherExpiration").isNull(), out.toString()),
                () -> assertEquals("[\"NoSuchLifecycleConfiguration\",\"NoSuchCORSConfiguration\"]",
                        out.path("deleted").toString()));
    }
}
