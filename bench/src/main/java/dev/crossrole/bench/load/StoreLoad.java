package dev.crossrole.bench.load;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The embedded store under IAM writes, then restarts: (1) N client threads, each on one keep-alive connection,
 * create ROLES roles through the IAM API, each as CreateRole followed by PutRolePolicy (every request signed,
 * every write durable before its response); (2) the server is stopped and started again on the same data
 * directory, three times, each start timed from {@code CrossroleServer.start} until it returns, ready to serve.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.crossrole.bench.load.StoreLoad fill ROLES THREADS DATA_DIR},
 * then {@code … StoreLoad restart DATA_DIR} (one start in a fresh JVM, as a user restarts crossrole).
 */
public final class StoreLoad {
    private static final String FORM = "application/x-www-form-urlencoded; charset=utf-8";
    private static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
            + "{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("restart")) {
            restart(Path.of(args[1]));
        } else if (args.length == 4 && args[0].equals("fill")) {
            fill(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
        } else {
            System.err.println("usage: StoreLoad fill ROLES THREADS DATA_DIR | StoreLoad restart DATA_DIR");
            System.exit(2);
        }
    }

    /** One start on an existing data directory: the time until the server is ready to serve. */
    private static void restart(Path data) throws Exception {
        long t0 = System.nanoTime();
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            long t1 = System.nanoTime();
            System.out.printf("restart: %.0f ms to serve (JVM up %d ms before), %d roles in 111122223333; store files %s%n",
                    (t1 - t0) / 1e6, java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() - (t1 - t0) / 1_000_000,
                    server.iam().roles("111122223333").size(), files(data.resolve("store")));
        }
    }

    private static void fill(int roles, int threads, Path data) throws Exception {
        long[] createLatency = new long[roles];
        long[] putLatency = new long[roles];
        AtomicInteger next = new AtomicInteger();
        long started;
        long elapsed;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            Bootstrap.Profile admin = server.profiles().get(0);
            List<Thread> clients = new ArrayList<>();
            started = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                Thread client = new Thread(() -> {
                    try (Socket socket = new Socket("127.0.0.1", server.port())) {
                        socket.setTcpNoDelay(true);
                        OutputStream out = socket.getOutputStream();
                        InputStream in = new BufferedInputStream(socket.getInputStream());
                        for (int i = next.getAndIncrement(); i < roles; i = next.getAndIncrement()) {
                            String name = "bench-role-" + i;
                            long t0 = System.nanoTime();
                            call(out, in, server, admin, "Action=CreateRole&Version=2010-05-08&RoleName=" + name
                                    + "&AssumeRolePolicyDocument=" + URLEncoder.encode(TRUST, StandardCharsets.UTF_8));
                            long t1 = System.nanoTime();
                            String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                                    + "[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::bucket-" + i + "/*\"}]}";
                            call(out, in, server, admin, "Action=PutRolePolicy&Version=2010-05-08&RoleName=" + name
                                    + "&PolicyName=access&PolicyDocument=" + URLEncoder.encode(policy, StandardCharsets.UTF_8));
                            long t2 = System.nanoTime();
                            createLatency[i] = t1 - t0;
                            putLatency[i] = t2 - t1;
                            if ((i + 1) % 10_000 == 0) {
                                System.out.printf("  %d roles after %.1f s%n", i + 1, (System.nanoTime() - started) / 1e9);
                            }
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }, "client-" + t);
                client.start();
                clients.add(client);
            }
            for (Thread client : clients) {
                client.join();
            }
            elapsed = System.nanoTime() - started;
        }
        Arrays.sort(createLatency);
        Arrays.sort(putLatency);
        System.out.printf("writes: roles=%d threads=%d seconds=%.1f writes/s=%.0f (CreateRole+PutRolePolicy)%n", roles,
                threads, elapsed / 1e9, 2.0 * roles / (elapsed / 1e9));
        System.out.printf("  CreateRole    p50=%.0f us p99=%.0f us%n", RawHttp.percentile(createLatency, 0.5),
                RawHttp.percentile(createLatency, 0.99));
        System.out.printf("  PutRolePolicy p50=%.0f us p99=%.0f us%n", RawHttp.percentile(putLatency, 0.5),
                RawHttp.percentile(putLatency, 0.99));
        System.out.println("store files: " + files(data.resolve("store")));
    }

    private static String files(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.sorted().map(p -> {
                try {
                    return p.getFileName() + " " + (Files.size(p) / 1024) + " KiB";
                } catch (IOException e) {
                    return p.getFileName().toString();
                }
            }).toList().toString();
        }
    }

    private static void call(OutputStream out, InputStream in, CrossroleServer server, Bootstrap.Profile admin,
                             String form) throws IOException {
        out.write(RawHttp.signedPost(server.port(), admin.accessKeyId(), admin.secretAccessKey(), "iam", FORM, null,
                form.getBytes(StandardCharsets.UTF_8)));
        out.flush();
        RawHttp.Response response = RawHttp.read(in);
        if (response.status() != 200) {
            throw new IllegalStateException("HTTP " + response.status() + ": " + response.text());
        }
    }
}
