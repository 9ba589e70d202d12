package dev.crossrole.server.auth;

import dev.crossrole.server.protocol.AwsException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * S3's wording of authentication failures (aws-wire.md §2.6, S3 column): code, status, message and
 * the extra members of S3's {@code <Error>} document. The S3 service renders the XML.
 *
 * <p>Texts are S3's as clients display them: {@code SignatureDoesNotMatch} says "Check your key and
 * signing method." and lists {@code AWSAccessKeyId}, {@code StringToSign}, {@code SignatureProvided},
 * {@code StringToSignBytes}, {@code CanonicalRequest}, {@code CanonicalRequestBytes};
 * {@code RequestTimeTooSkewed} gives {@code RequestTime}, {@code ServerTime},
 * {@code MaxAllowedSkewMilliseconds}; an expired presigned URL is {@code AccessDenied}
 * "Request has expired" with {@code X-Amz-Expires}, {@code Expires}, {@code ServerTime}.
 */
public final class S3AuthErrors {
    static final String MALFORMED_PREFIX = "The authorization header is malformed; ";
    static final String CONTENT_SHA256_VALUES = "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
            + "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
            + "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, "
            + "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.";

    private S3AuthErrors() {}

    /** One S3 error: what goes into {@code <Code>}, the status line, {@code <Message>} and the members after it. */
    public record S3Error(String code, int status, String message, Map<String, String> members) {
        public S3Error {
            members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }
    }

    /**
     * S3's answer for an authentication failure. Any other {@link AwsException} (there should be
     * none from {@link Authenticator}) keeps its code, status and message.
     */
    public static S3Error of(AwsException e) {
        if (!(e instanceof AuthenticationException a)) {
            return new S3Error(e.code(), e.httpStatus(), e.getMessage(), Map.of());
        }
        Map<String, String> d = a.details();
        Map<String, String> m = new LinkedHashMap<>();
        switch (a.reason()) {
            case MISSING_AUTHENTICATION:
                return new S3Error("AccessDenied", 403, "Access Denied", m);
            case MISSING_DATE:
                return new S3Error("AccessDenied", 403, "AWS authentication requires a valid Date or x-amz-date header", m);
            case UNSUPPORTED_ALGORITHM:
                if (a.presigned()) {
                    return new S3Error("AuthorizationQueryParametersError", 400, a.getMessage(), m);
                }
                m.put("ArgumentName", "Authorization");
                m.put("ArgumentValue", d.getOrDefault(AuthenticationException.AUTHORIZATION, ""));
                return new S3Error("InvalidArgument", 400, SigV4.MSG_UNSUPPORTED_AUTHORIZATION_TYPE, m);
            case SIGNATURE_VERSION_2:
                // S3's answer to SigV2 wherever it is turned off (every bucket created since June 2020)
                return new S3Error("InvalidRequest", 400,
                        "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.", m);
            case INCOMPLETE_HEADER:
                return new S3Error("AuthorizationHeaderMalformed", 400, MALFORMED_PREFIX
                        + "the authorization header requires three components: Credential, SignedHeaders, and Signature.",
                        m);
            case MALFORMED_CREDENTIAL:
                return new S3Error("AuthorizationHeaderMalformed", 400, MALFORMED_PREFIX
                        + "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".",
                        m);
            case SCOPE_DATE_MISMATCH:
                return a.presigned()
                        ? new S3Error("AuthorizationQueryParametersError", 400,
                                "Invalid credential date. Date is not the same as X-Amz-Date.", m)
                        : new S3Error("AuthorizationHeaderMalformed", 400,
                                MALFORMED_PREFIX + "Invalid credential date. Date is not the same as X-Amz-Date.", m);
            case MALFORMED_PRESIGNED_QUERY:
                return new S3Error("AuthorizationQueryParametersError", 400, a.getMessage(), m);
            case CLOCK_SKEW:
                m.put("RequestTime", d.getOrDefault(AuthenticationException.REQUEST_TIME, ""));
                m.put("ServerTime", d.getOrDefault(AuthenticationException.SERVER_TIME, ""));
                m.put("MaxAllowedSkewMilliseconds", Long.toString(Authenticator.MAX_SKEW.toMillis()));
                return new S3Error("RequestTimeTooSkewed", 403,
                        "The difference between the request time and the current time is too large.", m);
            case PRESIGN_EXPIRED:
                m.put("X-Amz-Expires", d.getOrDefault(AuthenticationException.EXPIRES_SECONDS, ""));
                m.put("Expires", d.getOrDefault(AuthenticationException.EXPIRES_AT, ""));
                m.put("ServerTime", d.getOrDefault(AuthenticationException.SERVER_TIME, ""));
                return new S3Error("AccessDenied", 403, "Request has expired", m);
            case PRESIGN_NOT_YET_VALID:
                return new S3Error("AccessDenied", 403, "Request is not valid yet", m);
            case UNKNOWN_ACCESS_KEY:
                m.put("AWSAccessKeyId", d.getOrDefault(AuthenticationException.ACCESS_KEY_ID, ""));
                return new S3Error("InvalidAccessKeyId", 403,
                        "The AWS Access Key Id you provided does not exist in our records.", m);
            case INVALID_SESSION_TOKEN:
                m.put("Token-0", d.getOrDefault(AuthenticationException.SESSION_TOKEN, ""));
                return new S3Error("InvalidToken", 400, "The provided token is malformed or otherwise invalid.", m);
            case EXPIRED_SESSION_TOKEN:
                m.put("Token-0", d.getOrDefault(AuthenticationException.SESSION_TOKEN, ""));
                return new S3Error("ExpiredToken", 400, "The provided token has expired.", m);
            case SIGNATURE_MISMATCH: {
                String stringToSign = d.getOrDefault(AuthenticationException.STRING_TO_SIGN, "");
                String canonical = d.getOrDefault(AuthenticationException.CANONICAL_REQUEST, "");
                m.put("AWSAccessKeyId", d.getOrDefault(AuthenticationException.ACCESS_KEY_ID, ""));
                m.put("StringToSign", stringToSign);
                m.put("SignatureProvided", d.getOrDefault(AuthenticationException.SIGNATURE_PROVIDED, ""));
                m.put("StringToSignBytes", spacedHex(stringToSign));
                m.put("CanonicalRequest", canonical);
                m.put("CanonicalRequestBytes", spacedHex(canonical));
                return new S3Error("SignatureDoesNotMatch", 403, PayloadErrors.SIGNATURE_MISMATCH_S3, m);
            }
            case MISSING_CONTENT_SHA256:
                return new S3Error("InvalidRequest", 400,
                        "Missing required header for this request: x-amz-content-sha256", m);
            case INVALID_CONTENT_SHA256:
                m.put("ArgumentName", SigV4.HEADER_CONTENT_SHA256);
                m.put("ArgumentValue", d.getOrDefault(AuthenticationException.CONTENT_SHA256, ""));
                return new S3Error("InvalidArgument", 400, CONTENT_SHA256_VALUES, m);
            case MULTIPLE_AUTHORIZATION:
                m.put("ArgumentName", "Authorization");
                m.put("ArgumentValue", d.getOrDefault(AuthenticationException.AUTHORIZATION, ""));
                return new S3Error("InvalidArgument", 400, Authenticator.MSG_ONE_AUTH_MECHANISM, m);
            case REPEATED_HEADER:
                m.put("ArgumentName", d.getOrDefault(AuthenticationException.HEADER_NAME, ""));
                return new S3Error("InvalidArgument", 400, a.getMessage(), m);
            case HEADERS_NOT_SIGNED:
                m.put("HeadersNotSigned", d.getOrDefault(AuthenticationException.HEADERS_NOT_SIGNED, ""));
                return new S3Error("AccessDenied", 403, Authenticator.MSG_HEADERS_NOT_SIGNED, m);
            default:
                throw new IllegalStateException(a.reason().name());
        }
    }

    /**
     * A credential scoped to another region than the bucket's: S3 names both and the region it expects in
     * a {@code Region} member, so that SDKs can retry in the right region.
     *
     * @param presigned whether the request is a presigned URL (the text then speaks of X-Amz-Credential)
     */
    public static S3Error wrongRegion(boolean presigned, String signedRegion, String bucketRegion) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Region", bucketRegion);
        String problem = "the region '" + signedRegion + "' is wrong; expecting '" + bucketRegion + "'";
        return presigned
                ? new S3Error("AuthorizationQueryParametersError", 400,
                        "Error parsing the X-Amz-Credential parameter; " + problem, m)
                : new S3Error("AuthorizationHeaderMalformed", 400, MALFORMED_PREFIX + problem, m);
    }

    /** S3 prints {@code ServerTime} and {@code Expires} as ISO-8601 seconds in UTC: {@code 2013-05-24T00:00:00Z}. */
    static String isoSeconds(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    /** {@code "41 57 53"}: the UTF-8 bytes of {@code s} as two-digit hex, space-separated, as S3 lists them. */
    static String spacedHex(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length * 3);
        for (int i = 0; i < bytes.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(Character.forDigit((bytes[i] >> 4) & 0xF, 16)).append(Character.forDigit(bytes[i] & 0xF, 16));
        }
        return sb.toString();
    }
}
