package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * S3 durability under SIGKILL: a real crossrole process takes PutObject (new keys and overwrites) from several
 * threads and is killed at a random moment, many times over on the same data directory. After every restart
 * each acknowledged object is there with its bytes (their MD5 is the ETag acknowledged), an object whose
 * overwrite was cut off is whole in its old or its new state, and no blob is left that no object references.
 */
class S3CrashRecoveryTest {
    private static final int ROUNDS = 10;
    private static final int WRITERS = 4;
    private static final String BUCKET = "crash";

    @TempDir
    Path dir;

    /** Per key, the ETags it may have: one once a write was acknowledged, more while a write's fate is unknown. */
    private final Map<String, Set<String>> expected = new ConcurrentHashMap<>();
    /** Keys whose only writes were cut off: they may or may not exist. */
    private final Set<String> maybe = ConcurrentHashMap.newKeySet();
    private int acknowledged;

    private record Server(Process process, S3Client s3) {}

    private Server start(Path data) throws Exception {
        ServeProcess serve = ServeProcess.start(dir, data, List.of("-XX:TieredStopAtLevel=1"));
        Process process = serve.process();
        String endpoint = serve.endpoint();
        String credentials = Files.readString(data.resolve("credentials"));
        Matcher key = Pattern.compile("\\[source\\][^\\[]*aws_access_key_id = (\\S+)\\s+aws_secret_access_key = (\\S+)")
                .matcher(credentials);
        assertTrue(key.find(), credentials);
        S3Client s3 = S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .forcePathStyle(true).httpClient(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(5)).build())
                .overrideConfiguration(c -> c.retryPolicy(RetryPolicy.none()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key.group(1), key.group(2))))
                .build();
        return new Server(process, s3);
    }

    private static byte[] content(String key, int version) {
        Random random = new Random((key + "#" + version).hashCode());
        byte[] bytes = new byte[1 + random.nextInt(200_000)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String md5(byte[] bytes) throws Exception {
        return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes)) + "\"";
    }

    /** One writer: new keys, and every third write an overwrite of one of its earlier keys; until killed. */
    private void write(Server server, int round, int writer, AtomicBoolean killed) {
        List<String> mine = new ArrayList<>();
        Random random = new Random(round * 31L + writer);
        try {
            for (int i = 0; !killed.get(); i++) {
                String key = i % 3 == 2 && !mine.isEmpty() ? mine.get(random.nextInt(mine.size()))
                        : "r" + round + "/w" + writer + "/" + i;
                byte[] bytes = content(key, i);
                String etag = md5(bytes);
                Set<String> before = expected.get(key);
                if (before != null) {
                    before.add(etag);
                } else {
                    maybe.add(key);
                }
                String answered = server.s3().putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes)).eTag();
                assertEquals(etag, answered);
                Set<String> now = ConcurrentHashMap.newKeySet();
                now.add(etag);
                expected.put(key, now);
                maybe.remove(key);
                mine.add(key);
                synchronized (this) {
                    acknowledged++;
                }
            }
        } catch (Exception e) {
            // Killed in the middle of a request: that write was never acknowledged.
        }
    }

    @Test
    void everyAcknowledgedObjectSurvivesSigkillWithItsBytes() throws Exception {
        Path data = dir.resolve("data");
        Random random = new Random(20261128L);
        Server first = start(data);
        first.s3().createBucket(b -> b.bucket(BUCKET));
        first.process().destroyForcibly();
        first.process().waitFor(30, TimeUnit.SECONDS);
        for (int round = 0; round < ROUNDS; round++) {
            Server server = start(data);
            verify(server, data);
            AtomicBoolean killed = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int round0 = round;
                int writer = w;
                Thread t = new Thread(() -> write(server, round0, writer, killed), "writer-" + w);
                t.start();
                writers.add(t);
            }
            Thread.sleep(300 + random.nextInt(900));
            server.process().destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            killed.set(true);
            assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
            for (Thread t : writers) {
                t.join(30_000);
            }
        }
        Server last = start(data);
        try {
            verify(last, data);
            assertTrue(acknowledged > ROUNDS * WRITERS, "writes were acknowledged in every round: " + acknowledged);
            System.out.printf("S3CrashRecoveryTest: %d rounds, %d PutObject acknowledged, %d keys; all present with"
                    + " their bytes after each SIGKILL%n", ROUNDS, acknowledged, expected.size());
        } finally {
            last.process().destroy();
            last.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Every acknowledged object reads back whole; nothing else is listed but cut-off writes; no orphan blob. */
    private void verify(Server server, Path data) throws Exception {
        List<S3Object> listed = new ArrayList<>();
        server.s3().listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().forEach(listed::add);
        Set<String> keys = new HashSet<>();
        for (S3Object object : listed) {
            keys.add(object.key());
            byte[] bytes = server.s3().getObjectAsBytes(b -> b.bucket(BUCKET).key(object.key())).asByteArray();
            assertEquals(object.eTag(), md5(bytes), "the bytes of " + object.key() + " are those its ETag names");
            assertEquals(object.size().longValue(), bytes.length);
            Set<String> allowed = expected.get(object.key());
            assertTrue(allowed != null ? allowed.contains(object.eTag()) : maybe.contains(object.key()),
                    object.key() + " holds " + object.eTag() + ", which no write of it sent; expected " + allowed
                            + ", maybe " + maybe.contains(object.key()));
            if (allowed == null || allowed.size() > 1) {
                // The fate of its cut-off write is now decided.
                Set<String> decided = ConcurrentHashMap.newKeySet();
                decided.add(object.eTag());
                expected.put(object.key(), decided);
            }
            maybe.remove(object.key());
        }
        for (String key : expected.keySet()) {
            assertTrue(keys.contains(key), "acknowledged object " + key + " is missing after the restart");
        }
        maybe.clear();
        try (Stream<Path> blobs = Files.list(data.resolve("s3/blobs"))) {
            assertEquals(listed.size(), blobs.count(), "one blob per object: orphans were removed at start");
        }
    }
}
