package dev.crossrole.server.http;

import java.time.Duration;

/**
 * How much the listener takes on at once, and how long it waits for a client.
 *
 * @param maxThreads the worker pool's size: requests handled at the same time (the rest queue)
 * @param maxConnections open connections; beyond it, new ones wait in the operating system's accept queue
 *     until one closes, and established ones keep working ({@code serve --max-connections})
 * @param headDeadline how long a request's head (request line and headers) may take from its first byte, in
 *     total: a client that trickles it is dropped however often it sends a byte
 * @param idleTimeout how long a connection may stay silent (between requests, or inside a body)
 */
public record HttpLimits(int maxThreads, int maxConnections, Duration headDeadline, Duration idleTimeout) {
    public static final int DEFAULT_MAX_THREADS = 200;
    /** Enough for a few SDK clients' pools and a browser on a laptop, far from the file-descriptor limit. */
    public static final int DEFAULT_MAX_CONNECTIONS = 512;
    public static final Duration DEFAULT_HEAD_DEADLINE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);

    public HttpLimits {
        if (maxThreads < 4) {
            throw new IllegalArgumentException("the worker pool needs at least 4 threads, not " + maxThreads);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("the connection limit must be at least 1, not " + maxConnections);
        }
        if (headDeadline.isNegative() || headDeadline.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("the listener's deadlines must be positive");
        }
    }

    public static HttpLimits defaults() {
        return new HttpLimits(DEFAULT_MAX_THREADS, DEFAULT_MAX_CONNECTIONS, DEFAULT_HEAD_DEADLINE, DEFAULT_IDLE_TIMEOUT);
    }

    public HttpLimits withMaxConnections(int connections) {
        return new HttpLimits(maxThreads, connections, headDeadline, idleTimeout);
    }

    public HttpLimits withHeadDeadline(Duration deadline) {
        return new HttpLimits(maxThreads, maxConnections, deadline, idleTimeout);
    }

    public HttpLimits withIdleTimeout(Duration timeout) {
        return new HttpLimits(maxThreads, maxConnections, headDeadline, timeout);
    }
}
