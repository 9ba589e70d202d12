package dev.crossrole.server.http;

import dev.crossrole.server.protocol.StreamingBody;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response to send: status, headers, and a body either in memory or streamed ({@code stream} non-null); or,
 * with {@code upgrade} non-null, the switch to a WebSocket session ({@link WebSocket#accept}). Header names must
 * be tokens and values free of control characters: the listener refuses to write any other (a 500 instead).
 */
public record HttpResponse(int status, Map<String, String> headers, byte[] body, StreamingBody stream,
                           WebSocket.Upgrade upgrade) {

    public HttpResponse(int status, Map<String, String> headers, byte[] body, StreamingBody stream) {
        this(status, headers, body, stream, null);
    }

    public HttpResponse(int status, Map<String, String> headers, byte[] body) {
        this(status, headers, body, null, null);
    }

    public static HttpResponse of(int status, String contentType, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", contentType);
        return new HttpResponse(status, headers, body);
    }

    public static HttpResponse json(int status, String json) {
        return of(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code 101 Switching Protocols} to a WebSocket session; the listener completes the handshake. */
    static HttpResponse upgrade(WebSocket.Upgrade upgrade) {
        return new HttpResponse(101, new LinkedHashMap<>(), new byte[0], null, upgrade);
    }

    public HttpResponse withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
