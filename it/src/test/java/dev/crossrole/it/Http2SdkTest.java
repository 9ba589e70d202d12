package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.sts.StsAsyncClient;

/**
 * The SDK for Java v2's async client over HTTP/2 without TLS (h2c, prior knowledge): crossrole answers on the
 * same port as HTTP/1.1, signatures verify (the host comes from {@code :authority}), and bodies stream both
 * ways. An HTTP/1.1-only listener refuses the HTTP/2 preface, so these calls would fail.
 */
class Http2SdkTest {
    static TestCrossrole crossrole;
    static SdkAsyncHttpClient http2;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        http2 = NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP2).build();
    }

    @AfterAll
    static void stop() throws Exception {
        http2.close();
        crossrole.close();
    }

    @Test
    void stsAnswersOverHttp2() throws Exception {
        try (StsAsyncClient sts = StsAsyncClient.builder().endpointOverride(URI.create(crossrole.endpoint()))
                .region(Region.US_EAST_1).credentialsProvider(crossrole.adminCredentials(TestCrossrole.SOURCE))
                .httpClient(http2).build()) {
            assertEquals("arn:aws:iam::111122223333:user/admin",
                    sts.getCallerIdentity().get(30, TimeUnit.SECONDS).arn());
        }
    }

    @Test
    void s3BodiesStreamOverHttp2() throws Exception {
        try (S3AsyncClient s3 = S3AsyncClient.builder().endpointOverride(URI.create(crossrole.endpoint()))
                .region(Region.US_EAST_1).credentialsProvider(crossrole.adminCredentials(TestCrossrole.SOURCE))
                .forcePathStyle(true).httpClient(http2).build()) {
            s3.createBucket(b -> b.bucket("over-h2")).get(30, TimeUnit.SECONDS);
            String text = "x".repeat(300_000); // several HTTP/2 DATA frames each way
            s3.putObject(p -> p.bucket("over-h2").key("k"), AsyncRequestBody.fromString(text))
                    .get(30, TimeUnit.SECONDS);
            String read = s3.getObject(g -> g.bucket("over-h2").key("k"), AsyncResponseTransformer.toBytes())
                    .get(30, TimeUnit.SECONDS).asString(StandardCharsets.UTF_8);
            assertEquals(text, read);
        }
    }
}
