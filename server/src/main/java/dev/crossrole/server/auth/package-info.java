/**
 * Authentication: SigV4 in its header and presigned forms ({@link dev.crossrole.server.auth.SigV4}), and the
 * {@link dev.crossrole.server.auth.Authenticator} that finds the key's secret, checks the clock skew and opens
 * session tokens into a {@code service.Caller}. The S3 payload side: {@code aws-chunked} bodies with signed chunks
 * and trailers ({@link dev.crossrole.server.auth.AwsChunkedInputStream}), payload hashes, Content-MD5 and flexible
 * checksums checked while the body streams ({@link dev.crossrole.server.auth.VerifyingInputStream}), and S3's
 * wording of authentication and payload errors ({@link dev.crossrole.server.auth.S3AuthErrors}).
 */
package dev.crossrole.server.auth;
