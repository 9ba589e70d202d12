package dev.crossrole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A small client of a running crossrole's admin API ({@code /_crossrole/...}). */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    /** The administrator's token, or {@code null} when none was found (the server says what to do). */
    private final String token;

    /** Where crossrole's local CA may be ({@code <data-dir>}), for an {@code https://} endpoint; may be null. */
    private final java.nio.file.Path dataDir;

    AdminClient(String endpoint, String token) {
        this(endpoint, token, null);
    }

    AdminClient(String endpoint, String token, java.nio.file.Path dataDir) {
        this.base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.token = token;
        this.dataDir = dataDir;
    }

    /** What HTTPS to crossrole trusts: the JVM's roots and the data directory's local CA. */
    javax.net.ssl.SSLContext sslContext() throws IOException {
        return LocalCaTrust.context(dataDir == null ? java.nio.file.Path.of(".") : dataDir);
    }

    /** One response: status, body and headers. */
    record Response(int status, byte[] body, Map<String, java.util.List<String>> headers) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }

        String header(String name) {
            for (Map.Entry<String, java.util.List<String>> h : headers.entrySet()) {
                if (h.getKey() != null && h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
                    return h.getValue().get(0);
                }
            }
            return null;
        }

        String message() {
            try {
                JsonNode node = json();
                return node.path("message").asText(text());
            } catch (IOException e) {
                return text();
            }
        }
    }

    Response get(String pathAndQuery) throws IOException {
        return send("GET", pathAndQuery);
    }

    /** A POST without a body: what the request says is in its path and query. */
    Response post(String pathAndQuery) throws IOException {
        return send("POST", pathAndQuery);
    }

    private Response send(String method, String pathAndQuery) throws IOException {
        HttpURLConnection connection;
        try {
            connection = (HttpURLConnection) URI.create(base + pathAndQuery).toURL().openConnection();
        } catch (IllegalArgumentException e) {
            throw new IOException("not a URL: " + base, e);
        }
        if (connection instanceof javax.net.ssl.HttpsURLConnection https) {
            https.setSSLSocketFactory(sslContext().getSocketFactory());
        }
        if (token != null) {
            connection.setRequestProperty("Authorization", "Bearer " + token);
        }
        connection.setRequestMethod(method);
        if (method.equals("POST")) {
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(0);
        }
        connection.setConnectTimeout(3000);
        connection.setReadTimeout(30000);
        int status = connection.getResponseCode();
        try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
            return new Response(status, in == null ? new byte[0] : in.readAllBytes(), connection.getHeaderFields());
        }
    }

    String base() {
        return base;
    }

    /** The endpoint for WebSockets: {@code ws://} for {@code http://}, {@code wss://} for {@code https://}. */
    String webSocketBase() {
        return base.startsWith("https://") ? "wss://" + base.substring("https://".length())
                : base.startsWith("http://") ? "ws://" + base.substring("http://".length()) : base;
    }

    /** The {@code Authorization} header value the admin API expects, or {@code null} without a token. */
    String authorization() {
        return token == null ? null : "Bearer " + token;
    }
}
