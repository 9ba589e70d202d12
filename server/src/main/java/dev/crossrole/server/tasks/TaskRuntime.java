package dev.crossrole.server.tasks;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Starts containers. The default runtime runs a container's {@code entryPoint} + {@code command} as a
 * local process; other runtimes (a container engine, Linux namespaces) can implement the same contract.
 */
public interface TaskRuntime {

    /**
     * What to start.
     *
     * @param argv the container's entryPoint followed by its command; empty for a container with neither,
     *     which stays running without a process until stopped
     * @param environment the complete environment (nothing is inherited)
     */
    record ContainerLaunch(String taskId, String containerName, String image, List<String> argv,
                           Map<String, String> environment, Path workingDirectory, Path logFile) {}

    /** A started container. */
    interface RunningContainer {
        /** A runtime id (the process id for local processes). */
        String runtimeId();

        /** Completes with the exit code when the container ends, however it ends. */
        CompletableFuture<Integer> exit();

        /** Asks the container to stop (SIGTERM), then kills it (SIGKILL) after the grace period. */
        void stop(Duration grace);
    }

    /** @throws IOException when the container cannot be started (its reason is the message) */
    RunningContainer start(ContainerLaunch launch) throws IOException;

    /** A short name for this runtime, shown in logs and errors. */
    String name();
}
