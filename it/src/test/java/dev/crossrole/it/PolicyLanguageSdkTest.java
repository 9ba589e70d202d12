package dev.crossrole.it;

import static dev.crossrole.it.Docs.allow;
import static dev.crossrole.it.Docs.trustAws;
import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.IamSdk.decode;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.rootArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.iam.AccessKey;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Three verdicts of the policy language through the AWS SDK for Java v2, as AWS gives them: which Sid
 * characters each service accepts, NotPrincipal only with Deny, and no {@code NullIfExists}. A refused
 * document changes nothing; documents stored before these rules (here: an imported state) still load, and
 * what the rules forbid grants nothing.
 */
class PolicyLanguageSdkTest {
    static final String A = SOURCE;
    static final String B = DESTINATION;
    static final String SID_MESSAGE = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the"
            + " regular expression [0-9A-Za-z]*";
    static final String TRUST = trustAws(rootArn(A));

    static TestCrossrole crossrole;
    static IamClient iam;
    static S3Client s3;
    static StsClient sts;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(A));
        s3 = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(B));
        AccessKey caller = crossrole.user(A, "caller", Map.of("p", allow("*", "sts:AssumeRole")));
        crossrole.role(A, "assumable", TRUST);
        sts = crossrole.sts(caller);
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    /** An identity policy reading one bucket, with {@code extra} added to its statement. */
    static String identity(String extra) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{" + extra + "\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::reports/*\"}]}";
    }

    static String sid(String sid) {
        return identity("\"Sid\":\"" + sid + "\",");
    }

    static final String NULL_IF_EXISTS = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"NullIfExists\":{\"aws:TokenIssueTime\":\"true\"}}}]}";

    static void malformed(Executable call, String message) {
        assertError(call, 400, "MalformedPolicyDocument", message);
    }

    static S3Exception s3Fails(Executable call) {
        return assertThrows(S3Exception.class, call);
    }

    @Test
    void iamPoliciesAcceptLettersDigitsAndUnderscoresInASid() {
        malformed(() -> iam.createPolicy(r -> r.policyName("spaced").policyDocument(sid("Read the reports"))), SID_MESSAGE);
        assertError(() -> iam.getPolicy(r -> r.policyArn("arn:aws:iam::" + A + ":policy/spaced")), 404, "NoSuchEntity",
                "Policy arn:aws:iam::" + A + ":policy/spaced was not found.");
        iam.createPolicy(r -> r.policyName("underscored").policyDocument(sid("Read_Reports_2026")));
        String arn = "arn:aws:iam::" + A + ":policy/underscored";
        malformed(() -> iam.createPolicyVersion(r -> r.policyArn(arn).policyDocument(sid("read-reports"))
                .setAsDefault(true)), SID_MESSAGE);
        assertEquals(1, iam.listPolicyVersions(r -> r.policyArn(arn)).versions().size(), "no version was added");

        iam.createRole(r -> r.roleName("reader").assumeRolePolicyDocument(TRUST));
        malformed(() -> iam.putRolePolicy(r -> r.roleName("reader").policyName("p").policyDocument(sid("read.reports"))),
                SID_MESSAGE);
        assertTrue(iam.listRolePolicies(r -> r.roleName("reader")).policyNames().isEmpty());
        iam.createUser(r -> r.userName("someone"));
        malformed(() -> iam.putUserPolicy(r -> r.userName("someone").policyName("p").policyDocument(sid("read/reports"))),
                SID_MESSAGE);
        assertTrue(iam.listUserPolicies(r -> r.userName("someone")).policyNames().isEmpty());
        iam.createGroup(r -> r.groupName("readers"));
        malformed(() -> iam.putGroupPolicy(r -> r.groupName("readers").policyName("p").policyDocument(sid("read:reports"))),
                SID_MESSAGE);
        assertTrue(iam.listGroupPolicies(r -> r.groupName("readers")).policyNames().isEmpty());

        String spacedTrust = TRUST.replace("{\"Effect\"", "{\"Sid\":\"Trust the source account\",\"Effect\"");
        malformed(() -> iam.createRole(r -> r.roleName("spaced").assumeRolePolicyDocument(spacedTrust)), SID_MESSAGE);
        assertError(() -> iam.getRole(r -> r.roleName("spaced")), 404, "NoSuchEntity",
                "The role with name spaced cannot be found.");
        malformed(() -> iam.updateAssumeRolePolicy(r -> r.roleName("reader").policyDocument(spacedTrust)), SID_MESSAGE);
        assertEquals(TRUST, decode(iam.getRole(r -> r.roleName("reader")).role().assumeRolePolicyDocument()));

        StsException session = assertThrows(StsException.class, () -> sts.assumeRole(r -> r.roleArn(roleArn(A, "assumable"))
                .roleSessionName("session").policy(sid("read-reports"))));
        assertEquals("MalformedPolicyDocument", session.awsErrorDetails().errorCode());
        assertEquals(SID_MESSAGE, session.awsErrorDetails().errorMessage());
        assertEquals(400, session.statusCode());
    }

    @Test
    void bucketPoliciesAcceptAnySidAndNotPrincipalOnlyWithDeny() {
        s3.createBucket(b -> b.bucket("np-bucket"));
        String withSpaces = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Let the source account read, please\","
                + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + A + "\"},\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::np-bucket/*\"}]}";
        s3.putBucketPolicy(b -> b.bucket("np-bucket").policy(withSpaces));

        String allowNotPrincipal = withSpaces.replace("\"Principal\"", "\"NotPrincipal\"");
        S3Exception refused = s3Fails(() -> s3.putBucketPolicy(b -> b.bucket("np-bucket").policy(allowNotPrincipal)));
        assertEquals(400, refused.statusCode());
        assertEquals("MalformedPolicy", refused.awsErrorDetails().errorCode());
        assertEquals("Invalid principal in policy", refused.awsErrorDetails().errorMessage());
        assertEquals(withSpaces, s3.getBucketPolicy(b -> b.bucket("np-bucket")).policy(), "the refused policy changed nothing");

        String denyNotPrincipal = allowNotPrincipal.replace("\"Allow\"", "\"Deny\"");
        s3.putBucketPolicy(b -> b.bucket("np-bucket").policy(denyNotPrincipal));
        assertEquals(denyNotPrincipal, s3.getBucketPolicy(b -> b.bucket("np-bucket")).policy());

        String trustNotPrincipal = TRUST.replace("\"Principal\"", "\"NotPrincipal\"");
        malformed(() -> iam.createRole(r -> r.roleName("not-principal").assumeRolePolicyDocument(trustNotPrincipal)),
                "Has prohibited field NotPrincipal");
    }

    @Test
    void nullIfExistsIsNoConditionOperator() {
        malformed(() -> iam.createPolicy(r -> r.policyName("null-if-exists").policyDocument(NULL_IF_EXISTS)),
                "Syntax errors in policy.");
        iam.createRole(r -> r.roleName("conditioned").assumeRolePolicyDocument(TRUST));
        malformed(() -> iam.putRolePolicy(r -> r.roleName("conditioned").policyName("p").policyDocument(NULL_IF_EXISTS)),
                "Syntax errors in policy.");
        String conditionedTrust = TRUST.replace("\"Action\"", "\"Condition\":{\"NullIfExists\":{\"sts:ExternalId\":"
                + "\"false\"}},\"Action\"");
        malformed(() -> iam.updateAssumeRolePolicy(r -> r.roleName("conditioned").policyDocument(conditionedTrust)),
                "Syntax errors in policy.");
        assertEquals(TRUST, decode(iam.getRole(r -> r.roleName("conditioned")).role().assumeRolePolicyDocument()));
        // Null itself, and IfExists on other operators, are accepted.
        iam.createPolicy(r -> r.policyName("null").policyDocument(NULL_IF_EXISTS.replace("NullIfExists", "Null")));
        iam.createPolicy(r -> r.policyName("bool-if-exists").policyDocument(NULL_IF_EXISTS.replace("NullIfExists",
                "BoolIfExists").replace("aws:TokenIssueTime", "aws:MultiFactorAuthPresent")));

        StsException session = assertThrows(StsException.class, () -> sts.assumeRole(r -> r.roleArn(roleArn(A, "assumable"))
                .roleSessionName("session").policy(NULL_IF_EXISTS)));
        assertEquals("MalformedPolicyDocument", session.awsErrorDetails().errorCode());
        assertEquals("Syntax errors in policy.", session.awsErrorDetails().errorMessage());

        s3.createBucket(b -> b.bucket("null-bucket"));
        String bucketPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\","
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::null-bucket/*\","
                + "\"Condition\":{\"NullIfExists\":{\"aws:SourceIp\":\"true\"}}}]}";
        S3Exception refused = s3Fails(() -> s3.putBucketPolicy(b -> b.bucket("null-bucket").policy(bucketPolicy)));
        assertEquals("MalformedPolicy", refused.awsErrorDetails().errorCode());
        assertEquals("Invalid policy syntax.", refused.awsErrorDetails().errorMessage());
        assertEquals("NoSuchBucketPolicy", s3Fails(() -> s3.getBucketPolicy(b -> b.bucket("null-bucket")))
                .awsErrorDetails().errorCode());
    }

    // ---- documents stored before the rules ----------------------------------------------------

    @TempDir
    Path dir;

    private static S3Client s3(CrossroleServer server, String accessKeyId, String secret) {
        return S3Client.builder().endpointOverride(URI.create(server.endpoint())).region(Region.US_EAST_1)
                .forcePathStyle(true).httpClient(ApacheHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)))
                .build();
    }

    private static S3Client admin(CrossroleServer server, String account) {
        Bootstrap.Profile p = server.profiles().stream().filter(x -> x.account().id().equals(account)).findFirst()
                .orElseThrow();
        return s3(server, p.accessKeyId(), p.secretAccessKey());
    }

    /** Replaces {@code from} by {@code to} in every string of a JSON tree (the policy texts of an exported state). */
    private static int rewrite(JsonNode node, String from, String to) {
        int replaced = 0;
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getValue().isTextual() && field.getValue().textValue().contains(from)) {
                    field.setValue(TextNode.valueOf(field.getValue().textValue().replace(from, to)));
                    replaced++;
                } else {
                    replaced += rewrite(field.getValue(), from, to);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isTextual() && array.get(i).textValue().contains(from)) {
                    array.set(i, TextNode.valueOf(array.get(i).textValue().replace(from, to)));
                    replaced++;
                } else {
                    replaced += rewrite(array.get(i), from, to);
                }
            }
        }
        return replaced;
    }

    @Test
    void documentsStoredBeforeTheRulesStillLoadAndGrantNothingTheyForbid() throws Exception {
        Path source = dir.resolve("source");
        String bucketPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Sid\":\"ReadForTheSourceAccount\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + A + "\"},"
                + "\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::legacy/*\"},"
                + "{\"Sid\":\"NoDeletes\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteObject\","
                + "\"Resource\":\"arn:aws:s3:::legacy/*\"}]}";
        AccessKey reader;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(source).withPort(0))) {
            S3Client owner = admin(server, B);
            owner.createBucket(b -> b.bucket("legacy"));
            owner.putObject(b -> b.bucket("legacy").key("report.csv"), RequestBody.fromString("figures"));
            owner.putBucketPolicy(b -> b.bucket("legacy").policy(bucketPolicy));
            S3Client sourceAdmin = admin(server, A);
            sourceAdmin.createBucket(b -> b.bucket("own-reports"));
            sourceAdmin.putObject(b -> b.bucket("own-reports").key("mine.csv"), RequestBody.fromString("own figures"));
            server.iam().createUser(A, "reader", Map.of("ReadAll", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":"
                    + "\"ReadAllBuckets\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"));
            reader = server.iam().createAccessKey(A, "reader");
            S3Client readerS3 = s3(server, reader.accessKeyId(), reader.secretAccessKey());
            assertEquals("figures", readerS3.getObjectAsBytes(b -> b.bucket("legacy").key("report.csv")).asUtf8String());
        }
        Path document = dir.resolve("state.json");
        Run exported = CrossroleCommand.run(dir, "state", "export", "--data-dir", source.toString(), document.toString());
        assertEquals(0, exported.exit(), exported.toString());

        // What an earlier crossrole accepted: an Allow with NotPrincipal in the bucket policy (meant as "everyone
        // but the source account"), and a Sid with spaces in the reader's inline policy.
        ObjectMapper json = new ObjectMapper();
        JsonNode state = json.readTree(document.toFile());
        assertEquals(1, rewrite(state, "\"Sid\":\"ReadForTheSourceAccount\",\"Effect\":\"Allow\",\"Principal\"",
                "\"Sid\":\"ReadForTheSourceAccount\",\"Effect\":\"Allow\",\"NotPrincipal\""));
        assertEquals(1, rewrite(state, "ReadAllBuckets", "Read all buckets"));
        json.writeValue(document.toFile(), state);

        Path target = dir.resolve("target");
        Run imported = CrossroleCommand.run(dir, "state", "import", "--data-dir", target.toString(), document.toString());
        assertEquals(0, imported.exit(), imported.toString());
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(target).withPort(0))) {
            S3Client owner = admin(server, B);
            String stored = owner.getBucketPolicy(b -> b.bucket("legacy")).policy();
            assertTrue(stored.contains("\"Effect\":\"Allow\",\"NotPrincipal\""), stored);
            S3Client readerS3 = s3(server, reader.accessKeyId(), reader.secretAccessKey());
            // The inline policy with a spaced Sid loaded and still allows what it allowed.
            assertEquals("own figures", readerS3.getObjectAsBytes(b -> b.bucket("own-reports").key("mine.csv"))
                    .asUtf8String());
            // The Allow with NotPrincipal grants nobody: not the account it names, not the others.
            S3Exception read = s3Fails(() -> readerS3.getObjectAsBytes(b -> b.bucket("legacy").key("report.csv")));
            assertEquals(403, read.statusCode());
            assertEquals("AccessDenied", read.awsErrorDetails().errorCode());
            // The rest of the policy still applies: its Deny stops even the owner's delete.
            S3Exception delete = s3Fails(() -> owner.deleteObject(b -> b.bucket("legacy").key("report.csv")));
            assertEquals("AccessDenied", delete.awsErrorDetails().errorCode());
            assertEquals("figures", owner.getObjectAsBytes(b -> b.bucket("legacy").key("report.csv")).asUtf8String());
        }
        Files.deleteIfExists(document);
    }
}
