package dev.crossrole.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The listener's limits on raw sockets: connections beyond the limit wait while established ones keep working;
 * a request head trickled a byte at a time is dropped at its deadline, while an idle keep-alive connection is not.
 */
class ListenerLimitsTest {

    private static HttpFront start(HttpLimits limits) throws IOException {
        return HttpFront.start(new InetSocketAddress("127.0.0.1", 0), limits,
                r -> HttpResponse.of(200, "text/plain", r.rawPath().getBytes(StandardCharsets.UTF_8)));
    }

    /** One response (the handler's bodies are short): its head and body, read by Content-Length. */
    private static String response(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int at = text.indexOf("Content-Length: ") + "Content-Length: ".length();
        int length = Integer.parseInt(text.substring(at, text.indexOf("\r\n", at)));
        return text + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    private static String get(Socket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return response(socket.getInputStream());
    }

    @Test
    void beyondTheConnectionLimitNewConnectionsWaitAndEstablishedOnesKeepWorking() throws Exception {
        try (HttpFront front = start(HttpLimits.defaults().withMaxConnections(4))) {
            List<Socket> established = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket socket = new Socket("127.0.0.1", front.port());
                    socket.setSoTimeout(10_000);
                    established.add(socket);
                    assertTrue(get(socket, "/established-" + i).endsWith("/established-" + i));
                }
                try (Socket fifth = new Socket("127.0.0.1", front.port())) {
                    // The operating system completes the connection; crossrole does not accept it yet.
                    fifth.getOutputStream().write("GET /fifth HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    fifth.setSoTimeout(700);
                    assertThrows(SocketTimeoutException.class, () -> fifth.getInputStream().read(),
                            "the fifth connection is answered while four are open");
                    for (int i = 0; i < 4; i++) {
                        assertTrue(get(established.get(i), "/again-" + i).endsWith("/again-" + i),
                                "an established connection keeps working at the limit");
                    }
                    established.remove(0).close();
                    fifth.setSoTimeout(10_000);
                    assertTrue(response(fifth.getInputStream()).endsWith("/fifth"), "answered once one closed");
                }
            } finally {
                for (Socket socket : established) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aTrickledRequestHeadIsDroppedAtItsDeadline() throws Exception {
        try (HttpFront front = start(HttpLimits.defaults().withHeadDeadline(Duration.ofSeconds(1)));
             Socket socket = new Socket("127.0.0.1", front.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            byte[] head = "GET /slow HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                    .getBytes(StandardCharsets.ISO_8859_1);
            // One byte every 100 ms: each well inside the idle timeout, the whole head far past the deadline.
            for (byte b : head) {
                try {
                    out.write(b);
                    out.flush();
                } catch (IOException e) {
                    break; // dropped while sending
                }
                Thread.sleep(100);
            }
            int read;
            try {
                read = socket.getInputStream().read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the trickling connection is still open", e);
            } catch (IOException e) {
                read = -1; // reset: dropped all the same
            }
            assertEquals(-1, read, "the connection is closed without an answer");
        }
    }

    @Test
    void anIdleKeepAliveConnectionOutlivesTheHeadDeadline() throws Exception {
        try (HttpFront front = start(HttpLimits.defaults().withHeadDeadline(Duration.ofMillis(300)));
             Socket socket = new Socket("127.0.0.1", front.port())) {
            socket.setSoTimeout(10_000);
            assertTrue(get(socket, "/first").endsWith("/first"));
            Thread.sleep(1500); // idle between requests: the idle timeout's business, not the head deadline's
            assertTrue(get(socket, "/second").endsWith("/second"));
        }
    }

    @Test
    void limitsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> HttpLimits.defaults().withMaxConnections(0));
        assertThrows(IllegalArgumentException.class, () -> HttpLimits.defaults().withHeadDeadline(Duration.ZERO));
        try {
            HttpLimits.defaults().withMaxConnections(1);
        } catch (IllegalArgumentException e) {
            fail(e);
        }
    }
}
