package dev.crossrole.server.sns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Posts notifications to HTTP and HTTPS subscribers, off the request's thread, retrying a failed post as the topic's
 * delivery policy says (SNS's defaults: three retries 20 seconds apart). Deliveries live in memory only: one pending
 * when crossrole stops is lost. Endpoints are on loopback only, checked again before each post (a name that stopped
 * resolving to loopback is not posted to), and redirects are not followed.
 */
final class HttpDelivery implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpDelivery.class.getName());
    /** SNS waits 15 seconds for an endpoint's answer. */
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "sns-http-delivery");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** How often, and how far apart, a failed post is tried again. */
    record Retries(int retries, long delayMillis) {
        static final Retries DEFAULT = new Retries(3, 20_000);
    }

    /** Whether an endpoint URL is one crossrole posts to: http or https on 127.0.0.1, ::1 or localhost. */
    static boolean loopback(String endpoint) {
        try {
            URI uri = URI.create(endpoint);
            String host = uri.getHost();
            if (host == null || uri.getUserInfo() != null) {
                return false;
            }
            host = host.toLowerCase(Locale.ROOT);
            return host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1") || host.equals("localhost");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Posts {@code body} with {@code headers}, retried on failure; never blocks the caller. */
    void post(String endpoint, Map<String, String> headers, String body, Retries retries) {
        executor.execute(() -> attempt(endpoint, headers, body, retries, 0));
    }

    private void attempt(String endpoint, Map<String, String> headers, String body, Retries retries, int attempt) {
        String failure;
        try {
            URI uri = URI.create(endpoint);
            if (!loopback(endpoint) || !resolvesToLoopback(uri.getHost())) {
                LOG.warning("SNS: not posting to " + endpoint + ": crossrole delivers only to loopback endpoints");
                return;
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(request::header);
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() >= 200 && response.statusCode() < 300) {
                return;
            }
            failure = "HTTP " + response.statusCode();
        } catch (IOException | IllegalArgumentException e) {
            failure = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (attempt < retries.retries()) {
            executor.schedule(() -> attempt(endpoint, headers, body, retries, attempt + 1), retries.delayMillis(),
                    TimeUnit.MILLISECONDS);
        } else {
            LOG.log(Level.WARNING, "SNS: delivery of " + headers.get("x-amz-sns-message-id") + " to " + endpoint
                    + " failed after " + (attempt + 1) + " attempts: " + failure);
        }
    }

    private static boolean resolvesToLoopback(String host) {
        try {
            String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            for (InetAddress address : InetAddress.getAllByName(name)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
