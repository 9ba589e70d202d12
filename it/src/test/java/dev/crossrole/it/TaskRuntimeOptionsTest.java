package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * {@code serve --task-runtime} and {@code --task-user}, on a {@code crossrole serve} of its own: without bubblewrap
 * RunTask refuses to run code unsandboxed and records nothing; {@code unsandboxed} is the operator's explicit
 * choice, warned about at start; the task user is honoured, and malformed options stop serve with the reason.
 */
class TaskRuntimeOptionsTest {

    /** An ECS client of the walkthrough's source administrator, from the credentials file serve wrote. */
    static EcsClient ecs(ServeProcess serve, Path data) {
        ProfileFile credentials = ProfileFile.builder().content(data.resolve("credentials"))
                .type(ProfileFile.Type.CREDENTIALS).build();
        return EcsClient.builder().endpointOverride(URI.create(serve.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(ProfileCredentialsProvider.builder().profileFile(credentials).profileName("source")
                        .build())
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    static void stop(ServeProcess serve, Path folder) throws Exception {
        serve.process().destroy();
        serve.process().waitFor(30, TimeUnit.SECONDS);
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static void register(EcsClient ecs, String family, String... command) {
        ContainerDefinition.Builder c = ContainerDefinition.builder().name("app").image("local/app").memory(64);
        ecs.registerTaskDefinition(r -> r.family(family).containerDefinitions((command.length == 0 ? c : c.command(command))
                .build()));
    }

    @Test
    void withoutBubblewrapRunTaskIsRefusedAndNothingIsRecorded() throws Exception {
        Path folder = Files.createTempDirectory("crossrole-no-bwrap");
        Path emptyPath = Files.createDirectory(folder.resolve("bin"));
        Path data = folder.resolve("data");
        ServeProcess serve = ServeProcess.start(folder, data, List.of(), Map.of("PATH", emptyPath.toString()));
        try (EcsClient ecs = ecs(serve, data)) {
            assertTrue(serve.output().contains("WARNING: tasks cannot run:"), serve.output());
            register(ecs, "needs-a-sandbox", "sh", "-c", "echo ran");
            ClientException e = assertThrows(ClientException.class, () -> ecs.runTask(r -> r.taskDefinition("needs-a-sandbox")));
            assertEquals(400, e.statusCode());
            assertEquals("ClientException", e.awsErrorDetails().errorCode());
            String message = e.awsErrorDetails().errorMessage();
            assertTrue(message.contains("there is no bwrap on crossrole's PATH"), message);
            assertTrue(message.contains("apt-get install bubblewrap"), message);
            assertTrue(message.contains("--task-runtime unsandboxed"), message);
            for (DesiredStatus status : List.of(DesiredStatus.RUNNING, DesiredStatus.STOPPED)) {
                assertEquals(List.of(), ecs.listTasks(r -> r.desiredStatus(status)).taskArns(), "no task was recorded");
            }
            assertFalse(Files.exists(data.resolve("tasks")) && Files.list(data.resolve("tasks")).findAny().isPresent(),
                    "no task folder was made");
        } finally {
            stop(serve, folder);
        }
    }

    @Test
    void unsandboxedIsWarnedAboutAndRunsPlainProcesses() throws Exception {
        Path folder = Files.createTempDirectory("crossrole-unsandboxed");
        Path data = folder.resolve("data");
        ServeProcess serve = ServeProcess.start(folder, data, List.of(), "--task-runtime", "unsandboxed");
        try (EcsClient ecs = ecs(serve, data)) {
            assertTrue(serve.output().contains("WARNING: --task-runtime unsandboxed: RunTask runs task commands"
                    + " as plain processes"), serve.output());
            // What the sandbox prevents, the operator's choice allows: the task reads crossrole's data directory.
            register(ecs, "plain", "sh", "-c", "cat " + data.toRealPath().resolve("credentials"));
            String arn = ecs.runTask(r -> r.taskDefinition("plain")).tasks().get(0).taskArn();
            Task stopped = await(ecs, arn, "STOPPED");
            assertEquals(0, stopped.containers().get(0).exitCode(), stopped.toString());
            String log = Files.readString(data.resolve("tasks").resolve(EcsSdk.id(arn) + ".logs").resolve("app.log"));
            assertTrue(log.contains("aws_secret_access_key"), log);

            // exec is the server's there too, and ends with the task.
            register(ecs, "idle");
            String idle = ecs.runTask(r -> r.taskDefinition("idle")).tasks().get(0).taskArn();
            await(ecs, idle, "RUNNING");
            Run exec = CrossroleCommand.run(folder, "exec", "--endpoint", serve.endpoint(), "--data-dir", data.toString(),
                    "--task", EcsSdk.id(idle),
                    "--", "sh", "-c", "echo $HOME; exit 4");
            assertEquals(4, exec.exit(), exec.toString());
            assertEquals(data.resolve("tasks").resolve(EcsSdk.id(idle)) + "\n", exec.stdout(), exec.toString());
            Run missing = CrossroleCommand.run(folder, "exec", "--endpoint", serve.endpoint(), "--data-dir",
                    data.toString(), "--task", EcsSdk.id(idle),
                    "--", "no-such-command-anywhere");
            assertEquals(127, missing.exit(), missing.toString());
        } finally {
            stop(serve, folder);
        }
    }

    @Test
    void theTaskUserIsHonoured() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0,
                "only root can run tasks as another user");
        Path folder = Files.createTempDirectory("crossrole-task-user");
        Path data = folder.resolve("data");
        ServeProcess serve = ServeProcess.start(folder, data, List.of(), "--task-user", "4242:4343");
        try (EcsClient ecs = ecs(serve, data)) {
            register(ecs, "idle");
            String arn = ecs.runTask(r -> r.taskDefinition("idle")).tasks().get(0).taskArn();
            await(ecs, arn, "RUNNING");
            Run id = CrossroleCommand.run(folder, "exec", "--endpoint", serve.endpoint(), "--data-dir", data.toString(),
                    "--task", EcsSdk.id(arn),
                    "--", "sh", "-c", "id -u; id -g; id -G; touch \"$HOME/mine\" && echo writable");
            assertEquals("4242\n4343\n4343\nwritable\n", id.stdout(), id.toString());
        } finally {
            stop(serve, folder);
        }
    }

    @Test
    void malformedTaskOptionsStopServeWithTheReason(@TempDir Path folder) throws Exception {
        assertServeRefuses(folder, "--task-user ghost-user-that-is-not-there: no such user on this machine",
                "--task-user", "ghost-user-that-is-not-there");
        assertServeRefuses(folder, "--task-user a;b: expected a user name, a uid, or uid:gid", "--task-user", "a;b");
        assertServeRefuses(folder, "--task-user applies to sandboxed tasks", "--task-runtime", "unsandboxed",
                "--task-user", "nobody");
        assertServeRefuses(folder, "expected 'auto', 'docker', 'sandboxed' or 'unsandboxed', not 'podman'",
                "--task-runtime", "podman");
        Map<String, String> noEngine = Map.of("DOCKER_HOST", "unix://" + folder.resolve("no-engine.sock"));
        assertServeRefuses(folder, noEngine, "--task-runtime docker: no container engine socket at "
                + folder.resolve("no-engine.sock"), "--task-runtime", "docker");
        assertServeRefuses(folder, Map.of("DOCKER_HOST", "ssh://engine.example.com"),
                "--task-runtime docker: DOCKER_HOST ssh://engine.example.com is neither unix:// nor tcp://",
                "--task-runtime", "docker");
        Files.createFile(folder.resolve("not-an-engine.sock"));
        assertServeRefuses(folder, Map.of("DOCKER_HOST", "unix://" + folder.resolve("not-an-engine.sock")),
                "--task-runtime docker: the container engine at unix://" + folder.resolve("not-an-engine.sock")
                        + " does not answer", "--task-runtime", "docker");
    }

    @Test
    void autoUsesAnEngineWhenOneAnswersElseTheSandboxAndSaysWhich() throws Exception {
        Path folder = Files.createTempDirectory("crossrole-auto-runtime");
        ServeProcess sandboxed = ServeProcess.start(folder, folder.resolve("data"), List.of(),
                Map.of("DOCKER_HOST", "unix://" + folder.resolve("no-engine.sock")));
        awaitOutput(sandboxed, "crossrole: task runtime: sandboxed process");
        stop(sandboxed, folder);
        PodmanService podman = PodmanService.get().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(podman != null,
                () -> "no container engine here: " + PodmanService.unavailable());
        Path again = Files.createTempDirectory("crossrole-auto-runtime");
        ServeProcess docker = ServeProcess.start(again, again.resolve("data"), List.of(),
                Map.of("DOCKER_HOST", podman.host()));
        awaitOutput(docker, "crossrole: task runtime: docker (Podman ");
        assertTrue(docker.output().contains(" at " + podman.host() + ")"), docker.output());
        stop(docker, again);
    }

    /** Waits for a line serve prints after its welcome (its output is read on another thread). */
    private static void awaitOutput(ServeProcess serve, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!serve.output().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(serve.output().contains(text), serve.output());
    }

    private static void assertServeRefuses(Path folder, String message, String... options) throws Exception {
        assertServeRefuses(folder, Map.of(), message, options);
    }

    private static void assertServeRefuses(Path folder, Map<String, String> environment, String message,
                                           String... options) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("serve", "--port", "0", "--data-dir",
                folder.resolve("data").toString()));
        args.addAll(List.of(options));
        Run run = CrossroleCommand.run(folder, environment, args.toArray(String[]::new));
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.stderr().contains(message), run.toString());
        assertFalse(run.stdout().contains("listening"), run.toString());
    }

    private static Task await(EcsClient ecs, String arn, String status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Task task = ecs.describeTasks(r -> r.tasks(arn)).tasks().get(0);
        while (!status.equals(task.lastStatus()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            task = ecs.describeTasks(r -> r.tasks(arn)).tasks().get(0);
        }
        assertEquals(status, task.lastStatus(), task.toString());
        return task;
    }
}
