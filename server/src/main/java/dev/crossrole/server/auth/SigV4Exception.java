package dev.crossrole.server.auth;

/**
 * A SigV4 authentication envelope (Authorization header or presigned query) that cannot be used
 * at all: missing parts, a malformed credential scope, an algorithm we do not speak, bad presign
 * parameters. The message is the AWS text; the {@link Kind} lets the caller pick the AWS error
 * code, which differs per protocol (Query: {@code IncompleteSignature}, JSON:
 * {@code IncompleteSignatureException}, S3: {@code AuthorizationHeaderMalformed} /
 * {@code AuthorizationQueryParametersError}).
 *
 * <p>A signature that parses but does not match is not this exception: {@link SigV4} only computes,
 * the caller compares and raises {@code SignatureDoesNotMatch}.
 */
public final class SigV4Exception extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the envelope was refused. */
    public enum Kind {
        /** Authorization header lacks Credential / SignedHeaders / Signature, or has a part without '='. */
        INCOMPLETE_SIGNATURE,
        /** Credential scope is not {@code <akid>/<yyyyMMdd>/<region>/<service>/aws4_request}. */
        MALFORMED_CREDENTIAL,
        /** Algorithm other than {@code AWS4-HMAC-SHA256} (SigV2, SigV4a, Bearer, ...). */
        UNSUPPORTED_ALGORITHM,
        /** Presigned query: a required X-Amz-* parameter is missing, or X-Amz-Expires / X-Amz-Date is invalid. */
        MALFORMED_QUERY
    }

    private final Kind kind;

    public SigV4Exception(Kind kind, String awsMessage) {
        // no stack trace: these are ordinary client errors on a hot path, not bugs
        super(awsMessage, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
