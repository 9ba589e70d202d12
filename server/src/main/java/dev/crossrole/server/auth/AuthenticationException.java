package dev.crossrole.server.auth;

import dev.crossrole.server.protocol.AwsException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Why {@link Authenticator} refused a request. As an {@link AwsException} it carries the
 * Query-protocol code, status and text (the JSON codec renames the code); S3 words every one of
 * these failures differently, so it also carries the {@link Reason} and the facts S3 puts into its
 * error document, from which {@link S3AuthErrors#of} builds S3's answer.
 */
public final class AuthenticationException extends AwsException {
    private static final long serialVersionUID = 1L;

    /** The failure, independent of protocol. */
    public enum Reason {
        /** No Authorization header and no presigned query: an anonymous request. */
        MISSING_AUTHENTICATION,
        /** The Authorization header lacks Credential, SignedHeaders or Signature, or a part has no '='. */
        INCOMPLETE_HEADER,
        /** No usable X-Amz-Date or Date header. */
        MISSING_DATE,
        /** An Authorization scheme other than AWS4-HMAC-SHA256. */
        UNSUPPORTED_ALGORITHM,
        /**
         * Signature Version 2: an {@code AWS <akid>:<signature>} header, or a query with
         * {@code AWSAccessKeyId} and {@code Signature} (what boto3 presigns with a custom endpoint unless
         * told {@code signature_version="s3v4"}).
         */
        SIGNATURE_VERSION_2,
        /** The Credential of the Authorization header is not {@code akid/date/region/service/aws4_request}. */
        MALFORMED_CREDENTIAL,
        /** The credential scope's date is not the request's date. */
        SCOPE_DATE_MISMATCH,
        /** A presigned query with a missing or invalid X-Amz-* parameter. */
        MALFORMED_PRESIGNED_QUERY,
        /** Header form: signed more than 15 minutes from the server's time. */
        CLOCK_SKEW,
        /** Presigned: X-Amz-Date + X-Amz-Expires has passed. */
        PRESIGN_EXPIRED,
        /** Presigned: X-Amz-Date more than 15 minutes in the future. */
        PRESIGN_NOT_YET_VALID,
        /** The access key is not one crossrole issued (or is inactive), or is temporary and came without its token. */
        UNKNOWN_ACCESS_KEY,
        /** A temporary key with a forged, altered or foreign session token, or a long-term key with a token. */
        INVALID_SESSION_TOKEN,
        /** The temporary credentials have expired. */
        EXPIRED_SESSION_TOKEN,
        /** The signature does not match the one computed with the key's secret. */
        SIGNATURE_MISMATCH,
        /** S3, header form: no x-amz-content-sha256. */
        MISSING_CONTENT_SHA256,
        /** S3, header form: x-amz-content-sha256 is neither a SHA-256 in hex nor one of S3's literals. */
        INVALID_CONTENT_SHA256,
        /**
         * More than one way of authenticating: two Authorization headers, or an Authorization header on a
         * request that also carries a presigned query. Neither is picked over the other.
         */
        MULTIPLE_AUTHORIZATION,
        /** A header the verifier reads as one value (the date, the session token, the target...) came more than once. */
        REPEATED_HEADER,
        /**
         * A header the service acts on is present but not among the signed headers: {@code host} anywhere,
         * {@code X-Amz-Target} for JSON services, every {@code x-amz-*} header for S3.
         */
        HEADERS_NOT_SIGNED
    }

    // keys of details(); S3AuthErrors turns them into S3's member names
    public static final String ACCESS_KEY_ID = "accessKeyId";
    public static final String STRING_TO_SIGN = "stringToSign";
    public static final String CANONICAL_REQUEST = "canonicalRequest";
    public static final String SIGNATURE_PROVIDED = "signatureProvided";
    public static final String REQUEST_TIME = "requestTime";
    public static final String SERVER_TIME = "serverTime";
    public static final String EXPIRES_SECONDS = "expiresSeconds";
    public static final String EXPIRES_AT = "expiresAt";
    public static final String SESSION_TOKEN = "sessionToken";
    public static final String AUTHORIZATION = "authorization";
    public static final String CONTENT_SHA256 = "contentSha256";
    /** The headers present but not signed, lower-case, sorted, joined with {@code ", "}. */
    public static final String HEADERS_NOT_SIGNED = "headersNotSigned";
    /** The name of a header that came more than once. */
    public static final String HEADER_NAME = "headerName";

    private final Reason reason;
    private final boolean presigned;
    private final Map<String, String> details;

    AuthenticationException(Reason reason, boolean presigned, String code, int status, String message,
            Map<String, String> details) {
        super(code, status, message);
        this.reason = reason;
        this.presigned = presigned;
        this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public Reason reason() {
        return reason;
    }

    /** Whether the request used the presigned (query) form rather than the Authorization header. */
    public boolean presigned() {
        return presigned;
    }

    /** Facts about the failure by the constants of this class (e.g. {@link #STRING_TO_SIGN}); may be empty. */
    public Map<String, String> details() {
        return details;
    }
}
