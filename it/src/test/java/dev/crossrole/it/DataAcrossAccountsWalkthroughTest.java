package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The second walkthrough: after the hop, the task's role in 111122223333 reads a secret of 555566667777 encrypted with a
 * customer key of 555566667777, and an SSE-KMS object of a 555566667777 bucket — directly, across accounts. Each policy
 * involved is taken away in turn: each removal gives AWS's error, and {@code crossrole why} names the side that decided.
 */
class DataAcrossAccountsWalkthroughTest {
    static final String TASK_ROLE = "arn:aws:iam::" + SOURCE + ":role/app-task";
    static final String BUCKET = "team-data";
    TestCrossrole crossrole;
    String keyArn;
    String secretArn;

    private static String policy(String... statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
    }

    private static String allow(String principal, String actions, String resource) {
        return "{\"Effect\":\"Allow\"" + (principal == null ? "" : ",\"Principal\":{\"AWS\":\"" + principal + "\"}")
                + ",\"Action\":" + actions + ",\"Resource\":\"" + resource + "\"}";
    }

    static final String IDENTITY = policy(allow(null, "[\"secretsmanager:GetSecretValue\",\"s3:GetObject\",\"kms:Decrypt\"]",
            "*"));
    static final String KEY_POLICY = policy(allow("arn:aws:iam::" + DESTINATION + ":root", "\"kms:*\"", "*"),
            allow(TASK_ROLE, "\"kms:Decrypt\"", "*"));
    static final String KEY_POLICY_WITHOUT_READER = policy(allow("arn:aws:iam::" + DESTINATION + ":root", "\"kms:*\"", "*"));
    static final String SECRET_POLICY = policy(allow(TASK_ROLE, "\"secretsmanager:GetSecretValue\"", "*"));
    static final String BUCKET_POLICY = policy(allow(TASK_ROLE, "\"s3:GetObject\"", "arn:aws:s3:::" + BUCKET + "/*"));

    @BeforeEach
    void accounts() throws Exception {
        crossrole = new TestCrossrole();
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.createRole(r -> r.roleName("app-task").assumeRolePolicyDocument(policy(
                    "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                            + "\"Action\":\"sts:AssumeRole\"}")));
            iam.putRolePolicy(r -> r.roleName("app-task").policyName("read-team-data").policyDocument(IDENTITY));
        }
        try (KmsClient kms = KmsSdkTest.client(crossrole, crossrole.adminCredentials(DESTINATION));
             SecretsManagerClient secrets = SecretsManagerSdkTest.client(crossrole, crossrole.adminCredentials(DESTINATION));
             S3Client s3 = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION))) {
            keyArn = kms.createKey(r -> r.policy(KEY_POLICY)).keyMetadata().arn();
            secretArn = secrets.createSecret(r -> r.name("team/api-key").secretString("k3y").kmsKeyId(keyArn)).arn();
            secrets.putResourcePolicy(r -> r.secretId(secretArn).resourcePolicy(SECRET_POLICY));
            s3.createBucket(r -> r.bucket(BUCKET));
            s3.putBucketPolicy(r -> r.bucket(BUCKET).policy(BUCKET_POLICY));
            s3.putObject(r -> r.bucket(BUCKET).key("report.csv").serverSideEncryption(ServerSideEncryption.AWS_KMS)
                    .ssekmsKeyId(keyArn), RequestBody.fromString("q1,42\n"));
        }
    }

    @AfterEach
    void close() throws Exception {
        crossrole.close();
    }

    private AwsCredentialsProvider task() {
        try (var sts = crossrole.sts(crossrole.adminCredentials(SOURCE))) {
            return TestCrossrole.session(sts.assumeRole(r -> r.roleArn(TASK_ROLE).roleSessionName("task")).credentials());
        }
    }

    private String readSecret() {
        try (SecretsManagerClient secrets = SecretsManagerSdkTest.client(crossrole, task())) {
            return secrets.getSecretValue(r -> r.secretId(secretArn)).secretString();
        }
    }

    private String readObject() {
        try (S3Client s3 = S3Sdk.pathStyle(crossrole, task())) {
            return s3.getObjectAsBytes(r -> r.bucket(BUCKET).key("report.csv")).asUtf8String();
        }
    }

    /** The explanation of a denied request: which side decided. */
    private String why(AwsServiceException e) throws Exception {
        String requestId = e.requestId();
        return crossrole.adminGet("/_crossrole/requests/" + requestId + "?format=text").body();
    }

    @Test
    void withEveryPolicyInPlaceTheTaskReadsBoth() {
        assertEquals("k3y", readSecret());
        assertEquals("q1,42\n", readObject());
    }

    @Test
    void withoutItsIdentityPolicyTheTaskIsDeniedOnItsOwnSide() throws Exception {
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.deleteRolePolicy(r -> r.roleName("app-task").policyName("read-team-data"));
        }
        AwsServiceException secret = assertThrows(AwsServiceException.class, this::readSecret);
        assertEquals("AccessDeniedException", secret.awsErrorDetails().errorCode());
        assertTrue(secret.awsErrorDetails().errorMessage().endsWith("because no identity-based policy allows the"
                + " secretsmanager:GetSecretValue action"), secret.awsErrorDetails().errorMessage());
        assertTrue(why(secret).contains("the caller's side (account " + SOURCE + ")"), why(secret));
        AwsServiceException object = assertThrows(AwsServiceException.class, this::readObject);
        assertEquals(403, object.statusCode());
        assertTrue(why(object).contains("the caller's side (account " + SOURCE + ")"), why(object));
    }

    @Test
    void withoutTheSecretPolicyTheSecretIsDeniedOnItsSide() throws Exception {
        try (SecretsManagerClient secrets = SecretsManagerSdkTest.client(crossrole, crossrole.adminCredentials(DESTINATION))) {
            secrets.deleteResourcePolicy(r -> r.secretId(secretArn));
        }
        AwsServiceException e = assertThrows(AwsServiceException.class, this::readSecret);
        assertTrue(e.awsErrorDetails().errorMessage().endsWith("because no resource-based policy allows the"
                + " secretsmanager:GetSecretValue action"), e.awsErrorDetails().errorMessage());
        assertTrue(why(e).contains("the resource's side (account " + DESTINATION + ")"), why(e));
        assertEquals("q1,42\n", readObject(), "the object's own policies are untouched");
    }

    @Test
    void withoutTheBucketPolicyTheObjectIsDeniedOnItsSide() throws Exception {
        try (S3Client s3 = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION))) {
            s3.deleteBucketPolicy(r -> r.bucket(BUCKET));
        }
        AwsServiceException e = assertThrows(AwsServiceException.class, this::readObject);
        assertEquals(403, e.statusCode());
        String why = why(e);
        assertTrue(why.contains("s3:GetObject") && why.contains("the resource's side (account " + DESTINATION + ")"), why);
        assertEquals("k3y", readSecret());
    }

    @Test
    void withoutTheKeyPolicysStatementBothAreDeniedByTheKey() throws Exception {
        try (KmsClient kms = KmsSdkTest.client(crossrole, crossrole.adminCredentials(DESTINATION))) {
            kms.putKeyPolicy(r -> r.keyId(keyArn).policy(KEY_POLICY_WITHOUT_READER));
        }
        AwsServiceException secret = assertThrows(AwsServiceException.class, this::readSecret);
        assertEquals("Access to KMS is not allowed", secret.awsErrorDetails().errorMessage());
        String whySecret = why(secret);
        assertTrue(whySecret.contains("kms:Decrypt") && whySecret.contains("key policy of " + keyArn), whySecret);
        AwsServiceException object = assertThrows(AwsServiceException.class, this::readObject);
        assertEquals(403, object.statusCode());
        String whyObject = why(object);
        assertTrue(whyObject.contains("kms:Decrypt") && whyObject.contains("the resource's side (account " + DESTINATION
                + ")"), whyObject);
    }

    @Test
    void withoutTheTrustPolicyTheHopItselfIsDenied() throws Exception {
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.updateAssumeRolePolicy(r -> r.roleName("app-task").policyDocument(policy(
                    "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},"
                            + "\"Action\":\"sts:AssumeRole\"}")));
        }
        AwsServiceException e = assertThrows(AwsServiceException.class, this::task);
        assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
        String why = why(e);
        assertTrue(why.contains("sts:AssumeRole") && why.contains("trust"), why);
    }
}
