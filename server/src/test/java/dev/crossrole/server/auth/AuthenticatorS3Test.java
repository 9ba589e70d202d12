package dev.crossrole.server.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.iam.Account;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IdGenerator;
import dev.crossrole.server.service.SessionClaims;
import dev.crossrole.server.sts.SessionTokens;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Authenticator on S3 requests, and S3's wording of every way it refuses one. */
class AuthenticatorS3Test {
    static final String ACCOUNT = "111122223333";
    static final String KEY = "AKIAIOSFODNN7EXAMPLE";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final Instant NOW = Instant.parse("2026-08-01T12:00:00Z");
    static final String AMZ_DATE = "20260801T120000Z";
    static final String BODY_SHA = ChunkedBodies.sha256Hex("hello".getBytes());

    private final SecureRandom random = new SecureRandom();
    private final IamDirectory iam = new IamDirectory(Clock.fixed(NOW, ZoneOffset.UTC), new IdGenerator(random));
    private final SessionTokens tokens;

    AuthenticatorS3Test() {
        byte[] serverKey = new byte[32];
        random.nextBytes(serverKey);
        tokens = new SessionTokens(serverKey, random);
        iam.putAccount(new Account(ACCOUNT, "a"));
        iam.putAccessKey(new AccessKey(KEY, SECRET, ACCOUNT, null, true, NOW));
    }

    Authenticator at(Instant now) {
        return new Authenticator(iam, tokens, Clock.fixed(now, ZoneOffset.UTC));
    }

    /** A header-signed S3 PUT; {@code contentSha256} null leaves the header out. */
    static SigV4.HttpRequestParts signedPut(String keyId, String secret, String amzDate, String contentSha256,
            String token) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(new AbstractMap.SimpleEntry<>("Host", "127.0.0.1:4566"));
        headers.add(new AbstractMap.SimpleEntry<>("X-Amz-Date", amzDate));
        List<String> signed = new ArrayList<>(List.of("host"));
        if (contentSha256 != null) {
            headers.add(new AbstractMap.SimpleEntry<>("x-amz-content-sha256", contentSha256));
            signed.add("x-amz-content-sha256");
        }
        signed.add("x-amz-date");
        if (token != null) {
            headers.add(new AbstractMap.SimpleEntry<>("X-Amz-Security-Token", token));
            signed.add("x-amz-security-token");
        }
        SigV4.HttpRequestParts unsigned = new SigV4.HttpRequestParts("PUT", "/bucket/key.txt", null, headers, null);
        String date = amzDate.substring(0, 8);
        String canonical = SigV4.canonicalRequest(unsigned, signed, contentSha256 == null ? "x" : contentSha256, false,
                false);
        String sts = SigV4.stringToSign(amzDate, new SigV4.Credential(keyId, date, "us-east-1", "s3"), canonical);
        String signature = HexFormat.of().formatHex(
                ChunkedBodies.hmac(ChunkedBodies.signingKey(secret, date, "us-east-1", "s3"), sts));
        headers.add(new AbstractMap.SimpleEntry<>("Authorization", "AWS4-HMAC-SHA256 Credential=" + keyId + "/" + date
                + "/us-east-1/s3/aws4_request, SignedHeaders=" + String.join(";", signed) + ", Signature=" + signature));
        return unsigned;
    }

    static SigV4.HttpRequestParts withAuthorization(String authorization, boolean withDate) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(new AbstractMap.SimpleEntry<>("Host", "127.0.0.1:4566"));
        if (withDate) {
            headers.add(new AbstractMap.SimpleEntry<>("X-Amz-Date", AMZ_DATE));
        }
        headers.add(new AbstractMap.SimpleEntry<>("x-amz-content-sha256", SigV4.UNSIGNED_PAYLOAD));
        if (authorization != null) {
            headers.add(new AbstractMap.SimpleEntry<>("Authorization", authorization));
        }
        return new SigV4.HttpRequestParts("GET", "/bucket", null, headers, null);
    }

    S3AuthErrors.S3Error s3Refusal(Instant now, SigV4.HttpRequestParts request, AuthenticationException.Reason reason) {
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> at(now).authenticate(request));
        assertEquals(reason, e.reason());
        return S3AuthErrors.of(e);
    }

    static void assertS3(S3AuthErrors.S3Error error, String code, int status, String message) {
        assertEquals(code, error.code());
        assertEquals(status, error.status());
        assertEquals(message, error.message());
    }

    @Test
    void headerSignedPutLeavesTheChunkSigningContextAndNeverNeedsTheBody() {
        SigV4.HttpRequestParts request = signedPut(KEY, SECRET, AMZ_DATE, BODY_SHA, null);
        Authenticator.Authenticated auth = at(NOW).authenticate(request);
        assertEquals("s3", auth.scope().service());
        ChunkSigningContext ctx = auth.chunkSigning();
        assertNotNull(ctx);
        assertEquals(AMZ_DATE, ctx.amzDate());
        assertEquals("20260801/us-east-1/s3/aws4_request", ctx.scope());
        assertArrayEquals(ChunkedBodies.signingKey(SECRET, "20260801", "us-east-1", "s3"), ctx.signingKey());
        String authorization = request.header("Authorization");
        assertEquals(authorization.substring(authorization.indexOf("Signature=") + 10), ctx.seedSignature());
    }

    @Test
    void theBodyIsLeftToVerifyingInputStream() {
        // a body that does not have the signed hash: the Authenticator does not look at it for S3
        // (non-S3 services still hash the body they are given)
        SigV4.HttpRequestParts signed = signedPut(KEY, SECRET, AMZ_DATE, BODY_SHA, null);
        SigV4.HttpRequestParts withOtherBody = new SigV4.HttpRequestParts(signed.method(), signed.rawPath(), null,
                signed.headers(), "not hello".getBytes());
        assertNotNull(at(NOW).authenticate(withOtherBody));
    }

    @ParameterizedTest
    @ValueSource(strings = {"UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"})
    void everyValueS3AcceptsIsSignedAsSent(String value) {
        assertNotNull(at(NOW).authenticate(signedPut(KEY, SECRET, AMZ_DATE, value, null)).chunkSigning());
    }

    @Test
    void aMissingContentSha256IsS3sInvalidRequest() {
        S3AuthErrors.S3Error e = s3Refusal(NOW, signedPut(KEY, SECRET, AMZ_DATE, null, null),
                AuthenticationException.Reason.MISSING_CONTENT_SHA256);
        assertS3(e, "InvalidRequest", 400, "Missing required header for this request: x-amz-content-sha256");
    }

    @ParameterizedTest
    @ValueSource(strings = {"invalid", "unsigned-payload", "STREAMING-AWS4-HMAC-SHA256-EVENTS", "abc123"})
    void anyOtherContentSha256IsS3sInvalidArgument(String value) {
        S3AuthErrors.S3Error e = s3Refusal(NOW, signedPut(KEY, SECRET, AMZ_DATE, value, null),
                AuthenticationException.Reason.INVALID_CONTENT_SHA256);
        assertS3(e, "InvalidArgument", 400, S3AuthErrors.CONTENT_SHA256_VALUES);
        assertEquals(Map.of("ArgumentName", "x-amz-content-sha256", "ArgumentValue", value), e.members());
    }

    @Test
    void aWrongSecretIsSignatureDoesNotMatchWithWhatS3Computed() {
        S3AuthErrors.S3Error e = s3Refusal(NOW, signedPut(KEY, "not the secret", AMZ_DATE, BODY_SHA, null),
                AuthenticationException.Reason.SIGNATURE_MISMATCH);
        assertS3(e, "SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature"
                + " you provided. Check your key and signing method.");
        assertEquals(List.of("AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes",
                "CanonicalRequest", "CanonicalRequestBytes"), List.copyOf(e.members().keySet()));
        assertEquals(KEY, e.members().get("AWSAccessKeyId"));
        assertTrue(e.members().get("StringToSign").startsWith("AWS4-HMAC-SHA256\n" + AMZ_DATE + "\n"));
        assertTrue(e.members().get("StringToSignBytes").startsWith("41 57 53 34 2d 48 4d 41 43"));
        assertTrue(e.members().get("CanonicalRequest").startsWith("PUT\n/bucket/key.txt\n\nhost:127.0.0.1:4566\n"));
        assertTrue(e.members().get("CanonicalRequest").endsWith("\n" + BODY_SHA));
    }

    @Test
    void anUnknownKeyIsInvalidAccessKeyId() {
        S3AuthErrors.S3Error e = s3Refusal(NOW, signedPut("AKIAUNKNOWNUNKNOWN00", SECRET, AMZ_DATE, BODY_SHA, null),
                AuthenticationException.Reason.UNKNOWN_ACCESS_KEY);
        assertS3(e, "InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.");
        assertEquals(Map.of("AWSAccessKeyId", "AKIAUNKNOWNUNKNOWN00"), e.members());
    }

    @Test
    void theQueryCodesOfOtherServicesAreUnchanged() {
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> at(NOW).authenticate(
                signedPut("AKIAUNKNOWNUNKNOWN00", SECRET, AMZ_DATE, BODY_SHA, null)));
        assertEquals("InvalidClientTokenId", e.code());
        assertEquals(403, e.httpStatus());
        assertEquals("The security token included in the request is invalid.", e.getMessage());
    }

    @Test
    void skewIsRequestTimeTooSkewed() {
        S3AuthErrors.S3Error e = s3Refusal(NOW.plusSeconds(16 * 60), signedPut(KEY, SECRET, AMZ_DATE, BODY_SHA, null),
                AuthenticationException.Reason.CLOCK_SKEW);
        assertS3(e, "RequestTimeTooSkewed", 403,
                "The difference between the request time and the current time is too large.");
        assertEquals(Map.of("RequestTime", AMZ_DATE, "ServerTime", "2026-08-01T12:16:00Z",
                "MaxAllowedSkewMilliseconds", "900000"), e.members());
        e = s3Refusal(NOW.minusSeconds(16 * 60), signedPut(KEY, SECRET, AMZ_DATE, BODY_SHA, null),
                AuthenticationException.Reason.CLOCK_SKEW);
        assertEquals("RequestTimeTooSkewed", e.code());
        // within 15 minutes either way: accepted
        assertNotNull(at(NOW.plusSeconds(14 * 60)).authenticate(signedPut(KEY, SECRET, AMZ_DATE, BODY_SHA, null)));
        assertNotNull(at(NOW.minusSeconds(14 * 60)).authenticate(signedPut(KEY, SECRET, AMZ_DATE, BODY_SHA, null)));
    }

    @Test
    void sessionTokenFailures() {
        long expiration = NOW.getEpochSecond() + 3600;
        String tempKey = "ASIAIOSFODNN7EXAMPLE";
        String tempSecret = "temporary/secret/temporary/secret/aaaaaa";
        String token = tokens.seal(new SessionClaims(SessionClaims.ROLE, tempKey, tempSecret, ACCOUNT, "role", "/",
                "AROAEXAMPLE", "s", null, null, null, List.of(), Map.of(), List.of(), null, false, false,
                NOW.getEpochSecond(), expiration, 0));
        assertNotNull(at(NOW).authenticate(signedPut(tempKey, tempSecret, AMZ_DATE, BODY_SHA, token)));

        S3AuthErrors.S3Error e = s3Refusal(NOW, signedPut(tempKey, tempSecret, AMZ_DATE, BODY_SHA, null),
                AuthenticationException.Reason.UNKNOWN_ACCESS_KEY);
        assertS3(e, "InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.");
        String forged = token.substring(0, 20) + (token.charAt(20) == 'A' ? 'B' : 'A') + token.substring(21);
        e = s3Refusal(NOW, signedPut(tempKey, tempSecret, AMZ_DATE, BODY_SHA, forged),
                AuthenticationException.Reason.INVALID_SESSION_TOKEN);
        assertS3(e, "InvalidToken", 400, "The provided token is malformed or otherwise invalid.");
        assertEquals(Map.of("Token-0", forged), e.members());
        e = s3Refusal(NOW, signedPut(KEY, SECRET, AMZ_DATE, BODY_SHA, token),
                AuthenticationException.Reason.INVALID_SESSION_TOKEN);
        assertEquals("InvalidToken", e.code());

        Instant later = Instant.ofEpochSecond(expiration + 1);
        e = s3Refusal(later, signedPut(tempKey, tempSecret, "20260801T130001Z", BODY_SHA, token),
                AuthenticationException.Reason.EXPIRED_SESSION_TOKEN);
        assertS3(e, "ExpiredToken", 400, "The provided token has expired.");
    }

    @Test
    void malformedAuthorizationHeaders() {
        assertS3(s3Refusal(NOW, withAuthorization(null, true), AuthenticationException.Reason.MISSING_AUTHENTICATION),
                "AccessDenied", 403, "Access Denied");
        String complete = "AWS4-HMAC-SHA256 Credential=" + KEY + "/20260801/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;x-amz-date, Signature=" + "0".repeat(64);
        assertS3(s3Refusal(NOW, withAuthorization(complete, false), AuthenticationException.Reason.MISSING_DATE),
                "AccessDenied", 403, "AWS authentication requires a valid Date or x-amz-date header");
        S3AuthErrors.S3Error e = s3Refusal(NOW, withAuthorization("AWS4-HMAC-SHA256 Credential=" + KEY
                + "/20260801/us-east-1/s3/aws4_request", true), AuthenticationException.Reason.INCOMPLETE_HEADER);
        assertS3(e, "AuthorizationHeaderMalformed", 400, "The authorization header is malformed; the authorization"
                + " header requires three components: Credential, SignedHeaders, and Signature.");
        e = s3Refusal(NOW, withAuthorization("Bearer abc", true), AuthenticationException.Reason.UNSUPPORTED_ALGORITHM);
        assertS3(e, "InvalidArgument", 400, "Unsupported Authorization Type");
        assertEquals(Map.of("ArgumentName", "Authorization", "ArgumentValue", "Bearer abc"), e.members());
        e = s3Refusal(NOW, withAuthorization("AWS " + KEY + ":c2lnbmF0dXJl", true),
                AuthenticationException.Reason.SIGNATURE_VERSION_2);
        assertS3(e, "InvalidRequest", 400,
                "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
        e = s3Refusal(NOW, withAuthorization(complete.replace("/us-east-1/s3/", "/us-east-1/"), true),
                AuthenticationException.Reason.MALFORMED_CREDENTIAL);
        assertS3(e, "AuthorizationHeaderMalformed", 400, "The authorization header is malformed; the Credential is"
                + " mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
        e = s3Refusal(NOW, withAuthorization(complete.replace("/20260801/", "/20260731/"), true),
                AuthenticationException.Reason.SCOPE_DATE_MISMATCH);
        assertS3(e, "AuthorizationHeaderMalformed", 400,
                "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.");
    }

    @Test
    void wrongRegionNamesTheBucketsRegion() {
        S3AuthErrors.S3Error e = S3AuthErrors.wrongRegion(false, "us-east-1", "eu-west-1");
        assertS3(e, "AuthorizationHeaderMalformed", 400,
                "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'");
        assertEquals(Map.of("Region", "eu-west-1"), e.members());
        e = S3AuthErrors.wrongRegion(true, "us-east-1", "eu-west-1");
        assertS3(e, "AuthorizationQueryParametersError", 400,
                "Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'");
    }

    // ---- presigned URLs: the S3 documentation's example ----------------------------------------

    static final String DOC_QUERY = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

    static SigV4.HttpRequestParts docPresigned(String query) {
        return new SigV4.HttpRequestParts("GET", "/test.txt", query,
                List.of(new AbstractMap.SimpleEntry<>("Host", "examplebucket.s3.amazonaws.com")), null);
    }

    @Test
    void presignedUrlIsValidForItsWholeLifetimeAndNoLonger() {
        for (String at : List.of("2013-05-24T00:00:00Z", "2013-05-24T00:20:00Z", "2013-05-24T23:59:59Z",
                "2013-05-25T00:00:00Z", "2013-05-23T23:50:00Z")) {
            Authenticator.Authenticated auth = at(Instant.parse(at)).authenticate(docPresigned(DOC_QUERY));
            assertEquals(KEY, auth.caller().accessKeyId());
            assertNull(auth.chunkSigning(), "presigned requests have no chunk signing context");
        }
        S3AuthErrors.S3Error e = s3Refusal(Instant.parse("2013-05-25T00:00:01Z"), docPresigned(DOC_QUERY),
                AuthenticationException.Reason.PRESIGN_EXPIRED);
        assertS3(e, "AccessDenied", 403, "Request has expired");
        assertEquals(Map.of("X-Amz-Expires", "86400", "Expires", "2013-05-25T00:00:00Z",
                "ServerTime", "2013-05-25T00:00:01Z"), e.members());
        e = s3Refusal(Instant.parse("2013-05-23T23:44:59Z"), docPresigned(DOC_QUERY),
                AuthenticationException.Reason.PRESIGN_NOT_YET_VALID);
        assertS3(e, "AccessDenied", 403, "Request is not valid yet");
    }

    @Test
    void signatureVersion2PresignedUrlsAreRefusedAsS3RefusesThem() {
        // what boto3's generate_presigned_url gives with a custom endpoint unless told signature_version="s3v4"
        SigV4.HttpRequestParts v2 = docPresigned("AWSAccessKeyId=" + KEY
                + "&Signature=NDgWmC2GaNoa8y5J7EZ03sLV19w%3D&Expires=1795823360");
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> at(NOW).authenticate(v2));
        assertEquals(AuthenticationException.Reason.SIGNATURE_VERSION_2, e.reason());
        assertEquals("MissingAuthenticationToken", e.code(), "Query services keep their code");
        assertS3(S3AuthErrors.of(e), "InvalidRequest", 400,
                "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
        // a query that merely has a parameter called Signature is still anonymous
        e = assertThrows(AuthenticationException.class, () -> at(NOW).authenticate(docPresigned("Signature=x")));
        assertEquals(AuthenticationException.Reason.MISSING_AUTHENTICATION, e.reason());
    }

    @Test
    void presignedFailures() {
        Instant at = Instant.parse("2013-05-24T00:10:00Z");
        S3AuthErrors.S3Error e = s3Refusal(at, docPresigned(DOC_QUERY.replace("aeeed9", "beeed9")),
                AuthenticationException.Reason.SIGNATURE_MISMATCH);
        assertEquals("SignatureDoesNotMatch", e.code());
        assertTrue(e.members().get("CanonicalRequest").endsWith("\nhost\nUNSIGNED-PAYLOAD"));
        e = s3Refusal(at, docPresigned(DOC_QUERY.replace("&X-Amz-Date=20130524T000000Z", "")),
                AuthenticationException.Reason.MALFORMED_PRESIGNED_QUERY);
        assertS3(e, "AuthorizationQueryParametersError", 400, SigV4.MSG_PRESIGN_REQUIRED_PARAMETERS);
        e = s3Refusal(at, docPresigned(DOC_QUERY.replace("86400", "604801")),
                AuthenticationException.Reason.MALFORMED_PRESIGNED_QUERY);
        assertS3(e, "AuthorizationQueryParametersError", 400, SigV4.MSG_PRESIGN_EXPIRES_TOO_LARGE);
        e = s3Refusal(at, docPresigned(DOC_QUERY.replace("%2F20130524%2F", "%2F20130523%2F")),
                AuthenticationException.Reason.SCOPE_DATE_MISMATCH);
        assertS3(e, "AuthorizationQueryParametersError", 400,
                "Invalid credential date. Date is not the same as X-Amz-Date.");
    }
}
