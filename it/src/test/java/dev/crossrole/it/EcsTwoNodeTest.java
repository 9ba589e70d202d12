package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClusterContainsTasksException;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * ECS tasks on two crossrole nodes sharing one PostgreSQL: each node sees the other's tasks and their state
 * changes, a stop asked through either node stops the process on the node running it (even while that node
 * gets no requests), and a starting node stops only the tasks it ran itself.
 */
class EcsTwoNodeTest {
    private static final String ACCOUNT = "111122223333";
    private static final String ECS_TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
            + "{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private SharedPostgres.Database database;

    @TempDir
    Path dir;
    private String store;
    private final List<CrossroleServer> nodes = new ArrayList<>();

    @BeforeEach
    void newDatabase() throws Exception {
        database = SharedPostgres.newDatabase("crossrole_ecs_nodes");
        store = database.store();
    }

    @AfterEach
    void stopNodes() throws Exception {
        nodes.forEach(CrossroleServer::close);
        database.close();
    }

    private CrossroleServer node(Path dataDir) throws Exception {
        CrossroleServer node = CrossroleServer.start(CrossroleServer.Options.defaults(dataDir).withPort(0).withStore(store));
        nodes.add(node);
        return node;
    }

    private static StaticCredentialsProvider admin(CrossroleServer node) {
        Bootstrap.Profile p = node.profiles().stream().filter(q -> q.account().id().equals(ACCOUNT)).findFirst().orElseThrow();
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(), p.secretAccessKey()));
    }

    private static EcsClient ecs(CrossroleServer node) {
        return EcsClient.builder().endpointOverride(URI.create(node.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(admin(node)).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private static void register(EcsClient ecs, String family, String taskRole, String... command) {
        ecs.registerTaskDefinition(r -> r.family(family).taskRoleArn(taskRole).containerDefinitions(ContainerDefinition.builder()
                .name("app").image("local/app").memory(64).command(command).build()));
    }

    private static long pid(Task task) {
        return Long.parseLong(task.containers().get(0).runtimeId());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void awaitDead(long pid, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (alive(pid) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(alive(pid), what);
    }

    private static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The credentials token the task's container printed as its first line ({@code token=...}), waited for. */
    private static String printedToken(String logsUrl, String adminToken) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        String log = get(logsUrl, adminToken).body();
        while (!log.contains("\n") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            log = get(logsUrl, adminToken).body();
        }
        assertTrue(log.startsWith("token="), log);
        return log.lines().findFirst().orElseThrow().substring("token=".length());
    }

    private static List<String> listTasks(EcsClient ecs, DesiredStatus status) {
        return ecs.listTasks(r -> r.desiredStatus(status)).taskArns();
    }

    @Test
    void aTaskStartedThroughOneNodeIsDescribedAndListedByTheOtherWithItsStatusChanges() throws Exception {
        CrossroleServer a = node(dir.resolve("a"));
        CrossroleServer b = node(dir.resolve("b"));
        EcsClient atA = ecs(a);
        EcsClient atB = ecs(b);
        register(atA, "sleeper", null, "sleep", "60");
        register(atA, "failing", null, "sh", "-c", "sleep 1; exit 3");

        Task running = EcsSdk.runRunning(atA, "sleeper");
        Task seenAtB = EcsSdk.describe(atB, null, running.taskArn());
        assertEquals("RUNNING", seenAtB.lastStatus());
        assertEquals("RUNNING", seenAtB.desiredStatus());
        assertEquals(running.version(), seenAtB.version());
        assertEquals(running.containers().get(0).runtimeId(), seenAtB.containers().get(0).runtimeId());
        assertEquals(running.startedAt(), seenAtB.startedAt());
        assertTrue(listTasks(atB, DesiredStatus.RUNNING).contains(running.taskArn()));
        assertThrows(ClusterContainsTasksException.class, () -> atB.deleteCluster(r -> r.cluster("default")),
                "a task running on A keeps the cluster in use at B");

        String failing = atA.runTask(r -> r.taskDefinition("failing")).tasks().get(0).taskArn();
        Task stopped = EcsSdk.awaitStopped(atB, null, failing);
        assertEquals("EssentialContainerExited", stopped.stopCodeAsString());
        assertEquals(3, stopped.containers().get(0).exitCode());
        assertEquals(EcsSdk.describe(atA, null, failing).version(), stopped.version());
        assertTrue(listTasks(atB, DesiredStatus.STOPPED).contains(failing));
        assertFalse(listTasks(atB, DesiredStatus.RUNNING).contains(failing));
        assertTrue(alive(pid(running)), "reading at B changed nothing at A");
    }

    @Test
    void stopTaskThroughTheOtherNodeStopsTheProcessOnTheNodeRunningIt() throws Exception {
        CrossroleServer a = node(dir.resolve("a"));
        CrossroleServer b = node(dir.resolve("b"));
        EcsClient atA = ecs(a);
        EcsClient atB = ecs(b);
        register(atA, "sleeper", null, "sleep", "60");
        Task running = EcsSdk.runRunning(atA, "sleeper");
        long pid = pid(running);

        Task answer = atB.stopTask(r -> r.task(running.taskArn()).reason("stopped through b")).task();
        assertEquals("STOPPED", answer.desiredStatus());
        assertEquals("RUNNING", answer.lastStatus(), "B records the wish; A stops the process");
        // No request goes to A: its background catch-up finds the wish.
        awaitDead(pid, "the process on A stopped");

        Task stopped = EcsSdk.awaitStopped(atB, null, running.taskArn());
        assertEquals("UserInitiated", stopped.stopCodeAsString());
        assertEquals("stopped through b", stopped.stoppedReason());
        assertEquals(143, stopped.containers().get(0).exitCode(), "ended by SIGTERM");
        assertTrue(stopped.version() > answer.version());
        Task atANow = EcsSdk.describe(atA, null, running.taskArn());
        assertEquals("STOPPED", atANow.lastStatus());
        assertEquals("stopped through b", atANow.stoppedReason());

        // Stopping it again through either node changes nothing; an unknown task is AWS's error.
        assertEquals(stopped.version(), atB.stopTask(r -> r.task(running.taskArn()).reason("again")).task().version());
        assertEquals("stopped through b", EcsSdk.describe(atA, null, running.taskArn()).stoppedReason());
        InvalidParameterException unknown = assertThrows(InvalidParameterException.class,
                () -> atB.stopTask(r -> r.task("0123456789abcdef0123456789abcdef")));
        assertEquals("The referenced task was not found.", unknown.awsErrorDetails().errorMessage());
        assertEquals(400, unknown.statusCode());
    }

    @Test
    void aStartingNodeStopsOnlyTheTasksItWasRunning() throws Exception {
        Path aDir = dir.resolve("a");
        CrossroleServer a = node(aDir);
        CrossroleServer b = node(dir.resolve("b"));
        register(ecs(a), "sleeper", null, "sleep", "60");
        Task atA = EcsSdk.runRunning(ecs(a), "sleeper");
        Task atB = EcsSdk.runRunning(ecs(b), "sleeper");

        // B stops cleanly and starts again: A's task runs on, B's own task is reported stopped.
        b.close();
        nodes.remove(b);
        assertTrue(alive(pid(atA)), "closing B left A's process alone");
        CrossroleServer bAgain = node(dir.resolve("b"));
        Task aTaskSeenAtB = EcsSdk.describe(ecs(bAgain), null, atA.taskArn());
        assertEquals("RUNNING", aTaskSeenAtB.lastStatus());
        assertEquals("RUNNING", aTaskSeenAtB.desiredStatus());
        Task bTask = EcsSdk.describe(ecs(bAgain), null, atB.taskArn());
        assertEquals("STOPPED", bTask.lastStatus());
        assertEquals("crossrole stopped", bTask.stoppedReason());
        assertFalse(alive(pid(atB)));
        Task bRunsAgain = EcsSdk.runRunning(ecs(bAgain), "sleeper");

        // A crashes and restarts (its data directory, with its node id, as the crash left it): the task it
        // ran is reported stopped and its surviving process killed; B's task is not touched.
        Path aCopy = dir.resolve("a-after-crash");
        try (Stream<Path> files = Files.walk(aDir)) {
            for (Path from : files.toList()) {
                Files.copy(from, aCopy.resolve(aDir.relativize(from).toString()));
            }
        }
        CrossroleServer aAgain = node(aCopy);
        awaitDead(pid(atA), "A's orphaned process is killed");
        Task orphan = EcsSdk.describe(ecs(aAgain), null, atA.taskArn());
        assertEquals("STOPPED", orphan.lastStatus());
        assertEquals("TerminationNotice", orphan.stopCodeAsString());
        assertEquals("Task stopped because crossrole stopped while the task was running", orphan.stoppedReason());
        assertEquals("STOPPED", EcsSdk.describe(ecs(bAgain), null, atA.taskArn()).lastStatus());
        assertTrue(alive(pid(bRunsAgain)), "B's process runs on");
        Task bTaskSeenAtA = EcsSdk.describe(ecs(aAgain), null, bRunsAgain.taskArn());
        assertEquals("RUNNING", bTaskSeenAtA.lastStatus());
        assertTrue(listTasks(ecs(aAgain), DesiredStatus.RUNNING).contains(bRunsAgain.taskArn()));
        assertNotEquals(Files.readString(aDir.resolve("node-id")), Files.readString(dir.resolve("b").resolve("node-id")));
    }

    @Test
    void theContainerEndpointsStayWithTheRunningNodeWhenTheRecordChangesThroughAnother() throws Exception {
        CrossroleServer a = node(dir.resolve("a"));
        CrossroleServer b = node(dir.resolve("b"));
        IamClient iam = IamClient.builder().endpointOverride(URI.create(a.endpoint())).region(Region.AWS_GLOBAL)
                .credentialsProvider(admin(a)).httpClient(UrlConnectionHttpClient.create()).build();
        String role = iam.createRole(r -> r.roleName("task-role").assumeRolePolicyDocument(ECS_TRUST)).role().arn();
        register(ecs(a), "with-role", role, "sh", "-c", "echo \"token=$AWS_CONTAINER_AUTHORIZATION_TOKEN\"; exec sleep 60");
        Task task = EcsSdk.runRunning(ecs(a), "with-role");
        String id = EcsSdk.id(task.taskArn());

        String adminToken = "Bearer " + Files.readString(a.adminTokenFile()).strip();
        assertEquals(adminToken, "Bearer " + Files.readString(b.adminTokenFile()).strip(), "one token for every node of a store");
        HttpResponse<String> adminAtB = get(b.endpoint() + "/_crossrole/tasks/" + id, adminToken);
        assertEquals(409, adminAtB.statusCode(), adminAtB.body());
        assertTrue(adminAtB.body().contains("runs on another crossrole node"), adminAtB.body());
        JsonNode env = JSON.readTree(get(a.endpoint() + "/_crossrole/tasks/" + id, adminToken).body())
                .path("containers").get(0).path("environment");
        String credentials = env.path("AWS_CONTAINER_CREDENTIALS_FULL_URI").asText();
        String token = printedToken(a.endpoint() + "/_crossrole/tasks/" + id + "/logs", adminToken);
        String metadata = env.path("ECS_CONTAINER_METADATA_URI_V4").asText();
        assertTrue(credentials.startsWith(a.endpoint() + "/"), credentials);

        ecs(b).tagResource(r -> r.resourceArn(task.taskArn()).tags(Tag.builder().key("team").value("b").build()));
        assertEquals(List.of(Tag.builder().key("team").value("b").build()),
                ecs(a).listTagsForResource(r -> r.resourceArn(task.taskArn())).tags(), "A took in the tag written through B");
        HttpResponse<String> vended = get(credentials, token);
        assertEquals(200, vended.statusCode(), vended.body());
        assertEquals(role, JSON.readTree(vended.body()).path("RoleArn").asText());
        HttpResponse<String> described = get(metadata + "/task", null);
        assertEquals(200, described.statusCode(), described.body());
        assertEquals(task.taskArn(), JSON.readTree(described.body()).path("TaskARN").asText());
        assertEquals(403, get(b.endpoint() + credentials.substring(a.endpoint().length()), token).statusCode(),
                "B does not vend credentials for a task it does not run");

        ecs(b).stopTask(r -> r.task(task.taskArn()));
        EcsSdk.awaitStopped(ecs(a), null, task.taskArn());
        assertEquals(403, get(credentials, token).statusCode(), "a stopped task gets no more credentials");
        assertEquals("STOPPED", JSON.readTree(get(metadata + "/task", null).body()).path("KnownStatus").asText());
    }
}
