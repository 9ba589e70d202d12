package dev.crossrole.server.s3;

import java.time.Instant;
import java.util.Map;

/**
 * A multipart upload in progress: where the object will go and the metadata it will get.
 *
 * @param checksumAlgorithm the flexible checksum every part carries, or {@code null}
 * @param checksumType {@code COMPOSITE} (a checksum of the parts' checksums, "-N") or {@code FULL_OBJECT}
 *     (the checksum of the whole object); {@code null} without an algorithm
 */
public record MultipartUpload(String bucket, String key, String uploadId, Instant initiated, String initiatorArn,
                              Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> tags,
                              String checksumAlgorithm, String checksumType) {}
