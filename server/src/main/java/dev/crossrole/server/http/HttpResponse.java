package dev.crossrole.server.http;

import dev.crossrole.server.protocol.StreamingBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response to send: status, headers, and a body either in memory or streamed ({@code stream} non-null); or,
 * with {@code takeover} non-null, a {@code 101 Switching Protocols} after which the takeover owns the connection.
 */
public record HttpResponse(int status, Map<String, String> headers, byte[] body, StreamingBody stream,
                           Takeover takeover) {

    /**
     * What speaks on a connection after {@code 101 Switching Protocols}: it reads and writes the connection
     * until it returns, and the listener then closes it.
     */
    @FunctionalInterface
    public interface Takeover {
        void run(InputStream in, OutputStream out) throws IOException;
    }

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

    /** {@code 101 Switching Protocols} with {@code headers}, after which {@code takeover} owns the connection. */
    public static HttpResponse switching(Map<String, String> headers, Takeover takeover) {
        return new HttpResponse(101, new LinkedHashMap<>(headers), new byte[0], null, takeover);
    }

    public HttpResponse withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
