package dev.crossrole.server.auth;

import dev.crossrole.policy.Principal;
import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IamUser;
import dev.crossrole.server.auth.AuthenticationException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies a request's SigV4 signature with the real secret of the key it names, in AWS's order:
 * envelope present and well formed, time window, key known, session token valid and unexpired,
 * signature. Failures are {@link AuthenticationException}s with the Query-protocol codes; the JSON
 * codec maps them to its own, {@link S3AuthErrors} to S3's.
 */
public final class Authenticator {
    public static final Duration MAX_SKEW = Duration.ofMinutes(15);
    static final String INVALID_TOKEN = "The security token included in the request is invalid.";
    static final String EXPIRED_TOKEN = "The security token included in the request is expired";
    static final String SIGNATURE_MISMATCH = "The request signature we calculated does not match the signature you"
            + " provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
    private static final int SIGNING_KEY_CACHE_LIMIT = 10_000;

    private final IamDirectory iam;
    private final SessionTokens tokens;
    private final Clock clock;
    /** Derived signing keys per (key id, date, region, service): four HMACs saved on every request. */
    private final Map<String, byte[]> signingKeys = new ConcurrentHashMap<>();

    public Authenticator(IamDirectory iam, SessionTokens tokens, Clock clock) {
        this.iam = iam;
        this.tokens = tokens;
        this.clock = clock;
    }

    /**
     * The result: who signed, the scope they signed for (which names the service and region), and
     * for a header-signed request what its aws-chunked body's chunk signatures chain on (null for
     * presigned requests).
     */
    public record Authenticated(Caller caller, SigV4.Credential scope, ChunkSigningContext chunkSigning) {}

    /**
     * Authenticates {@code request}. For S3 (scope service {@code s3}) the body is never read: the
     * header form signs the {@code x-amz-content-sha256} value as sent, and a hex value is checked
     * against the body later, at its end, by {@link VerifyingInputStream}; so an S3 caller may pass
     * the parts without a body.
     *
     * @throws AuthenticationException with the Query-protocol code; {@link S3AuthErrors#of} gives S3's
     */
    public Authenticated authenticate(SigV4.HttpRequestParts request) {
        String header = request.header(SigV4.HEADER_AUTHORIZATION);
        Instant now = clock.instant();
        if (header != null) {
            return headerForm(request, header, now);
        }
        SigV4.PresignedQuery presigned;
        try {
            presigned = SigV4.parsePresigned(request.rawQuery());
        } catch (SigV4Exception e) {
            throw failure(Reason.MALFORMED_PRESIGNED_QUERY, true, "IncompleteSignature", 400, e.getMessage(), Map.of());
        }
        if (presigned == null) {
            boolean signatureV2 = hasQueryParameter(request.rawQuery(), "AWSAccessKeyId")
                    && hasQueryParameter(request.rawQuery(), "Signature");
            throw failure(signatureV2 ? Reason.SIGNATURE_VERSION_2 : Reason.MISSING_AUTHENTICATION, signatureV2,
                    "MissingAuthenticationToken", 403, "Request is missing Authentication Token", Map.of());
        }
        return presignedForm(request, presigned, now);
    }

    private Authenticated headerForm(SigV4.HttpRequestParts request, String header, Instant now) {
        String amzDate = request.header(SigV4.HEADER_AMZ_DATE);
        String httpDate = request.header(SigV4.HEADER_DATE);
        SigV4.AuthorizationHeader auth;
        try {
            auth = SigV4.parseAuthorizationHeader(header, amzDate != null || httpDate != null);
        } catch (SigV4Exception e) {
            Reason reason = switch (e.kind()) {
                case UNSUPPORTED_ALGORITHM -> header.startsWith("AWS ") ? Reason.SIGNATURE_VERSION_2
                        : Reason.UNSUPPORTED_ALGORITHM;
                case MALFORMED_CREDENTIAL -> Reason.MALFORMED_CREDENTIAL;
                // the date sentence follows the missing-part sentences: alone, only the date is missing
                default -> e.getMessage().startsWith(SigV4.MSG_REQUIRES_DATE) ? Reason.MISSING_DATE
                        : Reason.INCOMPLETE_HEADER;
            };
            throw failure(reason, false, "IncompleteSignature", 400, e.getMessage(),
                    Map.of(AuthenticationException.AUTHORIZATION, header));
        }
        Instant signedAt = amzDate != null ? SigV4.parseAmzDate(amzDate) : SigV4.parseHttpDate(httpDate);
        if (signedAt == null) {
            throw failure(Reason.MISSING_DATE, false, "IncompleteSignature", 400,
                    SigV4.MSG_REQUIRES_DATE + String.format(SigV4.MSG_AUTHORIZATION_SUFFIX, header), Map.of());
        }
        String requestDate = SigV4.formatAmzDate(signedAt);
        if (!requestDate.startsWith(auth.credential().date())) {
            throw failure(Reason.SCOPE_DATE_MISMATCH, false, "SignatureDoesNotMatch", 403,
                    String.format(SigV4.MSG_SCOPE_DATE, auth.credential().date(), requestDate.substring(0, 8),
                            requestDate), Map.of());
        }
        boolean s3 = "s3".equals(auth.credential().service());
        String payloadHash = s3 ? s3PayloadHash(request) : SigV4.payloadHash(request);
        checkWindow(signedAt, amzDate != null ? amzDate : httpDate, now);
        Resolved resolved = resolve(auth.credential().accessKeyId(), request.header(SigV4.HEADER_SECURITY_TOKEN), now);
        String canonical = SigV4.canonicalRequest(request, auth.signedHeaders(), payloadHash, !s3, false);
        Verified verified = verify(resolved, auth.credential(), requestDate, canonical, auth.signature(), false);
        return new Authenticated(resolved.caller, auth.credential(),
                new ChunkSigningContext(verified.signingKey, requestDate, auth.credential().scope(), verified.signature));
    }

    private static boolean hasQueryParameter(String rawQuery, String name) {
        if (rawQuery == null) {
            return false;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.equals(name) || pair.startsWith(name + "=")) {
                return true;
            }
        }
        return false;
    }

    /**
     * S3's header form signs the {@code x-amz-content-sha256} value as sent, which must be there
     * and be a hex SHA-256 or one of S3's literals (aws-wire.md §2.3).
     */
    private static String s3PayloadHash(SigV4.HttpRequestParts request) {
        String declared = request.header(SigV4.HEADER_CONTENT_SHA256);
        if (declared == null) {
            throw failure(Reason.MISSING_CONTENT_SHA256, false, "InvalidRequest", 400,
                    "Missing required header for this request: x-amz-content-sha256", Map.of());
        }
        String value = declared.strip();
        if (!SigV4.isHexSha256(value) && !SigV4.UNSIGNED_PAYLOAD.equals(value)
                && !AwsChunkedInputStream.isAwsChunked(value)) {
            throw failure(Reason.INVALID_CONTENT_SHA256, false, "InvalidArgument", 400,
                    S3AuthErrors.CONTENT_SHA256_VALUES, Map.of(AuthenticationException.CONTENT_SHA256, declared));
        }
        return value;
    }

    private Authenticated presignedForm(SigV4.HttpRequestParts request, SigV4.PresignedQuery presigned, Instant now) {
        Instant signedAt = SigV4.parseAmzDate(presigned.amzDate());
        if (!presigned.amzDate().startsWith(presigned.credential().date())) {
            throw failure(Reason.SCOPE_DATE_MISMATCH, true, "SignatureDoesNotMatch", 403,
                    String.format(SigV4.MSG_SCOPE_DATE, presigned.credential().date(),
                            presigned.amzDate().substring(0, 8), presigned.amzDate()), Map.of());
        }
        Instant expires = signedAt.plusSeconds(presigned.expiresSeconds());
        if (now.isAfter(expires)) {
            throw failure(Reason.PRESIGN_EXPIRED, true, "SignatureDoesNotMatch", 403,
                    "Signature expired: " + SigV4.formatAmzDate(expires) + " is now earlier than "
                            + SigV4.formatAmzDate(now) + " (" + SigV4.formatAmzDate(signedAt) + " + "
                            + presigned.expiresSeconds() + " sec.)",
                    Map.of(AuthenticationException.EXPIRES_SECONDS, Long.toString(presigned.expiresSeconds()),
                            AuthenticationException.EXPIRES_AT, S3AuthErrors.isoSeconds(expires),
                            AuthenticationException.SERVER_TIME, S3AuthErrors.isoSeconds(now)));
        }
        // The past is bounded by X-Amz-Expires alone (a URL may be valid for seven days); the
        // future by the usual skew, or a URL could be minted to start being valid much later.
        if (signedAt.minus(MAX_SKEW).isAfter(now)) {
            throw failure(Reason.PRESIGN_NOT_YET_VALID, true, "SignatureDoesNotMatch", 403,
                    notYetCurrent(presigned.amzDate(), now), Map.of());
        }
        Resolved resolved = resolve(presigned.credential().accessKeyId(), presigned.securityToken(), now);
        boolean s3 = "s3".equals(presigned.credential().service());
        String payloadHash = s3 ? SigV4.UNSIGNED_PAYLOAD : SigV4.payloadHash(request);
        String canonical = SigV4.canonicalRequest(request, presigned.signedHeaders(), payloadHash, !s3, true);
        verify(resolved, presigned.credential(), presigned.amzDate(), canonical, presigned.signature(), true);
        return new Authenticated(resolved.caller, presigned.credential(), null);
    }

    /** A request is accepted within 15 minutes of the server's time, in either direction. */
    private static void checkWindow(Instant signedAt, String sentDate, Instant now) {
        Map<String, String> details = Map.of(AuthenticationException.REQUEST_TIME, sentDate,
                AuthenticationException.SERVER_TIME, S3AuthErrors.isoSeconds(now));
        if (signedAt.plus(MAX_SKEW).isBefore(now)) {
            throw failure(Reason.CLOCK_SKEW, false, "SignatureDoesNotMatch", 403,
                    "Signature expired: " + SigV4.formatAmzDate(signedAt) + " is now earlier than "
                            + SigV4.formatAmzDate(now.minus(MAX_SKEW)) + " (" + SigV4.formatAmzDate(now) + " - 15 min.)",
                    details);
        }
        if (signedAt.minus(MAX_SKEW).isAfter(now)) {
            throw failure(Reason.CLOCK_SKEW, false, "SignatureDoesNotMatch", 403,
                    notYetCurrent(SigV4.formatAmzDate(signedAt), now), details);
        }
    }

    private static String notYetCurrent(String signedAt, Instant now) {
        return "Signature not yet current: " + signedAt + " is still later than "
                + SigV4.formatAmzDate(now.plus(MAX_SKEW)) + " (" + SigV4.formatAmzDate(now) + " + 15 min.)";
    }

    private record Resolved(Caller caller, String secret) {}

    private Resolved resolve(String accessKeyId, String sessionToken, Instant now) {
        if (accessKeyId.startsWith("ASIA")) {
            Map<String, String> token = Map.of(AuthenticationException.ACCESS_KEY_ID, accessKeyId,
                    AuthenticationException.SESSION_TOKEN, sessionToken == null ? "" : sessionToken);
            if (sessionToken == null || sessionToken.isEmpty()) {
                // Without its token a temporary key is unknown: S3 says InvalidAccessKeyId, the classic
                // symptom of a forgotten AWS_SESSION_TOKEN; Query services say InvalidClientTokenId.
                throw failure(Reason.UNKNOWN_ACCESS_KEY, false, "InvalidClientTokenId", 403, INVALID_TOKEN, token);
            }
            SessionClaims claims = tokens.open(sessionToken);
            if (claims == null || !claims.accessKeyId().equals(accessKeyId)) {
                throw failure(Reason.INVALID_SESSION_TOKEN, false, "InvalidClientTokenId", 403, INVALID_TOKEN, token);
            }
            if (now.getEpochSecond() >= claims.expiration()) {
                throw failure(Reason.EXPIRED_SESSION_TOKEN, false, "ExpiredToken", 403, EXPIRED_TOKEN, token);
            }
            Principal principal = sessionPrincipal(claims);
            if (principal instanceof Principal.IamUser user) {
                // The user's current ARN, path included.
                principal = iam.userById(user.userId()).map(u -> (Principal) new Principal.IamUser(u.arn(), u.account(),
                        u.name(), u.userId())).orElse(principal);
            }
            return new Resolved(new Caller(principal, accessKeyId, claims), claims.secretAccessKey());
        }
        Optional<AccessKey> key = iam.accessKey(accessKeyId).filter(AccessKey::active);
        if (key.isEmpty()) {
            throw failure(Reason.UNKNOWN_ACCESS_KEY, false, "InvalidClientTokenId", 403, INVALID_TOKEN,
                    Map.of(AuthenticationException.ACCESS_KEY_ID, accessKeyId));
        }
        if (sessionToken != null && !sessionToken.isEmpty()) {
            throw failure(Reason.INVALID_SESSION_TOKEN, false, "InvalidClientTokenId", 403, INVALID_TOKEN,
                    Map.of(AuthenticationException.ACCESS_KEY_ID, accessKeyId,
                            AuthenticationException.SESSION_TOKEN, sessionToken));
        }
        AccessKey k = key.get();
        Principal principal;
        if (k.userName() == null) {
            principal = new Principal.AccountRoot(k.account());
        } else {
            Optional<IamUser> user = iam.user(k.account(), k.userName());
            if (user.isEmpty()) {
                throw failure(Reason.UNKNOWN_ACCESS_KEY, false, "InvalidClientTokenId", 403, INVALID_TOKEN,
                        Map.of(AuthenticationException.ACCESS_KEY_ID, accessKeyId));
            }
            principal = new Principal.IamUser(user.get().arn(), k.account(), user.get().name(), user.get().userId());
        }
        return new Resolved(new Caller(principal, accessKeyId, null), k.secretAccessKey());
    }

    /** The principal a temporary credential acts as: a role session, or the user (or root) behind GetSessionToken. */
    static Principal sessionPrincipal(SessionClaims claims) {
        if (claims.isRoleSession()) {
            String sessionArn = "arn:aws:sts::" + claims.account() + ":assumed-role/" + claims.roleName() + "/"
                    + claims.sessionName();
            String roleArn = "arn:aws:iam::" + claims.account() + ":role" + claims.rolePath() + claims.roleName();
            return new Principal.RoleSession(sessionArn, claims.account(), claims.roleName(), claims.sessionName(),
                    roleArn, claims.roleId());
        }
        if (claims.userName() == null) {
            return new Principal.AccountRoot(claims.account());
        }
        return new Principal.IamUser("arn:aws:iam::" + claims.account() + ":user/" + claims.userName(), claims.account(),
                claims.userName(), claims.userId());
    }

    private record Verified(byte[] signingKey, String signature) {}

    private Verified verify(Resolved resolved, SigV4.Credential scope, String amzDate, String canonical,
            String signature, boolean presigned) {
        String cacheKey = scope.accessKeyId() + '/' + scope.scope();
        byte[] key = signingKeys.get(cacheKey);
        if (key == null) {
            key = SigV4.signingKey(resolved.secret, scope.date(), scope.region(), scope.service());
            if (signingKeys.size() >= SIGNING_KEY_CACHE_LIMIT) {
                signingKeys.clear();
            }
            signingKeys.put(cacheKey, key);
        }
        String stringToSign = SigV4.stringToSign(amzDate, scope, canonical);
        String expected = SigV4.signature(key, stringToSign);
        if (!SigV4.constantTimeEquals(expected, signature)) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put(AuthenticationException.ACCESS_KEY_ID, scope.accessKeyId());
            details.put(AuthenticationException.STRING_TO_SIGN, stringToSign);
            details.put(AuthenticationException.SIGNATURE_PROVIDED, signature);
            details.put(AuthenticationException.CANONICAL_REQUEST, canonical);
            throw failure(Reason.SIGNATURE_MISMATCH, presigned, "SignatureDoesNotMatch", 403, SIGNATURE_MISMATCH,
                    details);
        }
        return new Verified(key, expected);
    }

    private static AuthenticationException failure(Reason reason, boolean presigned, String code, int status,
            String message, Map<String, String> details) {
        return new AuthenticationException(reason, presigned, code, status, message, details);
    }
}
