package dev.crossrole.server.http;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request as received: the raw (still percent-encoded) path and query exactly as sent, the headers in
 * arrival order with their values as sent (names compare case-insensitively: the listener may spell a known
 * one its own way, and HTTP/2 sends them in lower case, its {@code :authority} as {@code Host}), the body
 * (read on demand), and where it came from; {@code secure} when it came over TLS; {@code localPort} the port of
 * crossrole's it arrived on (-1 when not told), which says whether it is for the registry's own port.
 */
public record HttpRequest(String method, String rawPath, String rawQuery, List<Map.Entry<String, String>> headers,
                          RequestBody content, String remoteAddress, boolean secure, int localPort) {

    public HttpRequest(String method, String rawPath, String rawQuery, List<Map.Entry<String, String>> headers,
                       RequestBody content, String remoteAddress, boolean secure) {
        this(method, rawPath, rawQuery, headers, content, remoteAddress, secure, -1);
    }

    public HttpRequest(String method, String rawPath, String rawQuery, List<Map.Entry<String, String>> headers,
                       byte[] body, String remoteAddress, boolean secure) {
        this(method, rawPath, rawQuery, headers, RequestBody.of(body == null ? new byte[0] : body), remoteAddress, secure);
    }

    /** The whole body in memory, for the Query and JSON services; capped at {@link HttpFront#MAX_BODY_BYTES}. */
    public byte[] body() {
        return content.bytes();
    }

    /** The first value of a header, looked up case-insensitively; {@code null} if absent. */
    public String header(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    /** The media type of the body without parameters, in lower case ({@code application/x-www-form-urlencoded}). */
    public String mediaType() {
        String type = header("Content-Type");
        if (type == null) {
            return "";
        }
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }
}
