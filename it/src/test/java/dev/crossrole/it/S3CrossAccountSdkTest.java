package dev.crossrole.it;

import static dev.crossrole.it.Docs.allow;
import static dev.crossrole.it.Docs.trustAws;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.rootArn;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.policy.Outcome;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.requestlog.RecordedRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * The reason cross-account roles exist: a caller in 111122223333 reads a bucket in 555566667777.
 * Through the walkthrough's role (assumed from the source account, a principal of the bucket's own
 * account) and directly across accounts, allowed exactly when AWS allows it and denied for each
 * reason: no identity allow, no bucket policy, an explicit deny, a permissions boundary, a condition.
 */
class S3CrossAccountSdkTest {
    private static final String A = SOURCE;
    private static final String B = DESTINATION;
    private static final String BUCKET = "xacct-reports";
    private static final String OBJECTS = "arn:aws:s3:::" + BUCKET + "/*";
    private static final String BUCKET_ARN = "arn:aws:s3:::" + BUCKET;

    private static TestCrossrole crossrole;
    private static AccessKey task;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        TestCrossrole c = crossrole;
        // The source account's caller may assume any role of the destination account.
        task = c.user(A, "task", Map.of("assume", allow("arn:aws:iam::" + B + ":role/*", "sts:AssumeRole")));
        String read = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\","
                + "\"s3:ListBucket\"],\"Resource\":[\"" + BUCKET_ARN + "\",\"" + OBJECTS + "\"]}]}";
        c.role(B, "destination-account-role", trustAws(rootArn(A)), read);
        c.role(B, "no-s3-permissions", trustAws(rootArn(A)));
        c.role(B, "named-in-bucket-policy", trustAws(rootArn(A)));
        c.role(B, "denied-by-bucket-policy", trustAws(rootArn(A)), read);
        c.role(B, "bounded", trustAws(rootArn(A)), read);
        String boundary = c.managedPolicy(B, "sts-only-boundary", allow("*", "sts:*"));
        c.iam().putRole(withBoundary(c.iam().role(B, "bounded").orElseThrow(), boundary));
        // The source account's own task roles, reaching the bucket directly with their sessions.
        c.role(A, "my-ECS-task-role", trustAws(rootArn(A)), read);
        c.role(A, "task-role-without-s3", trustAws(rootArn(A)));
        // Source-account users reading the bucket directly.
        c.user(A, "partner", Map.of("read", read));
        c.user(A, "partner-without-identity-policy", Map.of());
        c.user(A, "partner-not-in-bucket-policy", Map.of("read", read));

        S3Client owner = S3Sdk.pathStyle(c, c.adminCredentials(B));
        owner.createBucket(b -> b.bucket(BUCKET));
        owner.putObject(b -> b.bucket(BUCKET).key("reports/q1.csv"), RequestBody.fromString("quarter,revenue\nq1,10\n"));
        owner.putObject(b -> b.bucket(BUCKET).key("private/salaries.csv"), RequestBody.fromString("secret"));
        owner.putObject(b -> b.bucket(BUCKET).key("reports/classified.csv").tagging("classification=secret"),
                RequestBody.fromString("tagged"));
        for (String key : List.of("shared/org.csv", "lan/a.csv", "loopback/a.csv", "tls-only/a.csv")) {
            owner.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString(key));
        }
        owner.putBucketPolicy(b -> b.bucket(BUCKET).policy("{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Sid\":\"PartnersRead\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\""
                + roleArn(B, "named-in-bucket-policy") + "\",\"" + userArn(A, "partner") + "\",\""
                + roleArn(A, "my-ECS-task-role") + "\",\"" + roleArn(A, "task-role-without-s3") + "\",\""
                + userArn(A, "partner-without-identity-policy") + "\"]},\"Action\":\"s3:GetObject\",\"Resource\":\""
                + OBJECTS + "\"},"
                + "{\"Sid\":\"PartnersListReports\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + userArn(A, "partner")
                + "\"},\"Action\":\"s3:ListBucket\",\"Resource\":\"" + BUCKET_ARN + "\",\"Condition\":{\"StringEquals\":"
                + "{\"s3:prefix\":\"reports/\"}}},"
                + "{\"Sid\":\"NotThisRole\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\""
                + roleArn(B, "denied-by-bucket-policy") + "\"},\"Action\":\"s3:*\",\"Resource\":[\"" + BUCKET_ARN
                + "\",\"" + OBJECTS + "\"]},"
                + "{\"Sid\":\"OurOrganization\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::" + BUCKET + "/shared/*\",\"Condition\":{\"StringEquals\":"
                + "{\"aws:PrincipalOrgID\":\"o-sharedorg1\"}}},"
                + "{\"Sid\":\"FromTheLan\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::" + BUCKET + "/lan/*\",\"Condition\":{\"IpAddress\":"
                + "{\"aws:SourceIp\":\"10.0.0.0/8\"}}},"
                + "{\"Sid\":\"FromThisMachine\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::" + BUCKET + "/loopback/*\",\"Condition\":{\"IpAddress\":"
                + "{\"aws:SourceIp\":\"127.0.0.0/8\"}}},"
                + "{\"Sid\":\"TlsOnly\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
                + "\"Resource\":\"arn:aws:s3:::" + BUCKET + "/tls-only/*\",\"Condition\":{\"Bool\":"
                + "{\"aws:SecureTransport\":\"false\"}}},"
                + "{\"Sid\":\"NoSecrets\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"" + OBJECTS + "\",\"Condition\":{\"StringEquals\":"
                + "{\"s3:ExistingObjectTag/classification\":\"secret\"}}}]}"));
    }

    @AfterAll
    static void stop() throws IOException {
        crossrole.close();
    }

    private static dev.crossrole.server.iam.Role withBoundary(dev.crossrole.server.iam.Role r, String boundaryArn) {
        return new dev.crossrole.server.iam.Role(r.account(), r.name(), r.path(), r.roleId(), r.created(),
                r.description(), r.trustPolicy(), r.trustPolicyText(), r.trustPrincipals(), r.maxSessionDuration(),
                r.tags(), r.inlinePolicies(), r.attachedPolicyArns(), boundaryArn, r.lastUsed(), r.lastUsedRegion());
    }

    /** S3 as the session of {@code role} in the destination account, assumed by the source account's task. */
    private static S3Client asRole(String role) {
        var credentials = crossrole.sts(task).assumeRole(r -> r.roleArn(roleArn(B, role)).roleSessionName("task"))
                .credentials();
        return S3Sdk.pathStyle(crossrole, TestCrossrole.session(credentials));
    }

    private static S3Client asSourceUser(String name) {
        AccessKey key = crossrole.iam().createAccessKey(A, name);
        AwsCredentialsProvider credentials = TestCrossrole.credentials(key);
        return S3Sdk.pathStyle(crossrole, credentials);
    }

    private static String read(S3Client s3, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String();
    }

    private static S3Exception denied(org.junit.jupiter.api.function.Executable call) {
        S3Exception e = assertThrows(S3Exception.class, call);
        assertEquals(403, e.statusCode());
        assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
        return e;
    }

    private static RecordedRequest recorded(S3Exception e) {
        return crossrole.recorded(e.requestId());
    }

    @Test
    void theWalkthroughRoleReadsTheBucketOfItsAccount() {
        S3Client s3 = asRole("destination-account-role");
        assertEquals("quarter,revenue\nq1,10\n", read(s3, "reports/q1.csv"));
        assertEquals(List.of("reports/classified.csv", "reports/q1.csv"), s3.listObjectsV2(b -> b.bucket(BUCKET)
                .prefix("reports/")).contents().stream().map(S3Object::key).toList());
        // Reading is all the role may do.
        S3Exception put = denied(() -> s3.putObject(b -> b.bucket(BUCKET).key("reports/q2.csv"),
                RequestBody.fromString("no")));
        assertTrue(put.awsErrorDetails().errorMessage().contains("is not authorized to perform: s3:PutObject on"
                + " resource: \"arn:aws:s3:::xacct-reports/reports/q2.csv\" because no identity-based policy allows"
                + " the s3:PutObject action"), put.awsErrorDetails().errorMessage());
    }

    @Test
    void aRoleWithoutAnIdentityAllowIsDenied() {
        S3Client s3 = asRole("no-s3-permissions");
        S3Exception e = denied(() -> read(s3, "reports/q1.csv"));
        // Same account as the bucket: S3 explains the denial.
        assertTrue(e.awsErrorDetails().errorMessage().endsWith("because no identity-based policy allows the"
                + " s3:GetObject action"), e.awsErrorDetails().errorMessage());
        RecordedRequest record = recorded(e);
        assertEquals("s3:GetObject", record.action());
        assertEquals("arn:aws:s3:::xacct-reports/reports/q1.csv", record.resource());
        assertEquals(Outcome.IMPLICIT_DENY, record.decision().outcome());
    }

    @Test
    void aBucketPolicyNamingTheRoleIsEnoughInItsOwnAccount() {
        S3Client s3 = asRole("named-in-bucket-policy");
        assertEquals("quarter,revenue\nq1,10\n", read(s3, "reports/q1.csv"));
        denied(() -> s3.listObjectsV2(b -> b.bucket(BUCKET)));
    }

    @Test
    void anExplicitDenyInTheBucketPolicyWins() {
        S3Client s3 = asRole("denied-by-bucket-policy");
        S3Exception e = denied(() -> read(s3, "reports/q1.csv"));
        assertTrue(e.awsErrorDetails().errorMessage().contains("with an explicit deny in a resource-based policy"),
                e.awsErrorDetails().errorMessage());
        assertEquals(Outcome.EXPLICIT_DENY, recorded(e).decision().outcome());
        assertEquals(PolicyKind.RESOURCE, recorded(e).decision().decidedBy());
    }

    @Test
    void aPermissionsBoundaryCapsTheRole() {
        S3Client s3 = asRole("bounded");
        S3Exception e = denied(() -> read(s3, "reports/q1.csv"));
        assertTrue(e.awsErrorDetails().errorMessage().contains("permissions boundary"),
                e.awsErrorDetails().errorMessage());
        assertEquals(PolicyKind.BOUNDARY, recorded(e).decision().decidedBy());
    }

    @Test
    void aTaggedObjectIsDeniedByTheExistingObjectTagCondition() {
        S3Client s3 = asRole("destination-account-role");
        S3Exception e = denied(() -> read(s3, "reports/classified.csv"));
        assertEquals(Outcome.EXPLICIT_DENY, recorded(e).decision().outcome());
        // The owner removes the tag: the condition no longer matches.
        S3Client owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(B));
        owner.putObjectTagging(b -> b.bucket(BUCKET).key("reports/classified.csv").tagging(t -> t.tagSet(
                Tag.builder().key("classification").value("internal").build())));
        assertEquals("tagged", read(s3, "reports/classified.csv"));
        owner.putObjectTagging(b -> b.bucket(BUCKET).key("reports/classified.csv").tagging(t -> t.tagSet(
                Tag.builder().key("classification").value("secret").build())));
    }

    @Test
    void aBareAccessDeniedIsExplainedByItsRequestId() throws Exception {
        S3Client noIdentity = asSourceUser("partner-without-identity-policy");
        S3Exception e = denied(() -> read(noIdentity, "reports/q1.csv"));
        assertEquals("Access Denied", e.awsErrorDetails().errorMessage());
        var json = crossrole.adminGet("/_crossrole/requests/" + e.requestId());
        assertEquals(200, json.statusCode());
        assertTrue(json.body().contains("\"action\":\"s3:GetObject\""), json.body());
        assertTrue(json.body().contains("\"outcome\":\"ImplicitDeny\""), json.body());
        var text = crossrole.adminGet("/_crossrole/requests/" + e.requestId() + "?format=text");
        assertEquals(200, text.statusCode());
        assertTrue(text.body().contains("identity"), text.body());
    }

    @Test
    void acrossAccountsBothSidesMustAllow() {
        // Identity policy in the source account and the bucket policy in the destination: allowed.
        S3Client partner = asSourceUser("partner");
        assertEquals("quarter,revenue\nq1,10\n", read(partner, "reports/q1.csv"));

        // The bucket policy alone does not do it across accounts; the answer is bare "Access Denied".
        S3Client noIdentity = asSourceUser("partner-without-identity-policy");
        S3Exception e = denied(() -> read(noIdentity, "reports/q1.csv"));
        assertEquals("Access Denied", e.awsErrorDetails().errorMessage());
        assertFalse(recorded(e).decision().allowed());
        assertEquals(PolicyKind.IDENTITY, recorded(e).decision().decidedBy());

        // The identity policy alone does not do it either: the bucket policy does not name this user.
        S3Client notNamed = asSourceUser("partner-not-in-bucket-policy");
        S3Exception e2 = denied(() -> read(notNamed, "reports/q1.csv"));
        assertEquals("Access Denied", e2.awsErrorDetails().errorMessage());
        assertEquals(PolicyKind.RESOURCE, recorded(e2).decision().decidedBy());
    }

    @Test
    void globalConditionKeysDecideAcrossAccounts() {
        S3Client caller = asSourceUser("partner-not-in-bucket-policy");
        // aws:SourceIp: the request comes from 127.0.0.1.
        assertEquals("loopback/a.csv", read(caller, "loopback/a.csv"));
        denied(() -> read(caller, "lan/a.csv"));
        // aws:SecureTransport: crossrole is reached over http, so a TLS-only statement denies even the owner.
        S3Client owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(B));
        S3Exception plain = denied(() -> read(owner, "tls-only/a.csv"));
        assertEquals(Outcome.EXPLICIT_DENY, recorded(plain).decision().outcome());
        // aws:PrincipalOrgID: allowed once the caller's account is in the named organization.
        denied(() -> read(caller, "shared/org.csv"));
        var account = crossrole.iam().account(A).orElseThrow();
        crossrole.iam().putAccount(new dev.crossrole.server.iam.Account(A, account.alias(), "o-sharedorg1",
                List.of(), List.of()));
        try {
            assertEquals("shared/org.csv", read(caller, "shared/org.csv"));
        } finally {
            crossrole.iam().putAccount(account);
        }
        denied(() -> read(caller, "shared/org.csv"));
    }

    @Test
    void aSourceAccountRoleSessionNeedsItsOwnIdentityAllowToo() {
        S3Client allowed = asSourceRole("my-ECS-task-role");
        assertEquals("quarter,revenue\nq1,10\n", read(allowed, "reports/q1.csv"));
        S3Client withoutS3 = asSourceRole("task-role-without-s3");
        S3Exception e = denied(() -> read(withoutS3, "reports/q1.csv"));
        assertEquals("Access Denied", e.awsErrorDetails().errorMessage());
        assertEquals(PolicyKind.IDENTITY, recorded(e).decision().decidedBy());
    }

    /** S3 as a session of {@code role} in the source account (the ECS task role itself, before any hop). */
    private static S3Client asSourceRole(String role) {
        // The source account's administrator may assume its own roles (they trust the account).
        var credentials = crossrole.sts(crossrole.adminCredentials(A)).assumeRole(r -> r.roleArn(roleArn(A, role))
                .roleSessionName("ecs-task")).credentials();
        return S3Sdk.pathStyle(crossrole, TestCrossrole.session(credentials));
    }

    @Test
    void theS3PrefixConditionScopesListing() {
        S3Client partner = asSourceUser("partner");
        assertEquals(List.of("reports/classified.csv", "reports/q1.csv"), partner.listObjectsV2(b -> b.bucket(BUCKET)
                .prefix("reports/")).contents().stream().map(S3Object::key).toList());
        denied(() -> partner.listObjectsV2(b -> b.bucket(BUCKET).prefix("private/")));
        denied(() -> partner.listObjectsV2(b -> b.bucket(BUCKET)));
        // A key that does not exist is not revealed to a caller who may not list there.
        denied(() -> read(partner, "private/missing.csv"));
    }

    @Test
    void onlyTheOwningAccountManagesTheBucketPolicy() {
        // The owning account administers its policy; another account can neither read nor remove it.
        S3Client owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(B));
        assertTrue(owner.getBucketPolicy(b -> b.bucket(BUCKET)).policy().contains("NotThisRole"));
        S3Client other = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(A));
        denied(() -> other.getBucketPolicy(b -> b.bucket(BUCKET)));
        denied(() -> other.deleteBucketPolicy(b -> b.bucket(BUCKET)));
        assertTrue(owner.getBucketPolicy(b -> b.bucket(BUCKET)).policy().contains("NotThisRole"));
    }
}
