package dev.crossrole.server.service;

import java.util.List;
import java.util.Map;

/**
 * Everything a temporary credential stands for, sealed inside its session token so that any node can
 * validate it without a lookup.
 *
 * @param kind {@code role} (AssumeRole), {@code session} (GetSessionToken of a user or the root) or
 *     {@code federated} (GetFederationToken: {@code sessionName} is the federated user's name)
 * @param userName for {@code session} and {@code federated}: the user who asked, or {@code null} for the account root
 * @param tags the session's principal tags (role tags overridden by session tags, plus inherited transitive tags)
 * @param chained whether the session was created by a role session (role chaining)
 * @param mfa whether the session was authenticated with an MFA code ({@code aws:MultiFactorAuthPresent})
 * @param mfaAuthenticatedAt when that MFA code was checked, in epoch seconds ({@code aws:MultiFactorAuthAge} counts
 *     from it); 0 without MFA. A session created by an MFA-authenticated session keeps its creator's time.
 */
public record SessionClaims(
        String kind,
        String accessKeyId,
        String secretAccessKey,
        String account,
        String roleName,
        String rolePath,
        String roleId,
        String sessionName,
        String userName,
        String userId,
        String sessionPolicy,
        List<String> sessionPolicyArns,
        Map<String, String> tags,
        List<String> transitiveTagKeys,
        String sourceIdentity,
        boolean chained,
        boolean mfa,
        long issuedAt,
        long expiration,
        long mfaAuthenticatedAt) {

    public static final String ROLE = "role";
    public static final String SESSION = "session";
    public static final String FEDERATED = "federated";

    public SessionClaims {
        sessionPolicyArns = sessionPolicyArns == null ? List.of() : List.copyOf(sessionPolicyArns);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        transitiveTagKeys = transitiveTagKeys == null ? List.of() : List.copyOf(transitiveTagKeys);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isRoleSession() {
        return ROLE.equals(kind);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isFederated() {
        return FEDERATED.equals(kind);
    }
}
