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
 * Jetty's request as crossrole's {@link HttpRequest}, the pipeline's {@link HttpResponse} written back. Runs on
 * a worker thread (a blocking handler): the pipeline reads bodies as streams and writes streamed answers.
 * A header the pipeline answers with is written only if it cannot break the response's framing: a name that is
 * not a token or a value with a control character (CR, LF, NUL…) is refused, logged, and the answer becomes a
 * 500, so no request can make crossrole split a response or forge a header.
 */
final class PipelineHandler extends Handler.Abstract {
    private static final Logger LOG = Logger.getLogger(PipelineHandler.class.getName());
    private static final byte[] NO_BYTES = new byte[0];

    private final Function<HttpRequest, HttpResponse> pipeline;
    private final ServerWebSocketContainer webSockets;

    PipelineHandler(Function<HttpRequest, HttpResponse> pipeline, ServerWebSocketContainer webSockets) {
        super(InvocationType.BLOCKING);
        this.pipeline = pipeline;
        this.webSockets = webSockets;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        HttpRequest exchange = exchange(request);
        HttpResponse answer;
        try {
            answer = pipeline.apply(exchange);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "unhandled error answering " + request.getMethod() + " " + exchange.rawPath(), e);
            answer = internalError();
        }
        if (answer.upgrade() != null) {
            upgrade(answer.upgrade(), request, response, callback);
            return true;
        }
        String unsafe = unsafeHeader(answer.headers());
        if (unsafe != null) {
            LOG.severe("refused to answer " + request.getMethod() + " " + exchange.rawPath() + " with the header '"
                    + unsafe.replaceAll("[^\\x21-\\x7e]", "?") + "': its name or value holds a control character");
            answer = internalError();
        }
        send(request, response, callback, answer);
        return true;
    }

    /** The request as received: path and query still percent-encoded, headers in order, the body unread. */
    static HttpRequest exchange(Request request) {
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
        long length = fields.getLongField(HttpHeader.CONTENT_LENGTH);
        if (length < 0 && http1 && !fields.contains(HttpHeader.TRANSFER_ENCODING)) {
            length = 0; // HTTP/1.x without a length or chunks has no body (RFC 9112 section 6.3)
        }
        InputStream body = length == 0 ? InputStream.nullInputStream() : Content.Source.asInputStream(request);
        return new HttpRequest(request.getMethod(), path, uri.getQuery(), headers, new RequestBody(body, length),
                Request.getRemoteAddr(request), request.isSecure());
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
