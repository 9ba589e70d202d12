package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.sessionArn;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The acceptance scenario (seed-walkthrough.md) end to end with the real {@code aws} command (AWS CLI v1,
 * which honours {@code AWS_ENDPOINT_URL} for every call, the inner AssumeRole of a role profile included):
 * steps 1 to 3 exactly as written, the task run with {@code aws ecs run-task}, then {@code crossrole exec}
 * into the task to write the {@code cross-account} profile and run the three commands of step 4 from
 * inside it, then every row of "What must fail", then StopTask. The tests build on each other, in order.
 *
 * <p>Each {@code aws} run outside the task gets a fresh HOME (no assumed-role cache survives) and only
 * crossrole's settings in its environment. Inside the task the CLI sees only the task's environment (its
 * credentials endpoint, region, endpoint, and HOME = the task's directory), as in a container.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WalkthroughEndToEndTest {
    static final String A = SOURCE;
    static final String B = DESTINATION;
    static final String TASK_ROLE = roleArn(A, "my-ECS-task-role");
    static final String DEST_ROLE = roleArn(B, "destination-account-role");
    static final String STEP1_POLICY = "assume-destination-account-role";
    static final String LIST_CLUSTERS_POLICY = "list-ecs-clusters";
    static final String FAMILY = "verify-assume-cross-account-role";
    static final String DEST_DEFAULT_CLUSTER = "arn:aws:ecs:us-east-1:" + B + ":cluster/default";
    static final Pattern TASK_ARN = Pattern.compile("arn:aws:ecs:us-east-1:" + A + ":task/default/([0-9a-f]{32})");
    static final ObjectMapper JSON = new ObjectMapper();

    static TestCrossrole crossrole;
    static Path work;
    static String taskArn;
    static String taskId;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        work = Files.createTempDirectory("crossrole-walkthrough");
        for (String name : List.of("step1-identity-policy.json", "step2-trust-policy.json", "ecs-tasks-trust-policy.json",
                "example-task-def.json", "destination-list-clusters-policy.json", "ecs-only-user-policy.json")) {
            Files.writeString(work.resolve(name), resource(name));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (crossrole != null) {
            crossrole.close();
        }
        if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = WalkthroughEndToEndTest.class.getResourceAsStream("/walkthrough/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource walkthrough/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // ---- running aws outside and inside the task -------------------------------------------------

    /** {@code aws <args>} in the work directory (so {@code file://name} finds the documents), fresh HOME, clean env. */
    static Run aws(Map<String, String> extraEnv, String... args) throws Exception {
        return AwsCli.run(crossrole, work, work, null, extraEnv, args);
    }

    static Run aws(String... args) throws Exception {
        return aws(Map.of(), args);
    }

    /** {@code crossrole exec --task <task> -- <command>}: the command runs in the task's container environment. */
    static Run inTask(String... command) throws Exception {
        assertNotNull(taskId, "the walkthrough's task is running (run-task succeeded)");
        List<String> args = new ArrayList<>(List.of("exec", "--endpoint", crossrole.endpoint(), "--data-dir", crossrole.dataDir.toString(), "--task", taskId, "--"));
        args.addAll(List.of(command));
        return CrossroleCommand.run(work, args.toArray(String[]::new));
    }

    /** {@code aws <args>} inside the task after emptying the CLI's assumed-role cache (~/.aws/cli/cache). */
    static Run awsInTaskUncached(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "rm -rf \"$HOME/.aws/cli/cache\" && exec aws \"$@\"", "sh"));
        command.addAll(List.of(args));
        return inTask(command.toArray(String[]::new));
    }

    static JsonNode ok(Run run) {
        return AwsCli.ok(run);
    }

    /** The CLI's line for a service error: exit 254/255 and {@code An error occurred (Code) when calling the Op operation: msg}. */
    static void assertServiceError(Run run, String code, String operation, String message) {
        assertTrue(run.exit() == 254 || run.exit() == 255, "exit status of a service error: " + run);
        assertEquals("An error occurred (" + code + ") when calling the " + operation + " operation: " + message,
                run.stderr().strip(), run.toString());
    }

    static void assertServiceErrorMatches(Run run, String code, String operation, String messageRegex) {
        assertTrue(run.exit() == 254 || run.exit() == 255, "exit status of a service error: " + run);
        String line = run.stderr().strip();
        String prefix = "An error occurred (" + code + ") when calling the " + operation + " operation: ";
        assertTrue(line.startsWith(prefix) && line.substring(prefix.length()).matches(messageRegex),
                "expected " + prefix + messageRegex + "\n" + run);
    }

    static String roleId(String profile, String roleName) throws Exception {
        return ok(aws("iam", "get-role", "--role-name", roleName, "--profile", profile)).path("Role").path("RoleId").asText();
    }

    static JsonNode describeTask() throws Exception {
        JsonNode described = ok(aws("ecs", "describe-tasks", "--tasks", taskArn, "--profile", "source"));
        assertEquals(1, described.path("tasks").size(), described.toString());
        return described.path("tasks").get(0);
    }

    // ---- steps 1 to 3 --------------------------------------------------------------------------

    @Test
    @Order(1)
    void step1TaskRoleTrustingEcsTasksWithTheIdentityPolicy() throws Exception {
        JsonNode created = ok(aws("iam", "create-role", "--role-name", "my-ECS-task-role",
                "--assume-role-policy-document", "file://ecs-tasks-trust-policy.json", "--profile", "source"));
        assertEquals(TASK_ROLE, created.path("Role").path("Arn").asText(), created.toString());
        Run put = aws("iam", "put-role-policy", "--role-name", "my-ECS-task-role", "--policy-name", STEP1_POLICY,
                "--policy-document", "file://step1-identity-policy.json", "--profile", "source");
        assertEquals(0, put.exit(), put.toString());
    }

    @Test
    @Order(2)
    void step2DestinationRoleTrustingTheTaskRole() throws Exception {
        JsonNode created = ok(aws("iam", "create-role", "--role-name", "destination-account-role",
                "--assume-role-policy-document", "file://step2-trust-policy.json", "--profile", "destination"));
        assertEquals(DEST_ROLE, created.path("Role").path("Arn").asText(), created.toString());
        // What the task does there: list the destination account's ECS clusters.
        Run put = aws("iam", "put-role-policy", "--role-name", "destination-account-role", "--policy-name",
                LIST_CLUSTERS_POLICY, "--policy-document", "file://destination-list-clusters-policy.json",
                "--profile", "destination");
        assertEquals(0, put.exit(), put.toString());
    }

    @Test
    @Order(3)
    void step3TaskDefinitionNamingTheTaskRole() throws Exception {
        JsonNode registered = ok(aws("ecs", "register-task-definition", "--cli-input-json", "file://example-task-def.json",
                "--profile", "source"));
        JsonNode def = registered.path("taskDefinition");
        assertEquals("arn:aws:ecs:us-east-1:" + A + ":task-definition/" + FAMILY + ":1", def.path("taskDefinitionArn").asText(),
                registered.toString());
        assertEquals(FAMILY, def.path("family").asText());
        assertEquals(1, def.path("revision").asInt());
        assertEquals("ACTIVE", def.path("status").asText());
        assertEquals(TASK_ROLE, def.path("taskRoleArn").asText());
        JsonNode container = def.path("containerDefinitions").get(0);
        assertEquals("test", container.path("name").asText(), def.toString());
        assertEquals("your-test-image", container.path("image").asText());
        assertEquals(100, container.path("cpu").asInt());
        assertEquals(200, container.path("memory").asInt());
        assertTrue(container.path("essential").asBoolean());
        assertEquals(userArn(A, "admin"), def.path("registeredBy").asText(), def.toString());
    }

    @Test
    @Order(4)
    void destinationAccountHasADefaultCluster() throws Exception {
        JsonNode created = ok(aws("ecs", "create-cluster", "--profile", "destination"));
        assertEquals(DEST_DEFAULT_CLUSTER, created.path("cluster").path("clusterArn").asText(), created.toString());
        assertEquals("default", created.path("cluster").path("clusterName").asText());
        assertEquals("ACTIVE", created.path("cluster").path("status").asText());
    }

    // ---- step 4: run the task and check from inside it -----------------------------------------

    @Test
    @Order(5)
    void runTheTask() throws Exception {
        JsonNode run = ok(aws("ecs", "run-task", "--task-definition", FAMILY, "--profile", "source"));
        assertEquals(0, run.path("failures").size(), run.toString());
        assertEquals(1, run.path("tasks").size(), run.toString());
        JsonNode task = run.path("tasks").get(0);
        Matcher m = TASK_ARN.matcher(task.path("taskArn").asText());
        assertTrue(m.matches(), "task ARN arn:aws:ecs:us-east-1:" + A + ":task/default/<32 hex>: " + task);
        taskArn = m.group();
        taskId = m.group(1);
        assertEquals("arn:aws:ecs:us-east-1:" + A + ":task-definition/" + FAMILY + ":1", task.path("taskDefinitionArn").asText());
        assertEquals("arn:aws:ecs:us-east-1:" + A + ":cluster/default", task.path("clusterArn").asText());
        assertEquals("RUNNING", task.path("desiredStatus").asText());

        Run wait = aws("ecs", "wait", "tasks-running", "--tasks", taskArn, "--profile", "source");
        assertEquals(0, wait.exit(), wait.toString());
        JsonNode described = describeTask();
        assertEquals("RUNNING", described.path("lastStatus").asText(), described.toString());
        assertEquals("RUNNING", described.path("containers").get(0).path("lastStatus").asText(), described.toString());
    }

    @Test
    @Order(6)
    void insideTheTaskTheCrossAccountProfileWorks() throws Exception {
        Run write = inTask("sh", "-c", "mkdir -p \"$HOME/.aws\" && printf '%s\\n' \"$@\" > \"$HOME/.aws/config\"", "sh",
                "[profile cross-account]",
                "role_arn = " + DEST_ROLE,
                "credential_source = EcsContainer");
        assertEquals(0, write.exit(), write.toString());

        // aws sts get-caller-identity: the task role's session, named after the task id.
        JsonNode me = ok(inTask("aws", "sts", "get-caller-identity"));
        String taskRoleId = roleId("source", "my-ECS-task-role");
        assertTrue(taskRoleId.matches("AROA[A-Z0-9]{17}"), taskRoleId);
        assertEquals(taskRoleId + ":" + taskId, me.path("UserId").asText(), me.toString());
        assertEquals(A, me.path("Account").asText(), me.toString());
        assertEquals(sessionArn(A, "my-ECS-task-role", taskId), me.path("Arn").asText(), me.toString());

        // aws sts get-caller-identity --profile cross-account: the destination role, botocore's session name.
        long before = System.currentTimeMillis() / 1000;
        JsonNode there = ok(inTask("aws", "sts", "get-caller-identity", "--profile", "cross-account"));
        long after = System.currentTimeMillis() / 1000;
        String destRoleId = roleId("destination", "destination-account-role");
        Matcher user = Pattern.compile(Pattern.quote(destRoleId) + ":botocore-session-(\\d+)").matcher(there.path("UserId").asText());
        assertTrue(user.matches(), "UserId AROA…:botocore-session-<unix seconds>: " + there);
        long seconds = Long.parseLong(user.group(1));
        assertTrue(seconds >= before - 2 && seconds <= after + 2, "session name time " + seconds + " in [" + before + ", " + after + "]");
        assertEquals(B, there.path("Account").asText(), there.toString());
        assertEquals(sessionArn(B, "destination-account-role", "botocore-session-" + seconds), there.path("Arn").asText(),
                there.toString());

        // aws ecs list-clusters --profile cross-account: the destination account's clusters.
        JsonNode clusters = ok(inTask("aws", "ecs", "list-clusters", "--profile", "cross-account"));
        assertEquals(JSON.readTree("{\"clusterArns\": [\"" + DEST_DEFAULT_CLUSTER + "\"]}"), clusters, clusters.toString());
    }

    // ---- what must fail, and how ----------------------------------------------------------------

    @Test
    @Order(7)
    void withoutTheStep1IdentityPolicyAssumeRoleIsDenied() throws Exception {
        Run deleted = aws("iam", "delete-role-policy", "--role-name", "my-ECS-task-role", "--policy-name", STEP1_POLICY,
                "--profile", "source");
        assertEquals(0, deleted.exit(), deleted.toString());
        try {
            Run run = awsInTaskUncached("sts", "get-caller-identity", "--profile", "cross-account");
            assertServiceError(run, "AccessDenied", "AssumeRole", "User: " + sessionArn(A, "my-ECS-task-role", taskId)
                    + " is not authorized to perform: sts:AssumeRole on resource: " + DEST_ROLE
                    + " because no identity-based policy allows the sts:AssumeRole action");
        } finally {
            Run put = aws("iam", "put-role-policy", "--role-name", "my-ECS-task-role", "--policy-name", STEP1_POLICY,
                    "--policy-document", "file://step1-identity-policy.json", "--profile", "source");
            assertEquals(0, put.exit(), put.toString());
        }
    }

    @Test
    @Order(8)
    void trustPolicyNamingAnotherPrincipalIsDenied() throws Exception {
        JsonNode other = ok(aws("iam", "create-role", "--role-name", "some-other-task-role",
                "--assume-role-policy-document", "file://ecs-tasks-trust-policy.json", "--profile", "source"));
        assertEquals(roleArn(A, "some-other-task-role"), other.path("Role").path("Arn").asText(), other.toString());
        Files.writeString(work.resolve("other-principal-trust.json"),
                resource("step2-trust-policy.json").replace("role/my-ECS-task-role", "role/some-other-task-role"));
        Run updated = aws("iam", "update-assume-role-policy", "--role-name", "destination-account-role",
                "--policy-document", "file://other-principal-trust.json", "--profile", "destination");
        assertEquals(0, updated.exit(), updated.toString());
        try {
            Run run = awsInTaskUncached("sts", "get-caller-identity", "--profile", "cross-account");
            assertServiceError(run, "AccessDenied", "AssumeRole", "User: " + sessionArn(A, "my-ECS-task-role", taskId)
                    + " is not authorized to perform: sts:AssumeRole on resource: " + DEST_ROLE);
        } finally {
            Run restored = aws("iam", "update-assume-role-policy", "--role-name", "destination-account-role",
                    "--policy-document", "file://step2-trust-policy.json", "--profile", "destination");
            assertEquals(0, restored.exit(), restored.toString());
        }
    }

    @Test
    @Order(9)
    void trustPolicyNamingAPrincipalThatDoesNotExistIsMalformed() throws Exception {
        String missing = roleArn(A, "my-ECS-task-role-that-does-not-exist");
        Files.writeString(work.resolve("missing-principal-trust.json"),
                resource("step2-trust-policy.json").replace(TASK_ROLE, missing));
        Run run = aws("iam", "update-assume-role-policy", "--role-name", "destination-account-role",
                "--policy-document", "file://missing-principal-trust.json", "--profile", "destination");
        assertServiceError(run, "MalformedPolicyDocument", "UpdateAssumeRolePolicy",
                "Invalid principal in policy: \"AWS\":\"" + missing + "\"");

        // The article's 16-digit account id names no account at all.
        String article = "arn:aws:iam::1111222233334444:role/my-ECS-task-role";
        Files.writeString(work.resolve("article-principal-trust.json"),
                resource("step2-trust-policy.json").replace(TASK_ROLE, article));
        Run create = aws("iam", "create-role", "--role-name", "article-destination-role",
                "--assume-role-policy-document", "file://article-principal-trust.json", "--profile", "destination");
        assertServiceError(create, "MalformedPolicyDocument", "CreateRole",
                "Invalid principal in policy: \"AWS\":\"" + article + "\"");

        // The valid trust policy is still in place: the hop works.
        JsonNode there = ok(awsInTaskUncached("sts", "get-caller-identity", "--profile", "cross-account"));
        assertEquals(B, there.path("Account").asText(), there.toString());
    }

    @Test
    @Order(10)
    void taskRoleNotTrustingEcsTasksCannotRun() throws Exception {
        Files.writeString(work.resolve("account-trust.json"), "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                + "\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + A + ":root\"},\"Action\":\"sts:AssumeRole\"}]}");
        ok(aws("iam", "create-role", "--role-name", "role-without-ecs-trust", "--assume-role-policy-document",
                "file://account-trust.json", "--profile", "source"));
        String untrusted = roleArn(A, "role-without-ecs-trust");
        Files.writeString(work.resolve("untrusted-task-def.json"), resource("example-task-def.json")
                .replace(TASK_ROLE, untrusted).replace(FAMILY, "untrusted-task-role"));
        // Registering succeeds: ECS only finds out when it assumes the role for a task.
        JsonNode registered = ok(aws("ecs", "register-task-definition", "--cli-input-json", "file://untrusted-task-def.json",
                "--profile", "source"));
        assertEquals(untrusted, registered.path("taskDefinition").path("taskRoleArn").asText(), registered.toString());

        Run run = aws("ecs", "run-task", "--task-definition", "untrusted-task-role", "--profile", "source");
        assertServiceError(run, "ClientException", "RunTask", "ECS was unable to assume the role '" + untrusted
                + "' that was provided for this task. Please verify that the role being passed has the proper trust"
                + " relationship and permissions and that your IAM user has permissions to pass this role.");
        JsonNode listed = ok(aws("ecs", "list-tasks", "--family", "untrusted-task-role", "--profile", "source"));
        assertEquals(0, listed.path("taskArns").size(), "no task was started: " + listed);

        // The same through overrides.taskRoleArn on the walkthrough's own task definition.
        Run overridden = aws("ecs", "run-task", "--task-definition", FAMILY, "--overrides",
                "{\"taskRoleArn\":\"" + untrusted + "\"}", "--profile", "source");
        assertServiceError(overridden, "ClientException", "RunTask", "ECS was unable to assume the role '" + untrusted
                + "' that was provided for this task. Please verify that the role being passed has the proper trust"
                + " relationship and permissions and that your IAM user has permissions to pass this role.");
    }

    @Test
    @Order(11)
    void callerWithoutPassRoleCannotRunTheTask() throws Exception {
        ok(aws("iam", "create-user", "--user-name", "ecs-only", "--profile", "source"));
        Run put = aws("iam", "put-user-policy", "--user-name", "ecs-only", "--policy-name", "ecs-everything",
                "--policy-document", "file://ecs-only-user-policy.json", "--profile", "source");
        assertEquals(0, put.exit(), put.toString());
        JsonNode key = ok(aws("iam", "create-access-key", "--user-name", "ecs-only", "--profile", "source")).path("AccessKey");
        Map<String, String> ecsOnly = Map.of("AWS_ACCESS_KEY_ID", key.path("AccessKeyId").asText(),
                "AWS_SECRET_ACCESS_KEY", key.path("SecretAccessKey").asText());

        // ECS itself is allowed...
        JsonNode clusters = ok(aws(ecsOnly, "ecs", "list-clusters"));
        assertTrue(clusters.path("clusterArns").toString().contains("arn:aws:ecs:us-east-1:" + A + ":cluster/default"),
                clusters.toString());
        // ...handing ECS the task role is not.
        String denied = "User: " + userArn(A, "ecs-only") + " is not authorized to perform: iam:PassRole on resource: "
                + TASK_ROLE + " because no identity-based policy allows the iam:PassRole action";
        assertServiceError(aws(ecsOnly, "ecs", "run-task", "--task-definition", FAMILY), "AccessDeniedException", "RunTask",
                denied);
        assertServiceError(aws(ecsOnly, "ecs", "register-task-definition", "--cli-input-json", "file://example-task-def.json"),
                "AccessDeniedException", "RegisterTaskDefinition", denied);
    }

    @Test
    @Order(12)
    void destinationRoleWithoutListClustersIsDenied() throws Exception {
        Run deleted = aws("iam", "delete-role-policy", "--role-name", "destination-account-role", "--policy-name",
                LIST_CLUSTERS_POLICY, "--profile", "destination");
        assertEquals(0, deleted.exit(), deleted.toString());
        try {
            Run run = awsInTaskUncached("ecs", "list-clusters", "--profile", "cross-account");
            assertServiceErrorMatches(run, "AccessDeniedException", "ListClusters", Pattern.quote("User: arn:aws:sts::" + B
                    + ":assumed-role/destination-account-role/botocore-session-") + "\\d+" + Pattern.quote(
                    " is not authorized to perform: ecs:ListClusters on resource: * because no identity-based policy"
                            + " allows the ecs:ListClusters action"));
        } finally {
            Run put = aws("iam", "put-role-policy", "--role-name", "destination-account-role", "--policy-name",
                    LIST_CLUSTERS_POLICY, "--policy-document", "file://destination-list-clusters-policy.json",
                    "--profile", "destination");
            assertEquals(0, put.exit(), put.toString());
        }
    }

    @Test
    @Order(13)
    void chainedHopLongerThanAnHourIsAValidationError() throws Exception {
        // The role itself allows 12 hours, so that only role chaining's one-hour cap applies.
        Run raised = aws("iam", "update-role", "--role-name", "destination-account-role", "--max-session-duration", "43200",
                "--profile", "destination");
        assertEquals(0, raised.exit(), raised.toString());
        try {
            Run append = inTask("sh", "-c", "printf '%s\\n' \"$@\" >> \"$HOME/.aws/config\"", "sh",
                    "",
                    "[profile cross-account-2h]",
                    "role_arn = " + DEST_ROLE,
                    "credential_source = EcsContainer",
                    "duration_seconds = 7200");
            assertEquals(0, append.exit(), append.toString());
            Run run = awsInTaskUncached("sts", "get-caller-identity", "--profile", "cross-account-2h");
            assertServiceError(run, "ValidationError", "AssumeRole",
                    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        } finally {
            Run restored = aws("iam", "update-role", "--role-name", "destination-account-role", "--max-session-duration",
                    "3600", "--profile", "destination");
            assertEquals(0, restored.exit(), restored.toString());
        }
    }

    // ---- the end: stop the task -------------------------------------------------------------------

    @Test
    @Order(14)
    void stopTheTask() throws Exception {
        assertNotNull(taskArn, "the walkthrough's task is running");
        JsonNode stopped = ok(aws("ecs", "stop-task", "--task", taskArn, "--profile", "source"));
        assertEquals(taskArn, stopped.path("task").path("taskArn").asText(), stopped.toString());
        assertEquals("STOPPED", stopped.path("task").path("desiredStatus").asText(), stopped.toString());

        JsonNode task = describeTask();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"STOPPED".equals(task.path("lastStatus").asText()) && System.nanoTime() < deadline) {
            Thread.sleep(300);
            task = describeTask();
        }
        assertEquals("STOPPED", task.path("lastStatus").asText(), task.toString());
        assertEquals("STOPPED", task.path("desiredStatus").asText(), task.toString());
        assertEquals("UserInitiated", task.path("stopCode").asText(), task.toString());
        assertEquals("Task stopped by user", task.path("stoppedReason").asText(), task.toString());
        assertEquals("STOPPED", task.path("containers").get(0).path("lastStatus").asText(), task.toString());
        assertTrue(task.hasNonNull("stoppedAt"), task.toString());

        JsonNode stoppedList = ok(aws("ecs", "list-tasks", "--desired-status", "STOPPED", "--profile", "source"));
        assertTrue(stoppedList.path("taskArns").toString().contains(taskArn), stoppedList.toString());
        JsonNode running = ok(aws("ecs", "list-tasks", "--profile", "source"));
        assertTrue(!running.path("taskArns").toString().contains(taskArn), running.toString());

        // Nothing runs in a stopped task any more.
        Run exec = inTask("true");
        assertEquals(2, exec.exit(), exec.toString());
        assertTrue(exec.stderr().contains("not RUNNING"), exec.toString());
    }
}
