package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Nothing crossrole keeps is readable by other local users, whatever the umask: {@code crossrole serve} runs
 * under umask 000, does real work (IAM writes, S3 puts and a multipart upload, an ECS task with logs), then
 * {@code state export} and {@code state check} run under umask 000 too; every folder of the data directory
 * (and of the export) is 0700 and every file 0600. A data directory loosened by hand is tightened at the next
 * start, which says so.
 */
class PrivateModesTest {
    private static final Pattern SOURCE_KEY = Pattern.compile(
            "\\[source\\][^\\[]*aws_access_key_id = (\\S+)\\s+aws_secret_access_key = (\\S+)");

    @TempDir
    Path dir;

    private static StaticCredentialsProvider source(Path data) throws IOException {
        Matcher key = SOURCE_KEY.matcher(Files.readString(data.resolve("credentials")));
        assertTrue(key.find());
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(key.group(1), key.group(2)));
    }

    /** Every folder and file below {@code root} (itself included) whose mode is not 0700 / 0600. */
    private static Map<String, String> loose(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                String wanted = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------";
                if (!mode.equals(wanted)) {
                    out.put(root.relativize(p).toString(), mode);
                }
            }
        }
        return out;
    }

    private static int count(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return (int) all.count();
        }
    }

    private static void stop(ServeProcess serve) throws InterruptedException {
        serve.process().destroy(); // SIGTERM: stops tasks and closes the store
        assertTrue(serve.process().waitFor(60, TimeUnit.SECONDS));
    }

    private void work(String endpoint, StaticCredentialsProvider credentials) throws Exception {
        try (IamClient iam = IamClient.builder().endpointOverride(URI.create(endpoint)).region(Region.AWS_GLOBAL)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
             S3Client s3 = S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                     .forcePathStyle(true).credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                     .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
             EcsClient ecs = EcsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                     .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                     .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
            iam.createRole(r -> r.roleName("private-role").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},"
                    + "\"Action\":\"sts:AssumeRole\"}}"));
            iam.createUser(r -> r.userName("private-user"));
            iam.createAccessKey(r -> r.userName("private-user"));

            s3.createBucket(b -> b.bucket("private-bucket"));
            s3.putObject(b -> b.bucket("private-bucket").key("small.txt"), RequestBody.fromString("small"));
            String upload = s3.createMultipartUpload(b -> b.bucket("private-bucket").key("big.bin")).uploadId();
            List<CompletedPart> parts = new ArrayList<>();
            byte[] five = new byte[5 * 1024 * 1024];
            for (int n = 1; n <= 2; n++) {
                int number = n;
                String etag = s3.uploadPart(b -> b.bucket("private-bucket").key("big.bin").uploadId(upload).partNumber(number),
                        RequestBody.fromBytes(number == 1 ? five : new byte[] {1, 2, 3})).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
            s3.completeMultipartUpload(b -> b.bucket("private-bucket").key("big.bin").uploadId(upload)
                    .multipartUpload(m -> m.parts(parts)));
            String pending = s3.createMultipartUpload(b -> b.bucket("private-bucket").key("later")).uploadId();
            s3.uploadPart(b -> b.bucket("private-bucket").key("later").uploadId(pending).partNumber(1),
                    RequestBody.fromString("an upload still in progress"));

            ecs.createCluster(r -> r.clusterName("default"));
            ecs.registerTaskDefinition(r -> r.family("private-logs").containerDefinitions(c -> c.name("app").image("local")
                    .memory(64).workingDirectory("work").entryPoint("sh", "-c", "echo out; echo err >&2")));
            String taskArn = ecs.runTask(r -> r.taskDefinition("private-logs")).tasks().get(0).taskArn();
            Task stopped = EcsSdk.await(ecs, "default", taskArn, Duration.ofSeconds(60), "the task to stop",
                    t -> "STOPPED".equals(t.lastStatus()));
            assertEquals(0, stopped.containers().get(0).exitCode(), stopped.toString());
        }
    }

    @Test
    void everythingCrossroleKeepsIsPrivateWhateverTheUmask() throws Exception {
        Path data = dir.resolve("data");
        ServeProcess serve = ServeProcess.start(CrossroleCommand.UMASK_000, dir, data, List.of("-XX:TieredStopAtLevel=1"));
        try {
            work(serve.endpoint(), source(data));
        } finally {
            stop(serve);
        }
        Path export = dir.resolve("state.json");
        Run exported = CrossroleCommand.run(CrossroleCommand.UMASK_000, dir, "state", "export", "--data-dir",
                data.toString(), export.toString());
        assertEquals(0, exported.exit(), exported.toString());
        Run checked = CrossroleCommand.run(CrossroleCommand.UMASK_000, dir, "state", "check", "--data-dir", data.toString());
        assertEquals(0, checked.exit(), checked.toString());

        try (Stream<Path> logs = Files.walk(data.resolve("tasks"))) {
            assertTrue(logs.anyMatch(p -> p.toString().endsWith("app.log")), "the task's log is in the data directory");
        }
        assertTrue(Files.isDirectory(data.resolve("s3/blobs")));
        assertTrue(count(data) > 15, "the walk covers the store, S3 blobs, task folders and logs: " + count(data));
        assertEquals(Map.of(), loose(data), "folders 0700 and files 0600 in the data directory");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(export)));
        assertEquals(Map.of(), loose(dir.resolve("state.json.blobs")), "the exported object bytes too");
    }

    @Test
    void aLooseDataDirectoryIsTightenedAtStartSayingSo() throws Exception {
        Path data = dir.resolve("data");
        ServeProcess first = ServeProcess.start(dir, data, List.of("-XX:TieredStopAtLevel=1"));
        try {
            work(first.endpoint(), source(data));
        } finally {
            stop(first);
        }
        // As an older crossrole, or a user with umask 022, left it.
        List<Path> folders = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        Map<String, String> tasksOwn = new TreeMap<>();
        try (Stream<Path> all = Files.walk(data)) {
            for (Path p : all.toList()) {
                boolean directory = Files.isDirectory(p);
                String mode = directory ? "rwxr-xr-x" : "rw-r--r--";
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
                Path relative = data.relativize(p);
                if (relative.getNameCount() >= 3 && relative.getName(0).toString().equals("tasks")
                        && !relative.getName(1).toString().endsWith(".logs")) {
                    tasksOwn.put(relative.toString(), mode); // the task's working directory: its own, left alone
                } else {
                    (directory ? folders : files).add(p);
                }
            }
        }
        assertEquals(1, tasksOwn.size(), tasksOwn.toString());
        Path outside = Files.writeString(dir.resolve("not-crossroles.txt"), "x");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-r--r--"));
        Files.createSymbolicLink(data.resolve("a-link"), outside);

        ServeProcess second = ServeProcess.start(dir, data, List.of("-XX:TieredStopAtLevel=1"));
        try {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)),
                    "the data directory itself is closed before crossrole serves");
            // What it holds is walked in the background; the start says when it is done.
            String said = "tightened " + data + ": group and other access removed from " + folders.size()
                    + " folders and " + files.size() + " files";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!second.output().contains(said) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(second.output().contains(said), second.output());
            Files.delete(data.resolve("a-link"));
            assertEquals(tasksOwn, loose(data));
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(outside)),
                    "a link is not followed out of the data directory");
        } finally {
            stop(second);
        }
    }
}
