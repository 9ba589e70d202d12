package dev.crossrole.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.auth.SigV4;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signature authorizes only what it covers: headers added to a signed request after signing, a second
 * Authorization header, a repeated target, or a body left out of the signature never change what a
 * request does. Raw requests on a socket, since no AWS client sends these.
 */
class SignedHeadersWireTest {
    static final String ECS_TARGET = "AmazonEC2ContainerServiceV20141113.";

    @TempDir
    static Path dir;
    static CrossroleServer server;
    static Bootstrap.Profile admin;

    @BeforeAll
    static void start() throws Exception {
        server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0));
        admin = server.profiles().stream().filter(p -> p.account().id().equals("555566667777")).findFirst()
                .orElseThrow();
        Response created = send(request("PUT", "/signed-headers", null, "s3").signAll().build());
        assertEquals(200, created.status, created.text());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Response(int status, String head, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A request: the headers present when signing, those signed, and those added afterwards. */
    static final class Request {
        final String method;
        final String path;
        final String query;
        final String service;
        final List<Map.Entry<String, String>> headers = new ArrayList<>();
        final List<Map.Entry<String, String>> added = new ArrayList<>();
        List<String> signed;
        byte[] body = new byte[0];
        String payloadHash;
        String presignedQuery;

        Request(String method, String path, String query, String service) {
            this.method = method;
            this.path = path;
            this.query = query;
            this.service = service;
            headers.add(Map.entry("Host", "127.0.0.1:" + server.port()));
        }

        Request header(String name, String value) {
            headers.add(Map.entry(name, value));
            return this;
        }

        Request body(String text) {
            body = text.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /** Signs every header present now; x-amz-date (and S3's x-amz-content-sha256) are added first. */
        Request signAll() {
            prepare();
            signed = new ArrayList<>();
            for (Map.Entry<String, String> h : headers) {
                String name = h.getKey().toLowerCase(Locale.ROOT);
                if (!signed.contains(name)) {
                    signed.add(name);
                }
            }
            signed.sort(null);
            return this;
        }

        /** Signs only these (lower-case) header names. */
        Request signOnly(String... names) {
            prepare();
            signed = new ArrayList<>(List.of(names));
            signed.sort(null);
            return this;
        }

        private void prepare() {
            if (service.equals("s3")) {
                payloadHash = payloadHash == null ? SigV4.sha256Hex(body) : payloadHash;
                headers.add(Map.entry("x-amz-content-sha256", payloadHash));
            }
            headers.add(Map.entry("X-Amz-Date", SigV4.formatAmzDate(Instant.now())));
        }

        /** A header sent but not there when the request was signed. */
        Request after(String name, String value) {
            added.add(Map.entry(name, value));
            return this;
        }

        Request payloadHash(String hash) {
            payloadHash = hash;
            return this;
        }

        /** The wire bytes: signed head, then the headers added after signing. */
        byte[] build() {
            String amzDate = headers.stream().filter(h -> h.getKey().equals("X-Amz-Date")).findFirst().orElseThrow()
                    .getValue();
            SigV4.Credential scope = new SigV4.Credential(admin.accessKeyId(), amzDate.substring(0, 8), "us-east-1",
                    service);
            String hash = payloadHash != null ? payloadHash : SigV4.sha256Hex(body);
            String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts(method, path, query, headers, body),
                    signed, hash, !service.equals("s3"), false);
            String signature = SigV4.signature(SigV4.signingKey(admin.secretAccessKey(), scope.date(), scope.region(),
                    scope.service()), SigV4.stringToSign(amzDate, scope, canonical));
            StringBuilder head = new StringBuilder(method).append(' ').append(path)
                    .append(query == null ? "" : "?" + query).append(" HTTP/1.1\r\n");
            for (Map.Entry<String, String> h : headers) {
                head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            }
            head.append("Authorization: AWS4-HMAC-SHA256 Credential=").append(admin.accessKeyId()).append('/')
                    .append(scope.scope()).append(", SignedHeaders=").append(String.join(";", signed))
                    .append(", Signature=").append(signature).append("\r\n");
            for (Map.Entry<String, String> h : added) {
                head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            }
            return head.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    static Request request(String method, String path, String query, String service) {
        return new Request(method, path, query, service);
    }

    static Response send(byte[] head) throws IOException {
        return send(head, new byte[0]);
    }

    static Response send(Request request) throws IOException {
        return send(request.build(), request.body);
    }

    static Response send(byte[] head, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head);
            out.write(("Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            byte[] all = in.readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int bodyStart = text.indexOf("\r\n\r\n") + 4;
            return new Response(Integer.parseInt(text.substring(9, 12)), text.substring(0, bodyStart),
                    java.util.Arrays.copyOfRange(all, bodyStart, all.length));
        }
    }

    static Response getObject(String key) throws IOException {
        return send(request("GET", "/signed-headers/" + key, null, "s3").signAll());
    }

    // ---- S3 -------------------------------------------------------------------------------------

    @Test
    void s3RefusesXAmzHeadersAddedAfterSigningAndStoresNothing() throws IOException {
        Response refused = send(request("PUT", "/signed-headers/added", null, "s3").body("payload").signAll()
                .after("x-amz-meta-evil", "1").after("x-amz-tagging", "owner=mallory"));
        assertEquals(403, refused.status, refused.text());
        assertTrue(refused.text().contains("<Code>AccessDenied</Code>"), refused.text());
        assertTrue(refused.text().contains(
                "<Message>There were headers present in the request which were not signed</Message>"), refused.text());
        assertTrue(refused.text().contains("<HeadersNotSigned>x-amz-meta-evil, x-amz-tagging</HeadersNotSigned>"),
                refused.text());
        assertEquals(404, getObject("added").status, "nothing was stored");

        // The same request with those headers signed is stored with them.
        Response stored = send(request("PUT", "/signed-headers/added", null, "s3").body("payload")
                .header("x-amz-meta-evil", "1").header("x-amz-tagging", "owner=mallory").signAll());
        assertEquals(200, stored.status, stored.text());
        Response get = getObject("added");
        assertTrue(get.head.toLowerCase(Locale.ROOT).contains("x-amz-meta-evil: 1"), get.head);
    }

    @Test
    void s3TakesTheBucketFromHostOnlyWhenHostIsSigned() throws IOException {
        Response refused = send(request("GET", "/signed-headers", "list-type=2", "s3").signOnly("x-amz-content-sha256",
                "x-amz-date"));
        assertEquals(403, refused.status, refused.text());
        assertTrue(refused.text().contains("<HeadersNotSigned>host</HeadersNotSigned>"), refused.text());
    }

    @Test
    void s3LeavesAnUnsignedContentSha256Alone() throws IOException {
        // Its value is the payload hash line of the canonical request, signed that way (S3 accepts it unsigned).
        Response listed = send(request("GET", "/signed-headers", "list-type=2", "s3").signOnly("host", "x-amz-date"));
        assertEquals(200, listed.status, listed.text());
    }

    @Test
    void s3RefusesAnUnsignedTarget() throws IOException {
        Response refused = send(request("GET", "/signed-headers", "list-type=2", "s3").signAll()
                .after("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.CreateCluster"));
        assertEquals(403, refused.status, refused.text());
        assertTrue(refused.text().contains("<HeadersNotSigned>x-amz-target</HeadersNotSigned>"), refused.text());
    }

    @Test
    void presignedUrlsRefuseUnsignedXAmzHeaders() throws IOException {
        String amzDate = SigV4.formatAmzDate(Instant.now());
        SigV4.Credential scope = new SigV4.Credential(admin.accessKeyId(), amzDate.substring(0, 8), "us-east-1", "s3");
        String query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + admin.accessKeyId() + "%2F"
                + scope.scope().replace("/", "%2F") + "&X-Amz-Date=" + amzDate + "&X-Amz-Expires=300"
                + "&X-Amz-SignedHeaders=host";
        String path = "/signed-headers/presigned";
        List<Map.Entry<String, String>> headers = List.of(Map.entry("Host", "127.0.0.1:" + server.port()));
        String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts("PUT", path, query, headers, null),
                List.of("host"), SigV4.UNSIGNED_PAYLOAD, false, true);
        String signature = SigV4.signature(SigV4.signingKey(admin.secretAccessKey(), scope.date(), "us-east-1", "s3"),
                SigV4.stringToSign(amzDate, scope, canonical));
        String head = "PUT " + path + "?" + query + "&X-Amz-Signature=" + signature + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + server.port() + "\r\n";
        byte[] body = "presigned".getBytes(StandardCharsets.UTF_8);
        Response refused = send((head + "x-amz-acl: bucket-owner-full-control\r\nx-amz-meta-a: b\r\n")
                .getBytes(StandardCharsets.UTF_8), body);
        assertEquals(403, refused.status, refused.text());
        assertTrue(refused.text().contains("<HeadersNotSigned>x-amz-acl, x-amz-meta-a</HeadersNotSigned>"),
                refused.text());
        assertEquals(404, getObject("presigned").status);
        Response stored = send(head.getBytes(StandardCharsets.UTF_8), body);
        assertEquals(200, stored.status, stored.text());
    }

    @Test
    void twoAuthorizationHeadersAreRefusedNeverTheFirstUsed() throws IOException {
        Request put = request("PUT", "/signed-headers/two-auth", null, "s3").body("x").signAll()
                .after("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAOTHER/20260101/us-east-1/s3/aws4_request,"
                        + " SignedHeaders=host, Signature=00");
        Response refused = send(put);
        assertEquals(400, refused.status, refused.text());
        assertTrue(refused.text().contains("<Code>InvalidArgument</Code>"), refused.text());
        assertTrue(refused.text().contains("<Message>Only one auth mechanism allowed"), refused.text());
        assertTrue(refused.text().contains("<ArgumentName>Authorization</ArgumentName>"), refused.text());
        assertEquals(404, getObject("two-auth").status);

        // A header signature on a request that also carries a presigned query: also two mechanisms.
        Response both = send(request("GET", "/signed-headers", "X-Amz-Algorithm=AWS4-HMAC-SHA256", "s3").signAll());
        assertEquals(400, both.status, both.text());
        assertTrue(both.text().contains("<Code>InvalidArgument</Code>"), both.text());
    }

    @Test
    void s3RefusesARepeatedContentSha256() throws IOException {
        Request put = request("PUT", "/signed-headers/repeated", null, "s3").body("x").signAll()
                .after("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        Response refused = send(put);
        assertEquals(400, refused.status, refused.text());
        assertTrue(refused.text().contains("<ArgumentName>x-amz-content-sha256</ArgumentName>"), refused.text());
    }

    // ---- JSON (ECS) -----------------------------------------------------------------------------

    static Request ecs(String body) {
        return request("POST", "/", null, "ecs").header("Content-Type", "application/x-amz-json-1.1").body(body);
    }

    static String clusters() throws IOException {
        Response listed = send(ecs("{}").header("X-Amz-Target", ECS_TARGET + "ListClusters").signAll());
        assertEquals(200, listed.status, listed.text());
        return listed.text();
    }

    @Test
    void aTargetAddedAfterSigningIsRefusedAndCreatesNothing() throws IOException {
        Response refused = send(ecs("{\"clusterName\":\"smuggled\"}").signAll()
                .after("X-Amz-Target", ECS_TARGET + "CreateCluster"));
        assertEquals(403, refused.status, refused.text());
        assertTrue(refused.text().contains("\"__type\":\"InvalidSignatureException\""), refused.text());
        assertTrue(refused.text().contains("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."),
                refused.text());
        assertFalse(clusters().contains("smuggled"), "no cluster was created");
    }

    @Test
    void aRepeatedTargetIsRefusedWhetherSignedOrNot() throws IOException {
        // signed: ListClusters; sent first: CreateCluster
        Request signed = ecs("{\"clusterName\":\"twice\"}").header("X-Amz-Target", ECS_TARGET + "ListClusters")
                .signAll();
        String head = new String(signed.build(), StandardCharsets.UTF_8);
        int firstLine = head.indexOf("\r\n") + 2;
        String smuggled = head.substring(0, firstLine) + "X-Amz-Target: " + ECS_TARGET + "CreateCluster\r\n"
                + head.substring(firstLine);
        Response refused = send(smuggled.getBytes(StandardCharsets.UTF_8), signed.body);
        assertEquals(400, refused.status, refused.text());
        assertTrue(refused.text().contains("\"__type\":\"IncompleteSignatureException\""), refused.text());
        // both signed: the signature covers "CreateCluster,ListClusters", the service would read one
        Response bothSigned = send(ecs("{\"clusterName\":\"twice\"}").header("X-Amz-Target", ECS_TARGET
                + "CreateCluster").header("X-Amz-Target", ECS_TARGET + "ListClusters").signAll());
        assertEquals(400, bothSigned.status, bothSigned.text());
        assertFalse(clusters().contains("twice"));
    }

    @Test
    void twoAuthorizationHeadersAreRefusedByJsonServices() throws IOException {
        Response refused = send(ecs("{\"clusterName\":\"two-auth\"}").header("X-Amz-Target", ECS_TARGET
                + "CreateCluster").signAll().after("Authorization", "AWS4-HMAC-SHA256 Credential=x"));
        assertEquals(400, refused.status, refused.text());
        assertTrue(refused.text().contains("\"__type\":\"IncompleteSignatureException\""), refused.text());
        assertFalse(clusters().contains("two-auth"));
    }

    @Test
    void hostMustBeSigned() throws IOException {
        Response refused = send(ecs("{}").header("X-Amz-Target", ECS_TARGET + "ListClusters")
                .signOnly("content-type", "x-amz-date", "x-amz-target"));
        assertEquals(403, refused.status, refused.text());
        assertTrue(refused.text().contains("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."),
                refused.text());
    }

    // ---- Query (IAM) ----------------------------------------------------------------------------

    @Test
    void anUnsignedPayloadDoesNotLeaveAQueryBodyUncovered() throws IOException {
        String listUsers = "Action=ListUsers&Version=2010-05-08";
        String createUser = "Action=CreateUser&UserName=swapped&Version=2010-05-08";
        Request signed = request("POST", "/", null, "iam").header("Content-Type", "application/x-www-form-urlencoded")
                .header("x-amz-content-sha256", SigV4.UNSIGNED_PAYLOAD).body(listUsers)
                .payloadHash(SigV4.UNSIGNED_PAYLOAD).signAll();
        byte[] head = signed.build();
        Response swapped = send(head, createUser.getBytes(StandardCharsets.UTF_8));
        assertEquals(403, swapped.status, swapped.text());
        assertTrue(swapped.text().contains("<Code>SignatureDoesNotMatch</Code>"), swapped.text());
        Response users = send(request("POST", "/", null, "iam").header("Content-Type",
                "application/x-www-form-urlencoded").body(listUsers).signAll());
        assertEquals(200, users.status, users.text());
        assertFalse(users.text().contains("swapped"), "no user was created");
    }
}
