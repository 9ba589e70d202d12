/**
 * Amazon S3 over REST-XML: buckets (global names), objects streamed to and from the data directory,
 * multipart uploads, tagging, default encryption and SSE-KMS ({@code ObjectEncryption}: the KMS permissions asked
 * through S3), and bucket policies enforced with the policy engine. {@link
 * dev.crossrole.server.s3.S3Service} is the surface the pipeline calls; storage sits behind {@link
 * dev.crossrole.server.s3.S3Repository}: {@code StoreS3Repository} keeps the metadata as store records
 * (a {@code Replica}) and the bytes in a {@link dev.crossrole.server.s3.BlobStore}: files
 * ({@code BlobFiles}) or, on a PostgreSQL store, chunk rows of its database ({@code PostgresBlobs});
 * {@link dev.crossrole.server.s3.S3StateFiles} carries
 * object bytes through {@code state export|import}.
 */
package dev.crossrole.server.s3;
