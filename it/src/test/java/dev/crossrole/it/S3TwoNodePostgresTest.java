package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Two nodes on one PostgreSQL database, object bytes either in one shared blob folder ({@code --s3-blobs})
 * or, by default, in the database: a bucket and an object written through one node are listed and read
 * through the other on its next request.
 */
class S3TwoNodePostgresTest {
    @TempDir
    Path dir;

    private static S3Client s3(CrossroleServer node) {
        Bootstrap.Profile p = node.profiles().stream().filter(q -> q.account().id().equals("555566667777")).findFirst()
                .orElseThrow();
        return S3Client.builder().endpointOverride(URI.create(node.endpoint())).region(Region.US_EAST_1)
                .forcePathStyle(true).httpClient(ApacheHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(),
                        p.secretAccessKey()))).build();
    }

    @Test
    void anObjectPutThroughOneNodeIsReadThroughTheOther() throws Exception {
        try (SharedPostgres.Database database = SharedPostgres.newDatabase("crossrole_s3")) {
            String store = database.store();
            Path shared = dir.resolve("shared-blobs");
            try (CrossroleServer a = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("a")).withPort(0)
                    .withStore(store).withS3Blobs(shared));
                 CrossroleServer b = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("b")).withPort(0)
                         .withStore(store).withS3Blobs(shared))) {
                S3Client throughA = s3(a);
                S3Client throughB = s3(b);
                byte[] bytes = new byte[1024 * 1024 + 3];
                new Random(3).nextBytes(bytes);
                throughA.createBucket(r -> r.bucket("shared"));
                String etag = throughA.putObject(r -> r.bucket("shared").key("one.bin").metadata(Map.of("via", "a")),
                        RequestBody.fromBytes(bytes)).eTag();

                var got = throughB.getObjectAsBytes(r -> r.bucket("shared").key("one.bin"));
                assertArrayEquals(bytes, got.asByteArray());
                assertEquals(etag, got.response().eTag());
                assertEquals(Map.of("via", "a"), got.response().metadata());
                assertEquals(List.of("one.bin"), throughB.listObjectsV2(r -> r.bucket("shared")).contents().stream()
                        .map(S3Object::key).toList());

                // An overwrite through B is what A serves next; a delete through A is seen by B.
                throughB.putObject(r -> r.bucket("shared").key("one.bin"), RequestBody.fromString("from b"));
                assertEquals("from b", throughA.getObjectAsBytes(r -> r.bucket("shared").key("one.bin")).asUtf8String());
                throughA.deleteObject(r -> r.bucket("shared").key("one.bin"));
                assertThrows(NoSuchKeyException.class, () -> throughB.headObject(r -> r.bucket("shared").key("one.bin")));
                try (Stream<Path> files = Files.list(shared)) {
                    assertTrue(files.findAny().isEmpty(), "the replaced and the deleted object's bytes are gone");
                }
                throughB.deleteBucket(r -> r.bucket("shared"));
                assertTrue(throughA.listBuckets().buckets().stream().noneMatch(x -> x.name().equals("shared")));
            }
        }
    }

    @Test
    void versionsWrittenThroughOneNodeAreSeenThroughTheOther() throws Exception {
        try (SharedPostgres.Database database = SharedPostgres.newDatabase("crossrole_s3")) {
            String store = database.store();
            try (CrossroleServer a = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("a")).withPort(0)
                    .withStore(store));
                 CrossroleServer b = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("b")).withPort(0)
                         .withStore(store))) {
                S3Client throughA = s3(a);
                S3Client throughB = s3(b);
                throughA.createBucket(r -> r.bucket("shared-versions"));
                throughA.putBucketVersioning(r -> r.bucket("shared-versions").versioningConfiguration(c -> c
                        .status("Enabled")));
                String v1 = throughB.putObject(r -> r.bucket("shared-versions").key("k"), RequestBody.fromString("one"))
                        .versionId();
                String v2 = throughA.putObject(r -> r.bucket("shared-versions").key("k"), RequestBody.fromString("two"))
                        .versionId();
                assertEquals("one", throughB.getObjectAsBytes(r -> r.bucket("shared-versions").key("k").versionId(v1))
                        .asUtf8String());
                String marker = throughB.deleteObject(r -> r.bucket("shared-versions").key("k")).versionId();
                assertThrows(NoSuchKeyException.class, () -> throughA.headObject(r -> r.bucket("shared-versions")
                        .key("k")));
                assertEquals(List.of(v2, v1), throughA.listObjectVersions(r -> r.bucket("shared-versions")).versions()
                        .stream().map(v -> v.versionId()).toList());
                throughA.deleteObject(r -> r.bucket("shared-versions").key("k").versionId(marker));
                assertEquals("two", throughB.getObjectAsBytes(r -> r.bucket("shared-versions").key("k"))
                        .asUtf8String());
                for (String version : List.of(v1, v2)) {
                    throughB.deleteObject(r -> r.bucket("shared-versions").key("k").versionId(version));
                }
                throughA.deleteBucket(r -> r.bucket("shared-versions"));
                assertEquals(0, rows(database, "SELECT count(*) FROM crossrole.s3_blobs"),
                        "every version's bytes went with it");
            }
        }
    }

    private static long rows(SharedPostgres.Database database, String sql) throws Exception {
        try (Connection c = database.connect();
             Statement s = c.createStatement(); java.sql.ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Object Lock put through one node holds through the other: the bucket's, a version's, and the refusals. */
    @Test
    void objectLockPutThroughOneNodeHoldsThroughTheOther() throws Exception {
        try (SharedPostgres.Database database = SharedPostgres.newDatabase("crossrole_s3")) {
            String store = database.store();
            Path shared = dir.resolve("lock-blobs");
            try (CrossroleServer a = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("la"))
                    .withPort(0).withStore(store).withS3Blobs(shared));
                 CrossroleServer b = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("lb"))
                         .withPort(0).withStore(store).withS3Blobs(shared))) {
                S3Client throughA = s3(a);
                S3Client throughB = s3(b);
                throughA.createBucket(r -> r.bucket("locked"));
                throughA.putBucketVersioning(r -> r.bucket("locked").versioningConfiguration(c -> c.status("Enabled")));
                throughB.putObjectLockConfiguration(r -> r.bucket("locked").objectLockConfiguration(c -> c
                        .objectLockEnabled("Enabled").rule(u -> u.defaultRetention(d -> d.mode("COMPLIANCE")
                                .days(2)))));
                String version = throughA.putObject(r -> r.bucket("locked").key("k"), RequestBody.fromString("x"))
                        .versionId();
                assertEquals("COMPLIANCE", throughB.headObject(r -> r.bucket("locked").key("k"))
                        .objectLockModeAsString());
                throughB.putObjectLegalHold(r -> r.bucket("locked").key("k").legalHold(h -> h.status("ON")));
                assertEquals("ON", throughA.getObjectLegalHold(r -> r.bucket("locked").key("k")).legalHold()
                        .statusAsString());
                var refused = assertThrows(software.amazon.awssdk.services.s3.model.S3Exception.class,
                        () -> throughA.deleteObject(r -> r.bucket("locked").key("k").versionId(version)));
                assertEquals(403, refused.statusCode());
                assertThrows(software.amazon.awssdk.services.s3.model.S3Exception.class, () -> throughA
                        .putBucketVersioning(r -> r.bucket("locked").versioningConfiguration(c -> c
                                .status("Suspended"))));
                assertEquals(1, throughB.listObjectVersions(r -> r.bucket("locked")).versions().size());
            }
        }
    }

    @Test
    void withoutASharedFolderTheBytesLiveInTheDatabase() throws Exception {
        try (SharedPostgres.Database database = SharedPostgres.newDatabase("crossrole_s3")) {
            String store = database.store();
            try (CrossroleServer a = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("a")).withPort(0)
                    .withStore(store));
                 CrossroleServer b = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("b")).withPort(0)
                         .withStore(store))) {
                S3Client throughA = s3(a);
                S3Client throughB = s3(b);
                byte[] bytes = new byte[3 * 1024 * 1024 + 5];
                new Random(4).nextBytes(bytes);
                throughA.createBucket(r -> r.bucket("shared"));
                String etag = throughA.putObject(r -> r.bucket("shared").key("one.bin"), RequestBody.fromBytes(bytes)).eTag();

                var got = throughB.getObjectAsBytes(r -> r.bucket("shared").key("one.bin"));
                assertArrayEquals(bytes, got.asByteArray());
                assertEquals(etag, got.response().eTag());
                // A range across the first chunk boundary (1 MiB).
                var range = throughB.getObjectAsBytes(r -> r.bucket("shared").key("one.bin")
                        .range("bytes=1048570-1048589"));
                assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 1048570, 1048590), range.asByteArray());
                assertEquals("bytes 1048570-1048589/" + bytes.length, range.response().contentRange());
                for (Path node : List.of(dir.resolve("a"), dir.resolve("b"))) {
                    Path blobs = node.resolve("s3/blobs");
                    if (Files.isDirectory(blobs)) {
                        try (Stream<Path> files = Files.list(blobs)) {
                            assertTrue(files.findAny().isEmpty(), "no bytes in " + blobs);
                        }
                    }
                }

                // A multipart upload started through A, a part through each node, completed through B.
                String upload = throughA.createMultipartUpload(r -> r.bucket("shared").key("parts.bin")).uploadId();

                byte[] five = new byte[5 * 1024 * 1024];
                new Random(5).nextBytes(five);
                byte[] last = "the end".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                String e1 = throughA.uploadPart(r -> r.bucket("shared").key("parts.bin").uploadId(upload).partNumber(1),
                        RequestBody.fromBytes(five)).eTag();
                String e2 = throughB.uploadPart(r -> r.bucket("shared").key("parts.bin").uploadId(upload).partNumber(2),
                        RequestBody.fromBytes(last)).eTag();
                assertEquals(2, throughA.listParts(r -> r.bucket("shared").key("parts.bin").uploadId(upload)).parts().size());
                throughB.completeMultipartUpload(r -> r.bucket("shared").key("parts.bin").uploadId(upload)
                        .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(e1).build(),
                                CompletedPart.builder().partNumber(2).eTag(e2).build())));
                byte[] whole = new byte[five.length + last.length];
                System.arraycopy(five, 0, whole, 0, five.length);
                System.arraycopy(last, 0, whole, five.length, last.length);
                assertArrayEquals(whole, throughA.getObjectAsBytes(r -> r.bucket("shared").key("parts.bin")).asByteArray());

                // An overwrite through B is what A serves next; a delete through A is seen by B.
                throughB.putObject(r -> r.bucket("shared").key("one.bin"), RequestBody.fromString("from b"));
                assertEquals("from b", throughA.getObjectAsBytes(r -> r.bucket("shared").key("one.bin")).asUtf8String());
                throughA.deleteObject(r -> r.bucket("shared").key("one.bin"));
                assertThrows(NoSuchKeyException.class, () -> throughB.headObject(r -> r.bucket("shared").key("one.bin")));
                throughB.deleteObject(r -> r.bucket("shared").key("parts.bin"));
                assertEquals(0, rows(database, "SELECT count(*) FROM crossrole.s3_blobs"),
                        "the replaced and deleted objects' and the completed parts' bytes are gone");
                assertEquals(0, rows(database, "SELECT count(*) FROM crossrole.s3_blob_chunks"));
                throughB.deleteBucket(r -> r.bucket("shared"));
            }
        }
    }

    /**
     * Both nodes sweep the lifecycle rules at the same time; each change is conditional on what its pass saw, so a
     * versioned key gets one delete marker, not two, and the rules put through one node apply through the other.
     */
    @Test
    void bothNodesSweepingTheLifecycleRulesApplyThemOnce() throws Exception {
        // The real time but for the sweep: requests are never judged against a skewed clock.
        MutableClock clock = MutableClock.frozenNow();
        try (SharedPostgres.Database database = SharedPostgres.newDatabase("crossrole_s3")) {
            String store = database.store();
            Path shared = dir.resolve("shared-blobs");
            try (CrossroleServer a = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("a")).withPort(0)
                    .withStore(store).withS3Blobs(shared).withClock(clock));
                 CrossroleServer b = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("b")).withPort(0)
                         .withStore(store).withS3Blobs(shared).withClock(clock))) {
                S3Client throughA = s3(a);
                S3Client throughB = s3(b);
                throughA.createBucket(r -> r.bucket("swept"));
                throughA.putBucketVersioning(r -> r.bucket("swept").versioningConfiguration(c -> c.status("Enabled")));
                throughA.putBucketLifecycleConfiguration(r -> r.bucket("swept").lifecycleConfiguration(c -> c.rules(
                        software.amazon.awssdk.services.s3.model.LifecycleRule.builder().id("day").status("Enabled")
                                .filter(f -> f.prefix("")).expiration(e -> e.days(1)).build())));
                for (int i = 0; i < 20; i++) {
                    String key = "k" + i;
                    throughB.putObject(r -> r.bucket("swept").key(key), RequestBody.fromString(key));
                }
                clock.advance(java.time.Duration.ofDays(2));
                java.util.concurrent.ExecutorService both = java.util.concurrent.Executors.newFixedThreadPool(2);
                try {
                    var first = both.submit(a::sweepS3Lifecycle);
                    var second = both.submit(b::sweepS3Lifecycle);
                    assertEquals(20, first.get() + second.get(), "each key expired by one node or the other");
                } finally {
                    both.shutdownNow();
                    clock.set(java.time.Instant.ofEpochSecond(java.time.Instant.now().getEpochSecond()));
                }
                var versions = throughB.listObjectVersions(r -> r.bucket("swept"));
                assertEquals(20, versions.deleteMarkers().size(), versions.toString());
                assertEquals(20, versions.versions().size());
                assertTrue(throughA.listObjectsV2(r -> r.bucket("swept")).contents().isEmpty());
            }
        }
    }
}
