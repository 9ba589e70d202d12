package dev.crossrole.server.tasks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The default runtime: each container is a local process started with exactly the container's
 * environment, in the task's working directory, with stdout and stderr appended to its log file.
 * The image is not used (there is no container engine); the command must exist on this machine.
 */
public final class ProcessRuntime implements TaskRuntime {
    private final ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "crossrole-task-stopper");
        thread.setDaemon(true);
        return thread;
    });

    @Override
    public String name() {
        return "process";
    }

    @Override
    public RunningContainer start(ContainerLaunch launch) throws IOException {
        Files.createDirectories(launch.workingDirectory());
        Files.createDirectories(launch.logFile().getParent());
        if (!Files.exists(launch.logFile())) {
            Files.createFile(launch.logFile());
        }
        if (launch.argv().isEmpty()) {
            return new Idle();
        }
        ProcessBuilder builder = new ProcessBuilder(launch.argv())
                .directory(launch.workingDirectory().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(launch.logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(launch.environment());
        Process process = builder.start();
        return new Local(process);
    }

    /** A container without a command: it runs until stopped, like one waiting for {@code docker exec}. */
    private static final class Idle implements RunningContainer {
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        @Override
        public String runtimeId() {
            return "idle";
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public void stop(Duration grace) {
            // As a process ended by SIGTERM would: 128 + 15.
            exit.complete(143);
        }
    }

    private final class Local implements RunningContainer {
        private final Process process;
        private final CompletableFuture<Integer> exit;

        Local(Process process) {
            this.process = process;
            this.exit = process.onExit().thenApply(Process::exitValue);
        }

        @Override
        public String runtimeId() {
            return String.valueOf(process.pid());
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public void stop(Duration grace) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            killer.schedule(() -> {
                if (process.isAlive()) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            }, Math.max(0, grace.toMillis()), TimeUnit.MILLISECONDS);
        }
    }
}
