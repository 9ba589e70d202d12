package dev.crossrole.it;

import static dev.crossrole.it.S3SseCSdkTest.KEY_A;
import static dev.crossrole.it.S3SseCSdkTest.KEY_B;
import static dev.crossrole.it.S3SseCSdkTest.b64;
import static dev.crossrole.it.S3SseCSdkTest.md5;
import static dev.crossrole.it.SdkErrors.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/**
 * SSE-C objects and uploads are durable: after a restart, and in another data directory after {@code crossrole state
 * export|import}, an object still opens with its key only, and an upload in progress still takes its key alone.
 */
class S3SseCRestartTest {
    @TempDir
    Path dir;

    private static S3Client s3(CrossroleServer server) {
        Bootstrap.Profile p = server.profiles().stream().filter(x -> x.account().id().equals("555566667777"))
                .findFirst().orElseThrow();
        return S3Client.builder().endpointOverride(URI.create(server.endpoint())).region(Region.US_EAST_1)
                .forcePathStyle(true).httpClient(ApacheHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(),
                        p.secretAccessKey()))).build();
    }

    private static GetObjectRequest get(String key, byte[] customer) {
        GetObjectRequest.Builder builder = GetObjectRequest.builder().bucket("sealed").key(key);
        return (customer == null ? builder : builder.sseCustomerAlgorithm("AES256").sseCustomerKey(b64(customer))
                .sseCustomerKeyMD5(md5(customer))).build();
    }

    /** Writes an object and starts an upload, both under KEY_A; returns the upload's id and its part's ETag. */
    private static String[] write(S3Client s3, byte[] large) {
        s3.createBucket(b -> b.bucket("sealed"));
        s3.putObject(b -> b.bucket("sealed").key("doc").sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_A))
                .sseCustomerKeyMD5(md5(KEY_A)), RequestBody.fromBytes(large));
        String uploadId = s3.createMultipartUpload(b -> b.bucket("sealed").key("later").sseCustomerAlgorithm("AES256")
                .sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A))).uploadId();
        String etag = s3.uploadPart(b -> b.bucket("sealed").key("later").uploadId(uploadId).partNumber(1)
                .sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A)),
                RequestBody.fromString("part one")).eTag();
        return new String[] {uploadId, etag};
    }

    /** What {@link #write} left is there, under its key alone. */
    private static void check(S3Client s3, byte[] large, String[] upload) {
        assertArrayEquals(large, s3.getObjectAsBytes(get("doc", KEY_A)).asByteArray());
        assertError(403, "AccessDenied", null, () -> s3.getObjectAsBytes(get("doc", KEY_B)));
        assertError(400, "InvalidRequest", null, () -> s3.getObjectAsBytes(get("doc", null)));
        assertError(400, "InvalidArgument", null, () -> s3.uploadPart(b -> b.bucket("sealed").key("later")
                .uploadId(upload[0]).partNumber(2).sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_B))
                .sseCustomerKeyMD5(md5(KEY_B)), RequestBody.fromString("other")));
        s3.completeMultipartUpload(b -> b.bucket("sealed").key("later").uploadId(upload[0]).multipartUpload(m -> m
                .parts(CompletedPart.builder().partNumber(1).eTag(upload[1]).build())));
        assertEquals("part one", s3.getObjectAsBytes(get("later", KEY_A)).asUtf8String());
        assertEquals(md5(KEY_A), s3.headObject(b -> b.bucket("sealed").key("later").sseCustomerAlgorithm("AES256")
                .sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A))).sseCustomerKeyMD5());
    }

    @Test
    void sseCObjectsAndUploadsSurviveARestart() throws Exception {
        Path data = dir.resolve("data");
        byte[] large = new byte[1024 * 1024 + 3];
        new Random(3).nextBytes(large);
        String[] upload;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            upload = write(s3(server), large);
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            check(s3(again), large, upload);
        }
    }

    @Test
    void sseCObjectsMoveWithStateExportAndImport() throws Exception {
        Path source = dir.resolve("source");
        byte[] large = new byte[70_000];
        new Random(4).nextBytes(large);
        String[] upload;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(source).withPort(0))) {
            upload = write(s3(server), large);
        }
        Path document = dir.resolve("state.json");
        Run exported = CrossroleCommand.run(dir, "state", "export", "--data-dir", source.toString(),
                document.toString());
        assertEquals(0, exported.exit(), exported.toString());
        Path target = dir.resolve("target");
        Run imported = CrossroleCommand.run(dir, "state", "import", "--data-dir", target.toString(),
                document.toString());
        assertEquals(0, imported.exit(), imported.toString());
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(target).withPort(0))) {
            check(s3(server), large, upload);
        }
    }
}
