package dev.crossrole.server.http;

import dev.crossrole.server.protocol.StreamingBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * Jetty's request as crossrole's {@link HttpRequest}, the pipeline's {@link HttpResponse} written back.
 *
 * <p>Where a request runs: one that only reads state (the pipeline tells, {@link Pipeline#readsOnly}) and whose body
 * is already whole when its head is parsed (no body, or a small one that came with the head, as a signed API call
 * of a few KiB does) is answered on the thread that read it, with no
 * hand-over to another thread; that hand-over (a wake-up and a cold cache) cost about a third of the throughput of
 * small requests (docs/benchmarks.md). Every other request (one that changes state and waits for it to be durable,
 * a body still arriving or larger than {@link #WHOLE_BODY_BYTES}, a chunked body, {@code Expect: 100-continue})
 * runs on a worker, where the pipeline may block; streamed answers and WebSocket upgrades are written from a
 * worker as well. Nothing answered on the reading thread waits for another request or for the network (with the
 * PostgreSQL store every request asks the database for its revision, so there every request runs on a worker); an
 * operation that would wait (a long poll) must not count as reading only.
 * A header the pipeline answers with is written only if it cannot break the response's framing: a name that is
 * not a token or a value with a control character (CR, LF, NUL…) is refused, logged, and the answer becomes a
 * 500, so no request can make crossrole split a response or forge a header.
 */
final class PipelineHandler extends Handler.Abstract {
    private static final Logger LOG = Logger.getLogger(PipelineHandler.class.getName());
    private static final byte[] NO_BYTES = new byte[0];

    /** The largest body a request may have and still be answered on the thread that read it. */
    static final int WHOLE_BODY_BYTES = 64 * 1024;

    private final Function<HttpRequest, HttpResponse> pipeline;
    private final java.util.function.Predicate<HttpRequest> readsOnly;
    private final ServerWebSocketContainer webSockets;

    PipelineHandler(Function<HttpRequest, HttpResponse> pipeline, java.util.function.Predicate<HttpRequest> readsOnly,
                    ServerWebSocketContainer webSockets) {
        // Jetty calls handle() on the thread that parsed the request; handle() moves what may block to a worker.
        super(InvocationType.NON_BLOCKING);
        this.pipeline = pipeline;
        this.readsOnly = readsOnly;
        this.webSockets = webSockets;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        BodyPrefix prefix = readAvailable(request);
        HttpRequest exchange = exchange(request, prefix);
        if (prefix.whole() && readsOnly(exchange)) {
            answer(request, response, callback, exchange, false);
            return true;
        }
        try {
            request.getComponents().getExecutor().execute(
                    () -> answer(request, response, callback, exchange, true));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.log(Level.WARNING, "no worker free for " + request.getMethod() + " " + request.getHttpURI().getPath(), e);
            send(request, response, callback, HttpResponse.json(503, "{\"message\":\"Please reduce your request rate.\"}"));
        }
        return true;
    }

    private boolean readsOnly(HttpRequest exchange) {
        try {
            return readsOnly.test(exchange);
        } catch (RuntimeException e) {
            return false; // whatever is wrong with the request, the pipeline answers it, on a worker
        }
    }

    /**
     * What of the body has arrived with the head, read without waiting: {@code whole} when that is all of it. Only
     * small bodies of a declared length are read here, and never one the client waits to be asked for
     * ({@code Expect: 100-continue} is answered when the pipeline reads the body, not before).
     */
    record BodyPrefix(byte[] bytes, int length, boolean whole) {
        static final BodyPrefix NONE = new BodyPrefix(NO_BYTES, 0, false);
        static final BodyPrefix EMPTY = new BodyPrefix(NO_BYTES, 0, true);
    }

    static BodyPrefix readAvailable(Request request) {
        long declared = declaredLength(request);
        if (declared == 0) {
            return BodyPrefix.EMPTY;
        }
        if (declared < 0 || declared > WHOLE_BODY_BYTES || request.getHeaders().contains(HttpHeader.EXPECT)) {
            return BodyPrefix.NONE;
        }
        byte[] bytes = new byte[(int) declared];
        int length = 0;
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                // All its declared bytes are here (the end of the body is then the listener's to note), or the rest
                // is still on its way: a worker waits for it.
                return new BodyPrefix(bytes, length, length == bytes.length);
            }
            if (Content.Chunk.isFailure(chunk)) {
                // A broken body: left for the worker's read, which meets the failure again and answers it.
                return new BodyPrefix(bytes, length, false);
            }
            ByteBuffer data = chunk.getByteBuffer();
            int n = Math.min(data.remaining(), bytes.length - length);
            data.get(bytes, length, n);
            length += n;
            boolean last = chunk.isLast();
            chunk.release();
            if (last) {
                return new BodyPrefix(bytes, length, length == bytes.length);
            }
        }
    }

    private void answer(Request request, Response response, Callback callback, HttpRequest exchange, boolean onWorker) {
        HttpResponse answer;
        try {
            answer = pipeline.apply(exchange);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "unhandled error answering " + request.getMethod() + " " + exchange.rawPath(), e);
            answer = internalError();
        }
        String unsafe = answer.upgrade() == null ? unsafeHeader(answer.headers()) : null;
        if (unsafe != null) {
            LOG.severe("refused to answer " + request.getMethod() + " " + exchange.rawPath() + " with the header '"
                    + unsafe.replaceAll("[^\\x21-\\x7e]", "?") + "': its name or value holds a control character");
            answer = internalError();
        }
        if (!onWorker && answer.stream() != null && answer.stream().length() <= WHOLE_BODY_BYTES
                && !HttpMethod.HEAD.is(request.getMethod())) {
            answer = inMemory(answer); // a small object: read now, and written without a worker
        }
        boolean blocksToWrite = answer.upgrade() != null || answer.stream() != null;
        if (blocksToWrite && !onWorker) {
            // A streamed answer is written as the client takes it, which this thread must stay free to notice.
            HttpResponse written = answer;
            try {
                request.getComponents().getExecutor().execute(() -> write(request, response, callback, written));
                return;
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.log(Level.WARNING, "no worker free to write the answer to " + request.getMethod() + " "
                        + exchange.rawPath(), e);
                answer = HttpResponse.json(503, "{\"message\":\"Please reduce your request rate.\"}");
            }
        }
        write(request, response, callback, answer);
    }

    /** A small streamed answer as bytes; if reading it fails, the stream is kept (the worker's write reports it). */
    private static HttpResponse inMemory(HttpResponse answer) {
        StreamingBody stream = answer.stream();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream((int) stream.length());
        try {
            stream.writeTo(bytes);
        } catch (IOException | RuntimeException e) {
            return answer;
        }
        if (bytes.size() != stream.length()) {
            return answer;
        }
        return new HttpResponse(answer.status(), answer.headers(), bytes.toByteArray(), null, null);
    }

    private void write(Request request, Response response, Callback callback, HttpResponse answer) {
        if (answer.upgrade() != null) {
            upgrade(answer.upgrade(), request, response, callback);
        } else {
            send(request, response, callback, answer);
        }
    }

    /** The body's declared length; 0 for an HTTP/1 request with neither a length nor chunks; -1 if chunked. */
    private static long declaredLength(Request request) {
        HttpFields fields = request.getHeaders();
        long length = fields.getLongField(HttpHeader.CONTENT_LENGTH);
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        boolean http1 = version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0;
        if (length < 0 && http1 && !fields.contains(HttpHeader.TRANSFER_ENCODING)) {
            return 0; // HTTP/1.x without a length or chunks has no body (RFC 9112 section 6.3)
        }
        return length;
    }

    /** The request as received: path and query still percent-encoded, headers in order, the body unread. */
    static HttpRequest exchange(Request request) {
        return exchange(request, BodyPrefix.NONE);
    }

    /** As {@link #exchange(Request)}, the body starting with what {@link #readAvailable} took of it. */
    static HttpRequest exchange(Request request, BodyPrefix prefix) {
        HttpURI uri = request.getHttpURI();
        String path = uri.getPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        HttpFields fields = request.getHeaders();
        List<Map.Entry<String, String>> headers = new ArrayList<>(fields.size() + 1);
        boolean hasHost = false;
        for (HttpField field : fields) {
            String value = field.getValue();
            headers.add(Map.entry(field.getName(), value == null ? "" : value));
            hasHost |= field.getHeader() == HttpHeader.HOST;
        }
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        boolean http1 = version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0;
        if (!hasHost && !http1 && uri.getAuthority() != null) {
            // HTTP/2 names the host in :authority; SigV4 and the host check read it as Host, as AWS does.
            headers.add(0, Map.entry("Host", uri.getAuthority()));
        }
        long length = declaredLength(request);
        RequestBody body;
        if (prefix.whole()) {
            body = RequestBody.of(prefix.length() == prefix.bytes().length ? prefix.bytes()
                    : java.util.Arrays.copyOf(prefix.bytes(), prefix.length()));
        } else if (length == 0) {
            body = new RequestBody(InputStream.nullInputStream(), 0);
        } else {
            InputStream rest = Content.Source.asInputStream(request);
            body = new RequestBody(prefix.length() == 0 ? rest : new java.io.SequenceInputStream(
                    new java.io.ByteArrayInputStream(prefix.bytes(), 0, prefix.length()), rest), length);
        }
        return new HttpRequest(request.getMethod(), path, uri.getQuery(), headers, body,
                Request.getRemoteAddr(request), request.isSecure(), Request.getLocalPort(request));
    }

    private static void send(Request request, Response response, Callback callback, HttpResponse answer) {
        int status = answer.status();
        response.setStatus(status);
        HttpFields.Mutable headers = response.getHeaders();
        answer.headers().forEach(headers::put);
        boolean bodiless = status < 200 || status == 204 || status == 304;
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        StreamingBody stream = answer.stream();
        if (stream != null) {
            if (!bodiless) {
                headers.put(HttpHeader.CONTENT_LENGTH, stream.length());
            }
            if (head || bodiless) {
                callback.succeeded();
                return;
            }
            try (OutputStream out = Content.Sink.asOutputStream(response)) {
                stream.writeTo(out);
            } catch (IOException e) {
                LOG.log(Level.FINE, "the client went away during a streamed answer", e);
                callback.failed(e); // the connection is cut: the client sees a short body, never a wrong one
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "a streamed answer to " + request.getMethod() + " "
                        + request.getHttpURI().getPath() + " failed after its head was sent", e);
                callback.failed(e);
                return;
            }
            callback.succeeded();
            return;
        }
        byte[] body = answer.body() == null ? NO_BYTES : answer.body();
        if (!bodiless) {
            headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        }
        if (head || bodiless || body.length == 0) {
            callback.succeeded();
        } else {
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    /** Hands the connection to a WebSocket session (the handshake was checked by {@link WebSocket#accept}). */
    private void upgrade(WebSocket.Upgrade upgrade, Request request, Response response, Callback callback) {
        boolean upgraded;
        try {
            upgraded = webSockets.upgrade((upgradeRequest, upgradeResponse, upgradeCallback) -> upgrade.endpoint(),
                    request, response, callback);
        } catch (Exception e) {
            LOG.log(Level.SEVERE, "WebSocket upgrade of " + request.getHttpURI().getPath() + " failed", e);
            send(request, response, callback, internalError());
            return;
        }
        if (!upgraded) {
            send(request, response, callback, HttpResponse.json(400,
                    "{\"message\":\"This endpoint speaks WebSocket only: send an HTTP/1.1 WebSocket opening handshake.\"}"));
        }
    }

    /** The first header whose name is not a token or whose value holds a control character; {@code null} if none. */
    static String unsafeHeader(Map<String, String> headers) {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!token(header.getKey()) || !fieldValue(header.getValue())) {
                return header.getKey() + ": " + header.getValue();
            }
        }
        return null;
    }

    /** RFC 9110 section 5.6.2's token. */
    private static boolean token(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 section 5.5: no control character but horizontal tab. */
    private static boolean fieldValue(String value) {
        if (value == null) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static HttpResponse internalError() {
        return HttpResponse.json(500, "{\"message\":\"We encountered an internal error. Please try again.\"}");
    }
}
