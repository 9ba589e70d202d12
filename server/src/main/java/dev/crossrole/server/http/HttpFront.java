package dev.crossrole.server.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
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
 * {@link PipelineHandler} adapts between the two. With {@link Https}, TLS is spoken on the main port beside
 * HTTP (told apart by a connection's first bytes) or on a port of its own, with HTTP/2 and HTTP/1.1 offered by
 * ALPN. Nothing outside this package sees Jetty.
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

    /**
     * Jetty pads its busiest counters to a cache line, sized by how many object references fit in one. Told nothing,
     * it asks the platform MBean server whether references are compressed, and starting that server (every platform
     * MXBean registered) cost some 50 ms of each start. References are compressed below a 32 GiB heap, as the JVM
     * does by default; 64-byte lines hold 16 of them, or 8 uncompressed. Only the padding depends on it.
     */
    private static final String REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    static {
        if (System.getProperty(REFERENCES_PER_CACHE_LINE) == null) {
            boolean compressed = Runtime.getRuntime().maxMemory() < 32L * 1024 * 1024 * 1024;
            System.setProperty(REFERENCES_PER_CACHE_LINE, compressed ? "16" : "8");
        }
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
    private final ServerConnector httpsConnector;
    /** The registry's own port ({@code serve --registry-port}), or {@code null}. */
    private final ServerConnector registryConnector;
    private final java.util.List<HeadDeadline> headDeadlines;
    private final boolean https;

    private HttpFront(Server server, ServerConnector connector, ServerConnector httpsConnector,
                      ServerConnector registryConnector, java.util.List<HeadDeadline> headDeadlines, boolean https) {
        this.https = https;
        this.server = server;
        this.connector = connector;
        this.httpsConnector = httpsConnector;
        this.registryConnector = registryConnector;
        this.headDeadlines = headDeadlines;
    }

    /** Binds {@code address} and starts serving {@code handler} over plain HTTP. */
    public static HttpFront start(InetSocketAddress address, HttpLimits limits, Function<HttpRequest, HttpResponse> handler)
            throws IOException {
        return start(address, limits, null, handler);
    }

    /**
     * Binds {@code address} (and the HTTPS port, if {@code https} has one) and starts serving {@code handler}, every
     * request on a worker thread.
     */
    public static HttpFront start(InetSocketAddress address, HttpLimits limits, Https https,
                                  Function<HttpRequest, HttpResponse> handler) throws IOException {
        return start(address, limits, https, handler, request -> false);
    }

    /**
     * As {@link #start(InetSocketAddress, HttpLimits, Https, Function)}; a request {@code readsOnly} accepts, if its
     * body came whole with its head, is answered on the thread that read it (see {@link PipelineHandler}).
     */
    public static HttpFront start(InetSocketAddress address, HttpLimits limits, Https https,
                                  Function<HttpRequest, HttpResponse> handler,
                                  java.util.function.Predicate<HttpRequest> readsOnly) throws IOException {
        return start(address, limits, https, handler, readsOnly, -1);
    }

    /**
     * As {@link #start(InetSocketAddress, HttpLimits, Https, Function, java.util.function.Predicate)}, also listening
     * on {@code registryPort} (0: any free port; -1: none) over plain HTTP, for the container registry: its requests
     * go to the same handler, which tells them by {@link HttpRequest#localPort()}.
     */
    public static HttpFront start(InetSocketAddress address, HttpLimits limits, Https https,
                                  Function<HttpRequest, HttpResponse> handler,
                                  java.util.function.Predicate<HttpRequest> readsOnly, int registryPort)
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
        if (https != null) {
            // Over TLS a request is marked secure (aws:SecureTransport); on a plain connection the customizer does
            // nothing. The Host is crossrole's to check (HostCheck), not the certificate's: the SNI check stays off.
            http.addCustomizer(new SecureRequestCustomizer(false));
        }
        HttpConnectionFactory http11 = new HttpConnectionFactory(http);
        HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(http);

        ServerConnector connector;
        ServerConnector httpsConnector = null;
        if (https == null) {
            connector = connector(server, address.getHostString(), address.getPort(), limits, http11, h2c);
        } else {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setSslContext(https.context());
            HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
            // ALPN names as clients send them (RFC 7301's registry spells HTTP/1.1 in lower case).
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(h2.getProtocol(), "http/1.1");
            alpn.setDefaultProtocol(http11.getProtocol()); // a client offering no ALPN speaks HTTP/1.1
            SslConnectionFactory ssl = new SslConnectionFactory(tls, alpn.getProtocol());
            if (https.onMainPort()) {
                // A connection's first bytes say TLS (a handshake record) or not; not TLS, it goes on to the protocol
                // following the detector here: plain HTTP/1.1 (and h2c by upgrade or prior knowledge).
                DetectorConnectionFactory detector = new DetectorConnectionFactory(ssl);
                connector = connector(server, address.getHostString(), address.getPort(), limits, detector, http11, h2c,
                        alpn, h2);
            } else {
                connector = connector(server, address.getHostString(), address.getPort(), limits, http11, h2c);
                httpsConnector = connector(server, address.getHostString(), https.ownPort(), limits, ssl, alpn, h2,
                        http11);
            }
        }
        ServerConnector registryConnector = registryPort < 0 ? null
                : connector(server, address.getHostString(), registryPort, limits, http11, h2c);
        java.util.List<ServerConnector> all = new java.util.ArrayList<>(java.util.List.of(connector));
        if (httpsConnector != null) {
            all.add(httpsConnector);
        }
        if (registryConnector != null) {
            all.add(registryConnector);
        }
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), all.toArray(new ServerConnector[0])));

        ServerWebSocketContainer webSockets = ServerWebSocketContainer.ensure(server);
        webSockets.setMaxBinaryMessageSize(WebSocket.DEFAULT_MAX_MESSAGE_BYTES);
        webSockets.setMaxTextMessageSize(WebSocket.DEFAULT_MAX_MESSAGE_BYTES);
        webSockets.setIdleTimeout(java.time.Duration.ZERO); // a session may be quiet for long (an idle shell)
        server.setHandler(new PipelineHandler(handler, readsOnly, webSockets));

        java.util.List<HeadDeadline> deadlines = new java.util.ArrayList<>();
        deadlines.add(new HeadDeadline(connector, limits.headDeadline()));
        if (httpsConnector != null) {
            deadlines.add(new HeadDeadline(httpsConnector, limits.headDeadline()));
        }
        if (registryConnector != null) {
            deadlines.add(new HeadDeadline(registryConnector, limits.headDeadline()));
        }
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
        deadlines.forEach(HeadDeadline::start);
        return new HttpFront(server, connector, httpsConnector, registryConnector, java.util.List.copyOf(deadlines),
                https != null);
    }

    /** One listening socket serving the given protocols, the first one being what a new connection speaks. */
    private static ServerConnector connector(Server server, String host, int port, HttpLimits limits,
                                             ConnectionFactory... factories) {
        ServerConnector connector = new ServerConnector(server, 1, selectors(limits), factories);
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setAcceptQueueSize(512);
        connector.setReuseAddress(true);
        server.addConnector(connector);
        return connector;
    }

    /**
     * One selector per core (at most 4, and at most a quarter of the pool): small requests are answered on the
     * selector thread that read them ({@link PipelineHandler}), so the selectors are what answers them in parallel.
     */
    static int selectors(HttpLimits limits) {
        int cores = Runtime.getRuntime().availableProcessors();
        return Math.max(1, Math.min(Math.min(cores, 4), limits.maxThreads() / 4));
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The registry's own port, or -1 when it has none. */
    public int registryPort() {
        return registryConnector == null ? -1 : registryConnector.getLocalPort();
    }

    /** The port HTTPS is served on: the main port, or its own; -1 without HTTPS. */
    public int httpsPort() {
        if (!https) {
            return -1;
        }
        return httpsConnector == null ? port() : httpsConnector.getLocalPort();
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
        headDeadlines.forEach(HeadDeadline::close);
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.FINE, "stopping the listener", e);
        }
    }
}
