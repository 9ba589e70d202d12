package dev.crossrole.server.auth;

import dev.crossrole.policy.Principal;
import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IamUser;
import dev.crossrole.server.protocol.AwsException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies a request's SigV4 signature with the real secret of the key it names, in AWS's order:
 * envelope present and well formed, time window, key known, session token valid and unexpired,
 * signature. Failures carry the Query-protocol codes; the JSON codec maps them to its own.
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

    /** The result: who signed, and the scope they signed for (which names the service and region). */
    public record Authenticated(Caller caller, SigV4.Credential scope) {}

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
            throw incomplete(e.getMessage());
        }
        if (presigned == null) {
            throw new AwsException("MissingAuthenticationToken", 403, "Request is missing Authentication Token");
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
            throw incomplete(e.getMessage());
        }
        Instant signedAt = amzDate != null ? SigV4.parseAmzDate(amzDate) : SigV4.parseHttpDate(httpDate);
        if (signedAt == null) {
            throw incomplete(SigV4.MSG_REQUIRES_DATE + String.format(SigV4.MSG_AUTHORIZATION_SUFFIX, header));
        }
        String requestDate = SigV4.formatAmzDate(signedAt);
        if (!requestDate.startsWith(auth.credential().date())) {
            throw mismatch(String.format(SigV4.MSG_SCOPE_DATE, auth.credential().date(), requestDate.substring(0, 8),
                    requestDate));
        }
        checkWindow(signedAt, signedAt, now);
        Resolved resolved = resolve(auth.credential().accessKeyId(), request.header(SigV4.HEADER_SECURITY_TOKEN), now);
        String payloadHash = SigV4.payloadHash(request);
        String canonical = SigV4.canonicalRequest(request, auth.signedHeaders(), payloadHash,
                !"s3".equals(auth.credential().service()), false);
        verify(resolved, auth.credential(), requestDate, canonical, auth.signature());
        return new Authenticated(resolved.caller, auth.credential());
    }

    private Authenticated presignedForm(SigV4.HttpRequestParts request, SigV4.PresignedQuery presigned, Instant now) {
        Instant signedAt = SigV4.parseAmzDate(presigned.amzDate());
        if (!presigned.amzDate().startsWith(presigned.credential().date())) {
            throw mismatch(String.format(SigV4.MSG_SCOPE_DATE, presigned.credential().date(),
                    presigned.amzDate().substring(0, 8), presigned.amzDate()));
        }
        Instant expires = signedAt.plusSeconds(presigned.expiresSeconds());
        if (now.isAfter(expires)) {
            throw mismatch("Signature expired: " + SigV4.formatAmzDate(expires) + " is now earlier than "
                    + SigV4.formatAmzDate(now) + " (" + SigV4.formatAmzDate(signedAt) + " + "
                    + presigned.expiresSeconds() + " sec.)");
        }
        checkWindow(signedAt, signedAt, now);
        Resolved resolved = resolve(presigned.credential().accessKeyId(), presigned.securityToken(), now);
        boolean s3 = "s3".equals(presigned.credential().service());
        String payloadHash = s3 ? SigV4.UNSIGNED_PAYLOAD : SigV4.payloadHash(request);
        String canonical = SigV4.canonicalRequest(request, presigned.signedHeaders(), payloadHash, !s3, true);
        verify(resolved, presigned.credential(), presigned.amzDate(), canonical, presigned.signature());
        return new Authenticated(resolved.caller, presigned.credential());
    }

    /** A request is accepted within 15 minutes of the server's time, in either direction. */
    private static void checkWindow(Instant signedAt, Instant reference, Instant now) {
        if (reference.plus(MAX_SKEW).isBefore(now)) {
            throw mismatch("Signature expired: " + SigV4.formatAmzDate(signedAt) + " is now earlier than "
                    + SigV4.formatAmzDate(now.minus(MAX_SKEW)) + " (" + SigV4.formatAmzDate(now) + " - 15 min.)");
        }
        if (reference.minus(MAX_SKEW).isAfter(now)) {
            throw mismatch("Signature not yet current: " + SigV4.formatAmzDate(signedAt) + " is still later than "
                    + SigV4.formatAmzDate(now.plus(MAX_SKEW)) + " (" + SigV4.formatAmzDate(now) + " + 15 min.)");
        }
    }

    private record Resolved(Caller caller, String secret) {}

    private Resolved resolve(String accessKeyId, String sessionToken, Instant now) {
        if (accessKeyId.startsWith("ASIA")) {
            if (sessionToken == null || sessionToken.isEmpty()) {
                throw new AwsException("InvalidClientTokenId", 403, INVALID_TOKEN);
            }
            SessionClaims claims = tokens.open(sessionToken);
            if (claims == null || !claims.accessKeyId().equals(accessKeyId)) {
                throw new AwsException("InvalidClientTokenId", 403, INVALID_TOKEN);
            }
            if (now.getEpochSecond() >= claims.expiration()) {
                throw new AwsException("ExpiredToken", 403, EXPIRED_TOKEN);
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
        if (key.isEmpty() || (sessionToken != null && !sessionToken.isEmpty())) {
            throw new AwsException("InvalidClientTokenId", 403, INVALID_TOKEN);
        }
        AccessKey k = key.get();
        Principal principal;
        if (k.userName() == null) {
            principal = new Principal.AccountRoot(k.account());
        } else {
            Optional<IamUser> user = iam.user(k.account(), k.userName());
            if (user.isEmpty()) {
                throw new AwsException("InvalidClientTokenId", 403, INVALID_TOKEN);
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

    private void verify(Resolved resolved, SigV4.Credential scope, String amzDate, String canonical, String signature) {
        String cacheKey = scope.accessKeyId() + '/' + scope.scope();
        byte[] key = signingKeys.get(cacheKey);
        if (key == null) {
            key = SigV4.signingKey(resolved.secret, scope.date(), scope.region(), scope.service());
            if (signingKeys.size() >= SIGNING_KEY_CACHE_LIMIT) {
                signingKeys.clear();
            }
            signingKeys.put(cacheKey, key);
        }
        String expected = SigV4.signature(key, SigV4.stringToSign(amzDate, scope, canonical));
        if (!SigV4.constantTimeEquals(expected, signature)) {
            throw mismatch(SIGNATURE_MISMATCH);
        }
    }

    private static AwsException incomplete(String message) {
        return new AwsException("IncompleteSignature", 400, message);
    }

    private static AwsException mismatch(String message) {
        return new AwsException("SignatureDoesNotMatch", 403, message);
    }
}
