package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectAttributes;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * SSE-C through the SDK for Java v2: objects written with a customer's key are stored encrypted under it and read
 * only with it (Range, partNumber and checksums included), multipart uploads take the same key for every part, copies
 * read a source with its key and write a destination under theirs, versions keep their own keys, and bad keys are
 * S3's errors that write nothing.
 */
class S3SseCSdkTest {
    static TestCrossrole crossrole;
    static S3Client s3;
    static final String BUCKET = "ssec-bucket";
    static final byte[] KEY_A = key(1);
    static final byte[] KEY_B = key(2);

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        s3 = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        s3.createBucket(r -> r.bucket(BUCKET));
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        crossrole.close();
    }

    static byte[] key(int seed) {
        byte[] key = new byte[32];
        new Random(seed).nextBytes(key);
        return key;
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static String md5(byte[] bytes) {
        try {
            return b64(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Consumer<PutObjectRequest.Builder> put(String key, byte[] customer) {
        return r -> r.bucket(BUCKET).key(key).sseCustomerAlgorithm("AES256").sseCustomerKey(b64(customer))
                .sseCustomerKeyMD5(md5(customer));
    }

    private static GetObjectRequest.Builder get(String key, byte[] customer) {
        GetObjectRequest.Builder builder = GetObjectRequest.builder().bucket(BUCKET).key(key);
        return customer == null ? builder : builder.sseCustomerAlgorithm("AES256").sseCustomerKey(b64(customer))
                .sseCustomerKeyMD5(md5(customer));
    }

    private static String read(GetObjectRequest.Builder request) {
        return s3.getObjectAsBytes(request.build()).asUtf8String();
    }

    @Test
    void objectsAreReadOnlyWithTheirKey() throws IOException {
        String secret = "a secret that only its key opens";
        PutObjectResponse put = s3.putObject(put("doc", KEY_A), RequestBody.fromString(secret));
        assertEquals("AES256", put.sseCustomerAlgorithm());
        assertEquals(md5(KEY_A), put.sseCustomerKeyMD5());
        assertNull(put.serverSideEncryption());
        assertNotEquals("\"" + hexMd5(secret.getBytes(StandardCharsets.UTF_8)) + "\"", put.eTag(),
                "an SSE-C object's ETag is not the MD5 of its bytes");

        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(get("doc", KEY_A).build());
        assertEquals(secret, got.asUtf8String());
        assertEquals("AES256", got.response().sseCustomerAlgorithm());
        assertEquals(md5(KEY_A), got.response().sseCustomerKeyMD5());
        assertEquals(secret.substring(9, 18), read(get("doc", KEY_A).range("bytes=9-17")));
        assertEquals(secret.substring(17), read(get("doc", KEY_A).range("bytes=17-")));
        var head = s3.headObject(r -> r.bucket(BUCKET).key("doc").sseCustomerAlgorithm("AES256")
                .sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A)));
        assertEquals(md5(KEY_A), head.sseCustomerKeyMD5());
        assertEquals(secret.length(), head.contentLength());
        assertEquals(secret.length(), s3.getObjectAttributes(r -> r.bucket(BUCKET).key("doc")
                .objectAttributes(ObjectAttributes.OBJECT_SIZE).sseCustomerAlgorithm("AES256")
                .sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A))).objectSize());
        assertError(400, "InvalidRequest", null, () -> s3.getObjectAttributes(r -> r.bucket(BUCKET).key("doc")
                .objectAttributes(ObjectAttributes.OBJECT_SIZE)));

        assertError(400, "InvalidRequest", "The object was stored using a form of Server Side Encryption. The correct"
                + " parameters must be provided to retrieve the object.", () -> read(get("doc", null)));
        assertEquals(400, org.junit.jupiter.api.Assertions.assertThrows(
                software.amazon.awssdk.awscore.exception.AwsServiceException.class,
                () -> s3.headObject(r -> r.bucket(BUCKET).key("doc"))).statusCode(), "HEAD without the key");
        assertError(403, "AccessDenied", null, () -> read(get("doc", KEY_B)));

        s3.putObject(r -> r.bucket(BUCKET).key("plain"), RequestBody.fromString("plain"));
        assertError(400, "InvalidRequest", null, () -> read(get("plain", KEY_A)));

        // At rest the bytes are not the plaintext: no file under the data folder holds them.
        byte[] plain = secret.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(crossrole.dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(file);
                assertFalse(contains(bytes, plain), file + " holds the plaintext");
                assertFalse(contains(bytes, b64(KEY_A).getBytes(StandardCharsets.UTF_8)), file + " holds the key");
            }
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static String hexMd5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void checksumsAreOfThePlaintext() {
        PutObjectResponse put = s3.putObject(put("summed", KEY_A).andThen(r -> r.checksumAlgorithm(
                ChecksumAlgorithm.CRC32)), RequestBody.fromString("checked bytes"));
        var got = s3.getObjectAsBytes(get("summed", KEY_A).checksumMode(ChecksumMode.ENABLED).build());
        assertEquals("checked bytes", got.asUtf8String());
        assertEquals(put.checksumCRC32(), got.response().checksumCRC32());
    }

    /** Bad SSE-C headers, sent as written (the SDK would compute a right MD5 otherwise). */
    private static Consumer<PutObjectRequest.Builder> raw(String key, String algorithm, String customer, String md5) {
        return r -> {
            r.bucket(BUCKET).key(key);
            AwsRequestOverrideConfiguration.Builder headers = AwsRequestOverrideConfiguration.builder();
            if (algorithm != null) {
                headers.putHeader("x-amz-server-side-encryption-customer-algorithm", algorithm);
            }
            if (customer != null) {
                headers.putHeader("x-amz-server-side-encryption-customer-key", customer);
            }
            if (md5 != null) {
                headers.putHeader("x-amz-server-side-encryption-customer-key-MD5", md5);
            }
            r.overrideConfiguration(headers.build());
        };
    }

    @Test
    void badKeysWriteNothing() {
        String prefix = "Requests specifying Server Side Encryption with Customer provided keys must provide ";
        assertError(400, "InvalidArgument", "The calculated MD5 hash of the key did not match the hash that was"
                + " provided.", () -> s3.putObject(raw("bad", "AES256", b64(KEY_A), md5(KEY_B)),
                RequestBody.fromString("x")));
        assertError(400, "InvalidArgument", "The secret key was invalid for the specified algorithm.",
                () -> s3.putObject(raw("bad", "AES256", b64(Arrays.copyOf(KEY_A, 16)),
                        md5(Arrays.copyOf(KEY_A, 16))), RequestBody.fromString("x")));
        assertError(400, "InvalidArgument", prefix + "the client calculated MD5 of the secret key.",
                () -> s3.putObject(raw("bad", "AES256", b64(KEY_A), null), RequestBody.fromString("x")));
        assertError(400, "InvalidArgument", prefix + "an appropriate secret key.",
                () -> s3.putObject(raw("bad", "AES256", null, md5(KEY_A)), RequestBody.fromString("x")));
        assertError(400, "InvalidArgument", prefix + "a valid encryption algorithm.",
                () -> s3.putObject(raw("bad", null, b64(KEY_A), md5(KEY_A)), RequestBody.fromString("x")));
        assertError(400, "InvalidEncryptionAlgorithmError", "The Encryption request you specified is not valid."
                + " Supported value: AES256.", () -> s3.putObject(raw("bad", "AES128", b64(KEY_A), md5(KEY_A)),
                RequestBody.fromString("x")));
        assertError(400, "InvalidArgument", "Server Side Encryption with Customer provided key is incompatible with"
                + " the encryption method specified.", () -> s3.putObject(put("bad", KEY_A).andThen(r ->
                r.serverSideEncryption("AES256")), RequestBody.fromString("x")));
        assertError(404, "NoSuchKey", null, () -> s3.headObject(r -> r.bucket(BUCKET).key("bad")));
    }

    @Test
    void multipartUploadsTakeTheSameKeyForEveryPart() {
        byte[] first = new byte[5 * 1024 * 1024];
        new Random(7).nextBytes(first);
        byte[] second = "the last part".getBytes(StandardCharsets.UTF_8);
        String id = s3.createMultipartUpload(r -> r.bucket(BUCKET).key("big").sseCustomerAlgorithm("AES256")
                .sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A))).uploadId();
        assertError(400, "InvalidRequest", "The multipart upload initiate requested encryption. Subsequent part"
                + " requests must include the appropriate encryption parameters.", () -> s3.uploadPart(r -> r
                .bucket(BUCKET).key("big").uploadId(id).partNumber(1), RequestBody.fromBytes(first)));
        assertError(400, "InvalidArgument", "The provided encryption parameters did not match the ones used"
                + " originally.", () -> s3.uploadPart(r -> r.bucket(BUCKET).key("big").uploadId(id).partNumber(1)
                .sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_B)).sseCustomerKeyMD5(md5(KEY_B)),
                RequestBody.fromBytes(first)));
        var one = s3.uploadPart(r -> r.bucket(BUCKET).key("big").uploadId(id).partNumber(1)
                .sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A)),
                RequestBody.fromBytes(first));
        assertEquals(md5(KEY_A), one.sseCustomerKeyMD5());
        var two = s3.uploadPart(r -> r.bucket(BUCKET).key("big").uploadId(id).partNumber(2)
                .sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A)),
                RequestBody.fromBytes(second));
        s3.completeMultipartUpload(r -> r.bucket(BUCKET).key("big").uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(one.eTag()).build(),
                CompletedPart.builder().partNumber(2).eTag(two.eTag()).build())));

        byte[] whole = s3.getObjectAsBytes(get("big", KEY_A).build()).asByteArray();
        byte[] expected = new byte[first.length + second.length];
        System.arraycopy(first, 0, expected, 0, first.length);
        System.arraycopy(second, 0, expected, first.length, second.length);
        assertArrayEquals(expected, whole);
        assertEquals("the last part", read(get("big", KEY_A).partNumber(2)));
        int at = first.length - 5;
        assertArrayEquals(Arrays.copyOfRange(expected, at, at + 12),
                s3.getObjectAsBytes(get("big", KEY_A).range("bytes=" + at + "-" + (at + 11)).build()).asByteArray());
        assertError(400, "InvalidRequest", null, () -> read(get("big", null)));
    }

    /** A full-object checksum is over the plaintext, so completing such an upload needs its key. */
    @Test
    void aFullObjectChecksumUploadIsCompletedWithItsKey() {
        String id = s3.createMultipartUpload(r -> r.bucket(BUCKET).key("whole").sseCustomerAlgorithm("AES256")
                .sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A)).checksumAlgorithm(ChecksumAlgorithm.CRC32)
                .checksumType("FULL_OBJECT")).uploadId();
        byte[] bytes = "summed whole".getBytes(StandardCharsets.UTF_8);
        var part = s3.uploadPart(r -> r.bucket(BUCKET).key("whole").uploadId(id).partNumber(1)
                .checksumAlgorithm(ChecksumAlgorithm.CRC32).sseCustomerAlgorithm("AES256")
                .sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A)), RequestBody.fromBytes(bytes));
        CompletedPart completed = CompletedPart.builder().partNumber(1).eTag(part.eTag())
                .checksumCRC32(part.checksumCRC32()).build();
        assertError(400, "InvalidRequest", null, () -> s3.completeMultipartUpload(r -> r.bucket(BUCKET).key("whole")
                .uploadId(id).multipartUpload(m -> m.parts(completed))));
        var done = s3.completeMultipartUpload(r -> r.bucket(BUCKET).key("whole").uploadId(id)
                .sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A))
                .multipartUpload(m -> m.parts(completed)));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes);
        String expected = b64(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        assertEquals(expected, done.checksumCRC32());
        var got = s3.getObjectAsBytes(get("whole", KEY_A).checksumMode(ChecksumMode.ENABLED).build());
        assertEquals("summed whole", got.asUtf8String());
        assertEquals(expected, got.response().checksumCRC32());
    }

    @Test
    void copiesReadTheSourceWithItsKeyAndWriteUnderTheirs() {
        s3.putObject(put("source", KEY_A), RequestBody.fromString("copied bytes"));
        assertError(400, "InvalidRequest", null, () -> s3.copyObject(r -> r.sourceBucket(BUCKET).sourceKey("source")
                .destinationBucket(BUCKET).destinationKey("copy")));
        assertError(404, "NoSuchKey", null, () -> s3.headObject(r -> r.bucket(BUCKET).key("copy")));

        var copy = s3.copyObject(r -> r.sourceBucket(BUCKET).sourceKey("source").destinationBucket(BUCKET)
                .destinationKey("copy").copySourceSSECustomerAlgorithm("AES256")
                .copySourceSSECustomerKey(b64(KEY_A)).copySourceSSECustomerKeyMD5(md5(KEY_A))
                .sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_B)).sseCustomerKeyMD5(md5(KEY_B)));
        assertEquals(md5(KEY_B), copy.sseCustomerKeyMD5());
        assertEquals("copied bytes", read(get("copy", KEY_B)));
        assertError(403, "AccessDenied", null, () -> read(get("copy", KEY_A)));

        // Re-keying an object in place is a copy onto itself that changes its encryption.
        s3.copyObject(r -> r.sourceBucket(BUCKET).sourceKey("copy").destinationBucket(BUCKET).destinationKey("copy")
                .copySourceSSECustomerAlgorithm("AES256").copySourceSSECustomerKey(b64(KEY_B))
                .copySourceSSECustomerKeyMD5(md5(KEY_B)));
        assertEquals("copied bytes", read(get("copy", null)));

        s3.copyObject(r -> r.sourceBucket(BUCKET).sourceKey("copy").destinationBucket(BUCKET)
                .destinationKey("sealed").sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_A))
                .sseCustomerKeyMD5(md5(KEY_A)));
        assertEquals("copied bytes", read(get("sealed", KEY_A)));

        String id = s3.createMultipartUpload(r -> r.bucket(BUCKET).key("parted").sseCustomerAlgorithm("AES256")
                .sseCustomerKey(b64(KEY_B)).sseCustomerKeyMD5(md5(KEY_B))).uploadId();
        var part = s3.uploadPartCopy(r -> r.sourceBucket(BUCKET).sourceKey("source").destinationBucket(BUCKET)
                .destinationKey("parted").uploadId(id).partNumber(1).copySourceRange("bytes=0-5")
                .copySourceSSECustomerAlgorithm("AES256").copySourceSSECustomerKey(b64(KEY_A))
                .copySourceSSECustomerKeyMD5(md5(KEY_A)).sseCustomerAlgorithm("AES256")
                .sseCustomerKey(b64(KEY_B)).sseCustomerKeyMD5(md5(KEY_B)));
        assertEquals(md5(KEY_B), part.sseCustomerKeyMD5());
        s3.completeMultipartUpload(r -> r.bucket(BUCKET).key("parted").uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(part.copyPartResult().eTag()).build())));
        assertEquals("copied", read(get("parted", KEY_B)));
    }

    @Test
    void versionsKeepTheirOwnKeys() {
        s3.createBucket(r -> r.bucket("ssec-versions"));
        s3.putBucketVersioning(r -> r.bucket("ssec-versions").versioningConfiguration(v -> v.status("Enabled")));
        String v1 = s3.putObject(r -> r.bucket("ssec-versions").key("doc").sseCustomerAlgorithm("AES256")
                .sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A)), RequestBody.fromString("one")).versionId();
        String v2 = s3.putObject(r -> r.bucket("ssec-versions").key("doc").sseCustomerAlgorithm("AES256")
                .sseCustomerKey(b64(KEY_B)).sseCustomerKeyMD5(md5(KEY_B)), RequestBody.fromString("two")).versionId();
        assertEquals("one", read(get("doc", KEY_A).bucket("ssec-versions").versionId(v1)));
        assertEquals("two", read(get("doc", KEY_B).bucket("ssec-versions").versionId(v2)));
        assertEquals("two", read(get("doc", KEY_B).bucket("ssec-versions")));
        assertError(403, "AccessDenied", null, () -> read(get("doc", KEY_B).bucket("ssec-versions").versionId(v1)));
    }

    @Test
    void aBucketPolicyCanRequireCustomerKeys() {
        s3.createBucket(r -> r.bucket("ssec-required"));
        s3.putBucketPolicy(r -> r.bucket("ssec-required").policy("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\",\"Resource\":"
                + "\"arn:aws:s3:::ssec-required/*\",\"Condition\":{\"Null\":{"
                + "\"s3:x-amz-server-side-encryption-customer-algorithm\":\"true\"}}}]}"));
        assertError(403, "AccessDenied", null, () -> s3.putObject(r -> r.bucket("ssec-required").key("plain"),
                RequestBody.fromString("x")));
        s3.putObject(r -> r.bucket("ssec-required").key("sealed").sseCustomerAlgorithm("AES256")
                .sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A)), RequestBody.fromString("x"));
        assertTrue(s3.listObjectsV2(r -> r.bucket("ssec-required")).contents().stream()
                .map(o -> o.key()).toList().equals(List.of("sealed")));
    }
}
