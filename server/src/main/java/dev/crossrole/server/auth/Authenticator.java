package dev.crossrole.server.auth;

import dev.crossrole.policy.Principal;
import dev.crossrole.server.auth.AuthenticationException.Reason;
import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IamUser;
import dev.crossrole.server.service.Caller;
import dev.crossrole.server.service.SessionClaims;
import dev.crossrole.server.sts.SessionTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
    static final String HEADER_TARGET = "x-amz-target";
    /** S3's text for two ways of authenticating in one request (quoted in catalyst/moodle-tool_objectfs#303). */
    static final String MSG_ONE_AUTH_MECHANISM = "Only one auth mechanism allowed; only the X-Amz-Algorithm query"
            + " parameter, Signature query string parameter or the Authorization header should be specified";
    static final String MSG_HEADERS_NOT_SIGNED = "There were headers present in the request which were not signed";
    /** Our own wording: AWS's answer to a repeated date, token or target header is not on record. */
    static final String MSG_REPEATED_HEADER = "The header '%s' may be sent once; this request has it %d times.";

    private final IamDirectory iam;
    private final SessionTokens tokens;
    private final Clock clock;
    /**
     * What a signature's time is held against: the real time, even when an administrator moved the server's clock
     * forward ({@code dev.crossrole.server.AdjustableClock}) — clients sign with their own clocks. Credentials'
     * expiry is the server's clock's.
     */
    private final Clock signingClock;
    /** Derived signing keys per (key id, date, region, service): four HMACs saved on every request. */
    private final Map<String, byte[]> signingKeys = new ConcurrentHashMap<>();

    public Authenticator(IamDirectory iam, SessionTokens tokens, Clock clock) {
        this(iam, tokens, clock, clock);
    }

    public Authenticator(IamDirectory iam, SessionTokens tokens, Clock clock, Clock signingClock) {
        this.iam = iam;
        this.tokens = tokens;
        this.clock = clock;
        this.signingClock = signingClock;
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
        checkSingleValued(request);
        String header = request.header(SigV4.HEADER_AUTHORIZATION);
        Instant now = signingClock.instant();
        if (header != null) {
            if (hasQueryParameter(request.rawQuery(), SigV4.QUERY_ALGORITHM)
                    || hasQueryParameter(request.rawQuery(), SigV4.QUERY_SIGNATURE)) {
                throw multipleAuthorization(header);
            }
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
        String payloadHash = s3 ? s3PayloadHash(request) : bodyHash(request);
        checkWindow(signedAt, amzDate != null ? amzDate : httpDate, now);
        Resolved resolved = resolve(auth.credential().accessKeyId(), request.header(SigV4.HEADER_SECURITY_TOKEN),
                clock.instant());
        String canonical = SigV4.canonicalRequest(request, auth.signedHeaders(), payloadHash, !s3, false);
        Verified verified = verify(resolved, auth.credential(), requestDate, canonical, auth.signature(), false);
        requireSigned(request, auth.signedHeaders(), s3, false);
        return new Authenticated(resolved.caller, auth.credential(),
                new ChunkSigningContext(verified.signingKey, requestDate, auth.credential().scope(), verified.signature));
    }

    /**
     * Headers the verifier and the services read as one value. Sent twice, the signature would cover
     * both (SigV4 joins repeated headers with commas) while the request was acted on by the first one;
     * so a repetition is refused rather than resolved.
     */
    private static final List<String> SINGLE_VALUED = List.of(SigV4.HEADER_AMZ_DATE, SigV4.HEADER_DATE,
            SigV4.HEADER_SECURITY_TOKEN, SigV4.HEADER_CONTENT_SHA256, HEADER_TARGET, "host");

    private static void checkSingleValued(SigV4.HttpRequestParts request) {
        String authorization = null;
        int authorizations = 0;
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : request.headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals(SigV4.HEADER_AUTHORIZATION)) {
                authorization = authorization == null ? h.getValue() : authorization + ", " + h.getValue();
                authorizations++;
            } else if (SINGLE_VALUED.contains(name)) {
                counts.merge(name, 1, Integer::sum);
            }
        }
        if (authorizations > 1) {
            throw multipleAuthorization(authorization);
        }
        for (Map.Entry<String, Integer> count : counts.entrySet()) {
            if (count.getValue() > 1) {
                throw failure(Reason.REPEATED_HEADER, false, "IncompleteSignature", 400,
                        String.format(MSG_REPEATED_HEADER, count.getKey(), count.getValue()),
                        Map.of(AuthenticationException.HEADER_NAME, count.getKey()));
            }
        }
    }

    private static AuthenticationException multipleAuthorization(String authorization) {
        return failure(Reason.MULTIPLE_AUTHORIZATION, false, "IncompleteSignature", 400, MSG_ONE_AUTH_MECHANISM,
                Map.of(AuthenticationException.AUTHORIZATION, authorization));
    }

    /**
     * After the signature: the headers it must cover. Everywhere {@code host} (SigV4 requires it, and S3 reads
     * the bucket from it). For S3 every {@code x-amz-*} header but {@code x-amz-content-sha256}, whose value is
     * the payload hash line of what was signed: S3 refuses the others with {@code AccessDenied}
     * "There were headers present in the request which were not signed" and names them in
     * {@code HeadersNotSigned}, lower-case, sorted, joined with ", " (answers quoted in
     * apache/arrow-rs-object-store#484, soto-project/soto#374, agilord/aws_client#238 for
     * {@code x-amz-security-token}; aws/aws-sdk-js-v3#3906 and aws/aws-sdk-go-v2#2387 for presigned URLs).
     * For the other services {@code X-Amz-Target}, which names the operation: the SDKs always sign it, and an
     * unsigned one would let whoever relays a signed request pick the operation. Those services word it as
     * Coral does for {@code host}: {@code SignatureDoesNotMatch} "'Host' or ':authority' must be a
     * 'SignedHeader' in the AWS Authorization." (quoted in NetSPI/AWSSigner#3; scratchstack-aws-signature
     * words other required headers the same way).
     */
    private static void requireSigned(SigV4.HttpRequestParts request, List<String> signedHeaders, boolean s3,
            boolean presigned) {
        java.util.Set<String> signed = new java.util.HashSet<>(signedHeaders);
        if (s3) {
            java.util.TreeSet<String> unsigned = new java.util.TreeSet<>();
            if (!signed.contains("host")) {
                unsigned.add("host");
            }
            for (Map.Entry<String, String> h : request.headers()) {
                String name = h.getKey().toLowerCase(Locale.ROOT);
                if (name.startsWith("x-amz-") && !name.equals(SigV4.HEADER_CONTENT_SHA256) && !signed.contains(name)) {
                    unsigned.add(name);
                }
            }
            if (!unsigned.isEmpty()) {
                throw failure(Reason.HEADERS_NOT_SIGNED, presigned, "AccessDenied", 403, MSG_HEADERS_NOT_SIGNED,
                        Map.of(AuthenticationException.HEADERS_NOT_SIGNED, String.join(", ", unsigned)));
            }
            return;
        }
        if (!signed.contains("host")) {
            throw failure(Reason.HEADERS_NOT_SIGNED, presigned, "SignatureDoesNotMatch", 403,
                    "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
                    Map.of(AuthenticationException.HEADERS_NOT_SIGNED, "host"));
        }
        if (request.header(HEADER_TARGET) != null && !signed.contains(HEADER_TARGET)) {
            throw failure(Reason.HEADERS_NOT_SIGNED, presigned, "SignatureDoesNotMatch", 403,
                    "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
                    Map.of(AuthenticationException.HEADERS_NOT_SIGNED, HEADER_TARGET));
        }
    }

    /**
     * The payload hash of a request to a service other than S3: always the body's own hash. Those services
     * act on the body (the Query action and its parameters, the JSON input), so S3's literals that leave the
     * body unsigned ({@code UNSIGNED-PAYLOAD}, {@code STREAMING-*}) are not honoured: a signature made with
     * one fails, rather than letting the body be replaced under it.
     */
    private static String bodyHash(SigV4.HttpRequestParts request) {
        String declared = request.header(SigV4.HEADER_CONTENT_SHA256);
        return declared != null && !SigV4.isHexSha256(declared.strip()) ? SigV4.sha256Hex(request.body())
                : SigV4.payloadHash(request);
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
        Resolved resolved = resolve(presigned.credential().accessKeyId(), presigned.securityToken(), clock.instant());
        boolean s3 = "s3".equals(presigned.credential().service());
        String payloadHash = s3 ? SigV4.UNSIGNED_PAYLOAD : bodyHash(request);
        String canonical = SigV4.canonicalRequest(request, presigned.signedHeaders(), payloadHash, !s3, true);
        verify(resolved, presigned.credential(), presigned.amzDate(), canonical, presigned.signature(), true);
        requireSigned(request, presigned.signedHeaders(), s3, true);
        return new Authenticated(resolved.caller, presigned.credential(), null);
    }

    /**
     * An S3 POST form's signature (S3 API Reference, "Authenticating Requests in Browser-Based Uploads Using POST"):
     * the HMAC of the base64 {@code policy} field under the key derived for the {@code x-amz-credential} scope,
     * checked with the secret of the key it names (and its session token). The time the form may be used is the
     * policy's {@code expiration}, which S3 checks, not the request's clock skew.
     */
    public Authenticated authenticatePostForm(String credential, String amzDate, String sessionToken, String policy,
                                              String signature) {
        SigV4.Credential scope;
        try {
            scope = SigV4.parseCredential(credential);
        } catch (SigV4Exception e) {
            throw failure(Reason.MALFORMED_CREDENTIAL, false, "AuthorizationHeaderMalformed", 400, e.getMessage(),
                    Map.of());
        }
        if (amzDate == null || SigV4.parseAmzDate(amzDate) == null) {
            throw failure(Reason.MISSING_DATE, false, "AccessDenied", 403, SigV4.MSG_REQUIRES_DATE, Map.of());
        }
        Resolved resolved = resolve(scope.accessKeyId(), sessionToken, clock.instant());
        byte[] key = SigV4.signingKey(resolved.secret, scope.date(), scope.region(), scope.service());
        String expected = SigV4.signature(key, policy);
        if (signature == null || !SigV4.constantTimeEquals(expected, signature)) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put(AuthenticationException.ACCESS_KEY_ID, scope.accessKeyId());
            details.put(AuthenticationException.STRING_TO_SIGN, policy);
            details.put(AuthenticationException.SIGNATURE_PROVIDED, signature == null ? "" : signature);
            throw failure(Reason.SIGNATURE_MISMATCH, false, "SignatureDoesNotMatch", 403, SIGNATURE_MISMATCH,
                    details);
        }
        return new Authenticated(resolved.caller, scope, null);
    }

    /** A request is accepted within 15 minutes of the server's time, in either direction. */
    private static void checkWindow(Instant signedAt, String sentDate, Instant now) {
        if (signedAt.plus(MAX_SKEW).isBefore(now)) {
            throw failure(Reason.CLOCK_SKEW, false, "SignatureDoesNotMatch", 403,
                    "Signature expired: " + SigV4.formatAmzDate(signedAt) + " is now earlier than "
                            + SigV4.formatAmzDate(now.minus(MAX_SKEW)) + " (" + SigV4.formatAmzDate(now) + " - 15 min.)",
                    skewDetails(sentDate, now));
        }
        if (signedAt.minus(MAX_SKEW).isAfter(now)) {
            throw failure(Reason.CLOCK_SKEW, false, "SignatureDoesNotMatch", 403,
                    notYetCurrent(SigV4.formatAmzDate(signedAt), now), skewDetails(sentDate, now));
        }
    }

    /** The request's and the server's time, for the error only: formatting them on every request cost an allocation. */
    private static Map<String, String> skewDetails(String sentDate, Instant now) {
        return Map.of(AuthenticationException.REQUEST_TIME, sentDate,
                AuthenticationException.SERVER_TIME, S3AuthErrors.isoSeconds(now));
    }

    private static String notYetCurrent(String signedAt, Instant now) {
        return "Signature not yet current: " + signedAt + " is still later than "
                + SigV4.formatAmzDate(now.plus(MAX_SKEW)) + " (" + SigV4.formatAmzDate(now) + " + 15 min.)";
    }

    /**
     * The caller a credential stands for without a signature to check: what an ECR registry password names (the
     * registry's Basic authentication), taken as it is now. A temporary credential's claims were sealed in the password
     * and hold until the session expires; a long-term key must still be active and its user still there. Empty when
     * they are not.
     */
    public Optional<Caller> callerOf(String accessKeyId, SessionClaims session) {
        Instant now = clock.instant();
        if (session != null) {
            if (now.getEpochSecond() >= session.expiration() || !session.accessKeyId().equals(accessKeyId)) {
                return Optional.empty();
            }
            Principal principal = sessionPrincipal(session);
            if (principal instanceof Principal.IamUser user) {
                principal = iam.userById(user.userId()).map(u -> (Principal) new Principal.IamUser(u.arn(), u.account(),
                        u.name(), u.userId())).orElse(principal);
            }
            return Optional.of(new Caller(principal, accessKeyId, session));
        }
        if (accessKeyId == null || accessKeyId.startsWith("ASIA")) {
            return Optional.empty();
        }
        try {
            return Optional.of(resolve(accessKeyId, null, now).caller);
        } catch (AuthenticationException e) {
            return Optional.empty();
        }
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

    /**
     * The principal a temporary credential acts as: a role session, a federated user, or the user (or root) behind
     * GetSessionToken.
     */
    static Principal sessionPrincipal(SessionClaims claims) {
        if (claims.isRoleSession()) {
            String sessionArn = "arn:aws:sts::" + claims.account() + ":assumed-role/" + claims.roleName() + "/"
                    + claims.sessionName();
            String roleArn = "arn:aws:iam::" + claims.account() + ":role" + claims.rolePath() + claims.roleName();
            return new Principal.RoleSession(sessionArn, claims.account(), claims.roleName(), claims.sessionName(),
                    roleArn, claims.roleId());
        }
        if (claims.isFederated()) {
            return new Principal.FederatedUser("arn:aws:sts::" + claims.account() + ":federated-user/"
                    + claims.sessionName(), claims.account(), claims.sessionName());
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
