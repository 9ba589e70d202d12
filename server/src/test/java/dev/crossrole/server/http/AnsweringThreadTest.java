package dev.crossrole.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.protocol.StreamingBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which thread answers a request: one the pipeline says only reads, whose body came whole with its head, is answered
 * on the thread that read it (its stack holds the selector's execution strategy); everything else on a worker, with
 * its body whole whichever way it came. The handler records, per request path, whether it ran on a selector.
 */
class AnsweringThreadTest {
    /** What runs a selector's work: present on the stack of the thread that read the connection, not on a worker's. */
    private static final String SELECTOR = "org.eclipse.jetty.util.thread.strategy.AdaptiveExecutionStrategy";

    private final Map<String, Boolean> onSelector = new ConcurrentHashMap<>();
    private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
    private HttpFront front;

    private static boolean onSelectorThread() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getClassName().startsWith(SELECTOR)));
    }

    private void start(Predicate<HttpRequest> readsOnly, java.util.function.Function<HttpRequest, HttpResponse> answer)
            throws IOException {
        front = HttpFront.start(new InetSocketAddress("127.0.0.1", 0), HttpLimits.defaults(), null, request -> {
            onSelector.put(request.rawPath(), onSelectorThread());
            return answer.apply(request);
        }, readsOnly);
    }

    private void startEcho(Predicate<HttpRequest> readsOnly) throws IOException {
        start(readsOnly, request -> {
            byte[] body = request.body();
            bodies.put(request.rawPath(), body);
            return HttpResponse.of(200, "application/octet-stream", body);
        });
    }

    @AfterEach
    void stop() {
        if (front != null) {
            front.close();
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", front.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String post(String path, int length, String extraHeaders) {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + length + "\r\n" + extraHeaders
                + "Connection: close\r\n\r\n";
    }

    private static byte[] body(int length) {
        byte[] body = new byte[length];
        for (int i = 0; i < length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        return body;
    }

    private String exchange(String head, byte[] body) throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            // One write, so that the body comes with its head (two writes may reach the server in two reads).
            byte[] headBytes = head.getBytes(StandardCharsets.ISO_8859_1);
            byte[] both = java.util.Arrays.copyOf(headBytes, headBytes.length + body.length);
            System.arraycopy(body, 0, both, headBytes.length, body.length);
            out.write(both);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aReadOnlyRequestWhoseBodyCameWithItsHeadIsAnsweredOnTheThreadThatReadIt() throws IOException {
        startEcho(request -> true);
        byte[] body = body(600);
        String response = exchange(post("/small", body.length, ""), body);
        assertTrue(response.startsWith("HTTP/1.1 200 ") && response.endsWith(new String(body, StandardCharsets.US_ASCII)),
                response);
        assertTrue(onSelector.get("/small"));
        String empty = exchange("GET /none HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", new byte[0]);
        assertTrue(empty.startsWith("HTTP/1.1 200 ") && empty.contains("Content-Length: 0"), empty);
        assertTrue(onSelector.get("/none"));
    }

    @Test
    void aRequestThatMayChangeStateRunsOnAWorker() throws IOException {
        startEcho(request -> !request.rawPath().equals("/writes"));
        exchange(post("/writes", 3, ""), "abc".getBytes(StandardCharsets.US_ASCII));
        assertFalse(onSelector.get("/writes"));
        assertEquals("abc", new String(bodies.get("/writes"), StandardCharsets.US_ASCII));
    }

    @Test
    void aBodyStillOnItsWayIsReadWholeOnAWorker() throws Exception {
        startEcho(request -> true);
        byte[] body = body(5000);
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(post("/split", body.length, "").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, 0, 1000); // the head and a part of the body: what the listener takes before handing over
            out.flush();
            Thread.sleep(300);
            out.write(body, 1000, body.length - 1000);
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 200 "), response);
        }
        assertFalse(onSelector.get("/split"));
        assertTrue(Arrays.equals(body, bodies.get("/split")), "the body, its first part read early, arrives whole");
    }

    @Test
    void largeChunkedAndExpectingBodiesRunOnAWorker() throws Exception {
        startEcho(request -> true);
        byte[] large = body(PipelineHandler.WHOLE_BODY_BYTES + 1);
        exchange(post("/large", large.length, ""), large);
        assertFalse(onSelector.get("/large"));
        assertTrue(Arrays.equals(large, bodies.get("/large")));

        String chunked = exchange("POST /chunked HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n", new byte[0]);
        assertTrue(chunked.endsWith("abc"), chunked);
        assertFalse(onSelector.get("/chunked"));

        // Expect: 100-continue: nothing is read before the pipeline asks for the body, on a worker.
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(post("/expect", 3, "Expect: 100-continue\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(in.readNBytes(25), StandardCharsets.ISO_8859_1));
            out.write("xyz".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).endsWith("xyz"));
        }
        assertFalse(onSelector.get("/expect"));
    }

    @Test
    void aPredicateThatFailsSendsTheRequestToAWorker() throws IOException {
        startEcho(request -> {
            throw new IllegalStateException("cannot tell");
        });
        String response = exchange(post("/odd", 2, ""), "ok".getBytes(StandardCharsets.US_ASCII));
        assertTrue(response.startsWith("HTTP/1.1 200 ") && response.endsWith("ok"), response);
        assertFalse(onSelector.get("/odd"));
    }

    private static StreamingBody streamOf(byte[] content, boolean[] writtenOnSelector) {
        return new StreamingBody() {
            @Override
            public long length() {
                return content.length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                writtenOnSelector[0] = onSelectorThread();
                out.write(content);
            }
        };
    }

    @Test
    void streamedAnswersAreWrittenWholeSmallOnesInMemoryLargeOnesFromAWorker() throws IOException {
        byte[] small = body(1024);
        byte[] large = body(8 * 1024 * 1024);
        boolean[] smallOnSelector = {false};
        boolean[] largeOnSelector = {true};
        start(request -> true, request -> {
            boolean isLarge = request.rawPath().equals("/large");
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/octet-stream");
            return new HttpResponse(200, headers, null, isLarge ? streamOf(large, largeOnSelector)
                    : streamOf(small, smallOnSelector));
        });
        for (String path : new String[] {"/small", "/large"}) {
            try (Socket socket = connect()) {
                socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                byte[] all = socket.getInputStream().readAllBytes();
                String text = new String(all, StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n") + 4;
                byte[] expected = path.equals("/large") ? large : small;
                assertTrue(text.contains("Content-Length: " + expected.length), text.substring(0, end));
                assertTrue(Arrays.equals(expected, Arrays.copyOfRange(all, end, all.length)), path);
            }
        }
        assertTrue(smallOnSelector[0], "a small stream is read into memory where the request was read");
        assertFalse(largeOnSelector[0], "a large stream is written as the client takes it, from a worker");
    }

    @Test
    void aWriterWaitingOnAWorkerHoldsNoReadOnlyRequestBack() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start(request -> request.rawPath().equals("/read"), request -> {
            if (request.rawPath().equals("/write")) {
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return HttpResponse.of(200, "text/plain", request.rawPath().getBytes(StandardCharsets.US_ASCII));
        });
        try (Socket writer = connect()) {
            writer.getOutputStream().write(post("/write", 0, "").getBytes(StandardCharsets.ISO_8859_1));
            writer.getOutputStream().flush();
            for (int i = 0; i < 20; i++) {
                String read = exchange("GET /read HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", new byte[0]);
                assertTrue(read.endsWith("/read"), read);
            }
            release.countDown();
            assertTrue(new String(writer.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1).endsWith("/write"));
        }
    }
}
