package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossrole.server.tasks.ContainerStartFailure;
import dev.crossrole.server.tasks.DockerRuntime;
import dev.crossrole.server.tasks.TaskRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container runtime against Podman's Docker-compatible service, with the busybox test image. */
class DockerRuntimeTest {
    static final String IMAGE = "crossrole-test/busybox:1";
    static PodmanService podman;

    @TempDir
    Path data;

    @BeforeAll
    static void engine() {
        podman = PodmanService.get().orElse(null);
        assumeTrue(podman != null, () -> "no container engine here: " + PodmanService.unavailable());
    }

    private DockerRuntime runtime() {
        DockerRuntime.Connection connection = DockerRuntime.connect(podman.host(), data, List.of());
        assertTrue(connection.runtime() != null, connection.unavailable());
        return connection.runtime();
    }

    static TaskRuntime.ContainerSpec spec(List<String> command, Map<String, String> environment, String workingDirectory,
                                          String user, Long memoryMiB) {
        return new TaskRuntime.ContainerSpec("arn:aws:ecs:us-east-1:111122223333:task/default/0123456789abcdef",
                "default", "fam", 3, null, command, environment, workingDirectory, user, 0, memoryMiB, null,
                List.of(), false, false, 30, List.of(), List.of());
    }

    private TaskRuntime.ContainerLaunch launch(String image, TaskRuntime.ContainerSpec spec,
                                               List<TaskRuntime.Mount> mounts) throws IOException {
        Path task = data.resolve("tasks").resolve("t1");
        Path log = data.resolve("tasks").resolve("t1.logs").resolve("app.log");
        Files.createDirectories(log.getParent());
        return new TaskRuntime.ContainerLaunch("t1", "app", image, List.of(), Map.of(), task, task, log, mounts, spec);
    }

    private static String log(TaskRuntime.ContainerLaunch launch) throws IOException {
        return Files.readString(launch.logFile(), StandardCharsets.UTF_8);
    }

    @Test
    void runsTheImagesCommandWithItsEnvironmentWorkingDirectoryAndUserThenRemovesIt() throws Exception {
        DockerRuntime runtime = runtime();
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("GREETING", "hello");
        TaskRuntime.ContainerLaunch launch = launch(IMAGE, spec(List.of("sh", "-c",
                "echo \"$GREETING from $(pwd) as $(id -u) with PATH=$PATH\"; exit 3"), environment, "/tmp", "65534", null),
                List.of());
        runtime.prepare(launch);
        TaskRuntime.RunningContainer container = runtime.start(launch);
        assertEquals(3, container.exit().get(60, TimeUnit.SECONDS));
        assertEquals("hello from /tmp as 65534 with PATH=/bin\n", log(launch), "the image's PATH, not this machine's");
        assertTrue(runtime.inspect(container.runtimeId()).isEmpty(), "removed once it ended; its output kept");
    }

    @Test
    void containersCarryTheEcsAgentsNameAndLabels() throws Exception {
        DockerRuntime runtime = runtime();
        TaskRuntime.ContainerLaunch launch = launch(IMAGE, spec(List.of("sleep", "300"), Map.of(), null, null, null),
                List.of());
        TaskRuntime.RunningContainer container = runtime.start(launch);
        try {
            DockerRuntime.Inspection inspected = runtime.inspect(container.runtimeId()).orElseThrow();
            assertTrue(inspected.name().matches("ecs-fam-3-app-[0-9a-f]{20}"), inspected.name());
            String labels = PodmanService.podman("inspect", "--format",
                    "{{index .Config.Labels \"com.amazonaws.ecs.task-arn\"}} {{index .Config.Labels \"com.amazonaws.ecs.container-name\"}}"
                            + " {{index .Config.Labels \"com.amazonaws.ecs.cluster\"}}", container.runtimeId());
            assertEquals("arn:aws:ecs:us-east-1:111122223333:task/default/0123456789abcdef app default", labels.strip());
            String found = PodmanService.podman("ps", "--filter", "label=com.amazonaws.ecs.container-name=app",
                    "--format", "{{.Names}}");
            assertTrue(found.contains(inspected.name()), "docker ps finds it by the agent's labels: " + found);
        } finally {
            container.stop(Duration.ofSeconds(1));
            container.exit().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void stopSendsSigtermThenSigkillAfterTheGracePeriod() throws Exception {
        DockerRuntime runtime = runtime();
        TaskRuntime.ContainerLaunch polite = launch(IMAGE, spec(List.of("sh", "-c",
                "trap 'echo terminated; exit 7' TERM; echo ready; while true; do sleep 1; done"), Map.of(), null, null, null),
                List.of());
        TaskRuntime.RunningContainer first = runtime.start(polite);
        awaitLog(polite, "ready");
        first.stop(Duration.ofSeconds(20));
        assertEquals(7, first.exit().get(60, TimeUnit.SECONDS));
        assertTrue(log(polite).contains("terminated"), log(polite));

        TaskRuntime.ContainerLaunch stubborn = launch(IMAGE, spec(List.of("sh", "-c",
                "trap '' TERM; echo ready; while true; do sleep 1; done"), Map.of(), null, null, null), List.of());
        TaskRuntime.RunningContainer second = runtime.start(stubborn);
        awaitLog(stubborn, "ready");
        long started = System.nanoTime();
        second.stop(Duration.ofSeconds(1));
        assertEquals(137, second.exit().get(60, TimeUnit.SECONDS), "killed after the grace period");
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(900), "not before the grace period");
    }

    @Test
    void anImageTheEngineCannotFindOrPullIsCannotPullContainerError() throws Exception {
        DockerRuntime runtime = runtime();
        TaskRuntime.ContainerLaunch launch = launch("crossrole-test/no-such-image:1", spec(null, Map.of(), null, null,
                null), List.of());
        ContainerStartFailure failure = assertThrows(ContainerStartFailure.class, () -> runtime.start(launch));
        assertEquals("CannotPullContainerError", failure.errorName());
        assertTrue(failure.getMessage().contains("crossrole-test/no-such-image"), failure.getMessage());
    }

    @Test
    void aHostVolumeThatWouldShowCrossrolesDataIsRefused(@TempDir Path shared) throws Exception {
        DockerRuntime runtime = runtime();
        for (String path : List.of(data.toString(), data.resolve("tasks").toString(), "/", data.getParent().toString(),
                "/proc", "/proc/1/root", "/sys/kernel", "/dev", "/run/podman", "/var/run/docker.sock",
                podman.host().substring("unix://".length()))) {
            TaskRuntime.ContainerLaunch launch = launch(IMAGE, spec(List.of("true"), Map.of(), null, null, null),
                    List.of(new TaskRuntime.Mount("v", new TaskRuntime.MountSource.HostPath(path), "/mnt", false)));
            ContainerStartFailure failure = assertThrows(ContainerStartFailure.class, () -> runtime.prepare(launch),
                    path);
            assertTrue(failure.getMessage().contains("volume 'v'"), failure.getMessage());
        }
        Files.writeString(shared.resolve("note.txt"), "shared with the task");
        TaskRuntime.ContainerLaunch launch = launch(IMAGE, spec(List.of("cat", "/mnt/note.txt"), Map.of(), null, null,
                null), List.of(new TaskRuntime.Mount("v", new TaskRuntime.MountSource.HostPath(shared.toString()), "/mnt",
                true)));
        runtime.prepare(launch);
        assertEquals(0, runtime.start(launch).exit().get(60, TimeUnit.SECONDS));
        assertEquals("shared with the task", log(launch));
    }

    @Test
    void execRunsInsideTheContainerAndPassesItsExitStatus() throws Exception {
        DockerRuntime runtime = runtime();
        TaskRuntime.ContainerLaunch launch = launch(IMAGE, spec(List.of("sleep", "300"), Map.of("INSIDE", "yes"), "/tmp",
                null, null), List.of());
        TaskRuntime.RunningContainer container = runtime.start(launch);
        try {
            TaskRuntime.ExecSession exec = container.exec(new TaskRuntime.ExecLaunch(List.of("sh", "-c",
                    "echo \"$INSIDE in $(pwd)\"; echo oops >&2; exit 5"), false, null));
            String out = new String(exec.stdout().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(exec.stderr().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(5, exec.exit().get(60, TimeUnit.SECONDS));
            assertEquals("yes in /tmp\n", out);
            assertEquals("oops\n", err);
        } finally {
            container.stop(Duration.ofSeconds(1));
            container.exit().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMemoryLimitIsTheContainersCgroupLimit() throws Exception {
        DockerRuntime runtime = runtime();
        TaskRuntime.ContainerLaunch launch = launch(IMAGE, spec(List.of("sh", "-c",
                "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes"), Map.of(),
                null, null, 64L), List.of());
        assertEquals(0, runtime.start(launch).exit().get(60, TimeUnit.SECONDS), log(launch));
        assertEquals(String.valueOf(64L * 1024 * 1024), log(launch).strip());
    }

    @Test
    void containersAnEarlierRunLeftAreRemovedAtStart() throws Exception {
        DockerRuntime first = runtime();
        TaskRuntime.ContainerLaunch launch = launch(IMAGE, spec(List.of("sleep", "300"), Map.of(), null, null, null),
                List.of());
        TaskRuntime.RunningContainer left = first.start(launch);
        DockerRuntime other = DockerRuntime.connect(podman.host(), data.resolve("elsewhere"), List.of()).runtime();
        assertEquals(0, other.removeLeftovers(), "another data directory's containers are not its own");
        DockerRuntime restarted = runtime();
        assertEquals(1, restarted.removeLeftovers());
        assertTrue(restarted.inspect(left.runtimeId()).isEmpty());
        left.exit().get(60, TimeUnit.SECONDS);
    }

    private static void awaitLog(TaskRuntime.ContainerLaunch launch, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!log(launch).contains(text)) {
            assertTrue(System.nanoTime() < deadline, "no '" + text + "' in the log: " + log(launch));
            Thread.sleep(20);
        }
    }
}
