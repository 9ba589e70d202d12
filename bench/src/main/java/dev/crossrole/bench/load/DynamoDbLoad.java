package dev.crossrole.bench.load;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Load generator for DynamoDB PutItem and GetItem: a crossrole started in this JVM on a free port (embedded store on
 * local disk), an on-demand table keyed by {@code pk}, and N client threads, each on its own keep-alive connection,
 * sending one signed request back to back for a fixed time (SigV4 accepts a signature for 15 minutes, so it is signed
 * once per thread). Each thread writes or reads its own item of about 200 bytes (a string key, a number, a 100-byte
 * string and a string set), so that a put's cost is the request's and one store commit's, not contention on one key.
 * The caller is the source account's administrator (an IAM user, its identity policy decided on every call). Reports
 * requests/s and latency percentiles.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.crossrole.bench.load.DynamoDbLoad put|get THREADS
 * SECONDS}
 */
public final class DynamoDbLoad {
    private static final String TABLE = "load-table";

    private DynamoDbLoad() {}

    public static void main(String[] args) throws Exception {
        String operation = args.length > 0 ? args[0] : "put";
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        if (!operation.equals("put") && !operation.equals("get")) {
            System.err.println("operation must be put or get");
            System.exit(2);
        }
        Path data = Files.createTempDirectory("crossrole-dynamodb-load");
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data.resolve("node"))
                .withPort(0))) {
            Bootstrap.Profile admin = server.profiles().get(0);
            int port = server.port();
            try (Socket socket = new Socket("127.0.0.1", port)) {
                exchange(socket, call(port, admin, "CreateTable", "{\"TableName\":\"" + TABLE + "\","
                        + "\"BillingMode\":\"PAY_PER_REQUEST\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\","
                        + "\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}]}"));
                for (int i = 0; i < threads; i++) {
                    exchange(socket, put(port, admin, i));
                }
            }
            Worker[] workers = new Worker[threads];
            AtomicBoolean measuring = new AtomicBoolean(false);
            AtomicBoolean running = new AtomicBoolean(true);
            for (int i = 0; i < threads; i++) {
                byte[] request = operation.equals("put") ? put(port, admin, i) : call(port, admin, "GetItem",
                        "{\"TableName\":\"" + TABLE + "\",\"Key\":{\"pk\":{\"S\":\"item-" + i + "\"}}}");
                workers[i] = new Worker(port, request, measuring, running);
                workers[i].start();
            }
            Thread.sleep(3000);
            measuring.set(true);
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            measuring.set(false);
            long elapsed = System.nanoTime() - start;
            running.set(false);
            List<Long> merged = new ArrayList<>();
            long errors = 0;
            for (Worker w : workers) {
                w.join();
                for (int i = 0; i < w.count; i++) {
                    merged.add(w.latencies[i]);
                }
                errors += w.errors;
            }
            long[] all = merged.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("%s threads=%d seconds=%d requests=%d errors=%d throughput=%.1f req/s p50=%.1f us"
                            + " p99=%.1f us%n", operation, threads, seconds, all.length, errors,
                    all.length / (elapsed / 1e9), RawHttp.percentile(all, 0.50), RawHttp.percentile(all, 0.99));
        } finally {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static byte[] put(int port, Bootstrap.Profile key, int i) {
        return call(port, key, "PutItem", "{\"TableName\":\"" + TABLE + "\",\"Item\":{\"pk\":{\"S\":\"item-" + i
                + "\"},\"count\":{\"N\":\"" + i + "\"},\"text\":{\"S\":\"" + "t".repeat(100) + "\"},"
                + "\"tags\":{\"SS\":[\"load\",\"bench\"]}}}");
    }

    private static byte[] call(int port, Bootstrap.Profile key, String operation, String json) {
        return RawHttp.signedPost(port, key.accessKeyId(), key.secretAccessKey(), "dynamodb",
                "application/x-amz-json-1.0", "DynamoDB_20120810." + operation, json.getBytes(StandardCharsets.UTF_8));
    }

    private static void exchange(Socket socket, byte[] request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        RawHttp.Response response = RawHttp.read(new BufferedInputStream(socket.getInputStream()));
        if (response.status() != 200) {
            throw new IllegalStateException("setup request answered " + response.status() + ": " + response.text());
        }
    }

    static final class Worker extends Thread {
        final int port;
        final byte[] request;
        final AtomicBoolean measuring;
        final AtomicBoolean running;
        long[] latencies = new long[1 << 16];
        int count;
        long errors;

        Worker(int port, byte[] request, AtomicBoolean measuring, AtomicBoolean running) {
            this.port = port;
            this.request = request;
            this.measuring = measuring;
            this.running = running;
        }

        @Override
        public void run() {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setTcpNoDelay(true);
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream());
                while (running.get()) {
                    long t0 = System.nanoTime();
                    out.write(request);
                    out.flush();
                    RawHttp.Response response = RawHttp.read(in);
                    long t1 = System.nanoTime();
                    if (response.status() != 200) {
                        errors++;
                    }
                    if (measuring.get()) {
                        if (count == latencies.length) {
                            latencies = java.util.Arrays.copyOf(latencies, count * 2);
                        }
                        latencies[count++] = t1 - t0;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
