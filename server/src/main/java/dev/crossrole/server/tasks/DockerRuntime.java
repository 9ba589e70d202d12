package dev.crossrole.server.tasks;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs each container of a task as a container of a Docker Engine API server — Docker, or Podman's service — from
 * the image its definition names, as the ECS agent does on an EC2 instance: named {@code ecs-<family>-<revision>-
 * <container>-<suffix>} and labelled with the task, so that {@code docker ps} and {@code docker exec} find it as AWS's
 * guides say.
 *
 * <p>Containers join the host's network namespace, whatever the task's network mode: the AWS SDKs fetch container
 * credentials over plain HTTP only from a loopback address (or ECS's link-local ones, which would need routes on this
 * machine), and crossrole's endpoint is on loopback. The containers of a task therefore reach each other on
 * {@code localhost}, as on {@code awsvpc}, and a container port is reachable on this machine at the same number.
 *
 * <p>A container sees its image and its mount points, never crossrole's data directory: a host volume that holds it,
 * lies in it, or holds the engine's socket is refused.
 */
public final class DockerRuntime implements TaskRuntime {
    private static final Logger LOG = Logger.getLogger(DockerRuntime.class.getName());
    /** Labels the ECS agent puts on a task's containers. */
    public static final String TASK_ARN_LABEL = "com.amazonaws.ecs.task-arn";
    public static final String CONTAINER_NAME_LABEL = "com.amazonaws.ecs.container-name";
    public static final String CLUSTER_LABEL = "com.amazonaws.ecs.cluster";
    public static final String FAMILY_LABEL = "com.amazonaws.ecs.task-definition-family";
    public static final String REVISION_LABEL = "com.amazonaws.ecs.task-definition-version";
    /** Which crossrole (by its data directory) made a container: only its own are removed as leftovers. */
    public static final String OWNER_LABEL = "dev.crossrole.owner";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Writes docker-java's statistics back in the engine's field names, leaving out what it did not send. */
    private static final com.fasterxml.jackson.databind.ObjectMapper STATS_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper()
                    .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

    /**
     * Paths no container may have from this machine whatever crossrole's settings: the engines' sockets and their
     * folders (a task holding one runs any container it likes), and the kernel's views — the host's {@code /proc} holds
     * {@code /proc/1/root}, this machine's whole file system; {@code /dev} its disks.
     */
    static final List<Path> ENGINE_AND_KERNEL_PATHS = List.of(Path.of("/var/run/docker.sock"),
            Path.of("/run/docker.sock"), Path.of("/run/podman"), Path.of("/var/run/podman"), Path.of("/run/containerd"),
            Path.of("/var/run/containerd"), Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));

    private final DockerClient docker;
    private final URI host;
    private final String engine;
    private final String owner;
    /** Paths of this machine no container may see: crossrole's data, its users' homes, the engine's socket. */
    private final List<Path> hidden;
    private final Limits defaultLimits;

    private DockerRuntime(DockerClient docker, URI host, String engine, String owner, List<Path> hidden) {
        this.docker = docker;
        this.host = host;
        this.engine = engine;
        this.owner = owner;
        this.hidden = hidden;
        this.defaultLimits = Limits.ofThisProcess();
    }

    /**
     * The engine at {@code host} ({@code unix:///var/run/docker.sock}, {@code tcp://127.0.0.1:2375}), when it answers
     * its {@code /_ping}; empty, with the reason, when it does not.
     *
     * @param dataDirectory crossrole's data directory: it names the containers' owner and is hidden from them
     * @param hidden further paths no container may see
     */
    public static Connection connect(String host, Path dataDirectory, List<Path> hidden) {
        URI uri;
        try {
            uri = URI.create(host);
        } catch (IllegalArgumentException e) {
            return new Connection(null, "DOCKER_HOST " + host + " is not a URI: " + e.getMessage());
        }
        if (!"unix".equals(uri.getScheme()) && !"tcp".equals(uri.getScheme())) {
            return new Connection(null, "DOCKER_HOST " + host + " is neither unix:// nor tcp://");
        }
        if ("unix".equals(uri.getScheme()) && !Files.exists(Path.of(uri.getPath()))) {
            return new Connection(null, "no container engine socket at " + uri.getPath());
        }
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host).withDockerTlsVerify(false).build();
        ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                .maxConnections(64).connectionTimeout(Duration.ofSeconds(5)).build();
        DockerClient docker = DockerClientImpl.getInstance(config, http);
        String engine;
        try {
            docker.pingCmd().exec();
            var version = docker.versionCmd().exec();
            boolean podman = version.getComponents() != null && version.getComponents().stream()
                    .anyMatch(c -> c.getName() != null && c.getName().toLowerCase(java.util.Locale.ROOT).contains("podman"));
            engine = (podman ? "Podman " : "Docker ") + version.getVersion();
        } catch (RuntimeException e) {
            try {
                docker.close();
            } catch (IOException ignored) {
                // nothing held yet
            }
            return new Connection(null, "the container engine at " + host + " does not answer: " + e.getMessage());
        }
        List<Path> paths = new ArrayList<>(hidden);
        paths.add(dataDirectory.toAbsolutePath().normalize());
        if ("unix".equals(uri.getScheme())) {
            paths.add(Path.of(uri.getPath()).toAbsolutePath().normalize());
        }
        paths.addAll(ENGINE_AND_KERNEL_PATHS);
        return new Connection(new DockerRuntime(docker, uri, engine, ownerOf(dataDirectory), List.copyOf(paths)), null);
    }

    /** An engine, or why there is none. */
    public record Connection(DockerRuntime runtime, String unavailable) {}

    /** The engine crossrole talks to: {@code DOCKER_HOST}, else Docker's default socket. */
    public static String defaultHost(Map<String, String> environment) {
        String configured = environment.get("DOCKER_HOST");
        return configured == null || configured.isBlank() ? "unix:///var/run/docker.sock" : configured;
    }

    static String ownerOf(Path dataDirectory) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(dataDirectory.toAbsolutePath().normalize()
                    .toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String name() {
        return "docker (" + engine + " at " + host + ")";
    }

    /**
     * Removes the containers a crossrole of the same data directory left running (it stopped without stopping its
     * tasks: a crash, a kill); their tasks are reported stopped by the ECS state.
     *
     * @return how many were removed
     */
    public int removeLeftovers() {
        int removed = 0;
        for (Container container : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(OWNER_LABEL, owner)).exec()) {
            try {
                docker.removeContainerCmd(container.getId()).withForce(true).withRemoveVolumes(true).exec();
                removed++;
            } catch (NotFoundException e) {
                // gone meanwhile
            }
        }
        try {
            var volumes = docker.listVolumesCmd().withFilter("label", List.of(OWNER_LABEL + "=" + owner,
                    VOLUME_SCOPE_LABEL + "=task")).exec().getVolumes();
            if (volumes != null) {
                volumes.stream().filter(this::taskScopedOwn).forEach(volume -> removeVolume(volume.getName()));
            }
        } catch (DockerException e) {
            LOG.log(Level.WARNING, "cannot list the task-scoped volumes left behind", e);
        }
        return removed;
    }

    @Override
    public void prepare(ContainerLaunch launch) throws IOException {
        if (launch.spec() == null) {
            throw new IOException("the docker runtime needs the container's definition");
        }
        for (Mount mount : launch.mounts()) {
            if (mount.source() instanceof MountSource.HostPath hostPath) {
                refuseHidden(hostPath.path(), mount.volume());
            }
        }
    }

    /** A host volume that would show crossrole's data, a home or the engine's socket to the task. */
    void refuseHidden(String path, String volume) throws IOException {
        Path wanted = Path.of(path).toAbsolutePath().normalize();
        Path real = wanted;
        try {
            real = wanted.toRealPath();
        } catch (IOException e) {
            // a path that does not exist yet is compared as written
        }
        for (Path secret : hidden) {
            Path realSecret = secret;
            try {
                realSecret = secret.toRealPath();
            } catch (IOException e) {
                // compared as configured
            }
            for (Path candidate : List.of(wanted, real)) {
                if (candidate.startsWith(realSecret) || realSecret.startsWith(candidate)
                        || candidate.startsWith(secret) || secret.startsWith(candidate)) {
                    throw new ContainerStartFailure("CannotStartContainerError", "volume '" + volume + "': the host path "
                            + path + " would show the task what crossrole keeps from tasks (" + secret + ")");
                }
            }
        }
    }

    @Override
    public RunningContainer start(ContainerLaunch launch) throws IOException {
        return start(launch, created -> { });
    }

    @Override
    public RunningContainer start(ContainerLaunch launch, java.util.function.Consumer<RunningContainer> created)
            throws IOException {
        ContainerSpec spec = launch.spec();
        ensureImage(launch.image());
        String name = containerName(spec, launch.containerName());
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(TASK_ARN_LABEL, spec.taskArn());
        labels.put(CONTAINER_NAME_LABEL, launch.containerName());
        labels.put(CLUSTER_LABEL, spec.cluster());
        labels.put(FAMILY_LABEL, spec.family());
        labels.put(REVISION_LABEL, String.valueOf(spec.revision()));
        labels.put(OWNER_LABEL, owner);
        List<String> environment = new ArrayList<>();
        spec.environment().forEach((key, value) -> environment.add(key + "=" + value));
        HostConfig hostConfig = HostConfig.newHostConfig().withNetworkMode("host").withBinds(binds(launch))
                .withUlimits(ulimits(spec)).withReadonlyRootfs(spec.readonlyRootFilesystem());
        if (spec.initProcessEnabled()) {
            hostConfig.withInit(true);
        }
        if (!spec.linkAliases().isEmpty()) {
            // The task's containers share this machine's network: a linked container listens on its loopback.
            hostConfig.withExtraHosts(spec.linkAliases().stream().map(alias -> alias + ":127.0.0.1")
                    .toArray(String[]::new));
        }
        if (spec.memoryMiB() != null) {
            hostConfig.withMemory(spec.memoryMiB() * 1024 * 1024);
        }
        if (spec.memoryReservationMiB() != null) {
            hostConfig.withMemoryReservation(spec.memoryReservationMiB() * 1024 * 1024);
        }
        if (spec.cpuUnits() > 0) {
            hostConfig.withCpuShares(Math.max(2, spec.cpuUnits())); // the engine's least; ECS's agent does the same
        }
        CreateContainerCmd create = docker.createContainerCmd(launch.image()).withName(name).withLabels(labels)
                .withEnv(environment).withHostConfig(hostConfig);
        if (spec.entryPoint() != null) {
            create.withEntrypoint(spec.entryPoint());
        }
        if (spec.command() != null) {
            create.withCmd(spec.command());
        }
        if (spec.workingDirectory() != null) {
            create.withWorkingDir(spec.workingDirectory());
        }
        if (spec.user() != null) {
            create.withUser(spec.user());
        }
        String id;
        try {
            id = create.exec().getId();
        } catch (DockerException e) {
            throw new ContainerStartFailure("CannotCreateContainerError", engineMessage(e));
        }
        DockerContainer container = new DockerContainer(id, name, imageId(launch.image()), launch.logFile());
        created.accept(container);
        try {
            docker.startContainerCmd(id).exec();
        } catch (DockerException e) {
            remove(id);
            throw new ContainerStartFailure("CannotStartContainerError", engineMessage(e));
        }
        container.follow();
        return container;
    }

    /** The image, pulled by the engine when it does not have it. */
    private void ensureImage(String image) throws IOException {
        try {
            docker.inspectImageCmd(image).exec();
            return;
        } catch (NotFoundException e) {
            // pulled below
        } catch (DockerException e) {
            throw new ContainerStartFailure("CannotPullContainerError", engineMessage(e));
        }
        try {
            String[] reference = splitReference(image);
            var pull = docker.pullImageCmd(reference[0]);
            if (reference[1] != null) {
                pull.withTag(reference[1]);
            }
            // The engine streams its progress; an error comes as an item (Podman's lack the status docker-java's own
            // callback expects, so it is not used).
            StringBuilder errors = new StringBuilder();
            ResultCallback.Adapter<PullResponseItem> progress = new ResultCallback.Adapter<>() {
                @Override
                public void onNext(PullResponseItem item) {
                    if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
                        errors.append(item.getErrorDetail().getMessage());
                    } else if (item.getError() != null) {
                        errors.append(item.getError());
                    }
                }
            };
            if (!pull.exec(progress).awaitCompletion(10, TimeUnit.MINUTES)) {
                throw new ContainerStartFailure("CannotPullContainerError", "pull image " + image
                        + ": not done in 10 minutes");
            }
            if (errors.length() > 0) {
                throw new ContainerStartFailure("CannotPullContainerError", "pull image " + image + ": " + errors);
            }
            docker.inspectImageCmd(image).exec();
        } catch (DockerException e) {
            throw new ContainerStartFailure("CannotPullContainerError", "pull image " + image + ": " + engineMessage(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerStartFailure("CannotPullContainerError", "pull image " + image + ": interrupted");
        }
    }

    @Override
    public boolean runsImages() {
        return true;
    }

    /**
     * Loads an image ECS's agent pulled from crossrole's registry through the engine's {@code POST /images/load}, as a
     * docker-archive. The agent pulls (with the execution role, through crossrole's endpoint) rather than the engine:
     * an engine pulls over plain HTTP only from registries it was configured to trust (Podman's registries.conf,
     * Docker's insecure-registries), which crossrole cannot set, and would not show crossrole's decisions; loading
     * needs nothing of the engine's settings, and both engines take this archive.
     */
    @Override
    public String load(PulledImage image) throws IOException {
        Path archive = Files.createTempFile(image.folder(), "image-", ".tar");
        try {
            try (OutputStream out = Files.newOutputStream(archive)) {
                DockerArchive.write(image, out);
            }
            try (InputStream in = Files.newInputStream(archive)) {
                docker.loadImageCmd(in).exec();
            }
            docker.inspectImageCmd(image.name()).exec();
            return image.name();
        } catch (DockerException e) {
            throw new ContainerStartFailure("CannotPullContainerError", "failed to load image " + image.name()
                    + " into the engine: " + engineMessage(e));
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    /** The image's id as the engine names it ({@code sha256:…}); {@code null} if it cannot say. */
    private String imageId(String image) {
        try {
            String id = docker.inspectImageCmd(image).exec().getId();
            return id == null || id.startsWith("sha256:") ? id : "sha256:" + id;
        } catch (DockerException e) {
            return null;
        }
    }

    /** {@code [repository, tag]}: the tag is what follows the last ':' after the last '/'; a digest is kept whole. */
    static String[] splitReference(String image) {
        if (image.contains("@")) {
            return new String[] {image, null};
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (colon > slash) {
            return new String[] {image.substring(0, colon), image.substring(colon + 1)};
        }
        return new String[] {image, "latest"};
    }

    /** The ECS agent's name for a container: {@code ecs-<family>-<revision>-<container>-<20 hex digits>}. */
    static String containerName(ContainerSpec spec, String container) {
        byte[] suffix = new byte[10];
        RANDOM.nextBytes(suffix);
        return "ecs-" + spec.family() + "-" + spec.revision() + "-" + container + "-" + HexFormat.of().formatHex(suffix);
    }

    private List<Bind> binds(ContainerLaunch launch) throws IOException {
        List<Bind> binds = new ArrayList<>();
        for (Mount mount : launch.mounts()) {
            String source;
            if (mount.source() instanceof MountSource.HostPath hostPath) {
                source = hostPath.path();
            } else if (mount.source() instanceof MountSource.TaskScratch scratch) {
                source = scratch.folder().toString();
            } else {
                MountSource.EngineVolume volume = (MountSource.EngineVolume) mount.source();
                ensureVolume(mount.volume(), volume, launch.spec().taskArn());
                source = volume.engineName(); // a name, not a path: the engine's volume
            }
            binds.add(new Bind(source, new Volume(mount.containerPath()), mount.readOnly() ? AccessMode.ro : AccessMode.rw));
        }
        return binds;
    }

    @Override
    public boolean providesEngineVolumes() {
        return true;
    }

    /** Labels a task-scoped volume: removed with its task, or as a leftover. */
    static final String VOLUME_SCOPE_LABEL = "dev.crossrole.volume-scope";

    /**
     * Makes the engine's volume when it does not exist: a task-scoped one always, a shared one when it autoprovisions
     * (else the container cannot be made, as on ECS).
     */
    private void ensureVolume(String name, MountSource.EngineVolume volume, String taskArn) throws IOException {
        try {
            docker.inspectVolumeCmd(volume.engineName()).exec();
            return;
        } catch (NotFoundException e) {
            // made below
        } catch (DockerException e) {
            throw new ContainerStartFailure("CannotCreateContainerError", engineMessage(e));
        }
        if (!volume.taskScoped() && !volume.autoprovision()) {
            throw new ContainerStartFailure("CannotCreateContainerError", "volume '" + name + "' is a shared docker"
                    + " volume that does not exist (" + volume.engineName() + ") and does not autoprovision");
        }
        Map<String, String> labels = new LinkedHashMap<>(volume.labels());
        labels.put(OWNER_LABEL, owner);
        labels.put(VOLUME_SCOPE_LABEL, volume.taskScoped() ? "task" : "shared");
        if (volume.taskScoped()) {
            labels.put(TASK_ARN_LABEL, taskArn);
        }
        try {
            docker.createVolumeCmd().withName(volume.engineName()).withDriver("local")
                    .withDriverOpts(volume.driverOptions()).withLabels(labels).exec();
        } catch (com.github.dockerjava.api.exception.ConflictException e) {
            // another container of the task made it meanwhile
        } catch (DockerException e) {
            throw new ContainerStartFailure("CannotCreateContainerError", "volume '" + name + "': " + engineMessage(e));
        }
    }

    /** Removes the task's task-scoped volumes; one still in use (a container being removed) is tried again. */
    @Override
    public void taskStopped(String taskArn) {
        List<com.github.dockerjava.api.command.InspectVolumeResponse> volumes;
        try {
            volumes = docker.listVolumesCmd().withFilter("label", List.of(OWNER_LABEL + "=" + owner,
                    VOLUME_SCOPE_LABEL + "=task", TASK_ARN_LABEL + "=" + taskArn)).exec().getVolumes();
        } catch (DockerException e) {
            LOG.log(Level.WARNING, "cannot list the volumes of task " + taskArn, e);
            return;
        }
        for (var volume : volumes == null ? List.<com.github.dockerjava.api.command.InspectVolumeResponse>of() : volumes) {
            if (taskScopedOwn(volume) && taskArn.equals(volume.getLabels().get(TASK_ARN_LABEL))) {
                removeVolume(volume.getName());
            }
        }
    }

    /**
     * Whether a listed volume is a task-scoped one of this crossrole, by its labels: an engine may apply only some of
     * several label filters (Podman 4.3 does), and a shared volume must never be taken for one.
     */
    private boolean taskScopedOwn(com.github.dockerjava.api.command.InspectVolumeResponse volume) {
        Map<String, String> labels = volume.getLabels() == null ? Map.of() : volume.getLabels();
        return owner.equals(labels.get(OWNER_LABEL)) && "task".equals(labels.get(VOLUME_SCOPE_LABEL));
    }

    private void removeVolume(String name) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                docker.removeVolumeCmd(name).exec();
                return;
            } catch (NotFoundException e) {
                return;
            } catch (DockerException e) {
                if (System.nanoTime() > deadline) {
                    LOG.log(Level.WARNING, "cannot remove volume " + name, e);
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * The definition's ulimits; {@code nofile} and {@code nproc} not named there are crossrole's own, so that an
     * engine's defaults above them (Podman's) do not keep the container from starting.
     */
    private List<com.github.dockerjava.api.model.Ulimit> ulimits(ContainerSpec spec) {
        Map<String, com.github.dockerjava.api.model.Ulimit> byName = new LinkedHashMap<>();
        byName.put("nofile", new com.github.dockerjava.api.model.Ulimit("nofile", defaultLimits.nofileSoft,
                defaultLimits.nofileHard));
        byName.put("nproc", new com.github.dockerjava.api.model.Ulimit("nproc", defaultLimits.nprocSoft,
                defaultLimits.nprocHard));
        for (Ulimit ulimit : spec.ulimits()) {
            byName.put(ulimit.name(), new com.github.dockerjava.api.model.Ulimit(ulimit.name(), ulimit.softLimit(),
                    ulimit.hardLimit()));
        }
        return new ArrayList<>(byName.values());
    }

    /**
     * This process's open-file and process limits ({@code /proc/self/limits}); 1024 where they cannot be read. The
     * process limit is capped: runc under Podman 4.3 could not set 50,000 or more here (it could 32,768).
     */
    record Limits(long nofileSoft, long nofileHard, long nprocSoft, long nprocHard) {
        private static final long NPROC_CAP = 32768;

        static Limits ofThisProcess() {
            long[] nofile = {1024, 1024};
            long[] nproc = {1024, 1024};
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                    if (line.startsWith("Max open files")) {
                        nofile = values(line, nofile, 1048576);
                    } else if (line.startsWith("Max processes")) {
                        nproc = values(line, nproc, NPROC_CAP);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux: the defaults
            }
            return new Limits(nofile[0], nofile[1], nproc[0], nproc[1]);
        }

        private static long[] values(String line, long[] fallback, long cap) {
            String[] words = line.substring(26).trim().split("\\s+");
            try {
                long soft = words[0].equals("unlimited") ? cap : Long.parseLong(words[0]);
                long hard = words[1].equals("unlimited") ? cap : Long.parseLong(words[1]);
                return new long[] {Math.min(soft, cap), Math.min(hard, cap)};
            } catch (RuntimeException e) {
                return fallback;
            }
        }
    }

    private void remove(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (DockerException e) {
            LOG.log(Level.WARNING, "cannot remove container " + id, e);
        }
    }

    private static String engineMessage(DockerException e) {
        String message = e.getMessage();
        // docker-java prefixes the status ("Status 404: {...}"); the engine's JSON message is what a person needs.
        int at = message == null ? -1 : message.indexOf("\"message\":\"");
        if (at >= 0) {
            int end = message.indexOf('"', at + 11);
            if (end > at) {
                return message.substring(at + 11, end).replace("\\\"", "\"");
            }
        }
        return message == null ? e.getClass().getSimpleName() : message.strip();
    }

    /** Information the engine keeps about a container, for the task metadata endpoint. */
    public record Inspection(String id, String name, String imageId, String created) {}

    /** The engine's record of a container, or empty when it is gone. */
    public Optional<Inspection> inspect(String id) {
        try {
            var inspected = docker.inspectContainerCmd(id).exec();
            String name = inspected.getName() == null ? null : inspected.getName().replaceFirst("^/", "");
            return Optional.of(new Inspection(inspected.getId(), name, inspected.getImageId(), inspected.getCreated()));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /** A container of the engine: its exit awaited and its output appended to the container's log file. */
    private final class DockerContainer implements RunningContainer {
        private final String id;
        private final String name;
        private final String imageId;
        private final Path logFile;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        private final CompletableFuture<Void> logsDone = new CompletableFuture<>();

        DockerContainer(String id, String name, String imageId, Path logFile) {
            this.id = id;
            this.name = name;
            this.imageId = imageId;
            this.logFile = logFile;
        }

        @Override
        public String engineName() {
            return name;
        }

        @Override
        public String imageId() {
            return imageId;
        }

        /**
         * The engine's statistics. Right after a container starts, Podman answers a sample it has not read from the
         * container's cgroup yet (no usage, this machine's memory as the limit, no {@code precpu_stats}); such a sample
         * is read again, for up to three seconds (a busy machine's engine takes that long), as the ECS agent serves only
         * the samples it has collected.
         */
        @Override
        public Optional<com.fasterxml.jackson.databind.node.ObjectNode> engineStats() {
            Optional<com.fasterxml.jackson.databind.node.ObjectNode> stats = Optional.empty();
            for (int attempt = 0; attempt < 30; attempt++) {
                stats = oneReading();
                if (stats.isEmpty() || stats.get().path("memory_stats").path("usage").asLong() > 0
                        || stats.get().path("cpu_stats").path("cpu_usage").path("total_usage").asLong() > 0) {
                    return stats;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return stats;
                }
            }
            return stats;
        }

        private Optional<com.fasterxml.jackson.databind.node.ObjectNode> oneReading() {
            // One reading (the engine waits for a second sample to fill precpu_stats), in the engine's own JSON names.
            CompletableFuture<com.github.dockerjava.api.model.Statistics> reading = new CompletableFuture<>();
            try (ResultCallback.Adapter<com.github.dockerjava.api.model.Statistics> callback =
                         docker.statsCmd(id).withNoStream(true).exec(new ResultCallback.Adapter<>() {
                             @Override
                             public void onNext(com.github.dockerjava.api.model.Statistics statistics) {
                                 reading.complete(statistics);
                             }

                             @Override
                             public void onComplete() {
                                 reading.complete(null);
                             }

                             @Override
                             public void onError(Throwable error) {
                                 reading.complete(null);
                             }
                         })) {
                com.github.dockerjava.api.model.Statistics statistics = reading.get(5, TimeUnit.SECONDS);
                // An engine that fails answers an error body, which docker-java reads as statistics without a time
                // (Podman 4.3 does so for a container with a memory reservation and no memory limit).
                return statistics == null || statistics.getRead() == null ? Optional.empty()
                        : Optional.of(STATS_JSON.valueToTree(statistics));
            } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                     | DockerException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }

        void follow() {
            OutputStream log;
            try {
                log = Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot open " + logFile + " for container " + id, e);
                log = OutputStream.nullOutputStream();
            }
            OutputStream sink = log;
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            try {
                                sink.write(frame.getPayload());
                                sink.flush();
                            } catch (IOException e) {
                                LOG.log(Level.FINE, "cannot write the log of " + id, e);
                            }
                        }

                        @Override
                        public void onError(Throwable error) {
                            finish();
                        }

                        @Override
                        public void onComplete() {
                            finish();
                        }

                        private void finish() {
                            try {
                                sink.close();
                            } catch (IOException ignored) {
                                // the log is as complete as it got
                            }
                            logsDone.complete(null);
                        }
                    });
            daemon("container-" + id.substring(0, Math.min(12, id.length())), () -> {
                int code;
                try {
                    code = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback()).awaitStatusCode();
                } catch (RuntimeException e) {
                    code = inspect(id).isPresent() ? exitCodeOf(id) : 137;
                }
                int finalCode = code;
                // The output to its end before the container (and with it the engine's copy of the logs) is removed.
                logsDone.orTimeout(10, TimeUnit.SECONDS).whenComplete((done, error) -> {
                    remove(id);
                    exit.complete(finalCode);
                });
            });
        }

        private int exitCodeOf(String container) {
            try {
                Long code = docker.inspectContainerCmd(container).exec().getState().getExitCodeLong();
                return code == null ? 137 : code.intValue();
            } catch (DockerException e) {
                return 137;
            }
        }

        @Override
        public String runtimeId() {
            return id;
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public void stop(Duration grace) {
            daemon("stop-" + id.substring(0, Math.min(12, id.length())), () -> {
                try {
                    // The engine sends the image's stop signal (SIGTERM), then SIGKILL after the timeout.
                    docker.stopContainerCmd(id).withTimeout((int) Math.max(0, grace.toSeconds())).exec();
                } catch (NotModifiedException | NotFoundException e) {
                    // already stopped
                } catch (DockerException e) {
                    LOG.log(Level.WARNING, "cannot stop container " + id + "; killing it", e);
                    remove(id);
                }
            });
        }

        @Override
        public ExecSession exec(ExecLaunch launch) throws IOException {
            return DockerExec.start(docker, host, id, launch);
        }
    }

    /** Runs a task on a daemon thread of its own (waiting on the engine blocks). */
    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A command run by the engine inside a container: created through docker-java, its stream taken over directly
     * ({@link EngineExecStream}) so that the end of its input reaches it.
     */
    private static final class DockerExec implements ExecSession {
        private final DockerClient docker;
        private final String execId;
        private final EngineExecStream stream;
        private final boolean interactive;
        private final PipedInputStream stdout = new PipedInputStream(65536);
        private final PipedInputStream stderr = new PipedInputStream(65536);
        private final PipedOutputStream stdoutSink;
        private final PipedOutputStream stderrSink;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        private DockerExec(DockerClient docker, String execId, EngineExecStream stream, boolean interactive)
                throws IOException {
            this.docker = docker;
            this.execId = execId;
            this.stream = stream;
            this.interactive = interactive;
            this.stdoutSink = new PipedOutputStream(stdout);
            this.stderrSink = new PipedOutputStream(stderr);
        }

        static DockerExec start(DockerClient docker, URI host, String container, ExecLaunch launch) throws IOException {
            boolean tty = launch.terminal() != null;
            ExecCreateCmdResponse created;
            try {
                var create = docker.execCreateCmd(container).withCmd(launch.argv().toArray(String[]::new))
                        .withAttachStdout(true).withAttachStderr(true).withAttachStdin(launch.interactive()).withTty(tty);
                if (tty) {
                    create.withEnv(List.of("TERM=" + launch.terminal().term()));
                }
                created = create.exec();
            } catch (DockerException e) {
                throw new IOException(engineMessage(e));
            }
            EngineExecStream stream = EngineExecStream.start(host, created.getId(), tty);
            DockerExec exec = new DockerExec(docker, created.getId(), stream, launch.interactive());
            if (!launch.interactive()) {
                stream.endInput(); // its input is empty
            }
            daemon("exec-" + created.getId().substring(0, Math.min(12, created.getId().length())), () -> {
                try {
                    if (tty) {
                        stream.output().transferTo(exec.stdoutSink); // a terminal has one output
                    } else {
                        EngineExecStream.demultiplex(stream.output(), exec.stdoutSink, exec.stderrSink);
                    }
                } catch (IOException e) {
                    // the connection ended: so did the command, or it was killed
                } finally {
                    exec.finish();
                }
            });
            if (tty) {
                try {
                    exec.resize(launch.terminal().columns(), launch.terminal().rows());
                } catch (IOException e) {
                    // the command runs with the engine's size
                }
            }
            return exec;
        }

        private void finish() {
            try {
                stdoutSink.close();
                stderrSink.close();
                stream.close();
            } catch (IOException ignored) {
                // closed already
            }
            int code = 137;
            // The engine records the exit code a moment after the stream ends.
            for (int attempt = 0; attempt < 50; attempt++) {
                try {
                    var inspected = docker.inspectExecCmd(execId).exec();
                    if (!Boolean.TRUE.equals(inspected.isRunning()) && inspected.getExitCodeLong() != null) {
                        code = inspected.getExitCodeLong().intValue();
                        break;
                    }
                    Thread.sleep(20);
                } catch (DockerException e) {
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            exit.complete(code);
        }

        @Override
        public OutputStream stdin() {
            return interactive ? stream.input() : OutputStream.nullOutputStream();
        }

        @Override
        public InputStream stdout() {
            return stdout;
        }

        @Override
        public InputStream stderr() {
            return stderr;
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public void resize(int columns, int rows) throws IOException {
            try {
                docker.resizeExecCmd(execId).withSize(rows, columns).exec();
            } catch (DockerException e) {
                throw new IOException(engineMessage(e));
            }
        }

        @Override
        public void kill() {
            try {
                stream.close(); // the engine ends the exec's session when its connection closes
            } catch (IOException ignored) {
                // closed already
            }
        }
    }
}
