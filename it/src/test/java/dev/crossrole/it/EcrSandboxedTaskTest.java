package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.requestlog.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * ECS tasks whose images are in ECR, on the sandboxed runtime (which runs the command, not the image): ECS's agent
 * still asks the execution role's permissions to pull, as on Fargate, and a refusal stops the task before it starts
 * with ECS's reason and the request crossrole explains.
 */
class EcrSandboxedTaskTest {
    private static final String EXEC_POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":[\"ecr:GetAuthorizationToken\",\"ecr:BatchCheckLayerAvailability\","
            + "\"ecr:GetDownloadUrlForLayer\",\"ecr:BatchGetImage\"],\"Resource\":\"*\"}]}";
    private static final String ECS_TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
    private static final Pattern WHY = Pattern.compile("crossrole why ([0-9a-f-]{36})");

    static TestCrossrole crossrole;
    static EcsClient ecs;
    static String sourceImageDigest;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        Assumptions.assumeTrue(crossrole.server.tasksUnavailable().isEmpty(),
                () -> "tasks cannot run here: " + crossrole.server.tasksUnavailable().orElse(""));
        ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(SOURCE));
        String registry = crossrole.server.registryEndpoint().orElseThrow();
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        try (EcrClient source = EcrSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(SOURCE));
             EcrClient destination = EcrSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION))) {
            source.createRepository(r -> r.repositoryName("team/tool"));
            destination.createRepository(r -> r.repositoryName("shared/tool"));
            sourceImageDigest = new RegistryClient(registry, token(source)).pushImage(SOURCE + "/team/tool", "1",
                    config, List.of("a layer".getBytes(StandardCharsets.UTF_8)));
            new RegistryClient(registry, token(destination)).pushImage(DESTINATION + "/shared/tool", "1", config,
                    List.of("another layer".getBytes(StandardCharsets.UTF_8)));
        }
        crossrole.role(SOURCE, "exec", ECS_TRUST, EXEC_POLICY);
        crossrole.role(SOURCE, "exec-without-token", ECS_TRUST, EXEC_POLICY.replace("\"ecr:GetAuthorizationToken\",",
                ""));
    }

    private static String token(EcrClient client) {
        return client.getAuthorizationToken().authorizationData().get(0).authorizationToken();
    }

    @AfterAll
    static void stop() throws Exception {
        if (ecs != null) {
            ecs.close();
        }
        if (crossrole != null) {
            crossrole.close();
        }
    }

    private static Task run(String family, String image, String executionRole) throws InterruptedException {
        ecs.registerTaskDefinition(r -> {
            r.family(family).containerDefinitions(ContainerDefinition.builder().name("app").image(image)
                    .memory(64).command("sh", "-c", "echo ran from " + family).build());
            if (executionRole != null) {
                r.executionRoleArn(roleArn(SOURCE, executionRole));
            }
        });
        String arn = ecs.runTask(r -> r.taskDefinition(family)).tasks().get(0).taskArn();
        return EcsSdk.awaitStopped(ecs, null, arn);
    }

    private static void assertRan(Task task) throws Exception {
        assertEquals("EssentialContainerExited", task.stopCodeAsString(), task.toString());
        assertEquals(0, task.containers().get(0).exitCode(), task.toString());
        String logs = crossrole.adminGet("/_crossrole/tasks/" + EcsSdk.id(task.taskArn()) + "/logs?container=app")
                .body();
        assertTrue(logs.contains("ran from " + task.taskDefinitionArn().replaceAll(".*/([^:]+):\\d+$", "$1")), logs);
    }

    /** The request a stopped reason names ({@code crossrole why <id>}), as crossrole recorded it. */
    private static RecordedRequest explained(String reason) {
        Matcher why = WHY.matcher(reason);
        assertTrue(why.find(), reason);
        return crossrole.recorded(why.group(1));
    }

    @Test
    void anImageOfTheTasksAccountIsPulledWithTheExecutionRoleByTagOrDigest() throws Exception {
        assertRan(run("by-tag", SOURCE + ".dkr.ecr.us-east-1.amazonaws.com/team/tool:1", "exec"));
        assertRan(run("by-digest", SOURCE + ".dkr.ecr.us-east-1.amazonaws.com/team/tool@" + sourceImageDigest,
                "exec"));
        List<RecordedRequest> pulls = crossrole.server.requestLog().recent(50).stream()
                .filter(r -> "ecr".equals(r.service()) && r.caller() != null
                        && r.caller().contains(":assumed-role/exec/")).toList();
        assertTrue(pulls.stream().anyMatch(r -> "BatchGetImage".equals(r.operation())), pulls.toString());
        assertTrue(pulls.stream().anyMatch(r -> "GetDownloadUrlForLayer".equals(r.operation())), pulls.toString());
    }

    @Test
    void aMissingImageOrPermissionStopsTheTaskBeforeItStartsWithEcsReason() throws Exception {
        Task missing = run("missing-tag", SOURCE + ".dkr.ecr.us-east-1.amazonaws.com/team/tool:nope", "exec");
        assertEquals("TaskFailedToStart", missing.stopCodeAsString());
        assertTrue(missing.stoppedReason().startsWith("CannotPullContainerError: pull image manifest has been retried 1"
                + " time(s): failed to resolve ref " + SOURCE + ".dkr.ecr.us-east-1.amazonaws.com/team/tool:nope: "
                + SOURCE + ".dkr.ecr.us-east-1.amazonaws.com/team/tool:nope: not found (RequestID: "),
                missing.stoppedReason());
        assertEquals(missing.stoppedReason(), missing.containers().get(0).reason());

        Task noToken = run("no-token", SOURCE + ".dkr.ecr.us-east-1.amazonaws.com/team/tool:1", "exec-without-token");
        assertEquals("TaskFailedToStart", noToken.stopCodeAsString());
        assertTrue(noToken.stoppedReason().startsWith("ResourceInitializationError: unable to pull secrets or registry"
                + " auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has"
                + " been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::" + SOURCE
                + ":assumed-role/exec-without-token/"), noToken.stoppedReason());
        assertEquals("ecr:GetAuthorizationToken", explained(noToken.stoppedReason()).action());

        Task noRole = run("no-role", SOURCE + ".dkr.ecr.us-east-1.amazonaws.com/team/tool:1", null);
        assertTrue(noRole.stoppedReason().startsWith("ResourceInitializationError: unable to pull secrets or registry"
                + " auth"), noRole.stoppedReason());
    }

    @Test
    void anotherAccountsImageNeedsItsRepositoryPolicyToAllowTheExecutionRole() throws Exception {
        String image = DESTINATION + ".dkr.ecr.us-east-1.amazonaws.com/shared/tool:1";
        Task denied = run("cross-account", image, "exec");
        assertEquals("TaskFailedToStart", denied.stopCodeAsString(), denied.toString());
        String reason = denied.stoppedReason();
        assertTrue(reason.startsWith("CannotPullContainerError: pull image manifest has been retried 1 time(s): failed"
                + " to resolve ref " + image + ": pull access denied, repository does not exist or may require"
                + " authorization: denied: User: arn:aws:sts::" + SOURCE + ":assumed-role/exec/"), reason);
        assertTrue(reason.contains("is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:"
                + DESTINATION + ":repository/shared/tool because no resource-based policy allows the"
                + " ecr:BatchGetImage action"), reason);
        RecordedRequest refused = explained(reason);
        assertEquals("ecr:BatchGetImage", refused.action());
        assertFalse(refused.decision().allowed());
        assertEquals("STOPPED", denied.containers().get(0).lastStatus());
        assertEquals(null, denied.containers().get(0).exitCode(), "the container never ran");

        try (EcrClient destination = EcrSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION))) {
            destination.setRepositoryPolicy(r -> r.repositoryName("shared/tool").policyText("{\"Version\":"
                    + "\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                    + roleArn(SOURCE, "exec") + "\"},\"Action\":[\"ecr:BatchGetImage\","
                    + "\"ecr:GetDownloadUrlForLayer\",\"ecr:BatchCheckLayerAvailability\"]}]}"));
        }
        assertRan(run("cross-account", image, "exec"));
    }
}
