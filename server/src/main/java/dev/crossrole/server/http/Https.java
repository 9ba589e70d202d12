package dev.crossrole.server.http;

import javax.net.ssl.SSLContext;

/**
 * HTTPS beside HTTP. On the main port ({@link #MAIN_PORT}) each connection's first bytes tell a TLS handshake
 * from plain HTTP, so one port serves both and a client picks by its URL's scheme; on a port of its own
 * ({@code ownPort}, 0 for any free one) only TLS is spoken there. Over TLS the listener offers HTTP/2 and
 * HTTP/1.1 by ALPN.
 *
 * @param context the server's key and certificate chain
 * @param ownPort {@link #MAIN_PORT}, or the port for HTTPS alone
 */
public record Https(SSLContext context, int ownPort) {
    public static final int MAIN_PORT = -1;

    public Https {
        if (context == null || ownPort < MAIN_PORT || ownPort > 65535) {
            throw new IllegalArgumentException("an SSLContext and a port from 0 to 65535, or MAIN_PORT");
        }
    }

    boolean onMainPort() {
        return ownPort == MAIN_PORT;
    }
}
