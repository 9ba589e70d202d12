/**
 * SigV4 (header and presigned forms), credential lookup, clock skew, session-token sealing; and the
 * S3 payload side of authentication: {@code aws-chunked} bodies with signed chunks and trailers
 * ({@link dev.crossrole.server.auth.AwsChunkedInputStream}), payload hashes, Content-MD5 and
 * flexible checksums ({@link dev.crossrole.server.auth.VerifyingInputStream},
 * {@link dev.crossrole.server.payload.ChecksumAlgorithm}), and S3's wording of authentication errors
 * ({@link dev.crossrole.server.auth.S3AuthErrors}).
 */
package dev.crossrole.server.auth;
