package dev.crossrole.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The opening handshake as crossrole checks it before Jetty switches protocols; client frames for the wire tests. */
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
    void aValidHandshakeAsksForTheSwitch() {
        HttpResponse response = WebSocket.accept(handshake("GET", validHeaders()), 1024, s -> { });
        assertNotNull(response.upgrade());
    }

    @Test
    void aHandshakeWithABodyIsRefused() {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        validHeaders().forEach((k, v) -> list.add(Map.entry(k, v)));
        HttpRequest withBody = new HttpRequest("GET", "/x", null, list, "abc".getBytes(StandardCharsets.UTF_8),
                "127.0.0.1", false);
        assertRefused(400, "has no body", withBody);
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
        assertNull(response.upgrade());
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertTrue(body.contains(fragment), body);
        return response;
    }
}
