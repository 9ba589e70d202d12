package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.auth.SigV4;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3 on the wire, below the SDKs: a signed aws-chunked upload whose chunk signature was tampered with
 * is refused and stores nothing; and 1,200 seeded, correctly signed but malformed S3 requests never
 * get a 5xx, each an S3 error document or a success.
 */
class S3WireTest {
    static final long SEED = 20261128L;
    static final int REQUESTS = 1200;

    @TempDir
    static Path dir;
    static CrossroleServer server;
    static Bootstrap.Profile admin;

    @BeforeAll
    static void start() throws Exception {
        server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0));
        admin = server.profiles().stream().filter(p -> p.account().id().equals("555566667777")).findFirst()
                .orElseThrow();
        Response created = send(signed("PUT", "/wire", null, List.of(), new byte[0], false));
        assertEquals(200, created.status, created.text());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Response(int status, byte[] body, String head) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** A response header's value, {@code null} when absent. */
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    record Signed(byte[] head, byte[] body, String signature, String amzDate, String scope, byte[] key) {}

    /** A header-signed S3 request; {@code chunked}: the body is sent aws-chunked with signed chunks. */
    static Signed signed(String method, String path, String query, List<Map.Entry<String, String>> extra, byte[] body,
                         boolean chunked) {
        String amzDate = SigV4.formatAmzDate(Instant.now());
        String contentSha = chunked ? "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" : SigV4.sha256Hex(body);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("Host", "127.0.0.1:" + server.port()));
        headers.add(Map.entry("x-amz-content-sha256", contentSha));
        headers.add(Map.entry("x-amz-date", amzDate));
        if (chunked) {
            headers.add(Map.entry("Content-Encoding", "aws-chunked"));
            headers.add(Map.entry("x-amz-decoded-content-length", String.valueOf(body.length)));
        }
        headers.addAll(extra);
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            String lower = h.getKey().toLowerCase(java.util.Locale.ROOT);
            if (!names.contains(lower)) {
                names.add(lower);
            }
        }
        names.sort(null);
        SigV4.Credential scope = new SigV4.Credential(admin.accessKeyId(), amzDate.substring(0, 8), "us-east-1", "s3");
        byte[] key = SigV4.signingKey(admin.secretAccessKey(), scope.date(), scope.region(), scope.service());
        String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts(method, path, query, headers, null), names,
                contentSha, false, false);
        String signature = SigV4.signature(key, SigV4.stringToSign(amzDate, scope, canonical));
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(query == null ? "" : "?" + query)
                .append(" HTTP/1.1\r\n");
        for (Map.Entry<String, String> h : headers) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        head.append("Authorization: AWS4-HMAC-SHA256 Credential=").append(admin.accessKeyId()).append('/')
                .append(scope.scope()).append(", SignedHeaders=").append(String.join(";", names)).append(", Signature=")
                .append(signature).append("\r\n");
        return new Signed(head.toString().getBytes(StandardCharsets.UTF_8), body, signature, amzDate, scope.scope(), key);
    }

    static Response send(Signed request) throws IOException {
        return send(request.head, request.body);
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
            int status = Integer.parseInt(text.substring(9, 12));
            int bodyStart = text.indexOf("\r\n\r\n") + 4;
            return new Response(status, java.util.Arrays.copyOfRange(all, bodyStart, all.length),
                    text.substring(0, bodyStart));
        }
    }

    /** aws-chunked framing with each chunk signed, chained on the header signature. */
    static byte[] chunkedBody(Signed request, byte[] data, int chunkSize, int tamperChunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String previous = request.signature;
        int chunk = 0;
        for (int offset = 0; ; offset += chunkSize) {
            int length = Math.max(0, Math.min(chunkSize, data.length - offset));
            byte[] piece = java.util.Arrays.copyOfRange(data, offset, offset + length);
            String stringToSign = "AWS4-HMAC-SHA256-PAYLOAD\n" + request.amzDate + "\n" + request.scope + "\n" + previous
                    + "\n" + SigV4.EMPTY_BODY_SHA256 + "\n" + SigV4.sha256Hex(piece);
            String signature = SigV4.signature(request.key, stringToSign);
            previous = signature;
            if (chunk == tamperChunk) {
                signature = (signature.charAt(0) == 'a' ? "b" : "a") + signature.substring(1);
            }
            out.writeBytes((Integer.toHexString(length) + ";chunk-signature=" + signature + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(piece);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            chunk++;
            if (length == 0) {
                return out.toByteArray();
            }
        }
    }

    @Test
    void aTamperedChunkSignatureStoresNothing() throws IOException {
        // The seeded requests may have emptied and deleted the bucket, as a client may.
        assertEquals(200, send(signed("PUT", "/wire", null, List.of(), new byte[0], false)).status);
        byte[] data = new byte[40_000];
        new Random(1).nextBytes(data);
        for (int tamper : new int[] {0, 2, 4}) {
            Signed put = signed("PUT", "/wire/chunked-" + tamper, null, List.of(), data, true);
            Response refused = send(put.head, chunkedBody(put, data, 10_000, tamper));
            assertEquals(403, refused.status, refused.text());
            assertTrue(refused.text().contains("<Code>SignatureDoesNotMatch</Code>"), refused.text());
            Response head = send(signed("HEAD", "/wire/chunked-" + tamper, null, List.of(), new byte[0], false));
            assertEquals(404, head.status, "chunk " + tamper + " tampered: nothing stored");
        }
        Signed put = signed("PUT", "/wire/chunked-good", null, List.of(), data, true);
        Response stored = send(put.head, chunkedBody(put, data, 10_000, -1));
        assertEquals(200, stored.status, stored.text());
        Response get = send(signed("GET", "/wire/chunked-good", null, List.of(), new byte[0], false));
        assertEquals(200, get.status);
        assertTrue(java.util.Arrays.equals(data, get.body), "the decoded bytes are stored, not the framing");
    }

    @Test
    void malformedRequestsGetS3ErrorsNeverA5xx() throws IOException {
        Random random = new Random(SEED);
        String[] methods = {"GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"};
        String[] paths = {"/", "/wire", "/wire/", "/wire/key", "/wire/a%2Fb", "/no-such-bucket/k",
            "/UPPER/k", "/wire/" + "k".repeat(1100), "/a", "/wire/dir/", "/xn--bad", "/wire/key?"};
        String[] queries = {null, "", "policy", "location", "tagging", "uploads", "uploadId=nope", "uploadId=../../x",
            "partNumber=0&uploadId=x", "partNumber=abc&uploadId=x", "list-type=2&max-keys=-1", "list-type=2&max-keys=x",
            "list-type=2&continuation-token=%%%", "delete", "acl", "versioning", "list-type=2&encoding-type=zip",
            "uploads&x-id=CreateMultipartUpload", "prefix=%FF&list-type=2", "select&select-type=2",
            "tagging&policy", "tagging&versionId=null", "versionId=null", "versionId=", "versionId=3HL4kqtJlcpXroDTDmJ",
            "partNumber=1", "partNumber=2", "partNumber=10001", "partNumber=-1", "uploadId=x&tagging", "cors",
            "object-lock", "retention", "legal-hold", "restore", "attributes", "torrent", "policyStatus", "website",
            "lifecycle", "publicAccessBlock", "ownershipControls", "versions", "renameObject", "location&uploads"};
        java.util.Set<String> unimplemented = java.util.Set.of("select", "restore", "torrent", "renameObject");
        String[] headerNames = {"x-amz-copy-source", "Range", "If-Match", "If-None-Match", "If-Modified-Since",
            "x-amz-if-match-size", "x-amz-bucket-object-lock-enabled",
            "Content-MD5", "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm", "x-amz-tagging", "x-amz-acl",
            "x-amz-metadata-directive", "x-amz-meta-a", "Content-Type", "x-amz-checksum-algorithm", "x-amz-trailer",
            "x-amz-grant-read", "x-amz-tagging-directive", "x-amz-decoded-content-length"};
        String[] headerValues = {"", "*", "bytes=5-1", "bytes=-0", "bytes=abc", "/wire", "/wire/", "wire/key",
            "%", "a=b&a=c", "k=" + "v".repeat(300), "CRC99", "SHA256", "public-read", "REPLACE", "nonsense",
            "AAAAAA==", "x-amz-checksum-crc32", "\"etag\"", "Tue, 01 Jan 2030 00:00:00 GMT", "-5", "true", "false"};
        String[] bodies = {"", "<", "<Delete/>", "<Delete><Object/></Delete>", "<Tagging><TagSet/></Tagging>",
            "<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>", "{", "{}",
            "<Tagging><TagSet><Tag><Key>aws:k</Key><Value>v</Value></Tag></TagSet></Tagging>",
            "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>k</Key><Value>w</Value></Tag></TagSet></Tagging>",
            "<CreateBucketConfiguration><Tags><Tag><Key>k</Key><Value>v</Value></Tag></Tags></CreateBucketConfiguration>",
            "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
            "<CreateBucketConfiguration><LocationConstraint>mars-1</LocationConstraint></CreateBucketConfiguration>",
            "<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>",
            "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Tagging>&e;</Tagging>", "plain bytes"};
        List<String> failures = new ArrayList<>();
        java.util.Set<Integer> statuses = new java.util.TreeSet<>();
        for (int i = 0; i < REQUESTS; i++) {
            String method = methods[random.nextInt(methods.length)];
            String path = paths[random.nextInt(paths.length)];
            String query = queries[random.nextInt(queries.length)];
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            int count = random.nextInt(3);
            for (int h = 0; h < count; h++) {
                headers.add(Map.entry(headerNames[random.nextInt(headerNames.length)],
                        headerValues[random.nextInt(headerValues.length)]));
            }
            byte[] body = bodies[random.nextInt(bodies.length)].getBytes(StandardCharsets.UTF_8);
            String rawPath = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
            Response response = send(signed(method, rawPath, query, headers, body, false));
            statuses.add(response.status);
            boolean ok = response.status < 500 || response.status == 501;
            String subresource = query == null ? "" : query.split("[&=]")[0];
            // Never served as another operation: 501, 405 where the S3 model binds no operation to that method and
            // sub-resource, or a refusal of the request's malformed headers first. OPTIONS is a CORS preflight on
            // any URL, whatever its query.
            if (!method.equals("OPTIONS") && unimplemented.contains(subresource)
                    && (response.status < 400 || (headers.isEmpty()
                    && response.status != 501 && response.status != 405))) {
                failures.add("not refused as unimplemented: " + method + " " + rawPath + "?" + query + " -> "
                        + response.status + " " + response.text());
            }
            if (!ok || (response.status >= 300 && !method.equals("HEAD") && response.status != 304
                    && !response.text().contains("<Code>"))) {
                failures.add(method + " " + rawPath + "?" + query + " " + headers + " -> " + response.status + " "
                        + response.text());
            }
        }
        assertEquals(List.of(), failures);
        // The requests are signed correctly: they reach the operations, which succeed or refuse for cause.
        assertTrue(statuses.containsAll(List.of(200, 204, 400, 404)), statuses.toString());
    }

    @Test
    void aBucketEncryptionDocumentThatIsNotXmlIsMalformedXmlAndChangesNothing() throws IOException {
        byte[] broken = "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
                .getBytes(StandardCharsets.UTF_8);
        String md5 = java.util.Base64.getEncoder().encodeToString(md5(broken));
        Response refused = send(signed("PUT", "/wire", "encryption", List.of(Map.entry("Content-MD5", md5)), broken,
                false));
        assertEquals(400, refused.status, refused.text());
        assertTrue(refused.text().contains("<Code>MalformedXML</Code>"), refused.text());
        Response kept = send(signed("GET", "/wire", "encryption", List.of(), new byte[0], false));
        assertEquals(200, kept.status, kept.text());
        assertTrue(kept.text().contains("<SSEAlgorithm>AES256</SSEAlgorithm>"), kept.text());
        assertTrue(kept.text().startsWith("<?xml") && kept.text().contains("<ServerSideEncryptionConfiguration"),
                kept.text());
    }

    private static byte[] md5(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("MD5").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aPathTheListenerCannotParseIsAClientErrorBeforeS3() throws IOException {
        // A broken percent-escape or a NUL byte names no key; the listener refuses the request line itself.
        for (String path : List.of("/wire/%ZZ", "/wire/%00", "/wire/k%2")) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(answer.startsWith("HTTP/1.1 400 "), path + " -> " + answer);
            }
        }
    }
}
