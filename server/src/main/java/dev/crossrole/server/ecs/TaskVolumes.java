package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.store.PrivateFiles;
import dev.crossrole.server.tasks.TaskRuntime;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * A task definition's {@code volumes} and its containers' {@code mountPoints} and {@code volumesFrom}: checked at
 * RegisterTaskDefinition as ECS checks them, turned into each container's mounts at RunTask, and the task-scoped
 * volumes' folders made for a task and removed when it stops.
 *
 * <p>Two kinds of volume are provided, those of the EC2 launch type: a bind mount of a path of this machine
 * ({@code "host": {"sourcePath": "/abs/path"}}), and a task-scoped volume ({@code host} without
 * {@code sourcePath}, or no {@code host}), for which Docker would pick a host folder that the task's containers
 * share and that goes with the task. Whether a host path may be shown to a task is the runtime's decision (the
 * sandbox's rules are in {@code tasks.SandboxMounts}).
 */
final class TaskVolumes {
    private static final Logger LOG = Logger.getLogger(TaskVolumes.class.getName());
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** ECS's rule for volume names (the Volume shape's documentation in AWS's service model). */
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,255}");
    /** The kinds of volume besides {@code host}, as the Volume shape names them; crossrole provides none of them. */
    static final List<String> OTHER_KINDS = List.of("configuredAtLaunch", "dockerVolumeConfiguration",
            "efsVolumeConfiguration", "fsxWindowsFileServerVolumeConfiguration", "s3filesVolumeConfiguration");
    /** Beside a task's folder, not in it: the task owns its folder and could re-point anything inside. */
    private static final String SCRATCH_SUFFIX = ".volumes";

    private TaskVolumes() {}

    // ---- RegisterTaskDefinition ---------------------------------------------------------------------------

    /**
     * Checks the volumes and every container's mount points, as RegisterTaskDefinition does; answers the volumes
     * to record. The containers' {@code mountPoints} and {@code volumesFrom} are recorded as given.
     *
     * @param volumes the volumes as read by the model (the codec has checked every member's type)
     * @throws AwsException ECS's {@code ClientException}
     */
    static ArrayNode registered(ArrayNode volumes, ArrayNode containers, boolean fargate) {
        ArrayNode out = JSON.arrayNode();
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode volume : volumes) {
            String name = text(volume, "name");
            if (name == null || name.isEmpty()) {
                // crossrole's wording: ECS requires the name of every volume a mount point can name.
                throw EcsErrors.client("Volume.name should not be null or empty.");
            }
            if (!NAME.matcher(name).matches()) {
                // crossrole's wording of ECS's rule (the Volume shape's documentation).
                throw EcsErrors.client("Invalid volume name: " + name + ". Up to 255 letters (uppercase and lowercase),"
                        + " numbers, underscores, and hyphens are allowed.");
            }
            if (byName.put(name, volume) != null) {
                // crossrole's wording, as ECS words duplicate container names.
                throw EcsErrors.client("Duplicate volume names found in task definition: " + name);
            }
            List<String> kinds = kinds(volume);
            if (kinds.size() > 1) {
                // The Volume shape allows a name and one of these (AWS's service model); the wording is crossrole's.
                throw EcsErrors.client("Volume '" + name + "' specifies " + String.join(" and ", kinds)
                        + ": a volume may specify only one of host, " + String.join(", ", OTHER_KINDS) + ".");
            }
            JsonNode host = volume.get("host");
            if (host != null && !host.isNull()) {
                String sourcePath = text(host, "sourcePath");
                if (sourcePath != null) {
                    if (sourcePath.isBlank()) {
                        // ECS's message (seen in aws/amazon-ecs-cli#11).
                        throw EcsErrors.client("host.sourcePath should not be blank.");
                    }
                    if (fargate) {
                        // ECS's message (seen in cloudposse/terraform-aws-ecs-alb-service-task#174).
                        throw EcsErrors.client("Fargate compatible task definitions do not support sourcePath");
                    }
                    if (!absolute(sourcePath)) {
                        // crossrole's wording: a relative path would name a Docker named volume, not a host path.
                        throw EcsErrors.client("Invalid 'host.sourcePath' setting for volume '" + name + "': "
                                + sourcePath + " is not an absolute path.");
                    }
                }
            }
            out.add(volume.deepCopy());
        }
        Map<String, JsonNode> containersByName = new LinkedHashMap<>();
        for (JsonNode container : containers) {
            containersByName.put(container.get("name").asText(), container);
        }
        for (JsonNode container : containers) {
            String name = container.get("name").asText();
            for (JsonNode m : list(container, "mountPoints")) {
                String volume = text(m, "sourceVolume");
                if (volume == null || !byName.containsKey(volume)) {
                    // ECS's message, 'null' included for a missing name (ansible/ansible#35777,
                    // blinkist/terraform-aws-airship-ecs-service#46).
                    throw EcsErrors.client("Unknown volume '" + volume + "'.");
                }
                String containerPath = text(m, "containerPath");
                if (containerPath == null || containerPath.isEmpty()) {
                    // crossrole's wording, as ECS words a missing container name.
                    throw EcsErrors.client("MountPoint.containerPath should not be null or empty.");
                }
                if (!absolute(containerPath)) {
                    throw EcsErrors.client("Invalid 'containerPath' setting for container '" + name + "': " + containerPath
                            + " is not an absolute path."); // crossrole's wording
                }
            }
            for (JsonNode f : list(container, "volumesFrom")) {
                String source = text(f, "sourceContainer");
                // crossrole's wording for the three refusals below.
                if (source == null || !containersByName.containsKey(source)) {
                    throw EcsErrors.client("Invalid 'volumesFrom' setting for container '" + name + "': there is no"
                            + " container named '" + source + "' in the task definition.");
                }
                if (source.equals(name)) {
                    throw EcsErrors.client("Invalid 'volumesFrom' setting for container '" + name + "': a container"
                            + " cannot take volumes from itself.");
                }
            }
        }
        for (String name : containersByName.keySet()) {
            List<String> chain = new ArrayList<>();
            List<MountPointEntry> entries = new ArrayList<>();
            if (!collect(containersByName, name, false, chain, entries)) {
                throw EcsErrors.client("Invalid 'volumesFrom' setting for container '" + name + "': its volumesFrom"
                        + " form a cycle (" + String.join(" -> ", chain) + ").");
            }
            Map<String, String> volumeAt = new HashMap<>();
            for (MountPointEntry entry : entries) {
                String previous = volumeAt.putIfAbsent(normalized(entry.containerPath()), entry.volume());
                if (previous != null && !previous.equals(entry.volume())) {
                    // Docker refuses two mounts at one path; crossrole says so at registration (its wording).
                    throw EcsErrors.client("Invalid 'mountPoints' setting for container '" + name + "': more than one"
                            + " mount point at " + entry.containerPath() + ".");
                }
            }
        }
        return out;
    }

    /** The kinds a volume specifies: {@code host} and the others named in {@link #OTHER_KINDS}. */
    private static List<String> kinds(JsonNode volume) {
        List<String> kinds = new ArrayList<>();
        JsonNode host = volume.get("host");
        if (host != null && !host.isNull()) {
            kinds.add("host");
        }
        for (String kind : OTHER_KINDS) {
            if (kind.equals("configuredAtLaunch")) {
                if (volume.path(kind).asBoolean(false)) {
                    kinds.add(kind);
                }
            } else if (volume.hasNonNull(kind)) {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    private record MountPointEntry(String volume, String containerPath, boolean readOnly) {}

    /**
     * The mount points of {@code container}: its own, then those of the containers it takes volumes from (theirs
     * included), read-only when either side says so. {@code false} when the volumesFrom chain comes back to a
     * container already on it ({@code chain} then names it).
     */
    private static boolean collect(Map<String, JsonNode> containers, String container, boolean readOnly,
                                   List<String> chain, List<MountPointEntry> out) {
        if (chain.contains(container)) {
            chain.add(container);
            return false;
        }
        JsonNode definition = containers.get(container);
        if (definition == null) {
            return true; // refused earlier at registration; a stored definition keeps what it can
        }
        chain.add(container);
        for (JsonNode m : list(definition, "mountPoints")) {
            out.add(new MountPointEntry(m.path("sourceVolume").asText(), m.path("containerPath").asText(),
                    readOnly || m.path("readOnly").asBoolean(false)));
        }
        for (JsonNode f : list(definition, "volumesFrom")) {
            if (!collect(containers, f.path("sourceContainer").asText(), readOnly || f.path("readOnly").asBoolean(false),
                    chain, out)) {
                return false;
            }
        }
        chain.remove(chain.size() - 1);
        return true;
    }

    private static List<JsonNode> list(JsonNode container, String member) {
        List<JsonNode> out = new ArrayList<>();
        container.path(member).forEach(out::add);
        return out;
    }

    /** A string member of a recorded document, or {@code null}. */
    private static String text(JsonNode node, String member) {
        JsonNode value = node.get(member);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static boolean absolute(String path) {
        try {
            return Path.of(path).isAbsolute();
        } catch (InvalidPathException e) {
            return false; // a NUL character: no path of this machine
        }
    }

    private static String normalized(String path) {
        try {
            return Path.of(path).normalize().toString();
        } catch (InvalidPathException e) {
            return path;
        }
    }

    // ---- RunTask ------------------------------------------------------------------------------------------

    /**
     * Why the definition's volumes cannot be provided here (a kind crossrole does not provide), or empty.
     *
     * @param engineVolumes whether the runtime provides a container engine's volumes ({@code dockerVolumeConfiguration})
     */
    static Optional<String> unsupported(TaskDefinition definition, boolean engineVolumes) {
        for (JsonNode volume : definition.document().path("volumes")) {
            String name = volume.path("name").asText();
            for (String kind : OTHER_KINDS) {
                if (!specified(volume, kind)) {
                    continue;
                }
                if (kind.equals(DOCKER_VOLUME) && engineVolumes) {
                    Optional<String> refused = unsafeEngineVolume(name, volume.get(DOCKER_VOLUME));
                    if (refused.isPresent()) {
                        return refused;
                    }
                    continue;
                }
                return Optional.of("Volume '" + name + "' of " + definition.arn() + " is a " + kind + " volume, which"
                        + " crossrole cannot provide " + (kind.equals(DOCKER_VOLUME) ? "without a container engine"
                        + " (serve --task-runtime docker): the sandboxed runtime has" : ": tasks run on this machine,"
                        + " with") + " bind mounts (host.sourcePath) and task-scoped volumes (no sourcePath) only.");
            }
        }
        return Optional.empty();
    }

    private static final String DOCKER_VOLUME = "dockerVolumeConfiguration";

    /**
     * A {@code dockerVolumeConfiguration} crossrole does not make: a driver other than {@code local} (a plugin may
     * mount what it likes of this machine), or {@code local} options that mount a path or device of this machine
     * ({@code o=bind}, a {@code device} path), which would show the task what a host volume may not.
     */
    private static Optional<String> unsafeEngineVolume(String name, JsonNode configuration) {
        String driver = configuration.path("driver").asText("local");
        if (!driver.equals("local")) {
            return Optional.of("Volume '" + name + "' asks for the volume driver '" + driver + "': crossrole makes volumes"
                    + " with the engine's local driver only (a plugin could mount any path of this machine).");
        }
        JsonNode options = configuration.path("driverOpts");
        for (String option : options.path("o").asText("").split(",")) {
            String flag = option.strip();
            if (flag.equals("bind") || flag.equals("rbind")) {
                return Optional.of("Volume '" + name + "' asks the local driver for a bind mount (o=" + options.path("o")
                        .asText() + "): a path of this machine is a host volume (host.sourcePath), which crossrole"
                        + " checks.");
            }
        }
        if (options.path("device").asText("").startsWith("/")) {
            return Optional.of("Volume '" + name + "' asks the local driver to mount " + options.path("device").asText()
                    + " of this machine: a path of this machine is a host volume (host.sourcePath), which crossrole"
                    + " checks.");
        }
        return Optional.empty();
    }

    /** Where a task's task-scoped volumes live: beside its folder in the tasks folder. */
    static Path scratchRoot(Path tasksDir, String taskId) {
        return tasksDir.resolve(taskId + SCRATCH_SUFFIX);
    }

    /** Makes an empty folder (0700, crossrole's until the runtime gives it to the task user) per task-scoped volume. */
    static void makeScratch(TaskDefinition definition, Path root) throws IOException {
        for (JsonNode volume : definition.document().path("volumes")) {
            if (scratch(volume)) {
                PrivateFiles.createDirectories(root.resolve(volume.path("name").asText()));
            }
        }
    }

    /** A task-scoped volume: no other kind, and {@code host} without {@code sourcePath} (or no {@code host}). */
    private static boolean scratch(JsonNode volume) {
        JsonNode sourcePath = volume.path("host").path("sourcePath");
        return OTHER_KINDS.stream().noneMatch(kind -> specified(volume, kind))
                && (sourcePath.isMissingNode() || sourcePath.isNull());
    }

    private static boolean specified(JsonNode volume, String kind) {
        return kind.equals("configuredAtLaunch") ? volume.path(kind).asBoolean(false) : volume.hasNonNull(kind);
    }

    /** The mounts of a container: its mount points and those it takes with volumesFrom, in that order. */
    static List<TaskRuntime.Mount> mounts(TaskDefinition definition, String container, Path scratchRoot, String taskId,
                                          String account) {
        Map<String, JsonNode> containers = new HashMap<>();
        for (JsonNode c : definition.document().path("containerDefinitions")) {
            containers.put(c.path("name").asText(), c);
        }
        Map<String, JsonNode> volumes = new HashMap<>();
        for (JsonNode v : definition.document().path("volumes")) {
            volumes.put(v.path("name").asText(), v);
        }
        List<MountPointEntry> entries = new ArrayList<>();
        collect(containers, container, false, new ArrayList<>(), entries);
        List<TaskRuntime.Mount> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (MountPointEntry entry : entries) {
            JsonNode volume = volumes.get(entry.volume());
            if (volume == null || !seen.add(entry.volume() + "\u0000" + entry.containerPath())) {
                continue; // refused at registration; the same mount twice (through two volumesFrom) is one mount
            }
            TaskRuntime.MountSource source;
            if (volume.hasNonNull(DOCKER_VOLUME)) {
                source = engineVolume(definition, entry.volume(), volume.get(DOCKER_VOLUME), taskId, account);
            } else if (scratch(volume)) {
                source = new TaskRuntime.MountSource.TaskScratch(scratchRoot.resolve(entry.volume()));
            } else {
                source = new TaskRuntime.MountSource.HostPath(volume.path("host").path("sourcePath").asText());
            }
            out.add(new TaskRuntime.Mount(entry.volume(), source, entry.containerPath(), entry.readOnly()));
        }
        return out;
    }

    /**
     * A {@code dockerVolumeConfiguration} volume as the engine names it: a task-scoped one as ECS's agent names it
     * ({@code ecs-<family>-<revision>-<volume>-<20 hex digits>}, of the task's id), a shared one by its name within
     * the account ({@code crossrole-<account>-<volume>}): on ECS a shared volume is shared on one account's instance,
     * and here every account's tasks run on the same engine.
     */
    private static TaskRuntime.MountSource.EngineVolume engineVolume(TaskDefinition definition, String name,
                                                                     JsonNode configuration, String taskId,
                                                                     String account) {
        boolean taskScoped = !"shared".equals(configuration.path("scope").asText("task"));
        Map<String, String> options = new LinkedHashMap<>();
        configuration.path("driverOpts").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
        Map<String, String> labels = new LinkedHashMap<>();
        configuration.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        String engineName = taskScoped
                ? "ecs-" + definition.family() + "-" + definition.revision() + "-" + name + "-"
                        + taskId.substring(0, Math.min(20, taskId.length()))
                : "crossrole-" + account + "-" + name;
        return new TaskRuntime.MountSource.EngineVolume(engineName, taskScoped,
                configuration.path("autoprovision").asBoolean(false), options, labels);
    }

    /**
     * Removes a task's task-scoped volumes once nothing of it runs. Links are removed, never followed; folders the
     * task made unwritable are opened for their owner first.
     */
    static void removeScratch(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not remove the task-scoped volumes in " + root, e);
        }
    }
}
