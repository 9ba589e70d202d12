package dev.crossrole.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * ECS measurements against a crossrole started in this JVM: (1) RunTask → RUNNING latency for a
 * one-container task (RunTask, then DescribeTasks until RUNNING), task stopped after each sample;
 * (2) requests/s of the container-credentials endpoint with keep-alive clients.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.crossrole.bench.load.EcsLoad [RUNS] [THREADS] [SECONDS]
 * [DOCKER_HOST IMAGE]}: with an engine and an image it has, tasks run on the docker runtime (their container with an
 * init process, so that StopTask ends it at once), and the loop's rate is reported as containers started per minute.
 */
public final class EcsLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET = "AmazonEC2ContainerServiceV20141113.";
    private static final String JSON_TYPE = "application/x-amz-json-1.1";

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        String dockerHost = args.length > 4 ? args[3] : null;
        String image = args.length > 4 ? args[4] : "local";
        Path data = Files.createTempDirectory("crossrole-ecs-load");
        CrossroleServer.Options options = CrossroleServer.Options.defaults(data).withPort(0);
        if (dockerHost != null) {
            options = options.withTaskIsolation(dev.crossrole.server.tasks.TaskIsolation.DOCKER).withDockerHost(dockerHost);
        }
        try (CrossroleServer server = CrossroleServer.start(options)) {
            System.out.println("task runtime: " + server.taskRuntimeName());
            server.iam().createRole("111122223333", "task-role", "/", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                    + "\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}",
                    3600, Map.of());
            Bootstrap.Profile admin = server.profiles().get(0);
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setTcpNoDelay(true);
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream());
                call(out, in, server, admin, "RegisterTaskDefinition", "{\"family\":\"bench\",\"taskRoleArn\":"
                        + "\"arn:aws:iam::111122223333:role/task-role\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":"
                        + "\"" + image + "\",\"memory\":128,\"command\":[\"sleep\",\"60\"],"
                        + "\"linuxParameters\":{\"initProcessEnabled\":" + (dockerHost != null) + "}}]}");
                long[] latencies = new long[runs];
                String lastTask = null;
                long loopStart = 0;
                for (int i = 0; i < runs + 5; i++) {
                    if (i == 5) {
                        loopStart = System.nanoTime();
                    }
                    long t0 = System.nanoTime();
                    JsonNode run = call(out, in, server, admin, "RunTask", "{\"taskDefinition\":\"bench\"}");
                    String arn = run.get("tasks").get(0).get("taskArn").asText();
                    while (true) {
                        JsonNode described = call(out, in, server, admin, "DescribeTasks", "{\"tasks\":[\"" + arn + "\"]}");
                        if ("RUNNING".equals(described.get("tasks").get(0).get("lastStatus").asText())) {
                            break;
                        }
                    }
                    long t1 = System.nanoTime();
                    if (i >= 5) {
                        latencies[i - 5] = t1 - t0;
                    }
                    if (lastTask != null) {
                        call(out, in, server, admin, "StopTask", "{\"task\":\"" + lastTask + "\"}");
                    }
                    lastTask = arn;
                }
                double loopSeconds = (System.nanoTime() - loopStart) / 1e9;
                Arrays.sort(latencies);
                System.out.printf("RunTask->RUNNING runs=%d p50=%.1f us p99=%.1f us max=%.1f us%n", runs,
                        RawHttp.percentile(latencies, 0.5), RawHttp.percentile(latencies, 0.99),
                        latencies[latencies.length - 1] / 1000.0);
                System.out.printf("one task after another, the previous stopped each time: %.0f containers per minute%n",
                        runs / loopSeconds * 60);
                credentialsLoad(server, lastTask.substring(lastTask.lastIndexOf('/') + 1), threads, seconds);
            }
        }
    }

    private static JsonNode call(OutputStream out, InputStream in, CrossroleServer server, Bootstrap.Profile admin,
                                 String operation, String body) throws Exception {
        out.write(RawHttp.signedPost(server.port(), admin.accessKeyId(), admin.secretAccessKey(), "ecs", JSON_TYPE,
                TARGET + operation, body.getBytes(StandardCharsets.UTF_8)));
        out.flush();
        RawHttp.Response response = RawHttp.read(in);
        if (response.status() != 200) {
            throw new IllegalStateException(operation + " failed: " + response.text());
        }
        return JSON.readTree(response.body());
    }

    private static void credentialsLoad(CrossroleServer server, String taskId, int threads, int seconds) throws Exception {
        var task = server.tasks().task(taskId).orElseThrow();
        Map<String, String> env = task.containers().get(0).environment();
        String uri = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        String path = uri.substring(uri.indexOf("/v2/"));
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nAuthorization: "
                + env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean running = new AtomicBoolean(true);
        long[][] samples = new long[threads][];
        int[] counts = new int[threads];
        Thread[] workers = new Thread[threads];
        for (int w = 0; w < threads; w++) {
            int me = w;
            samples[me] = new long[1 << 21];
            workers[w] = new Thread(() -> {
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
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
                            throw new IllegalStateException("credentials endpoint answered " + response.status());
                        }
                        if (measuring.get() && counts[me] < samples[me].length) {
                            samples[me][counts[me]++] = t1 - t0;
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            workers[w].start();
        }
        Thread.sleep(3000);
        measuring.set(true);
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        measuring.set(false);
        long elapsed = System.nanoTime() - start;
        running.set(false);
        int total = 0;
        for (int w = 0; w < threads; w++) {
            workers[w].join();
            total += counts[w];
        }
        long[] all = new long[total];
        int at = 0;
        for (int w = 0; w < threads; w++) {
            System.arraycopy(samples[w], 0, all, at, counts[w]);
            at += counts[w];
        }
        Arrays.sort(all);
        System.out.printf("credentials endpoint threads=%d seconds=%d requests=%d throughput=%.0f req/s p50=%.1f us p99=%.1f us%n",
                threads, seconds, total, total / (elapsed / 1e9), RawHttp.percentile(all, 0.5), RawHttp.percentile(all, 0.99));
    }
}
