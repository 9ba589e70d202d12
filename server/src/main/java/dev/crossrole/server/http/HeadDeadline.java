package dev.crossrole.server.http;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * A request head must arrive whole within a deadline from its first byte. Jetty's idle timeout restarts with
 * every byte, so a client sending one byte every few seconds would hold a connection (and its buffers) forever
 * (slowloris); this sweep drops an HTTP/1 connection whose parser has been inside one request head for longer
 * than the deadline. Idle keep-alive connections (no request begun) are left to the idle timeout; bodies are
 * read by the handler, under the idle timeout.
 *
 * <p>Jetty has no such deadline of its own; its parser tells when the current request began
 * ({@link HttpParser#getBeginNanoTime()}) and where it is. The sweep reads that from its own thread: at worst it
 * sees a state a moment old, and a head that old is past its deadline anyway.
 */
final class HeadDeadline implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HeadDeadline.class.getName());

    private final ServerConnector connector;
    private final long deadlineNanos;
    private final long periodMillis;
    private final ScheduledExecutorService sweeper;

    HeadDeadline(ServerConnector connector, Duration deadline) {
        this.connector = connector;
        this.deadlineNanos = deadline.toNanos();
        // Often enough that nothing outlives its deadline by more than a quarter of it (and at most a second).
        this.periodMillis = Math.max(50, Math.min(1000, deadline.toMillis() / 4));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "crossrole-head-deadline");
            thread.setDaemon(true);
            return thread;
        });
    }

    void start() {
        sweeper.scheduleWithFixedDelay(this::sweep, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    void sweep() {
        long now = System.nanoTime();
        try {
            for (EndPoint endPoint : connector.getConnectedEndPoints()) {
                if (endPoint.getConnection() instanceof HttpConnection http && late(http.getParser(), now)) {
                    LOG.fine(() -> "dropping " + endPoint.getRemoteSocketAddress() + ": its request head took longer than "
                            + Duration.ofNanos(deadlineNanos));
                    endPoint.close();
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "checking request heads' deadline", e);
        }
    }

    /** Whether the parser is inside a request head (its first byte came, its end did not) begun too long ago. */
    private boolean late(HttpParser parser, long now) {
        HttpParser.State state = parser.getState();
        boolean inHead = state.ordinal() > HttpParser.State.START.ordinal()
                && state.ordinal() < HttpParser.State.CONTENT.ordinal();
        return inHead && now - parser.getBeginNanoTime() > deadlineNanos;
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
