package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.sessionArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.it.tasks.CrossAccountProbe;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.HostVolumeProperties;
import software.amazon.awssdk.services.ecs.model.MountPoint;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.Volume;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * The walkthrough with the AWS SDK for Java v2 inside the task: a task whose container is a Java program
 * ({@link CrossAccountProbe}) that writes the walkthrough's {@code cross-account} profile into
 * {@code ~/.aws/config} and calls STS and ECS through the SDK's default credential chain (the container
 * credentials endpoint) and through {@code ProfileCredentialsProvider.create("cross-account")}
 * ({@code role_arn} + {@code credential_source = EcsContainer}). The program exits, which stops the task;
 * its output is read back through the admin API and {@code crossrole logs}.
 */
class WalkthroughSdkTaskTest {
    static final String A = SOURCE;
    static final String B = DESTINATION;
    static final String TASK_ROLE = roleArn(A, "my-ECS-task-role");
    static final String DEST_ROLE = roleArn(B, "destination-account-role");
    static final String FAMILY = "sdk-cross-account-probe";

    static TestCrossrole crossrole;
    static EcsClient ecs;
    static String taskRoleId;
    static String destRoleId;
    static String taskArn;
    static String taskId;
    static Task stopped;
    static String log;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        String ecsTrust = resource("ecs-tasks-trust-policy.json");
        String step1 = resource("step1-identity-policy.json");
        String step2 = resource("step2-trust-policy.json");
        String listClusters = resource("destination-list-clusters-policy.json");
        try (IamClient sourceIam = IamSdk.iam(crossrole, crossrole.adminCredentials(A));
             IamClient destinationIam = IamSdk.iam(crossrole, crossrole.adminCredentials(B));
             EcsClient destinationEcs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(B))) {
            taskRoleId = sourceIam.createRole(r -> r.roleName("my-ECS-task-role")
                    .assumeRolePolicyDocument(ecsTrust)).role().roleId();
            sourceIam.putRolePolicy(r -> r.roleName("my-ECS-task-role").policyName("assume-destination-account-role")
                    .policyDocument(step1));
            destRoleId = destinationIam.createRole(r -> r.roleName("destination-account-role")
                    .assumeRolePolicyDocument(step2)).role().roleId();
            destinationIam.putRolePolicy(r -> r.roleName("destination-account-role").policyName("list-ecs-clusters")
                    .policyDocument(listClusters));
            destinationEcs.createCluster(r -> { });
        }
        ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(A));
        // The probe's classes and jars, wherever the build is (a clone under /tmp, whose /tmp a task does not
        // see), reach the task as ECS puts host files into a container: a bind mount volume.
        CrossroleCommand.TaskClassPath classPath = CrossroleCommand.classPathForTasks();
        ecs.registerTaskDefinition(r -> r.family(FAMILY).taskRoleArn(TASK_ROLE)
                .volumes(Volume.builder().name("probe-classpath").host(HostVolumeProperties.builder()
                        .sourcePath(classPath.hostFolder().toString()).build()).build())
                .containerDefinitions(ContainerDefinition.builder().name("probe").image("local/java-probe").cpu(100)
                        .memory(512).essential(true)
                        .mountPoints(MountPoint.builder().sourceVolume("probe-classpath")
                                .containerPath(CrossroleCommand.TASK_CLASS_PATH).readOnly(true).build())
                        .command(CrossroleCommand.java(), "-cp", classPath.classPath(), CrossAccountProbe.class.getName())
                        .build()));
        var run = ecs.runTask(r -> r.taskDefinition(FAMILY));
        assertEquals(List.of(), run.failures(), run.toString());
        taskArn = run.tasks().get(0).taskArn();
        taskId = EcsSdk.id(taskArn);
        stopped = EcsSdk.awaitStopped(ecs, null, taskArn);
        HttpResponse<String> logs = crossrole.adminGet("/_crossrole/tasks/" + taskId + "/logs?container=probe");
        assertEquals(200, logs.statusCode(), logs.body());
        log = logs.body();
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

    static String resource(String name) throws IOException {
        try (InputStream in = WalkthroughSdkTaskTest.class.getResourceAsStream("/walkthrough/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource walkthrough/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The probe's output line that starts with {@code prefix}. */
    static String line(String prefix) {
        return log.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("the program printed no line '" + prefix + "…'; its output:\n" + log));
    }

    @Test
    void theProgramExitsZeroAndTheTaskStops() {
        assertEquals("STOPPED", stopped.lastStatus(), stopped.toString());
        assertEquals("STOPPED", stopped.desiredStatus(), stopped.toString());
        assertEquals("EssentialContainerExited", stopped.stopCodeAsString(), stopped.toString());
        assertEquals("Essential container in task exited", stopped.stoppedReason(), stopped.toString());
        Container probe = stopped.containers().get(0);
        assertEquals("probe", probe.name());
        assertEquals("STOPPED", probe.lastStatus(), stopped.toString());
        assertEquals(0, probe.exitCode(), "the program's exit status; its output:\n" + log);
        assertTrue(stopped.stoppedAt() != null && stopped.startedAt() != null, stopped.toString());
    }

    @Test
    void defaultChainGetsTheTaskRoleFromTheContainerEndpoint() {
        assertEquals("default UserId=" + taskRoleId + ":" + taskId + " Account=" + A + " Arn="
                + sessionArn(A, "my-ECS-task-role", taskId), line("default "));
    }

    @Test
    void crossAccountProfileAssumesTheDestinationRole() {
        Matcher m = Pattern.compile("cross-account UserId=" + Pattern.quote(destRoleId) + ":aws-sdk-java-(\\d+) Account="
                + B + " Arn=(.*)").matcher(line("cross-account UserId="));
        assertTrue(m.matches(), "UserId <role id>:aws-sdk-java-<epoch ms>, Account " + B + ":\n" + log);
        assertEquals(sessionArn(B, "destination-account-role", "aws-sdk-java-" + m.group(1)), m.group(2));
    }

    @Test
    void crossAccountProfileListsTheDestinationClusters() {
        assertEquals("cross-account clusterArns=[arn:aws:ecs:us-east-1:" + B + ":cluster/default]",
                line("cross-account clusterArns="));
    }

    @Test
    void crossroleLogsPrintsTheSameOutput() throws Exception {
        Run logs = CrossroleCommand.run(crossrole.dataDir, "logs", "--endpoint", crossrole.endpoint(), "--data-dir", crossrole.dataDir.toString(),
                "--task", taskArn);
        assertEquals(0, logs.exit(), logs.toString());
        assertEquals(log, logs.stdout());
        // --follow returns at once for a stopped task.
        Run followed = CrossroleCommand.run(crossrole.dataDir, "logs", "--endpoint", crossrole.endpoint(), "--data-dir", crossrole.dataDir.toString(),
                "--task", taskId, "--container", "probe", "--follow");
        assertEquals(0, followed.exit(), followed.toString());
        assertEquals(log, followed.stdout());
        // --cluster is checked: another cluster's name prints nothing of the task.
        Run elsewhere = CrossroleCommand.run(crossrole.dataDir, "logs", "--endpoint", crossrole.endpoint(), "--data-dir", crossrole.dataDir.toString(),
                "--task", taskId, "--cluster", "no-such-cluster");
        assertEquals(2, elsewhere.exit(), elsewhere.toString());
        assertEquals("", elsewhere.stdout());
        assertEquals("crossrole: task " + taskId + " is not in cluster no-such-cluster", elsewhere.stderr().strip());
    }
}
