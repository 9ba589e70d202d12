package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Task;

/** A container's working directory, and the task metadata stats of a running container. */
class EcsContainerDetailsTest {
    static TestCrossrole crossrole;
    static EcsClient ecs;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(TestCrossrole.SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    @Test
    void relativeWorkingDirectoryIsInsideTheTaskDirectory() throws Exception {
        ecs.registerTaskDefinition(r -> r.family("pwd").containerDefinitions(ContainerDefinition.builder().name("app")
                .image("local").memory(64).workingDirectory("work").command("sh", "-c", "mkdir -p . && pwd").build()));
        String arn = ecs.runTask(r -> r.taskDefinition("pwd")).tasks().get(0).taskArn();
        Task stopped = EcsSdk.awaitStopped(ecs, "default", arn);
        assertEquals(0, stopped.containers().get(0).exitCode());
        var task = crossrole.server.tasks().task(EcsSdk.id(arn)).orElseThrow();
        String log = Files.readString(task.containers().get(0).logFile()).trim();
        assertEquals(task.workDir().resolve("work").toString(), log);
    }

    @Test
    void statsReportTheRunningProcess() throws Exception {
        ecs.registerTaskDefinition(r -> r.family("busy").containerDefinitions(ContainerDefinition.builder().name("app")
                .image("local").memory(64).command("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 30")
                .build()));
        String arn = ecs.runTask(r -> r.taskDefinition("busy")).tasks().get(0).taskArn();
        EcsSdk.await(ecs, "default", arn, Duration.ofSeconds(10), "RUNNING", t -> "RUNNING".equals(t.lastStatus()));
        Thread.sleep(500);
        var task = crossrole.server.tasks().task(EcsSdk.id(arn)).orElseThrow();
        String uri = task.containers().get(0).environment().get("ECS_CONTAINER_METADATA_URI_V4");
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(uri + "/stats"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        JsonNode stats = new ObjectMapper().readTree(response.body());
        assertTrue(stats.path("cpu_stats").path("cpu_usage").path("total_usage").asLong() > 0, response.body());
        assertTrue(stats.path("memory_stats").path("usage").asLong() > 0, response.body());
        assertTrue(stats.path("num_procs").asInt() >= 1, response.body());
        ecs.stopTask(r -> r.task(arn));
    }
}
