package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossrole.server.tasks.TaskIsolation;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.EFSVolumeConfiguration;
import software.amazon.awssdk.services.ecs.model.HostVolumeProperties;
import software.amazon.awssdk.services.ecs.model.MountPoint;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.Volume;
import software.amazon.awssdk.services.ecs.model.VolumeFrom;

/**
 * Task definition volumes through the public interface (the SDK for Java v2, the admin API's logs): bind mounts
 * of this machine's paths ({@code host.sourcePath}) and task-scoped volumes, mounted into the sandbox at each
 * mount point's containerPath; every path the sandbox must not show refused, the task STOPPED with the reason;
 * RegisterTaskDefinition's checks; the kinds crossrole does not provide refused at RunTask; and the unsandboxed
 * runtime, which cannot mount, refusing to start such a container.
 */
class TaskVolumesTest {
    static final boolean ROOT = crossroleIsRoot();
    static final AtomicInteger FAMILIES = new AtomicInteger();

    static TestCrossrole crossrole;
    static EcsClient ecs;
    static Path blobs;
    static Path hostFolders;
    static Path shared;
    static Path writable;

    @BeforeAll
    static void start() throws Exception {
        blobs = Files.createTempDirectory("crossrole-vol-blobs");
        crossrole = new TestCrossrole(options -> options.withS3Blobs(blobs));
        ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(SOURCE));
        // Folders of this machine a task may see: below folders only root (or crossrole's user) may change.
        hostFolders = Files.createTempDirectory("crossrole-vol-host");
        open(hostFolders, "rwxr-xr-x");
        shared = Files.createDirectory(hostFolders.resolve("shared"));
        open(shared, "rwxrwxrwx"); // writable by the task user: a read-only mount is what keeps it from writing
        Files.writeString(shared.resolve("hello.txt"), "from the host\n");
        open(shared.resolve("hello.txt"), "rw-r--r--");
        writable = Files.createDirectory(hostFolders.resolve("writable"));
        open(writable, "rwxrwxrwx");
    }

    @AfterAll
    static void stop() throws Exception {
        if (ecs != null) {
            ecs.close();
        }
        if (crossrole != null) {
            crossrole.close();
        }
        for (Path folder : new Path[] {blobs, hostFolders}) {
            delete(folder);
        }
    }

    static void open(Path path, String mode) throws Exception {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
    }

    static void delete(Path folder) throws Exception {
        if (folder != null && Files.exists(folder)) {
            try (var files = Files.walk(folder)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    static Volume host(String name, Object sourcePath) {
        return Volume.builder().name(name).host(HostVolumeProperties.builder().sourcePath(sourcePath.toString()).build())
                .build();
    }

    static MountPoint mount(String volume, String containerPath, boolean readOnly) {
        return MountPoint.builder().sourceVolume(volume).containerPath(containerPath).readOnly(readOnly).build();
    }

    static ContainerDefinition.Builder container(String name, String script) {
        return ContainerDefinition.builder().name(name).image("local/sh").memory(64).command("sh", "-c", script);
    }

    /** Registers a definition of a new family with these volumes and containers; answers the family. */
    static String register(List<Volume> volumes, ContainerDefinition... containers) {
        String family = "volumes-" + FAMILIES.incrementAndGet();
        ecs.registerTaskDefinition(r -> r.family(family).volumes(volumes).containerDefinitions(containers));
        return family;
    }

    /** RunTask, then waits for STOPPED (every container here ends by itself, or fails to start). */
    static Task runToStop(String family) throws Exception {
        var run = ecs.runTask(r -> r.taskDefinition(family));
        assertEquals(List.of(), run.failures(), run.toString());
        return EcsSdk.awaitStopped(ecs, null, run.tasks().get(0).taskArn());
    }

    static String log(Task task, String container) throws Exception {
        HttpResponse<String> logs = crossrole.adminGet("/_crossrole/tasks/" + EcsSdk.id(task.taskArn()) + "/logs?container="
                + container);
        assertEquals(200, logs.statusCode(), logs.body());
        return logs.body();
    }

    static software.amazon.awssdk.services.ecs.model.Container container(Task task, String name) {
        return task.containers().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    // ---- mounts that work ------------------------------------------------------------------------------------

    @Test
    void aReadOnlyHostFolderIsReadableAndNotWritable() throws Exception {
        String family = register(List.of(host("data", shared)), container("app",
                "cat /tmp/mnt-data/hello.txt; if echo x > /tmp/mnt-data/new 2>/dev/null; then echo WROTE; else echo"
                        + " NOT-WRITABLE; fi; ls -ld /tmp/mnt-data | cut -c1-10")
                .mountPoints(mount("data", "/tmp/mnt-data", true)).build());
        Task task = runToStop(family);
        String log = log(task, "app");
        assertEquals("EssentialContainerExited", task.stopCodeAsString(), task.toString());
        assertEquals(0, container(task, "app").exitCode(), log);
        // The folder is writable by everyone; the mount is not.
        assertTrue(log.startsWith("from the host\n") && log.contains("/tmp/mnt-data/new: Read-only file system\n")
                && log.endsWith("NOT-WRITABLE\ndrwxrwxrwx\n"), log);
        assertFalse(Files.exists(shared.resolve("new")));
    }

    @Test
    void aWritableHostFolderIsWritable() throws Exception {
        String family = register(List.of(host("out", writable)), container("app",
                "echo written-by-the-task > /tmp/out/result && id -u")
                .mountPoints(mount("out", "/tmp/out", false)).build());
        Task task = runToStop(family);
        String log = log(task, "app");
        assertEquals(0, container(task, "app").exitCode(), log);
        assertEquals("written-by-the-task\n", Files.readString(writable.resolve("result")));
        int uid = (Integer) Files.getAttribute(writable.resolve("result"), "unix:uid");
        assertEquals(log.strip(), String.valueOf(uid), "the file is the task user's");
        if (ROOT) {
            assertEquals(65534, uid, "tasks of a crossrole running as root run as nobody");
        }
    }

    @Test
    void aHostFileCanBeMountedAtAFilePath() throws Exception {
        // In a folder only root may write: a file in the world-writable "shared" could be swapped by anyone.
        Path file = Files.writeString(hostFolders.resolve("config.txt"), "a file from the host\n");
        open(file, "rw-r--r--");
        String family = register(List.of(host("file", file)), container("app",
                "cat /tmp/config/app.conf").mountPoints(mount("file", "/tmp/config/app.conf", true)).build());
        Task task = runToStop(family);
        assertEquals("a file from the host\n", log(task, "app"), task.toString());
        String swappable = register(List.of(host("file", shared.resolve("hello.txt"))), container("app", "echo RAN")
                .mountPoints(mount("file", "/tmp/config/app.conf", true)).build());
        task = runToStop(swappable);
        assertTrue(task.stoppedReason().endsWith("could be re-pointed after crossrole checked it: " + shared
                + " may be written by every user; mount a path whose folders only root or crossrole's user may change"),
                task.stoppedReason());
    }

    @Test
    void aTaskScopedVolumeIsSharedByTheTasksContainersAndGoesWithTheTask() throws Exception {
        // The reader (essential: the task ends with it) mounts the volume itself at /tmp/b, and takes the writer's
        // mount point (/tmp/a) read-only with volumesFrom.
        String family = register(List.of(Volume.builder().name("scratch").build()),
                container("writer", "echo hello-from-writer > /tmp/a/msg")
                        .essential(false).mountPoints(mount("scratch", "/tmp/a", false)).build(),
                container("reader", "for i in $(seq 1 600); do [ -f /tmp/b/msg ] && break; sleep 0.1; done;"
                        + " cat /tmp/b/msg; ls -A /tmp/a; echo x > /tmp/b/reader && echo WROTE-OWN;"
                        + " if echo x > /tmp/a/viewer; then echo WROTE; else echo NOT-WRITABLE; fi")
                        .mountPoints(mount("scratch", "/tmp/b", false))
                        .volumesFrom(VolumeFrom.builder().sourceContainer("writer").readOnly(true).build()).build());
        Task task = runToStop(family);
        String reader = log(task, "reader");
        assertTrue(reader.startsWith("hello-from-writer\nmsg\nWROTE-OWN\n") && reader.contains("Read-only file system")
                && reader.endsWith("NOT-WRITABLE\n"), "the reader sees what the writer wrote, and the writer's mount"
                + " point (volumesFrom) read-only as asked: " + reader);
        Path folder = crossrole.dataDir.resolve("tasks").resolve(EcsSdk.id(task.taskArn()) + ".volumes");
        assertFalse(Files.exists(folder), "the task's volumes went with it: " + folder);
        // A new task of the same definition starts with an empty volume.
        String check = register(List.of(Volume.builder().name("scratch").host(HostVolumeProperties.builder().build()).build()),
                container("app", "ls -A /tmp/s | wc -l").mountPoints(mount("scratch", "/tmp/s", false)).build());
        assertEquals("0\n", log(runToStop(check), "app"));
    }

    // ---- refused at start ------------------------------------------------------------------------------------

    /** Runs a container mounting {@code sourcePath} at {@code containerPath}: it must not start, for {@code reason}. */
    static void refused(Object sourcePath, String containerPath, boolean readOnly, String reason) throws Exception {
        String family = register(List.of(host("v", sourcePath)), container("app", "echo RAN")
                .mountPoints(mount("v", containerPath, readOnly)).build());
        Task task = runToStop(family);
        assertEquals("TaskFailedToStart", task.stopCodeAsString(), task.toString());
        assertTrue(task.stoppedReason().startsWith("CannotStartContainerError: volume 'v' cannot be mounted at "
                + containerPath + ": "), task.stoppedReason());
        assertTrue(task.stoppedReason().contains(reason), "expected «" + reason + "» in: " + task.stoppedReason());
        assertEquals(task.stoppedReason(), container(task, "app").reason());
        assertEquals("", log(task, "app"), "nothing ran");
    }

    @Test
    void theDataDirectoryAFileInItAndAFolderContainingItAreRefused() throws Exception {
        Path data = crossrole.dataDir.toRealPath();
        refused(data, "/tmp/x", true, "is crossrole's data directory, which tasks never see");
        refused(data.resolve("credentials"), "/tmp/x", true, "lies inside crossrole's data directory");
        refused(data.getParent(), "/tmp/x", true, "contains crossrole's data directory");
        refused("/", "/tmp/x", true, "contains crossrole's data directory");
    }

    @Test
    void theBlobFolderAndCrossrolesHomeAreRefused() throws Exception {
        refused(blobs.toRealPath(), "/tmp/x", true, "is crossrole's S3 blob folder, which tasks never see");
        Path home = Path.of(System.getProperty("user.home")).toRealPath();
        refused(home, "/tmp/x", true, "is the home folder of crossrole's user, which tasks never see");
    }

    @Test
    void aSymbolicLinkIntoTheDataDirectoryIsRefusedByItsRealPath() throws Exception {
        Path link = Files.createSymbolicLink(hostFolders.resolve("innocent-looking"), crossrole.dataDir.resolve("tasks"));
        refused(link, "/tmp/x", true, "(really " + crossrole.dataDir.toRealPath().resolve("tasks")
                + ") lies inside crossrole's data directory");
    }

    @Test
    void aMissingPathIsRefusedNotCreated() throws Exception {
        Path missing = hostFolders.resolve("not-there");
        refused(missing, "/tmp/x", true, "does not exist on this machine, and crossrole does not make folders");
        assertFalse(Files.exists(missing));
    }

    @Test
    void aPathTheTaskUserCouldNotReachOnTheHostIsRefused() throws Exception {
        assumeTrue(ROOT, "only a crossrole running as root runs tasks as another user");
        Path locked = Files.createDirectory(hostFolders.resolve("locked"));
        open(locked, "rwx------");
        Path inner = Files.createDirectory(locked.resolve("inner"));
        open(inner, "rwxr-xr-x");
        refused(inner, "/tmp/x", true, "the task user (nobody) may not enter " + locked);
    }

    @Test
    void aPathSomeoneElseCouldRePointIsRefused() throws Exception {
        assumeTrue(ROOT, "making a folder another user's needs root");
        Path theirs = Files.createDirectory(hostFolders.resolve("theirs"));
        Files.setAttribute(theirs, "unix:uid", 65534);
        Path inside = Files.createDirectory(theirs.resolve("inside"));
        refused(inside, "/tmp/x", true, "could be re-pointed after crossrole checked it: " + theirs + " belongs to uid 65534");
    }

    @Test
    void aWritableMountOfWhatTheTaskUserMayNotWriteIsRefused() throws Exception {
        assumeTrue(ROOT, "a crossrole that is not root runs tasks as itself, which may write its own folders");
        Path readOnly = Files.createDirectory(hostFolders.resolve("root-only"));
        open(readOnly, "rwxr-xr-x");
        refused(readOnly, "/tmp/x", false, "may not write " + readOnly + " on this machine; mark the mount point readOnly");
    }

    @Test
    void containerPathsOverWhatTheSandboxProtectsAreRefused() throws Exception {
        refused(shared, "/", true, "it would cover the whole file system");
        refused(shared, "/proc", true, "would be in or over /proc");
        refused(shared, "/dev/shm", true, "would be in or over /dev");
        refused(shared, "/usr/local/bin", true, "would be in or over /usr, which the sandbox starts the container's command"
                + " from before it drops its privileges");
        refused(shared.resolve("hello.txt"), "/etc/ld.so.preload", true, "would be in or over /etc");
        Path data = crossrole.dataDir.toRealPath();
        refused(shared, data.toString(), true, "would be in or over the task's own folder");
        refused(shared, "/srv/crossrole-not-there", true, "there is no /srv/crossrole-not-there on this machine");
    }

    @Test
    void nestedMountPointsAreRefused() throws Exception {
        String family = register(List.of(host("a", shared), host("b", writable)), container("app", "echo RAN")
                .mountPoints(mount("a", "/tmp/outer", true), mount("b", "/tmp/outer/inner", true)).build());
        Task task = runToStop(family);
        assertEquals("TaskFailedToStart", task.stopCodeAsString());
        assertTrue(task.stoppedReason().contains("volume 'b' cannot be mounted at /tmp/outer/inner: it would be in or"
                + " over another mount point of the container (/tmp/outer)"), task.stoppedReason());
    }

    // ---- RegisterTaskDefinition ----------------------------------------------------------------------------

    static void registerRefused(String message, java.util.function.Consumer<RegisterTaskDefinitionRequest.Builder> request) {
        String family = "refused-" + FAMILIES.incrementAndGet();
        ClientException e = assertThrows(ClientException.class, () -> ecs.registerTaskDefinition(r -> {
            r.family(family);
            request.accept(r);
        }));
        assertEquals(400, e.statusCode());
        assertEquals(message, e.awsErrorDetails().errorMessage());
        assertFalse(ecs.listTaskDefinitionFamilies(r -> r.familyPrefix(family)).families().contains(family),
                "nothing was registered");
    }

    @Test
    void registerTaskDefinitionChecksVolumesAndMountPoints() {
        ContainerDefinition.Builder app = container("app", "true");
        registerRefused("Unknown volume 'nope'.", r -> r.volumes(host("v", "/srv"))
                .containerDefinitions(app.mountPoints(mount("nope", "/tmp/x", true)).build()));
        registerRefused("Unknown volume 'null'.", r -> r.volumes(host("v", "/srv")).containerDefinitions(
                app.mountPoints(MountPoint.builder().containerPath("/tmp/x").build()).build()));
        registerRefused("Duplicate volume names found in task definition: v", r -> r.volumes(host("v", "/srv"),
                Volume.builder().name("v").build()).containerDefinitions(container("app", "true").build()));
        registerRefused("Invalid 'host.sourcePath' setting for volume 'v': srv/data is not an absolute path.",
                r -> r.volumes(host("v", "srv/data")).containerDefinitions(container("app", "true").build()));
        registerRefused("host.sourcePath should not be blank.",
                r -> r.volumes(host("v", " ")).containerDefinitions(container("app", "true").build()));
        registerRefused("MountPoint.containerPath should not be null or empty.", r -> r.volumes(host("v", "/srv"))
                .containerDefinitions(container("app", "true").mountPoints(MountPoint.builder().sourceVolume("v").build())
                        .build()));
        registerRefused("Invalid 'containerPath' setting for container 'app': tmp/x is not an absolute path.",
                r -> r.volumes(host("v", "/srv")).containerDefinitions(container("app", "true")
                        .mountPoints(mount("v", "tmp/x", true)).build()));
        registerRefused("Invalid volume name: a b. Up to 255 letters (uppercase and lowercase), numbers, underscores, and"
                + " hyphens are allowed.", r -> r.volumes(host("a b", "/srv")).containerDefinitions(
                        container("app", "true").build()));
        registerRefused("Volume 'v' specifies host and efsVolumeConfiguration: a volume may specify only one of host,"
                + " configuredAtLaunch, dockerVolumeConfiguration, efsVolumeConfiguration,"
                + " fsxWindowsFileServerVolumeConfiguration, s3filesVolumeConfiguration.",
                r -> r.volumes(Volume.builder().name("v").host(HostVolumeProperties.builder().sourcePath("/srv").build())
                        .efsVolumeConfiguration(EFSVolumeConfiguration.builder().fileSystemId("fs-1").build()).build())
                        .containerDefinitions(container("app", "true").build()));
        registerRefused("Invalid 'volumesFrom' setting for container 'app': there is no container named 'ghost' in the"
                + " task definition.", r -> r.containerDefinitions(container("app", "true")
                        .volumesFrom(VolumeFrom.builder().sourceContainer("ghost").build()).build()));
        registerRefused("Invalid 'volumesFrom' setting for container 'app': a container cannot take volumes from itself.",
                r -> r.containerDefinitions(container("app", "true")
                        .volumesFrom(VolumeFrom.builder().sourceContainer("app").build()).build()));
        registerRefused("Invalid 'volumesFrom' setting for container 'a': its volumesFrom form a cycle (a -> b -> a).",
                r -> r.containerDefinitions(
                        container("a", "true").volumesFrom(VolumeFrom.builder().sourceContainer("b").build()).build(),
                        container("b", "true").volumesFrom(VolumeFrom.builder().sourceContainer("a").build()).build()));
        registerRefused("Invalid 'mountPoints' setting for container 'b': more than one mount point at /tmp/x.",
                r -> r.volumes(host("v", "/srv"), host("w", "/opt")).containerDefinitions(
                        container("a", "true").mountPoints(mount("v", "/tmp/x", true)).build(),
                        container("b", "true").mountPoints(mount("w", "/tmp/x/", true))
                                .volumesFrom(VolumeFrom.builder().sourceContainer("a").build()).build()));
        registerRefused("Fargate compatible task definitions do not support sourcePath", r -> r.volumes(host("v", "/srv"))
                .requiresCompatibilities(Compatibility.FARGATE).networkMode(NetworkMode.AWSVPC).cpu("256").memory("512")
                .containerDefinitions(container("app", "true").build()));
    }

    @Test
    void membersOfTheWrongJsonTypeAreSerializationErrors() throws Exception {
        var admin = crossrole.admin(SOURCE);
        RawAws.Creds creds = new RawAws.Creds(admin.accessKeyId(), admin.secretAccessKey(), null);
        RawAws aws = new RawAws(crossrole.endpoint());
        String app = "{\"name\":\"app\",\"image\":\"local/sh\",\"memory\":64";
        for (String[] sent : new String[][] {
                {"\"volumes\":{\"name\":\"v\"}", app + "}", "Start of structure or map found where not expected."},
                {"\"volumes\":[\"v\"]", app + "}", "STRING_VALUE can not be converted to a structure"},
                {"\"volumes\":[{\"name\":\"v\",\"host\":{\"sourcePath\":7}}]", app + "}",
                        "NUMBER_VALUE can not be converted to a String"},
                {"\"volumes\":[{\"name\":\"v\"}]", app + ",\"mountPoints\":\"v\"}",
                        "STRING_VALUE can not be converted to a list"},
                {"\"volumes\":[{\"name\":\"v\"}]", app + ",\"mountPoints\":[{\"sourceVolume\":\"v\",\"containerPath\":"
                        + "\"/tmp/v\",\"readOnly\":\"yes\"}]}", "STRING_VALUE can not be converted to a Boolean"},
                {"\"volumes\":[]", app + ",\"volumesFrom\":[7]}", "NUMBER_VALUE can not be converted to a structure"}}) {
            String family = "raw-" + FAMILIES.incrementAndGet();
            RawAws.Req req = new RawAws.Req();
            req.header("Content-Type", "application/x-amz-json-1.1");
            req.header("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition");
            req.body = "{\"family\":\"" + family + "\"," + sent[0] + ",\"containerDefinitions\":[" + sent[1] + "]}";
            RawAws.Res res = aws.send(aws.sign(req, creds, Instant.now(), "us-east-1", "ecs"));
            assertEquals(400, res.status(), res.toString());
            assertTrue(res.body().contains("SerializationException") && res.body().contains(sent[2]), req.body + " -> " + res);
            assertFalse(ecs.listTaskDefinitionFamilies(r -> r.familyPrefix(family)).families().contains(family));
        }
    }

    @Test
    void aRegisteredDefinitionShowsItsVolumesAndMountPointsAsGiven() {
        String family = register(List.of(host("v", "/srv"), Volume.builder().name("s").build()), container("app", "true")
                .mountPoints(mount("v", "/tmp/v", true), mount("s", "/tmp/s", false)).build());
        var described = ecs.describeTaskDefinition(r -> r.taskDefinition(family)).taskDefinition();
        assertEquals(List.of(host("v", "/srv"), Volume.builder().name("s").build()), described.volumes());
        assertEquals(List.of(mount("v", "/tmp/v", true), mount("s", "/tmp/s", false)),
                described.containerDefinitions().get(0).mountPoints());
    }

    // ---- RunTask -------------------------------------------------------------------------------------------

    @Test
    void volumesCrossroleDoesNotProvideAreRefusedAtRunTask() {
        String family = register(List.of(Volume.builder().name("efs")
                .efsVolumeConfiguration(EFSVolumeConfiguration.builder().fileSystemId("fs-12345678").build()).build()),
                container("app", "echo RAN").mountPoints(mount("efs", "/tmp/efs", false)).build());
        ClientException e = assertThrows(ClientException.class, () -> ecs.runTask(r -> r.taskDefinition(family)));
        assertTrue(e.awsErrorDetails().errorMessage().startsWith("Volume 'efs' of arn:aws:ecs:us-east-1:" + SOURCE
                + ":task-definition/" + family + ":1 is a efsVolumeConfiguration volume, which crossrole cannot provide"),
                e.awsErrorDetails().errorMessage());
        assertEquals(List.of(), ecs.listTasks(r -> r.family(family).desiredStatus("STOPPED")).taskArns(), "nothing recorded");
        assertEquals(List.of(), ecs.listTasks(r -> r.family(family)).taskArns(), "nothing recorded");
    }

    @Test
    void dockerVolumesNeedAContainerEngineAndAreRefusedAtRunTaskInTheSandbox() {
        String family = register(List.of(Volume.builder().name("cache").dockerVolumeConfiguration(d -> d.scope("shared")
                .autoprovision(true)).build()), container("app", "echo RAN").mountPoints(mount("cache", "/tmp/c", false))
                .build());
        ClientException e = assertThrows(ClientException.class, () -> ecs.runTask(r -> r.taskDefinition(family)));
        assertEquals("Volume 'cache' of arn:aws:ecs:us-east-1:" + SOURCE + ":task-definition/" + family + ":1 is a"
                + " dockerVolumeConfiguration volume, which crossrole cannot provide without a container engine (serve"
                + " --task-runtime docker): the sandboxed runtime has bind mounts (host.sourcePath) and task-scoped"
                + " volumes (no sourcePath) only.", e.awsErrorDetails().errorMessage());
        assertEquals(List.of(), ecs.listTasks(r -> r.family(family).desiredStatus("STOPPED")).taskArns(), "nothing recorded");
    }

    @Test
    void theUnsandboxedRuntimeRefusesToStartAContainerWithMountPoints() throws Exception {
        try (TestCrossrole plain = new TestCrossrole(options -> options.withTaskIsolation(TaskIsolation.UNSANDBOXED));
             EcsClient plainEcs = EcsSdk.ecs(plain, plain.adminCredentials(SOURCE))) {
            plainEcs.registerTaskDefinition(r -> r.family("plain").volumes(host("v", shared)).containerDefinitions(
                    container("app", "echo RAN").mountPoints(mount("v", "/tmp/x", true)).build()));
            String arn = plainEcs.runTask(r -> r.taskDefinition("plain")).tasks().get(0).taskArn();
            Task task = EcsSdk.awaitStopped(plainEcs, null, arn);
            assertEquals("TaskFailedToStart", task.stopCodeAsString(), task.toString());
            assertTrue(task.stoppedReason().startsWith("CannotStartContainerError: the unsandboxed task runtime"
                    + " (serve --task-runtime unsandboxed) runs containers as plain processes and cannot mount volumes"),
                    task.stoppedReason());
        }
    }

    @Test
    void theUnsandboxedRuntimeRefusesToStartAContainerWithLinks() throws Exception {
        try (TestCrossrole plain = new TestCrossrole(options -> options.withTaskIsolation(TaskIsolation.UNSANDBOXED));
             EcsClient plainEcs = EcsSdk.ecs(plain, plain.adminCredentials(SOURCE))) {
            plainEcs.registerTaskDefinition(r -> r.family("plain-links").containerDefinitions(
                    container("db", "sleep 30").build(), container("app", "echo RAN").links("db:database").build()));
            String arn = plainEcs.runTask(r -> r.taskDefinition("plain-links")).tasks().get(0).taskArn();
            Task task = EcsSdk.awaitStopped(plainEcs, null, arn);
            assertEquals("TaskFailedToStart", task.stopCodeAsString(), task.toString());
            assertEquals("CannotStartContainerError: the unsandboxed task runtime (serve --task-runtime unsandboxed) runs"
                    + " containers as plain processes and cannot make link names resolvable, and container app links to"
                    + " 'database'; run crossrole with its task sandbox (the default) to use links", task.stoppedReason());
        }
    }

    /** Whether the crossrole under test (in this JVM) runs as root. */
    static boolean crossroleIsRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }
}
