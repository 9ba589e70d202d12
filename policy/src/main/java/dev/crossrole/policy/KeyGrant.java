package dev.crossrole.policy;

/**
 * A KMS grant on the key a request is for, as KMS hands it to the engine. KMS alone knows a grant's operations and
 * encryption context constraints, so it decides whether the grant covers the request; the engine decides whether the
 * grant names the caller and what a covering grant allows, next to the key policy and the caller's policies.
 *
 * <p>A grant allows, never denies (AWS KMS Developer Guide, "Grants in AWS KMS": "A grant can allow access to a KMS
 * key, but not deny access"); an explicit deny in any policy still wins. The grantee may be of any account: "users and
 * roles in the external account cannot use the KMS key until you attach IAM policies that delegate those permissions,
 * or use grants to manage access" (AWS KMS Developer Guide, "Allowing users in other accounts to use a KMS key").
 *
 * @param grantId the grant's id, for explanations
 * @param granteePrincipal the grantee principal as the grant names it (a user, role, assumed-role session, account or
 *     service principal)
 * @param notCovering why the grant does not cover the request (its operations, its constraints), or {@code null}
 *     when it does
 */
public record KeyGrant(String grantId, String granteePrincipal, String notCovering) {
    public KeyGrant {
        if (grantId == null || granteePrincipal == null) {
            throw new IllegalArgumentException("a grant has an id and a grantee principal");
        }
    }

    /** Whether the grant allows the request's operation under the request's encryption context. */
    public boolean covers() {
        return notCovering == null;
    }

    /**
     * How the grant names a principal, as a key policy's {@code Principal} would: its account (whose identity policies
     * must then allow too), its role, or itself; {@code null} when it does not name it.
     */
    Grant names(Principal principal) {
        boolean service = !granteePrincipal.startsWith("arn:") && granteePrincipal.endsWith(".amazonaws.com");
        PrincipalEntry.Type type = service ? PrincipalEntry.Type.SERVICE : PrincipalEntry.Type.AWS;
        PrincipalEntry grantee = PrincipalEntry.classify(type, granteePrincipal);
        Grant best = null;
        for (PrincipalEntry.Level level : PrincipalEntry.Level.of(principal)) {
            if (grantee.matches(principal, level)) {
                Grant named = Grant.of(grantee.kind());
                if (best == null || named.compareTo(best) > 0) {
                    best = named;
                }
            }
        }
        return best;
    }
}
