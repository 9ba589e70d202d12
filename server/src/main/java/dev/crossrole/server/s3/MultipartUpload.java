package dev.crossrole.server.s3;

import java.time.Instant;
import java.util.Map;

/** A multipart upload in progress: where the object will go and the metadata it will get. */
public record MultipartUpload(String bucket, String key, String uploadId, Instant initiated, String initiatorArn,
                              Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> tags,
                              String checksumAlgorithm) {}
