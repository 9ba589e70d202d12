package dev.crossrole.server.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * The listener, on Jetty 12's core API: Jetty parses and frames HTTP/1.1 (RFC 9112, strictly: a request whose
 * length is ambiguous is refused with 400 and its connection closed, so no request can hide inside another),
 * speaks HTTP/2 without TLS on the same port (h2c, by prior knowledge or {@code Upgrade}), answers
 * {@code Expect: 100-continue} when a handler first reads the body, and streams bodies both ways. Requests run
 * on a bounded worker pool; connections beyond {@link HttpLimits#maxConnections()} wait to be accepted; a
 * request head must arrive whole within {@link HttpLimits#headDeadline()} ({@link HeadDeadline}). Everything
 * crossrole does with a request goes through one function, the {@link Pipeline}, as an {@link HttpRequest};
 * {@link PipelineHandler} adapts between the two. Nothing outside this package sees Jetty.
 */
public final class HttpFront implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpFront.class.getName());
    /** Jetty's own lines (started, stopped) say nothing an operator needs; its warnings and errors still show. */
    private static final Logger JETTY_LOG = Logger.getLogger("org.eclipse.jetty");
    /**
     * Jetty warns of a malformed Host port and of a repeated Host header (then answers 400): lines any client could
     * make it write, flooding the log. Held here so that java.util.logging keeps their levels.
     */
    private static final java.util.List<Logger> CLIENT_TRIGGERED_WARNINGS = java.util.List.of(
            Logger.getLogger("org.eclipse.jetty.util.HostPort"), Logger.getLogger("org.eclipse.jetty.http.HttpParser"));

    static {
        JETTY_LOG.setLevel(Level.WARNING);
        CLIENT_TRIGGERED_WARNINGS.forEach(logger -> logger.setLevel(Level.SEVERE));
    }
    /** The most a Query or JSON request body may hold (S3 bodies stream and are not capped here). */
    public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
    /**
     * The request line, the headers and a chunked body's chunk extensions and trailers together (Jetty counts them
     * as one): presigned URLs with a session token are a few KiB.
     */
    static final int MAX_HEAD_BYTES = 16 * 1024;
    /**
     * Paths reach crossrole exactly as sent: S3 keys may hold encoded slashes, dot segments, empty segments and any
     * byte, and SigV4 signs the path as sent. Nothing in crossrole maps a path to a file, so no ambiguity is
     * unsafe here; a fragment or user info in a request target stays refused (RFC 9112 section 3.2).
     */
    static final UriCompliance PATHS_AS_SENT = UriCompliance.UNSAFE.without("CROSSROLE",
            UriCompliance.Violation.FRAGMENT, UriCompliance.Violation.USER_INFO);

    private final Server server;
    private final ServerConnector connector;
    private final HeadDeadline headDeadline;

    private HttpFront(Server server, ServerConnector connector, HeadDeadline headDeadline) {
        this.server = server;
        this.connector = connector;
        this.headDeadline = headDeadline;
    }

    /** Binds {@code address} and starts serving {@code handler}. */
    public static HttpFront start(InetSocketAddress address, HttpLimits limits, Function<HttpRequest, HttpResponse> handler)
            throws IOException {
        QueuedThreadPool workers = new QueuedThreadPool(limits.maxThreads(), Math.min(8, limits.maxThreads()));
        workers.setName("crossrole-http");
        workers.setDaemon(true);
        Server server = new Server(workers);
        server.setStopTimeout(0);
        server.setErrorHandler(new ErrorBody());

        HttpConfiguration http = new HttpConfiguration();
        // RFC 9110/9112 as written: Content-Length with Transfer-Encoding, repeated or signed lengths, unknown codings,
        // bare-LF chunk lines, obsolete line folding are all a 400. Bare-LF line ends in the head are accepted, as
        // RFC 9112 section 2.2 allows; nothing can hide behind them since the body's framing stays strict.
        http.setHttpCompliance(HttpCompliance.RFC9110);
        http.setUriCompliance(PATHS_AS_SENT);
        // Header values exactly as sent (SigV4 signs them); Jetty's cache would otherwise hand back its own spelling.
        http.setHeaderCacheCaseSensitive(true);
        http.setRequestHeaderSize(MAX_HEAD_BYTES);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setSendDateHeader(false); // the pipeline dates its answers with the request's clock
        HttpConnectionFactory http11 = new HttpConnectionFactory(http);
        HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(http);

        // A TLS connector would be added beside this one (an SslConnectionFactory in front of the same factories).
        ServerConnector connector = new ServerConnector(server, 1, 1, http11, h2c);
        connector.setHost(address.getHostString());
        connector.setPort(address.getPort());
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setAcceptQueueSize(512);
        connector.setReuseAddress(true);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));

        ServerWebSocketContainer webSockets = ServerWebSocketContainer.ensure(server);
        webSockets.setMaxBinaryMessageSize(WebSocket.DEFAULT_MAX_MESSAGE_BYTES);
        webSockets.setMaxTextMessageSize(WebSocket.DEFAULT_MAX_MESSAGE_BYTES);
        webSockets.setIdleTimeout(java.time.Duration.ZERO); // a session may be quiet for long (an idle shell)
        server.setHandler(new PipelineHandler(handler, webSockets));

        HeadDeadline deadline = new HeadDeadline(connector, limits.headDeadline());
        try {
            server.start();
        } catch (IOException e) {
            stopQuietly(server);
            // Jetty wraps the bind failure; callers tell "address in use" by its type.
            if (e.getCause() instanceof java.net.BindException bind) {
                throw bind;
            }
            throw e;
        } catch (Exception e) {
            stopQuietly(server);
            throw new IOException("cannot start the listener on " + address + ": " + e.getMessage(), e);
        }
        deadline.start();
        return new HttpFront(server, connector, deadline);
    }

    public int port() {
        return connector.getLocalPort();
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.FINE, "stopping a listener that did not start", e);
        }
    }

    /** Stops accepting and closes every connection, open WebSocket sessions included. */
    @Override
    public void close() {
        headDeadline.close();
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.FINE, "stopping the listener", e);
        }
    }
}
