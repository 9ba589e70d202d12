package dev.crossrole.it;

import static dev.crossrole.it.Docs.allow;
import static dev.crossrole.it.Docs.doc;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.iam.AccessKey;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetFederationTokenResponse;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * GetFederationToken through the AWS SDK for Java v2: a federated user may do what the user who asked may and its
 * session policy allows — nothing without one, except where a resource policy names it — and calls no IAM and no STS
 * operation but GetCallerIdentity.
 */
class StsFederationTokenSdkTest {
    static TestCrossrole crossrole;
    static AccessKey broker;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        broker = crossrole.user(SOURCE, "broker", Map.of("broker", allow("*", "sts:GetFederationToken",
                "s3:ListAllMyBuckets", "s3:GetObject", "s3:PutObject", "iam:ListUsers")));
        try (S3Client admin = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(SOURCE))) {
            admin.createBucket(r -> r.bucket("federation-reports"));
            admin.putObject(r -> r.bucket("federation-reports").key("named"), RequestBody.fromString("for bob"));
            admin.putBucketPolicy(r -> r.bucket("federation-reports").policy(doc("{\"Effect\":\"Allow\",\"Principal\":"
                    + "{\"AWS\":\"arn:aws:sts::" + SOURCE + ":federated-user/bob\"},\"Action\":\"s3:GetObject\","
                    + "\"Resource\":\"arn:aws:s3:::federation-reports/named\"}")));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    static Credentials federate(String name, String sessionPolicy) {
        try (StsClient sts = crossrole.sts(broker)) {
            GetFederationTokenResponse response = sts.getFederationToken(r -> r.name(name).policy(sessionPolicy));
            assertEquals(SOURCE + ":" + name, response.federatedUser().federatedUserId());
            assertEquals("arn:aws:sts::" + SOURCE + ":federated-user/" + name, response.federatedUser().arn());
            return response.credentials();
        }
    }

    @Test
    void theSessionPolicyNarrowsTheUsersPermissions() {
        Credentials alice = federate("alice", allow("*", "s3:ListAllMyBuckets", "s3:CreateBucket"));
        try (StsClient sts = crossrole.sts(alice);
             S3Client s3 = S3Sdk.pathStyle(crossrole, TestCrossrole.session(alice))) {
            assertEquals("arn:aws:sts::" + SOURCE + ":federated-user/alice", sts.getCallerIdentity().arn());
            assertTrue(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("federation-reports")));
            // the session policy allows it, the user's policies do not
            S3Exception create = assertThrows(S3Exception.class, () -> s3.createBucket(r -> r.bucket("alice-bucket")));
            assertEquals(403, create.statusCode());
            // the user's policies allow it, the session policy does not
            assertEquals(403, assertThrows(S3Exception.class, () -> s3.getObject(r -> r.bucket("federation-reports")
                    .key("named"), software.amazon.awssdk.core.sync.ResponseTransformer.toBytes())).statusCode());
        }
    }

    @Test
    void withoutASessionPolicyOnlyAResourcePolicyNamingItLetsItIn() {
        Credentials bob;
        try (StsClient sts = crossrole.sts(broker)) {
            bob = sts.getFederationToken(r -> r.name("bob")).credentials();
        }
        try (S3Client s3 = S3Sdk.pathStyle(crossrole, TestCrossrole.session(bob))) {
            assertEquals(403, assertThrows(S3Exception.class, s3::listBuckets).statusCode());
            assertEquals("for bob", s3.getObjectAsBytes(r -> r.bucket("federation-reports").key("named")).asUtf8String());
        }
    }

    @Test
    void aFederatedUserCallsNoIamAndNoStsButGetCallerIdentity() {
        Credentials carol = federate("carol", allow("*", "iam:ListUsers", "sts:GetFederationToken", "sts:AssumeRole"));
        try (IamClient iam = IamSdk.iam(crossrole, TestCrossrole.session(carol));
             StsClient sts = crossrole.sts(carol)) {
            IamException listUsers = assertThrows(IamException.class, iam::listUsers);
            assertEquals("AccessDenied", listUsers.awsErrorDetails().errorCode());
            StsException again = assertThrows(StsException.class, () -> sts.getFederationToken(r -> r.name("dave")));
            assertEquals("AccessDenied", again.awsErrorDetails().errorCode());
        }
    }

    @Test
    void onlyLongTermKeysAskAndNamesAreChecked() {
        Credentials erin = federate("erin", allow("*", "sts:GetFederationToken"));
        try (StsClient sts = crossrole.sts(erin)) {
            StsException e = assertThrows(StsException.class, () -> sts.getFederationToken(r -> r.name("x1")));
            assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
        }
        try (StsClient sts = crossrole.sts(broker)) {
            StsException shortName = assertThrows(StsException.class, () -> sts.getFederationToken(r -> r.name("x")));
            assertEquals("ValidationError", shortName.awsErrorDetails().errorCode());
            StsException badPolicy = assertThrows(StsException.class, () -> sts.getFederationToken(r -> r.name("frank")
                    .policy("{not json")));
            assertEquals("MalformedPolicyDocument", badPolicy.awsErrorDetails().errorCode());
        }
        AccessKey nobody = crossrole.user(SOURCE, "no-federation", Map.of());
        try (StsClient sts = crossrole.sts(nobody)) {
            StsException denied = assertThrows(StsException.class, () -> sts.getFederationToken(r -> r.name("gina")));
            assertEquals(403, denied.statusCode());
            assertTrue(denied.awsErrorDetails().errorMessage().contains("sts:GetFederationToken"),
                    denied.awsErrorDetails().errorMessage());
        }
    }
}
