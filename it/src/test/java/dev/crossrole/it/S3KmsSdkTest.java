package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * SSE-KMS objects: the writer needs {@code kms:GenerateDataKey} and a reader {@code kms:Decrypt} of the object's key,
 * through S3 — the classic cross-account failure, where the bucket policy lets another account read and the key does
 * not.
 */
class S3KmsSdkTest {
    static TestCrossrole crossrole;
    static S3Client owner;
    static KmsClient ownerKms;
    static final String BUCKET = "kms-objects";
    static final String READER = "arn:aws:iam::" + SOURCE + ":role/object-reader";

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        ownerKms = KmsSdkTest.client(crossrole, crossrole.adminCredentials(DESTINATION));
        owner.createBucket(r -> r.bucket(BUCKET));
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.createRole(r -> r.roleName("object-reader").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                    + "\"Action\":\"sts:AssumeRole\"}]}"));
            iam.putRolePolicy(r -> r.roleName("object-reader").policyName("read").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\","
                            + "\"kms:Decrypt\"],\"Resource\":\"*\"}]}"));
        }
        owner.putBucketPolicy(r -> r.bucket(BUCKET).policy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                + "\"Allow\",\"Principal\":{\"AWS\":\"" + READER + "\"},\"Action\":\"s3:GetObject\",\"Resource\":"
                + "\"arn:aws:s3:::" + BUCKET + "/*\"}]}"));
    }

    @AfterAll
    static void stop() throws Exception {
        owner.close();
        ownerKms.close();
        crossrole.close();
    }

    private static S3Client reader() {
        software.amazon.awssdk.services.sts.model.Credentials session;
        try (var sts = crossrole.sts(crossrole.adminCredentials(SOURCE))) {
            session = sts.assumeRole(r -> r.roleArn(READER).roleSessionName("reader")).credentials();
        }
        return S3Sdk.pathStyle(crossrole, TestCrossrole.session(session));
    }

    @Test
    void anotherAccountReadsAnSseKmsObjectOnlyWhenTheKeyPolicyAllowsIt() {
        String keyArn = ownerKms.createKey(r -> { }).keyMetadata().arn();
        var put = owner.putObject(r -> r.bucket(BUCKET).key("report.csv").serverSideEncryption(ServerSideEncryption.AWS_KMS)
                .ssekmsKeyId(keyArn).bucketKeyEnabled(true), RequestBody.fromString("a,b\n"));
        assertEquals(ServerSideEncryption.AWS_KMS, put.serverSideEncryption());
        assertEquals(keyArn, put.ssekmsKeyId());
        assertEquals(true, put.bucketKeyEnabled());
        assertEquals("a,b\n", owner.getObjectAsBytes(r -> r.bucket(BUCKET).key("report.csv")).asUtf8String());

        try (S3Client reader = reader()) {
            // The bucket policy and the role's own policy allow; the key's policy names only its own account.
            S3Exception denied = assertThrows(S3Exception.class, () -> reader.getObjectAsBytes(r -> r.bucket(BUCKET)
                    .key("report.csv")));
            assertEquals(403, denied.statusCode());
            assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());
            var head = reader.headObject(r -> r.bucket(BUCKET).key("report.csv"));
            assertEquals(ServerSideEncryption.AWS_KMS, head.serverSideEncryption(), "HEAD reads no bytes");
            assertEquals(keyArn, head.ssekmsKeyId());

            ownerKms.putKeyPolicy(r -> r.keyId(keyArn).policy("{\"Version\":\"2012-10-17\",\"Statement\":["
                    + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + DESTINATION + ":root\"},"
                    + "\"Action\":\"kms:*\",\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                    + READER + "\"},\"Action\":\"kms:Decrypt\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
                    + "{\"kms:ViaService\":\"s3.us-east-1.amazonaws.com\"}}}]}"));
            assertEquals("a,b\n", reader.getObjectAsBytes(r -> r.bucket(BUCKET).key("report.csv")).asUtf8String());
        }
    }

    @Test
    void theBucketOwnersAwsManagedKeyNeverServesAnotherAccount() {
        var put = owner.putObject(r -> r.bucket(BUCKET).key("managed.txt")
                .serverSideEncryption(ServerSideEncryption.AWS_KMS), RequestBody.fromString("m"));
        assertTrue(put.ssekmsKeyId().startsWith("arn:aws:kms:us-east-1:" + DESTINATION + ":key/"), put.ssekmsKeyId());
        assertEquals(put.ssekmsKeyId(), ownerKms.describeKey(r -> r.keyId("alias/aws/s3")).keyMetadata().arn());
        assertEquals("m", owner.getObjectAsBytes(r -> r.bucket(BUCKET).key("managed.txt")).asUtf8String());
        try (S3Client reader = reader()) {
            S3Exception denied = assertThrows(S3Exception.class, () -> reader.getObjectAsBytes(r -> r.bucket(BUCKET)
                    .key("managed.txt")));
            assertEquals(403, denied.statusCode());
        }
    }

    @Test
    void badEncryptionRequestsAreRefusedAndNothingIsWritten() {
        S3Exception noKms = assertThrows(S3Exception.class, () -> owner.putObject(r -> r.bucket(BUCKET).key("bad1")
                .ssekmsKeyId("alias/whatever"), RequestBody.fromString("x")));
        assertEquals(400, noKms.statusCode());
        assertEquals("InvalidArgument", noKms.awsErrorDetails().errorCode());
        S3Exception unknownKey = assertThrows(S3Exception.class, () -> owner.putObject(r -> r.bucket(BUCKET).key("bad2")
                .serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId("alias/none"), RequestBody.fromString("x")));
        assertEquals("KMS.NotFoundException", unknownKey.awsErrorDetails().errorCode());
        S3Exception badContext = assertThrows(S3Exception.class, () -> owner.putObject(r -> r.bucket(BUCKET).key("bad3")
                .serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsEncryptionContext("not base64 json"),
                RequestBody.fromString("x")));
        assertEquals("InvalidArgument", badContext.awsErrorDetails().errorCode());
        assertEquals(List.of(), owner.listObjectsV2(r -> r.bucket(BUCKET).prefix("bad")).contents());
        owner.putObject(r -> r.bucket(BUCKET).key("kms-source").serverSideEncryption(ServerSideEncryption.AWS_KMS),
                RequestBody.fromString("s"));
        // A copy is encrypted as its request or the destination bucket says, not as its source (S3EncryptionSdkTest).
        var copy = owner.copyObject(r -> r.sourceBucket(BUCKET).sourceKey("kms-source").destinationBucket(BUCKET)
                .destinationKey("copy"));
        assertEquals(ServerSideEncryption.AES256, copy.serverSideEncryption());
    }

    @Test
    void aPublicReadNeverOpensAKmsKey() throws Exception {
        owner.createBucket(r -> r.bucket("kms-public"));
        owner.deletePublicAccessBlock(r -> r.bucket("kms-public")); // BlockPublicPolicy would refuse the policy
        owner.putBucketPolicy(r -> r.bucket("kms-public").policy("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":"
                + "\"arn:aws:s3:::kms-public/*\"}]}"));
        owner.putObject(r -> r.bucket("kms-public").key("plain"), RequestBody.fromString("p"));
        owner.putObject(r -> r.bucket("kms-public").key("sealed").serverSideEncryption(ServerSideEncryption.AWS_KMS),
                RequestBody.fromString("s"));
        var http = java.net.http.HttpClient.newHttpClient();
        var plain = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(crossrole.endpoint()
                + "/kms-public/plain")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, plain.statusCode(), plain.body());
        var sealed = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(crossrole.endpoint()
                + "/kms-public/sealed")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(403, sealed.statusCode(), sealed.body());
        assertTrue(!sealed.body().contains(">s<"), sealed.body());
    }
}
