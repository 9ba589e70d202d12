package dev.crossrole.server.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox runtime on its own, for what the API cannot time: a stop while the sandbox is being made. */
class SandboxRuntimeTest {

    @Test
    void aContainerStoppedAsItStartsEndsWithoutWaitingForItsKill(@TempDir Path data) throws Exception {
        TaskUser.Self self = TaskUser.Self.ofThisProcess();
        TaskUser user = TaskUser.choose(null, self, TaskUser.system());
        SandboxRuntime runtime = new SandboxRuntime(new SandboxRuntime.Settings(user, self.uid() == 0, List.of(),
                List.of(data)));
        assumeTrue(runtime.unavailable().isEmpty(), () -> "no sandbox here: " + runtime.unavailable().orElseThrow());
        for (int i = 0; i < 20; i++) {
            Path task = data.resolve("tasks").resolve("t" + i);
            Path log = data.resolve("tasks").resolve("t" + i + ".logs").resolve("app.log");
            Files.createDirectories(log.getParent());
            TaskRuntime.ContainerLaunch launch = new TaskRuntime.ContainerLaunch("t" + i, "app", "local",
                    List.of("sleep", "300"), Map.of("PATH", "/usr/bin:/bin"), task, task, log, List.of());
            runtime.prepare(launch);
            TaskRuntime.RunningContainer container = runtime.start(launch);
            // At once, from the thread that started it: bwrap is still making the sandbox, whose init ignores a
            // SIGTERM from outside, and whose processes must not outlive it. The SIGKILL would come after the
            // grace period, 120 s.
            container.stop(Duration.ofSeconds(120));
            int code = container.exit().get(30, TimeUnit.SECONDS);
            assertEquals(143, code, "ended by the SIGTERM; log: " + Files.readString(log));
            // What the kernel kills when the sandbox's init ends is reaped by the host's init, in its own time
            // (a loaded machine takes a while): wait for that, rather than catch a process on its way out.
            String folder = task.toString();
            List<Long> left = sandboxProcesses(folder);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                left = sandboxProcesses(folder);
            }
            assertEquals(List.of(), left, "nothing of the sandbox is left behind");
        }
    }

    private static List<Long> sandboxProcesses(String folder) {
        return ProcessHandle.allProcesses().filter(p -> p.isAlive()
                && p.info().commandLine().map(c -> c.contains(folder + " ")).orElse(false))
                .map(ProcessHandle::pid).toList();
    }
}
