package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;

/**
 * {@code crossrole exec}: the command runs inside the task's container, owned by crossrole; the command line
 * relays input, output, error output and the exit status, {@code -t} gives it a terminal, and stopping the task
 * ends it. The exec WebSocket itself ({@code /_crossrole/tasks/{id}/exec}) is driven directly for what the
 * command line does not show: terminal resizing and refusals of malformed requests.
 */
class ExecTest {
    static final String FAMILY = "exec-target";

    static TestCrossrole crossrole;
    static EcsClient ecs;
    static Path work;
    static String taskArn;
    static String taskId;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        work = Files.createTempDirectory("crossrole-exec");
        ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(SOURCE));
        ecs.registerTaskDefinition(r -> r.family(FAMILY).containerDefinitions(
                ContainerDefinition.builder().name("app").image("local/app").memory(64).build(),
                ContainerDefinition.builder().name("sidecar").image("local/sidecar").memory(64).essential(false)
                        .command("sh", "-c", "echo sidecar > /tmp/which; exec sleep 100000").build()));
        taskArn = run();
        taskId = EcsSdk.id(taskArn);
    }

    @AfterAll
    static void stop() throws Exception {
        if (ecs != null) {
            ecs.close();
        }
        if (crossrole != null) {
            crossrole.close();
        }
        if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String run() throws InterruptedException {
        return EcsSdk.runRunning(ecs, FAMILY).taskArn();
    }

    static List<String> execArgs(String task, String... rest) {
        List<String> args = new ArrayList<>(List.of("exec", "--endpoint", crossrole.endpoint(), "--data-dir",
                crossrole.dataDir.toString(), "--task", task));
        args.addAll(List.of(rest));
        return args;
    }

    static Run exec(byte[] input, Map<String, String> environment, String... rest) throws Exception {
        return CrossroleCommand.run(work, input, environment, execArgs(taskId, rest).toArray(String[]::new));
    }

    // ---- through the command line ----------------------------------------------------------------------

    @Test
    void outputErrorOutputAndExitStatusAreRelayed() throws Exception {
        Run run = exec(null, Map.of(), "--", "sh", "-c", "echo to-out; echo to-err >&2; exit 3");
        assertEquals(3, run.exit(), run.toString());
        assertEquals("to-out\n", run.stdout(), run.toString());
        assertEquals("to-err\n", run.stderr(), run.toString());
    }

    @Test
    void inputIsRelayedWithDashI() throws Exception {
        byte[] input = "first line\nsecond line\n".getBytes(StandardCharsets.UTF_8);
        Run run = exec(input, Map.of(), "-i", "--", "sh", "-c", "cat; echo end-of-input");
        assertEquals(0, run.exit(), run.toString());
        assertEquals("first line\nsecond line\nend-of-input\n", run.stdout(), run.toString());
        // Without -i the command's input is empty, whatever the caller's is.
        Run detached = exec(input, Map.of(), "--", "sh", "-c", "cat; echo end-of-input");
        assertEquals("end-of-input\n", detached.stdout(), detached.toString());
    }

    @Test
    void aLargeOutputArrivesWhole() throws Exception {
        Run run = exec(null, Map.of(), "--", "sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x");
        assertEquals(0, run.exit(), run.stderr());
        assertEquals(3_000_000, run.stdout().length());
    }

    @Test
    void aCommandThatDoesNotExistIs127() throws Exception {
        Run run = exec(null, Map.of(), "--", "no-such-command-anywhere");
        assertEquals(127, run.exit(), run.toString());
        assertTrue(run.stderr().contains("no-such-command-anywhere"), run.toString());
    }

    @Test
    void dashTGivesATerminalOfTheCallersType() throws Exception {
        Run run = exec(null, Map.of("TERM", "xterm-256color"), "-t", "--", "sh", "-c", "tty; echo TERM=$TERM; stty size");
        assertEquals(0, run.exit(), run.toString());
        List<String> lines = run.stdout().lines().map(String::strip).toList();
        assertTrue(lines.get(0).matches("/dev/pts/\\d+"), run.toString());
        assertEquals("TERM=xterm-256color", lines.get(1), run.toString());
        assertEquals("24 80", lines.get(2), "no terminal on this side: the default size; " + run);
        Run plain = exec(null, Map.of("TERM", "xterm-256color"), "--", "sh", "-c", "tty; echo TERM=${TERM:-unset}");
        assertEquals("not a tty\nTERM=unset\n", plain.stdout(), plain.toString());
    }

    @Test
    void theContainerIsChosenByName() throws Exception {
        // Each container has a sandbox of its own: the sidecar's /tmp is not the first container's.
        Run sidecar = exec(null, Map.of(), "--container", "sidecar", "--", "cat", "/tmp/which");
        assertEquals("sidecar\n", sidecar.stdout(), sidecar.toString());
        Run app = exec(null, Map.of(), "--", "cat", "/tmp/which");
        assertEquals(1, app.exit(), app.toString());
        Run unknown = exec(null, Map.of(), "--container", "nope", "--", "true");
        assertEquals(2, unknown.exit(), unknown.toString());
        assertEquals("crossrole: task " + taskId + " has no container named nope\n", unknown.stderr(), unknown.toString());
    }

    @Test
    void anExecdProcessEndsWithStopTask() throws Exception {
        String arn = run();
        String marker = "7231337";
        Process cli = CrossroleCommand.builder(work, Map.of(), execArgs(EcsSdk.id(arn), "--", "sleep", marker)
                        .toArray(String[]::new))
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (sleepers(marker).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    fail("the exec'd sleep never started: " + new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                }
                Thread.sleep(50);
            }
            ecs.stopTask(r -> r.task(arn));
            assertTrue(cli.waitFor(60, TimeUnit.SECONDS), "crossrole exec ended with the task");
            String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(137, cli.exitValue(), "killed (SIGKILL) with the task's namespace: " + output);
            awaitGone(marker, "no exec'd process is left");
            EcsSdk.awaitStopped(ecs, null, arn);
        } finally {
            cli.destroyForcibly();
        }
        Run stopped = CrossroleCommand.run(work, execArgs(EcsSdk.id(arn), "--", "true").toArray(String[]::new));
        assertEquals(2, stopped.exit(), stopped.toString());
        assertEquals("crossrole: task " + EcsSdk.id(arn) + " is STOPPED, not RUNNING\n", stopped.stderr());
    }

    /** Processes of this machine whose command line is {@code sleep <marker>}. */
    static List<Long> sleepers(String marker) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.endsWith("sleep " + marker))
                .orElse(false)).map(ProcessHandle::pid).toList();
    }

    // ---- the WebSocket directly ---------------------------------------------------------------------

    /** What a raw exec session received: output by channel, the exit, the close. */
    static final class Session implements WebSocket.Listener {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        final StringBuilder control = new StringBuilder();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        private final ByteArrayOutputStream parts = new ByteArrayOutputStream();
        WebSocket socket;

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public synchronized CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            parts.writeBytes(bytes);
            if (last) {
                byte[] message = parts.toByteArray();
                parts.reset();
                switch (message[0]) {
                    case 1 -> stdout.write(message, 1, message.length - 1);
                    case 2 -> stderr.write(message, 1, message.length - 1);
                    case 3 -> control.append(new String(message, 1, message.length - 1, StandardCharsets.UTF_8));
                    default -> fail("unknown channel " + message[0]);
                }
                notifyAll();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        synchronized String stdoutText() {
            return stdout.toString(StandardCharsets.UTF_8);
        }

        /** Waits until the output contains {@code text}. */
        synchronized void awaitOutput(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!stdoutText().contains(text)) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    fail("no '" + text + "' in the output: " + stdoutText());
                }
                wait(left);
            }
        }

        void send(int channel, String text) {
            byte[] data = text.getBytes(StandardCharsets.UTF_8);
            ByteBuffer message = ByteBuffer.allocate(data.length + 1).put((byte) channel).put(data).flip();
            socket.sendBinary(message, true).join();
        }
    }

    static String execPath(String query) {
        return "/_crossrole/tasks/" + taskId + "/exec?" + query;
    }

    static Session open(String query) throws IOException {
        Session session = new Session();
        session.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + crossrole.adminToken())
                .buildAsync(URI.create(crossrole.endpoint().replace("http://", "ws://") + execPath(query)), session).join();
        return session;
    }

    @Test
    void aTerminalIsResizedByAControlMessage() throws Exception {
        Session session = open("command=sh&command=-c&command=" + encode("stty size; read line; stty size")
                + "&interactive=true&tty=true&term=xterm&cols=100&rows=30");
        session.awaitOutput("30 100");
        session.send(3, "{\"resize\":[132,43]}");
        session.send(0, "\n");
        session.awaitOutput("43 132");
        assertEquals("1000 ", session.closed.get(30, TimeUnit.SECONDS));
        assertEquals("{\"exit\":0}", session.control.toString());
    }

    @Test
    void inputEndsWithTheCloseControlMessage() throws Exception {
        Session session = open("command=sh&command=-c&command=" + encode("cat; echo after-input") + "&interactive=true");
        session.send(0, "some input\n");
        session.send(3, "{\"close\":0}");
        assertEquals("1000 ", session.closed.get(30, TimeUnit.SECONDS));
        assertEquals("some input\nafter-input\n", session.stdoutText());
        assertEquals("{\"exit\":0}", session.control.toString());
    }

    @Test
    void messagesOutsideTheProtocolEndTheSessionWithTheReason() throws Exception {
        Session text = open("command=sleep&command=7236061&interactive=true");
        text.socket.sendText("hello", true).join();
        assertEquals("1003 exec messages are binary, a channel byte first", text.closed.get(30, TimeUnit.SECONDS));

        Session input = open("command=sleep&command=7236062");
        input.send(0, "not attached");
        assertEquals("1008 input is not attached: exec without interactive=true", input.closed.get(30, TimeUnit.SECONDS));

        Session control = open("command=sleep&command=7236063&interactive=true");
        control.send(3, "{\"resize\":[80,24]}");
        assertEquals("1008 resize applies to a terminal only (tty=true)", control.closed.get(30, TimeUnit.SECONDS));

        Session channel = open("command=sleep&command=7236064&interactive=true");
        channel.send(7, "x");
        assertEquals("1008 unknown channel 7 (0 input, 3 control)", channel.closed.get(30, TimeUnit.SECONDS));
        for (String marker : List.of("7236061", "7236062", "7236063", "7236064")) {
            awaitGone(marker, "each refused session's command was ended");
        }
    }

    @Test
    void malformedRequestsAreRefusedBeforeTheProtocolSwitch() throws Exception {
        assertRefused(400, "command is required", "interactive=true");
        assertRefused(400, "interactive must be true or false", "command=true&interactive=yes");
        assertRefused(400, "Unknown parameter 'user'", "command=true&user=root");
        assertRefused(400, "cols applies to a terminal only", "command=true&cols=80");
        assertRefused(400, "cols must be a number from 1 to 65535", "command=true&tty=true&cols=0");
        assertRefused(400, "term must be a terminal type", "command=true&tty=true&term=" + encode("x;rm -rf /"));
        assertRefused(400, "container may be given once", "command=true&container=app&container=sidecar");
        assertRefused(404, "has no container named nope", "command=true&container=nope");
        assertRefused(400, "speaks WebSocket only", "command=true");
        HttpResponse<String> unknownTask = crossrole.adminGet("/_crossrole/tasks/0000/exec?command=true");
        assertEquals(404, unknownTask.statusCode(), unknownTask.body());
        // Exec is an admin route: without the administrator's token, nothing (not even whether the task exists).
        HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(crossrole.endpoint() + execPath("command=true"))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        try {
            HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(crossrole.endpoint()
                    .replace("http://", "ws://") + execPath("command=true")), new Session()).join();
            fail("a WebSocket without the token was opened");
        } catch (CompletionException e) {
            assertEquals(401, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
        }
        // And as a WebSocket handshake: refused with the same status.
        try {
            open("command=true&container=nope");
            fail("the handshake succeeded");
        } catch (CompletionException e) {
            assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
            assertEquals(404, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
        }
    }

    private static void assertRefused(int status, String message, String query) throws IOException, InterruptedException {
        HttpResponse<String> response = crossrole.adminGet(execPath(query));
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.body().contains(message), response.body());
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Test
    void theCommandDiesWithItsClient() throws Exception {
        Session session = open("command=sleep&command=7234242");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sleepers("7234242").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(sleepers("7234242").isEmpty(), "the command started");
        session.socket.abort();
        awaitGone("7234242", "a command nobody reads any more is ended");
    }

    /** Waits (bounded) until no {@code sleep <marker>} is left; killed processes take a moment to be reaped. */
    static void awaitGone(String marker, String why) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!sleepers(marker).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(List.of(), sleepers(marker), why);
    }
}
