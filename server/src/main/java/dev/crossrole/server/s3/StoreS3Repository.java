package dev.crossrole.server.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.payload.ChecksumAlgorithm;
import dev.crossrole.server.store.Replica;
import dev.crossrole.server.store.StateSync;
import dev.crossrole.server.store.StoredRecord;
import dev.crossrole.server.store.Transaction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiFunction;
import java.util.logging.Logger;

/**
 * S3 metadata as store records, cached in memory as a {@link Replica} (so a bucket or object written through
 * one node is seen by every node sharing the store on its next request), object and part bytes as
 * a {@link BlobStore}. Every change is one {@link StateSync#write}: the bytes are durable under a fresh blob
 * before the record naming them commits, and the blob a commit stopped referencing is deleted after it.
 *
 * <p>Records (JSON): {@code s3.buckets/<bucket>}, {@code s3.objects/<bucket>/<key>} (the current object's
 * metadata; its blob is named by its {@code objectId}), {@code s3.versions/<bucket>/<key>/<versionId>} (the other
 * versions of a versioned bucket's keys, and delete markers; {@code null} for the null version),
 * {@code s3.uploads/<bucket>/<uploadId>}, {@code s3.parts/<bucket>/<uploadId>/<partNumber>} and
 * {@code s3.completed/<bucket>/<uploadId>} (what a completed upload answered, for a retried completion). Bucket names
 * hold no slash, nor do upload ids and version ids.
 *
 * <p>The current object of a key is kept apart from its older versions, so that reading or overwriting it costs
 * the same however many versions the key has, and an unversioned bucket costs what it did before versions existed.
 */
final class StoreS3Repository implements S3Repository, Replica {
    private static final Logger LOG = Logger.getLogger(StoreS3Repository.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The bucket's CORS and lifecycle rules and Object Lock settings (a bucket's, a version's) as their records,
     * written as they are (instants in ISO-8601, nothing for an absent member): what a newer crossrole reads back
     * without a migration as long as members are only added.
     */
    private static final ObjectMapper CONFIGURATION_JSON = new ObjectMapper()
            .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule()
                    .addSerializer(Instant.class, new com.fasterxml.jackson.databind.ser.std.ToStringSerializer())
                    .addDeserializer(Instant.class, new com.fasterxml.jackson.databind.JsonDeserializer<>() {
                        @Override
                        public Instant deserialize(com.fasterxml.jackson.core.JsonParser parser,
                                                   com.fasterxml.jackson.databind.DeserializationContext context)
                                throws IOException {
                            return Instant.parse(parser.getValueAsString());
                        }
                    }));
    static final String BUCKETS = "s3.buckets";
    static final String OBJECTS = "s3.objects";
    static final String UPLOADS = "s3.uploads";
    static final String PARTS = "s3.parts";
    static final String COMPLETED = "s3.completed";
    static final String VERSIONS = "s3.versions";
    /** Each account's Block Public Access configuration (S3 Control), by account id. */
    static final String ACCOUNT_BLOCKS = "s3.account-public-access-blocks";

    private final StateSync sync;
    private final BlobStore blobs;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, PublicAccessBlock> accountBlocks = new ConcurrentHashMap<>();
    private final Map<String, NavigableMap<String, StoredObject>> objects = new ConcurrentHashMap<>();
    /** Each key's versions other than its current object, newest first (immutable lists); absent when none. */
    private final Map<String, NavigableMap<String, List<StoredObject>>> versions = new ConcurrentHashMap<>();
    /** By {@code <bucket>/<uploadId>}. */
    private final Map<String, MultipartUpload> uploads = new ConcurrentHashMap<>();
    /** By {@code <bucket>/<uploadId>}. */
    private final Map<String, NavigableMap<Integer, StoredObject>> parts = new ConcurrentHashMap<>();
    /** Completed uploads' answers, by {@code <bucket>/<uploadId>}. */
    private final Map<String, CompletedUpload> completed = new ConcurrentHashMap<>();
    /** The records the current thread's write changed, to put back if it fails. */
    private final ThreadLocal<List<String[]>> touched = ThreadLocal.withInitial(ArrayList::new);

    /** Registers with {@code sync}; call {@link #start} once the store is loaded. */
    StoreS3Repository(StateSync sync, BlobStore blobs) {
        this.sync = sync;
        this.blobs = blobs;
        sync.register(this);
    }

    /** Deletes blobs no record references that were last modified before {@code orphanCutoff}. */
    void start(Instant orphanCutoff) throws IOException {
        Set<String> referenced = new HashSet<>();
        objects.values().forEach(byKey -> byKey.values().forEach(o -> referenced.add(o.objectId())));
        versions.values().forEach(byKey -> byKey.values().forEach(list -> list.forEach(v -> {
            if (!v.deleteMarker()) {
                referenced.add(v.objectId());
            }
        })));
        parts.values().forEach(byNumber -> byNumber.values().forEach(p -> referenced.add(p.objectId())));
        int removed = blobs.sweep(referenced, orphanCutoff);
        if (removed > 0) {
            LOG.info("S3: removed " + removed + " blobs no object or part references (writes a crash interrupted)");
        }
    }

    // ---- buckets ------------------------------------------------------------------------------

    @Override
    public Optional<Bucket> bucket(String name) {
        Bucket bucket = buckets.get(name);
        return bucket == null ? Optional.empty() : Optional.of(withAccountBlock(bucket));
    }

    @Override
    public List<Bucket> buckets() {
        List<Bucket> all = new ArrayList<>();
        buckets.values().forEach(bucket -> all.add(withAccountBlock(bucket)));
        all.sort(Comparator.comparing(Bucket::name));
        return all;
    }

    private Bucket withAccountBlock(Bucket bucket) {
        return accountBlocks.isEmpty() ? bucket
                : bucket.withAccountPublicAccessBlock(accountBlocks.get(bucket.owner()));
    }

    @Override
    public Optional<PublicAccessBlock> accountPublicAccessBlock(String account) {
        return Optional.ofNullable(accountBlocks.get(account));
    }

    @Override
    public void putAccountPublicAccessBlock(String account, PublicAccessBlock block) {
        write(tx -> {
            if (block == null) {
                delete(tx, ACCOUNT_BLOCKS, account);
            } else {
                put(tx, ACCOUNT_BLOCKS, account, bytes((ObjectNode) CONFIGURATION_JSON.valueToTree(block)));
            }
            return null;
        });
    }

    @Override
    public Optional<Bucket> createIfAbsent(Bucket bucket) {
        return write(tx -> {
            Bucket existing = buckets.get(bucket.name());
            if (existing != null) {
                return Optional.of(existing);
            }
            put(tx, BUCKETS, bucket.name(), bucketJson(bucket));
            return Optional.empty();
        });
    }

    @Override
    public void putBucket(Bucket bucket) {
        write(tx -> {
            if (!buckets.containsKey(bucket.name())) {
                throw S3Exception.noSuchBucket(bucket.name());
            }
            put(tx, BUCKETS, bucket.name(), bucketJson(bucket));
            return null;
        });
    }

    @Override
    public Bucket updateBucket(String name, java.util.function.UnaryOperator<Bucket> change) {
        return write(tx -> {
            Bucket current = buckets.get(name);
            if (current == null) {
                throw S3Exception.noSuchBucket(name);
            }
            Bucket changed = change.apply(current);
            put(tx, BUCKETS, name, bucketJson(changed));
            return withAccountBlock(changed);
        });
    }

    @Override
    public boolean deleteBucket(String name) throws IOException {
        List<String> unreferenced = new ArrayList<>();
        boolean deleted = write(tx -> {
            NavigableMap<String, StoredObject> held = objects.get(name);
            NavigableMap<String, List<StoredObject>> older = versions.get(name);
            if (held != null && !held.isEmpty() || older != null && !older.isEmpty()) {
                return false;
            }
            for (MultipartUpload upload : uploads(name)) {
                unreferenced.addAll(dropUpload(tx, upload));
            }
            for (CompletedUpload done : List.copyOf(completed.values())) {
                if (done.bucket().equals(name)) {
                    delete(tx, COMPLETED, name + "/" + done.uploadId());
                }
            }
            delete(tx, BUCKETS, name);
            return true;
        });
        deleteBlobs(unreferenced);
        return deleted;
    }

    // ---- objects ------------------------------------------------------------------------------

    @Override
    public NavigableMap<String, StoredObject> objects(String bucket) {
        NavigableMap<String, StoredObject> held = objects.get(bucket);
        return held == null ? new ConcurrentSkipListMap<>() : held;
    }

    @Override
    public NavigableMap<String, List<StoredObject>> versions(String bucket) {
        NavigableMap<String, List<StoredObject>> held = versions.get(bucket);
        return held == null ? new ConcurrentSkipListMap<>() : held;
    }

    @Override
    public Optional<StoredObject> version(String bucket, String key, String versionId) {
        StoredObject current = objects(bucket).get(key);
        if (current != null && java.util.Objects.equals(current.versionId(), versionId)) {
            return Optional.of(current);
        }
        List<StoredObject> older = versions(bucket).get(key);
        if (older != null) {
            for (StoredObject version : older) {
                if (java.util.Objects.equals(version.versionId(), versionId)) {
                    return Optional.of(version);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public ObjectSource source(StoredObject version) {
        if (version.deleteMarker()) {
            throw new IllegalArgumentException("a delete marker has no bytes");
        }
        return new BlobSource(version);
    }

    @Override
    public Optional<ObjectSource> open(String bucket, String key) {
        StoredObject object = objects(bucket).get(key);
        // A blob is deleted only after the commit that replaced its object: if it is gone, look again.
        for (int attempt = 0; object != null && !blobs.exists(object.objectId()) && attempt < 3; attempt++) {
            StoredObject again = objects(bucket).get(key);
            if (again != null && again.objectId().equals(object.objectId())) {
                throw missingBlob(bucket, key, object);
            }
            object = again;
        }
        return object == null ? Optional.empty() : Optional.of(new BlobSource(object));
    }

    /** A committed object whose bytes are gone: only a damaged data directory (files deleted by hand) gets here. */
    private S3Exception missingBlob(String bucket, String key, StoredObject object) {
        LOG.severe("S3: object " + bucket + "/" + key + " has no bytes: blob " + object.objectId()
                + " is missing from " + blobs.describe());
        return new S3Exception("InternalError", 500, "The bytes of this object are missing from crossrole's data "
                + "directory (blob " + object.objectId() + "); delete the object or put it again.");
    }

    @Override
    public StoredObject putObject(String bucket, String key, InputStream body, ObjectWriter.Finisher finish,
                                  WriteCondition condition) throws IOException {
        StoredObject stored = writeBlob(channel -> ObjectWriter.copy(body, channel, algorithmOf(finish)), finish);
        return commitObject(bucket, key, stored, condition);
    }

    @Override
    public StoredObject putConcatenation(String bucket, String key, List<ObjectWriter.Range> sources,
                                         ObjectWriter.Finisher finish, WriteCondition condition) throws IOException {
        StoredObject stored = writeBlob(channel -> ObjectWriter.concatenate(sources, channel, algorithmOf(finish)), finish);
        return commitObject(bucket, key, stored, condition);
    }

    private StoredObject commitObject(String bucket, String key, StoredObject stored, WriteCondition condition)
            throws IOException {
        Added added = commitOrDropBlob(stored, tx -> {
            Bucket held = buckets.get(bucket);
            if (held == null) {
                throw S3Exception.noSuchBucket(bucket);
            }
            StoredObject previous = objects(bucket).get(key);
            condition.check(key, previous, true);
            return addVersion(tx, held, key, stored);
        });
        deleteBlobs(added.unreferenced());
        return added.version();
    }

    /** A version as committed, and the blobs of the versions it replaced for good. */
    private record Added(StoredObject version, List<String> unreferenced) {}

    /**
     * Makes {@code written} (an object or a delete marker) the latest version of its key, as the bucket's versioning
     * says. A never-versioned bucket keeps one version, the null one, which the write replaces. A versioned bucket
     * keeps the current object as a noncurrent version and gives the new one a fresh id. A suspended bucket keeps the
     * others too but writes the null version, so the null version there was (current or not) goes.
     */
    private Added addVersion(Transaction tx, Bucket bucket, String key, StoredObject written) {
        String name = bucket.name();
        StoredObject current = objects(name).get(key);
        List<String> unreferenced = new ArrayList<>();
        if (bucket.versioning() == null) {
            if (current != null) {
                unreferenced.add(current.objectId());
            }
            StoredObject version = written.withVersion(null, 0);
            put(tx, OBJECTS, name + "/" + key, objectJson(version));
            return new Added(version, unreferenced);
        }
        List<StoredObject> older = versions(name).get(key);
        long newest = Math.max(current == null ? 0 : current.sequence(),
                older == null || older.isEmpty() ? 0 : older.get(0).sequence());
        String id = bucket.versioned() ? VersionIds.create(written.lastModified().toEpochMilli()) : null;
        StoredObject version = written.withVersion(id, newest + 1);
        if (id == null && older != null) {
            for (StoredObject replaced : older) {
                if (replaced.versionId() == null) {
                    delete(tx, VERSIONS, versionKey(name, replaced));
                    if (!replaced.deleteMarker()) {
                        unreferenced.add(replaced.objectId());
                    }
                }
            }
        }
        if (current != null) {
            if (id == null && current.versionId() == null) {
                unreferenced.add(current.objectId());
            } else {
                put(tx, VERSIONS, versionKey(name, current), objectJson(current));
            }
        }
        if (version.deleteMarker()) {
            put(tx, VERSIONS, versionKey(name, version), objectJson(version));
            if (current != null) {
                delete(tx, OBJECTS, name + "/" + key);
            }
        } else {
            put(tx, OBJECTS, name + "/" + key, objectJson(version));
        }
        return new Added(version, unreferenced);
    }

    private static String versionKey(String bucket, StoredObject version) {
        return bucket + "/" + version.key() + "/" + version.wireVersionId();
    }

    @Override
    public StoredObject deleteObject(String bucket, String key, WriteCondition condition, Instant at)
            throws IOException {
        Added done = write(tx -> {
            StoredObject previous = objects(bucket).get(key);
            condition.check(key, previous, false);
            Bucket held = buckets.get(bucket);
            if (held == null || held.versioning() == null) {
                if (previous == null) {
                    return new Added(null, List.of());
                }
                delete(tx, OBJECTS, bucket + "/" + key);
                return new Added(null, List.of(previous.objectId()));
            }
            // S3 adds a delete marker whether or not the key has an object.
            return addVersion(tx, held, key, StoredObject.deleteMarker(key, null, 0, at));
        });
        deleteBlobs(done.unreferenced());
        return done.version();
    }

    @Override
    public Optional<StoredObject> deleteVersion(String bucket, String key, String versionId,
                                                WriteCondition condition,
                                                java.util.function.Consumer<StoredObject> guard) throws IOException {
        StoredObject removed = write(tx -> {
            StoredObject current = objects(bucket).get(key);
            if (current != null && java.util.Objects.equals(current.versionId(), versionId)) {
                condition.check(key, current, false);
                guard.accept(current);
                promoteOrDelete(tx, bucket, key);
                return current;
            }
            List<StoredObject> older = versions(bucket).get(key);
            StoredObject found = null;
            if (older != null) {
                for (StoredObject version : older) {
                    if (java.util.Objects.equals(version.versionId(), versionId)) {
                        found = version;
                    }
                }
            }
            condition.check(key, found, false);
            if (found == null) {
                return null;
            }
            guard.accept(found);
            boolean latest = current == null && older.get(0) == found;
            delete(tx, VERSIONS, versionKey(bucket, found));
            if (latest) {
                promoteOrDelete(tx, bucket, key);
            }
            return found;
        });
        if (removed != null && !removed.deleteMarker()) {
            deleteBlobs(List.of(removed.objectId()));
        }
        return Optional.ofNullable(removed);
    }

    /**
     * After the latest version of a key went: the newest remaining version becomes the current object if it is one
     * (written before it leaves the older versions, so a reader never finds the key missing); otherwise (a delete
     * marker, or none left) the key has no current object.
     */
    private void promoteOrDelete(Transaction tx, String bucket, String key) {
        StoredObject current = objects(bucket).get(key);
        List<StoredObject> older = versions(bucket).get(key);
        StoredObject next = older == null || older.isEmpty() ? null : older.get(0);
        if (next != null && !next.deleteMarker()) {
            put(tx, OBJECTS, bucket + "/" + key, objectJson(next));
            delete(tx, VERSIONS, versionKey(bucket, next));
        } else if (current != null) {
            delete(tx, OBJECTS, bucket + "/" + key);
        }
    }

    @Override
    public StoredObject putTags(String bucket, StoredObject object, Map<String, String> tags) {
        return updateVersion(bucket, object, version -> version.withTags(tags));
    }

    @Override
    public StoredObject putAcl(String bucket, StoredObject object, String owner, List<AclGrant> acl) {
        return updateVersion(bucket, object, version -> version.withAcl(owner, acl));
    }

    @Override
    public StoredObject updateVersion(String bucket, StoredObject object,
                                      java.util.function.UnaryOperator<StoredObject> change) {
        return write(tx -> {
            StoredObject current = objects(bucket).get(object.key());
            if (current != null && current.objectId().equals(object.objectId())) {
                StoredObject changed = change.apply(current);
                put(tx, OBJECTS, bucket + "/" + object.key(), objectJson(changed));
                return changed;
            }
            List<StoredObject> older = versions(bucket).get(object.key());
            if (older != null) {
                for (StoredObject version : older) {
                    if (!version.deleteMarker() && version.objectId().equals(object.objectId())) {
                        StoredObject changed = change.apply(version);
                        put(tx, VERSIONS, versionKey(bucket, version), objectJson(changed));
                        return changed;
                    }
                }
            }
            // Replaced for good or deleted meanwhile: its successor keeps its own tags, lock and ACL.
            return object.versionId() == null && current != null && current.versionId() == null ? current : null;
        });
    }

    // ---- multipart uploads --------------------------------------------------------------------

    @Override
    public void createUpload(MultipartUpload upload) {
        write(tx -> {
            if (!buckets.containsKey(upload.bucket())) {
                throw S3Exception.noSuchBucket(upload.bucket());
            }
            put(tx, UPLOADS, upload.bucket() + "/" + upload.uploadId(), uploadJson(upload));
            return null;
        });
    }

    @Override
    public Optional<MultipartUpload> upload(String bucket, String uploadId) {
        return Optional.ofNullable(uploads.get(bucket + "/" + uploadId));
    }

    @Override
    public List<MultipartUpload> uploads(String bucket) {
        List<MultipartUpload> out = new ArrayList<>();
        for (MultipartUpload upload : uploads.values()) {
            if (upload.bucket().equals(bucket)) {
                out.add(upload);
            }
        }
        return out;
    }

    @Override
    public StoredObject putPart(MultipartUpload upload, int partNumber, InputStream body, ObjectWriter.Finisher finish)
            throws IOException {
        StoredObject part = writeBlob(channel -> ObjectWriter.copy(body, channel, algorithmOf(finish)), finish);
        return commitPart(upload, partNumber, part);
    }

    @Override
    public StoredObject putPartCopy(MultipartUpload upload, int partNumber, ObjectWriter.Range source,
                                    ObjectWriter.Finisher finish) throws IOException {
        StoredObject part = writeBlob(channel -> ObjectWriter.concatenate(List.of(source), channel,
                algorithmOf(finish)), finish);
        return commitPart(upload, partNumber, part);
    }

    private StoredObject commitPart(MultipartUpload upload, int partNumber, StoredObject part) throws IOException {
        String uploadKey = upload.bucket() + "/" + upload.uploadId();
        StoredObject replaced = commitOrDropBlob(part, tx -> {
            if (!uploads.containsKey(uploadKey)) {
                throw S3Exception.noSuchUpload(upload.uploadId());
            }
            NavigableMap<Integer, StoredObject> held = parts.get(uploadKey);
            StoredObject previous = held == null ? null : held.get(partNumber);
            put(tx, PARTS, uploadKey + "/" + partNumber, objectJson(part));
            return previous;
        });
        if (replaced != null) {
            deleteBlobs(List.of(replaced.objectId()));
        }
        return part;
    }

    @Override
    public NavigableMap<Integer, ObjectSource> parts(MultipartUpload upload) {
        NavigableMap<Integer, ObjectSource> out = new TreeMap<>();
        NavigableMap<Integer, StoredObject> held = parts.get(upload.bucket() + "/" + upload.uploadId());
        if (held != null) {
            held.forEach((number, part) -> out.put(number, new BlobSource(part)));
        }
        return out;
    }

    @Override
    public void deleteUpload(MultipartUpload upload) throws IOException {
        deleteBlobs(write(tx -> dropUpload(tx, upload)));
    }

    /** The object, the upload's end and its parts' deletion commit together: a crash leaves all or none. */
    @Override
    public StoredObject completeUpload(MultipartUpload upload, List<ObjectWriter.Range> sources,
                                       ObjectWriter.Finisher finish, WriteCondition condition) throws IOException {
        StoredObject stored = writeBlob(channel -> ObjectWriter.concatenate(sources, channel, algorithmOf(finish)), finish);
        Added unreferenced = commitOrDropBlob(stored, tx -> {
            if (!buckets.containsKey(upload.bucket())) {
                throw S3Exception.noSuchBucket(upload.bucket());
            }
            if (!uploads.containsKey(upload.bucket() + "/" + upload.uploadId())) {
                // Aborted or completed through another request meanwhile.
                throw S3Exception.noSuchUpload(upload.uploadId());
            }
            StoredObject previous = objects(upload.bucket()).get(upload.key());
            condition.check(upload.key(), previous, true);
            Added added = addVersion(tx, buckets.get(upload.bucket()), upload.key(), stored);
            List<String> dropped = new ArrayList<>(added.unreferenced());
            dropped.addAll(dropUpload(tx, upload));
            for (CompletedUpload done : List.copyOf(completed.values())) {
                if (done.bucket().equals(upload.bucket()) && !done.answers(stored.lastModified())) {
                    delete(tx, COMPLETED, done.bucket() + "/" + done.uploadId());
                }
            }
            put(tx, COMPLETED, upload.bucket() + "/" + upload.uploadId(), completedJson(new CompletedUpload(
                    upload.bucket(), upload.uploadId(), upload.key(), stored.lastModified(), stored.etag(),
                    stored.checksums(), upload.checksumType(), stored.kmsKeyArn(), stored.bucketKey(),
                    added.version().versionId())));
            return new Added(added.version(), dropped);
        });
        deleteBlobs(unreferenced.unreferenced());
        return unreferenced.version();
    }

    @Override
    public Optional<CompletedUpload> completed(String bucket, String uploadId) {
        return Optional.ofNullable(completed.get(bucket + "/" + uploadId));
    }

    /** Deletes an upload's record and its parts'; returns the parts' blobs. */
    private List<String> dropUpload(Transaction tx, MultipartUpload upload) {
        String uploadKey = upload.bucket() + "/" + upload.uploadId();
        List<String> unreferenced = new ArrayList<>();
        NavigableMap<Integer, StoredObject> held = parts.get(uploadKey);
        if (held != null) {
            for (Map.Entry<Integer, StoredObject> part : new ArrayList<>(held.entrySet())) {
                delete(tx, PARTS, uploadKey + "/" + part.getKey());
                unreferenced.add(part.getValue().objectId());
            }
        }
        delete(tx, UPLOADS, uploadKey);
        return unreferenced;
    }

    /** One store transaction; the records it changed are remembered until it ends, to put back if it fails. */
    private <T, E extends Exception> T write(dev.crossrole.server.store.Store.Work<T, E> work) throws E {
        try {
            return sync.write(tx -> {
                touched.get().clear();
                return work.run(tx);
            });
        } finally {
            touched.get().clear();
        }
    }

    // ---- blobs --------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Body {
        ObjectWriter.Written writeTo(java.nio.channels.WritableByteChannel channel) throws IOException;
    }

    /** Streams the bytes into a new blob and makes it durable under the id of the object the finisher built. */
    private StoredObject writeBlob(Body body, ObjectWriter.Finisher finish) throws IOException {
        try (BlobStore.Pending pending = blobs.create()) {
            java.nio.channels.WritableByteChannel channel = finish instanceof ObjectWriter.Encrypting encrypting
                    ? encrypting.wrap(pending.channel()) : pending.channel();
            StoredObject stored = finish.finish(body.writeTo(channel));
            pending.publish(stored.objectId());
            return stored;
        }
    }

    /** Commits the record of a blob just written; if the commit does not happen, the blob goes. */
    private <T> T commitOrDropBlob(StoredObject written, dev.crossrole.server.store.Store.Work<T, RuntimeException> work)
            throws IOException {
        boolean committed = false;
        try {
            T out = write(work);
            committed = true;
            return out;
        } finally {
            if (!committed) {
                blobs.delete(written.objectId());
            }
        }
    }

    private void deleteBlobs(List<String> ids) throws IOException {
        for (String id : ids) {
            if (id != null) {
                blobs.delete(id);
            }
        }
    }

    private static ChecksumAlgorithm algorithmOf(ObjectWriter.Finisher finish) {
        return finish instanceof ObjectWriter.WithChecksum withChecksum ? withChecksum.algorithm() : null;
    }

    /** Reads an object's or part's bytes from its blob. */
    private final class BlobSource implements ObjectSource {
        private final StoredObject object;

        BlobSource(StoredObject object) {
            this.object = object;
        }

        @Override
        public StoredObject object() {
            return object;
        }

        @Override
        public void copyRange(long offset, long length, OutputStream out) throws IOException {
            blobs.copyRange(object.objectId(), offset, length, out);
        }
    }

    // ---- the replica --------------------------------------------------------------------------

    private void put(Transaction tx, String namespace, String key, byte[] value) {
        tx.put(namespace, key, value);
        touched.get().add(new String[] {namespace, key});
        apply(new StoredRecord(namespace, key, value, 0, 0));
    }

    private void delete(Transaction tx, String namespace, String key) {
        tx.delete(namespace, key);
        touched.get().add(new String[] {namespace, key});
        apply(new StoredRecord(namespace, key, null, 0, 0));
    }

    @Override
    public boolean owns(String namespace) {
        return namespace.startsWith("s3.");
    }

    @Override
    public void apply(StoredRecord record) {
        String key = record.key();
        JsonNode node = record.live() ? readJson(record.value()) : null;
        switch (record.namespace()) {
            case BUCKETS -> {
                if (node == null) {
                    buckets.remove(key);
                    objects.remove(key);
                    versions.remove(key);
                } else {
                    buckets.put(key, bucketFrom(node));
                    objects.computeIfAbsent(key, b -> new ConcurrentSkipListMap<>());
                }
            }
            case OBJECTS -> {
                int slash = key.indexOf('/');
                String bucket = key.substring(0, slash);
                String objectKey = key.substring(slash + 1);
                if (node == null) {
                    NavigableMap<String, StoredObject> held = objects.get(bucket);
                    if (held != null) {
                        held.remove(objectKey);
                    }
                } else {
                    objects.computeIfAbsent(bucket, b -> new ConcurrentSkipListMap<>())
                            .put(objectKey, fromJson(node));
                }
            }
            case VERSIONS -> {
                int slash = key.indexOf('/');
                int last = key.lastIndexOf('/');
                String objectKey = key.substring(slash + 1, last);
                String versionId = key.substring(last + 1);
                StoredObject version = node == null ? null : fromJson(node);
                versions.computeIfAbsent(key.substring(0, slash), b -> new ConcurrentSkipListMap<>())
                        .compute(objectKey, (k, held) -> withVersion(held, versionId, version));
            }
            case UPLOADS -> {
                if (node == null) {
                    uploads.remove(key);
                    parts.remove(key);
                } else {
                    uploads.put(key, uploadFrom(node));
                }
            }
            case PARTS -> {
                int slash = key.lastIndexOf('/');
                String uploadKey = key.substring(0, slash);
                int number = Integer.parseInt(key.substring(slash + 1));
                if (node == null) {
                    NavigableMap<Integer, StoredObject> held = parts.get(uploadKey);
                    if (held != null) {
                        held.remove(number);
                    }
                } else {
                    parts.computeIfAbsent(uploadKey, u -> new ConcurrentSkipListMap<>())
                            .put(number, fromJson(node));
                }
            }
            case COMPLETED -> {
                if (node == null) {
                    completed.remove(key);
                } else {
                    completed.put(key, completedFrom(node));
                }
            }
            case ACCOUNT_BLOCKS -> {
                if (node == null) {
                    accountBlocks.remove(key);
                } else {
                    PublicAccessBlock block = configuration(node, PublicAccessBlock.class, key);
                    if (block != null) {
                        accountBlocks.put(key, block);
                    }
                }
            }
            default -> LOG.warning("S3: ignoring a record of an unknown namespace: " + record);
        }
    }

    /** A key's versions with the one named {@code versionId} replaced by {@code version} (or removed), newest first. */
    private static List<StoredObject> withVersion(List<StoredObject> held, String versionId, StoredObject version) {
        List<StoredObject> changed = new ArrayList<>();
        if (held != null) {
            for (StoredObject other : held) {
                if (!other.wireVersionId().equals(versionId)) {
                    changed.add(other);
                }
            }
        }
        if (version != null) {
            changed.add(version);
        }
        if (changed.isEmpty()) {
            return null;
        }
        changed.sort(Comparator.comparingLong(StoredObject::sequence).reversed());
        return List.copyOf(changed);
    }

    @Override
    public boolean hasPendingChanges() {
        return false;
    }

    @Override
    public void flush(Transaction transaction) {
        // Every change went into its transaction as it was made.
    }

    @Override
    public void discard(BiFunction<String, String, Optional<StoredRecord>> committed) {
        List<String[]> changed = touched.get();
        for (String[] key : changed) {
            apply(committed.apply(key[0], key[1]).orElse(new StoredRecord(key[0], key[1], null, 0, 0)));
        }
        changed.clear();
    }

    // ---- records ------------------------------------------------------------------------------

    private static JsonNode readJson(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bucketJson(Bucket bucket) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", bucket.name());
        node.put("owner", bucket.owner());
        node.put("region", bucket.region());
        node.put("created", bucket.created().toString());
        if (bucket.policyText() != null) {
            node.put("policy", bucket.policyText());
        }
        if (!bucket.tags().isEmpty()) {
            // an object keeps the order the tags were put in; records written before tags existed have none
            node.set("tags", JSON.valueToTree(bucket.tags()));
        }
        if (bucket.encryption() != null) {
            // records of buckets that never had a configuration put have none: S3's default, SSE-S3
            ObjectNode encryption = node.putObject("encryption");
            encryption.put("algorithm", bucket.encryption().algorithm());
            if (bucket.encryption().kmsKeyId() != null) {
                encryption.put("kmsKeyId", bucket.encryption().kmsKeyId());
            }
            encryption.put("bucketKey", bucket.encryption().bucketKey());
        }
        if (bucket.versioning() != null) {
            // buckets that never had versioning have none
            node.put("versioning", bucket.versioning());
        }
        // records written before ownership controls existed have none: S3's default, BucketOwnerEnforced
        node.put("ownership", bucket.ownership());
        if (!bucket.acl().equals(AclGrant.ownerOnly(bucket.owner()))) {
            ArrayNode grants = node.putArray("acl");
            for (AclGrant grant : bucket.acl()) {
                ObjectNode entry = grants.addObject().put("type", grant.type()).put("permission", grant.permission());
                if (grant.id() != null) {
                    entry.put("id", grant.id());
                }
                if (grant.uri() != null) {
                    entry.put("uri", grant.uri());
                }
            }
        }
        PublicAccessBlock block = bucket.publicAccessBlock();
        if (block != null) {
            node.putObject("publicAccessBlock").put("blockPublicAcls", block.blockPublicAcls())
                    .put("ignorePublicAcls", block.ignorePublicAcls())
                    .put("blockPublicPolicy", block.blockPublicPolicy())
                    .put("restrictPublicBuckets", block.restrictPublicBuckets());
        }
        if (bucket.cors() != null) {
            node.set("cors", CONFIGURATION_JSON.valueToTree(bucket.cors()));
        }
        if (bucket.lifecycle() != null) {
            node.set("lifecycle", CONFIGURATION_JSON.valueToTree(bucket.lifecycle()));
        }
        if (bucket.objectLock() != null) {
            node.set("objectLock", CONFIGURATION_JSON.valueToTree(bucket.objectLock()));
        }
        if (bucket.logging() != null) {
            node.set("logging", CONFIGURATION_JSON.valueToTree(bucket.logging()));
        }
        if (bucket.website() != null) {
            node.set("website", CONFIGURATION_JSON.valueToTree(bucket.website()));
        }
        if (bucket.notification() != null) {
            node.set("notification", CONFIGURATION_JSON.valueToTree(bucket.notification()));
        }
        return bytes(node);
    }

    static Bucket bucketFrom(JsonNode node) {
        String name = node.path("name").asText();
        String policyText = node.path("policy").isTextual() ? node.path("policy").asText() : null;
        Policy policy = null;
        if (policyText != null) {
            try {
                policy = Policies.parseStored(policyText, PolicyKind.RESOURCE, "bucket policy");
            } catch (InvalidPolicyException e) {
                LOG.warning("bucket " + name + ": stored policy no longer parses; ignored");
            }
        }
        JsonNode encryption = node.path("encryption");
        BucketEncryption configuration = encryption.isObject() ? new BucketEncryption(
                encryption.path("algorithm").asText(), encryption.hasNonNull("kmsKeyId")
                        ? encryption.get("kmsKeyId").asText() : null, encryption.path("bucketKey").asBoolean(false))
                : null;
        List<AclGrant> acl = new ArrayList<>();
        for (JsonNode grant : node.path("acl")) {
            acl.add(new AclGrant(grant.path("type").asText(), grant.hasNonNull("id") ? grant.get("id").asText() : null,
                    grant.hasNonNull("uri") ? grant.get("uri").asText() : null, grant.path("permission").asText()));
        }
        JsonNode block = node.path("publicAccessBlock");
        PublicAccessBlock publicAccessBlock = block.isObject() ? new PublicAccessBlock(
                block.path("blockPublicAcls").asBoolean(), block.path("ignorePublicAcls").asBoolean(),
                block.path("blockPublicPolicy").asBoolean(), block.path("restrictPublicBuckets").asBoolean()) : null;
        String ownership = !node.has("ownership") ? Bucket.OWNER_ENFORCED
                : node.get("ownership").isNull() ? null : node.get("ownership").asText();
        return new Bucket(name, node.path("owner").asText(), node.path("region").asText(),
                Instant.parse(node.path("created").asText()), policyText, policy, strings(node.path("tags")),
                configuration, node.hasNonNull("versioning") ? node.get("versioning").asText() : null, ownership, acl,
                publicAccessBlock, configuration(node.path("cors"), BucketCors.class, name),
                configuration(node.path("lifecycle"), BucketLifecycle.class, name),
                configuration(node.path("objectLock"), BucketObjectLock.class, name),
                configuration(node.path("logging"), BucketConfigs.Document.class, name),
                configuration(node.path("website"), BucketConfigs.Document.class, name),
                configuration(node.path("notification"), BucketConfigs.Document.class, name));
    }

    /**
     * A bucket's stored configuration record (CORS, lifecycle, Object Lock), or an account's Block Public Access
     * configuration; {@code null} when there is none.
     */
    private static <T> T configuration(JsonNode node, Class<T> type, String owner) {
        if (!node.isObject()) {
            return null;
        }
        try {
            return CONFIGURATION_JSON.treeToValue(node, type);
        } catch (IOException e) {
            throw new UncheckedIOException(owner + ": stored " + type.getSimpleName() + " unreadable", e);
        }
    }

    static byte[] objectJson(StoredObject object) {
        return bytes(toJson(object));
    }

    static byte[] uploadJson(MultipartUpload upload) {
        ObjectNode node = JSON.createObjectNode();
        node.put("bucket", upload.bucket());
        node.put("key", upload.key());
        node.put("uploadId", upload.uploadId());
        node.put("initiated", upload.initiated().toString());
        node.put("initiatorArn", upload.initiatorArn());
        node.set("headers", JSON.valueToTree(upload.headers()));
        node.set("userMetadata", JSON.valueToTree(upload.userMetadata()));
        node.set("tags", JSON.valueToTree(upload.tags()));
        if (upload.checksumAlgorithm() != null) {
            node.put("checksumAlgorithm", upload.checksumAlgorithm());
            node.put("checksumType", upload.checksumType());
        }
        if (upload.kmsKeyArn() != null) {
            node.put("kmsKeyArn", upload.kmsKeyArn());
            node.put("bucketKey", upload.bucketKey());
        }
        if (upload.lock() != null) {
            node.set("lock", CONFIGURATION_JSON.valueToTree(upload.lock()));
        }
        if (upload.customerKey() != null) {
            node.set("customerKey", customerKeyJson(upload.customerKey()));
        }
        if (upload.owner() != null) {
            node.put("owner", upload.owner());
        }
        if (!upload.acl().isEmpty()) {
            node.set("acl", grantsJson(upload.acl()));
        }
        return bytes(node);
    }

    static MultipartUpload uploadFrom(JsonNode node) {
        return new MultipartUpload(node.path("bucket").asText(), node.path("key").asText(),
                node.path("uploadId").asText(), Instant.parse(node.path("initiated").asText()),
                node.path("initiatorArn").asText(), strings(node.path("headers")),
                strings(node.path("userMetadata")), strings(node.path("tags")),
                node.path("checksumAlgorithm").isTextual() ? node.path("checksumAlgorithm").asText() : null,
                node.path("checksumType").isTextual() ? node.path("checksumType").asText() : null,
                node.hasNonNull("kmsKeyArn") ? node.get("kmsKeyArn").asText() : null,
                node.path("bucketKey").asBoolean(false),
                configuration(node.path("lock"), ObjectLock.class, node.path("bucket").asText()),
                customerKeyFrom(node.get("customerKey")),
                node.hasNonNull("owner") ? node.get("owner").asText() : null, grantsFrom(node.path("acl")));
    }

    static byte[] completedJson(CompletedUpload done) {
        ObjectNode node = JSON.createObjectNode();
        node.put("bucket", done.bucket());
        node.put("uploadId", done.uploadId());
        node.put("key", done.key());
        node.put("completed", done.completed().toString());
        node.put("etag", done.etag());
        node.set("checksums", JSON.valueToTree(done.checksums()));
        if (done.checksumType() != null) {
            node.put("checksumType", done.checksumType());
        }
        if (done.kmsKeyArn() != null) {
            node.put("kmsKeyArn", done.kmsKeyArn());
            node.put("bucketKey", done.bucketKey());
        }
        if (done.versionId() != null) {
            node.put("versionId", done.versionId());
        }
        return bytes(node);
    }

    static CompletedUpload completedFrom(JsonNode node) {
        return new CompletedUpload(node.path("bucket").asText(), node.path("uploadId").asText(),
                node.path("key").asText(), Instant.parse(node.path("completed").asText()), node.path("etag").asText(),
                strings(node.path("checksums")),
                node.hasNonNull("checksumType") ? node.get("checksumType").asText() : null,
                node.hasNonNull("kmsKeyArn") ? node.get("kmsKeyArn").asText() : null,
                node.path("bucketKey").asBoolean(false),
                node.hasNonNull("versionId") ? node.get("versionId").asText() : null);
    }

    // ---- object metadata as JSON ---------------------------------------------------------------

    static ObjectNode toJson(StoredObject object) {
        ObjectNode node = JSON.createObjectNode();
        node.put("key", object.key());
        if (object.objectId() != null) {
            node.put("objectId", object.objectId());
        }
        node.put("size", object.size());
        node.put("etag", object.etag());
        node.put("lastModified", object.lastModified().toString());
        node.set("headers", JSON.valueToTree(object.headers()));
        node.set("userMetadata", JSON.valueToTree(object.userMetadata()));
        node.set("checksums", JSON.valueToTree(object.checksums()));
        node.set("tags", JSON.valueToTree(object.tags()));
        node.put("partCount", object.partCount());
        if (!object.parts().isEmpty()) {
            var parts = node.putArray("parts");
            object.parts().forEach(p -> {
                ObjectNode part = parts.addObject().put("number", p.number()).put("size", p.size());
                if (p.checksum() != null) {
                    part.put("checksum", p.checksum());
                }
            });
        }
        if (object.kmsKeyArn() != null) {
            node.put("kmsKeyArn", object.kmsKeyArn());
            node.put("bucketKey", object.bucketKey());
        }
        // records of never-versioned buckets (and those written before versions existed) have none of these
        if (object.versionId() != null) {
            node.put("versionId", object.versionId());
        }
        if (object.sequence() != 0) {
            node.put("sequence", object.sequence());
        }
        if (object.deleteMarker()) {
            node.put("deleteMarker", true);
        }
        if (object.lock() != null) {
            node.set("lock", CONFIGURATION_JSON.valueToTree(object.lock()));
        }
        if (object.customerKey() != null) {
            node.set("customerKey", customerKeyJson(object.customerKey()));
        }
        // objects owned by the bucket owner with its grant alone (and records written before object ACLs) have none
        if (object.owner() != null) {
            node.put("owner", object.owner());
        }
        if (!object.acl().isEmpty()) {
            node.set("acl", grantsJson(object.acl()));
        }
        return node;
    }

    static ArrayNode grantsJson(List<AclGrant> acl) {
        ArrayNode grants = JSON.createArrayNode();
        for (AclGrant grant : acl) {
            ObjectNode entry = grants.addObject().put("type", grant.type()).put("permission", grant.permission());
            if (grant.id() != null) {
                entry.put("id", grant.id());
            }
            if (grant.uri() != null) {
                entry.put("uri", grant.uri());
            }
        }
        return grants;
    }

    static List<AclGrant> grantsFrom(JsonNode node) {
        List<AclGrant> acl = new ArrayList<>();
        for (JsonNode grant : node) {
            acl.add(new AclGrant(grant.path("type").asText(), grant.hasNonNull("id") ? grant.get("id").asText() : null,
                    grant.hasNonNull("uri") ? grant.get("uri").asText() : null, grant.path("permission").asText()));
        }
        return acl;
    }

    static StoredObject fromJson(JsonNode node) {
        return new StoredObject(node.path("key").asText(), node.hasNonNull("objectId") ? node.get("objectId").asText()
                : null, node.path("size").asLong(),
                node.path("etag").asText(), Instant.parse(node.path("lastModified").asText()), strings(node.path("headers")),
                strings(node.path("userMetadata")), strings(node.path("checksums")), strings(node.path("tags")),
                node.path("partCount").asInt(), partsFrom(node.path("parts")),
                node.hasNonNull("kmsKeyArn") ? node.get("kmsKeyArn").asText() : null,
                node.path("bucketKey").asBoolean(false), node.hasNonNull("versionId")
                        ? node.get("versionId").asText() : null, node.path("sequence").asLong(0),
                node.path("deleteMarker").asBoolean(false), configuration(node.path("lock"), ObjectLock.class,
                        node.path("key").asText()), customerKeyFrom(node.get("customerKey")),
                node.hasNonNull("owner") ? node.get("owner").asText() : null, grantsFrom(node.path("acl")));
    }

    /** An SSE-C seal: the key's MD5, salt and HMAC, and the segments' counters (never the key). */
    static ObjectNode customerKeyJson(CustomerKey.Sealed sealed) {
        ObjectNode node = JSON.createObjectNode().put("keyMd5", sealed.keyMd5()).put("salt", sealed.salt())
                .put("hmac", sealed.hmac());
        sealed.nonces().forEach(node.putArray("nonces")::add);
        return node;
    }

    static CustomerKey.Sealed customerKeyFrom(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        List<String> nonces = new ArrayList<>();
        node.path("nonces").forEach(n -> nonces.add(n.asText()));
        return new CustomerKey.Sealed(node.path("keyMd5").asText(), node.path("salt").asText(),
                node.path("hmac").asText(), nonces);
    }

    private static List<StoredObject.Part> partsFrom(JsonNode node) {
        List<StoredObject.Part> parts = new ArrayList<>();
        node.forEach(p -> parts.add(new StoredObject.Part(p.path("number").asInt(), p.path("size").asLong(),
                p.hasNonNull("checksum") ? p.get("checksum").asText() : null)));
        return parts;
    }

    static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
