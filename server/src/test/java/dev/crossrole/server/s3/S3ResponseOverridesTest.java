package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.auth.SigV4;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GetObject's {@code response-*} parameters on the wire: a value with CR/LF (or another control character, or a
 * character beyond ISO-8859-1) is refused with S3's {@code InvalidArgument} and never becomes a response header;
 * an unsigned request may not use them at all; a valid value from a signed request sets its header.
 */
class S3ResponseOverridesTest {
    @TempDir
    static Path dir;
    static CrossroleServer server;
    static Bootstrap.Profile admin;

    @BeforeAll
    static void start() throws Exception {
        server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0));
        admin = server.profiles().get(0);
        assertEquals(200, exchange(signed("PUT", "/overrides", null, new byte[0]), new byte[0]).status);
        byte[] object = "plain text".getBytes(StandardCharsets.UTF_8);
        assertEquals(200, exchange(signed("PUT", "/overrides/readme.txt", null, object), object).status);
        // A public policy needs Block Public Access off first, as on S3 since 2023.
        assertEquals(204, exchange(signed("DELETE", "/overrides", "publicAccessBlock=", new byte[0]), new byte[0])
                .status);
        byte[] policy = ("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::overrides/*\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        Response policyPut = exchange(signed("PUT", "/overrides", "policy=", policy), policy);
        assertEquals(204, policyPut.status, policyPut.body);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Response(int status, List<Map.Entry<String, String>> headers, String body) {
        String header(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst().orElse(null);
        }
    }

    private static String query(String parameter, String value) {
        return parameter + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void crLfInAnOverrideIsRefusedAndNeverReachesAHeader() throws IOException {
        for (String method : List.of("GET", "HEAD")) {
            Response response = exchange(signed(method, "/overrides/readme.txt",
                    query("response-content-type", "text/plain\r\nX-Injected: yes"), new byte[0]), new byte[0]);
            assertEquals(400, response.status, method + " " + response.body);
            assertNull(response.header("X-Injected"), method + ": an injected header line");
            assertFalse(String.valueOf(response.header("Content-Type")).startsWith("text/plain"),
                    method + ": the override became the Content-Type");
            if (method.equals("GET")) {
                assertTrue(response.body.contains("<Code>InvalidArgument</Code>"), response.body);
                assertTrue(response.body.contains("<ArgumentName>response-content-type</ArgumentName>"), response.body);
            }
        }
    }

    @Test
    void everyControlCharacterIsRefusedInEveryOverride() throws IOException {
        List<String> parameters = List.of("response-cache-control", "response-content-disposition",
                "response-content-encoding", "response-content-language", "response-content-type", "response-expires");
        String[] values = {"a\nb", "a\rb", "a\u0000b", "a\u001bb", "a\u007fb"};
        for (int i = 0; i < parameters.size(); i++) {
            String parameter = parameters.get(i);
            String value = values[i % values.length];
            Response response = exchange(signed("GET", "/overrides/readme.txt", query(parameter, value), new byte[0]),
                    new byte[0]);
            assertEquals(400, response.status, parameter + " " + response.body);
            assertTrue(response.body.contains("<Code>InvalidArgument</Code>"), response.body);
            assertTrue(response.body.contains("<ArgumentName>" + parameter + "</ArgumentName>"), response.body);
        }
    }

    @Test
    void aCharacterBeyondIso88591IsRefusedAsS3RefusesIt() throws IOException {
        Response response = exchange(signed("GET", "/overrides/readme.txt",
                query("response-content-disposition", "attachment; filename=\"\u2019quoted\u2019.txt\""), new byte[0]),
                new byte[0]);
        assertEquals(400, response.status, response.body);
        assertTrue(response.body.contains("<Code>InvalidArgument</Code>"), response.body);
        assertTrue(response.body.contains("<Message>Header value cannot be represented using ISO-8859-1.</Message>"),
                response.body);
        assertTrue(response.body.contains("<ArgumentName>response-content-disposition</ArgumentName>"), response.body);
    }

    @Test
    void validOverridesOfASignedRequestSetTheirHeaders() throws IOException {
        Response response = exchange(signed("GET", "/overrides/readme.txt",
                query("response-content-disposition", "attachment; filename=\"notes.txt\"") + "&"
                        + query("response-content-type", "application/x-readme"), new byte[0]), new byte[0]);
        assertEquals(200, response.status, response.body);
        assertEquals("application/x-readme", response.header("Content-Type"));
        assertEquals("attachment; filename=\"notes.txt\"", response.header("Content-Disposition"));
        assertEquals("plain text", response.body);
    }

    @Test
    void anUnsignedRequestMayNotOverrideHeaders() throws IOException {
        byte[] plain = ("GET /overrides/readme.txt HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(200, exchange(plain, new byte[0]).status, "the policy lets anyone read the object");
        byte[] overriding = ("GET /overrides/readme.txt?response-content-type=text%2Fhtml HTTP/1.1\r\nHost: 127.0.0.1:"
                + server.port() + "\r\n").getBytes(StandardCharsets.US_ASCII);
        Response refused = exchange(overriding, new byte[0]);
        assertEquals(400, refused.status, refused.body);
        assertTrue(refused.body.contains("<Code>InvalidRequest</Code>"), refused.body);
        assertTrue(refused.body.contains("<Message>Request specific response headers cannot be used for anonymous GET"
                + " requests.</Message>"), refused.body);
        assertFalse("text/html".equals(refused.header("Content-Type")));
    }

    /** A request head signed with the administrator's key (the payload's SHA-256 signed). */
    static byte[] signed(String method, String path, String query, byte[] body) {
        String amzDate = SigV4.formatAmzDate(Instant.now());
        String sha = SigV4.sha256Hex(body);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("Host", "127.0.0.1:" + server.port()));
        headers.add(Map.entry("x-amz-content-sha256", sha));
        headers.add(Map.entry("x-amz-date", amzDate));
        List<String> names = List.of("host", "x-amz-content-sha256", "x-amz-date");
        SigV4.Credential scope = new SigV4.Credential(admin.accessKeyId(), amzDate.substring(0, 8), "us-east-1", "s3");
        String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts(method, path, query, headers, null), names,
                sha, false, false);
        String signature = SigV4.signature(SigV4.signingKey(admin.secretAccessKey(), scope.date(), scope.region(),
                scope.service()), SigV4.stringToSign(amzDate, scope, canonical));
        StringBuilder head = new StringBuilder(method).append(' ').append(path)
                .append(query == null ? "" : "?" + query).append(" HTTP/1.1\r\n");
        for (Map.Entry<String, String> h : headers) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        head.append("Authorization: AWS4-HMAC-SHA256 Credential=").append(admin.accessKeyId()).append('/')
                .append(scope.scope()).append(", SignedHeaders=").append(String.join(";", names))
                .append(", Signature=").append(signature).append("\r\n");
        return head.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends a head (without its final blank line) and a body on a fresh connection; reads the whole response. */
    static Response exchange(byte[] head, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head);
            out.write(("Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, end).split("\r\n");
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.add(Map.entry(colon < 0 ? lines[i] : lines[i].substring(0, colon).strip(),
                        colon < 0 ? "" : lines[i].substring(colon + 1).strip()));
            }
            return new Response(Integer.parseInt(lines[0].substring(9, 12)), headers,
                    new String(text.substring(end + 4).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
        }
    }
}
