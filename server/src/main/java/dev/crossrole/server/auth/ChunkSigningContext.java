package dev.crossrole.server.auth;

/**
 * What a verified header signature leaves for the chunks of an {@code aws-chunked} body signed
 * with {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]}: each chunk's string to sign uses the
 * same date and scope, the same signing key, and chains on the previous signature, the first one
 * on the seed (the signature of the request's headers).
 *
 * @param signingKey     the derived SigV4 key ({@code kSigning}); not copied, never changed
 * @param amzDate        the request's timestamp as signed, {@code yyyyMMdd'T'HHmmss'Z'}
 * @param scope          {@code <date>/<region>/<service>/aws4_request}
 * @param seedSignature  the lower-hex signature of the Authorization header
 */
public record ChunkSigningContext(byte[] signingKey, String amzDate, String scope, String seedSignature) {

    public ChunkSigningContext {
        if (signingKey == null || amzDate == null || scope == null || seedSignature == null) {
            throw new IllegalArgumentException("every component of a chunk signing context is required");
        }
    }
}
