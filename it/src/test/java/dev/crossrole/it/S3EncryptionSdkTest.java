package dev.crossrole.it;

import static dev.crossrole.it.Docs.allow;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.requestlog.RecordedRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionByDefault;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionRule;

/**
 * Bucket default encryption and SSE-KMS wherever S3 writes an object: PutObject without encryption headers takes the
 * bucket's default, multipart uploads keep the key they were created with (the caller needs
 * {@code kms:GenerateDataKey} to create, {@code kms:Decrypt} for each part), and a copy asks {@code kms:Decrypt} of
 * an SSE-KMS source and is encrypted as the request or the destination bucket says, never as its source was.
 */
class S3EncryptionSdkTest {
    static TestCrossrole crossrole;
    static S3Client owner;
    static KmsClient ownerKms;
    /** The bucket owner's customer managed key, whose policy names only its own account at first. */
    static String ownerKey;
    static final String WRITER = "arn:aws:iam::" + SOURCE + ":role/encrypted-writer";

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        ownerKms = KmsSdkTest.client(crossrole, crossrole.adminCredentials(DESTINATION));
        ownerKey = ownerKms.createKey(r -> r.description("owner's data")).keyMetadata().arn();
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.createRole(r -> r.roleName("encrypted-writer").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE
                    + ":root\"},\"Action\":\"sts:AssumeRole\"}]}"));
            iam.putRolePolicy(r -> r.roleName("encrypted-writer").policyName("all").policyDocument(
                    allow("*", "s3:*", "kms:*")));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        owner.close();
        ownerKms.close();
        crossrole.close();
    }

    /** The writer role of the other account (111122223333). */
    private static S3Client writer() {
        software.amazon.awssdk.services.sts.model.Credentials session;
        try (var sts = crossrole.sts(crossrole.adminCredentials(SOURCE))) {
            session = sts.assumeRole(r -> r.roleArn(WRITER).roleSessionName("writer")).credentials();
        }
        return S3Sdk.pathStyle(crossrole, TestCrossrole.session(session));
    }

    private static S3Exception s3Error(Executable call) {
        return assertThrows(S3Exception.class, call);
    }

    /** A denial, and what crossrole recorded deciding it: the action and the side of the decision. */
    private static RecordedRequest denied(Executable call) {
        S3Exception e = s3Error(call);
        assertEquals(403, e.statusCode(), e.getMessage());
        assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
        return crossrole.recorded(e.requestId());
    }

    /** What {@code crossrole why <request-id>} says of a recorded request. */
    private static String why(RecordedRequest request) throws Exception {
        return crossrole.adminGet("/_crossrole/requests/" + request.requestId() + "?format=text").body();
    }

    private static void defaultEncryption(String bucket, String algorithm, String keyId, boolean bucketKey) {
        owner.putBucketEncryption(r -> r.bucket(bucket).serverSideEncryptionConfiguration(c -> c.rules(
                ServerSideEncryptionRule.builder().applyServerSideEncryptionByDefault(d -> d.sseAlgorithm(algorithm)
                        .kmsMasterKeyID(keyId)).bucketKeyEnabled(bucketKey).build())));
    }

    /** A key policy: the owner's account administers, and {@code actions} of {@code principal} through S3. */
    private static void keyPolicy(String principal, String... actions) {
        StringBuilder allowed = new StringBuilder();
        for (String action : actions) {
            allowed.append(allowed.length() == 0 ? "" : ",").append('"').append(action).append('"');
        }
        ownerKms.putKeyPolicy(r -> r.keyId(ownerKey).policy("{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + DESTINATION + ":root\"},"
                + "\"Action\":\"kms:*\",\"Resource\":\"*\"}"
                + (actions.length == 0 ? "" : ",{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + principal
                        + "\"},\"Action\":[" + allowed + "],\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
                        + "{\"kms:ViaService\":\"s3.us-east-1.amazonaws.com\"}}}")
                + "]}"));
    }

    @Test
    void everyBucketHasSseS3UntilAnotherDefaultIsPutAndAgainOnceItIsDeleted() {
        owner.createBucket(r -> r.bucket("enc-default"));
        var initial = owner.getBucketEncryption(r -> r.bucket("enc-default")).serverSideEncryptionConfiguration();
        assertEquals(1, initial.rules().size());
        assertEquals(ServerSideEncryption.AES256, initial.rules().get(0).applyServerSideEncryptionByDefault()
                .sseAlgorithm());
        assertNull(initial.rules().get(0).applyServerSideEncryptionByDefault().kmsMasterKeyID());
        assertEquals(false, initial.rules().get(0).bucketKeyEnabled());
        assertEquals(ServerSideEncryption.AES256, owner.putObject(r -> r.bucket("enc-default").key("plain"),
                RequestBody.fromString("p")).serverSideEncryption());

        defaultEncryption("enc-default", "aws:kms", ownerKey, true);
        var rule = owner.getBucketEncryption(r -> r.bucket("enc-default")).serverSideEncryptionConfiguration()
                .rules().get(0);
        assertEquals(ServerSideEncryption.AWS_KMS, rule.applyServerSideEncryptionByDefault().sseAlgorithm());
        assertEquals(ownerKey, rule.applyServerSideEncryptionByDefault().kmsMasterKeyID());
        assertEquals(true, rule.bucketKeyEnabled());
        var put = owner.putObject(r -> r.bucket("enc-default").key("sealed"), RequestBody.fromString("s"));
        assertEquals(ServerSideEncryption.AWS_KMS, put.serverSideEncryption());
        assertEquals(ownerKey, put.ssekmsKeyId());
        assertEquals(true, put.bucketKeyEnabled());
        var head = owner.headObject(r -> r.bucket("enc-default").key("sealed"));
        assertEquals(ownerKey, head.ssekmsKeyId());
        assertEquals("s", owner.getObjectAsBytes(r -> r.bucket("enc-default").key("sealed")).asUtf8String());
        // The request's headers win over the default; a request's aws:kms without the Bucket Key header takes the
        // bucket's Bucket Key setting.
        var asked = owner.putObject(r -> r.bucket("enc-default").key("asked-aes")
                .serverSideEncryption(ServerSideEncryption.AES256), RequestBody.fromString("a"));
        assertEquals(ServerSideEncryption.AES256, asked.serverSideEncryption());
        var managed = owner.putObject(r -> r.bucket("enc-default").key("asked-managed")
                .serverSideEncryption(ServerSideEncryption.AWS_KMS), RequestBody.fromString("m"));
        assertEquals(ownerKms.describeKey(r -> r.keyId("alias/aws/s3")).keyMetadata().arn(), managed.ssekmsKeyId());
        assertEquals(true, managed.bucketKeyEnabled());
        assertNull(owner.putObject(r -> r.bucket("enc-default").key("no-bucket-key").bucketKeyEnabled(false),
                RequestBody.fromString("n")).bucketKeyEnabled(), "S3 leaves the header out when false");

        owner.deleteBucketEncryption(r -> r.bucket("enc-default"));
        assertEquals(ServerSideEncryption.AES256, owner.getBucketEncryption(r -> r.bucket("enc-default"))
                .serverSideEncryptionConfiguration().rules().get(0).applyServerSideEncryptionByDefault()
                .sseAlgorithm());
        assertEquals(ServerSideEncryption.AES256, owner.putObject(r -> r.bucket("enc-default").key("plain-again"),
                RequestBody.fromString("p")).serverSideEncryption());
        assertEquals(ownerKey, owner.headObject(r -> r.bucket("enc-default").key("sealed")).ssekmsKeyId(),
                "objects keep the encryption they were written with");
    }

    @Test
    void aKmsDefaultWithoutAKeyUsesTheOwnersAwsManagedKey() {
        owner.createBucket(r -> r.bucket("enc-managed"));
        defaultEncryption("enc-managed", "aws:kms", null, false);
        assertNull(owner.getBucketEncryption(r -> r.bucket("enc-managed")).serverSideEncryptionConfiguration().rules()
                .get(0).applyServerSideEncryptionByDefault().kmsMasterKeyID());
        var put = owner.putObject(r -> r.bucket("enc-managed").key("k"), RequestBody.fromString("k"));
        assertEquals(ownerKms.describeKey(r -> r.keyId("alias/aws/s3")).keyMetadata().arn(), put.ssekmsKeyId());
        assertNull(put.bucketKeyEnabled());
    }

    @Test
    void badConfigurationsAreRefusedAsS3RefusesThemAndChangeNothing() {
        owner.createBucket(r -> r.bucket("enc-bad"));
        defaultEncryption("enc-bad", "aws:kms", ownerKey, false);
        S3Exception noRule = s3Error(() -> owner.putBucketEncryption(r -> r.bucket("enc-bad")
                .serverSideEncryptionConfiguration(c -> c.rules(List.of()))));
        assertEquals("MalformedXML", noRule.awsErrorDetails().errorCode());
        assertEquals(400, noRule.statusCode());
        ServerSideEncryptionRule aes = ServerSideEncryptionRule.builder().applyServerSideEncryptionByDefault(d -> d
                .sseAlgorithm(ServerSideEncryption.AES256)).build();
        S3Exception twoRules = s3Error(() -> owner.putBucketEncryption(r -> r.bucket("enc-bad")
                .serverSideEncryptionConfiguration(c -> c.rules(aes, aes))));
        assertEquals("MalformedXML", twoRules.awsErrorDetails().errorCode());
        S3Exception withoutDefault = s3Error(() -> owner.putBucketEncryption(r -> r.bucket("enc-bad")
                .serverSideEncryptionConfiguration(c -> c.rules(ServerSideEncryptionRule.builder()
                        .bucketKeyEnabled(true).build()))));
        assertEquals("MalformedXML", withoutDefault.awsErrorDetails().errorCode());
        S3Exception unknown = s3Error(() -> defaultEncryption("enc-bad", "SSE-KMS", null, false));
        assertEquals("MalformedXML", unknown.awsErrorDetails().errorCode());
        S3Exception keyWithAes = s3Error(() -> defaultEncryption("enc-bad", "AES256", ownerKey, false));
        assertEquals("InvalidArgument", keyWithAes.awsErrorDetails().errorCode());
        assertEquals("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
                keyWithAes.awsErrorDetails().errorMessage());
        S3Exception dsse = s3Error(() -> defaultEncryption("enc-bad", "aws:kms:dsse", null, false));
        assertEquals(501, dsse.statusCode());
        assertEquals("NotImplemented", dsse.awsErrorDetails().errorCode());
        assertEquals(ownerKey, owner.getBucketEncryption(r -> r.bucket("enc-bad")).serverSideEncryptionConfiguration()
                .rules().get(0).applyServerSideEncryptionByDefault().kmsMasterKeyID(), "nothing changed");

        // S3 does not check the key when the default is put: the writes that use it fail, and write nothing.
        defaultEncryption("enc-bad", "aws:kms", "alias/no-such-key", false);
        S3Exception missing = s3Error(() -> owner.putObject(r -> r.bucket("enc-bad").key("never"),
                RequestBody.fromString("x")));
        assertEquals(400, missing.statusCode());
        assertEquals("KMS.NotFoundException", missing.awsErrorDetails().errorCode());
        S3Exception missingUpload = s3Error(() -> owner.createMultipartUpload(r -> r.bucket("enc-bad").key("never")));
        assertEquals("KMS.NotFoundException", missingUpload.awsErrorDetails().errorCode());
        assertEquals(List.of(), owner.listObjectsV2(r -> r.bucket("enc-bad")).contents());
        assertEquals(List.of(), owner.listMultipartUploads(r -> r.bucket("enc-bad")).uploads());
    }

    @Test
    void theEncryptionConfigurationIsAuthorizedAsItsOwnActions() throws Exception {
        owner.createBucket(r -> r.bucket("enc-actions"));
        var user = crossrole.user(DESTINATION, "object-writer", Map.of("put", allow("*", "s3:PutObject")));
        try (S3Client s3 = S3Sdk.pathStyle(crossrole, TestCrossrole.credentials(user))) {
            RecordedRequest get = denied(() -> s3.getBucketEncryption(r -> r.bucket("enc-actions")));
            assertEquals("s3:GetEncryptionConfiguration", get.action());
            RecordedRequest put = denied(() -> s3.putBucketEncryption(r -> r.bucket("enc-actions")
                    .serverSideEncryptionConfiguration(c -> c.rules(ServerSideEncryptionRule.builder()
                            .applyServerSideEncryptionByDefault(d -> d.sseAlgorithm(ServerSideEncryption.AWS_KMS))
                            .build()))));
            assertEquals("s3:PutEncryptionConfiguration", put.action());
            RecordedRequest delete = denied(() -> s3.deleteBucketEncryption(r -> r.bucket("enc-actions")));
            assertEquals("s3:PutEncryptionConfiguration", delete.action());

            // Its own account's key under the default: the key policy delegates to IAM, which allows no KMS use.
            defaultEncryption("enc-actions", "aws:kms", ownerKey, false);
            RecordedRequest write = denied(() -> s3.putObject(r -> r.bucket("enc-actions").key("k"),
                    RequestBody.fromString("k")));
            assertEquals("kms:GenerateDataKey", write.action());
            assertEquals(ownerKey, write.resource());
            assertEquals(PolicyKind.IDENTITY, write.decision().decidedBy());
            assertTrue(why(write).contains("the caller's side (account " + DESTINATION + ")"), why(write));
            assertEquals(List.of(), owner.listObjectsV2(r -> r.bucket("enc-actions")).contents());
        }
    }

    @Test
    void aMultipartUploadKeepsItsKeyAndAsksForGenerateDataKeyThenDecrypt() {
        owner.createBucket(r -> r.bucket("enc-multipart"));
        defaultEncryption("enc-multipart", "aws:kms", ownerKey, true);
        var created = owner.createMultipartUpload(r -> r.bucket("enc-multipart").key("default"));
        assertEquals(ServerSideEncryption.AWS_KMS, created.serverSideEncryption());
        assertEquals(ownerKey, created.ssekmsKeyId());
        assertEquals(true, created.bucketKeyEnabled());
        // Changing the default later does not change the upload.
        owner.deleteBucketEncryption(r -> r.bucket("enc-multipart"));
        var part = owner.uploadPart(r -> r.bucket("enc-multipart").key("default").uploadId(created.uploadId())
                .partNumber(1), RequestBody.fromString("one part"));
        assertEquals(ServerSideEncryption.AWS_KMS, part.serverSideEncryption());
        assertEquals(ownerKey, part.ssekmsKeyId());
        var done = owner.completeMultipartUpload(r -> r.bucket("enc-multipart").key("default")
                .uploadId(created.uploadId()).multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1)
                        .eTag(part.eTag()).build())));
        assertEquals(ServerSideEncryption.AWS_KMS, done.serverSideEncryption());
        assertEquals(ownerKey, done.ssekmsKeyId());
        assertEquals(true, done.bucketKeyEnabled());
        var got = owner.getObjectAsBytes(r -> r.bucket("enc-multipart").key("default"));
        assertEquals("one part", got.asUtf8String());
        assertEquals(ownerKey, got.response().ssekmsKeyId());

        // The request's header: the owner's aws/s3, while the bucket's default is SSE-S3 again.
        var asked = owner.createMultipartUpload(r -> r.bucket("enc-multipart").key("asked")
                .serverSideEncryption(ServerSideEncryption.AWS_KMS));
        String managed = ownerKms.describeKey(r -> r.keyId("alias/aws/s3")).keyMetadata().arn();
        assertEquals(managed, asked.ssekmsKeyId());
        var copiedPart = owner.uploadPartCopy(r -> r.sourceBucket("enc-multipart").sourceKey("default")
                .destinationBucket("enc-multipart").destinationKey("asked").uploadId(asked.uploadId()).partNumber(1));
        assertEquals(managed, copiedPart.ssekmsKeyId());
        owner.completeMultipartUpload(r -> r.bucket("enc-multipart").key("asked").uploadId(asked.uploadId())
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1)
                        .eTag(copiedPart.copyPartResult().eTag()).build())));
        assertEquals(managed, owner.headObject(r -> r.bucket("enc-multipart").key("asked")).ssekmsKeyId());
        assertEquals(ServerSideEncryption.AES256, owner.createMultipartUpload(r -> r.bucket("enc-multipart")
                .key("plain")).serverSideEncryption());
    }

    @Test
    void anotherAccountsWriterNeedsTheKeyPolicyForEachStepOfAMultipartUpload() {
        owner.createBucket(r -> r.bucket("enc-shared"));
        owner.putBucketPolicy(r -> r.bucket("enc-shared").policy("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + WRITER + "\"},\"Action\":[\"s3:PutObject\","
                + "\"s3:ListMultipartUploadParts\"],\"Resource\":\"arn:aws:s3:::enc-shared/*\"}]}"));
        defaultEncryption("enc-shared", "aws:kms", ownerKey, false);
        keyPolicy(WRITER);
        try (S3Client writer = writer()) {
            // The bucket policy and the writer's own policy allow; the key's policy names only its account.
            RecordedRequest create = denied(() -> writer.createMultipartUpload(r -> r.bucket("enc-shared").key("up")));
            assertEquals("kms:GenerateDataKey", create.action());
            assertEquals(ownerKey, create.resource());
            assertEquals(PolicyKind.KEY, create.decision().decidedBy());
            assertEquals(List.of(), owner.listMultipartUploads(r -> r.bucket("enc-shared")).uploads());

            keyPolicy(WRITER, "kms:GenerateDataKey");
            String uploadId = writer.createMultipartUpload(r -> r.bucket("enc-shared").key("up")
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32)).uploadId();
            RecordedRequest part = denied(() -> writer.uploadPart(r -> r.bucket("enc-shared").key("up")
                    .uploadId(uploadId).partNumber(1).checksumAlgorithm(ChecksumAlgorithm.CRC32),
                    RequestBody.fromString("part")));
            assertEquals("kms:Decrypt", part.action());
            assertEquals(PolicyKind.KEY, part.decision().decidedBy());
            assertEquals(List.of(), writer.listParts(r -> r.bucket("enc-shared").key("up").uploadId(uploadId))
                    .parts(), "nothing was stored");

            keyPolicy(WRITER, "kms:GenerateDataKey", "kms:Decrypt");
            var uploaded = writer.uploadPart(r -> r.bucket("enc-shared").key("up").uploadId(uploadId).partNumber(1)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromString("part"));
            assertEquals(ownerKey, uploaded.ssekmsKeyId());
            // An upload with an additional checksum needs kms:Decrypt to complete as well.
            keyPolicy(WRITER, "kms:GenerateDataKey");
            CompletedPart completed = CompletedPart.builder().partNumber(1).eTag(uploaded.eTag())
                    .checksumCRC32(uploaded.checksumCRC32()).build();
            RecordedRequest complete = denied(() -> writer.completeMultipartUpload(r -> r.bucket("enc-shared")
                    .key("up").uploadId(uploadId).multipartUpload(m -> m.parts(completed))));
            assertEquals("kms:Decrypt", complete.action());
            keyPolicy(WRITER, "kms:GenerateDataKey", "kms:Decrypt");
            var done = writer.completeMultipartUpload(r -> r.bucket("enc-shared").key("up").uploadId(uploadId)
                    .multipartUpload(m -> m.parts(completed)));
            assertEquals(ownerKey, done.ssekmsKeyId());
            assertEquals("part", owner.getObjectAsBytes(r -> r.bucket("enc-shared").key("up")).asUtf8String());
        }
    }

    @Test
    void copyingAnSseKmsObjectAsksTheCopierForDecryptAndTakesTheDestinationsEncryption() throws Exception {
        owner.createBucket(r -> r.bucket("enc-source"));
        owner.putBucketPolicy(r -> r.bucket("enc-source").policy("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + WRITER + "\"},\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::enc-source/*\"}]}"));
        owner.putObject(r -> r.bucket("enc-source").key("report.csv").serverSideEncryption(ServerSideEncryption.AWS_KMS)
                .ssekmsKeyId(ownerKey), RequestBody.fromString("a,b\n"));
        keyPolicy(WRITER);
        try (S3Client writer = writer()) {
            writer.createBucket(r -> r.bucket("enc-copies"));
            // The classic failure: the bucket policy lets the other account read, the key policy does not.
            RecordedRequest copy = denied(() -> writer.copyObject(r -> r.sourceBucket("enc-source")
                    .sourceKey("report.csv").destinationBucket("enc-copies").destinationKey("report.csv")));
            assertEquals("kms:Decrypt", copy.action());
            assertEquals(ownerKey, copy.resource());
            assertEquals(PolicyKind.KEY, copy.decision().decidedBy());
            String why = why(copy);
            assertTrue(why.contains("the resource's side (account " + DESTINATION + ")") && why.contains("key policy"),
                    why);
            String uploadId = writer.createMultipartUpload(r -> r.bucket("enc-copies").key("parts")).uploadId();
            RecordedRequest partCopy = denied(() -> writer.uploadPartCopy(r -> r.sourceBucket("enc-source")
                    .sourceKey("report.csv").destinationBucket("enc-copies").destinationKey("parts")
                    .uploadId(uploadId).partNumber(1)));
            assertEquals("kms:Decrypt", partCopy.action());
            assertEquals(List.of(), writer.listObjectsV2(r -> r.bucket("enc-copies")).contents());

            keyPolicy(WRITER, "kms:Decrypt");
            var copied = writer.copyObject(r -> r.sourceBucket("enc-source").sourceKey("report.csv")
                    .destinationBucket("enc-copies").destinationKey("report.csv"));
            assertEquals(ServerSideEncryption.AES256, copied.serverSideEncryption(),
                    "the destination bucket's default, not the source's key");
            assertEquals("a,b\n", writer.getObjectAsBytes(r -> r.bucket("enc-copies").key("report.csv"))
                    .asUtf8String());
            var part = writer.uploadPartCopy(r -> r.sourceBucket("enc-source").sourceKey("report.csv")
                    .destinationBucket("enc-copies").destinationKey("parts").uploadId(uploadId).partNumber(1));
            assertEquals(ServerSideEncryption.AES256, part.serverSideEncryption());
            // Asked for in the request: the writer's own account's aws/s3 (the destination bucket's owner).
            var sealed = writer.copyObject(r -> r.sourceBucket("enc-source").sourceKey("report.csv")
                    .destinationBucket("enc-copies").destinationKey("sealed.csv")
                    .serverSideEncryption(ServerSideEncryption.AWS_KMS));
            assertTrue(sealed.ssekmsKeyId().startsWith("arn:aws:kms:us-east-1:" + SOURCE + ":key/"),
                    sealed.ssekmsKeyId());
        }
    }

    @Test
    void aCopyTakesTheDestinationBucketsDefaultAndMayReEncryptAnObjectInPlace() {
        owner.createBucket(r -> r.bucket("enc-copy-plain"));
        owner.createBucket(r -> r.bucket("enc-copy-sealed"));
        defaultEncryption("enc-copy-sealed", "aws:kms", ownerKey, false);
        owner.putObject(r -> r.bucket("enc-copy-plain").key("doc"), RequestBody.fromString("d"));
        var copy = owner.copyObject(r -> r.sourceBucket("enc-copy-plain").sourceKey("doc")
                .destinationBucket("enc-copy-sealed").destinationKey("doc"));
        assertEquals(ServerSideEncryption.AWS_KMS, copy.serverSideEncryption());
        assertEquals(ownerKey, copy.ssekmsKeyId());
        var back = owner.copyObject(r -> r.sourceBucket("enc-copy-sealed").sourceKey("doc")
                .destinationBucket("enc-copy-plain").destinationKey("back"));
        assertEquals(ServerSideEncryption.AES256, back.serverSideEncryption());
        assertEquals("d", owner.getObjectAsBytes(r -> r.bucket("enc-copy-plain").key("back")).asUtf8String());

        // Copying an object onto itself is legal when it changes the encryption: the way to encrypt in place.
        S3Exception same = s3Error(() -> owner.copyObject(r -> r.sourceBucket("enc-copy-plain").sourceKey("doc")
                .destinationBucket("enc-copy-plain").destinationKey("doc")));
        assertEquals("InvalidRequest", same.awsErrorDetails().errorCode());
        var inPlace = owner.copyObject(r -> r.sourceBucket("enc-copy-plain").sourceKey("doc")
                .destinationBucket("enc-copy-plain").destinationKey("doc").serverSideEncryption(
                        ServerSideEncryption.AWS_KMS).ssekmsKeyId(ownerKey));
        assertEquals(ownerKey, inPlace.ssekmsKeyId());
        assertEquals(ownerKey, owner.headObject(r -> r.bucket("enc-copy-plain").key("doc")).ssekmsKeyId());
        S3Exception unknownKey = s3Error(() -> owner.copyObject(r -> r.sourceBucket("enc-copy-plain").sourceKey("doc")
                .destinationBucket("enc-copy-plain").destinationKey("other").serverSideEncryption(
                        ServerSideEncryption.AWS_KMS).ssekmsKeyId("alias/none")));
        assertEquals("KMS.NotFoundException", unknownKey.awsErrorDetails().errorCode());
        S3Exception keyWithoutKms = s3Error(() -> owner.copyObject(r -> r.sourceBucket("enc-copy-plain")
                .sourceKey("doc").destinationBucket("enc-copy-plain").destinationKey("other").ssekmsKeyId(ownerKey)));
        assertEquals("InvalidArgument", keyWithoutKms.awsErrorDetails().errorCode());
        assertEquals(List.of("back", "doc"), owner.listObjectsV2(r -> r.bucket("enc-copy-plain")).contents().stream()
                .map(o -> o.key()).toList());
    }

    @Test
    void aBucketPolicyRequiringSseKmsSeesTheHeadersAsSent() {
        owner.createBucket(r -> r.bucket("enc-required"));
        defaultEncryption("enc-required", "aws:kms", ownerKey, false);
        owner.putBucketPolicy(r -> r.bucket("enc-required").policy("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\",\"Resource\":"
                + "\"arn:aws:s3:::enc-required/*\",\"Condition\":{\"StringNotEquals\":{"
                + "\"s3:x-amz-server-side-encryption-aws-kms-key-id\":\"" + ownerKey + "\"}}}]}"));
        // The condition key is the request's header: a write relying on the bucket's default does not carry it.
        RecordedRequest relying = denied(() -> owner.putObject(r -> r.bucket("enc-required").key("k"),
                RequestBody.fromString("k")));
        assertEquals("s3:PutObject", relying.action());
        var named = owner.putObject(r -> r.bucket("enc-required").key("k").serverSideEncryption(
                ServerSideEncryption.AWS_KMS).ssekmsKeyId(ownerKey), RequestBody.fromString("k"));
        assertEquals(ownerKey, named.ssekmsKeyId());
    }
}
