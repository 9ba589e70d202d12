package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DockerVolumeConfiguration;
import software.amazon.awssdk.services.ecs.model.MountPoint;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.Volume;

/** {@code dockerVolumeConfiguration} volumes on the docker runtime: task-scoped and shared, made by the engine. */
class DockerVolumesTest {
    static TestCrossrole crossrole;
    static EcsClient ecs;
    static EcsClient otherAccount;
    static final String RUN = Long.toHexString(System.nanoTime());

    @BeforeAll
    static void start() throws Exception {
        crossrole = PodmanService.crossroleOnEngine();
        ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(SOURCE));
        otherAccount = EcsSdk.ecs(crossrole, crossrole.adminCredentials(DESTINATION));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {ecs, otherAccount, crossrole}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        PodmanService.podman("volume", "rm", "-f", "crossrole-" + SOURCE + "-cache-" + RUN,
                "crossrole-" + DESTINATION + "-cache-" + RUN);
    }

    private static ContainerDefinition.Builder container(String name, String script) {
        return ContainerDefinition.builder().name(name).image(DockerRuntimeTest.IMAGE).memory(64).stopTimeout(2)
                .command("sh", "-c", script);
    }

    private static MountPoint at(String volume, String path) {
        return MountPoint.builder().sourceVolume(volume).containerPath(path).build();
    }

    private static String logs(Task task, String container) throws Exception {
        return crossrole.adminGet("/_crossrole/tasks/" + EcsSdk.id(task.taskArn()) + "/logs?container=" + container)
                .body();
    }

    private static String volumes() throws Exception {
        return PodmanService.podman("volume", "ls", "--format", "{{.Name}}");
    }

    @Test
    void aTaskScopedVolumeIsSharedByTheTasksContainersAndRemovedWithTheTask() throws Exception {
        ecs.registerTaskDefinition(r -> r.family("scoped-" + RUN)
                .volumes(Volume.builder().name("work").dockerVolumeConfiguration(DockerVolumeConfiguration.builder()
                        .scope("task").labels(Map.of("team", "data")).build()).build())
                .containerDefinitions(
                        container("writer", "echo written > /work/file").essential(false)
                                .mountPoints(at("work", "/work")).build(),
                        container("reader", "cat /work/file").mountPoints(at("work", "/work"))
                                .dependsOn(d -> d.containerName("writer").condition("SUCCESS")).build()));
        Task task = ecs.runTask(r -> r.taskDefinition("scoped-" + RUN)).tasks().get(0);
        Task stopped = EcsSdk.awaitStopped(ecs, null, task.taskArn());
        assertEquals("written\n", logs(stopped, "reader"), stopped.toString());
        String name = "ecs-scoped-" + RUN + "-1-work-" + EcsSdk.id(task.taskArn()).substring(0, 20);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (volumes().lines().anyMatch(name::equals)) {
            assertTrue(System.nanoTime() < deadline, name + " outlived its task: " + volumes());
            Thread.sleep(100);
        }
    }

    @Test
    void aSharedVolumeOutlivesItsTaskWithinItsAccountOnly() throws Exception {
        Volume cache = Volume.builder().name("cache-" + RUN).dockerVolumeConfiguration(DockerVolumeConfiguration.builder()
                .scope("shared").autoprovision(true).build()).build();
        for (EcsClient client : List.of(ecs, otherAccount)) {
            client.registerTaskDefinition(r -> r.family("shared-" + RUN).volumes(cache).containerDefinitions(
                    container("app", "cat /cache/file 2>/dev/null || echo empty; echo kept > /cache/file")
                            .mountPoints(at("cache-" + RUN, "/cache")).build()));
        }
        Task first = EcsSdk.awaitStopped(ecs, null, ecs.runTask(r -> r.taskDefinition("shared-" + RUN)).tasks().get(0)
                .taskArn());
        assertEquals("empty\n", logs(first, "app"));
        Task second = EcsSdk.awaitStopped(ecs, null, ecs.runTask(r -> r.taskDefinition("shared-" + RUN)).tasks().get(0)
                .taskArn());
        assertEquals("kept\n", logs(second, "app"), "the shared volume kept what the first task wrote");
        Task elsewhere = EcsSdk.awaitStopped(otherAccount, null, otherAccount.runTask(r -> r
                .taskDefinition("shared-" + RUN)).tasks().get(0).taskArn());
        assertEquals("empty\n", logs(elsewhere, "app"), "another account's volume of that name is its own");
        assertTrue(volumes().lines().anyMatch(("crossrole-" + SOURCE + "-cache-" + RUN)::equals), volumes());
    }

    @Test
    void aSharedVolumeThatDoesNotExistAndDoesNotAutoprovisionStopsTheTask() throws Exception {
        ecs.registerTaskDefinition(r -> r.family("missing-" + RUN)
                .volumes(Volume.builder().name("absent").dockerVolumeConfiguration(DockerVolumeConfiguration.builder()
                        .scope("shared").autoprovision(false).build()).build())
                .containerDefinitions(container("app", "true").mountPoints(at("absent", "/absent")).build()));
        Task stopped = EcsSdk.awaitStopped(ecs, null, ecs.runTask(r -> r.taskDefinition("missing-" + RUN)).tasks()
                .get(0).taskArn());
        assertEquals("TaskFailedToStart", stopped.stopCodeAsString(), stopped.toString());
        assertEquals("CannotCreateContainerError: volume 'absent' is a shared docker volume that does not exist"
                + " (crossrole-" + SOURCE + "-absent) and does not autoprovision", stopped.stoppedReason());
    }

    @Test
    void volumesThatWouldMountThisMachinesPathsAreRefusedAndNothingRuns() {
        Object[][] cases = {
                {DockerVolumeConfiguration.builder().driver("rexray/ebs").build(), "Volume 'v' asks for the volume"
                        + " driver 'rexray/ebs': crossrole makes volumes with the engine's local driver only (a plugin"
                        + " could mount any path of this machine)."},
                {DockerVolumeConfiguration.builder().driverOpts(Map.of("type", "none", "o", "bind", "device", "/etc"))
                        .build(), "Volume 'v' asks the local driver for a bind mount (o=bind): a path of this machine is"
                        + " a host volume (host.sourcePath), which crossrole checks."},
                {DockerVolumeConfiguration.builder().driverOpts(Map.of("type", "ext4", "device", "/dev/sda1")).build(),
                        "Volume 'v' asks the local driver to mount /dev/sda1 of this machine: a path of this machine is"
                                + " a host volume (host.sourcePath), which crossrole checks."}};
        for (Object[] bad : cases) {
            ecs.registerTaskDefinition(r -> r.family("unsafe-" + RUN).volumes(Volume.builder().name("v")
                    .dockerVolumeConfiguration((DockerVolumeConfiguration) bad[0]).build())
                    .containerDefinitions(container("app", "true").mountPoints(at("v", "/v")).build()));
            ClientException refused = assertThrows(ClientException.class,
                    () -> ecs.runTask(r -> r.taskDefinition("unsafe-" + RUN)));
            assertEquals(bad[1], refused.awsErrorDetails().errorMessage());
        }
        assertEquals(List.of(), ecs.listTasks(r -> r.family("unsafe-" + RUN).desiredStatus("STOPPED")).taskArns());
    }
}
