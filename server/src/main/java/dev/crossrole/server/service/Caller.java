package dev.crossrole.server.service;

import dev.crossrole.policy.Principal;

/**
 * The authenticated identity behind a request.
 *
 * @param principal the principal as the policy engine sees it
 * @param accessKeyId the key the request was signed with
 * @param session the claims of temporary credentials, or {@code null} for long-term keys
 */
public record Caller(Principal principal, String accessKeyId, SessionClaims session) {

    public String account() {
        return principal.accountId();
    }

    public boolean isRoot() {
        return principal instanceof Principal.AccountRoot;
    }

    public boolean isRoleSession() {
        return principal instanceof Principal.RoleSession;
    }

    public boolean temporary() {
        return session != null;
    }

    /** The ARN AWS returns from GetCallerIdentity and prints in messages. */
    public String arn() {
        return principal.displayName();
    }
}
