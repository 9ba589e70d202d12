package dev.crossrole.server.tasks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Starts containers. The default runtime runs a container's {@code entryPoint} + {@code command} as a local
 * process in a sandbox ({@link SandboxRuntime}); {@link ProcessRuntime} runs it as a plain process when the
 * operator chose so. Other runtimes (a container engine) can implement the same contract.
 */
public interface TaskRuntime {

    /**
     * What to start.
     *
     * @param argv the container's entryPoint followed by its command; empty for a container with neither,
     *     which stays running until stopped
     * @param environment the complete environment (nothing is inherited)
     * @param taskDirectory the task's own folder (its HOME): the only place of crossrole's data directory a
     *     sandboxed container sees at its own path, and may write (its task-scoped volumes, beside it, it sees
     *     only at their mount points)
     * @param workingDirectory where the command starts: the task's folder, a folder inside it, or an absolute
     *     path of this machine
     * @param logFile where the container's output goes, appended; written by crossrole, not by the container, and
     *     outside the task's folder (a task may rename what is in its folder, and crossrole opens the log as root)
     * @param mounts the container's mount points (its own and those it takes from other containers), in order
     */
    record ContainerLaunch(String taskId, String containerName, String image, List<String> argv,
                           Map<String, String> environment, Path taskDirectory, Path workingDirectory, Path logFile,
                           List<Mount> mounts, ContainerSpec spec) {
        public ContainerLaunch {
            mounts = List.copyOf(mounts);
        }

        /** A launch for the process runtimes alone (tests): no container definition to read. */
        public ContainerLaunch(String taskId, String containerName, String image, List<String> argv,
                               Map<String, String> environment, Path taskDirectory, Path workingDirectory, Path logFile,
                               List<Mount> mounts) {
            this(taskId, containerName, image, argv, environment, taskDirectory, workingDirectory, logFile, mounts, null);
        }
    }

    /**
     * The container as its task definition describes it, for a runtime that runs images: what the process runtimes
     * read from {@link ContainerLaunch}'s other parts (the argv joined, the environment with this machine's
     * {@code PATH}, {@code HOME} and {@code LANG}, a working directory on this machine) an image decides itself.
     *
     * @param entryPoint the definition's {@code entryPoint}, or {@code null} for the image's
     * @param command the {@code command} (overrides applied), or {@code null} for the image's
     * @param environment what ECS sets and the definition's {@code environment}, nothing of this machine's
     * @param workingDirectory the definition's {@code workingDirectory}, or {@code null} for the image's
     * @param user the definition's {@code user}, or {@code null} for the image's
     * @param cpuUnits {@code cpu}: CPU units, as shares; 0 when unset
     * @param memoryMiB {@code memory}: the hard limit in MiB, or {@code null}
     * @param memoryReservationMiB {@code memoryReservation}: the soft limit in MiB, or {@code null}
     * @param linkAliases the names its {@code links} give other containers of its task: they resolve to the task's
     *     network, where those containers listen
     */
    record ContainerSpec(String taskArn, String cluster, String family, int revision, List<String> entryPoint,
                         List<String> command, Map<String, String> environment, String workingDirectory, String user,
                         int cpuUnits, Long memoryMiB, Long memoryReservationMiB, List<Ulimit> ulimits,
                         boolean readonlyRootFilesystem, boolean initProcessEnabled, int stopTimeoutSeconds,
                         List<PortMapping> portMappings, List<String> linkAliases) {
        public ContainerSpec {
            linkAliases = List.copyOf(linkAliases);
            entryPoint = entryPoint == null ? null : List.copyOf(entryPoint);
            command = command == null ? null : List.copyOf(command);
            environment = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
            ulimits = List.copyOf(ulimits);
            portMappings = List.copyOf(portMappings);
        }
    }

    /** One of the definition's {@code ulimits}: {@code nofile}, {@code nproc}, … */
    record Ulimit(String name, long softLimit, long hardLimit) {}

    /** One of the definition's {@code portMappings}; {@code hostPort} 0 when unset. */
    record PortMapping(int containerPort, int hostPort, String protocol) {}

    /**
     * A task definition volume shown inside a container: a mount point of the container.
     *
     * @param volume the volume's name in the task definition
     * @param containerPath where the container sees it, as the task definition says (absolute)
     */
    record Mount(String volume, MountSource source, String containerPath, boolean readOnly) {}

    /** Where a volume's files are on this machine. */
    sealed interface MountSource {
        /**
         * A path of this machine ({@code host.sourcePath}), as the task definition wrote it: a runtime decides
         * whether it may be shown to the task.
         */
        record HostPath(String path) implements MountSource {}

        /**
         * A task-scoped volume (no {@code sourcePath}): an empty folder crossrole made for the task, shared by the
         * task's containers and removed when the task stops.
         */
        record TaskScratch(Path folder) implements MountSource {}

        /**
         * A volume of the container engine ({@code dockerVolumeConfiguration}).
         *
         * @param engineName the engine's name for it: unique to the task for a task-scoped one, to the account for a
         *     shared one (accounts share this machine, where ECS gives each account instances of its own)
         * @param taskScoped made when the task starts and removed when it stops; otherwise kept ({@code shared})
         * @param autoprovision whether a shared volume the engine lacks is made
         * @param driverOptions the {@code local} driver's options
         */
        record EngineVolume(String engineName, boolean taskScoped, boolean autoprovision,
                            Map<String, String> driverOptions, Map<String, String> labels) implements MountSource {
            public EngineVolume {
                driverOptions = Map.copyOf(driverOptions);
                labels = Map.copyOf(labels);
            }
        }
    }

    /** A terminal for an exec'd command: its type ({@code TERM}) and size. */
    record Terminal(String term, int columns, int rows) {}

    /**
     * A command to run inside a running container, with the container's environment and working directory.
     *
     * @param interactive whether the command reads the caller's input; otherwise its input is empty
     * @param terminal a pseudo-terminal for the command, or {@code null} for plain pipes
     */
    record ExecLaunch(List<String> argv, boolean interactive, Terminal terminal) {}

    /** A command running inside a container; it ends with the container at the latest. */
    interface ExecSession {
        /** The command's input (an empty sink unless interactive). */
        OutputStream stdin();

        InputStream stdout();

        /** Empty with a terminal: a terminal has one output. */
        InputStream stderr();

        /** Completes with the exit status: the command's, or 128 + the signal that ended it. */
        CompletableFuture<Integer> exit();

        /** Tells the command's terminal its new size (it gets SIGWINCH); nothing without a terminal. */
        void resize(int columns, int rows) throws IOException;

        /** Ends the command and what it started. */
        void kill();
    }

    /** A started container. */
    interface RunningContainer {
        /** A runtime id (the process id for local processes). */
        String runtimeId();

        /** The engine's name for the container ({@code DockerName} in task metadata), or {@code null}. */
        default String engineName() {
            return null;
        }

        /** The id of the image the container runs ({@code ImageID}: {@code sha256:…}), or {@code null}. */
        default String imageId() {
            return null;
        }

        /**
         * The engine's statistics of the container in Docker's shape ({@code cpu_stats}, {@code precpu_stats},
         * {@code memory_stats}, …), for the task metadata's {@code /stats}; empty where the runtime keeps none.
         */
        default java.util.Optional<com.fasterxml.jackson.databind.node.ObjectNode> engineStats() {
            return java.util.Optional.empty();
        }

        /** Completes with the exit code when the container ends, however it ends. */
        CompletableFuture<Integer> exit();

        /** Asks the container to stop (SIGTERM), then kills it (SIGKILL) after the grace period. */
        void stop(Duration grace);

        /**
         * Runs a command inside the container; stopping the container ends it.
         *
         * @throws IOException when it cannot be started (the reason is the message)
         */
        ExecSession exec(ExecLaunch launch) throws IOException;
    }

    /**
     * Makes what the container needs on this machine before any container of its task starts: its working
     * directory, the ownership of the task's folders. Once a container runs, its task may change what is in its
     * folder (a symbolic link where a folder was), so nothing there is touched with crossrole's privileges after
     * the first container started.
     *
     * @throws IOException when the container cannot be started (its reason is the message)
     */
    default void prepare(ContainerLaunch launch) throws IOException {
    }

    /**
     * Starts a container {@link #prepare prepared} before.
     *
     * @throws IOException when the container cannot be started (its reason is the message)
     */
    RunningContainer start(ContainerLaunch launch) throws IOException;

    /**
     * Starts a container, telling {@code created} of it before its command runs where the runtime can (a container
     * engine creates, then starts), so that what the task's metadata says of the container (its id, its names) is
     * known from the container's first instant.
     */
    default RunningContainer start(ContainerLaunch launch, java.util.function.Consumer<RunningContainer> created)
            throws IOException {
        RunningContainer container = start(launch);
        created.accept(container);
        return container;
    }

    /**
     * Whether containers run from their images here (a container engine); the process runtimes run a container's
     * command on this machine and have no use for an image.
     */
    default boolean runsImages() {
        return false;
    }

    /**
     * Loads an image ECS's agent pulled, so that containers can start from it; returns the name to start them from.
     *
     * @throws IOException when the image cannot be loaded (a {@link ContainerStartFailure} naming the kind)
     */
    default String load(PulledImage image) throws IOException {
        throw new ContainerStartFailure("CannotPullContainerError", "the " + name() + " runtime runs no images");
    }

    /** Whether the runtime provides {@link MountSource.EngineVolume}s (a container engine's volumes). */
    default boolean providesEngineVolumes() {
        return false;
    }

    /** Told once a task has stopped (none of its containers runs): what the runtime made for the task may go. */
    default void taskStopped(String taskArn) {
    }

    /** Why no container can be started here (a missing tool, another operating system), or empty when they can. */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /** Why an exec with a terminal cannot be run here, or empty when it can. */
    default Optional<String> terminalUnavailable() {
        return Optional.empty();
    }

    /** A short name for this runtime, shown in logs and errors. */
    String name();
}
