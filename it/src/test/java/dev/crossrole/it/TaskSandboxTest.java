package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * What a task can reach, through the public interface: RunTask, then {@code crossrole exec} into the running task
 * (and the defect as reported: a container command that reads crossrole's credentials file). A task sees the
 * host read-only, but not crossrole's data directory (store, credentials, admin token, other tasks), the S3
 * blob folder, crossrole's home or processes; it runs as nobody when crossrole is root; its HOME and /tmp are
 * writable.
 */
class TaskSandboxTest {
    static final String FAMILY = "sandbox-probe";

    static TestCrossrole crossrole;
    static EcsClient ecs;
    static Path blobs;
    static Path data;
    static String secret;
    static String adminToken;
    static String taskId;
    static String otherTaskId;

    @BeforeAll
    static void start() throws Exception {
        blobs = Files.createTempDirectory("crossrole-blobs");
        Files.writeString(blobs.resolve("secret-blob"), "object bytes");
        crossrole = new TestCrossrole(options -> options.withS3Blobs(blobs));
        data = crossrole.dataDir.toRealPath();
        adminToken = crossrole.adminToken();
        secret = crossrole.admin(SOURCE).secretAccessKey();
        ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(SOURCE));
        ecs.registerTaskDefinition(r -> r.family(FAMILY).containerDefinitions(
                ContainerDefinition.builder().name("app").image("local/app").memory(64).build()));
        taskId = runIdle();
        otherTaskId = runIdle();
        Run marker = exec(otherTaskId, "sh", "-c", "echo other-task-data > \"$HOME/marker\"");
        assertEquals(0, marker.exit(), marker.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (ecs != null) {
            ecs.close();
        }
        if (crossrole != null) {
            crossrole.close();
        }
        if (blobs != null) {
            try (var files = Files.walk(blobs)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String runIdle() throws InterruptedException {
        return EcsSdk.id(EcsSdk.runRunning(ecs, FAMILY).taskArn());
    }

    static Run exec(String task, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("exec", "--endpoint", crossrole.endpoint(), "--data-dir",
                crossrole.dataDir.toString(), "--task", task, "--"));
        args.addAll(List.of(command));
        return CrossroleCommand.run(crossrole.dataDir.getParent(), args.toArray(String[]::new));
    }

    /** Runs {@code sh -c script} in the task; its standard output. */
    static String shell(String script) throws Exception {
        Run run = exec(taskId, "sh", "-c", script);
        assertEquals(0, run.exit(), run.toString());
        return run.stdout();
    }

    static boolean root() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    @Test
    void aContainerCommandCannotReadTheCredentialsFile() throws Exception {
        // The defect as reported: RegisterTaskDefinition + RunTask, a command that cats <data-dir>/credentials.
        ecs.registerTaskDefinition(r -> r.family("read-credentials").containerDefinitions(
                ContainerDefinition.builder().name("reader").image("local/reader").memory(64)
                        .command("sh", "-c", "cat " + data.resolve("credentials") + "; echo status=$?").build()));
        Task task = ecs.runTask(r -> r.taskDefinition("read-credentials")).tasks().get(0);
        EcsSdk.awaitStopped(ecs, null, task.taskArn());
        HttpResponse<String> log = crossrole.adminGet("/_crossrole/tasks/" + EcsSdk.id(task.taskArn()) + "/logs");
        assertEquals(200, log.statusCode(), log.body());
        assertTrue(log.body().contains("No such file or directory"), log.body());
        assertTrue(log.body().contains("status=1"), log.body());
        assertFalse(log.body().contains(secret), "the administrator's secret key leaked:\n" + log.body());
    }

    @Test
    void theLoaderVariablesOfATaskReachItsCommandButNoProgramRunAsRoot() throws Exception {
        // LD_PRELOAD and its kin are honoured by the loader of every program that is not setuid, root's included:
        // given to bwrap, nsenter or setpriv, a task's own library would run as root. LD_DEBUG=files makes every
        // program that honours them name itself in the output.
        ecs.registerTaskDefinition(r -> r.family("loader-variables").containerDefinitions(
                ContainerDefinition.builder().name("app").image("local/app").memory(64)
                        .environment(software.amazon.awssdk.services.ecs.model.KeyValuePair.builder().name("LD_DEBUG")
                                .value("files").build(), software.amazon.awssdk.services.ecs.model.KeyValuePair.builder()
                                .name("LC_ALL").value("C").build())
                        .command("sh", "-c", "echo \"debug=$LD_DEBUG locale=$LC_ALL\"; exec sleep 100000").build()));
        Task task = EcsSdk.runRunning(ecs, "loader-variables");
        String id = EcsSdk.id(task.taskArn());
        String log = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!log.contains("debug=") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            log = crossrole.adminGet("/_crossrole/tasks/" + id + "/logs").body();
        }
        assertTrue(log.contains("debug=files locale=C"), "the command has its variables:\n" + log);
        assertTrue(log.contains("needed by sh") || log.contains("needed by /bin/sh") || log.contains("needed by /usr/bin/sh"),
                "the command's loader honoured them:\n" + log);
        for (String launcher : List.of("bwrap", "setpriv", "nsenter")) {
            assertFalse(log.matches("(?s).*needed by (\\S*/)?" + launcher + " .*"), launcher + " honoured them:\n" + log);
        }

        Run exec = exec(id, "sh", "-c", "echo \"debug=$LD_DEBUG\"");
        assertEquals(0, exec.exit(), exec.toString());
        assertEquals("debug=files\n", exec.stdout());
        for (String launcher : List.of("bwrap", "setpriv", "nsenter", "script")) {
            assertFalse(exec.stderr().matches("(?s).*needed by (\\S*/)?" + launcher + " .*"), launcher + " honoured them:\n"
                    + exec.stderr());
        }
        assertTrue(exec.stderr().contains("needed by sh") || exec.stderr().contains("needed by /bin/sh"), exec.stderr());
        ecs.stopTask(r -> r.task(task.taskArn()));
    }

    @Test
    void stopTaskSignalsTheCommandInsideTheSandboxFirst() throws Exception {
        // SIGTERM reaches the command (not only the sandbox's init), which may end cleanly before the SIGKILL.
        ecs.registerTaskDefinition(r -> r.family("graceful").containerDefinitions(
                ContainerDefinition.builder().name("app").image("local/app").memory(64).command("sh", "-c",
                        "trap 'echo terminated cleanly; exit 0' TERM; echo started; while :; do sleep 1; done").build()));
        Task task = ecs.runTask(r -> r.taskDefinition("graceful")).tasks().get(0);
        String id = EcsSdk.id(task.taskArn());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!crossrole.adminGet("/_crossrole/tasks/" + id + "/logs").body().contains("started")
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        ecs.stopTask(r -> r.task(task.taskArn()));
        Task stopped = EcsSdk.awaitStopped(ecs, null, task.taskArn());
        assertEquals(0, stopped.containers().get(0).exitCode(), stopped.toString());
        assertTrue(crossrole.adminGet("/_crossrole/tasks/" + id + "/logs").body().contains("terminated cleanly"));
    }

    @Test
    void theDataDirectoryShowsOnlyThePathToTheTasksOwnFolder() throws Exception {
        assertTrue(Files.exists(data.resolve("credentials")) && Files.isDirectory(data.resolve("store")));
        assertEquals("tasks\n", shell("ls -A " + data));
        assertEquals(taskId + "\n", shell("ls -A " + data.resolve("tasks")));
        for (String name : List.of("credentials", "admin-token", "store", "node-id", "tasks/" + otherTaskId + "/marker")) {
            Run read = exec(taskId, "cat", data.resolve(name).toString());
            assertNotEquals(0, read.exit(), name + ": " + read);
            assertTrue(read.stderr().contains("No such file or directory"), name + ": " + read);
            assertFalse(read.stdout().contains(secret) || read.stdout().contains(adminToken)
                    || read.stdout().contains("other-task-data"), name + ": " + read);
        }
    }

    @Test
    void theBlobFolderIsEmpty() throws Exception {
        assertEquals("", shell("ls -A " + blobs.toRealPath()));
        Run read = exec(taskId, "cat", blobs.toRealPath().resolve("secret-blob").toString());
        assertNotEquals(0, read.exit(), read.toString());
    }

    @Test
    void crossrolesHomeShowsOnlyTheToolFoldersOfItsPath() throws Exception {
        Path home = Path.of(System.getProperty("user.home"));
        String listed = shell("ls -A " + home + " 2>&1 || true");
        for (String line : listed.lines().toList()) {
            assertTrue(System.getenv("PATH").contains(home.resolve(line) + "/"),
                    line + " in the hidden home is not a tool folder of crossrole's PATH: " + listed);
        }
        assertFalse(listed.contains(".m2") || listed.contains(".aws") || listed.contains(".ssh"), listed);
    }

    @Test
    void crossrolesProcessesAreNotVisible() throws Exception {
        String init = shell("tr '\\0' ' ' < /proc/1/cmdline");
        assertTrue(init.matches("(\\S*/)?bwrap .*"), "PID 1 is the sandbox's own init: " + init);
        String all = shell("for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done");
        assertFalse(all.contains("java"), "a JVM (crossrole) is visible in the task:\n" + all);
        long count = all.lines().filter(l -> !l.isBlank()).count();
        assertTrue(count <= 6, "only the sandbox's init, the idle command and this exec:\n" + all);
    }

    @Test
    void theTaskRunsAsNobodyWhenCrossroleIsRoot() throws Exception {
        String expected = root() ? "65534" : String.valueOf(new com.sun.security.auth.module.UnixSystem().getUid());
        assertEquals(expected + "\n", shell("id -u"));
        assertEquals("0000000000000000\n", shell("grep CapEff /proc/self/status | cut -f2"), "no capability");
    }

    @Test
    void homeAndTmpAreWritableAndTheRestIsReadOnly() throws Exception {
        assertEquals(data.resolve("tasks").resolve(taskId) + "\n", shell("echo $HOME"));
        assertEquals("home tmp\n", shell("echo x > \"$HOME/file\" && echo x > /tmp/file && echo home tmp"));
        Run outside = exec(taskId, "sh", "-c", "touch /usr/crossrole-was-here");
        assertNotEquals(0, outside.exit(), outside.toString());
        assertFalse(Files.exists(Path.of("/usr/crossrole-was-here")));
        // The logs are crossrole's, beside the task's folder: the task neither sees nor replaces them.
        assertEquals("absent\n", shell("test -e \"$HOME/logs\" && echo present || echo absent"));
        Run log = exec(taskId, "sh", "-c", "echo forged > " + data.resolve("tasks").resolve(taskId + ".logs")
                .resolve("app.log"));
        assertNotEquals(0, log.exit(), log.toString());
        assertTrue(Files.exists(data.resolve("tasks").resolve(taskId + ".logs").resolve("app.log")));
    }

    @Test
    void aRelativeWorkingDirectoryIsTheTasksToWrite() throws Exception {
        ecs.registerTaskDefinition(r -> r.family("workdir").containerDefinitions(
                ContainerDefinition.builder().name("app").image("local/app").memory(64).workingDirectory("work/sub")
                        .command("sh", "-c", "echo written > here && cat here && pwd").build()));
        Task task = ecs.runTask(r -> r.taskDefinition("workdir")).tasks().get(0);
        Task stopped = EcsSdk.awaitStopped(ecs, null, task.taskArn());
        String id = EcsSdk.id(task.taskArn());
        String log = crossrole.adminGet("/_crossrole/tasks/" + id + "/logs").body();
        assertEquals(0, stopped.containers().get(0).exitCode(), log);
        assertEquals("written\n" + data.resolve("tasks").resolve(id).resolve("work/sub") + "\n", log);
    }

    @Test
    void eachTaskHasATmpOfItsOwn() throws Exception {
        assertEquals(0, exec(otherTaskId, "sh", "-c", "echo other > /tmp/shared").exit());
        Run read = exec(taskId, "cat", "/tmp/shared");
        assertNotEquals(0, read.exit(), read.toString());
    }

    @Test
    void theCredentialsEndpointIsStillReachable() throws Exception {
        // A task without a role has no credentials URI; the metadata endpoint is on the same loopback listener.
        String metadata = shell("python3 -c \"import json,os,urllib.request;"
                + "print(json.load(urllib.request.urlopen(os.environ['ECS_CONTAINER_METADATA_URI_V4']+'/task'))['TaskARN'])\"");
        assertTrue(metadata.strip().endsWith("/" + taskId), metadata);
    }
}
