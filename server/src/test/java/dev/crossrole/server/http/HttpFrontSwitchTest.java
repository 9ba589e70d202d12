package dev.crossrole.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A handler that accepts a WebSocket handshake gets the connection: Jetty switches, then the session speaks. */
class HttpFrontSwitchTest {
    private HttpFront front;

    @BeforeEach
    void start() throws IOException {
        // An echo WebSocket: each binary message comes back, until the client closes.
        front = HttpFront.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), HttpLimits.defaults(),
                request -> WebSocket.accept(request, 1024, socket -> {
                    try {
                        WebSocket.Message message;
                        while ((message = socket.receive()) != null) {
                            socket.sendBinary(message.payload());
                        }
                    } catch (IOException e) {
                        // the client broke the protocol or went away: the session ends
                    }
                }));
    }

    @AfterEach
    void stop() {
        front.close();
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theSessionSpeaksOnTheConnectionAfterTheHead() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), front.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            // The first frame is sent at once, with the handshake: it must not be lost in the listener's buffer.
            out.write(WebSocketTest.frame(0x82, "ping me".getBytes(StandardCharsets.UTF_8), true));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = head(in);
            assertTrue(head.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), head);
            assertTrue(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), head);
            assertTrue(!head.contains("Content-Length"), head);
            assertEquals(0x82, in.read());
            assertEquals(7, in.read());
            assertEquals("ping me", new String(in.readNBytes(7), StandardCharsets.UTF_8));
            out.write(WebSocketTest.frame(0x88, new byte[] {0x03, (byte) 0xE8}, true));
            out.flush();
            byte[] close = in.readNBytes(4);
            assertEquals(0x88, close[0] & 0xFF);
            assertEquals(-1, in.read(), "the listener closes the connection after the closing handshake");
        }
    }

    @Test
    void aRequestWithABodyCannotSwitch() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), front.port())) {
            socket.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 3\r\n\r\nabc")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String head = head(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 400 "), head);
        }
    }

    @Test
    void aMessageOverTheCapIsRefusedWithoutBeingHeld() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), front.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(WebSocketTest.frame(0x82, new byte[1025], true)); // the cap is 1024
            out.flush();
            InputStream in = socket.getInputStream();
            assertTrue(head(in).startsWith("HTTP/1.1 101 "));
            assertEquals(0x88, in.read(), "a close frame");
            int length = in.read();
            byte[] payload = in.readNBytes(length);
            assertEquals(1009, ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF), "1009: message too big");
        }
    }
}
