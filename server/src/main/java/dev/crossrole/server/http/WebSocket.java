package dev.crossrole.server.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The server side of a WebSocket (RFC 6455): the opening handshake ({@link #accept}) and, on the connection the
 * listener hands over, frames read and written. Client frames must be masked (section 5.1); messages may arrive
 * in fragments, with pings and pongs between them (5.4, 5.5); a ping is answered with a pong, a close with a
 * close. A frame or message larger than the cap is refused before its payload is read (close 1009), so a
 * client cannot make the server hold more than the cap. No extensions, so no reserved bit may be set.
 * Reading is for one thread; sending may be done from several.
 */
public final class WebSocket {
    /** RFC 6455 section 1.3: appended to the client's key to prove the server read the handshake. */
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

    /** Close codes (RFC 6455 section 7.4.1) crossrole sends. */
    public static final int NORMAL_CLOSURE = 1000;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int UNSUPPORTED_DATA = 1003;
    public static final int INVALID_PAYLOAD = 1007;
    public static final int POLICY_VIOLATION = 1008;
    public static final int MESSAGE_TOO_BIG = 1009;
    public static final int INTERNAL_ERROR = 1011;

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** A whole data message: its bytes, and whether it was sent as text (then valid UTF-8). */
    public record Message(boolean text, byte[] payload) {}

    /** The peer broke the protocol; a close frame with {@link #code} was sent to it. */
    public static final class ProtocolViolation extends IOException {
        private static final long serialVersionUID = 1L;
        private final int code;

        ProtocolViolation(int code, String message) {
            super(message);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    private final InputStream in;
    private final OutputStream out;
    private final int maxMessageBytes;
    private final Object sending = new Object();
    private boolean closeSent;
    private boolean closeReceived;

    public WebSocket(InputStream in, OutputStream out, int maxMessageBytes) {
        this.in = in;
        this.out = out;
        this.maxMessageBytes = maxMessageBytes;
    }

    // ---- the opening handshake ------------------------------------------------------------------

    /**
     * Answers a WebSocket opening handshake (RFC 6455 section 4.2): {@code 101} with {@code Sec-WebSocket-Accept},
     * after which {@code session} runs on the connection; or the reason it is not one. Requests from a web page
     * (they carry {@code Origin}) are refused: crossrole's sockets are for its own command line, and a browser
     * would otherwise let any site the user visits open one.
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
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Upgrade", "websocket");
        headers.put("Connection", "Upgrade");
        headers.put("Sec-WebSocket-Accept", acceptValue(key));
        return HttpResponse.switching(headers, (in, out) -> session.accept(new WebSocket(in, out, maxMessageBytes)));
    }

    /** {@code base64(SHA-1(key + GUID))}, RFC 6455 section 4.2.2. */
    static String acceptValue(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
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
     * The next whole data message, answering pings on the way; {@code null} once the peer closed (its close is
     * answered unless a close was already sent).
     *
     * @throws ProtocolViolation when the peer broke the protocol (the close was sent)
     * @throws EOFException when the connection ended without a close
     */
    public Message receive() throws IOException {
        ByteArrayOutputStream fragments = null;
        boolean fragmentsAreText = false;
        while (true) {
            if (closeReceived) {
                return null;
            }
            int first = readByte();
            int second = readByte();
            boolean fin = (first & 0x80) != 0;
            int opcode = first & 0x0F;
            if ((first & 0x70) != 0) {
                throw violation(PROTOCOL_ERROR, "reserved bits set without an extension");
            }
            if ((second & 0x80) == 0) {
                throw violation(PROTOCOL_ERROR, "client frames must be masked");
            }
            long length = second & 0x7F;
            if (length == 126) {
                length = (readByte() << 8) | readByte();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte();
                }
                if (length < 0) {
                    throw violation(PROTOCOL_ERROR, "frame length out of range");
                }
            }
            boolean control = opcode >= 0x8;
            if (control && (!fin || length > 125)) {
                throw violation(PROTOCOL_ERROR, "control frames are unfragmented and at most 125 bytes");
            }
            long held = fragments == null ? 0 : fragments.size();
            if (!control && held + length > maxMessageBytes) {
                throw violation(MESSAGE_TOO_BIG, "messages are limited to " + maxMessageBytes + " bytes");
            }
            byte[] payload = readPayload((int) length);
            switch (opcode) {
                case PING -> {
                    if (!closeSent()) {
                        send(PONG, payload);
                    }
                }
                case PONG -> { } // an answer to nothing this side asks; ignored as RFC 6455 5.5.3 allows
                case CLOSE -> {
                    answerClose(payload);
                    return null;
                }
                case TEXT, BINARY -> {
                    if (fragments != null) {
                        throw violation(PROTOCOL_ERROR, "a new message began inside a fragmented one");
                    }
                    if (fin) {
                        return message(opcode == TEXT, payload);
                    }
                    fragments = new ByteArrayOutputStream();
                    fragments.writeBytes(payload);
                    fragmentsAreText = opcode == TEXT;
                }
                case CONTINUATION -> {
                    if (fragments == null) {
                        throw violation(PROTOCOL_ERROR, "a continuation frame without a message to continue");
                    }
                    fragments.writeBytes(payload);
                    if (fin) {
                        return message(fragmentsAreText, fragments.toByteArray());
                    }
                }
                default -> throw violation(PROTOCOL_ERROR, "unknown opcode " + opcode);
            }
        }
    }

    private Message message(boolean text, byte[] payload) throws IOException {
        if (text && !utf8(payload)) {
            throw violation(INVALID_PAYLOAD, "a text message must be UTF-8");
        }
        return new Message(text, payload);
    }

    private void answerClose(byte[] payload) throws IOException {
        int code = NORMAL_CLOSURE;
        if (payload.length == 1) {
            throw violation(PROTOCOL_ERROR, "a close payload is empty or starts with a 2-byte code");
        }
        if (payload.length >= 2) {
            code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
            boolean known = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
            if (!known) {
                throw violation(PROTOCOL_ERROR, "close code " + code + " may not be sent");
            }
            if (!utf8(java.util.Arrays.copyOfRange(payload, 2, payload.length))) {
                throw violation(INVALID_PAYLOAD, "a close reason must be UTF-8");
            }
        }
        closeReceived = true;
        close(code, "");
    }

    private byte[] readPayload(int length) throws IOException {
        byte[] mask = in.readNBytes(4);
        byte[] payload = in.readNBytes(length);
        if (mask.length < 4 || payload.length < length) {
            throw new EOFException("the connection ended inside a frame");
        }
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i & 3];
        }
        return payload;
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the connection ended without a close frame");
        }
        return b;
    }

    private ProtocolViolation violation(int code, String message) {
        try {
            close(code, message);
        } catch (IOException e) {
            // the peer is gone as well; the violation is what the caller needs to know
        }
        return new ProtocolViolation(code, message);
    }

    private static boolean utf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    // ---- sending ---------------------------------------------------------------------------------------

    /** Sends one binary message, unfragmented and unmasked (server frames are never masked). */
    public void sendBinary(byte[] payload) throws IOException {
        send(BINARY, payload);
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
            byte[] text = truncateUtf8(reason == null ? "" : reason, 123);
            byte[] payload = new byte[2 + text.length];
            payload[0] = (byte) (code >> 8);
            payload[1] = (byte) code;
            System.arraycopy(text, 0, payload, 2, text.length);
            writeFrame(CLOSE, payload);
            closeSent = true;
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
        try {
            out.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private void send(int opcode, byte[] payload) throws IOException {
        synchronized (sending) {
            if (closeSent) {
                throw new IOException("the WebSocket is closing");
            }
            writeFrame(opcode, payload);
        }
    }

    private void writeFrame(int opcode, byte[] payload) throws IOException {
        int length = payload.length;
        byte[] head;
        if (length < 126) {
            head = new byte[] {(byte) (0x80 | opcode), (byte) length};
        } else if (length <= 0xFFFF) {
            head = new byte[] {(byte) (0x80 | opcode), 126, (byte) (length >> 8), (byte) length};
        } else {
            head = ByteBuffer.allocate(10).put((byte) (0x80 | opcode)).put((byte) 127).putLong(length).array();
        }
        out.write(head);
        out.write(payload);
        out.flush();
    }

    private static byte[] truncateUtf8(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return bytes;
        }
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--; // do not cut a character in two
        }
        return java.util.Arrays.copyOf(bytes, end);
    }
}
