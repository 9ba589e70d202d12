package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;

/** {@code crossrole exec} and {@code crossrole logs} into containers an engine runs, through the engine's exec and logs. */
class DockerExecTest {
    static TestCrossrole crossrole;
    static EcsClient ecs;
    static Path work;
    static String taskId;

    @BeforeAll
    static void start() throws Exception {
        crossrole = PodmanService.crossroleOnEngine();
        work = Files.createTempDirectory("crossrole-docker-exec");
        ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(SOURCE));
        ecs.registerTaskDefinition(r -> r.family("exec-into").containerDefinitions(
                ContainerDefinition.builder().name("app").image(DockerRuntimeTest.IMAGE).memory(64).workingDirectory("/tmp")
                        .command("sh", "-c", "echo started; exec sleep 100000").stopTimeout(1).build()));
        taskId = EcsSdk.id(EcsSdk.runRunning(ecs, "exec-into").taskArn());
    }

    @AfterAll
    static void stop() throws Exception {
        if (ecs != null) {
            ecs.close();
        }
        if (crossrole != null) {
            crossrole.close();
        }
    }

    static Run crossrole(byte[] input, Map<String, String> environment, String command, String... rest) throws Exception {
        List<String> args = new ArrayList<>(List.of(command, "--endpoint", crossrole.endpoint(), "--data-dir",
                crossrole.dataDir.toString(), "--task", taskId));
        args.addAll(List.of(rest));
        return CrossroleCommand.run(work, input, environment, args.toArray(String[]::new));
    }

    @Test
    void outputErrorOutputAndExitStatusAreRelayedFromInsideTheContainer() throws Exception {
        Run run = crossrole(null, Map.of(), "exec", "--", "sh", "-c", "echo \"in $(pwd) of $(hostname)\"; echo to-err >&2;"
                + " test -e /bin/busybox && exit 3");
        assertEquals(3, run.exit(), run.toString());
        assertTrue(run.stdout().startsWith("in /tmp of "), run.toString());
        assertEquals("to-err\n", run.stderr(), run.toString());
    }

    @Test
    void inputIsRelayedWithDashI() throws Exception {
        Run run = crossrole("one\ntwo\n".getBytes(StandardCharsets.UTF_8), Map.of(), "exec", "-i", "--", "sh", "-c",
                "cat; echo end");
        assertEquals(0, run.exit(), run.toString());
        assertEquals("one\ntwo\nend\n", run.stdout(), run.toString());
    }

    @Test
    void dashTGivesATerminal() throws Exception {
        Run run = crossrole(null, Map.of("TERM", "xterm-256color"), "exec", "-t", "--", "sh", "-c",
                "tty; echo TERM=$TERM");
        assertEquals(0, run.exit(), run.toString());
        List<String> lines = run.stdout().lines().map(String::strip).toList();
        assertTrue(lines.get(0).matches("/dev/pts/\\d+"), run.toString());
        assertEquals("TERM=xterm-256color", lines.get(1), run.toString());
    }

    @Test
    void aCommandTheImageLacksIs127WithTheEnginesReason() throws Exception {
        Run run = crossrole(null, Map.of(), "exec", "--", "no-such-command-in-the-image");
        assertEquals(127, run.exit(), run.toString());
        assertTrue(run.stderr().contains("no-such-command-in-the-image"), run.toString());
    }

    @Test
    void logsPrintsTheContainersOutput() throws Exception {
        Run logs = crossrole(null, Map.of(), "logs");
        assertEquals(0, logs.exit(), logs.toString());
        assertEquals("started\n", logs.stdout());
    }
}
