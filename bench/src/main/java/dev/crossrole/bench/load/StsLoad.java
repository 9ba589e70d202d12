package dev.crossrole.bench.load;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.auth.SigV4;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Load generator for the STS endpoints: N client threads, each on its own keep-alive connection,
 * sending validly signed requests back to back for a fixed time, against a crossrole started in this
 * JVM on a free port. Reports requests/s and latency percentiles.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.crossrole.bench.load.StsLoad
 * [GetCallerIdentity|AssumeRole] THREADS SECONDS [TRAIL_RETENTION]} (TRAIL_RETENTION: an ISO-8601 duration,
 * default CloudTrail's 90 days; {@code PT0S} keeps no events, to tell what keeping them costs)
 */
public final class StsLoad {
    private static final String SOURCE = "111122223333";
    private static final String DESTINATION = "555566667777";
    private static final String DEST_ROLE = "arn:aws:iam::" + DESTINATION + ":role/destination-account-role";

    public static void main(String[] args) throws Exception {
        String operation = args.length > 0 ? args[0] : "GetCallerIdentity";
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        if (!operation.equals("GetCallerIdentity") && !operation.equals("AssumeRole")) {
            System.err.println("operation must be GetCallerIdentity or AssumeRole");
            System.exit(2);
        }
        Path data = Files.createTempDirectory("crossrole-load");
        java.time.Duration retention = args.length > 3 ? java.time.Duration.parse(args[3])
                : java.time.Duration.ofDays(90);
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0)
                .withTrailRetention(retention))) {
            var iam = server.iam();
            // The walkthrough's destination role trusts the source account; the source admin may assume it.
            iam.createRole(DESTINATION, "destination-account-role", "/", "{\"Version\":\"2012-10-17\",\"Statement\":"
                    + "[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                    + "\"Action\":\"sts:AssumeRole\"}]}", 3600, Map.of());
            Bootstrap.Profile admin = server.profiles().get(0);
            String body = operation.equals("GetCallerIdentity")
                    ? "Action=GetCallerIdentity&Version=2011-06-15"
                    : "Action=AssumeRole&Version=2011-06-15&RoleArn=" + DEST_ROLE.replace(":", "%3A").replace("/", "%2F")
                    + "&RoleSessionName=load";
            Worker[] workers = new Worker[threads];
            AtomicBoolean measuring = new AtomicBoolean(false);
            AtomicBoolean running = new AtomicBoolean(true);
            for (int i = 0; i < threads; i++) {
                workers[i] = new Worker(server.port(), admin.accessKeyId(), admin.secretAccessKey(), body, measuring, running);
                workers[i].start();
            }
            Thread.sleep(3000);   // warm-up: JIT, connection set-up
            measuring.set(true);
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            measuring.set(false);
            long elapsed = System.nanoTime() - start;
            running.set(false);
            long[] all = new long[0];
            long errors = 0;
            for (Worker w : workers) {
                w.join();
                long[] mine = Arrays.copyOf(w.latencies, w.count);
                long[] merged = Arrays.copyOf(all, all.length + mine.length);
                System.arraycopy(mine, 0, merged, all.length, mine.length);
                all = merged;
                errors += w.errors;
            }
            Arrays.sort(all);
            double rate = all.length / (elapsed / 1e9);
            System.out.printf("%s threads=%d seconds=%d requests=%d errors=%d throughput=%.0f req/s p50=%.1f us p99=%.1f us p99.9=%.1f us%n",
                    operation, threads, seconds, all.length, errors, rate, pct(all, 0.50), pct(all, 0.99), pct(all, 0.999));
        }
    }

    private static double pct(long[] sorted, double p) {
        return RawHttp.percentile(sorted, p);
    }

    /** One client on one keep-alive connection, signing every request afresh. */
    static final class Worker extends Thread {
        final int port;
        final String keyId;
        final String secret;
        final String body;
        final AtomicBoolean measuring;
        final AtomicBoolean running;
        long[] latencies = new long[1 << 20];
        int count;
        long errors;

        Worker(int port, String keyId, String secret, String body, AtomicBoolean measuring, AtomicBoolean running) {
            this.port = port;
            this.keyId = keyId;
            this.secret = secret;
            this.body = body;
            this.measuring = measuring;
            this.running = running;
            setDaemon(true);
        }

        @Override
        public void run() {
            byte[] payload = body.getBytes(StandardCharsets.UTF_8);
            String payloadHash = SigV4.sha256Hex(payload);
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setTcpNoDelay(true);
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream(), 65536);
                while (running.get()) {
                    byte[] request = signedRequest(payload, payloadHash);
                    long t0 = System.nanoTime();
                    out.write(request);
                    out.flush();
                    int status = RawHttp.read(in).status();
                    long t1 = System.nanoTime();
                    if (measuring.get()) {
                        if (status != 200) {
                            errors++;
                        }
                        if (count == latencies.length) {
                            latencies = Arrays.copyOf(latencies, count * 2);
                        }
                        latencies[count++] = t1 - t0;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private byte[] signedRequest(byte[] payload, String payloadHash) {
            return RawHttp.signedPost(port, keyId, secret, "sts", "application/x-www-form-urlencoded; charset=utf-8", null,
                    payload);
        }
    }
}
