package dev.crossrole.server.http;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The listener: a small blocking HTTP/1.1 server with one thread per connection. AWS clients keep a
 * few connections alive and send one request at a time on each, so a thread that reads a request,
 * runs the pipeline and writes the response in one write has the lowest latency there is; the JDK's
 * selector-based server handed every request to another thread and cost several times more.
 * Supports keep-alive, {@code Content-Length} and chunked request bodies, {@code Expect: 100-continue}
 * (answered when the handler first reads the body), HEAD. Bodies reach the handler as streams
 * ({@link RequestBody}); taken whole they are capped at {@link #MAX_BODY_BYTES}, and what a handler
 * leaves unread is skipped, or the connection closed. Responses are written from memory or streamed
 * ({@link dev.crossrole.server.protocol.StreamingBody}). Headers are capped; a request over a cap is
 * answered and the connection closed. A handler may answer {@code 101 Switching Protocols} with a
 * {@link HttpResponse.Takeover}, which then owns the connection (WebSocket sessions, {@link WebSocket}).
 */
public final class HttpFront implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpFront.class.getName());
    public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
    static final int MAX_LINE = 16 * 1024;
    static final int MAX_HEADER_BYTES = 64 * 1024;
    static final int MAX_HEADERS = 200;
    static final int IDLE_TIMEOUT_MILLIS = 120_000;

    private final ServerSocket serverSocket;
    private final Function<HttpRequest, HttpResponse> handler;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;

    private HttpFront(ServerSocket serverSocket, Function<HttpRequest, HttpResponse> handler) {
        this.serverSocket = serverSocket;
        this.handler = handler;
    }

    /** Binds and starts accepting; {@code threads} is unused (one thread per connection) and kept for callers. */
    public static HttpFront start(InetSocketAddress address, int threads, Function<HttpRequest, HttpResponse> handler)
            throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(address, 512);
        HttpFront front = new HttpFront(socket, handler);
        Thread acceptor = new Thread(front::acceptLoop, "crossrole-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return front;
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = serverSocket.accept();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(IDLE_TIMEOUT_MILLIS);
                open.add(socket);
                Thread thread = new Thread(() -> serveConnection(socket), "crossrole-conn-" + connections.incrementAndGet());
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "accept failed", e);
                }
            }
        }
    }

    /** Thrown for a request that breaks HTTP/1.1; the connection is answered with the status and closed. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private void serveConnection(Socket socket) {
        String remote = socket.getInetAddress().getHostAddress();
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = socket.getOutputStream();
            while (!closed) {
                String requestLine;
                try {
                    requestLine = readLine(in, MAX_LINE);
                } catch (SocketTimeoutException e) {
                    return;
                } catch (BadRequest e) {
                    write(out, HttpResponse.json(e.status, "{\"message\":\"" + e.getMessage() + "\"}"), false, false);
                    return;
                }
                if (requestLine == null) {
                    return;
                }
                if (requestLine.isEmpty()) {
                    continue;
                }
                boolean keepAlive;
                try {
                    Parsed parsed = readRequest(requestLine, in, out, remote);
                    HttpResponse response = handler.apply(parsed.request);
                    if (response.takeover() != null) {
                        switchProtocols(socket, in, out, parsed.request, response);
                        return;
                    }
                    keepAlive = parsed.keepAlive && parsed.request.content().finish();
                    write(out, response, "HEAD".equals(parsed.request.method()), keepAlive);
                } catch (BadRequest e) {
                    HttpResponse response = HttpResponse.json(e.status, "{\"message\":\"" + e.getMessage() + "\"}");
                    write(out, response, false, false);
                    return;
                }
                if (!keepAlive) {
                    return;
                }
            }
        } catch (SocketException | SocketTimeoutException e) {
            LOG.log(Level.FINE, "connection ended", e);
        } catch (IOException e) {
            LOG.log(Level.FINE, "connection failed", e);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "unhandled error serving a connection", e);
        } finally {
            open.remove(socket);
        }
    }

    private record Parsed(HttpRequest request, boolean keepAlive) {}

    /**
     * Answers {@code 101 Switching Protocols} and hands the connection to the response's takeover, without the
     * idle timeout (a session may be quiet for long); the connection closes when the takeover returns. A request
     * with a body cannot switch: what follows the head would be the body, not the new protocol.
     */
    private static void switchProtocols(Socket socket, InputStream in, OutputStream out, HttpRequest request,
                                        HttpResponse response) throws IOException {
        if (response.status() != 101 || request.content().declaredLength() != 0) {
            write(out, HttpResponse.json(400, "{\"message\":\"A protocol switch needs a request without a body.\"}"),
                    false, false);
            return;
        }
        StringBuilder head = new StringBuilder(256).append("HTTP/1.1 101 Switching Protocols\r\n");
        response.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        socket.setSoTimeout(0);
        response.takeover().run(in, out);
    }

    private static Parsed readRequest(String requestLine, InputStream in, OutputStream out, String remote)
            throws IOException, BadRequest {
        int firstSpace = requestLine.indexOf(' ');
        int lastSpace = requestLine.lastIndexOf(' ');
        if (firstSpace <= 0 || lastSpace <= firstSpace) {
            throw new BadRequest(400, "Malformed request line");
        }
        String method = requestLine.substring(0, firstSpace);
        String target = requestLine.substring(firstSpace + 1, lastSpace);
        String version = requestLine.substring(lastSpace + 1);
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new BadRequest(505, "HTTP version not supported");
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(16);
        int headerBytes = 0;
        String line;
        while (!(line = requireLine(in)).isEmpty()) {
            headerBytes += line.length();
            if (headerBytes > MAX_HEADER_BYTES || headers.size() >= MAX_HEADERS) {
                throw new BadRequest(431, "Request header fields too large");
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !headers.isEmpty()) {
                // An obsolete folded continuation line belongs to the previous header.
                Map.Entry<String, String> last = headers.remove(headers.size() - 1);
                headers.add(Map.entry(last.getKey(), last.getValue() + " " + line.strip()));
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new BadRequest(400, "Malformed header line");
            }
            headers.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).strip()));
        }
        String connection = header(headers, "Connection");
        boolean keepAlive = version.equals("HTTP/1.1")
                ? connection == null || !connection.toLowerCase(Locale.ROOT).contains("close")
                : connection != null && connection.toLowerCase(Locale.ROOT).contains("keep-alive");
        String expect = header(headers, "Expect");
        boolean expectContinue = expect != null && expect.equalsIgnoreCase("100-continue");
        RequestBody body = body(in, headers, expectContinue ? out : null);
        String rawPath = target;
        String rawQuery = null;
        if (target.startsWith("http://") || target.startsWith("https://")) {
            int slash = target.indexOf('/', target.indexOf("//") + 2);
            rawPath = slash < 0 ? "/" : target.substring(slash);
        }
        int question = rawPath.indexOf('?');
        if (question >= 0) {
            rawQuery = rawPath.substring(question + 1);
            rawPath = rawPath.substring(0, question);
        }
        if (rawPath.isEmpty()) {
            rawPath = "/";
        }
        return new Parsed(new HttpRequest(method, rawPath, rawQuery, headers, body, remote, false), keepAlive);
    }

    private static RequestBody body(InputStream in, List<Map.Entry<String, String>> headers, OutputStream continueTo)
            throws BadRequest {
        String transferEncoding = header(headers, "Transfer-Encoding");
        if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            return new RequestBody(BodyStreams.chunked(in), -1, continueTo);
        }
        String length = header(headers, "Content-Length");
        if (length == null) {
            return new RequestBody(InputStream.nullInputStream(), 0, null);
        }
        long declared;
        try {
            declared = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "Invalid Content-Length");
        }
        if (declared < 0) {
            throw new BadRequest(400, "Invalid Content-Length");
        }
        return new RequestBody(BodyStreams.limited(in, declared), declared, declared == 0 ? null : continueTo);
    }

    private static String header(List<Map.Entry<String, String>> headers, String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    private static String requireLine(InputStream in) throws IOException, BadRequest {
        String line = readLine(in, MAX_LINE);
        if (line == null) {
            throw new IOException("connection closed inside the request head");
        }
        return line;
    }

    /** One CRLF- (or LF-) terminated line as ISO-8859-1, or {@code null} at end of stream before any byte. */
    private static String readLine(InputStream in, int max) throws IOException, BadRequest {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int end = sb.length();
                if (end > 0 && sb.charAt(end - 1) == '\r') {
                    sb.setLength(end - 1);
                }
                return sb.toString();
            }
            if (sb.length() >= max) {
                throw new BadRequest(431, "Request line or header too long");
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static void write(OutputStream out, HttpResponse response, boolean head, boolean keepAlive) throws IOException {
        byte[] body = response.body() == null ? new byte[0] : response.body();
        long length = response.stream() != null ? response.stream().length() : body.length;
        StringBuilder headBuilder = new StringBuilder(256);
        headBuilder.append("HTTP/1.1 ").append(response.status()).append(' ').append(reason(response.status())).append("\r\n");
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            headBuilder.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        if (response.status() != 304 && response.status() != 204) {
            headBuilder.append("Content-Length: ").append(length).append("\r\n");
        }
        if (!keepAlive) {
            headBuilder.append("Connection: close\r\n");
        }
        headBuilder.append("\r\n");
        byte[] headBytes = headBuilder.toString().getBytes(StandardCharsets.UTF_8);
        if (response.stream() != null) {
            out.write(headBytes);
            if (!head) {
                response.stream().writeTo(out);
            }
            out.flush();
            return;
        }
        byte[] all = new byte[headBytes.length + (head ? 0 : body.length)];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        if (!head) {
            System.arraycopy(body, 0, all, headBytes.length, body.length);
        }
        out.write(all);
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 101 -> "Switching Protocols";
            case 200 -> "OK";
            case 204 -> "No Content";
            case 206 -> "Partial Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 412 -> "Precondition Failed";
            case 413 -> "Payload Too Large";
            case 416 -> "Range Not Satisfiable";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }

    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing the listener", e);
        }
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException e) {
                LOG.log(Level.FINE, "closing a connection", e);
            }
        }
    }
}
