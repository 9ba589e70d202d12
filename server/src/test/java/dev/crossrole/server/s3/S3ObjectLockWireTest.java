package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.CrossroleServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Object Lock on the wire: a PutObject that locks its version needs Content-MD5 or a flexible checksum (else S3's
 * InvalidRequest, and nothing is written), and the documents and headers S3 writes for it.
 */
class S3ObjectLockWireTest {
    private static final String NAMESPACE = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        S3WireTest.server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0));
        S3WireTest.admin = S3WireTest.server.profiles().stream()
                .filter(p -> p.account().id().equals("555566667777")).findFirst().orElseThrow();
    }

    @AfterAll
    static void stop() {
        S3WireTest.server.close();
    }

    private static S3WireTest.Response send(String method, String path, String query,
                                            List<Map.Entry<String, String>> headers, String body) throws IOException {
        return S3WireTest.send(S3WireTest.signed(method, path, query, headers, body.getBytes(StandardCharsets.UTF_8),
                false));
    }

    private static String md5(String body) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5")
                .digest(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aLockingPutWithoutIntegrityIsRefusedAndWritesNothing() throws Exception {
        assertEquals(200, send("PUT", "/wire-lock", null, List.of(Map.entry("x-amz-bucket-object-lock-enabled",
                "true")), "").status());
        String until = Instant.now().plus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        List<Map.Entry<String, String>> lock = List.of(Map.entry("x-amz-object-lock-mode", "GOVERNANCE"),
                Map.entry("x-amz-object-lock-retain-until-date", until));
        S3WireTest.Response refused = send("PUT", "/wire-lock/k", null, lock, "body");
        assertEquals(400, refused.status(), refused.text());
        assertTrue(refused.text().contains("<Code>InvalidRequest</Code><Message>Content-MD5 OR x-amz-checksum- HTTP"
                + " header is required for Put Object requests with Object Lock parameters</Message>"), refused.text());
        assertEquals(404, send("HEAD", "/wire-lock/k", null, List.of(), "").status());
        // Without lock parameters (and no default retention) none is needed.
        assertEquals(200, send("PUT", "/wire-lock/plain", null, List.of(), "body").status());

        List<Map.Entry<String, String>> withMd5 = new java.util.ArrayList<>(lock);
        withMd5.add(Map.entry("Content-MD5", md5("body")));
        S3WireTest.Response written = send("PUT", "/wire-lock/k", null, withMd5, "body");
        assertEquals(200, written.status(), written.text());
        S3WireTest.Response head = send("HEAD", "/wire-lock/k", null, List.of(), "");
        assertEquals("GOVERNANCE", head.header("x-amz-object-lock-mode"));
        assertEquals(until.replace("Z", ".000Z"), head.header("x-amz-object-lock-retain-until-date"));
        assertNull(head.header("x-amz-object-lock-legal-hold"));

        S3WireTest.Response retention = send("GET", "/wire-lock/k", "retention", List.of(), "");
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Retention " + NAMESPACE + "><Mode>GOVERNANCE</Mode>"
                + "<RetainUntilDate>" + until.replace("Z", ".000Z") + "</RetainUntilDate></Retention>",
                retention.text());

        // The bucket's default retention asks for it too.
        String configuration = "<ObjectLockConfiguration " + NAMESPACE + "><ObjectLockEnabled>Enabled"
                + "</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Days>1</Days></DefaultRetention>"
                + "</Rule></ObjectLockConfiguration>";
        assertEquals(200, send("PUT", "/wire-lock", "object-lock", List.of(Map.entry("Content-MD5",
                md5(configuration))), configuration).status());
        assertEquals(400, send("PUT", "/wire-lock/default", null, List.of(), "body").status());
        assertEquals(404, send("HEAD", "/wire-lock/default", null, List.of(), "").status());
        assertEquals(200, send("PUT", "/wire-lock/default", null, List.of(Map.entry("Content-MD5", md5("body"))),
                "body").status());
        assertEquals("COMPLIANCE", send("HEAD", "/wire-lock/default", null, List.of(), "")
                .header("x-amz-object-lock-mode"));
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ObjectLockConfiguration " + NAMESPACE + ">"
                + "<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode>"
                + "<Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>",
                send("GET", "/wire-lock", "object-lock", List.of(), "").text());
    }
}
