package dev.crossrole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * The client side of crossrole's exec WebSocket ({@code /_crossrole/tasks/{id}/exec}): binary messages whose
 * first byte is the channel — 0 input (sent), 1 output, 2 error output (received), 3 control as JSON
 * ({@code {"exit":N}} received; {@code {"resize":[cols,rows]}} and {@code {"close":0}} sent).
 */
final class ExecSocket {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STDIN = 0;
    private static final int STDOUT = 1;
    private static final int STDERR = 2;
    private static final int CONTROL = 3;

    private final AdminAccess admin;
    private final AdminClient client;
    private final String taskId;
    private final String container;
    private final List<String> command;
    private final boolean interactive;
    private final boolean tty;
    private final PrintWriter err;
    private final OutputStream stdout = new FileOutputStream(FileDescriptor.out);
    private final OutputStream stderr = new FileOutputStream(FileDescriptor.err);
    private final CompletableFuture<Integer> result = new CompletableFuture<>();
    private final Object sending = new Object();
    private volatile Integer exitStatus;
    private WebSocket socket;

    ExecSocket(AdminAccess admin, String taskId, String container, List<String> command, boolean interactive,
               boolean tty, PrintWriter err) {
        this.admin = admin;
        this.client = admin.client();
        this.taskId = taskId;
        this.container = container;
        this.command = command;
        this.interactive = interactive;
        this.tty = tty;
        this.err = err;
    }

    int run() throws IOException, InterruptedException {
        LocalTerminal terminal = tty ? LocalTerminal.ofThisProcess() : null;
        String pathAndQuery = "/_crossrole/tasks/" + encode(taskId) + "/exec?" + query(terminal);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(client.sslContext())
                .build();
        try {
            WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
            // The administrator's token, as every admin request carries it.
            if (client.authorization() != null) {
                builder.header("Authorization", client.authorization());
            }
            socket = builder.buildAsync(URI.create(client.webSocketBase() + pathAndQuery), new Listener()).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException) {
                // The refusal's reason is in its body, which the WebSocket client does not keep: ask again plainly.
                admin.refused(err, client.get(pathAndQuery));
            } else {
                err.println("crossrole: cannot reach crossrole at " + client.base() + ": " + e.getCause().getMessage());
            }
            return ExitCodes.UNUSABLE;
        }
        boolean raw = terminal != null && terminal.makeRaw();
        try {
            if (terminal != null && raw) {
                terminal.onResize(size -> send(CONTROL, ("{\"resize\":[" + size.columns() + "," + size.rows() + "]}")
                        .getBytes(StandardCharsets.UTF_8)));
            }
            if (interactive) {
                Thread input = new Thread(this::relayInput, "crossrole-exec-stdin");
                input.setDaemon(true);
                input.start();
            }
            return result.join();
        } finally {
            if (raw) {
                terminal.restore();
            }
        }
    }

    private String query(LocalTerminal terminal) {
        List<String> pairs = new ArrayList<>();
        for (String word : command) {
            pairs.add("command=" + encode(word));
        }
        if (container != null) {
            pairs.add("container=" + encode(container));
        }
        pairs.add("interactive=" + interactive);
        pairs.add("tty=" + tty);
        if (terminal != null) {
            pairs.add("term=" + encode(terminal.term()));
            pairs.add("cols=" + terminal.size().columns());
            pairs.add("rows=" + terminal.size().rows());
        }
        return String.join("&", pairs);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** Standard input to channel 0 until it ends, then {@code {"close":0}}. */
    private void relayInput() {
        InputStream in = new FileInputStream(FileDescriptor.in);
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer, 1, buffer.length - 1)) > 0) {
                buffer[0] = STDIN;
                send(ByteBuffer.wrap(buffer, 0, n + 1));
            }
            send(CONTROL, "{\"close\":0}".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // input unreadable: the command sees it end when the session does
        }
    }

    private void send(int channel, byte[] data) {
        ByteBuffer message = ByteBuffer.allocate(data.length + 1).put((byte) channel).put(data).flip();
        send(message);
    }

    /** One message at a time: the WebSocket takes a send only when the previous one completed. */
    private void send(ByteBuffer message) {
        synchronized (sending) {
            try {
                socket.sendBinary(message, true).join();
            } catch (RuntimeException e) {
                // the session has ended; its result says how
            }
        }
    }

    private void received(byte[] message) throws IOException {
        if (message.length == 0) {
            return;
        }
        switch (message[0]) {
            case STDOUT -> {
                stdout.write(message, 1, message.length - 1);
                stdout.flush();
            }
            case STDERR -> {
                stderr.write(message, 1, message.length - 1);
                stderr.flush();
            }
            case CONTROL -> {
                JsonNode control = JSON.readTree(message, 1, message.length - 1);
                if (control != null && control.path("exit").isInt()) {
                    exitStatus = control.path("exit").intValue();
                }
            }
            default -> { } // a channel this client does not know: nothing to show
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final ByteArrayOutputStream parts = new ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            parts.writeBytes(bytes);
            if (last) {
                try {
                    received(parts.toByteArray());
                } catch (IOException e) {
                    err.println("crossrole: cannot write the command's output: " + e.getMessage());
                    err.flush();
                }
                parts.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            Integer status = exitStatus;
            if (status == null) {
                err.println("crossrole: the exec session ended without the command's exit status"
                        + (reason == null || reason.isEmpty() ? " (WebSocket close " + statusCode + ")" : ": " + reason));
                err.flush();
                result.complete(ExitCodes.UNUSABLE);
            } else {
                result.complete(status);
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            err.println("crossrole: the exec session failed: " + error.getMessage());
            err.flush();
            result.complete(ExitCodes.UNUSABLE);
        }
    }
}
