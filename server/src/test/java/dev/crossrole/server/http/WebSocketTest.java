package dev.crossrole.server.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 6455 framing and the opening handshake, as the server side sees them. */
class WebSocketTest {
    private static final byte[] MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

    /** A client frame: FIN and opcode, masked with {@link #MASK} unless told otherwise. */
    static byte[] frame(int firstByte, byte[] payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            out.write(maskBit | payload.length);
        } else if (payload.length <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write(payload.length >> 8);
            out.write(payload.length);
        } else {
            out.write(maskBit | 127);
            out.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
        }
        if (masked) {
            out.writeBytes(MASK);
            for (int i = 0; i < payload.length; i++) {
                out.write(payload[i] ^ MASK[i & 3]);
            }
        } else {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    static byte[] frame(int firstByte, String payload) {
        return frame(firstByte, payload.getBytes(StandardCharsets.UTF_8), true);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A server frame as read back: opcode and payload. */
    record Sent(int opcode, byte[] payload) {
        int closeCode() {
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
    }

    /** The unmasked frames the server wrote. */
    static List<Sent> sent(ByteArrayOutputStream written) throws IOException {
        List<Sent> out = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(written.toByteArray());
        int first;
        while ((first = in.read()) >= 0) {
            assertEquals(0x80, first & 0xF0, "server frames are final and use no reserved bit");
            int second = in.read();
            assertEquals(0, second & 0x80, "server frames are never masked");
            long length = second & 0x7F;
            if (length == 126) {
                length = ByteBuffer.wrap(in.readNBytes(2)).getShort() & 0xFFFF;
            } else if (length == 127) {
                length = ByteBuffer.wrap(in.readNBytes(8)).getLong();
            }
            out.add(new Sent(first & 0x0F, in.readNBytes((int) length)));
        }
        return out;
    }

    private static WebSocket socket(byte[] input, ByteArrayOutputStream output, int max) {
        return new WebSocket(new ByteArrayInputStream(input), output, max);
    }

    // ---- the handshake ----------------------------------------------------------------------------

    private static HttpRequest handshake(String method, Map<String, String> headers) {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        headers.forEach((k, v) -> list.add(Map.entry(k, v)));
        return new HttpRequest(method, "/x", null, list, new byte[0], "127.0.0.1", false);
    }

    private static Map<String, String> validHeaders() {
        return Map.of("Host", "127.0.0.1", "Upgrade", "websocket", "Connection", "keep-alive, Upgrade",
                "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13");
    }

    @Test
    void acceptValueIsTheRfcExample() {
        // RFC 6455 section 1.3.
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocket.acceptValue("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void aValidHandshakeSwitchesProtocols() {
        HttpResponse response = WebSocket.accept(handshake("GET", validHeaders()), 1024, s -> { });
        assertEquals(101, response.status());
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", response.headers().get("Sec-WebSocket-Accept"));
        assertEquals("websocket", response.headers().get("Upgrade"));
        assertNotNull(response.takeover());
    }

    @Test
    void malformedHandshakesAreRefusedWithTheReason() {
        Map<String, String> noUpgrade = new java.util.HashMap<>(validHeaders());
        noUpgrade.remove("Upgrade");
        assertRefused(400, "speaks WebSocket only", handshake("GET", noUpgrade));
        assertRefused(405, "is a GET", handshake("POST", validHeaders()));
        Map<String, String> fromBrowser = new java.util.HashMap<>(validHeaders());
        fromBrowser.put("Origin", "https://example.com");
        assertRefused(403, "web pages", handshake("GET", fromBrowser));
        Map<String, String> oldVersion = new java.util.HashMap<>(validHeaders());
        oldVersion.put("Sec-WebSocket-Version", "8");
        HttpResponse version = assertRefused(426, "version 13", handshake("GET", oldVersion));
        assertEquals("13", version.headers().get("Sec-WebSocket-Version"));
        for (String key : List.of("not base64!", "c2hvcnQ=")) {
            Map<String, String> badKey = new java.util.HashMap<>(validHeaders());
            badKey.put("Sec-WebSocket-Key", key);
            assertRefused(400, "16 bytes", handshake("GET", badKey));
        }
    }

    private static HttpResponse assertRefused(int status, String fragment, HttpRequest request) {
        HttpResponse response = WebSocket.accept(request, 1024, s -> { });
        assertEquals(status, response.status());
        assertNull(response.takeover());
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertTrue(body.contains(fragment), body);
        return response;
    }

    // ---- receiving ---------------------------------------------------------------------------------

    @Test
    void aMaskedBinaryMessageIsUnmasked() throws IOException {
        byte[] payload = {0, 1, 2, 3, 4, 5, (byte) 0xff};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WebSocket.Message m = socket(frame(0x82, payload, true), out, 1024).receive();
        assertFalse(m.text());
        assertArrayEquals(payload, m.payload());
        assertEquals(0, out.size(), "nothing to answer");
    }

    @Test
    void fragmentsAreJoinedAndPingsBetweenThemAnswered() throws IOException {
        // RFC 6455 section 5.7: a fragmented unmasked "Hello" — here masked, as a client sends it.
        byte[] input = concat(frame(0x01, "Hel"), frame(0x89, "are you there"), frame(0x80, "lo"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WebSocket.Message m = socket(input, out, 1024).receive();
        assertTrue(m.text());
        assertEquals("Hello", new String(m.payload(), StandardCharsets.UTF_8));
        List<Sent> sent = sent(out);
        assertEquals(1, sent.size());
        assertEquals(0xA, sent.get(0).opcode(), "a pong");
        assertEquals("are you there", new String(sent.get(0).payload(), StandardCharsets.UTF_8));
    }

    @Test
    void aCloseIsAnsweredWithItsCodeAndEndsTheSession() throws IOException {
        byte[] close = concat(new byte[] {0x03, (byte) 0xE9}, "going".getBytes(StandardCharsets.UTF_8)); // 1001
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WebSocket socket = socket(concat(frame(0x88, close, true), frame(0x82, "after".getBytes(StandardCharsets.UTF_8), true)), out, 1024);
        assertNull(socket.receive());
        assertNull(socket.receive(), "nothing is read after the close");
        List<Sent> sent = sent(out);
        assertEquals(1, sent.size());
        assertEquals(0x8, sent.get(0).opcode());
        assertEquals(1001, sent.get(0).closeCode());
        assertThrows(IOException.class, () -> socket.sendBinary(new byte[1]), "no data after a close");
    }

    @Test
    void protocolViolationsAreClosedWithTheirCode() throws IOException {
        assertViolation(1002, frame(0x82, "unmasked".getBytes(StandardCharsets.UTF_8), false));
        assertViolation(1002, frame(0xC2, "rsv1"));
        assertViolation(1002, frame(0x83, "opcode 3"));
        assertViolation(1002, frame(0x80, "continuation of nothing"));
        assertViolation(1002, concat(frame(0x02, "a"), frame(0x82, "b")));
        assertViolation(1002, frame(0x09, "fragmented ping"));
        assertViolation(1002, frame(0x89, new byte[126], true));
        assertViolation(1002, frame(0x88, new byte[] {0x03}, true));
        assertViolation(1002, frame(0x88, new byte[] {0x03, (byte) 0xED}, true)); // 1005 is never sent
        assertViolation(1007, frame(0x81, new byte[] {(byte) 0xC3, 0x28}, true));
        assertViolation(1007, frame(0x88, new byte[] {0x03, (byte) 0xE8, (byte) 0xFF}, true));
    }

    @Test
    void aFrameOverTheCapIsRefusedBeforeItsPayloadIsRead() throws IOException {
        // The head announces 2^40 bytes; nothing after it may be read (a stream that fails if it is).
        byte[] head = {(byte) 0x82, (byte) (0x80 | 127), 0, 0, 1, 0, 0, 0, 0, 0};
        InputStream neverRead = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("the payload of a frame over the cap was read");
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WebSocket socket = new WebSocket(new SequenceInputStream(new ByteArrayInputStream(head), neverRead), out, 1024);
        WebSocket.ProtocolViolation e = assertThrows(WebSocket.ProtocolViolation.class, socket::receive);
        assertEquals(1009, e.code());
        assertEquals(1009, sent(out).get(0).closeCode());
    }

    @Test
    void fragmentsTogetherOverTheCapAreRefused() throws IOException {
        assertViolation(1009, concat(frame(0x02, new byte[600], true), frame(0x80, new byte[600], true)));
    }

    @Test
    void aConnectionEndingInsideAFrameIsAnEndOfStream() {
        byte[] whole = frame(0x82, new byte[10], true);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
        assertThrows(EOFException.class, () -> socket(cut, new ByteArrayOutputStream(), 1024).receive());
        assertThrows(EOFException.class, () -> socket(new byte[0], new ByteArrayOutputStream(), 1024).receive());
    }

    private static void assertViolation(int code, byte[] input) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WebSocket.ProtocolViolation e = assertThrows(WebSocket.ProtocolViolation.class,
                () -> socket(input, out, 1024).receive());
        assertEquals(code, e.code(), e.getMessage());
        List<Sent> sent = sent(out);
        assertEquals(0x8, sent.get(sent.size() - 1).opcode(), "a close was sent");
        assertEquals(code, sent.get(sent.size() - 1).closeCode());
    }

    // ---- sending -------------------------------------------------------------------------------------

    @Test
    void lengthsUseTheShortestEncoding() throws IOException {
        for (int length : new int[] {0, 125, 126, 65535, 65536}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] payload = new byte[length];
            java.util.Arrays.fill(payload, (byte) 7);
            socket(new byte[0], out, 1024).sendBinary(payload);
            byte[] written = out.toByteArray();
            int headLength = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
            assertEquals(headLength + length, written.length, "length " + length);
            List<Sent> sent = sent(out);
            assertEquals(0x2, sent.get(0).opcode());
            assertArrayEquals(payload, sent.get(0).payload());
        }
    }

    @Test
    void aLongCloseReasonIsCutAtACharacterBoundary() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WebSocket socket = socket(new byte[0], out, 1024);
        socket.close(1008, "é".repeat(100));
        socket.close(1000, "a second close is not sent");
        List<Sent> sent = sent(out);
        assertEquals(1, sent.size());
        assertTrue(sent.get(0).payload().length <= 125);
        String reason = new String(sent.get(0).payload(), 2, sent.get(0).payload().length - 2, StandardCharsets.UTF_8);
        assertEquals("é".repeat(61), reason);
    }
}
