package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.auth.AuthenticationException;
import dev.crossrole.server.auth.Authenticator;
import dev.crossrole.server.auth.AwsChunkedInputStream;
import dev.crossrole.server.auth.S3AuthErrors;
import dev.crossrole.server.auth.SigV4;
import dev.crossrole.server.auth.VerifyingInputStream;
import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.iam.Account;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IdGenerator;
import dev.crossrole.server.payload.ChecksumAlgorithm;
import dev.crossrole.server.payload.PayloadRejectedException;
import dev.crossrole.server.sts.SessionTokens;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the AWS SDK for Java v2 really sends for PutObject, captured off the wire by a tiny HTTP
 * server, authenticated by crossrole's Authenticator with the real secret and decoded by
 * {@link AwsChunkedInputStream}; and the unsigned-trailer form (what the SDK sends over https)
 * produced by the SDK's own signer. Every tampering with a captured body is rejected.
 */
class S3PayloadSdkTest {
    static final String ACCOUNT = "111122223333";
    static final String KEY = "AKIAS3PAYLOADTEST001";
    static final String SECRET = "s3PayloadTestSecretKey/0123456789abcdefgh";

    static CapturingServer server;
    static Authenticator authenticator;

    @BeforeAll
    static void start() throws IOException {
        server = new CapturingServer();
        SecureRandom random = new SecureRandom();
        IamDirectory iam = new IamDirectory(Clock.systemUTC(), new IdGenerator(random));
        iam.putAccount(new Account(ACCOUNT, "payload"));
        iam.putAccessKey(new AccessKey(KEY, SECRET, ACCOUNT, null, true, Instant.now()));
        byte[] serverKey = new byte[32];
        random.nextBytes(serverKey);
        authenticator = new Authenticator(iam, new SessionTokens(serverKey, random), Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    static S3Client client(RequestChecksumCalculation calculation) {
        return S3Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + server.port()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET)))
                .forcePathStyle(true)
                .requestChecksumCalculation(calculation)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    static byte[] data(int size) {
        byte[] d = new byte[size];
        new Random(size).nextBytes(d);
        return d;
    }

    /** PutObject through the SDK; returns the request as crossrole would receive it. */
    static Captured put(RequestChecksumCalculation calculation, software.amazon.awssdk.services.s3.model.ChecksumAlgorithm
            algorithm, byte[] data) throws InterruptedException {
        server.requests.clear(); // nothing left over from another test
        try (S3Client s3 = client(calculation)) {
            s3.putObject(b -> b.bucket("bucket").key("dir/object.bin").checksumAlgorithm(algorithm),
                    RequestBody.fromBytes(data));
        }
        Captured c = server.requests.poll(10, TimeUnit.SECONDS);
        assertNotNull(c, "the SDK sent nothing");
        return c;
    }

    /** What the S3 service will do with a PUT: authenticate, then decode and verify the body. */
    static byte[] receive(Captured c) throws IOException {
        Authenticator.Authenticated auth = authenticator.authenticate(c.parts());
        String contentSha256 = c.parts().header(SigV4.HEADER_CONTENT_SHA256);
        InputStream body = new ByteArrayInputStream(c.body());
        if (AwsChunkedInputStream.isAwsChunked(contentSha256)) {
            body = AwsChunkedInputStream.forRequest(body, c.parts()::header, auth.chunkSigning());
        }
        return VerifyingInputStream.forRequest(body, c.parts()::header).readAllBytes();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 8192, 131_072, 300_000})
    void defaultPutObjectOverHttpIsSignedChunksWithASignedCrc32Trailer(int size) throws Exception {
        byte[] data = data(size);
        Captured c = put(RequestChecksumCalculation.WHEN_SUPPORTED, null, data);
        assertEquals(AwsChunkedInputStream.STREAMING_SIGNED_TRAILER, c.parts().header("x-amz-content-sha256"));
        assertEquals("x-amz-checksum-crc32", c.parts().header("x-amz-trailer"));
        assertEquals(Integer.toString(size), c.parts().header("x-amz-decoded-content-length"));
        assertArrayEquals(data, receive(c));
    }

    @ParameterizedTest
    @ValueSource(strings = {"CRC32", "CRC32C", "SHA1", "SHA256"})
    void everyAlgorithmTheSdkOffersWithoutCrtVerifies(String name) throws Exception {
        byte[] data = data(200_000);
        Captured c = put(RequestChecksumCalculation.WHEN_SUPPORTED,
                software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.fromValue(name), data);
        ChecksumAlgorithm algorithm = ChecksumAlgorithm.fromName(name).orElseThrow();
        assertEquals(algorithm.headerName(), c.parts().header("x-amz-trailer"));
        assertArrayEquals(data, receive(c));
        assertTrue(c.text().contains(algorithm.headerName() + ":" + algorithm.base64Of(data) + "\r\n"));
    }

    @Test
    void withoutAChecksumEveryChunkIsStillSigned() throws Exception {
        byte[] data = data(150_000);
        Captured c = put(RequestChecksumCalculation.WHEN_REQUIRED, null, data);
        String mode = c.parts().header("x-amz-content-sha256");
        assertEquals(AwsChunkedInputStream.STREAMING_SIGNED, mode);
        assertNull(c.parts().header("x-amz-trailer"));
        assertArrayEquals(data, receive(c));
    }

    @Test
    void tamperingWithARealBodyIsRejected() throws Exception {
        byte[] data = data(140_000);
        Captured c = put(RequestChecksumCalculation.WHEN_SUPPORTED, null, data);
        assertArrayEquals(data, receive(c));
        String text = c.text();

        // a data byte in the second chunk
        byte[] flipped = c.body().clone();
        int second = text.indexOf(";chunk-signature=", text.indexOf(";chunk-signature=") + 1);
        flipped[text.indexOf("\r\n", second) + 100] ^= 1;
        assertPayloadRejected(c.withBody(flipped), "SignatureDoesNotMatch", 403);

        // the checksum trailer's value
        String crc = ChecksumAlgorithm.CRC32.base64Of(data);
        assertPayloadRejected(c.withBody(text.replace(crc, ChecksumAlgorithm.CRC32.base64Of(new byte[1]))
                .getBytes(StandardCharsets.ISO_8859_1)), "SignatureDoesNotMatch", 403);

        // the trailer signature
        int at = text.indexOf("x-amz-trailer-signature:") + 30;
        byte[] badTrailerSignature = c.body().clone();
        badTrailerSignature[at] = (byte) (badTrailerSignature[at] == '0' ? '1' : '0');
        assertPayloadRejected(c.withBody(badTrailerSignature), "SignatureDoesNotMatch", 403);

        // cut short
        assertPayloadRejected(c.withBody(java.util.Arrays.copyOf(c.body(), c.body().length - 40)), "IncompleteBody",
                400);

        // a different secret: the header signature itself fails
        IamDirectory otherIam = new IamDirectory(Clock.systemUTC(), new IdGenerator(new SecureRandom()));
        otherIam.putAccount(new Account(ACCOUNT, "payload"));
        otherIam.putAccessKey(new AccessKey(KEY, SECRET.replace('s', 'x'), ACCOUNT, null, true, Instant.now()));
        byte[] serverKey = new byte[32];
        Authenticator other = new Authenticator(otherIam, new SessionTokens(serverKey, new SecureRandom()),
                Clock.systemUTC());
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> other.authenticate(c.parts()));
        assertEquals("SignatureDoesNotMatch", S3AuthErrors.of(e).code());
    }

    @Test
    void aDeclaredLengthThatLiesIsIncompleteBody() throws Exception {
        byte[] data = data(20_000);
        Captured c = put(RequestChecksumCalculation.WHEN_SUPPORTED, null, data);
        Authenticator.Authenticated auth = authenticator.authenticate(c.parts());
        PayloadRejectedException e = assertThrows(PayloadRejectedException.class, () -> AwsChunkedInputStream.open(
                new ByteArrayInputStream(c.body()), AwsChunkedInputStream.STREAMING_SIGNED_TRAILER, auth.chunkSigning(),
                "x-amz-checksum-crc32", 20_001).readAllBytes());
        assertEquals("IncompleteBody", e.code());
        assertEquals(Map.of("NumberBytesExpected", "20001", "NumberBytesProvided", "20000"), e.members());
    }

    static void assertPayloadRejected(Captured c, String code, int status) {
        PayloadRejectedException e = assertThrows(PayloadRejectedException.class, () -> receive(c));
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(status, e.status());
    }

    // ---- the unsigned-trailer form, from the SDK's signer ---------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"CRC32", "CRC32C", "SHA1", "SHA256"})
    void unsignedPayloadTrailerFromTheSdkSigner(String name) throws Exception {
        byte[] data = data(200_000);
        Captured c = signWithSdk(data, name, false);
        assertEquals(AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, c.parts().header("x-amz-content-sha256"));
        assertArrayEquals(data, receive(c));
        Authenticator.Authenticated auth = authenticator.authenticate(c.parts());
        AwsChunkedInputStream in = AwsChunkedInputStream.open(new ByteArrayInputStream(c.body()),
                AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, auth.chunkSigning(), c.parts().header("x-amz-trailer"),
                data.length);
        in.readAllBytes();
        ChecksumAlgorithm algorithm = ChecksumAlgorithm.fromName(name).orElseThrow();
        assertEquals(Map.of(algorithm, algorithm.base64Of(data)), in.checksums());

        // unsigned chunks: a changed data byte is caught by the checksum
        byte[] flipped = c.body().clone();
        flipped[c.text().indexOf("\r\n") + 5000] ^= 1;
        assertPayloadRejected(c.withBody(flipped), "BadDigest", 400);
    }

    @Test
    void signedChunksFromTheSdkSignerWithoutChecksum() throws Exception {
        byte[] data = data(70_000);
        Captured c = signWithSdk(data, null, true);
        assertEquals(AwsChunkedInputStream.STREAMING_SIGNED, c.parts().header("x-amz-content-sha256"));
        assertNull(c.parts().header("x-amz-trailer"));
        assertArrayEquals(data, receive(c));
    }

    /** Signs a PUT with the SDK's own SigV4 signer (as the SDK does over https when {@code signPayload} is false). */
    static Captured signWithSdk(byte[] data, String checksum, boolean signPayload) throws IOException {
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.PUT)
                .uri(URI.create("https://127.0.0.1:4566/bucket/dir/object.bin"))
                .putHeader("Content-Length", Integer.toString(data.length))
                .build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> {
            r.identity(AwsCredentialsIdentity.create(KEY, SECRET))
                    .request(request)
                    .payload(ContentStreamProvider.fromByteArray(data))
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                    .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, true)
                    .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, signPayload);
            if (checksum != null) {
                r.putProperty(AwsV4HttpSigner.CHECKSUM_ALGORITHM, switch (checksum) {
                    case "CRC32" -> DefaultChecksumAlgorithm.CRC32;
                    case "CRC32C" -> DefaultChecksumAlgorithm.CRC32C;
                    case "SHA1" -> DefaultChecksumAlgorithm.SHA1;
                    default -> DefaultChecksumAlgorithm.SHA256;
                });
            }
        });
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        signed.request().forEachHeader((name, values) -> values.forEach(v ->
                headers.add(new AbstractMap.SimpleEntry<>(name, v))));
        if (signed.request().firstMatchingHeader("Host").isEmpty()) {
            headers.add(new AbstractMap.SimpleEntry<>("Host", "127.0.0.1:4566"));
        }
        byte[] body;
        try (InputStream in = signed.payload().orElseThrow().newStream()) {
            body = in.readAllBytes();
        }
        return new Captured(new SigV4.HttpRequestParts("PUT", signed.request().encodedPath(),
                signed.request().encodedQueryParameters().orElse(null), headers, null), body);
    }

    // ---- boto3 over http: a hex payload hash and a checksum header, and a presigned URL ----------

    @Test
    void boto3PutObjectAndPresignedUrl() throws Exception {
        int size = 100_000;
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i % 251);
        }
        java.nio.file.Path home = java.nio.file.Files.createTempDirectory("crossrole-boto3-s3");
        java.nio.file.Path script = java.nio.file.Path.of(
                S3PayloadSdkTest.class.getResource("/boto3/s3_payload.py").toURI());
        ProcessBuilder pb = new ProcessBuilder("python3", script.toString(), "http://127.0.0.1:" + server.port(),
                Integer.toString(size)).directory(home.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(home.resolve("stdout").toFile()).redirectError(home.resolve("stderr").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("HOME", home.toString());
        env.put("AWS_CONFIG_FILE", home.resolve("no-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("no-credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("KEY", KEY);
        env.put("SECRET", SECRET);
        server.requests.clear();
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "boto3 did not finish within 60 s");
        String stdout = java.nio.file.Files.readString(home.resolve("stdout")).strip();
        assertEquals(0, p.exitValue(), java.nio.file.Files.readString(home.resolve("stderr")));

        Captured byDefault = server.requests.poll(10, TimeUnit.SECONDS);
        assertNotNull(byDefault);
        assertTrue(SigV4.isHexSha256(byDefault.parts().header("x-amz-content-sha256")));
        assertEquals(ChecksumAlgorithm.CRC32.base64Of(data), byDefault.parts().header("x-amz-checksum-crc32"));
        assertArrayEquals(data, receive(byDefault));
        Captured sha256 = server.requests.poll(10, TimeUnit.SECONDS);
        assertNotNull(sha256);
        assertEquals(ChecksumAlgorithm.SHA256.base64Of(data), sha256.parts().header("x-amz-checksum-sha256"));
        assertArrayEquals(data, receive(sha256));

        // a changed body under the same headers: the signed hex hash no longer matches, checked at the end
        byte[] other = data.clone();
        other[500] ^= 1;
        assertPayloadRejected(byDefault.withBody(other), "XAmzContentSHA256Mismatch", 400);

        URI url = URI.create(stdout);
        SigV4.HttpRequestParts presigned = new SigV4.HttpRequestParts("GET", url.getRawPath(), url.getRawQuery(),
                List.of(new AbstractMap.SimpleEntry<>("Host", url.getHost() + ":" + url.getPort())), null);
        Authenticator.Authenticated auth = authenticator.authenticate(presigned);
        assertEquals(KEY, auth.caller().accessKeyId());
        assertNull(auth.chunkSigning());
        try (var files = java.nio.file.Files.walk(home)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    // ---- a capturing HTTP server -----------------------------------------------------------------

    record Captured(SigV4.HttpRequestParts parts, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }

        Captured withBody(byte[] other) {
            return new Captured(parts, other);
        }
    }

    /** Accepts connections on 127.0.0.1, records each request (outer HTTP chunking decoded) and answers 200. */
    static final class CapturingServer implements AutoCloseable {
        final BlockingQueue<Captured> requests = new LinkedBlockingQueue<>();
        private final ServerSocket socket;

        CapturingServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::serve, "capturing-http");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    handle(s.getInputStream(), s.getOutputStream());
                } catch (IOException e) {
                    // closed, or a client that went away: keep serving until closed
                }
            }
        }

        private void handle(InputStream in, OutputStream out) throws IOException {
            String[] requestLine = line(in).split(" ");
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                headers.add(new AbstractMap.SimpleEntry<>(h.substring(0, colon), h.substring(colon + 1).strip()));
            }
            SigV4.HttpRequestParts head = new SigV4.HttpRequestParts(requestLine[0], "/", null, headers, null);
            if ("100-continue".equalsIgnoreCase(head.header("Expect"))) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            byte[] body;
            if ("chunked".equalsIgnoreCase(head.header("Transfer-Encoding"))) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                for (int n = Integer.parseInt(line(in).split(";")[0].strip(), 16); n > 0;
                        n = Integer.parseInt(line(in).split(";")[0].strip(), 16)) {
                    b.write(in.readNBytes(n));
                    line(in);
                }
                while (!line(in).isEmpty()) {
                    // HTTP trailers: none expected
                }
                body = b.toByteArray();
            } else {
                String length = head.header("Content-Length");
                body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
            }
            String target = requestLine[1];
            int q = target.indexOf('?');
            requests.add(new Captured(new SigV4.HttpRequestParts(requestLine[0], q < 0 ? target : target.substring(0, q),
                    q < 0 ? null : target.substring(q + 1), headers, null), body));
            out.write(("HTTP/1.1 200 OK\r\nETag: \"0\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
