package dev.crossrole.server.s3;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A multipart upload in progress: where the object will go and the metadata it will get.
 *
 * @param checksumAlgorithm the flexible checksum every part carries, or {@code null}
 * @param checksumType {@code COMPOSITE} (a checksum of the parts' checksums, "-N") or {@code FULL_OBJECT}
 *     (the checksum of the whole object); {@code null} without an algorithm
 * @param kmsKeyArn the KMS key of an SSE-KMS upload, chosen when it was created (its request or the bucket's default
 *     encryption then); its parts and the completed object are under it. {@code null} for SSE-S3
 * @param bucketKey whether the SSE-KMS upload uses an S3 Bucket Key
 * @param lock the Object Lock retention and legal hold the upload's request asked for, which the object it completes
 *     into gets; {@code null} when it asked for none (the bucket's default retention then applies at completion)
 * @param customerKey the seal of an SSE-C upload's key (every part must be sent with that key); {@code null}
 *     otherwise
 * @param owner the account that will own the object, when not the bucket owner ({@link StoredObject#owner})
 * @param acl the object's grants from the upload's ACL headers; empty for its owner's alone
 */
public record MultipartUpload(String bucket, String key, String uploadId, Instant initiated, String initiatorArn,
                              Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> tags,
                              String checksumAlgorithm, String checksumType, String kmsKeyArn, boolean bucketKey,
                              ObjectLock lock, CustomerKey.Sealed customerKey, String owner,
                              List<AclGrant> acl) {

    public MultipartUpload {
        acl = acl == null ? List.of() : List.copyOf(acl);
    }

    /** An upload without Object Lock settings of its own, not SSE-C, whose object gets the bucket owner's ACL. */
    public MultipartUpload(String bucket, String key, String uploadId, Instant initiated, String initiatorArn,
                           Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> tags,
                           String checksumAlgorithm, String checksumType, String kmsKeyArn, boolean bucketKey) {
        this(bucket, key, uploadId, initiated, initiatorArn, headers, userMetadata, tags, checksumAlgorithm,
                checksumType, kmsKeyArn, bucketKey, null, null, null, List.of());
    }

    /** An SSE-S3 upload. */
    public MultipartUpload(String bucket, String key, String uploadId, Instant initiated, String initiatorArn,
                           Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> tags,
                           String checksumAlgorithm, String checksumType) {
        this(bucket, key, uploadId, initiated, initiatorArn, headers, userMetadata, tags, checksumAlgorithm,
                checksumType, null, false);
    }
}
