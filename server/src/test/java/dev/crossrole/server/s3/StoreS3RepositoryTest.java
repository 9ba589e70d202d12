package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.store.StateSync;
import dev.crossrole.server.store.Store;
import dev.crossrole.server.store.Stores;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** S3 metadata as store records, bytes as blobs: what a commit makes visible, what a failure leaves, what start-up cleans. */
class StoreS3RepositoryTest {
    @TempDir
    Path dir;

    private static final Bucket BUCKET = new Bucket("b", "555566667777", "us-east-1", Instant.EPOCH, null, null);

    private static StoredObject object(String key, ObjectWriter.Written written) {
        return new StoredObject(key, UUID.randomUUID().toString(), written.size(), "\"" + written.md5Hex() + "\"",
                Instant.parse("2026-01-01T00:00:00Z"), Map.of("Content-Type", "text/plain"), Map.of("m", "1"), Map.of(),
                Map.of(), 0);
    }

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(ObjectSource source) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        source.copyRange(0, source.object().size(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** One node: a store in dir/data, blobs in dir/data/s3/blobs, started. */
    private static StoreS3Repository node(Store store, Path s3Root) throws IOException {
        StateSync sync = new StateSync(store);
        StoreS3Repository repository = new StoreS3Repository(sync, new BlobFiles(s3Root.resolve("blobs")));
        sync.load();
        repository.start(Instant.MAX);
        return repository;
    }

    private List<String> blobFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("s3/blobs"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void objectsAreRecordsAndSurviveAReopen() throws Exception {
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository repository = node(store, dir.resolve("s3"));
            assertTrue(repository.createIfAbsent(BUCKET).isEmpty());
            assertEquals(BUCKET, repository.createIfAbsent(BUCKET).orElseThrow(), "a second create finds the first");
            StoredObject stored = repository.putObject("b", "dir/key", text("hello world"), w -> object("dir/key", w));
            repository.putTags("b", stored, Map.of("x", "y"));
            assertTrue(store.read(StoreS3Repository.OBJECTS, "b/dir/key").isPresent());
            assertEquals(List.of(stored.objectId()), blobFiles());
        }
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository reopened = node(store, dir.resolve("s3"));
            ObjectSource source = reopened.open("b", "dir/key").orElseThrow();
            assertEquals("hello world", read(source));
            assertEquals(Map.of("x", "y"), source.object().tags());
            assertEquals("555566667777", reopened.bucket("b").orElseThrow().owner());
        }
    }

    @Test
    void versionsAreKeptApartFromTheCurrentObjectAndSurviveAReopen() throws Exception {
        String first;
        String marker;
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository repository = node(store, dir.resolve("s3"));
            repository.createIfAbsent(BUCKET);
            StoredObject unversioned = repository.putObject("b", "k", text("zero"), w -> object("k", w));
            repository.updateBucket("b", b -> b.withVersioning(Bucket.ENABLED));
            StoredObject one = repository.putObject("b", "k", text("one"), w -> object("k", w));
            StoredObject two = repository.putObject("b", "k", text("two"), w -> object("k", w));
            first = one.versionId();
            assertTrue(VersionIds.wellFormed(first) && VersionIds.wellFormed(two.versionId()));
            // The current object alone is in the objects view; the others are versions, newest first.
            assertEquals(two.objectId(), repository.objects("b").get("k").objectId());
            assertEquals(List.of(first, "null"), repository.versions("b").get("k").stream()
                    .map(StoredObject::wireVersionId).toList());
            assertEquals("zero", read(repository.source(repository.version("b", "k", null).orElseThrow())));
            assertEquals(3, blobFiles().size());
            StoredObject deleted = repository.deleteObject("b", "k");
            assertTrue(deleted.deleteMarker());
            marker = deleted.versionId();
            assertTrue(repository.open("b", "k").isEmpty());
            assertEquals(marker, repository.latestDeleteMarker("b", "k").orElseThrow().versionId());
            assertEquals(3, blobFiles().size(), "a delete marker deletes no bytes");
            assertEquals(false, repository.deleteBucket("b"), "versions keep a bucket from being empty");
            assertTrue(store.read(StoreS3Repository.VERSIONS, "b/k/null").isPresent());
            assertEquals(unversioned.objectId(), repository.version("b", "k", null).orElseThrow().objectId());
        }
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository repository = node(store, dir.resolve("s3"));
            assertEquals(Bucket.ENABLED, repository.bucket("b").orElseThrow().versioning());
            assertEquals(4, repository.versions("b").get("k").size());
            // Deleting the delete marker makes the version before it current again.
            assertTrue(repository.deleteVersion("b", "k", marker, WriteCondition.NONE).orElseThrow().deleteMarker());
            assertEquals("two", read(repository.open("b", "k").orElseThrow()));
            // Deleting a noncurrent version deletes its bytes.
            repository.deleteVersion("b", "k", first, WriteCondition.NONE);
            assertEquals(2, blobFiles().size());
            assertTrue(repository.version("b", "k", first).isEmpty());
            // Suspended: a write replaces the null version (here a noncurrent one) and keeps the others.
            repository.updateBucket("b", b -> b.withVersioning(Bucket.SUSPENDED));
            StoredObject suspended = repository.putObject("b", "k", text("three"), w -> object("k", w));
            assertEquals(null, suspended.versionId());
            assertEquals(2, blobFiles().size(), "the null version's bytes went");
            assertEquals(List.of("null", repository.versions("b").get("k").get(0).wireVersionId()),
                    List.of(suspended.wireVersionId(), repository.versions("b").get("k").get(0).wireVersionId()));
            StoredObject nullMarker = repository.deleteObject("b", "k");
            assertEquals(null, nullMarker.versionId());
            assertEquals(1, blobFiles().size(), "a suspended delete replaces the null version");
        }
    }

    @Test
    void overwritesAndDeletesRemoveTheBlobTheyNoLongerReference() throws Exception {
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository repository = node(store, dir.resolve("s3"));
            repository.createIfAbsent(BUCKET);
            repository.putObject("b", "k", text("one"), w -> object("k", w));
            StoredObject second = repository.putObject("b", "k", text("two"), w -> object("k", w));
            assertEquals(List.of(second.objectId()), blobFiles());
            assertEquals("two", read(repository.open("b", "k").orElseThrow()));
            repository.deleteObject("b", "k");
            assertEquals(List.of(), blobFiles());
            assertTrue(repository.open("b", "k").isEmpty());
            assertTrue(store.read(StoreS3Repository.OBJECTS, "b/k").isEmpty());
            assertTrue(repository.deleteBucket("b"));
            assertTrue(store.read(StoreS3Repository.BUCKETS, "b").isEmpty());
        }
    }

    @Test
    void aWriteThatFailsCommitsNothingAndLeavesNoBlob() throws Exception {
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository repository = node(store, dir.resolve("s3"));
            repository.createIfAbsent(BUCKET);
            repository.putObject("b", "k", text("old"), w -> object("k", w));
            List<String> before = blobFiles();
            long revision = store.revision();
            InputStream broken = new InputStream() {
                private int served;

                @Override
                public int read() throws IOException {
                    if (served++ > 100_000) {
                        throw new IOException("client went away");
                    }
                    return 'x';
                }
            };
            assertThrows(IOException.class, () -> repository.putObject("b", "k", broken, w -> object("k", w)));
            assertThrows(S3Exception.class, () -> repository.putObject("b", "k", text("refused"), w -> {
                throw S3Exception.invalidRequest("refused after reading");
            }));
            // The bucket is gone by the time the record would commit: the blob written for it goes too.
            S3Exception noBucket = assertThrows(S3Exception.class, () -> repository.putObject("gone", "k", text("x"),
                    w -> object("k", w)));
            assertEquals("NoSuchBucket", noBucket.code());
            assertEquals(before, blobFiles());
            assertEquals(revision, store.revision());
            assertEquals("old", read(repository.open("b", "k").orElseThrow()));
        }
    }

    @Test
    void startRemovesBlobsNoRecordReferences() throws Exception {
        String kept;
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository repository = node(store, dir.resolve("s3"));
            repository.createIfAbsent(BUCKET);
            kept = repository.putObject("b", "k", text("kept"), w -> object("k", w)).objectId();
        }
        // What a crash between a blob's fsync and its commit, or in the middle of a write, leaves behind.
        Files.writeString(dir.resolve("s3/blobs/" + UUID.randomUUID()), "never committed");
        Files.writeString(dir.resolve("s3/blobs/.tmp-" + UUID.randomUUID()), "partial");
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository repository = node(store, dir.resolve("s3"));
            assertEquals(List.of(kept), blobFiles());
            assertEquals("kept", read(repository.open("b", "k").orElseThrow()));
        }
    }

    @Test
    void anObjectWhoseBlobIsMissingIsAClearError() throws Exception {
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository repository = node(store, dir.resolve("s3"));
            repository.createIfAbsent(BUCKET);
            StoredObject stored = repository.putObject("b", "k", text("data"), w -> object("k", w));
            Files.delete(dir.resolve("s3/blobs/" + stored.objectId()));
            S3Exception e = assertThrows(S3Exception.class, () -> repository.open("b", "k"));
            assertEquals("InternalError", e.code());
            assertTrue(e.getMessage().contains("missing from crossrole's data directory"), e.getMessage());
            // Deleting or overwriting it is how a user recovers.
            repository.deleteObject("b", "k");
            assertTrue(repository.open("b", "k").isEmpty());
        }
    }

    @Test
    void aSecondNodeOnTheSameStoreSeesWritesOnItsNextRefresh() throws Exception {
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StateSync syncA = new StateSync(store);
            StoreS3Repository a = new StoreS3Repository(syncA, new BlobFiles(dir.resolve("s3/blobs")));
            syncA.load();
            StateSync syncB = new StateSync(store);
            StoreS3Repository b = new StoreS3Repository(syncB, new BlobFiles(dir.resolve("s3/blobs")));
            syncB.load();
            a.createIfAbsent(BUCKET);
            a.putObject("b", "k", text("from a"), w -> object("k", w));
            MultipartUpload upload = new MultipartUpload("b", "big", "upload1", Instant.EPOCH, "arn:aws:iam::555566667777:root",
                    Map.of(), Map.of(), Map.of(), null, null);
            a.createUpload(upload);
            a.putPart(upload, 1, text("part"), w -> object("1", w));
            assertTrue(b.bucket("b").isEmpty(), "not before B catches up");
            syncB.refresh();
            assertEquals("from a", read(b.open("b", "k").orElseThrow()));
            assertEquals("part", read(b.parts(b.upload("b", "upload1").orElseThrow()).get(1)));
            b.deleteObject("b", "k");
            b.deleteUpload(upload);
            syncA.refresh();
            assertTrue(a.open("b", "k").isEmpty());
            assertTrue(a.upload("b", "upload1").isEmpty());
            assertEquals(List.of(), blobFiles());
        }
    }

    @Test
    void completingAnUploadIsOneCommitThatDropsItsParts() throws Exception {
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository repository = node(store, dir.resolve("s3"));
            repository.createIfAbsent(BUCKET);
            MultipartUpload upload = new MultipartUpload("b", "whole", "upload1", Instant.EPOCH,
                    "arn:aws:iam::555566667777:root", Map.of(), Map.of(), Map.of(), null, null);
            repository.createUpload(upload);
            repository.putPart(upload, 1, text("first "), w -> object("1", w));
            repository.putPart(upload, 2, text("second"), w -> object("2", w));
            List<ObjectWriter.Range> ranges = new java.util.ArrayList<>();
            repository.parts(upload).values().forEach(p -> ranges.add(new ObjectWriter.Range(p, 0, p.object().size())));
            long revision = store.revision();
            StoredObject whole = repository.completeUpload(upload, ranges, w -> object("whole", w));
            assertEquals(revision + 1, store.revision(), "one transaction");
            assertEquals("first second", read(repository.open("b", "whole").orElseThrow()));
            assertTrue(repository.upload("b", "upload1").isEmpty());
            assertTrue(store.scan(StoreS3Repository.PARTS).isEmpty());
            assertEquals(List.of(whole.objectId()), blobFiles());
            // Completing it again finds no upload and leaves no blob.
            S3Exception gone = assertThrows(S3Exception.class, () -> repository.completeUpload(upload, List.of(),
                    w -> object("whole", w)));
            assertEquals("NoSuchUpload", gone.code());
            assertEquals(List.of(whole.objectId()), blobFiles());
        }
    }

    @Test
    void aBucketPolicyAcceptedBeforeALaterRuleIsReadBackWhole() throws Exception {
        // Allow with NotPrincipal: accepted by an earlier crossrole, refused by PutBucketPolicy now. Read back,
        // the policy is kept whole (its Deny included) rather than dropped.
        String text = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"NotPrincipal\":{\"AWS\":"
                + "\"111122223333\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\"},{\"Effect\":\"Deny\","
                + "\"Principal\":\"*\",\"Action\":\"s3:DeleteObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}";
        Bucket stored = new Bucket("b", "555566667777", "us-east-1", Instant.EPOCH, text, null);
        Bucket read = StoreS3Repository.bucketFrom(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                StoreS3Repository.bucketJson(stored)));
        assertEquals(text, read.policyText());
        assertTrue(read.policy() != null, "the stored policy was dropped");
        assertEquals(2, read.policy().statementCount());
    }

    /** A body that, when first read, lets another writer commit an object under the same key. */
    private static InputStream racing(String text, StoreS3Repository repository, String key) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
            boolean raced;

            @Override
            public synchronized int read(byte[] b, int off, int len) {
                if (!raced) {
                    raced = true;
                    try {
                        repository.putObject("b", key, text("concurrent"), w -> object(key, w));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                return super.read(b, off, len);
            }
        };
    }

    @Test
    void aConditionalWriteIsCheckedInTheTransactionThatCommitsIt() throws Exception {
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository repository = node(store, dir.resolve("s3"));
            repository.createIfAbsent(BUCKET);
            StoredObject first = repository.putObject("b", "k", text("first"), w -> object("k", w));
            // If-Match held when the write began; another write committed while its body streamed: 409, and the
            // other write stays.
            S3Exception conflict = assertThrows(S3Exception.class, () -> repository.putObject("b", "k",
                    racing("mine", repository, "k"), w -> object("k", w), new WriteCondition(first.etag(), false)));
            assertEquals("ConditionalRequestConflict", conflict.code());
            assertEquals(409, conflict.httpStatus());
            assertEquals("concurrent", read(repository.open("b", "k").orElseThrow()));
            // If-None-Match: the first write to finish wins, the other is 412.
            S3Exception lost = assertThrows(S3Exception.class, () -> repository.putObject("b", "fresh",
                    racing("mine", repository, "fresh"), w -> object("fresh", w), new WriteCondition(null, true)));
            assertEquals("PreconditionFailed", lost.code());
            assertEquals("concurrent", read(repository.open("b", "fresh").orElseThrow()));
            // The losing writes left no blob.
            assertEquals(2, blobFiles().size());
            // A conditional delete is decided in its own transaction.
            StoredObject current = repository.objects("b").get("k");
            assertEquals("PreconditionFailed", assertThrows(S3Exception.class, () -> repository.deleteObject("b", "k",
                    new WriteCondition(first.etag(), false))).code());
            repository.deleteObject("b", "k", new WriteCondition(current.etag(), false));
            assertTrue(repository.open("b", "k").isEmpty());
        }
    }

    @Test
    void bucketTagsAndPartBoundariesSurviveAReopen() throws Exception {
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository repository = node(store, dir.resolve("s3"));
            repository.createIfAbsent(BUCKET);
            repository.updateBucket("b", bucket -> bucket.withTags(new java.util.LinkedHashMap<>(Map.of("team", "blue"))));
            repository.updateBucket("b", bucket -> bucket.withPolicy("{}", null));
            repository.putObject("b", "mp", text("0123456789"), w -> new StoredObject("mp", UUID.randomUUID().toString(),
                    w.size(), "\"x-2\"", Instant.EPOCH, Map.of(), Map.of(), Map.of(), Map.of(), 2,
                    List.of(new StoredObject.Part(1, 6), new StoredObject.Part(3, 4))));
        }
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository reopened = node(store, dir.resolve("s3"));
            Bucket bucket = reopened.bucket("b").orElseThrow();
            assertEquals(Map.of("team", "blue"), bucket.tags(), "a policy put after the tags kept them");
            assertEquals("{}", bucket.policyText());
            assertEquals(List.of(new StoredObject.Part(1, 6), new StoredObject.Part(3, 4)),
                    reopened.objects("b").get("mp").parts());
            // a record written before tags and parts were recorded reads as none
            assertEquals(Map.of(), StoreS3Repository.bucketFrom(new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree("{\"name\":\"old\",\"owner\":\"1\",\"region\":\"us-east-1\","
                            + "\"created\":\"2026-01-01T00:00:00Z\"}")).tags());
        }
    }

    @Test
    void aBucketsDefaultEncryptionAndAnUploadsKmsKeyAreKeptWithTheirRecords() throws Exception {
        String key = "arn:aws:kms:us-east-1:555566667777:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository repository = node(store, dir.resolve("s3"));
            repository.createIfAbsent(BUCKET);
            repository.updateBucket("b", b -> b.withEncryption(new BucketEncryption("aws:kms", "alias/team", true)));
            repository.updateBucket("b", b -> b.withTags(Map.of("team", "blue")));
            repository.createUpload(new MultipartUpload("b", "sealed", "upload1", Instant.EPOCH,
                    "arn:aws:iam::555566667777:root", Map.of(), Map.of(), Map.of(), null, null, key, true));
        }
        try (Store store = Stores.embedded(dir.resolve("store"))) {
            StoreS3Repository reopened = node(store, dir.resolve("s3"));
            Bucket bucket = reopened.bucket("b").orElseThrow();
            assertEquals(new BucketEncryption("aws:kms", "alias/team", true), bucket.encryption(),
                    "tags put after the encryption kept it");
            MultipartUpload upload = reopened.upload("b", "upload1").orElseThrow();
            assertEquals(key, upload.kmsKeyArn());
            assertTrue(upload.bucketKey());
            reopened.updateBucket("b", b -> b.withEncryption(null));
            assertEquals(BucketEncryption.SSE_S3, reopened.bucket("b").orElseThrow().defaultEncryption());
            // records written before encryption was recorded read as S3's default and SSE-S3 uploads
            Bucket old = StoreS3Repository.bucketFrom(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    "{\"name\":\"old\",\"owner\":\"1\",\"region\":\"us-east-1\","
                            + "\"created\":\"2026-01-01T00:00:00Z\"}"));
            assertEquals(null, old.encryption());
            assertEquals(BucketEncryption.SSE_S3, old.defaultEncryption());
        }
    }

    @Test
    void objectOwnersAclsAndBucketConfigurationsAreKeptWithTheirRecords() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        String writer = S3Support.canonicalId("111122223333");
        StoredObject object = new StoredObject("k", "id", 1, "\"e\"", Instant.EPOCH, Map.of(), Map.of(), Map.of(),
                Map.of(), 0).withAcl("111122223333", List.of(AclGrant.user(writer, "FULL_CONTROL"),
                AclGrant.group(AclGrant.ALL_USERS, "READ")));
        StoredObject read = StoreS3Repository.fromJson(json.readTree(StoreS3Repository.objectJson(object)));
        assertEquals("111122223333", read.owner());
        assertEquals(object.acl(), read.acl());
        // records written before objects had ACLs of their own: the bucket owner's, with its grant alone
        StoredObject plain = StoreS3Repository.fromJson(json.readTree(StoreS3Repository.objectJson(object
                .withAcl(null, List.of()))));
        assertEquals(null, plain.owner());
        assertEquals(List.of(), plain.acl());

        Map<String, Object> website = new java.util.LinkedHashMap<>();
        website.put("IndexDocument", Map.of("Suffix", "index.html"));
        website.put("RoutingRules", List.of(Map.of("Redirect", Map.of("HttpRedirectCode", "301"))));
        Bucket bucket = new Bucket("b", "555566667777", "us-east-1", Instant.EPOCH, null, null)
                .withWebsite(new BucketConfigs.Document(website))
                .withNotification(new BucketConfigs.Document(Map.of("EventBridgeConfiguration", Map.of())))
                .withLogging(new BucketConfigs.Document(Map.of("TargetBucket", "logs", "TargetPrefix", "p/")));
        Bucket back = StoreS3Repository.bucketFrom(json.readTree(StoreS3Repository.bucketJson(bucket.withTags(
                Map.of("k", "v")))));
        assertEquals(website, back.website().members());
        assertEquals(Map.of("EventBridgeConfiguration", Map.of()), back.notification().members());
        assertEquals("logs", back.logging().members().get("TargetBucket"));
        assertEquals(null, StoreS3Repository.bucketFrom(json.readTree(StoreS3Repository.bucketJson(
                new Bucket("b", "555566667777", "us-east-1", Instant.EPOCH, null, null)))).website());
    }
}
