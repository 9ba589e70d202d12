package dev.crossrole.server.s3;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What a CompleteMultipartUpload answered, kept so that a retry of it is answered the same: S3 treats a repeated
 * completion of an upload it already completed as the same request (a client whose connection failed after S3
 * committed retries it), not as an upload that does not exist.
 *
 * <p>S3 does not document how long it remembers a completed upload. crossrole remembers it for {@link #RETAINED}
 * after completion, whatever becomes of the object meanwhile (the answer describes the completion, not the key's
 * current object); then, and once its bucket is deleted, a retry is {@code NoSuchUpload} again.
 *
 * @param key the key the upload completed into
 * @param completed when it completed (the object's Last-Modified)
 * @param etag the completed object's ETag
 * @param checksums its flexible checksum, by header name, as CompleteMultipartUpload answered it
 * @param checksumType {@code COMPOSITE} or {@code FULL_OBJECT}; {@code null} without a checksum
 * @param kmsKeyArn the KMS key of an SSE-KMS upload, else {@code null}
 * @param bucketKey whether it used an S3 Bucket Key
 */
public record CompletedUpload(String bucket, String uploadId, String key, Instant completed, String etag,
                              Map<String, String> checksums, String checksumType, String kmsKeyArn,
                              boolean bucketKey, String versionId) {
    /** How long a completion answers its retries. */
    static final Duration RETAINED = Duration.ofHours(24);

    public CompletedUpload {
        checksums = Map.copyOf(checksums);
    }

    /** Whether a retry at {@code now} is still answered by this completion. */
    boolean answers(Instant now) {
        return now.isBefore(completed.plus(RETAINED));
    }
}
