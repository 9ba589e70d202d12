package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * A damaged embedded store through the public interface: {@code crossrole serve} cuts a crash's torn tail and
 * starts; it refuses (exit 2, changing nothing) a journal flipped in the middle or a flipped snapshot, naming
 * the file, the offset and what to do; {@code state check} reports it; {@code state repair} cuts it as told and
 * crossrole starts again with everything before the damage.
 */
class StoreDamageTest {
    private static final Pattern SOURCE_KEY = Pattern.compile(
            "\\[source\\][^\\[]*aws_access_key_id = (\\S+)\\s+aws_secret_access_key = (\\S+)");
    private static final Pattern REPAIR = Pattern.compile(
            "crossrole state repair --data-dir (\\S+) --truncate-at (\\d+) --journal (journal-\\d+)");
    private static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}}";

    @TempDir
    Path dir;

    private static IamClient iam(ServeProcess serve, Path data) throws IOException {
        Matcher key = SOURCE_KEY.matcher(Files.readString(data.resolve("credentials")));
        assertTrue(key.find());
        return IamClient.builder().endpointOverride(URI.create(serve.endpoint())).region(Region.AWS_GLOBAL)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key.group(1), key.group(2))))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private ServeProcess serve(Path data) throws IOException {
        return ServeProcess.start(dir, data, List.of("-XX:TieredStopAtLevel=1"));
    }

    private static void stop(ServeProcess serve) throws InterruptedException {
        serve.process().destroy();
        assertTrue(serve.process().waitFor(60, TimeUnit.SECONDS));
    }

    private static int roles(ServeProcess serve, Path data) throws IOException {
        try (IamClient iam = iam(serve, data)) {
            return (int) iam.listRolesPaginator(r -> r.maxItems(1000)).roles().stream().count();
        }
    }

    private Run refusedStart(Path data, Path... unchanged) throws Exception {
        for (Path p : unchanged) {
            Files.setLastModifiedTime(p, FileTime.fromMillis(1_000_000_000_000L));
        }
        byte[][] before = new byte[unchanged.length][];
        for (int i = 0; i < unchanged.length; i++) {
            before[i] = Files.readAllBytes(unchanged[i]);
        }
        Run run = CrossroleCommand.run(dir, "serve", "--port", "0", "--data-dir", data.toString());
        assertEquals(2, run.exit(), run.toString());
        for (int i = 0; i < unchanged.length; i++) {
            assertArrayEquals(before[i], Files.readAllBytes(unchanged[i]), unchanged[i] + " is unchanged");
            assertEquals(FileTime.fromMillis(1_000_000_000_000L), Files.getLastModifiedTime(unchanged[i]));
        }
        return run;
    }

    @Test
    void aJournalFlippedInTheMiddleIsRefusedUntilRepairedAndATornTailIsCut() throws Exception {
        Path data = dir.resolve("data");
        ServeProcess first = serve(data);
        try (IamClient iam = iam(first, data)) {
            for (int i = 0; i < 200; i++) {
                int n = i;
                iam.createRole(r -> r.roleName("role-" + n).assumeRolePolicyDocument(TRUST));
            }
        } finally {
            stop(first);
        }
        Path journal = data.resolve("store/journal-1");

        // A crash in the middle of the last append: cut off at start.
        byte[] whole = Files.readAllBytes(journal);
        Files.write(journal, java.util.Arrays.copyOf(whole, whole.length - 7));
        ServeProcess torn = serve(data);
        try {
            assertTrue(torn.output().contains("cutting ") && torn.output().contains(journal.toString()),
                    torn.output());
        } finally {
            stop(torn);
        }

        // One bit flipped at 10 %: refused, nothing touched.
        byte[] bytes = Files.readAllBytes(journal);
        bytes[bytes.length / 10] ^= 0x08;
        Files.write(journal, bytes);
        Run refused = refusedStart(data, journal);
        String message = refused.stderr();
        assertTrue(message.contains("the journal " + journal + " is damaged at byte "), message);
        assertTrue(message.contains("whole commits that can still be read"), message);
        Matcher repair = REPAIR.matcher(message);
        assertTrue(repair.find(), message);

        Run check = CrossroleCommand.run(dir, "state", "check", "--data-dir", data.toString());
        assertEquals(1, check.exit(), check.toString());
        assertTrue(check.stdout().contains("at byte "), check.stdout());

        Run repaired = CrossroleCommand.run(dir, "state", "repair", "--data-dir", repair.group(1), "--truncate-at",
                repair.group(2), "--journal", repair.group(3));
        assertEquals(0, repaired.exit(), repaired.toString());
        try (Stream<Path> files = Files.list(data.resolve("store"))) {
            Path backup = files.filter(p -> p.getFileName().toString().startsWith("journal-1.bak-")).findFirst().orElseThrow();
            assertArrayEquals(bytes, Files.readAllBytes(backup));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));
        }
        ServeProcess again = serve(data);
        try {
            int kept = roles(again, data);
            assertTrue(kept > 0 && kept < 200, "the roles committed before the damage: " + kept);
        } finally {
            stop(again);
        }
    }

    @Test
    void aFlippedSnapshotIsRefusedWithItsPath() throws Exception {
        Path data = dir.resolve("data");
        ServeProcess first = serve(data);
        // About 17 MB of commits: the journal outgrows the 16 MiB that makes crossrole write a snapshot.
        StringBuilder resources = new StringBuilder();
        for (int i = 0; resources.length() < 9000; i++) {
            resources.append(i == 0 ? "" : ",").append("\"arn:aws:s3:::bucket-").append(i).append("/*\"");
        }
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":[" + resources + "]}}";
        try (IamClient iam = iam(first, data)) {
            for (int i = 0; i < 10; i++) {
                int n = i;
                iam.createRole(r -> r.roleName("big-" + n).assumeRolePolicyDocument(TRUST));
            }
            for (int i = 0; i < 1800; i++) {
                int n = i;
                iam.putRolePolicy(r -> r.roleName("big-" + (n % 10)).policyName("p").policyDocument(policy));
            }
        } finally {
            stop(first);
        }
        Path snapshot;
        try (Stream<Path> files = Files.list(data.resolve("store"))) {
            snapshot = files.filter(p -> p.getFileName().toString().matches("snapshot-\\d+")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(snapshot);
        bytes[bytes.length / 3] ^= 0x40;
        Files.write(snapshot, bytes);
        Run refused = refusedStart(data, snapshot);
        assertTrue(refused.stderr().contains("the snapshot " + snapshot + " is damaged"), refused.stderr());
        assertTrue(refused.stderr().contains("restore the data directory from a backup"), refused.stderr());
        Run check = CrossroleCommand.run(dir, "state", "check", "--data-dir", data.toString());
        assertEquals(1, check.exit(), check.toString());
        Run repair = CrossroleCommand.run(dir, "state", "repair", "--data-dir", data.toString(), "--truncate-at", "0");
        assertEquals(2, repair.exit(), "cutting a journal cannot mend a snapshot: " + repair);
    }
}
