package dev.crossrole.server.s3;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * Where buckets, objects and multipart uploads live. Writes are all-or-nothing: an object is visible
 * only once its bytes and metadata are durable, and a failed write leaves nothing behind.
 */
interface S3Repository {
    Optional<Bucket> bucket(String name);

    List<Bucket> buckets();

    /** Creates the bucket unless the name is taken; returns the existing bucket when it is. */
    Optional<Bucket> createIfAbsent(Bucket bucket) throws IOException;

    void putBucket(Bucket bucket) throws IOException;

    /** Changes a bucket's record as it is at commit (a policy and a tag set put at once both stay); the result. */
    Bucket updateBucket(String name, java.util.function.UnaryOperator<Bucket> change) throws IOException;

    /** An account's Block Public Access configuration (S3 Control's PutPublicAccessBlock), if it has one. */
    Optional<PublicAccessBlock> accountPublicAccessBlock(String account);

    /** Sets an account's Block Public Access configuration; {@code null} deletes it. */
    void putAccountPublicAccessBlock(String account, PublicAccessBlock block) throws IOException;

    /** Deletes an empty bucket; false when it still holds objects, versions or delete markers. */
    boolean deleteBucket(String name) throws IOException;

    /**
     * The bucket's current objects by key (a live, sorted view): the latest version of each key whose latest version
     * is not a delete marker. A read of the current object never looks at older versions.
     */
    NavigableMap<String, StoredObject> objects(String bucket);

    /**
     * The bucket's other versions by key (a live, sorted view), each key's newest first: noncurrent versions, and
     * delete markers (a key whose latest version is a delete marker has it first here and no current object).
     */
    NavigableMap<String, List<StoredObject>> versions(String bucket);

    Optional<ObjectSource> open(String bucket, String key);

    /** The version {@code versionId} of a key ({@code null}: the null version), an object or a delete marker. */
    Optional<StoredObject> version(String bucket, String key, String versionId);

    /** The bytes of a version found by {@link #version} (not a delete marker). */
    ObjectSource source(StoredObject version);

    /** The delete marker that is the key's latest version, if it is one. */
    default Optional<StoredObject> latestDeleteMarker(String bucket, String key) {
        if (objects(bucket).containsKey(key)) {
            return Optional.empty();
        }
        List<StoredObject> older = versions(bucket).get(key);
        return older == null || older.isEmpty() || !older.get(0).deleteMarker() ? Optional.empty()
                : Optional.of(older.get(0));
    }

    /**
     * Streams {@code body} into a new object; {@code finish} sees the written size and digests and
     * builds the metadata (or throws to reject the write, which then leaves nothing).
     */
    default StoredObject putObject(String bucket, String key, InputStream body, ObjectWriter.Finisher finish)
            throws IOException {
        return putObject(bucket, key, body, finish, WriteCondition.NONE);
    }

    /** As {@link #putObject(String, String, InputStream, ObjectWriter.Finisher)}, committed only if {@code condition} holds then. */
    StoredObject putObject(String bucket, String key, InputStream body, ObjectWriter.Finisher finish,
                           WriteCondition condition) throws IOException;

    /** Writes an object whose bytes are the concatenation of {@code sources}. */
    default StoredObject putConcatenation(String bucket, String key, List<ObjectWriter.Range> sources,
                                          ObjectWriter.Finisher finish) throws IOException {
        return putConcatenation(bucket, key, sources, finish, WriteCondition.NONE);
    }

    /** As above, committed only if {@code condition} holds for the object it replaces (a conditional CopyObject). */
    StoredObject putConcatenation(String bucket, String key, List<ObjectWriter.Range> sources,
                                  ObjectWriter.Finisher finish, WriteCondition condition) throws IOException;

    default StoredObject deleteObject(String bucket, String key) throws IOException {
        return deleteObject(bucket, key, WriteCondition.NONE, java.time.Instant.now());
    }

    default StoredObject deleteObject(String bucket, String key, WriteCondition condition) throws IOException {
        return deleteObject(bucket, key, condition, java.time.Instant.now());
    }

    /**
     * Deletes the key's object if {@code condition} holds for it in the deleting transaction, as the bucket's
     * versioning says: without versioning the object goes; otherwise a delete marker made {@code at} becomes the
     * latest version (the null version in a suspended bucket, replacing the one there was). Returns the delete
     * marker, or {@code null} when none was made.
     */
    StoredObject deleteObject(String bucket, String key, WriteCondition condition, java.time.Instant at)
            throws IOException;

    /**
     * Deletes one version for good (an object's or a delete marker's), if {@code condition} holds for it; when it was
     * the latest, the version before it becomes the latest. Returns what was deleted, empty when there was no such
     * version.
     */
    default Optional<StoredObject> deleteVersion(String bucket, String key, String versionId,
                                                 WriteCondition condition) throws IOException {
        return deleteVersion(bucket, key, versionId, condition, version -> { });
    }

    /**
     * As {@link #deleteVersion(String, String, String, WriteCondition)}; {@code guard} sees the version in the deleting
     * transaction and throws to keep it (Object Lock), which then deletes nothing.
     */
    Optional<StoredObject> deleteVersion(String bucket, String key, String versionId, WriteCondition condition,
                                         java.util.function.Consumer<StoredObject> guard) throws IOException;

    /** Sets the tags of the version {@code object} is; {@code null} when that version is gone. */
    StoredObject putTags(String bucket, StoredObject object, java.util.Map<String, String> tags) throws IOException;

    /**
     * Changes the version {@code object} is, as it is in the changing transaction ({@code change} may throw to change
     * nothing); {@code null} when that version is gone.
     */
    StoredObject updateVersion(String bucket, StoredObject object,
                               java.util.function.UnaryOperator<StoredObject> change) throws IOException;

    /** Sets the owner and grants of the version {@code object} is; {@code null} when that version is gone. */
    StoredObject putAcl(String bucket, StoredObject object, String owner, List<AclGrant> acl) throws IOException;

    // ---- multipart uploads --------------------------------------------------------------------

    void createUpload(MultipartUpload upload) throws IOException;

    Optional<MultipartUpload> upload(String bucket, String uploadId);

    /** The bucket's uploads in progress, in no particular order. */
    List<MultipartUpload> uploads(String bucket) throws IOException;

    StoredObject putPart(MultipartUpload upload, int partNumber, InputStream body, ObjectWriter.Finisher finish)
            throws IOException;

    /** Writes a part whose bytes are a range of an existing object (UploadPartCopy). */
    StoredObject putPartCopy(MultipartUpload upload, int partNumber, ObjectWriter.Range source,
                             ObjectWriter.Finisher finish) throws IOException;

    /** The upload's parts by number. */
    NavigableMap<Integer, ObjectSource> parts(MultipartUpload upload) throws IOException;

    void deleteUpload(MultipartUpload upload) throws IOException;

    /**
     * Writes the object assembled from an upload's parts and ends the upload (CompleteMultipartUpload), in one
     * transaction, if {@code condition} holds for the object it replaces; the same transaction records the
     * completion's answer ({@link #completed}) and forgets the bucket's completions older than it keeps them.
     */
    StoredObject completeUpload(MultipartUpload upload, List<ObjectWriter.Range> parts, ObjectWriter.Finisher finish,
                                WriteCondition condition) throws IOException;

    /**
     * The answer of an upload completed through {@link #completeUpload} (kept for {@link CompletedUpload#RETAINED}),
     * for a retry of its completion.
     */
    Optional<CompletedUpload> completed(String bucket, String uploadId);

    default StoredObject completeUpload(MultipartUpload upload, List<ObjectWriter.Range> parts,
                                        ObjectWriter.Finisher finish) throws IOException {
        return completeUpload(upload, parts, finish, WriteCondition.NONE);
    }
}
