package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.s3control.model.PublicAccessBlockConfiguration;

/**
 * Block Public Access beyond ACLs through the SDK for Java v2: {@code BlockPublicPolicy} refusing a public bucket
 * policy, {@code RestrictPublicBuckets} limiting one already in place to the owner's account, and the account-level
 * configuration of S3 Control (which every bucket of the account combines with its own), durable; boto3 and curl
 * (its own SigV4 signer) for the account-level API too.
 */
class S3PublicAccessSdkTest {
    static TestCrossrole crossrole;
    static S3Client owner;
    static S3Client other;
    static S3Client anonymous;
    static S3ControlClient ownerControl;
    static S3ControlClient otherControl;
    static String ownerArn;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        other = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(SOURCE));
        anonymous = S3Sdk.pathStyle(crossrole, AnonymousCredentialsProvider.create());
        ownerControl = S3Sdk.control(crossrole, crossrole.adminCredentials(DESTINATION));
        otherControl = S3Sdk.control(crossrole, crossrole.adminCredentials(SOURCE));
        ownerArn = crossrole.sts(crossrole.adminCredentials(DESTINATION)).getCallerIdentity().arn();
    }

    @AfterAll
    static void stop() throws Exception {
        owner.close();
        other.close();
        anonymous.close();
        ownerControl.close();
        otherControl.close();
        crossrole.close();
    }

    static String publicRead(String bucket) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Everyone\",\"Effect\":\"Allow\",\"Principal\":\"*\","
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::" + bucket + "/*\"},"
                + "{\"Sid\":\"Partner\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::" + bucket + "/*\"}]}";
    }

    static String partnerOnly(String bucket) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::" + SOURCE + ":root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::"
                + bucket + "/*\"}]}";
    }

    private static String blockedMessage(String bucket) {
        return "User: " + ownerArn + " is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::"
                + bucket + "\" because public policies are blocked by the BlockPublicPolicy block public access setting.";
    }

    private static String read(S3Client client, String bucket) {
        return client.getObjectAsBytes(b -> b.bucket(bucket).key("report.csv")).asUtf8String();
    }

    @Test
    void blockPublicPolicyRefusesAPublicPolicyAndChangesNothing() {
        owner.createBucket(b -> b.bucket("bpa-policy"));
        assertError(403, "AccessDenied", blockedMessage("bpa-policy"),
                () -> owner.putBucketPolicy(b -> b.bucket("bpa-policy").policy(publicRead("bpa-policy"))));
        assertError(404, "NoSuchBucketPolicy", null, () -> owner.getBucketPolicy(b -> b.bucket("bpa-policy")));

        // Not public by S3's definition: a named account, or everyone from fixed addresses.
        owner.putBucketPolicy(b -> b.bucket("bpa-policy").policy(partnerOnly("bpa-policy")));
        String fromOffice = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bpa-policy/*\",\"Condition\":{\"IpAddress\":"
                + "{\"aws:SourceIp\":\"203.0.113.0/24\"}}}]}";
        owner.putBucketPolicy(b -> b.bucket("bpa-policy").policy(fromOffice));
        assertEquals(fromOffice, owner.getBucketPolicy(b -> b.bucket("bpa-policy")).policy());

        // Turned off, the same public policy goes in.
        owner.deletePublicAccessBlock(b -> b.bucket("bpa-policy"));
        owner.putBucketPolicy(b -> b.bucket("bpa-policy").policy(publicRead("bpa-policy")));
        assertTrue(owner.getBucketPolicyStatus(b -> b.bucket("bpa-policy")).policyStatus().isPublic());
    }

    @Test
    void restrictPublicBucketsLimitsAPublicPolicyToTheOwnersAccount() {
        owner.createBucket(b -> b.bucket("bpa-restrict"));
        owner.putObject(b -> b.bucket("bpa-restrict").key("report.csv"), RequestBody.fromString("q1"));
        owner.deletePublicAccessBlock(b -> b.bucket("bpa-restrict"));
        owner.putBucketPolicy(b -> b.bucket("bpa-restrict").policy(publicRead("bpa-restrict")));
        assertEquals("q1", read(anonymous, "bpa-restrict"));
        assertEquals("q1", read(other, "bpa-restrict"));

        owner.putPublicAccessBlock(b -> b.bucket("bpa-restrict").publicAccessBlockConfiguration(c -> c
                .restrictPublicBuckets(true)));
        // The public policy grants no one outside the account now, not even the account it names.
        assertError(403, "AccessDenied", null, () -> read(anonymous, "bpa-restrict"));
        var denied = assertError(403, "AccessDenied", null, () -> read(other, "bpa-restrict"));
        var decision = crossrole.recorded(denied.requestId()).decision();
        String why = decision.explanation().toText(decision);
        assertTrue(why.contains("RestrictPublicBuckets limits to principals of account " + DESTINATION), why);
        assertEquals("q1", read(owner, "bpa-restrict"));
        assertTrue(owner.getBucketPolicyStatus(b -> b.bucket("bpa-restrict")).policyStatus().isPublic());

        // A policy that is not public is left alone: the partner reads again, the public does not.
        owner.putBucketPolicy(b -> b.bucket("bpa-restrict").policy(partnerOnly("bpa-restrict")));
        assertEquals("q1", read(other, "bpa-restrict"));
        assertError(403, "AccessDenied", null, () -> read(anonymous, "bpa-restrict"));
    }

    @Test
    void theAccountsConfigurationAppliesToEveryBucketOfTheAccount() {
        owner.createBucket(b -> b.bucket("bpa-account"));
        owner.putObject(b -> b.bucket("bpa-account").key("report.csv"), RequestBody.fromString("q2"));
        owner.deletePublicAccessBlock(b -> b.bucket("bpa-account"));
        assertError(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found",
                () -> ownerControl.getPublicAccessBlock(b -> b.accountId(DESTINATION)));
        owner.putBucketPolicy(b -> b.bucket("bpa-account").policy(publicRead("bpa-account")));
        assertEquals("q2", read(anonymous, "bpa-account"));

        ownerControl.putPublicAccessBlock(b -> b.accountId(DESTINATION).publicAccessBlockConfiguration(c -> c
                .blockPublicPolicy(true).restrictPublicBuckets(true)));
        PublicAccessBlockConfiguration account = ownerControl.getPublicAccessBlock(b -> b.accountId(DESTINATION))
                .publicAccessBlockConfiguration();
        assertAll(() -> assertEquals(false, account.blockPublicAcls()),
                () -> assertEquals(false, account.ignorePublicAcls()),
                () -> assertEquals(true, account.blockPublicPolicy()),
                () -> assertEquals(true, account.restrictPublicBuckets()));
        // The bucket's own configuration is still none; the account's applies to it all the same.
        assertError(404, "NoSuchPublicAccessBlockConfiguration", null,
                () -> owner.getPublicAccessBlock(b -> b.bucket("bpa-account")));
        assertError(403, "AccessDenied", null, () -> read(anonymous, "bpa-account"));
        assertError(403, "AccessDenied", blockedMessage("bpa-account"),
                () -> owner.putBucketPolicy(b -> b.bucket("bpa-account").policy(publicRead("bpa-account"))));
        // Another account's settings are not the caller's to read or change.
        assertError(403, "AccessDenied", null, () -> otherControl.getPublicAccessBlock(b -> b.accountId(DESTINATION)));
        assertError(403, "AccessDenied", null, () -> otherControl.deletePublicAccessBlock(b -> b
                .accountId(DESTINATION)));
        assertTrue(ownerControl.getPublicAccessBlock(b -> b.accountId(DESTINATION)).publicAccessBlockConfiguration()
                .blockPublicPolicy());

        ownerControl.deletePublicAccessBlock(b -> b.accountId(DESTINATION));
        assertEquals("q2", read(anonymous, "bpa-account"));
        assertError(404, "NoSuchPublicAccessBlockConfiguration", null,
                () -> ownerControl.getPublicAccessBlock(b -> b.accountId(DESTINATION)));
    }

    /** S3 Control's paths are a bucket's keys to S3: only its account header makes a request S3 Control's. */
    @Test
    void aBucketNamedLikeS3ControlsPathStaysS3s() {
        owner.createBucket(b -> b.bucket("v20180820"));
        owner.putObject(b -> b.bucket("v20180820").key("configuration/publicAccessBlock"),
                RequestBody.fromString("an object"));
        assertEquals("an object", owner.getObjectAsBytes(b -> b.bucket("v20180820")
                .key("configuration/publicAccessBlock")).asUtf8String());
        // Another account's S3 request there is S3's GetObject, denied as S3 denies it, not an S3 Control call.
        assertError(403, "AccessDenied", null, () -> other.getObjectAsBytes(b -> b.bucket("v20180820")
                .key("configuration/publicAccessBlock")));
    }

    @Test
    void s3ControlOperationsCrossroleLacksAnswer501() {
        assertError(501, "NotImplemented", "crossrole does not implement s3control:ListAccessPoints yet",
                () -> ownerControl.listAccessPoints(b -> b.accountId(DESTINATION)));
    }

    /** curl signs with its own SigV4 code, and sends what the SDKs never would: a body that is not the document. */
    @Test
    void aMalformedConfigurationIsRefusedAndChangesNothing() throws Exception {
        ownerControl.putPublicAccessBlock(b -> b.accountId(DESTINATION)
                .publicAccessBlockConfiguration(c -> c.ignorePublicAcls(true)));
        try {
            var admin = crossrole.admin(DESTINATION);
            String url = "http://" + DESTINATION + ".localhost:" + crossrole.server.port()
                    + "/v20180820/configuration/publicAccessBlock";
            Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/stdout", "-w", "\n%{http_code}", "-X", "PUT",
                    "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", admin.accessKeyId() + ":" + admin.secretAccessKey(),
                    "-H", "x-amz-account-id: " + DESTINATION, "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                    "-H", "Content-Type: application/xml", "--data", "<PublicAccessBlockConfiguration><BlockPublicAcls>"
                    + "maybe</BlockPublicAcls></PublicAccessBlockConfiguration>", url).redirectErrorStream(true).start();
            assertTrue(curl.waitFor(20, TimeUnit.SECONDS));
            String answer = new String(curl.getInputStream().readAllBytes());
            assertTrue(answer.endsWith("\n400") && answer.contains("<Code>MalformedXML</Code>"), answer);
            PublicAccessBlockConfiguration kept = ownerControl.getPublicAccessBlock(b -> b.accountId(DESTINATION))
                    .publicAccessBlockConfiguration();
            assertAll(() -> assertEquals(true, kept.ignorePublicAcls()),
                    () -> assertEquals(false, kept.blockPublicAcls()));
        } finally {
            ownerControl.deletePublicAccessBlock(b -> b.accountId(DESTINATION));
        }
    }

    @Test
    void boto3UsesTheAccountLevelApi() throws Exception {
        JsonNode out = Boto3Script.run(crossrole, "/boto3/s3_public_access.py", 60);
        assertAll(
                () -> assertEquals("NoSuchPublicAccessBlockConfiguration", out.path("none").path("code").asText()),
                () -> assertEquals(404, out.path("none").path("status").asInt()),
                () -> assertEquals("{\"BlockPublicAcls\":false,\"IgnorePublicAcls\":false,\"BlockPublicPolicy\":true,"
                        + "\"RestrictPublicBuckets\":true}", out.path("account").toString()),
                () -> assertEquals("AccessDenied", out.path("publicPolicy").path("code").asText()),
                () -> assertEquals(403, out.path("publicPolicy").path("status").asInt()),
                () -> assertTrue(out.path("publicPolicy").path("message").asText().endsWith(
                        "because public policies are blocked by the BlockPublicPolicy block public access setting.")),
                () -> assertEquals("NoSuchBucketPolicy", out.path("policyAfterRefusal").path("code").asText()),
                () -> assertEquals("NoSuchPublicAccessBlockConfiguration",
                        out.path("afterDelete").path("code").asText()),
                () -> assertTrue(out.path("policyStatus").asBoolean()));
    }

    @Test
    void theAccountsConfigurationSurvivesARestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
             S3ControlClient control = control(server)) {
            control.putPublicAccessBlock(b -> b.accountId(DESTINATION).publicAccessBlockConfiguration(c -> c
                    .blockPublicAcls(true).restrictPublicBuckets(true)));
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
             S3ControlClient control = control(again)) {
            PublicAccessBlockConfiguration kept = control.getPublicAccessBlock(b -> b.accountId(DESTINATION))
                    .publicAccessBlockConfiguration();
            assertAll(() -> assertEquals(true, kept.blockPublicAcls()),
                    () -> assertEquals(false, kept.blockPublicPolicy()),
                    () -> assertEquals(true, kept.restrictPublicBuckets()));
        }
    }

    /** Nodes on one PostgreSQL store share the account's configuration: what one puts, the other enforces. */
    @Test
    void nodesOnOnePostgresShareTheAccountsConfiguration(@TempDir Path dir) throws Exception {
        try (SharedPostgres.Database database = SharedPostgres.newDatabase("crossrole_bpa")) {
            String store = database.store();
            try (CrossroleServer a = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("a"))
                    .withPort(0).withStore(store));
                 CrossroleServer b = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("b"))
                         .withPort(0).withStore(store));
                 S3ControlClient controlA = control(a)) {
                var profile = b.profiles().stream().filter(p -> p.account().id().equals(DESTINATION)).findFirst()
                        .orElseThrow();
                try (S3Client throughB = S3Client.builder().endpointOverride(URI.create(b.endpoint()))
                        .region(software.amazon.awssdk.regions.Region.US_EAST_1).forcePathStyle(true)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                                profile.accessKeyId(), profile.secretAccessKey())))
                        .httpClient(software.amazon.awssdk.http.apache.ApacheHttpClient.create()).build()) {
                    throughB.createBucket(r -> r.bucket("bpa-shared"));
                    throughB.deletePublicAccessBlock(r -> r.bucket("bpa-shared"));
                    controlA.putPublicAccessBlock(r -> r.accountId(DESTINATION).publicAccessBlockConfiguration(c -> c
                            .blockPublicPolicy(true)));
                    assertError(403, "AccessDenied", null, () -> throughB.putBucketPolicy(r -> r.bucket("bpa-shared")
                            .policy(publicRead("bpa-shared"))));
                    controlA.deletePublicAccessBlock(r -> r.accountId(DESTINATION));
                    throughB.putBucketPolicy(r -> r.bucket("bpa-shared").policy(publicRead("bpa-shared")));
                }
            }
        }
    }

    private static S3ControlClient control(CrossroleServer server) {
        var profile = server.profiles().stream().filter(p -> p.account().id().equals(DESTINATION)).findFirst()
                .orElseThrow();
        return S3ControlClient.builder().endpointOverride(URI.create("http://localhost:" + server.port()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(profile.accessKeyId(),
                        profile.secretAccessKey())))
                .httpClient(software.amazon.awssdk.http.apache.ApacheHttpClient.builder().dnsResolver(host ->
                        new java.net.InetAddress[] {java.net.InetAddress.getLoopbackAddress()}).build())
                .build();
    }
}
