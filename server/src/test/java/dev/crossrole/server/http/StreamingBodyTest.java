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
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The listener's streaming bodies: chunked decoding, a deferred 100 Continue, draining for keep-alive, streamed responses. */
class StreamingBodyTest {

    private static String exchange(Function<HttpRequest, HttpResponse> handler, String request) throws Exception {
        try (HttpFront front = HttpFront.start(new InetSocketAddress("127.0.0.1", 0), HttpLimits.defaults(), handler);
             Socket socket = new Socket("127.0.0.1", front.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static HttpResponse text(String body) {
        return HttpResponse.of(200, "text/plain", body.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aChunkedBodyStreamsDecoded() throws Exception {
        String response = exchange(r -> text("got:" + read(r.content().stream())),
                "PUT /b/k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                        + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n");
        assertTrue(response.endsWith("got:hello, world"), response);
    }

    @Test
    void continueIsSentOnlyWhenTheBodyIsRead() throws Exception {
        try (HttpFront front = HttpFront.start(new InetSocketAddress("127.0.0.1", 0), HttpLimits.defaults(),
                r -> r.rawPath().equals("/read") ? text(read(r.content().stream()))
                        : HttpResponse.of(403, "application/xml", new byte[0]))) {
            // Read: the client waits for 100 Continue before it sends the body, as clients do.
            try (Socket socket = new Socket("127.0.0.1", front.port())) {
                socket.setSoTimeout(5000);
                OutputStream out = socket.getOutputStream();
                out.write(("PUT /read HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                InputStream in = socket.getInputStream();
                assertEquals("HTTP/1.1 100 Continue\r\n\r\n",
                        new String(in.readNBytes(25), StandardCharsets.ISO_8859_1));
                out.write("abc".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(rest.startsWith("HTTP/1.1 200 OK") && rest.endsWith("abc"), rest);
            }
            // Rejected before reading: no 100 Continue; the body never comes, the connection is not reused.
            try (Socket socket = new Socket("127.0.0.1", front.port())) {
                socket.setSoTimeout(5000);
                OutputStream out = socket.getOutputStream();
                out.write(("PUT /refuse HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                String rejected = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertFalse(rejected.contains("100 Continue"), rejected);
                assertTrue(rejected.startsWith("HTTP/1.1 403"), rejected);
                assertEquals(1, rejected.split("HTTP/1.1 ", -1).length - 1, "one response only: " + rejected);
            }
        }
    }

    @Test
    void anUnreadBodyIsSkippedSoTheNextRequestIsParsed() throws Exception {
        AtomicReference<String> second = new AtomicReference<>();
        String response = exchange(r -> {
            if (r.rawPath().equals("/second")) {
                second.set(new String(r.body(), StandardCharsets.UTF_8));
            }
            return text(r.rawPath());
        }, "PUT /first HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nxxxxx"
                + "POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        assertTrue(response.contains("/first") && response.endsWith("/second"), response);
        assertEquals("ok", second.get());
    }

    @Test
    void aStreamedResponseAnnouncesItsLengthAndHeadWritesNoBody() throws Exception {
        StreamingBody body = new StreamingBody() {
            @Override
            public long length() {
                return 6;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write("stream".getBytes(StandardCharsets.US_ASCII));
            }
        };
        Function<HttpRequest, HttpResponse> handler = r -> new HttpResponse(200, new LinkedHashMap<>(), null, body);
        String get = exchange(handler, "GET /o HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(get.contains("Content-Length: 6\r\n") && get.endsWith("\r\n\r\nstream"), get);
        String head = exchange(handler, "HEAD /o HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(head.contains("Content-Length: 6\r\n") && head.endsWith("\r\n\r\n"), head);
    }

    @Test
    void wholeBodiesStayCapped() throws Exception {
        String response = exchange(r -> {
            try {
                r.body();
                return text("read");
            } catch (dev.crossrole.server.protocol.AwsException e) {
                return HttpResponse.of(e.httpStatus(), "text/plain", e.code().getBytes(StandardCharsets.UTF_8));
            }
        }, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + (HttpFront.MAX_BODY_BYTES + 1L)
                + "\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 413"), response);
        assertTrue(response.endsWith("RequestEntityTooLarge"), response);
    }


    @Test
    void aStreamedAnswerThatFailsBeforeItsFirstByteIsA500ThatTheLogExplains() throws Exception {
        LogRecords recorder = new LogRecords(java.util.logging.Level.WARNING);
        java.util.List<java.util.logging.LogRecord> warnings = recorder.records;
        java.util.logging.Logger listener = java.util.logging.Logger.getLogger(ErrorBody.class.getName());
        listener.addHandler(recorder);
        try {
            String response = exchange(r -> new HttpResponse(200, new LinkedHashMap<>(), null, new StreamingBody() {
                @Override
                public long length() {
                    return 10;
                }

                @Override
                public void writeTo(OutputStream out) {
                    throw new IllegalStateException("the blob went away");
                }
            }), "GET /b/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 500 "), response);
            assertTrue(warnings.stream().anyMatch(w -> w.getMessage().contains("answered 500 to GET /b/k")
                    && w.getThrown() != null && "the blob went away".equals(w.getThrown().getMessage())),
                    "the listener's own 500 is logged with its cause");
        } finally {
            listener.removeHandler(recorder);
        }
    }
}
