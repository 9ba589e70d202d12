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

    /** Deletes an empty bucket; false when it still holds objects. */
    boolean deleteBucket(String name) throws IOException;

    /** The bucket's objects by key (a live, sorted view). */
    NavigableMap<String, StoredObject> objects(String bucket);

    Optional<ObjectSource> open(String bucket, String key);

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

    default void deleteObject(String bucket, String key) throws IOException {
        deleteObject(bucket, key, WriteCondition.NONE);
    }

    /** Deletes the object if {@code condition} holds for it in the deleting transaction. */
    void deleteObject(String bucket, String key, WriteCondition condition) throws IOException;

    StoredObject putTags(String bucket, StoredObject object, java.util.Map<String, String> tags) throws IOException;

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
