package dev.crossrole.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.http.WebSocket;
import dev.crossrole.server.tasks.TaskRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The exec channel protocol on a WebSocket, after the channel protocol of Kubernetes' exec: every message is
 * binary, its first byte the channel — 0 the command's input (client to server), 1 its output, 2 its error
 * output (server to client), 3 control as JSON: {@code {"exit":N}} from the server once the command ended and
 * its output was sent, then a close; from the client {@code {"resize":[cols,rows]}} for a terminal and
 * {@code {"close":0}} when its input ended. Anything else ends the session with a close saying why. The command
 * ends when the client goes away: it belongs to the session.
 */
final class ExecRelay {
    private static final Logger LOG = Logger.getLogger(ExecRelay.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int STDIN = 0;
    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int CONTROL = 3;
    static final int MAX_TERMINAL_SIZE = 65535;
    /** After the exit, how long output still held by the command's background children is waited for. */
    private static final long OUTPUT_AFTER_EXIT_MILLIS = 2000;
    /** How long a client has to answer the closing handshake. */
    private static final long CLOSE_ANSWER_SECONDS = 10;

    /** Starts the command (inside the session, so that a failure is told on the socket). */
    @FunctionalInterface
    interface Starter {
        TaskRuntime.ExecSession start() throws IOException;
    }

    private final WebSocket socket;
    private final Starter starter;
    private final TaskRuntime.ExecLaunch launch;
    private final CountDownLatch peerDone = new CountDownLatch(1);
    /** The running command; {@code null} when it could not be started. */
    private TaskRuntime.ExecSession session;

    ExecRelay(WebSocket socket, Starter starter, TaskRuntime.ExecLaunch launch) {
        this.socket = socket;
        this.starter = starter;
        this.launch = launch;
    }

    void run() {
        TaskRuntime.ExecSession started;
        try {
            started = starter.start();
        } catch (IOException e) {
            // As a shell says of a program it cannot run: 126.
            send(STDERR, ("crossrole: cannot run " + launch.argv().get(0) + ": " + e.getMessage() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            started = null;
        }
        TaskRuntime.ExecSession session = started;
        this.session = session;
        Thread stdout = session == null ? null : pump(session.stdout(), STDOUT);
        Thread stderr = session == null ? null : pump(session.stderr(), STDERR);
        Thread finisher = new Thread(() -> {
            int code = 126;
            if (session != null) {
                code = session.exit().join();
                joinQuietly(stdout);
                joinQuietly(stderr);
            }
            finish(code);
        }, "crossrole-exec-exit");
        finisher.setDaemon(true);
        finisher.start();
        try {
            receiveUntilClosed();
        } finally {
            if (session != null && !session.exit().isDone()) {
                session.kill(); // the client is gone: nobody reads the command any more
            }
        }
    }

    /** Handles the client's messages until its close (or the connection's end). */
    private void receiveUntilClosed() {
        try {
            WebSocket.Message message;
            while ((message = socket.receive()) != null) {
                // Once a close was sent (the exit, or a refusal) the session is ending: messages until the
                // client's close are read and dropped.
                if (session != null && !socket.closeSent()) {
                    handle(message);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "exec connection ended", e);
        } finally {
            peerDone.countDown();
        }
    }

    /** One client message; a message that breaks the protocol ends the session. */
    private void handle(WebSocket.Message message) throws IOException {
        byte[] payload = message.payload();
        if (message.text() || payload.length == 0) {
            refuse(WebSocket.UNSUPPORTED_DATA, "exec messages are binary, a channel byte first");
            return;
        }
        switch (payload[0]) {
            case STDIN -> {
                if (!launch.interactive()) {
                    refuse(WebSocket.POLICY_VIOLATION, "input is not attached: exec without interactive=true");
                    return;
                }
                OutputStream in = session.stdin();
                try {
                    in.write(payload, 1, payload.length - 1);
                    in.flush();
                } catch (IOException e) {
                    // the command closed its input or ended: as a pipe whose reader left, the rest is dropped
                }
            }
            case CONTROL -> control(Arrays.copyOfRange(payload, 1, payload.length));
            default -> refuse(WebSocket.POLICY_VIOLATION, "unknown channel " + payload[0] + " (0 input, 3 control)");
        }
    }

    private void control(byte[] json) throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            refuse(WebSocket.INVALID_PAYLOAD, "a control message is a JSON object");
            return;
        }
        if (node == null || !node.isObject() || node.size() != 1) {
            refuse(WebSocket.POLICY_VIOLATION, "a control message has one field: resize or close");
            return;
        }
        JsonNode resize = node.get("resize");
        if (resize != null) {
            if (launch.terminal() == null) {
                refuse(WebSocket.POLICY_VIOLATION, "resize applies to a terminal only (tty=true)");
                return;
            }
            if (!resize.isArray() || resize.size() != 2 || !validSize(resize.get(0)) || !validSize(resize.get(1))) {
                refuse(WebSocket.POLICY_VIOLATION, "resize is [cols, rows], each from 1 to " + MAX_TERMINAL_SIZE);
                return;
            }
            session.resize(resize.get(0).intValue(), resize.get(1).intValue());
            return;
        }
        JsonNode close = node.get("close");
        if (close != null && close.isInt() && close.intValue() == STDIN) {
            if (launch.interactive()) {
                try {
                    session.stdin().close();
                } catch (IOException e) {
                    // already closed by the command
                }
            }
            return;
        }
        refuse(WebSocket.POLICY_VIOLATION, "unknown control message; known: {\"resize\":[cols,rows]}, {\"close\":0}");
    }

    private static boolean validSize(JsonNode n) {
        return n.isInt() && n.intValue() >= 1 && n.intValue() <= MAX_TERMINAL_SIZE;
    }

    /** Closes with the reason and ends the command; the exit is not sent after a refusal. */
    private void refuse(int code, String reason) throws IOException {
        socket.close(code, reason);
        session.kill();
    }

    /** Copies one output of the command to its channel until it ends (or the client went away). */
    private Thread pump(InputStream from, int channel) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (from) {
                int n;
                while ((n = from.read(buffer, 1, buffer.length - 1)) > 0) {
                    buffer[0] = (byte) channel;
                    socket.sendBinary(Arrays.copyOf(buffer, n + 1));
                }
            } catch (IOException e) {
                LOG.log(Level.FINE, "exec output ended", e);
            }
        }, "crossrole-exec-" + (channel == STDOUT ? "stdout" : "stderr"));
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** The exit status, then the close; a client that does not answer the close is cut off. */
    private void finish(int code) {
        send(CONTROL, ("{\"exit\":" + code + "}").getBytes(StandardCharsets.UTF_8));
        try {
            socket.close(WebSocket.NORMAL_CLOSURE, "");
            if (!peerDone.await(CLOSE_ANSWER_SECONDS, TimeUnit.SECONDS)) {
                socket.abort();
            }
        } catch (IOException e) {
            socket.abort();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            socket.abort();
        }
    }

    private void send(int channel, byte[] data) {
        byte[] message = new byte[data.length + 1];
        message[0] = (byte) channel;
        System.arraycopy(data, 0, message, 1, data.length);
        try {
            socket.sendBinary(message);
        } catch (IOException e) {
            LOG.log(Level.FINE, "exec client gone", e);
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(OUTPUT_AFTER_EXIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
