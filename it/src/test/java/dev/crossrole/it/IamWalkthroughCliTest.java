package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.sessionArn;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * Steps 1 and 2 of the walkthrough (seed-walkthrough.md) with the real {@code aws} command (AWS CLI v1,
 * honouring {@code AWS_ENDPOINT_URL}), the walkthrough's documents passed verbatim with {@code file://},
 * then the cross-account {@code aws sts assume-role} from a task-role session and the IAM/STS rows of
 * "What must fail". The tests build on each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IamWalkthroughCliTest {
    static final String A = SOURCE;
    static final String B = DESTINATION;
    static final String TASK_ROLE = roleArn(A, "my-ECS-task-role");
    static final String DEST_ROLE = roleArn(B, "destination-account-role");
    static final String TASK_POLICY = "assume-destination-account-role";
    /** An ECS task id: the session name ECS gives the task role's session. */
    static final String TASK_ID = "8f2c1e0d9b7a4c6e8d1f0a2b3c4d5e6f";
    static final ObjectMapper JSON = new ObjectMapper();

    static TestCrossrole crossrole;
    static Path work;
    static Path config;
    static IamClient sourceIam;
    static IamClient destinationIam;
    static String step1;
    static String step2;
    static String ecsTrust;
    static Credentials taskSession;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        work = Files.createTempDirectory("crossrole-iam-cli");
        step1 = copyResource("step1-identity-policy.json");
        step2 = copyResource("step2-trust-policy.json");
        ecsTrust = copyResource("ecs-tasks-trust-policy.json");
        config = work.resolve("config");
        Files.writeString(config, String.join("\n",
                "[default]", "region = us-east-1", "output = json", "",
                "[profile source]", "region = us-east-1", "output = json", "",
                "[profile destination]", "region = us-east-1", "output = json", ""));
        sourceIam = IamSdk.iam(crossrole, crossrole.adminCredentials(A));
        destinationIam = IamSdk.iam(crossrole, crossrole.adminCredentials(B));
        // Stands in for the ECS agent until ECS exists: a user the task role will also trust (in a copy of
        // the ECS trust policy, see taskSession()).
        crossrole.user(A, "ecs-agent", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (sourceIam != null) {
            sourceIam.close();
            destinationIam.close();
        }
        crossrole.close();
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String copyResource(String name) throws IOException {
        try (InputStream in = IamWalkthroughCliTest.class.getResourceAsStream("/walkthrough/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource walkthrough/" + name);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Files.writeString(work.resolve(name), text);
            return text;
        }
    }

    private static String file(String name) {
        return "file://" + work.resolve(name);
    }

    /** Runs {@code aws <args>} with a fresh HOME and only crossrole's settings (plus {@code env}) in the environment. */
    static Run aws(Map<String, String> env, String... args) throws Exception {
        return AwsCli.run(crossrole, work, work, config, env, args);
    }

    static Run aws(String... args) throws Exception {
        return aws(Map.of(), args);
    }

    /** {@code aws} with a session's credentials in the environment (no profile). */
    static Run awsAs(Credentials session, String... args) throws Exception {
        return aws(Map.of("AWS_ACCESS_KEY_ID", session.accessKeyId(), "AWS_SECRET_ACCESS_KEY", session.secretAccessKey(),
                "AWS_SESSION_TOKEN", session.sessionToken()), args);
    }

    static JsonNode ok(Run run) {
        return AwsCli.ok(run);
    }

    /** The CLI's line for a service error: exit 254 (or 255) and {@code An error occurred (Code) when calling the Op operation: msg}. */
    static void assertServiceError(Run run, String code, String operation, String message) {
        assertTrue(run.exit() == 254 || run.exit() == 255, "exit code of a service error: " + run);
        String expected = "An error occurred (" + code + ") when calling the " + operation + " operation: " + message;
        assertEquals(expected, run.stderr().strip(), run.toString());
    }

    /**
     * A session of the task role named like an ECS task. ECS does not exist yet, so the task role gets a copy
     * of its ECS trust policy with a second statement for {@code ecs-agent}; the walkthrough's documents stay
     * as they are.
     */
    static Credentials taskSession() throws Exception {
        if (taskSession == null) {
            JsonNode trust = JSON.readTree(ecsTrust);
            ((com.fasterxml.jackson.databind.node.ArrayNode) trust.get("Statement")).add(JSON.readTree(
                    "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + userArn(A, "ecs-agent") + "\"},"
                            + "\"Action\":\"sts:AssumeRole\"}"));
            String withAgent = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(trust);
            sourceIam.updateAssumeRolePolicy(r -> r.roleName("my-ECS-task-role").policyDocument(withAgent));
            var agent = crossrole.iam().accessKeys(A, "ecs-agent").get(0);
            taskSession = crossrole.sts(agent).assumeRole(r -> r.roleArn(TASK_ROLE).roleSessionName(TASK_ID))
                    .credentials();
        }
        return taskSession;
    }

    // ---- steps 1 and 2 ------------------------------------------------------------------------

    @Test
    @Order(1)
    void step1TaskRoleTrustingEcsTasksWithTheIdentityPolicy() throws Exception {
        JsonNode created = ok(aws("iam", "create-role", "--role-name", "my-ECS-task-role",
                "--assume-role-policy-document", file("ecs-tasks-trust-policy.json"), "--profile", "source"));
        JsonNode role = created.path("Role");
        assertEquals(TASK_ROLE, role.path("Arn").asText(), created.toString());
        assertEquals("my-ECS-task-role", role.path("RoleName").asText());
        assertEquals("/", role.path("Path").asText());
        assertTrue(role.path("RoleId").asText().matches("AROA[A-Z0-9]{17}"), role.toString());
        assertFalse(role.path("CreateDate").asText().isEmpty(), role.toString());
        // The CLI decodes the URL-encoded document into JSON.
        assertEquals(JSON.readTree(ecsTrust), role.path("AssumeRolePolicyDocument"), role.toString());

        Run put = aws("iam", "put-role-policy", "--role-name", "my-ECS-task-role", "--policy-name", TASK_POLICY,
                "--policy-document", file("step1-identity-policy.json"), "--profile", "source");
        assertEquals(0, put.exit(), put.toString());
        assertEquals("", put.stdout().strip(), "put-role-policy prints nothing");

        // Stored exactly as submitted.
        var policy = sourceIam.getRolePolicy(r -> r.roleName("my-ECS-task-role").policyName(TASK_POLICY));
        assertEquals(step1, IamSdk.decode(policy.policyDocument()));
    }

    @Test
    @Order(2)
    void step2DestinationRoleTrustingTheTaskRole() throws Exception {
        JsonNode created = ok(aws("iam", "create-role", "--role-name", "destination-account-role",
                "--assume-role-policy-document", file("step2-trust-policy.json"), "--profile", "destination"));
        assertEquals(DEST_ROLE, created.path("Role").path("Arn").asText(), created.toString());
        assertEquals(JSON.readTree(step2), created.path("Role").path("AssumeRolePolicyDocument"), created.toString());

        JsonNode got = ok(aws("iam", "get-role", "--role-name", "destination-account-role", "--profile", "destination"));
        JsonNode role = got.path("Role");
        assertEquals(DEST_ROLE, role.path("Arn").asText(), got.toString());
        assertEquals(JSON.readTree(step2), role.path("AssumeRolePolicyDocument"),
                "get-role shows the trust policy decoded, with the task role's ARN: " + got);
        assertEquals(3600, role.path("MaxSessionDuration").asInt(), got.toString());
        assertTrue(role.has("RoleLastUsed"), "GetRole includes RoleLastUsed: " + got);

        JsonNode listed = ok(aws("iam", "list-roles", "--profile", "destination"));
        JsonNode mine = null;
        for (JsonNode r : listed.path("Roles")) {
            assertFalse(r.path("Arn").asText().contains(":" + A + ":"), "list-roles lists only the caller's account: " + r);
            if (r.path("RoleName").asText().equals("destination-account-role")) {
                mine = r;
            }
        }
        assertTrue(mine != null, "list-roles lists destination-account-role: " + listed);
        assertEquals(JSON.readTree(step2), mine.path("AssumeRolePolicyDocument"), mine.toString());
        assertFalse(listed.path("IsTruncated").asBoolean(), listed.toString());
    }

    @Test
    @Order(3)
    void taskSessionAssumesTheDestinationRoleAcrossAccounts() throws Exception {
        Credentials task = taskSession();
        long now = System.currentTimeMillis() / 1000;
        String sessionName = "botocore-session-" + now;
        JsonNode hop = ok(awsAs(task, "sts", "assume-role", "--role-arn", DEST_ROLE, "--role-session-name", sessionName));
        assertEquals(sessionArn(B, "destination-account-role", sessionName), hop.path("AssumedRoleUser").path("Arn").asText(),
                hop.toString());
        String destId = destinationIam.getRole(r -> r.roleName("destination-account-role")).role().roleId();
        assertEquals(destId + ":" + sessionName, hop.path("AssumedRoleUser").path("AssumedRoleId").asText());
        JsonNode creds = hop.path("Credentials");
        assertTrue(creds.path("AccessKeyId").asText().startsWith("ASIA"), hop.toString());

        GetCallerIdentityResponse there = crossrole.sts(TestCrossrole.session(Credentials.builder()
                .accessKeyId(creds.path("AccessKeyId").asText()).secretAccessKey(creds.path("SecretAccessKey").asText())
                .sessionToken(creds.path("SessionToken").asText()).build())).getCallerIdentity();
        assertEquals(B, there.account());
        assertEquals(sessionArn(B, "destination-account-role", sessionName), there.arn());
    }

    // ---- what must fail ------------------------------------------------------------------------

    @Test
    @Order(4)
    void chainedHopLongerThanAnHourIsAValidationError() throws Exception {
        // Let the role itself allow 12 hours, so that only the role-chaining cap applies.
        destinationIam.updateRole(r -> r.roleName("destination-account-role").maxSessionDuration(43200));
        try {
            Run run = awsAs(taskSession(), "sts", "assume-role", "--role-arn", DEST_ROLE, "--role-session-name",
                    "too-long", "--duration-seconds", "7200");
            assertServiceError(run, "ValidationError", "AssumeRole",
                    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        } finally {
            destinationIam.updateRole(r -> r.roleName("destination-account-role").maxSessionDuration(3600));
        }
    }

    @Test
    @Order(5)
    void withoutTheStep1IdentityPolicyAssumeRoleIsDenied() throws Exception {
        Credentials task = taskSession();
        Run deleted = aws("iam", "delete-role-policy", "--role-name", "my-ECS-task-role", "--policy-name", TASK_POLICY,
                "--profile", "source");
        assertEquals(0, deleted.exit(), deleted.toString());
        try {
            Run run = awsAs(task, "sts", "assume-role", "--role-arn", DEST_ROLE, "--role-session-name", "no-policy");
            assertServiceError(run, "AccessDenied", "AssumeRole", "User: " + sessionArn(A, "my-ECS-task-role", TASK_ID)
                    + " is not authorized to perform: sts:AssumeRole on resource: " + DEST_ROLE
                    + " because no identity-based policy allows the sts:AssumeRole action");
        } finally {
            sourceIam.putRolePolicy(r -> r.roleName("my-ECS-task-role").policyName(TASK_POLICY).policyDocument(step1));
        }
    }

    @Test
    @Order(6)
    void trustNamingAnotherPrincipalIsDenied() throws Exception {
        Credentials task = taskSession();
        crossrole.role(A, "some-other-task-role", Docs.trustAws(TestCrossrole.rootArn(A)));
        Files.writeString(work.resolve("other-trust.json"),
                step2.replace("role/my-ECS-task-role", "role/some-other-task-role"));
        Run updated = aws("iam", "update-assume-role-policy", "--role-name", "destination-account-role",
                "--policy-document", file("other-trust.json"), "--profile", "destination");
        assertEquals(0, updated.exit(), updated.toString());
        try {
            Run run = awsAs(task, "sts", "assume-role", "--role-arn", DEST_ROLE, "--role-session-name", "not-trusted");
            assertServiceError(run, "AccessDenied", "AssumeRole", "User: " + sessionArn(A, "my-ECS-task-role", TASK_ID)
                    + " is not authorized to perform: sts:AssumeRole on resource: " + DEST_ROLE);
        } finally {
            destinationIam.updateAssumeRolePolicy(r -> r.roleName("destination-account-role").policyDocument(step2));
        }
    }

    @Test
    @Order(7)
    void trustNamingAPrincipalThatDoesNotExistIsMalformed() throws Exception {
        // The article's 16-digit account id.
        String article = "arn:aws:iam::1111222233334444:role/my-ECS-task-role";
        Files.writeString(work.resolve("article-trust.json"), step2.replace(TASK_ROLE, article));
        Run run = aws("iam", "create-role", "--role-name", "article-destination-role", "--assume-role-policy-document",
                file("article-trust.json"), "--profile", "destination");
        assertServiceError(run, "MalformedPolicyDocument", "CreateRole",
                "Invalid principal in policy: \"AWS\":\"" + article + "\"");

        // A real account id, a role that is not there.
        String missing = roleArn(A, "my-ECS-task-role-typo");
        Files.writeString(work.resolve("missing-trust.json"), step2.replace(TASK_ROLE, missing));
        Run update = aws("iam", "update-assume-role-policy", "--role-name", "destination-account-role",
                "--policy-document", file("missing-trust.json"), "--profile", "destination");
        assertServiceError(update, "MalformedPolicyDocument", "UpdateAssumeRolePolicy",
                "Invalid principal in policy: \"AWS\":\"" + missing + "\"");

        // Neither took effect.
        assertEquals(step2, IamSdk.decode(destinationIam.getRole(r -> r.roleName("destination-account-role")).role()
                .assumeRolePolicyDocument()));
        assertTrue(destinationIam.listRoles().roles().stream().noneMatch(r -> r.roleName().equals("article-destination-role")));
    }

    @Test
    @Order(8)
    void deletingARoleThatHasAnInlinePolicyIsAConflict() throws Exception {
        Run run = aws("iam", "delete-role", "--role-name", "my-ECS-task-role", "--profile", "source");
        assertServiceError(run, "DeleteConflict", "DeleteRole", "Cannot delete entity, must delete policies first.");
        assertEquals(TASK_ROLE, sourceIam.getRole(r -> r.roleName("my-ECS-task-role")).role().arn());
    }
}
