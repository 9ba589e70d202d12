package dev.crossrole.server.http;

import dev.crossrole.server.protocol.StreamingBody;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A response to send: status, headers, and a body either in memory or streamed ({@code stream} non-null). */
public record HttpResponse(int status, Map<String, String> headers, byte[] body, StreamingBody stream) {

    public HttpResponse(int status, Map<String, String> headers, byte[] body) {
        this(status, headers, body, null);
    }

    public static HttpResponse of(int status, String contentType, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", contentType);
        return new HttpResponse(status, headers, body);
    }

    public static HttpResponse json(int status, String json) {
        return of(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public HttpResponse withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
