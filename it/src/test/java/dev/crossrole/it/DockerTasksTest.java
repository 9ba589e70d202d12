package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Task;

/** ECS over the docker runtime: what DescribeTasks and the task metadata endpoint say of containers an engine runs. */
class DockerTasksTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestCrossrole crossrole;
    static EcsClient ecs;

    @BeforeAll
    static void start() throws Exception {
        crossrole = PodmanService.crossroleOnEngine();
        ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(SOURCE));
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

    private static String logs(String taskId, String container) throws Exception {
        HttpResponse<String> logs = crossrole.adminGet("/_crossrole/tasks/" + taskId + "/logs?container=" + container);
        assertEquals(200, logs.statusCode(), logs.body());
        return logs.body();
    }

    @Test
    void eachContainerReadsItsOwnMetadataWithTheEnginesNamesAndItsLimits() throws Exception {
        String print = "wget -qO- \"$ECS_CONTAINER_METADATA_URI_V4\"; echo; wget -qO- \"$ECS_CONTAINER_METADATA_URI_V4/stats\";"
                + " echo; echo done; exec sleep 300";
        ecs.registerTaskDefinition(r -> r.family("two-containers").cpu("512").memory("1024").containerDefinitions(
                ContainerDefinition.builder().name("first").image(DockerRuntimeTest.IMAGE).cpu(10).memory(128)
                        .linuxParameters(p -> p.initProcessEnabled(true)).command("sh", "-c", print).build(),
                ContainerDefinition.builder().name("second").image(DockerRuntimeTest.IMAGE).memoryReservation(64)
                        .stopTimeout(2).command("sh", "-c", print).build()));
        Task running = EcsSdk.runRunning(ecs, "two-containers");
        String taskId = EcsSdk.id(running.taskArn());
        for (String name : List.of("first", "second")) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!logs(taskId, name).contains("done")) {
                assertTrue(System.nanoTime() < deadline, "no metadata printed by " + name + ": " + logs(taskId, name));
                Thread.sleep(50);
            }
        }
        Task described = EcsSdk.describe(ecs, null, running.taskArn());
        for (Container container : described.containers()) {
            JsonNode metadata = JSON.readTree(logs(taskId, container.name()).lines().findFirst().orElseThrow());
            assertEquals(container.name(), metadata.path("Name").asText(), metadata.toString());
            assertEquals(container.runtimeId(), metadata.path("DockerId").asText());
            assertTrue(metadata.path("DockerName").asText().matches("ecs-two-containers-1-" + container.name()
                    + "-[0-9a-f]{20}"), metadata.toString());
            assertTrue(metadata.path("ImageID").asText().matches("sha256:[0-9a-f]{64}"), metadata.toString());
            assertEquals(container.name().equals("first") ? 10 : 0, metadata.path("Limits").path("CPU").asInt());
            assertEquals(container.name().equals("first") ? 128 : 64, metadata.path("Limits").path("Memory").asInt());
            assertEquals("RUNNING", container.lastStatus());
            // The engine's statistics, in Docker's shape, as ECS passes them through.
            JsonNode stats = JSON.readTree(logs(taskId, container.name()).lines().skip(1).findFirst().orElseThrow());
            assertTrue(stats.path("cpu_stats").has("cpu_usage"), stats.toString());
            if (container.name().equals("first")) {
                assertTrue(stats.has("precpu_stats"), stats.toString());
                assertEquals(128L * 1024 * 1024, stats.path("memory_stats").path("limit").asLong(), stats.toString());
                assertTrue(stats.path("memory_stats").path("usage").asLong() > 0, stats.toString());
            }
            // "second" has a memory reservation and no limit, for which Podman 4.3's statistics fail: the endpoint
            // then answers its own (zero) figures rather than the engine's error.
        }
        HttpResponse<String> task = crossrole.adminGet("/_crossrole/tasks/" + taskId);
        ecs.stopTask(r -> r.task(running.taskArn()).reason("enough"));
        Task stopped = EcsSdk.awaitStopped(ecs, null, running.taskArn());
        assertEquals("UserInitiated", stopped.stopCodeAsString(), stopped.toString());
        for (Container container : stopped.containers()) {
            // With an init process the SIGTERM reaches sleep; without, sleep is the container's process 1, which
            // ignores it, and the engine kills it after the container's stopTimeout — as on ECS.
            assertEquals(container.name().equals("first") ? 143 : 137, container.exitCode(), stopped.toString());
        }
        assertEquals(200, task.statusCode(), task.body());
    }

    @Test
    void aContainersPortIsThisMachinesAndItsBindingSaysSo() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ecs.registerTaskDefinition(r -> r.family("listener").containerDefinitions(ContainerDefinition.builder()
                .name("web").image(DockerRuntimeTest.IMAGE).memory(64)
                .portMappings(m -> m.containerPort(port).protocol("tcp")).stopTimeout(1)
                .command("sh", "-c", "echo hello from the container | nc -l -p " + port + "; exec sleep 300").build()));
        Task running = EcsSdk.runRunning(ecs, "listener");
        var binding = running.containers().get(0).networkBindings();
        assertEquals(1, binding.size(), running.toString());
        assertEquals("0.0.0.0", binding.get(0).bindIP());
        assertEquals(port, binding.get(0).containerPort());
        assertEquals(port, binding.get(0).hostPort());
        assertEquals("tcp", binding.get(0).protocolAsString());
        String answer = null;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (answer == null) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.net.ConnectException e) {
                assertTrue(System.nanoTime() < deadline, "nothing listens on " + port);
                Thread.sleep(50);
            }
        }
        assertEquals("hello from the container\n", answer);
        ecs.stopTask(r -> r.task(running.taskArn()));
        EcsSdk.awaitStopped(ecs, null, running.taskArn());
    }

    @Test
    void aHostPortOtherThanTheContainerPortIsRefusedAndNothingRuns() {
        ecs.registerTaskDefinition(r -> r.family("remapped").containerDefinitions(ContainerDefinition.builder()
                .name("web").image(DockerRuntimeTest.IMAGE).memory(64)
                .portMappings(m -> m.containerPort(80).hostPort(8080)).build()));
        software.amazon.awssdk.services.ecs.model.ClientException refused = org.junit.jupiter.api.Assertions.assertThrows(
                software.amazon.awssdk.services.ecs.model.ClientException.class,
                () -> ecs.runTask(r -> r.taskDefinition("remapped")));
        assertEquals(400, refused.statusCode());
        assertEquals("crossrole runs a task's containers on this machine's network, where a container's port is the"
                + " machine's: container web maps containerPort 80 to hostPort 8080; leave hostPort out or make it 80.",
                refused.awsErrorDetails().errorMessage());
        assertEquals(List.of(), ecs.listTasks(r -> r.family("remapped")).taskArns());
        assertEquals(List.of(), ecs.listTasks(r -> r.family("remapped").desiredStatus("STOPPED")).taskArns());
    }

    @Test
    void anImageThatCannotBePulledStopsTheTaskWithCannotPullContainerError() throws Exception {
        ecs.registerTaskDefinition(r -> r.family("no-image").containerDefinitions(ContainerDefinition.builder()
                .name("app").image("crossrole-test/not-built:1").memory(64).build()));
        var run = ecs.runTask(r -> r.taskDefinition("no-image"));
        assertEquals(List.of(), run.failures(), run.toString());
        Task stopped = EcsSdk.awaitStopped(ecs, null, run.tasks().get(0).taskArn());
        assertEquals("TaskFailedToStart", stopped.stopCodeAsString(), stopped.toString());
        assertTrue(stopped.stoppedReason().startsWith("CannotPullContainerError: pull image crossrole-test/not-built:1"),
                stopped.stoppedReason());
        assertEquals(stopped.stoppedReason(), stopped.containers().get(0).reason());
    }
}
