package dev.crossrole.it;

import static dev.crossrole.it.Docs.doc;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.sessionArn;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AccessDeniedException;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.Cluster;
import software.amazon.awssdk.services.ecs.model.ClusterContainsTasksException;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * ECS's API with the AWS SDK for Java v2 against crossrole: clusters, task definitions, tasks run as
 * local processes, the container credentials and metadata endpoints, ExecuteCommand, and
 * {@code iam:PassRole} with {@code iam:PassedToService}. One crossrole for the class (one more for the
 * shutdown test); every test uses its own names.
 */
class EcsApiSdkTest {
    static final String A = SOURCE;
    static final String B = DESTINATION;
    static final String REGION = "us-east-1";
    static final String TASK_ROLE_NAME = "api-task-role";
    static final String TASK_ROLE = roleArn(A, TASK_ROLE_NAME);
    static final String ECS_TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
            + "{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    static TestCrossrole crossrole;
    static EcsClient ecs;
    static EcsClient destinationEcs;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        crossrole.role(A, TASK_ROLE_NAME, ECS_TRUST);
        ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(A));
        destinationEcs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(B));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ecs != null) {
            ecs.close();
            destinationEcs.close();
        }
        if (crossrole != null) {
            crossrole.close();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    static ContainerDefinition.Builder container(String name, String... command) {
        ContainerDefinition.Builder c = ContainerDefinition.builder().name(name).image("local/" + name).memory(128);
        return command.length == 0 ? c : c.command(command);
    }

    static TaskDefinition register(String family, ContainerDefinition.Builder... containers) {
        return register(family, null, containers);
    }

    static TaskDefinition register(String family, String taskRole, ContainerDefinition.Builder... containers) {
        List<ContainerDefinition> defs = new ArrayList<>();
        for (ContainerDefinition.Builder c : containers) {
            defs.add(c.build());
        }
        return ecs.registerTaskDefinition(r -> r.family(family).taskRoleArn(taskRole).containerDefinitions(defs))
                .taskDefinition();
    }

    static Task run(Consumer<RunTaskRequest.Builder> request) {
        RunTaskResponse response = ecs.runTask(request);
        assertEquals(List.of(), response.failures(), response.toString());
        assertEquals(1, response.tasks().size(), response.toString());
        Task task = response.tasks().get(0);
        return task;
    }

    static Task stopAndWait(String cluster, String taskArn) throws InterruptedException {
        ecs.stopTask(r -> r.cluster(cluster).task(taskArn));
        return EcsSdk.awaitStopped(ecs, cluster, taskArn);
    }

    static Task awaitRunning(String cluster, String taskArn) throws InterruptedException {
        return EcsSdk.await(ecs, cluster, taskArn, Duration.ofSeconds(30), "RUNNING", t -> "RUNNING".equals(t.lastStatus()));
    }

    static void assertError(Class<? extends EcsException> type, String code, String message, Executable call) {
        EcsException e = assertThrows(type, call);
        assertAll(
                () -> assertEquals(code, e.awsErrorDetails().errorCode(), "error code"),
                () -> {
                    if (message != null) {
                        assertEquals(message, e.awsErrorDetails().errorMessage(), "error message");
                    }
                },
                () -> assertEquals(400, e.statusCode(), "HTTP status"),
                () -> assertNotNull(e.requestId(), "request id"));
    }

    static JsonNode adminTask(String taskArn) throws Exception {
        HttpResponse<String> r = crossrole.adminGet("/_crossrole/tasks/" + EcsSdk.id(taskArn));
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    static String logOf(String taskArn, String container) throws Exception {
        HttpResponse<String> r = crossrole.adminGet("/_crossrole/tasks/" + EcsSdk.id(taskArn) + "/logs?container=" + container);
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** The credentials token a container printed as its first line ({@code token=...}), waited for. */
    static String printedToken(String taskArn, String container) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        String log = logOf(taskArn, container);
        while (!log.contains("\n") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            log = logOf(taskArn, container);
        }
        String first = log.lines().findFirst().orElseThrow(() -> new AssertionError("the container printed nothing"));
        assertTrue(first.startsWith("token="), first);
        return first.substring("token=".length());
    }

    static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String taskArnPattern(String account, String cluster) {
        return Pattern.quote("arn:aws:ecs:" + REGION + ":" + account + ":task/" + cluster + "/") + "[0-9a-f]{32}";
    }

    // ---- clusters -----------------------------------------------------------------------------------

    @Test
    void defaultClusterIsCreatedOnFirstUse() {
        // The destination account has never used ECS in this class: listing its tasks needs the default cluster.
        assertEquals(List.of(), destinationEcs.listTasks(r -> { }).taskArns());
        var described = destinationEcs.describeClusters(r -> { });
        assertEquals(List.of(), described.failures(), described.toString());
        Cluster cluster = described.clusters().get(0);
        assertEquals("arn:aws:ecs:" + REGION + ":" + B + ":cluster/default", cluster.clusterArn());
        assertEquals("default", cluster.clusterName());
        assertEquals("ACTIVE", cluster.status());
        assertTrue(destinationEcs.listClusters().clusterArns().contains(cluster.clusterArn()));
    }

    @Test
    void createClusterIsIdempotent() {
        Cluster first = ecs.createCluster(r -> r.clusterName("api-idempotent")).cluster();
        Cluster second = ecs.createCluster(r -> r.clusterName("api-idempotent")).cluster();
        assertEquals("arn:aws:ecs:" + REGION + ":" + A + ":cluster/api-idempotent", first.clusterArn());
        assertEquals(first.clusterArn(), second.clusterArn());
        assertEquals("api-idempotent", second.clusterName());
        assertEquals("ACTIVE", second.status());
        assertEquals(1, ecs.listClusters().clusterArns().stream().filter(first.clusterArn()::equals).count());
    }

    @Test
    void describeClustersReportsMissingClustersAsFailures() {
        ecs.createCluster(r -> r.clusterName("api-described"));
        var described = ecs.describeClusters(r -> r.clusters("api-described",
                "arn:aws:ecs:" + REGION + ":" + A + ":cluster/api-no-such-cluster"));
        assertEquals(1, described.clusters().size(), described.toString());
        assertEquals("arn:aws:ecs:" + REGION + ":" + A + ":cluster/api-described", described.clusters().get(0).clusterArn());
        assertEquals(1, described.failures().size(), described.toString());
        assertEquals("arn:aws:ecs:" + REGION + ":" + A + ":cluster/api-no-such-cluster", described.failures().get(0).arn());
        assertEquals("MISSING", described.failures().get(0).reason());
    }

    @Test
    void deleteClusterRefusesWhileATaskRunsAndAfterwardsTheClusterIsGone() throws Exception {
        String cluster = "api-deletable";
        ecs.createCluster(r -> r.clusterName(cluster));
        register("api-deletable-idle", container("app"));
        Task task = run(r -> r.cluster(cluster).taskDefinition("api-deletable-idle"));
        assertTrue(task.taskArn().matches(taskArnPattern(A, cluster)), task.taskArn());

        assertError(ClusterContainsTasksException.class, "ClusterContainsTasksException", null,
                () -> ecs.deleteCluster(r -> r.cluster(cluster)));

        stopAndWait(cluster, task.taskArn());
        Cluster deleted = ecs.deleteCluster(r -> r.cluster(cluster)).cluster();
        assertEquals("INACTIVE", deleted.status());
        assertEquals("arn:aws:ecs:" + REGION + ":" + A + ":cluster/" + cluster, deleted.clusterArn());
        assertFalse(ecs.listClusters().clusterArns().contains(deleted.clusterArn()));

        assertError(ClusterNotFoundException.class, "ClusterNotFoundException", "Cluster not found.",
                () -> ecs.listTasks(r -> r.cluster(cluster)));
        assertError(ClusterNotFoundException.class, "ClusterNotFoundException", "Cluster not found.",
                () -> ecs.runTask(r -> r.cluster(cluster).taskDefinition("api-deletable-idle")));
        assertError(ClusterNotFoundException.class, "ClusterNotFoundException", "Cluster not found.",
                () -> ecs.deleteCluster(r -> r.cluster(cluster)));
        assertError(ClusterNotFoundException.class, "ClusterNotFoundException", "Cluster not found.",
                () -> ecs.describeTasks(r -> r.cluster("api-never-created").tasks("0123456789abcdef0123456789abcdef")));
        assertError(ClusterNotFoundException.class, "ClusterNotFoundException", "Cluster not found.",
                () -> ecs.stopTask(r -> r.cluster("api-never-created").task("0123456789abcdef0123456789abcdef")));
    }

    // ---- task definitions --------------------------------------------------------------------------

    @Test
    void revisionsReferencesAndDeregistration() {
        String family = "api-revisions";
        for (int i = 1; i <= 3; i++) {
            int n = i;
            TaskDefinition def = register(family, container("app").environment(KeyValuePair.builder().name("N")
                    .value(String.valueOf(n)).build()));
            assertEquals(n, def.revision());
            assertEquals("arn:aws:ecs:" + REGION + ":" + A + ":task-definition/" + family + ":" + n, def.taskDefinitionArn());
            assertEquals(TaskDefinitionStatus.ACTIVE, def.status());
        }
        assertEquals(3, ecs.describeTaskDefinition(r -> r.taskDefinition(family)).taskDefinition().revision());
        assertEquals(1, ecs.describeTaskDefinition(r -> r.taskDefinition(family + ":1")).taskDefinition().revision());
        String arn2 = "arn:aws:ecs:" + REGION + ":" + A + ":task-definition/" + family + ":2";
        TaskDefinition two = ecs.describeTaskDefinition(r -> r.taskDefinition(arn2)).taskDefinition();
        assertEquals(2, two.revision());
        assertEquals("2", two.containerDefinitions().get(0).environment().get(0).value());

        TaskDefinition deregistered = ecs.deregisterTaskDefinition(r -> r.taskDefinition(family + ":3")).taskDefinition();
        assertEquals(TaskDefinitionStatus.INACTIVE, deregistered.status());
        assertEquals(3, deregistered.revision());
        // The family now means its latest ACTIVE revision; the INACTIVE one stays describable by number.
        assertEquals(2, ecs.describeTaskDefinition(r -> r.taskDefinition(family)).taskDefinition().revision());
        assertEquals(TaskDefinitionStatus.INACTIVE,
                ecs.describeTaskDefinition(r -> r.taskDefinition(family + ":3")).taskDefinition().status());
        // Revision numbers are never reused.
        assertEquals(4, register(family, container("app")).revision());

        String prefix = "arn:aws:ecs:" + REGION + ":" + A + ":task-definition/" + family + ":";
        assertEquals(List.of(prefix + 1, prefix + 2, prefix + 4),
                ecs.listTaskDefinitions(r -> r.familyPrefix(family)).taskDefinitionArns());
        assertEquals(List.of(prefix + 3),
                ecs.listTaskDefinitions(r -> r.familyPrefix(family).status(TaskDefinitionStatus.INACTIVE)).taskDefinitionArns());
        assertTrue(ecs.listTaskDefinitionFamilies(r -> r.familyPrefix("api-rev")).families().contains(family));

        assertError(ClientException.class, "ClientException", "TaskDefinition is inactive",
                () -> ecs.runTask(r -> r.taskDefinition(family + ":3")));
    }

    @Test
    void describingAnUnknownTaskDefinitionIsAClientException() {
        assertError(ClientException.class, "ClientException", "Unable to describe task definition.",
                () -> ecs.describeTaskDefinition(r -> r.taskDefinition("api-never-registered")));
        register("api-one-revision", container("app"));
        assertError(ClientException.class, "ClientException", "Unable to describe task definition.",
                () -> ecs.describeTaskDefinition(r -> r.taskDefinition("api-one-revision:99")));
    }

    @Test
    void inputOutsideTheModelsConstraintsIsAnInvalidParameterExceptionAndChangesNothing() {
        assertError(InvalidParameterException.class, "InvalidParameterException",
                "1 validation error detected: Value null at 'cluster' failed to satisfy constraint: Member must not be null",
                () -> ecs.deleteCluster(r -> { }));
        assertError(InvalidParameterException.class, "InvalidParameterException",
                "1 validation error detected: Value 'NOPE' at 'desiredStatus' failed to satisfy constraint: Member must"
                        + " satisfy enum value set: [RUNNING, PENDING, STOPPED]",
                () -> ecs.listTasks(r -> r.desiredStatus("NOPE")));
        String longKey = "k".repeat(129);
        assertError(InvalidParameterException.class, "InvalidParameterException",
                "1 validation error detected: Value '" + longKey + "' at 'tags.1.member.key' failed to satisfy"
                        + " constraint: Member must have length less than or equal to 128",
                () -> ecs.createCluster(r -> r.clusterName("api-long-tag").tags(Tag.builder().key(longKey).value("v")
                        .build())));
        assertFalse(ecs.listClusters().clusterArns().contains("arn:aws:ecs:" + REGION + ":" + A + ":cluster/api-long-tag"),
                "nothing was created");
        assertError(InvalidParameterException.class, "InvalidParameterException",
                "2 validation errors detected: Value null at 'family' failed to satisfy constraint: Member must not be"
                        + " null; Value null at 'containerDefinitions' failed to satisfy constraint: Member must not be null",
                () -> ecs.registerTaskDefinition(r -> { }));
    }

    @Test
    void taskDefinitionValidation() {
        assertError(ClientException.class, "ClientException", "Container list cannot be empty.",
                () -> ecs.registerTaskDefinition(r -> r.family("api-invalid").containerDefinitions(List.of())));
        assertError(ClientException.class, "ClientException",
                "Invalid setting for container 'app'. At least one of 'memory' or 'memoryReservation' must be specified.",
                () -> ecs.registerTaskDefinition(r -> r.family("api-invalid").containerDefinitions(
                        ContainerDefinition.builder().name("app").image("local/app").build())));
        assertError(ClientException.class, "ClientException",
                "No Fargate configuration exists for given values: 1024 CPU, 1024 memory. See the Amazon ECS documentation"
                        + " for the valid values.",
                () -> ecs.registerTaskDefinition(r -> r.family("api-invalid").requiresCompatibilities(Compatibility.FARGATE)
                        .networkMode(NetworkMode.AWSVPC).cpu("1024").memory("1024")
                        .containerDefinitions(ContainerDefinition.builder().name("app").image("local/app").build())));
        assertError(ClientException.class, "ClientException", "Fargate only supports network mode \u2018awsvpc\u2019.",
                () -> ecs.registerTaskDefinition(r -> r.family("api-invalid").requiresCompatibilities(Compatibility.FARGATE)
                        .networkMode(NetworkMode.BRIDGE).cpu("256").memory("512")
                        .containerDefinitions(ContainerDefinition.builder().name("app").image("local/app").build())));
        assertError(ClientException.class, "ClientException", "Unable to describe task definition.",
                () -> ecs.describeTaskDefinition(r -> r.taskDefinition("api-invalid")));
    }

    // ---- tasks ----------------------------------------------------------------------------------------

    @Test
    void runTaskWithCountTwo() throws Exception {
        register("api-count", container("app"));
        RunTaskResponse response = ecs.runTask(r -> r.taskDefinition("api-count").count(2).startedBy("api-count-two"));
        assertEquals(List.of(), response.failures());
        assertEquals(2, response.tasks().size(), response.toString());
        Set<String> arns = new HashSet<>();
        for (Task t : response.tasks()) {
            assertTrue(t.taskArn().matches(taskArnPattern(A, "default")), t.taskArn());
            arns.add(t.taskArn());
            assertEquals("arn:aws:ecs:" + REGION + ":" + A + ":cluster/default", t.clusterArn());
            assertEquals("arn:aws:ecs:" + REGION + ":" + A + ":task-definition/api-count:1", t.taskDefinitionArn());
            assertEquals("api-count-two", t.startedBy());
            assertEquals("family:api-count", t.group());
            assertEquals("RUNNING", t.desiredStatus());
            assertEquals("EC2", t.launchTypeAsString());
            assertEquals("app", t.containers().get(0).name());
        }
        assertEquals(2, arns.size(), "two distinct tasks");
        assertEquals(arns, new HashSet<>(ecs.listTasks(r -> r.startedBy("api-count-two")).taskArns()));
        for (String arn : arns) {
            stopAndWait(null, arn);
        }
    }

    @Test
    void groupAndTagsOfATask() throws Exception {
        register("api-tagged", container("app"));
        Task task = run(r -> r.taskDefinition("api-tagged").group("api-custom-group")
                .tags(software.amazon.awssdk.services.ecs.model.Tag.builder().key("team").value("payments").build()));
        assertEquals("api-custom-group", task.group());
        var withTags = ecs.describeTasks(r -> r.tasks(task.taskArn())
                .include(software.amazon.awssdk.services.ecs.model.TaskField.TAGS)).tasks().get(0);
        assertEquals(List.of(software.amazon.awssdk.services.ecs.model.Tag.builder().key("team").value("payments").build()),
                withTags.tags(), withTags.toString());
        var withoutTags = EcsSdk.describe(ecs, null, task.taskArn());
        assertTrue(withoutTags.tags().isEmpty(), "tags only with include TAGS: " + withoutTags);
        assertEquals("api-custom-group", withoutTags.group());
        stopAndWait(null, task.taskArn());
    }

    @Test
    void containerOverridesReachTheProcess() throws Exception {
        register("api-overrides", container("app", "sh", "-c", "echo definition FOO=$FOO")
                .environment(KeyValuePair.builder().name("FOO").value("from-definition").build()));
        Task task = run(r -> r.taskDefinition("api-overrides").overrides(o -> o.containerOverrides(ContainerOverride.builder()
                .name("app").command("sh", "-c", "echo FOO=$FOO BAR=$BAR")
                .environment(KeyValuePair.builder().name("FOO").value("from-override").build(),
                        KeyValuePair.builder().name("BAR").value("added").build())
                .build())));
        Task stopped = EcsSdk.awaitStopped(ecs, null, task.taskArn());
        assertEquals(0, stopped.containers().get(0).exitCode(), stopped.toString());
        assertEquals("FOO=from-override BAR=added\n", logOf(task.taskArn(), "app"));
    }

    @Test
    void runTaskEchoesTheContainerOverrides() throws Exception {
        register("api-overrides-echo", container("app"));
        ContainerOverride override = ContainerOverride.builder().name("app").command("sleep", "30")
                .environment(KeyValuePair.builder().name("MODE").value("echo").build()).build();
        Task task = run(r -> r.taskDefinition("api-overrides-echo").overrides(o -> o.containerOverrides(override)));
        try {
            assertEquals(List.of(override), task.overrides().containerOverrides(), task.toString());
            Task described = EcsSdk.describe(ecs, null, task.taskArn());
            assertEquals(List.of(override), described.overrides().containerOverrides(), described.toString());
        } finally {
            stopAndWait(null, task.taskArn());
        }
    }

    @Test
    void listTasksFiltersByStartedByAndDesiredStatus() throws Exception {
        register("api-list", container("app"));
        Task alice = run(r -> r.taskDefinition("api-list").startedBy("api-alice"));
        Task bob = run(r -> r.taskDefinition("api-list").startedBy("api-bob"));
        assertEquals(List.of(alice.taskArn()), ecs.listTasks(r -> r.startedBy("api-alice")).taskArns());
        assertEquals(List.of(bob.taskArn()), ecs.listTasks(r -> r.startedBy("api-bob")).taskArns());

        stopAndWait(null, alice.taskArn());
        // ListTasks filters by desired status, RUNNING unless asked otherwise.
        List<String> running = ecs.listTasks(r -> r.family("api-list")).taskArns();
        assertEquals(List.of(bob.taskArn()), running);
        List<String> stopped = ecs.listTasks(r -> r.family("api-list").desiredStatus(DesiredStatus.STOPPED)).taskArns();
        assertEquals(List.of(alice.taskArn()), stopped);
        stopAndWait(null, bob.taskArn());
        assertEquals(List.of(), ecs.listTasks(r -> r.family("api-list")).taskArns());
    }

    @Test
    void essentialContainerExitStopsTheTaskWithItsExitCode() throws Exception {
        register("api-exit-3", container("app", "sh", "-c", "exit 3"));
        Task task = run(r -> r.taskDefinition("api-exit-3"));
        Task stopped = EcsSdk.awaitStopped(ecs, null, task.taskArn());
        assertEquals("STOPPED", stopped.desiredStatus());
        assertEquals("EssentialContainerExited", stopped.stopCodeAsString());
        assertEquals("Essential container in task exited", stopped.stoppedReason());
        assertEquals(3, stopped.containers().get(0).exitCode(), stopped.toString());
        assertEquals("STOPPED", stopped.containers().get(0).lastStatus());
        assertNotNull(stopped.stoppedAt());
        assertNotNull(stopped.stoppingAt());
    }

    @Test
    void nonEssentialContainerExitDoesNotStopTheTask() throws Exception {
        register("api-sidecar", container("main"), container("sidecar", "sh", "-c", "exit 5").essential(false));
        Task task = run(r -> r.taskDefinition("api-sidecar"));
        Task after = EcsSdk.await(ecs, null, task.taskArn(), Duration.ofSeconds(30), "the sidecar to exit",
                t -> t.containers().stream().anyMatch(c -> c.name().equals("sidecar") && "STOPPED".equals(c.lastStatus())));
        var sidecar = after.containers().stream().filter(c -> c.name().equals("sidecar")).findFirst().orElseThrow();
        var main = after.containers().stream().filter(c -> c.name().equals("main")).findFirst().orElseThrow();
        assertEquals(5, sidecar.exitCode(), after.toString());
        assertEquals("RUNNING", main.lastStatus(), after.toString());
        Thread.sleep(300);
        Task later = EcsSdk.describe(ecs, null, task.taskArn());
        assertEquals("RUNNING", later.lastStatus(), later.toString());
        assertEquals("RUNNING", later.desiredStatus(), later.toString());
        assertEquals(null, later.stopCode(), later.toString());
        stopAndWait(null, task.taskArn());
    }

    @Test
    void stopTaskWithAndWithoutAReason() throws Exception {
        register("api-stop", container("app"));
        Task withReason = run(r -> r.taskDefinition("api-stop"));
        Task withoutReason = run(r -> r.taskDefinition("api-stop"));
        awaitRunning(null, withReason.taskArn());

        Task answer = ecs.stopTask(r -> r.task(withReason.taskArn()).reason("maintenance window")).task();
        assertEquals(withReason.taskArn(), answer.taskArn());
        assertEquals("STOPPED", answer.desiredStatus());
        Task stopped = EcsSdk.awaitStopped(ecs, null, withReason.taskArn());
        assertEquals("UserInitiated", stopped.stopCodeAsString());
        assertEquals("maintenance window", stopped.stoppedReason());
        assertNotNull(stopped.stoppedAt());

        // By bare id, no reason.
        ecs.stopTask(r -> r.task(EcsSdk.id(withoutReason.taskArn())));
        Task byUser = EcsSdk.awaitStopped(ecs, null, withoutReason.taskArn());
        assertEquals("UserInitiated", byUser.stopCodeAsString());
        assertEquals("Task stopped by user", byUser.stoppedReason());
    }

    @Test
    void stopTimeoutEndsATermIgnoringContainerWithSigkill() throws Exception {
        register("api-stubborn", container("app", "sh", "-c", "trap '' TERM; echo ready; sleep 60").stopTimeout(2));
        Task task = run(r -> r.taskDefinition("api-stubborn"));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!logOf(task.taskArn(), "app").contains("ready") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(logOf(task.taskArn(), "app").contains("ready"), "the container started and ignores SIGTERM");

        long stoppedAtNanos = System.nanoTime();
        ecs.stopTask(r -> r.task(task.taskArn()));
        Thread.sleep(1000);
        Task stopping = EcsSdk.describe(ecs, null, task.taskArn());
        assertNotEquals("STOPPED", stopping.lastStatus(), "SIGTERM is ignored; SIGKILL comes after stopTimeout (2 s): "
                + stopping);
        Task stopped = EcsSdk.awaitStopped(ecs, null, task.taskArn());
        double seconds = (System.nanoTime() - stoppedAtNanos) / 1e9;
        assertTrue(seconds >= 1.8 && seconds < 15, "stopped after " + seconds + " s");
        assertEquals(137, stopped.containers().get(0).exitCode(), "killed by SIGKILL: " + stopped);
        assertEquals("UserInitiated", stopped.stopCodeAsString());
    }

    @Test
    void describeTasksReportsUnknownTasksAsMissing() throws Exception {
        register("api-describe", container("app"));
        Task task = run(r -> r.taskDefinition("api-describe"));
        String unknown = "0123456789abcdef0123456789abcdef";
        var described = ecs.describeTasks(r -> r.tasks(task.taskArn(), unknown));
        assertEquals(1, described.tasks().size(), described.toString());
        assertEquals(task.taskArn(), described.tasks().get(0).taskArn());
        assertEquals(1, described.failures().size(), described.toString());
        assertEquals("MISSING", described.failures().get(0).reason());
        assertTrue(described.failures().get(0).arn().endsWith(unknown), described.toString());
        // By bare id, too.
        assertEquals(task.taskArn(), ecs.describeTasks(r -> r.tasks(EcsSdk.id(task.taskArn()))).tasks().get(0).taskArn());
        stopAndWait(null, task.taskArn());
    }

    @Test
    void versionIncreasesWithEveryStateChange() throws Exception {
        register("api-version", container("app"));
        Task created = run(r -> r.taskDefinition("api-version"));
        Task running = awaitRunning(null, created.taskArn());
        assertTrue(running.version() > created.version(), created.version() + " then " + running.version());
        Task stopped = stopAndWait(null, created.taskArn());
        assertTrue(stopped.version() > running.version(), running.version() + " then " + stopped.version());
        assertNotNull(running.startedAt());
        assertNotNull(running.createdAt());
    }

    // ---- the container endpoints -------------------------------------------------------------------

    @Test
    void credentialsEndpointServesTheTaskRole() throws Exception {
        // The token is the container's alone: the admin API shows its name, never its value.
        register("api-credentials", TASK_ROLE, container("app", "sh", "-c",
                "echo \"token=$AWS_CONTAINER_AUTHORIZATION_TOKEN\"; exec sleep 60"));
        Task task = run(r -> r.taskDefinition("api-credentials"));
        JsonNode admin = adminTask(task.taskArn());
        JsonNode env = admin.path("containers").get(0).path("environment");
        String uri = env.path("AWS_CONTAINER_CREDENTIALS_FULL_URI").asText();
        assertEquals("<redacted>", env.path("AWS_CONTAINER_AUTHORIZATION_TOKEN").asText(), env.toString());
        String token = printedToken(task.taskArn(), "app");
        assertTrue(uri.startsWith(crossrole.endpoint() + "/v2/credentials/"), env.toString());
        assertTrue(token.matches("[0-9a-f]{48}"), token);
        assertFalse(adminTask(task.taskArn()).toString().contains(token), "no admin response carries the token");
        assertEquals(REGION, env.path("AWS_REGION").asText());
        assertEquals(REGION, env.path("AWS_DEFAULT_REGION").asText());
        assertEquals(crossrole.endpoint(), env.path("AWS_ENDPOINT_URL").asText());
        assertEquals("AWS_ECS_EC2", env.path("AWS_EXECUTION_ENV").asText());
        assertEquals(admin.path("workingDirectory").asText(), env.path("HOME").asText());
        assertTrue(env.path("ECS_CONTAINER_METADATA_URI_V4").asText().startsWith(crossrole.endpoint() + "/v4/"), env.toString());

        assertEquals(401, get(uri, null).statusCode(), "no Authorization header");
        assertEquals(403, get(uri, "not-the-token").statusCode(), "wrong token");
        HttpResponse<String> ok = get(uri, token);
        assertEquals(200, ok.statusCode(), ok.body());
        JsonNode c = JSON.readTree(ok.body());
        assertEquals(TASK_ROLE, c.path("RoleArn").asText(), c.toString());
        assertTrue(c.path("AccessKeyId").asText().startsWith("ASIA"), c.toString());
        assertEquals(40, c.path("SecretAccessKey").asText().length(), c.toString());
        assertFalse(c.path("Token").asText().isEmpty(), c.toString());
        assertTrue(c.path("Expiration").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), c.toString());
        assertEquals(A, c.path("AccountId").asText(), c.toString());

        GetCallerIdentityResponse me = crossrole.sts(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                c.path("AccessKeyId").asText(), c.path("SecretAccessKey").asText(), c.path("Token").asText())))
                .getCallerIdentity();
        assertEquals(sessionArn(A, TASK_ROLE_NAME, EcsSdk.id(task.taskArn())), me.arn());
        assertEquals(A, me.account());
        stopAndWait(null, task.taskArn());
    }

    @Test
    void taskMetadataV4() throws Exception {
        register("api-metadata", container("app"));
        Task task = run(r -> r.taskDefinition("api-metadata"));
        awaitRunning(null, task.taskArn());
        String uri = adminTask(task.taskArn()).path("containers").get(0).path("environment")
                .path("ECS_CONTAINER_METADATA_URI_V4").asText();

        HttpResponse<String> taskResponse = get(uri + "/task", null);
        assertEquals(200, taskResponse.statusCode(), taskResponse.body());
        JsonNode meta = JSON.readTree(taskResponse.body());
        String cluster = meta.path("Cluster").asText();
        // Documented as "the ARN or short name of the cluster".
        assertTrue(cluster.equals("default") || cluster.equals("arn:aws:ecs:" + REGION + ":" + A + ":cluster/default"),
                meta.toString());
        assertEquals(task.taskArn(), meta.path("TaskARN").asText(), meta.toString());
        assertEquals("api-metadata", meta.path("Family").asText(), meta.toString());
        assertEquals("1", meta.path("Revision").asText(), meta.toString());
        assertTrue(meta.path("Revision").isTextual(), "Revision is a string: " + meta);
        assertEquals("RUNNING", meta.path("DesiredStatus").asText(), meta.toString());
        assertEquals("RUNNING", meta.path("KnownStatus").asText(), meta.toString());
        assertEquals(1, meta.path("Containers").size(), meta.toString());
        assertEquals("app", meta.path("Containers").get(0).path("Name").asText(), meta.toString());

        HttpResponse<String> containerResponse = get(uri, null);
        assertEquals(200, containerResponse.statusCode(), containerResponse.body());
        JsonNode self = JSON.readTree(containerResponse.body());
        assertEquals("app", self.path("Name").asText(), self.toString());
        assertEquals("local/app", self.path("Image").asText(), self.toString());
        assertEquals(task.taskArn(), self.path("Labels").path("com.amazonaws.ecs.task-arn").asText(), self.toString());
        assertEquals("NORMAL", self.path("Type").asText(), self.toString());
        stopAndWait(null, task.taskArn());
    }

    @Test
    void executeCommandPointsAtCrossroleExec() throws Exception {
        register("api-exec", container("app"));
        Task task = run(r -> r.taskDefinition("api-exec").enableExecuteCommand(true));
        awaitRunning(null, task.taskArn());
        EcsException e = assertThrows(EcsException.class, () -> ecs.executeCommand(r -> r.task(task.taskArn())
                .container("app").command("/bin/sh").interactive(true)));
        assertEquals(400, e.statusCode());
        assertTrue(e.awsErrorDetails().errorMessage().contains("crossrole exec"), e.awsErrorDetails().errorMessage());
        stopAndWait(null, task.taskArn());
    }

    // ---- who may run what --------------------------------------------------------------------------

    @Test
    void passRoleMustBeAllowedForEcsTasks() throws Exception {
        register("api-passrole", TASK_ROLE, container("app"));
        String ecsStatement = "{\"Effect\":\"Allow\",\"Action\":\"ecs:*\",\"Resource\":\"*\"}";
        String passTo = "{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"" + TASK_ROLE + "\","
                + "\"Condition\":{\"StringEquals\":{\"iam:PassedToService\":\"%s\"}}}";
        var toEcs = crossrole.user(A, "api-passer-ecs", Map.of("p", doc(ecsStatement,
                String.format(passTo, "ecs-tasks.amazonaws.com"))));
        var toEc2 = crossrole.user(A, "api-passer-ec2", Map.of("p", doc(ecsStatement,
                String.format(passTo, "ec2.amazonaws.com"))));

        try (EcsClient asEcs = EcsSdk.ecs(crossrole, TestCrossrole.credentials(toEcs));
             EcsClient asEc2 = EcsSdk.ecs(crossrole, TestCrossrole.credentials(toEc2))) {
            RunTaskResponse allowed = asEcs.runTask(r -> r.taskDefinition("api-passrole"));
            assertEquals(1, allowed.tasks().size(), allowed.toString());
            assertEquals(2, asEcs.registerTaskDefinition(r -> r.family("api-passrole").taskRoleArn(TASK_ROLE)
                    .containerDefinitions(container("app").build())).taskDefinition().revision());

            String denied = "User: " + userArn(A, "api-passer-ec2") + " is not authorized to perform: iam:PassRole on"
                    + " resource: " + TASK_ROLE + " because no identity-based policy allows the iam:PassRole action";
            assertError(AccessDeniedException.class, "AccessDeniedException", denied,
                    () -> asEc2.runTask(r -> r.taskDefinition("api-passrole")));
            assertError(AccessDeniedException.class, "AccessDeniedException", denied,
                    () -> asEc2.registerTaskDefinition(r -> r.family("api-passrole").taskRoleArn(TASK_ROLE)
                            .containerDefinitions(container("app").build())));
            // A task definition without a role needs no PassRole.
            register("api-passrole-none", container("app"));
            RunTaskResponse noRole = asEc2.runTask(r -> r.taskDefinition("api-passrole-none"));
            stopAndWait(null, noRole.tasks().get(0).taskArn());
            stopAndWait(null, allowed.tasks().get(0).taskArn());
        }
    }

    @Test
    void aRoleOfAnotherAccountCannotBePassed() {
        // Even an administrator cannot hand ECS a role that lives in another account.
        crossrole.role(B, "foreign-task-role", ECS_TRUST);
        String foreign = "arn:aws:iam::" + B + ":role/foreign-task-role";
        assertError(AccessDeniedException.class, "AccessDeniedException", "User: " + userArn(A, "admin")
                + " is not authorized to perform: iam:PassRole on resource: " + foreign
                + " because no resource-based policy allows the iam:PassRole action",
                () -> ecs.registerTaskDefinition(r -> r.family("api-foreign-role").taskRoleArn(foreign)
                        .containerDefinitions(container("app").build())));
    }

    @Test
    void taskRoleTrustConditionsSeeTheTaskAccountAndArn() throws Exception {
        String confused = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                + "{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{"
                + "\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:ecs:" + REGION + ":%s:*\"},"
                + "\"StringEquals\":{\"aws:SourceAccount\":\"%s\"}}}]}";
        crossrole.role(A, "api-guarded-role", String.format(confused, A, A));
        crossrole.role(A, "api-other-account-role", String.format(confused, B, B));
        register("api-guarded", roleArn(A, "api-guarded-role"), container("app"));
        register("api-other-account", roleArn(A, "api-other-account-role"), container("app"));

        Task task = run(r -> r.taskDefinition("api-guarded"));
        stopAndWait(null, task.taskArn());
        assertError(ClientException.class, "ClientException", "ECS was unable to assume the role '"
                        + roleArn(A, "api-other-account-role") + "' that was provided for this task. Please verify that the"
                        + " role being passed has the proper trust relationship and permissions and that your IAM user has"
                        + " permissions to pass this role.",
                () -> ecs.runTask(r -> r.taskDefinition("api-other-account")));
    }

    // ---- shutdown --------------------------------------------------------------------------------------

    @Test
    void closingCrossroleStopsEveryTask() throws Exception {
        TestCrossrole own = new TestCrossrole();
        List<Long> pids = new ArrayList<>();
        try (EcsClient client = EcsSdk.ecs(own, own.adminCredentials(A))) {
            client.registerTaskDefinition(r -> r.family("sleeper").containerDefinitions(
                    container("app", "sleep", "60").build(), container("idle").essential(false).build()));
            for (int i = 0; i < 2; i++) {
                Task task = client.runTask(r -> r.taskDefinition("sleeper")).tasks().get(0);
                Task running = EcsSdk.await(client, null, task.taskArn(), Duration.ofSeconds(30), "RUNNING",
                        t -> "RUNNING".equals(t.lastStatus()));
                pids.add(Long.parseLong(running.containers().stream().filter(c -> c.name().equals("app")).findFirst()
                        .orElseThrow().runtimeId()));
            }
            for (long pid : pids) {
                assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "task process " + pid + " runs");
            }
        } finally {
            own.close();
        }
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "task process " + pid + " outlived crossrole");
        }
        assertEquals(2, own.server.tasks().all().size());
        own.server.tasks().all().forEach(t -> assertEquals("STOPPED", t.lastStatus(), "task " + t.id()));
    }
}
