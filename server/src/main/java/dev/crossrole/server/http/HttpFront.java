package dev.crossrole.server.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The listener: the JDK's built-in HTTP server (no dependency, starts in milliseconds, keep-alive),
 * adapted to {@link HttpRequest}/{@link HttpResponse}. Bodies are capped; a larger one is refused
 * before it is read.
 */
public final class HttpFront implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpFront.class.getName());
    public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpFront(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static HttpFront start(InetSocketAddress address, int threads, Function<HttpRequest, HttpResponse> handler)
            throws IOException {
        HttpServer server = HttpServer.create(address, 512);
        ExecutorService executor = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "crossrole-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> serve(exchange, handler));
        server.start();
        return new HttpFront(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void serve(HttpExchange exchange, Function<HttpRequest, HttpResponse> handler) {
        try (exchange) {
            HttpResponse response;
            long declared = contentLength(exchange.getRequestHeaders());
            if (declared > MAX_BODY_BYTES) {
                response = HttpResponse.json(413, "{\"message\":\"The request body exceeds " + MAX_BODY_BYTES + " bytes.\"}");
            } else {
                byte[] body = readBody(exchange.getRequestBody());
                if (body == null) {
                    response = HttpResponse.json(413, "{\"message\":\"The request body exceeds " + MAX_BODY_BYTES + " bytes.\"}");
                } else {
                    response = handler.apply(toRequest(exchange, body));
                }
            }
            Headers headers = exchange.getResponseHeaders();
            for (Map.Entry<String, String> header : response.headers().entrySet()) {
                headers.set(header.getKey(), header.getValue());
            }
            boolean head = "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
            byte[] body = response.body() == null ? new byte[0] : response.body();
            exchange.sendResponseHeaders(response.status(), head || body.length == 0 ? -1 : body.length);
            if (!head && body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "client connection ended early", e);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "unhandled error serving a request", e);
        }
    }

    private static long contentLength(Headers headers) {
        String value = headers.getFirst("Content-Length");
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The body, or {@code null} when it is larger than the cap. */
    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        return body.length > MAX_BODY_BYTES ? null : body;
    }

    private static HttpRequest toRequest(HttpExchange exchange, byte[] body) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            for (String value : header.getValue()) {
                headers.add(Map.entry(header.getKey(), value));
            }
        }
        String rawPath = exchange.getRequestURI().getRawPath();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        InetSocketAddress remote = exchange.getRemoteAddress();
        return new HttpRequest(exchange.getRequestMethod(), rawPath == null || rawPath.isEmpty() ? "/" : rawPath,
                rawQuery, headers, body, remote == null ? null : remote.getAddress().getHostAddress(), false);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
