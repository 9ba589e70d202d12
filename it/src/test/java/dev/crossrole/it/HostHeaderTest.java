package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.auth.SigV4;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests must name a host crossrole serves: a web page whose name was re-pointed at 127.0.0.1 (DNS
 * rebinding) sends its own name, and is refused on every route — the admin API, the container endpoints and
 * every AWS API — before anything is read or changed.
 */
class HostHeaderTest {
    static TestCrossrole crossrole;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        port = URI.create(crossrole.endpoint()).getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    /** One raw HTTP/1.1 exchange, so the test chooses the Host header(s) itself. */
    record Raw(int status, String head, String body) {}

    static Raw exchange(int port, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            return new Raw(Integer.parseInt(text.substring(9, 12)), text.substring(0, split), text.substring(split + 4));
        }
    }

    static Raw get(String path, String... hostHeaders) throws Exception {
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\n");
        for (String host : hostHeaders) {
            request.append("Host: ").append(host).append("\r\n");
        }
        request.append("Authorization: Bearer ").append(crossrole.adminToken()).append("\r\nConnection: close\r\n\r\n");
        return exchange(port, request.toString());
    }

    @Test
    void theLoopbackNamesWithCrossrolesPortAreServed() throws Exception {
        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port, "[::1]:" + port)) {
            assertEquals(200, get("/_crossrole/accounts", host).status(), host);
        }
        // S3's virtual-hosted names: every name under .localhost is loopback (RFC 6761).
        for (String host : List.of("my-bucket.localhost:" + port, "my-bucket.s3.localhost:" + port,
                "my.dotted.bucket.s3.127.0.0.1:" + port, "my-bucket.s3-us-west-2.localhost:" + port)) {
            assertEquals(200, get("/_crossrole/health", host).status(), host);
        }
    }

    @Test
    void otherHostsAreRefusedOnTheAdminApiWithTheAcceptedNames() throws Exception {
        for (List<String> hosts : List.<List<String>>of(List.of("rebind.attacker.example:" + port), List.of("rebind.attacker.example"),
                List.of("localhost"), List.of("localhost:1"), List.of("127.0.0.1:" + (port + 1)),
                List.of("localhost.attacker.example:" + port), List.of("127.0.0.1.nip.io:" + port),
                List.of("bucket.s3.attacker.example:" + port))) {
            for (String path : List.of("/_crossrole/health", "/_crossrole/accounts", "/_crossrole/tasks")) {
                Raw refused = get(path, hosts.toArray(String[]::new));
                assertEquals(403, refused.status(), hosts + " " + path + ": " + refused.body());
                assertTrue(refused.body().contains("\"code\":\"InvalidHost\""), refused.body());
                assertTrue(refused.body().contains("127.0.0.1:" + port + ", localhost:" + port + ", [::1]:" + port),
                        "the refusal names what is served: " + refused.body());
                assertTrue(refused.body().contains("--allow-host"), refused.body());
                assertFalse(refused.body().contains("111122223333"), "no data: " + refused.body());
            }
        }
        // No Host, two of them, or one that is not host[:port]: HTTP/1.1 itself forbids these (RFC 9112 section
        // 3.2), and the listener answers 400 before any route sees the request.
        for (List<String> hosts : List.<List<String>>of(List.of("localhost:" + port + "x"), List.of(),
                List.of("localhost:" + port, "rebind.attacker.example:" + port),
                List.of("localhost:" + port, "localhost:" + port))) {
            for (String path : List.of("/_crossrole/health", "/_crossrole/accounts", "/_crossrole/tasks")) {
                Raw refused = get(path, hosts.toArray(String[]::new));
                assertEquals(400, refused.status(), hosts + " " + path + ": " + refused.body());
                assertFalse(refused.body().contains("111122223333"), "no data: " + refused.body());
            }
        }
    }

    @Test
    void awsApisRefuseOtherHostsInTheirOwnErrorShapeAndChangeNothing() throws Exception {
        Bootstrap.Profile admin = crossrole.admin(TestCrossrole.SOURCE);
        String evil = "rebind.attacker.example:" + port;

        // Query (IAM), correctly signed for the host it names: refused before authentication, nothing created.
        Raw iam = exchange(port, signed("POST", "/", null, evil, "iam", "us-east-1", admin,
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "Action=CreateRole&Version=2010-05-08&RoleName=rebound&AssumeRolePolicyDocument="
                        + RawAws.encode("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                        + "\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}")));
        assertEquals(403, iam.status(), iam.body());
        assertTrue(iam.body().contains("<Code>InvalidHost</Code>"), iam.body());
        assertTrue(iam.head().toLowerCase().contains("x-amzn-requestid:"), iam.head());
        assertTrue(crossrole.iam().role(TestCrossrole.SOURCE, "rebound").isEmpty(), "no role was created");

        // JSON (ECS).
        Raw ecs = exchange(port, signed("POST", "/", null, evil, "ecs", "us-east-1", admin,
                Map.of("Content-Type", "application/x-amz-json-1.1",
                        "X-Amz-Target", "AmazonEC2ContainerServiceV20141113.CreateCluster"), "{\"clusterName\":\"rebound\"}"));
        assertEquals(403, ecs.status(), ecs.body());
        assertTrue(ecs.body().contains("\"__type\":\"InvalidHost\""), ecs.body());

        // S3, signed: the bucket is not created; and anonymous.
        Raw s3 = exchange(port, signed("PUT", "/rebound-bucket", null, evil, "s3", "us-east-1", admin,
                Map.of("x-amz-content-sha256", SigV4.EMPTY_BODY_SHA256), ""));
        assertEquals(403, s3.status(), s3.body());
        assertTrue(s3.body().contains("<Code>InvalidHost</Code>"), s3.body());
        assertTrue(s3.head().toLowerCase().contains("x-amz-request-id:"), s3.head());
        Raw listed = exchange(port, signed("GET", "/", null, "127.0.0.1:" + port, "s3", "us-east-1", admin,
                Map.of("x-amz-content-sha256", SigV4.EMPTY_BODY_SHA256), ""));
        assertEquals(200, listed.status(), listed.body());
        assertFalse(listed.body().contains("rebound-bucket"), listed.body());
        Raw anonymous = exchange(port, "GET /some-bucket/key HTTP/1.1\r\nHost: some-bucket.s3.attacker.example:" + port
                + "\r\nConnection: close\r\n\r\n");
        assertEquals(403, anonymous.status(), anonymous.body());
        assertTrue(anonymous.body().contains("<Code>InvalidHost</Code>"), anonymous.body());

        // The container credentials endpoint.
        Raw credentials = exchange(port, "GET /v2/credentials/anything HTTP/1.1\r\nHost: " + evil
                + "\r\nAuthorization: token\r\nConnection: close\r\n\r\n");
        assertEquals(403, credentials.status(), credentials.body());
        assertTrue(credentials.body().contains("InvalidHost"), credentials.body());
    }

    @Test
    void allowHostAddsNamesAndRejectsWhatIsNotAName(@TempDir Path dir) throws Exception {
        ServeProcess serve = ServeProcess.start(dir, dir.resolve("data"), List.of(),
                "--allow-host", "crossrole.test", "--allow-host", "10.1.2.3,fd00::7");
        try {
            int servePort = URI.create(serve.endpoint()).getPort();
            for (String host : List.of("crossrole.test:" + servePort, "10.1.2.3:" + servePort, "[fd00::7]:" + servePort,
                    "bucket.s3.crossrole.test:" + servePort, "localhost:" + servePort)) {
                Raw served = exchange(servePort, "GET /_crossrole/health HTTP/1.1\r\nHost: " + host
                        + "\r\nConnection: close\r\n\r\n");
                assertEquals(200, served.status(), host + ": " + served.body());
            }
            Raw other = exchange(servePort, "GET /_crossrole/health HTTP/1.1\r\nHost: other.test:" + servePort
                    + "\r\nConnection: close\r\n\r\n");
            assertEquals(403, other.status(), other.body());
            assertTrue(other.body().contains("crossrole.test:" + servePort), other.body());
        } finally {
            serve.process().destroy();
            serve.process().waitFor();
        }
        for (String bad : List.of("http://crossrole.test", "crossrole.test:8080", "two words", "")) {
            Run refused = CrossroleCommand.run(dir, "serve", "--port", "0", "--data-dir", dir.resolve("bad").toString(),
                    "--allow-host", bad);
            assertEquals(2, refused.exit(), bad + ": " + refused);
            assertTrue(refused.stderr().contains("--allow-host"), refused.stderr());
        }
    }

    /** A request signed (SigV4 header form) for exactly the {@code host} it names. */
    static String signed(String method, String path, String rawQuery, String host, String service, String region,
                         Bootstrap.Profile profile, Map<String, String> headers, String body) {
        String amzDate = RawAws.amzDate(Instant.now());
        TreeMap<String, String> signedHeaders = new TreeMap<>();
        headers.forEach((k, v) -> signedHeaders.put(k.toLowerCase(), v));
        signedHeaders.put("host", host);
        signedHeaders.put("x-amz-date", amzDate);
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        String payloadHash = signedHeaders.getOrDefault("x-amz-content-sha256", SigV4.sha256Hex(payload));
        SigV4.Credential scope = new SigV4.Credential(profile.accessKeyId(), amzDate.substring(0, 8), region, service);
        String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts(method, path, rawQuery,
                new ArrayList<>(signedHeaders.entrySet()), payload), new ArrayList<>(signedHeaders.keySet()), payloadHash,
                !service.equals("s3"), false);
        String signature = SigV4.signature(SigV4.signingKey(profile.secretAccessKey(), scope.date(), region, service),
                SigV4.stringToSign(amzDate, scope, canonical));
        StringBuilder request = new StringBuilder(method + " " + path + (rawQuery == null ? "" : "?" + rawQuery)
                + " HTTP/1.1\r\n");
        signedHeaders.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
        request.append("Authorization: ").append(SigV4.ALGORITHM).append(" Credential=").append(profile.accessKeyId())
                .append('/').append(scope.scope()).append(", SignedHeaders=").append(String.join(";", signedHeaders.keySet()))
                .append(", Signature=").append(signature).append("\r\n");
        request.append("Content-Length: ").append(payload.length).append("\r\nConnection: close\r\n\r\n").append(body);
        return request.toString();
    }
}
