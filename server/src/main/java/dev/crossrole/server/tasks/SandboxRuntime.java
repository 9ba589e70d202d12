package dev.crossrole.server.tasks;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The default runtime: each container is a local process in a sandbox of its own made by bubblewrap
 * ({@code bwrap}) with Linux namespaces — the host's files read-only, crossrole's data directory, blob folder
 * and home hidden, the task's own folder writable, a PID namespace of its own — run as the task user with no
 * capability ({@link SandboxPlan} has the mounts). The network is the host's: the credentials endpoint is on
 * loopback. Exec'd commands join the container's namespaces ({@code nsenter}), as the same user, so they die
 * with it.
 */
public final class SandboxRuntime implements TaskRuntime {
    private static final File NO_INPUT = new File("/dev/null");
    private static final String UNSANDBOXED_ESCAPE = "or start crossrole with --task-runtime unsandboxed to run"
            + " tasks as plain processes of this machine, without a sandbox";

    /**
     * What the sandbox needs to know about this crossrole.
     *
     * @param user the user tasks run as
     * @param privileged whether crossrole runs as root (then bwrap mounts as root and the command drops to
     *     {@code user} with {@code setpriv}; otherwise bwrap uses a user namespace and tasks run as crossrole's user)
     * @param homes crossrole's user's home folders (its passwd entry's, and $HOME when that differs), hidden from
     *     tasks but for the tool folders of crossrole's PATH
     * @param hidden crossrole's data directory, then its S3 blob folder when it has one outside the data directory
     */
    public record Settings(TaskUser user, boolean privileged, List<Path> homes, List<Path> hidden) {}

    /** Whether sandboxes can be made here: the tools found, or why not. */
    sealed interface Availability {
        record Ready(Path bwrap, Path setpriv, Path nsenter, Path sleep, Path env, Path script, Path stty)
                implements Availability {}

        record Missing(String reason) implements Availability {}
    }

    private final Settings settings;
    private final HostTools tools;
    private final List<Path> toolFolders;
    /** The folders the privileged start of a sandbox reads from; found once. */
    private volatile List<Path> systemFolders;
    private volatile Availability availability;
    /**
     * Starts every sandbox. bwrap's --die-with-parent ends a sandbox when the thread that started it ends (the
     * kernel's parent-death signal follows the thread, not the process); request threads come and go, this one
     * lives as long as crossrole, and with it its sandboxes.
     */
    private final ExecutorService launcher = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "crossrole-sandbox-launcher");
        thread.setDaemon(true);
        return thread;
    });
    private final ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "crossrole-sandbox-stopper");
        thread.setDaemon(true);
        return thread;
    });

    public SandboxRuntime(Settings settings) {
        this(settings, HostTools.ofThisProcess());
    }

    SandboxRuntime(Settings settings, HostTools tools) {
        this.settings = settings;
        this.tools = tools;
        this.toolFolders = toolFolders(settings.homes(), tools.directories());
    }

    @Override
    public String name() {
        return "sandboxed process";
    }

    /**
     * The folders of crossrole's PATH that lie in its home, each as the top folder below the home
     * ({@code ~/.pyenv} for {@code ~/.pyenv/shims}): a tool installed there needs more of its folder than the
     * entry itself. Crossrole's own PATH, not a task's: a task definition may set PATH to anything.
     */
    static List<Path> toolFolders(List<Path> homes, List<Path> pathEntries) {
        Set<Path> out = new LinkedHashSet<>();
        for (Path home : homes) {
            if (home.getParent() == null) {
                continue; // a home of / is not hidden
            }
            for (Path entry : pathEntries) {
                if (entry.startsWith(home) && !entry.equals(home) && Files.isDirectory(entry)) {
                    out.add(home.resolve(home.relativize(entry).getName(0)));
                }
            }
        }
        return List.copyOf(out);
    }

    // ---- availability ----------------------------------------------------------------------------

    @Override
    public Optional<String> unavailable() {
        return availability() instanceof Availability.Missing missing ? Optional.of(missing.reason()) : Optional.empty();
    }

    @Override
    public Optional<String> terminalUnavailable() {
        return availability() instanceof Availability.Ready ready && ready.script() == null
                ? Optional.of("exec -t needs script (util-linux) on crossrole's PATH, and there is none")
                : Optional.empty();
    }

    /** Found once: the tools, and a sandbox made and run to prove they work here. */
    Availability availability() {
        Availability known = availability;
        if (known == null) {
            known = check();
            availability = known;
        }
        return known;
    }

    private Availability check() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return new Availability.Missing("RunTask runs every task in a sandbox made with Linux namespaces"
                    + " (bubblewrap), and this machine runs " + os + "; " + UNSANDBOXED_ESCAPE + ".");
        }
        Optional<Path> bwrap = tools.find("bwrap");
        if (bwrap.isEmpty()) {
            return new Availability.Missing("RunTask runs every task in a sandbox made by bubblewrap, and there is no"
                    + " bwrap on crossrole's PATH: install bubblewrap (apt-get install bubblewrap), "
                    + UNSANDBOXED_ESCAPE + ".");
        }
        Optional<Path> setpriv = tools.find("setpriv");
        Optional<Path> nsenter = tools.find("nsenter");
        Optional<Path> sleep = tools.find("sleep");
        Optional<Path> env = tools.find("env");
        for (var tool : List.of(java.util.Map.entry("setpriv (util-linux)", setpriv),
                java.util.Map.entry("nsenter (util-linux)", nsenter), java.util.Map.entry("sleep (coreutils)", sleep),
                java.util.Map.entry("env (coreutils)", env))) {
            if (tool.getValue().isEmpty()) {
                return new Availability.Missing("RunTask runs every task in a sandbox, which needs " + tool.getKey()
                        + " on crossrole's PATH, and there is none: install it, " + UNSANDBOXED_ESCAPE + ".");
            }
        }
        Availability.Ready ready = new Availability.Ready(bwrap.get(), setpriv.get(), nsenter.get(), sleep.get(),
                env.get(), tools.find("script").orElse(null), tools.find("stty").orElse(null));
        String failure = probe(ready);
        if (failure != null) {
            return new Availability.Missing("RunTask runs every task in a sandbox made by bubblewrap, and bwrap cannot"
                    + " make one on this machine (" + failure + "); " + UNSANDBOXED_ESCAPE + ".");
        }
        return ready;
    }

    /** Runs an empty sandbox with the namespaces tasks get; the error bwrap printed, or {@code null}. */
    private String probe(Availability.Ready ready) {
        List<String> command = new ArrayList<>(List.of(ready.bwrap().toString(), "--ro-bind", "/", "/"));
        command.addAll(settings.privileged() ? List.of("--dev", "/dev") : List.of("--dev-bind", "/dev", "/dev"));
        command.addAll(List.of("--proc", "/proc", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--new-session",
                "--die-with-parent", "--"));
        command.addAll(dropPrivileges(ready));
        command.addAll(List.of(ready.sleep().toString(), "0"));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(NO_INPUT)).start();
            byte[] output = process.getInputStream().readNBytes(4096);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "a test sandbox did not finish in 30 seconds";
            }
            if (process.exitValue() != 0) {
                String text = new String(output, StandardCharsets.UTF_8).strip();
                return text.isEmpty() ? "exit status " + process.exitValue() : text.lines().findFirst().orElse(text);
            }
            return null;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private Availability.Ready ready() throws IOException {
        Availability known = availability();
        if (known instanceof Availability.Missing missing) {
            throw new IOException(missing.reason());
        }
        return (Availability.Ready) known;
    }

    /**
     * What the command runs under: as root, {@code setpriv} becomes the task user with no capability and no way
     * to gain one (setuid programs stay unprivileged); otherwise bwrap already leaves the command without any.
     */
    private List<String> dropPrivileges(Availability.Ready ready) {
        if (!settings.privileged()) {
            return List.of();
        }
        TaskUser user = settings.user();
        return List.of(ready.setpriv().toString(), "--reuid=" + user.uid(), "--regid=" + user.gid(), "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--");
    }

    private static final Path HOSTS = Path.of("/etc/hosts");

    /**
     * This machine's {@code /etc/hosts} with the container's link names on loopback (the sandbox shares this
     * machine's network, where a linked container listens), written beside the container's log — outside the task's
     * folder, where the task cannot change it — to be shown read-only at {@code /etc/hosts}.
     */
    private static Path hostsWithLinks(ContainerLaunch launch) throws IOException {
        String machine = Files.exists(HOSTS) ? Files.readString(HOSTS, StandardCharsets.UTF_8) : "";
        StringBuilder hosts = new StringBuilder(machine);
        if (!machine.isEmpty() && !machine.endsWith("\n")) {
            hosts.append('\n');
        }
        hosts.append("127.0.0.1\t").append(String.join(" ", launch.spec().linkAliases())).append('\n');
        Path file = launch.logFile().resolveSibling(launch.containerName() + ".hosts");
        Files.writeString(file, hosts, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    // ---- starting ------------------------------------------------------------------------------------

    @Override
    public void prepare(ContainerLaunch launch) throws IOException {
        ready();
        prepareFolders(launch.taskDirectory().toAbsolutePath().normalize(),
                launch.workingDirectory().toAbsolutePath().normalize());
        for (TaskRuntime.Mount mount : launch.mounts()) {
            if (mount.source() instanceof MountSource.TaskScratch scratch) {
                giveToTaskUser(scratch.folder());
            }
        }
    }

    @Override
    public RunningContainer start(ContainerLaunch launch) throws IOException {
        Availability.Ready ready = ready();
        Path taskDirectory = launch.taskDirectory().toAbsolutePath().normalize();
        Path workingDirectory = launch.workingDirectory().toAbsolutePath().normalize();
        List<String> argv = launch.argv().isEmpty() ? List.of(ready.sleep().toString(), "infinity") : launch.argv();
        SandboxPlan unmounted = new SandboxPlan(settings.homes(), toolFolders, hiddenFolders(), taskDirectory,
                workingDirectory, settings.privileged(), enterable(), List.of());
        List<SandboxPlan.Bind> binds = new ArrayList<>(SandboxMounts.binds(launch.mounts(),
                mountRules(ready, taskDirectory, unmounted)));
        if (launch.spec() != null && !launch.spec().linkAliases().isEmpty()) {
            binds.add(new SandboxPlan.Bind(hostsWithLinks(launch), HOSTS, true));
        }
        SandboxPlan plan = new SandboxPlan(settings.homes(), toolFolders, hiddenFolders(), taskDirectory,
                workingDirectory, settings.privileged(), enterable(), binds);
        LaunchEnvironment environment = LaunchEnvironment.of(launch.environment());
        List<String> command = new ArrayList<>();
        command.add(ready.bwrap().toString());
        command.addAll(plan.arguments());
        command.add("--");
        command.addAll(dropPrivileges(ready));
        command.addAll(environment.wrap(ready.env(), argv));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(launch.logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(NO_INPUT));
        builder.environment().clear();
        builder.environment().putAll(environment.launcher());
        return new Sandboxed(startFromLauncher(builder), launch, ready);
    }

    private Process startFromLauncher(ProcessBuilder builder) throws IOException {
        try {
            return launcher.submit(builder::start).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the container", e);
        }
    }

    /**
     * The task's folder belongs to the task user (mode 0700) so the task can write its HOME. A working directory
     * inside the task's folder, and the folders on the way to it, are the task user's too (made here when
     * missing); one elsewhere must exist on this machine. Links are not followed: nothing of the task ran yet,
     * and a link found here was not made by crossrole.
     */
    private void prepareFolders(Path taskDirectory, Path workingDirectory) throws IOException {
        Files.createDirectories(taskDirectory);
        giveToTaskUser(taskDirectory);
        if (workingDirectory.startsWith(taskDirectory)) {
            for (Path folder : SandboxPlan.ancestors(workingDirectory.resolve("x"))) {
                if (folder.startsWith(taskDirectory) && !folder.equals(taskDirectory)) {
                    if (Files.isSymbolicLink(folder)) {
                        throw new IOException("the working directory " + workingDirectory + " passes through a link");
                    }
                    if (!Files.isDirectory(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectory(folder);
                    }
                    giveToTaskUser(folder);
                }
            }
        }
    }

    private void giveToTaskUser(Path folder) throws IOException {
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        if (settings.privileged()) {
            Files.setAttribute(folder, "unix:uid", settings.user().uid(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(folder, "unix:gid", settings.user().gid(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** What {@link SandboxMounts} checks a container's mount points against, for this task's sandbox. */
    private SandboxMounts.Rules mountRules(Availability.Ready ready, Path taskDirectory, SandboxPlan plan) {
        List<SandboxMounts.Hidden> hidden = new ArrayList<>();
        for (int i = 0; i < settings.hidden().size(); i++) {
            String what = i == 0 ? "crossrole's data directory" : "crossrole's S3 blob folder";
            for (Path form : forms(settings.hidden().get(i))) {
                hidden.add(new SandboxMounts.Hidden(form, what, false));
            }
        }
        for (Path home : settings.homes()) {
            if (home.getParent() != null) {
                for (Path form : forms(home)) {
                    hidden.add(new SandboxMounts.Hidden(form, "the home folder of crossrole's user", true));
                }
            }
        }
        List<Path> tools = new ArrayList<>();
        for (Path tool : toolFolders) {
            tools.addAll(forms(tool));
        }
        List<Path> system = systemFolders;
        if (system == null) {
            system = SandboxMounts.systemFolders(List.of(ready.setpriv()), Path.of("/etc/ld.so.conf"));
            systemFolders = system;
        }
        return new SandboxMounts.Rules(hidden, tools, taskDirectory, system, plan::madeBySandbox,
                new HostAccess(settings.user(), settings.privileged(), TaskUser.Self.ofThisProcess().uid()));
    }

    /** A path as configured (absolute, normalized) and, when it exists, as its real path. */
    private static List<Path> forms(Path path) {
        Path plain = path.toAbsolutePath().normalize();
        try {
            Path real = path.toRealPath();
            return real.equals(plain) ? List.of(plain) : List.of(plain, real);
        } catch (IOException e) {
            return List.of(plain);
        }
    }

    /** The hidden folders that exist (a blob folder not made yet has nothing to hide, and bwrap could not mount it). */
    private List<Path> hiddenFolders() {
        List<Path> out = new ArrayList<>();
        for (Path folder : settings.hidden()) {
            if (folder != null && Files.isDirectory(folder)) {
                try {
                    out.add(folder.toRealPath());
                } catch (IOException e) {
                    out.add(folder.toAbsolutePath().normalize());
                }
            }
        }
        return out;
    }

    /** Whether the task user may pass through a host folder (owner, group, then other execute bit). */
    private Predicate<Path> enterable() {
        TaskUser user = settings.user();
        if (!settings.privileged() || user.root()) {
            return folder -> true;
        }
        return folder -> {
            try {
                int mode = (Integer) Files.getAttribute(folder, "unix:mode");
                int owner = (Integer) Files.getAttribute(folder, "unix:uid");
                int group = (Integer) Files.getAttribute(folder, "unix:gid");
                int bit = owner == user.uid() ? 0100 : group == user.gid() ? 0010 : 0001;
                return (mode & bit) != 0;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        };
    }

    // ---- a running sandbox -----------------------------------------------------------------------------

    /**
     * A container's sandbox: {@code process} is the outer bwrap, whose only child is the init of the sandbox's
     * PID namespace (bwrap's reaper), whose child is the command. Stopping sends SIGTERM to the command and what
     * it started (the init only takes SIGKILL from outside); when the command ends the init ends, and the kernel
     * kills whatever else is left in the namespace, exec'd commands included.
     */
    private final class Sandboxed implements RunningContainer {
        private final Process process;
        private final ContainerLaunch launch;
        private final Availability.Ready ready;
        private final CompletableFuture<Integer> exit;

        Sandboxed(Process process, ContainerLaunch launch, Availability.Ready ready) {
            this.process = process;
            this.launch = launch;
            this.ready = ready;
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
            if (commandStarted()) {
                process.descendants().forEach(ProcessHandle::destroy);
            } else {
                // The sandbox is still being made: its future init would drop a SIGTERM from outside, and ending
                // bwrap now could orphan a child that has not yet tied itself to bwrap's life. Wait (briefly) for
                // the command, then signal it.
                Thread waiter = new Thread(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (process.isAlive() && !commandStarted() && System.nanoTime() < deadline) {
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    process.descendants().forEach(ProcessHandle::destroy);
                }, "crossrole-sandbox-stop");
                waiter.setDaemon(true);
                waiter.start();
            }
            killer.schedule(() -> {
                if (process.isAlive()) {
                    // The sandbox's processes first (SIGKILL reaches its init from outside), then bwrap.
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            }, Math.max(0, grace.toMillis()), TimeUnit.MILLISECONDS);
        }

        /** Whether the sandbox is made and its command started: bwrap's init has a child. */
        private boolean commandStarted() {
            Optional<ProcessHandle> init = process.children().findFirst();
            return init.isPresent() && init.get().children().findAny().isPresent();
        }

        @Override
        public ExecSession exec(ExecLaunch exec) throws IOException {
            long init = namespaceInit();
            List<String> command = new ArrayList<>(List.of(ready.nsenter().toString(), "--target", String.valueOf(init)));
            if (!settings.privileged()) {
                command.addAll(List.of("--user", "--preserve-credentials"));
            }
            // --wd without a folder: the init's working directory, inside the sandbox (a folder named here would be
            // opened outside it).
            command.addAll(List.of("--pid", "--mount", "--ipc", "--uts", "--wd", "--"));
            if (settings.privileged()) {
                command.addAll(dropPrivileges(ready));
            } else {
                // nsenter holds every capability of the sandbox's user namespace; the command gets none.
                command.addAll(List.of(ready.setpriv().toString(), "--inh-caps=-all", "--bounding-set=-all",
                        "--no-new-privs", "--"));
            }
            LaunchEnvironment environment = LaunchEnvironment.of(ExecProcess.environment(launch.environment(),
                    exec.terminal()));
            if (exec.terminal() == null) {
                command.addAll(environment.wrap(ready.env(), exec.argv()));
            } else {
                if (ready.script() == null) {
                    throw new IOException(terminalUnavailable().orElseThrow());
                }
                String line = ExecProcess.terminalLine(exec.terminal(), exec.argv(), launch.environment());
                if (settings.privileged()) {
                    // The sandbox has terminals of its own (bwrap's /dev): the terminal is made inside.
                    command.addAll(environment.wrap(ready.env(), ExecProcess.onTerminal(ready.script(), line)));
                } else {
                    // Without root the sandbox sees no terminal of the host (their keystrokes would be readable):
                    // the terminal is made outside, and the command inside gets it as its standard streams.
                    command.addAll(environment.wrap(ready.env(), List.of("/bin/sh", "-c", line)));
                    command = new ArrayList<>(ExecProcess.onTerminal(ready.script(), ExecProcess.words(command)));
                }
            }
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().clear();
            builder.environment().putAll(environment.launcher());
            if (!exec.interactive()) {
                builder.redirectInput(ProcessBuilder.Redirect.from(NO_INPUT));
            }
            return new ExecProcess(builder.start(), exec.terminal() != null, ready.stty(), true);
        }

        /** The host pid of the sandbox's init, waiting briefly for a sandbox that is still being made. */
        private long namespaceInit() throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (process.isAlive()) {
                Optional<ProcessHandle> init = process.children().findFirst();
                if (init.isPresent() && commandStarted()) {
                    return init.get().pid();
                }
                if (System.nanoTime() > deadline) {
                    break;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the container's sandbox");
                }
            }
            throw new IOException("the container's process has ended");
        }
    }
}
