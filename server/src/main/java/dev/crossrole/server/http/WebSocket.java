package dev.crossrole.server.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A server-side WebSocket session (RFC 6455) as a blocking conversation: {@link #receive()} the next whole
 * message, {@link #sendBinary} one, {@link #close} once. Jetty speaks the protocol (masking, fragments, pings,
 * the closing handshake) and refuses a message over the cap before holding it (close 1009). Reading is for one
 * thread; sending may be done from several. {@link #accept} checks an opening handshake before the switch, so a
 * refusal is a plain HTTP answer with a reason.
 */
public final class WebSocket {
    private static final Logger LOG = Logger.getLogger(WebSocket.class.getName());
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

    /** Close codes (RFC 6455 section 7.4.1) crossrole sends. */
    public static final int NORMAL_CLOSURE = 1000;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int UNSUPPORTED_DATA = 1003;
    public static final int INVALID_PAYLOAD = 1007;
    public static final int POLICY_VIOLATION = 1008;
    public static final int MESSAGE_TOO_BIG = 1009;
    public static final int INTERNAL_ERROR = 1011;

    /** A whole data message: its bytes, and whether it was sent as text (then valid UTF-8). */
    public record Message(boolean text, byte[] payload) {}

    /** What the receiving side learned: a message, the peer's close, or the connection's failure. */
    private sealed interface Event permits Received, PeerClosed, Failed {}

    private record Received(Message message) implements Event {}

    private record PeerClosed(int code, String reason) implements Event {}

    private record Failed(Throwable cause) implements Event {}

    private final Session session;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Object sending = new Object();
    private boolean closeSent;
    private boolean ended;

    private WebSocket(Session session) {
        this.session = session;
    }

    // ---- the opening handshake ------------------------------------------------------------------

    /**
     * Answers a WebSocket opening handshake (RFC 6455 section 4.2) with the switch, after which {@code session}
     * runs on its own thread with the connection; or the reason it is not one. Requests from a web page (they
     * carry {@code Origin}) are refused: crossrole's sockets are for its own command line, and a browser would
     * otherwise let any site the user visits open one.
     */
    public static HttpResponse accept(HttpRequest request, int maxMessageBytes, Consumer<WebSocket> session) {
        if (!"GET".equals(request.method())) {
            return refusal(405, "A WebSocket opening handshake is a GET.");
        }
        if (!hasToken(request.header("Upgrade"), "websocket") || !hasToken(request.header("Connection"), "upgrade")) {
            return refusal(400, "This endpoint speaks WebSocket only: send Upgrade: websocket and Connection: Upgrade.");
        }
        if (request.header("Origin") != null) {
            return refusal(403, "WebSocket connections from web pages (with an Origin header) are refused.");
        }
        if (!"13".equals(trimmed(request.header("Sec-WebSocket-Version")))) {
            return refusal(426, "Only WebSocket version 13 is supported.").withHeader("Sec-WebSocket-Version", "13");
        }
        String key = trimmed(request.header("Sec-WebSocket-Key"));
        if (key == null || !validKey(key)) {
            return refusal(400, "Sec-WebSocket-Key must be 16 bytes in base64.");
        }
        if (!request.content().empty()) {
            // What follows the head would be the body, not the new protocol.
            return refusal(400, "A WebSocket opening handshake has no body.");
        }
        return HttpResponse.upgrade(new Upgrade(maxMessageBytes, session));
    }

    /** The switch a handler asked for: the session to run once the connection speaks WebSocket. */
    public static final class Upgrade {
        private final int maxMessageBytes;
        private final Consumer<WebSocket> session;

        Upgrade(int maxMessageBytes, Consumer<WebSocket> session) {
            this.maxMessageBytes = maxMessageBytes;
            this.session = session;
        }

        /** Jetty's end of the session: it feeds a {@link WebSocket} and starts the session's thread on open. */
        Session.Listener endpoint() {
            return new Endpoint(this);
        }
    }

    /** Public only because Jetty calls a listener through method handles; made by {@link Upgrade#endpoint()}. */
    public static final class Endpoint implements Session.Listener {
        private final Upgrade upgrade;
        private WebSocket socket;

        Endpoint(Upgrade upgrade) {
            this.upgrade = upgrade;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            session.setMaxBinaryMessageSize(upgrade.maxMessageBytes);
            session.setMaxTextMessageSize(upgrade.maxMessageBytes);
            socket = new WebSocket(session);
            Thread thread = new Thread(() -> socket.run(upgrade.session), "crossrole-websocket");
            thread.setDaemon(true);
            thread.start();
            session.demand();
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            callback.succeed();
            socket.events.add(new Received(new Message(false, bytes)));
        }

        @Override
        public void onWebSocketText(String text) {
            socket.events.add(new Received(new Message(true, text.getBytes(StandardCharsets.UTF_8))));
        }

        @Override
        public void onWebSocketClose(int code, String reason) {
            socket.events.add(new PeerClosed(code, reason));
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            if (socket != null) {
                socket.events.add(new Failed(cause));
            }
        }
    }

    /** Runs the session; when it returns the connection is closed (politely, unless a close was already sent). */
    private void run(Consumer<WebSocket> body) {
        try {
            body.accept(this);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "a WebSocket session failed", e);
            closeQuietly(INTERNAL_ERROR, "internal error");
            return;
        }
        closeQuietly(NORMAL_CLOSURE, "");
    }

    private void closeQuietly(int code, String reason) {
        try {
            close(code, reason);
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing a WebSocket", e);
        }
    }

    private static boolean validKey(String key) {
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean hasToken(String header, String token) {
        if (header == null) {
            return false;
        }
        for (String part : header.split(",")) {
            if (part.trim().toLowerCase(Locale.ROOT).equals(token)) {
                return true;
            }
        }
        return false;
    }

    private static String trimmed(String value) {
        return value == null ? null : value.trim();
    }

    private static HttpResponse refusal(int status, String message) {
        return HttpResponse.json(status, "{\"message\":\"" + message + "\"}");
    }

    // ---- receiving ----------------------------------------------------------------------------------

    /**
     * The next whole data message; {@code null} once the peer closed (Jetty answers its close unless a close was
     * already sent).
     *
     * @throws EOFException when the connection ended without a close, or the peer broke the protocol (Jetty
     *     closed the connection with the reason)
     */
    public Message receive() throws IOException {
        if (ended) {
            return null;
        }
        Event event;
        try {
            event = events.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a WebSocket message");
        }
        if (event instanceof Received received) {
            session.demand();
            return received.message();
        }
        ended = true;
        if (event instanceof Failed failed) {
            EOFException eof = new EOFException("the WebSocket connection failed: " + failed.cause().getMessage());
            eof.initCause(failed.cause());
            throw eof;
        }
        return null;
    }

    // ---- sending ---------------------------------------------------------------------------------------

    /** Sends one binary message and waits until it is written. */
    public void sendBinary(byte[] payload) throws IOException {
        synchronized (sending) {
            if (closeSent) {
                throw new IOException("the WebSocket is closing");
            }
            Callback.Completable sent = new Callback.Completable();
            session.sendBinary(ByteBuffer.wrap(payload), sent);
            await(sent);
        }
    }

    /**
     * Sends a close frame once (later calls do nothing); the session ends when the peer's close is received.
     * The reason is cut to fit the 125-byte control payload.
     */
    public void close(int code, String reason) throws IOException {
        synchronized (sending) {
            if (closeSent) {
                return;
            }
            closeSent = true;
            if (session.isOpen()) {
                session.close(code, truncateUtf8(reason == null ? "" : reason, 123), Callback.NOOP);
            }
        }
    }

    /** Whether a close frame was sent. */
    public boolean closeSent() {
        synchronized (sending) {
            return closeSent;
        }
    }

    /** Ends the connection at once (for a peer that does not answer a close); the reader then fails. */
    public void abort() {
        session.disconnect();
    }

    private static void await(Callback.Completable sent) throws IOException {
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending a WebSocket message");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private static String truncateUtf8(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return text;
        }
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--; // do not cut a character in two
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
