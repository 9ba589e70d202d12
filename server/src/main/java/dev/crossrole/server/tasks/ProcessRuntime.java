package dev.crossrole.server.tasks;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The unsandboxed runtime ({@code serve --task-runtime unsandboxed}): each container is a plain local process
 * of crossrole's user, started with exactly the container's environment, in the task's working directory, with
 * stdout and stderr appended to its log file. It sees everything crossrole's user can see. The image is not
 * used (there is no container engine); the command must exist on this machine. Exec'd commands are children of
 * crossrole too, and stopping the container ends them.
 */
public final class ProcessRuntime implements TaskRuntime {
    private static final File NO_INPUT = new File("/dev/null");
    private final HostTools tools;
    private final ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "crossrole-task-stopper");
        thread.setDaemon(true);
        return thread;
    });

    public ProcessRuntime() {
        this(HostTools.ofThisProcess());
    }

    ProcessRuntime(HostTools tools) {
        this.tools = tools;
    }

    @Override
    public String name() {
        return "unsandboxed process";
    }

    @Override
    public Optional<String> terminalUnavailable() {
        return tools.find("script").isPresent() ? Optional.empty()
                : Optional.of("exec -t needs script (util-linux) on crossrole's PATH, and there is none");
    }

    @Override
    public RunningContainer start(ContainerLaunch launch) throws IOException {
        if (!launch.mounts().isEmpty()) {
            // A plain process sees this machine's paths as they are: nothing can be shown at a containerPath, and
            // running without the mounts would run the task against other files than it asked for.
            Mount first = launch.mounts().get(0);
            throw new IOException("the unsandboxed task runtime (serve --task-runtime unsandboxed) runs containers as"
                    + " plain processes and cannot mount volumes, and container " + launch.containerName()
                    + " mounts volume '" + first.volume() + "' at " + first.containerPath()
                    + "; run crossrole with its task sandbox (the default) to use volumes");
        }
        if (launch.spec() != null && !launch.spec().linkAliases().isEmpty()) {
            // A plain process reads this machine's /etc/hosts: the link's name would not resolve.
            throw new IOException("the unsandboxed task runtime (serve --task-runtime unsandboxed) runs containers as"
                    + " plain processes and cannot make link names resolvable, and container " + launch.containerName()
                    + " links to '" + launch.spec().linkAliases().get(0) + "'; run crossrole with its task sandbox (the"
                    + " default) to use links");
        }
        Files.createDirectories(launch.workingDirectory());
        Files.createDirectories(launch.logFile().getParent());
        if (!Files.exists(launch.logFile())) {
            Files.createFile(launch.logFile());
        }
        if (launch.argv().isEmpty()) {
            return new Idle(launch);
        }
        ProcessBuilder builder = new ProcessBuilder(launch.argv())
                .directory(launch.workingDirectory().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(launch.logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(NO_INPUT));
        builder.environment().clear();
        builder.environment().putAll(launch.environment());
        Process process = builder.start();
        return new Local(launch, process);
    }

    /** What both kinds of container share: running exec'd commands, and ending them when the container stops. */
    private abstract class Container implements RunningContainer {
        private final ContainerLaunch launch;
        private final Set<ExecProcess> execs = ConcurrentHashMap.newKeySet();

        Container(ContainerLaunch launch) {
            this.launch = launch;
        }

        @Override
        public ExecSession exec(ExecLaunch exec) throws IOException {
            if (exit().isDone()) {
                throw new IOException("the container has stopped");
            }
            Map<String, String> environment = ExecProcess.environment(launch.environment(), exec.terminal());
            // Through sh, so that a command that does not exist is 127 with a shell's message, as in a sandbox.
            List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$0\" \"$@\""));
            argv.addAll(exec.argv());
            if (exec.terminal() != null) {
                Path script = tools.find("script").orElseThrow(() -> new IOException(terminalUnavailable().orElseThrow()));
                argv = ExecProcess.onTerminal(script,
                        ExecProcess.terminalLine(exec.terminal(), exec.argv(), launch.environment()));
            }
            ProcessBuilder builder = new ProcessBuilder(argv).directory(launch.workingDirectory().toFile());
            builder.environment().clear();
            builder.environment().putAll(environment);
            if (!exec.interactive()) {
                builder.redirectInput(ProcessBuilder.Redirect.from(NO_INPUT));
            }
            ExecProcess process = new ExecProcess(builder.start(), exec.terminal() != null,
                    tools.find("stty").orElse(null), exec.terminal() != null);
            execs.add(process);
            process.exit().whenComplete((code, error) -> execs.remove(process));
            return process;
        }

        void stopExecs(boolean force) {
            for (ExecProcess exec : execs) {
                if (force) {
                    exec.kill();
                } else {
                    exec.terminate();
                }
            }
        }
    }

    /** A container without a command: it runs until stopped, like one waiting for {@code docker exec}. */
    private final class Idle extends Container {
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        Idle(ContainerLaunch launch) {
            super(launch);
        }

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
            stopExecs(true);
            // As a process ended by SIGTERM would: 128 + 15.
            exit.complete(143);
        }
    }

    private final class Local extends Container {
        private final Process process;
        private final CompletableFuture<Integer> exit;

        Local(ContainerLaunch launch, Process process) {
            super(launch);
            this.process = process;
            this.exit = process.onExit().thenApply(Process::exitValue);
            // Exec'd commands end with the container, as they do in a container's PID namespace.
            this.exit.whenComplete((code, error) -> stopExecs(true));
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
            stopExecs(false);
            killer.schedule(() -> {
                if (process.isAlive()) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
                stopExecs(true);
            }, Math.max(0, grace.toMillis()), TimeUnit.MILLISECONDS);
        }
    }
}
