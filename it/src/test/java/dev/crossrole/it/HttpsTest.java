package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.tls.TlsSettings;
import java.io.File;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.TlsTrustManagersProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sts.StsAsyncClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * HTTPS with crossrole's local CA ({@code serve --tls}): the SDK for Java v2 (HTTP/1.1 and HTTP/2 by ALPN) and
 * boto3 trusting {@code ca.pem}; HTTP beside it on the same port; S3 path-style, virtual-hosted and presigned over
 * HTTPS; {@code aws:SecureTransport} true over TLS only; and HTTPS on a port of its own ({@code --tls-port}).
 */
class HttpsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestCrossrole crossrole;
    static String https;
    static Path caFile;
    static TlsTrustManagersProvider trustCa;
    static SSLContext clientContext;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole(options -> options.withTls(TlsSettings.onMainPort()));
        https = crossrole.server.httpsEndpoint().orElseThrow();
        caFile = crossrole.server.tls().orElseThrow().localCa().orElseThrow().certificate();
        X509Certificate ca;
        try (InputStream in = Files.newInputStream(caFile)) {
            ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("crossrole-ca", ca);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        trustCa = factory::getTrustManagers;
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, factory.getTrustManagers(), null);
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    static SdkHttpClient apache() {
        return ApacheHttpClient.builder().tlsTrustManagersProvider(trustCa)
                // *.localhost names resolve to loopback (RFC 6761), which this machine's resolver does not do.
                .dnsResolver(host -> host.endsWith("localhost") ? new InetAddress[] {InetAddress.getLoopbackAddress()}
                        : InetAddress.getAllByName(host))
                .build();
    }

    @Test
    void theSdkTalksHttpsAndPlainHttpStillWorksOnTheSamePort() {
        assertTrue(https.startsWith("https://127.0.0.1:"), https);
        assertEquals(URI.create(crossrole.endpoint()).getPort(), URI.create(https).getPort(), "one port for both");
        try (StsClient sts = StsClient.builder().endpointOverride(URI.create(https.replace("127.0.0.1", "localhost")))
                .region(Region.US_EAST_1).credentialsProvider(crossrole.adminCredentials(SOURCE)).httpClient(apache())
                .build()) {
            assertEquals("arn:aws:iam::" + SOURCE + ":user/admin", sts.getCallerIdentity().arn());
        }
        try (StsClient sts = StsClient.builder().endpointOverride(URI.create(crossrole.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(crossrole.adminCredentials(SOURCE)).build()) {
            assertEquals(SOURCE, sts.getCallerIdentity().account());
        }
    }

    @Test
    void theCliTrustsTheDataDirectorysCaForAnHttpsEndpoint() throws Exception {
        String requestId;
        try (StsClient sts = StsClient.builder().endpointOverride(URI.create(crossrole.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(crossrole.adminCredentials(SOURCE)).build()) {
            requestId = sts.getCallerIdentity().responseMetadata().requestId();
        }
        Path work = Files.createTempDirectory("crossrole-cli-https");
        Run why = CrossroleCommand.run(work, "why", "--endpoint", https, "--data-dir", crossrole.dataDir.toString(), requestId);
        assertEquals(0, why.exit(), why.toString());
        assertTrue(why.stdout().contains("sts GetCallerIdentity"), why.stdout());
        // A data directory without the CA (and a token given otherwise): the JVM does not trust crossrole's certificate.
        Run untrusting = CrossroleCommand.run(work, Map.of("CROSSROLE_ADMIN_TOKEN", crossrole.adminToken()), "why",
                "--endpoint", https, "--data-dir", work.toString(), requestId);
        assertEquals(2, untrusting.exit(), untrusting.toString());
        assertTrue(untrusting.stderr().contains("cannot reach crossrole"), untrusting.stderr());
    }

    @Test
    void aClientThatDoesNotTrustTheCaIsRefusedTheHandshake() {
        HttpClient untrusting = HttpClient.newHttpClient();
        assertThrows(SSLHandshakeException.class, () -> untrusting.send(
                HttpRequest.newBuilder(URI.create(https + "/_crossrole/health")).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void http2ByAlpnWithTheAsyncClient() throws Exception {
        try (NettyNioAsyncHttpClient netty = (NettyNioAsyncHttpClient) NettyNioAsyncHttpClient.builder()
                .protocol(Protocol.HTTP2).tlsTrustManagersProvider(trustCa).build();
             StsAsyncClient sts = StsAsyncClient.builder().endpointOverride(URI.create(https)).region(Region.US_EAST_1)
                     .credentialsProvider(crossrole.adminCredentials(SOURCE)).httpClient(netty).build()) {
            assertEquals(SOURCE, sts.getCallerIdentity().get(30, TimeUnit.SECONDS).account());
        }
        HttpResponse<String> h2 = HttpClient.newBuilder().sslContext(clientContext).version(HttpClient.Version.HTTP_2)
                .build().send(HttpRequest.newBuilder(URI.create(https + "/_crossrole/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, h2.version(), "ALPN chose h2");
    }

    @Test
    void s3OverHttpsPathStyleVirtualHostedAndPresignedWithSecureTransport() throws Exception {
        String bucket = "https-bucket";
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\","
                + "\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::" + bucket + "\",\"arn:aws:s3:::" + bucket + "/*\"],"
                + "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}";
        try (S3Client pathStyle = S3Client.builder().endpointOverride(URI.create(https)).region(Region.US_EAST_1)
                .forcePathStyle(true).credentialsProvider(crossrole.adminCredentials(SOURCE)).httpClient(apache()).build();
             S3Client virtual = S3Client.builder().endpointOverride(URI.create(https.replace("127.0.0.1", "s3.localhost")))
                     .region(Region.US_EAST_1).credentialsProvider(crossrole.adminCredentials(SOURCE)).httpClient(apache())
                     .build();
             S3Client plain = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(SOURCE))) {
            pathStyle.createBucket(b -> b.bucket(bucket));
            pathStyle.putBucketPolicy(b -> b.bucket(bucket).policy(policy));
            pathStyle.putObject(b -> b.bucket(bucket).key("secret.txt"), RequestBody.fromString("over TLS"));
            assertEquals("over TLS", pathStyle.getObjectAsBytes(b -> b.bucket(bucket).key("secret.txt")).asUtf8String());
            // Virtual-hosted: the SDK connects to https-bucket.s3.localhost, which the certificate names.
            assertEquals("over TLS", virtual.getObjectAsBytes(b -> b.bucket(bucket).key("secret.txt")).asUtf8String());
            // The same request over plain HTTP is denied by the bucket policy: aws:SecureTransport is false there.
            S3Exception denied = assertThrows(S3Exception.class,
                    () -> plain.getObjectAsBytes(b -> b.bucket(bucket).key("secret.txt")));
            assertEquals(403, denied.statusCode());
            String requestId = denied.requestId();
            String why = crossrole.adminGet("/_crossrole/requests/" + requestId + "?format=text").body();
            assertTrue(why.contains("explicit deny"), why);

            try (S3Presigner presigner = S3Presigner.builder().endpointOverride(URI.create(https)).region(Region.US_EAST_1)
                    .credentialsProvider(crossrole.adminCredentials(SOURCE))
                    .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                            .pathStyleAccessEnabled(true).build()).build()) {
                URI url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                        .getObjectRequest(g -> g.bucket(bucket).key("secret.txt"))).url().toURI();
                assertTrue(url.toString().startsWith("https://"), url.toString());
                HttpResponse<String> fetched = HttpClient.newBuilder().sslContext(clientContext).build()
                        .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, fetched.statusCode(), fetched.body());
                assertEquals("over TLS", fetched.body());
            }
        }
    }

    @Test
    void boto3TrustsTheCaThroughAwsCaBundle() throws Exception {
        Path home = Files.createTempDirectory("crossrole-boto3-https");
        String script = "import boto3, json\n"
                + "sts = boto3.client('sts', region_name='us-east-1')\n"
                + "s3 = boto3.client('s3', region_name='us-east-1')\n"
                + "s3.create_bucket(Bucket='boto3-https')\n"
                + "s3.put_object(Bucket='boto3-https', Key='k', Body=b'from boto3')\n"
                + "print(json.dumps({'arn': sts.get_caller_identity()['Arn'],"
                + " 'body': s3.get_object(Bucket='boto3-https', Key='k')['Body'].read().decode()}))\n";
        ProcessBuilder pb = new ProcessBuilder("python3", "-c", script).directory(home.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("HOME", home.toString());
        env.put("AWS_ENDPOINT_URL", https);
        env.put("AWS_CA_BUNDLE", caFile.toString());
        env.put("AWS_CONFIG_FILE", home.resolve("no-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", crossrole.server.credentialsFile().toString());
        env.put("AWS_PROFILE", "source");
        Process process = pb.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), err);
        JsonNode result = JSON.readTree(out);
        assertEquals("arn:aws:iam::" + SOURCE + ":user/admin", result.path("arn").asText());
        assertEquals("from boto3", result.path("body").asText());

        // Without the CA bundle the handshake fails: the certificate is crossrole's own.
        env.remove("AWS_CA_BUNDLE");
        Process untrusting = pb.start();
        String refused = new String(untrusting.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        untrusting.getInputStream().readAllBytes();
        assertTrue(untrusting.waitFor(60, TimeUnit.SECONDS));
        assertTrue(untrusting.exitValue() != 0 && refused.contains("CERTIFICATE_VERIFY_FAILED"), refused);
    }

    @Test
    void httpsOnAPortOfItsOwn() throws Exception {
        try (TestCrossrole own = new TestCrossrole(options -> options.withTls(TlsSettings.onMainPort()
                .withListener(new TlsSettings.OwnPort(0))))) {
            String ownHttps = own.server.httpsEndpoint().orElseThrow();
            assertTrue(URI.create(ownHttps).getPort() != URI.create(own.endpoint()).getPort(), ownHttps);
            X509Certificate ca;
            try (InputStream in = Files.newInputStream(own.server.tls().orElseThrow().localCa().orElseThrow().certificate())) {
                ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            try (StsClient sts = StsClient.builder().endpointOverride(URI.create(ownHttps)).region(Region.US_EAST_1)
                    .credentialsProvider(own.adminCredentials(SOURCE))
                    .httpClient(ApacheHttpClient.builder().tlsTrustManagersProvider(factory::getTrustManagers).build())
                    .build()) {
                assertEquals(SOURCE, sts.getCallerIdentity().account(), "the Host names the HTTPS port, and is accepted");
            }
            // The HTTPS port speaks TLS only; the main port plain HTTP only.
            HttpClient plain = HttpClient.newHttpClient();
            assertThrows(java.io.IOException.class, () -> plain.send(HttpRequest.newBuilder(
                    URI.create(ownHttps.replace("https:", "http:") + "/_crossrole/health")).build(),
                    HttpResponse.BodyHandlers.ofString()));
            assertEquals(200, plain.send(HttpRequest.newBuilder(URI.create(own.endpoint() + "/_crossrole/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }
}
