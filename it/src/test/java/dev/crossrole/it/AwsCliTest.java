package dev.crossrole.it;

import static dev.crossrole.it.Docs.trustAws;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.rootArn;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.requestlog.RecordedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@code aws} command (AWS CLI v1 on PATH, which honours {@code AWS_ENDPOINT_URL} for every
 * call, including the inner AssumeRole of a {@code role_arn} profile) against crossrole. Every
 * invocation gets a fresh HOME, so no assumed-role cache survives between runs.
 */
class AwsCliTest {
    static final String A = SOURCE;
    static final String B = DESTINATION;
    static final ObjectMapper JSON = new ObjectMapper();

    static TestCrossrole crossrole;
    static Path work;
    static Path config;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        crossrole.role(B, "destination-account-role", trustAws(rootArn(A)));
        crossrole.role(B, "untrusting-role", trustAws(rootArn("999999999999")));
        work = Files.createTempDirectory("crossrole-cli");
        config = work.resolve("config");
        var source = crossrole.admin(A);
        Files.writeString(config, String.join("\n",
                "[default]",
                "region = us-east-1",
                "output = json",
                "",
                "[profile source]",
                "region = us-east-1",
                "output = json",
                "",
                "[profile cross-account]",
                "role_arn = " + roleArn(B, "destination-account-role"),
                "source_profile = source",
                "region = us-east-1",
                "output = json",
                "",
                // The source administrator again, with botocore's client-side validation off, so that
                // out-of-range values reach crossrole instead of being refused by the CLI itself.
                "[profile unvalidated]",
                "aws_access_key_id = " + source.accessKeyId(),
                "aws_secret_access_key = " + source.secretAccessKey(),
                "parameter_validation = false",
                "region = us-east-1",
                "output = json",
                ""));
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Runs {@code aws <args>} with a fresh HOME and only crossrole's settings in the environment. */
    static Run aws(String... args) throws Exception {
        return AwsCli.run(crossrole, work, work, config, Map.of(), args);
    }

    static JsonNode ok(Run run) {
        return AwsCli.ok(run);
    }

    static void assertServiceError(Run run, String message) {
        assertTrue(run.exit() == 254 || run.exit() == 255, "exit code of a service error: " + run);
        assertTrue(run.stderr().contains(message), "stderr lacks\n" + message + "\n" + run);
    }

    // ---- tests ----------------------------------------------------------------------------------

    @Test
    void callerIdentityOfTheSourceProfile() throws Exception {
        JsonNode me = ok(aws("sts", "get-caller-identity", "--profile", "source"));
        assertEquals(A, me.path("Account").asText());
        assertEquals(userArn(A, "admin"), me.path("Arn").asText());
        assertEquals(crossrole.iam().user(A, "admin").orElseThrow().userId(), me.path("UserId").asText());
    }

    @Test
    void assumeRoleAcrossAccounts() throws Exception {
        JsonNode r = ok(aws("sts", "assume-role", "--role-arn", roleArn(B, "destination-account-role"),
                "--role-session-name", "cli-session", "--profile", "source"));
        assertTrue(r.path("Credentials").path("AccessKeyId").asText().startsWith("ASIA"), r.toString());
        assertFalse(r.path("Credentials").path("SessionToken").asText().isEmpty(), r.toString());
        assertFalse(r.path("Credentials").path("Expiration").asText().isEmpty(), r.toString());
        assertEquals("arn:aws:sts::" + B + ":assumed-role/destination-account-role/cli-session",
                r.path("AssumedRoleUser").path("Arn").asText());
        String roleId = crossrole.iam().role(B, "destination-account-role").orElseThrow().roleId();
        assertEquals(roleId + ":cli-session", r.path("AssumedRoleUser").path("AssumedRoleId").asText());
    }

    @Test
    void deniedAssumeRoleAndItsDecodedExplanation() throws Exception {
        String role = roleArn(B, "untrusting-role");
        Run denied = aws("sts", "assume-role", "--role-arn", role, "--role-session-name", "cli-denied",
                "--profile", "source");
        assertServiceError(denied, "An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
                + userArn(A, "admin") + " is not authorized to perform: sts:AssumeRole on resource: " + role);

        RecordedRequest recorded = crossrole.server.requestLog().recent(200).stream()
                .filter(r -> "AssumeRole".equals(r.operation()) && "AccessDenied".equals(r.errorCode())
                        && role.equals(r.resource()))
                .findFirst().orElseThrow(() -> new AssertionError("the denied AssumeRole was not recorded"));

        JsonNode decoded = ok(aws("sts", "decode-authorization-message", "--encoded-message", recorded.requestId(),
                "--profile", "source"));
        assertTrue(decoded.path("DecodedMessage").isTextual(), "DecodedMessage is a JSON string: " + decoded);
        JsonNode message = JSON.readTree(decoded.path("DecodedMessage").asText());
        assertFalse(message.path("allowed").asBoolean(true), message.toString());
        assertEquals("sts:AssumeRole", message.path("context").path("action").asText(), message.toString());
        assertEquals(role, message.path("context").path("resource").asText(), message.toString());
        assertEquals(userArn(A, "admin"), message.path("context").path("principal").path("arn").asText(),
                message.toString());
        assertFalse(message.path("explanation").isMissingNode(), "the explanation is included: " + message);

        // Another account's administrator learns nothing of the source account's denial: as for an unknown id.
        Run foreign = aws("sts", "decode-authorization-message", "--encoded-message", recorded.requestId(),
                "--profile", "destination");
        assertServiceError(foreign, "An error occurred (InvalidAuthorizationMessageException) when calling the"
                + " DecodeAuthorizationMessage operation: The message is not a crossrole request id of a denied request.");
        assertFalse(foreign.stdout().contains("sts:AssumeRole") || foreign.stderr().contains(role), foreign.toString());
    }

    @Test
    void roleArnProfileAssumesWithABotocoreSessionName() throws Exception {
        long before = System.currentTimeMillis() / 1000;
        JsonNode me = ok(aws("sts", "get-caller-identity", "--profile", "cross-account"));
        long after = System.currentTimeMillis() / 1000;
        Matcher m = Pattern.compile("arn:aws:sts::" + B + ":assumed-role/destination-account-role/botocore-session-(\\d+)")
                .matcher(me.path("Arn").asText());
        assertTrue(m.matches(), me.toString());
        long seconds = Long.parseLong(m.group(1));
        assertTrue(seconds >= before - 2 && seconds <= after + 2, "session name time " + seconds);
        assertEquals(B, me.path("Account").asText());
    }

    @Test
    void durationBelowTheMinimumIsAValidationError() throws Exception {
        Run run = aws("sts", "assume-role", "--role-arn", roleArn(B, "destination-account-role"),
                "--role-session-name", "cli-short", "--duration-seconds", "100", "--profile", "unvalidated");
        assertServiceError(run, "An error occurred (ValidationError) when calling the AssumeRole operation: 1 validation"
                + " error detected: Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value"
                + " greater than or equal to 900");
    }

    @Test
    void theCliReadsTheLargestAwsManagedDocument() throws Exception {
        String arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
        JsonNode policy = ok(aws("iam", "get-policy", "--policy-arn", arn, "--profile", "source")).path("Policy");
        assertEquals("v182", policy.path("DefaultVersionId").asText());
        // The CLI URL-decodes the document and parses it: it must be the published one, statement for statement.
        JsonNode version = ok(aws("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v182",
                "--profile", "source")).path("PolicyVersion");
        JsonNode published;
        try (var in = AwsCliTest.class.getResourceAsStream("/aws-managed-policies/ReadOnlyAccess.json")) {
            published = JSON.readTree(in);
        }
        assertEquals(published, version.path("Document"));
        assertEquals(1430, version.path("Document").path("Statement").path(0).path("Action").size());
        assertTrue(version.path("IsDefaultVersion").asBoolean(), version.toString().substring(0, 200));
    }

    @Test
    void accessKeyInfo() throws Exception {
        JsonNode r = ok(aws("sts", "get-access-key-info", "--access-key-id", crossrole.admin(B).accessKeyId(),
                "--profile", "source"));
        assertEquals(B, r.path("Account").asText());
    }
}
