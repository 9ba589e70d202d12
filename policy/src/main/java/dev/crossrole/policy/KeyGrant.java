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
public record KeyGrant(String grantId, String granteePrincipal, String notCovering, Source source) {
    /** S3's group of everyone, signed or not, as an ACL grantee. */
    public static final String ALL_USERS = "AllUsers";
    /** S3's group of every signed request of any AWS account, as an ACL grantee. */
    public static final String AUTHENTICATED_USERS = "AuthenticatedUsers";

    /**
     * Where a grant comes from: a KMS grant on a key, or a grant of an S3 access control list (a bucket's or an
     * object's), which S3 decides next to the bucket policy as another resource-side source. Each allows, never
     * denies.
     */
    public enum Source {
        KMS("KMS grant", "key", PolicyKind.KEY),
        S3_ACL("ACL grant", "bucket", PolicyKind.RESOURCE),
        /** A grant of an object's own ACL, which S3 decides in the object's context (its owner's). */
        S3_OBJECT_ACL("object ACL grant", "object", PolicyKind.RESOURCE);

        private final String label;
        private final String holder;
        private final PolicyKind gate;

        Source(String label, String holder, PolicyKind gate) {
            this.label = label;
            this.holder = holder;
            this.gate = gate;
        }

        /** How explanations name one grant ({@code KMS grant g1}, {@code ACL grant READ to AllUsers}). */
        public String label() {
            return label;
        }

        /** What holds the grants, for explanations ({@code the key's}, {@code the bucket's}). */
        public String holder() {
            return holder;
        }

        /** The gate the grants are shown under. */
        public PolicyKind gate() {
            return gate;
        }
    }

    public KeyGrant {
        if (grantId == null || granteePrincipal == null) {
            throw new IllegalArgumentException("a grant has an id and a grantee principal");
        }
        source = source == null ? Source.KMS : source;
    }

    /** A KMS grant. */
    public KeyGrant(String grantId, String granteePrincipal, String notCovering) {
        this(grantId, granteePrincipal, notCovering, Source.KMS);
    }

    /**
     * An S3 ACL grant that covers the request's action, to {@link #ALL_USERS}, {@link #AUTHENTICATED_USERS} or an
     * account ({@code arn:aws:iam::ACCOUNT:root}, the account behind a canonical user id).
     */
    public static KeyGrant acl(String description, String grantee) {
        return new KeyGrant(description, grantee, null, Source.S3_ACL);
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
        if (source != Source.KMS) {
            return aclNames(principal);
        }
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

    /**
     * How an S3 ACL grant names a principal. S3 decides ACLs in the bucket's context only: an IAM principal still needs
     * its own account's permission in the user context (Amazon S3 User Guide, "How Amazon S3 authorizes a request"),
     * so a grant naming its account or a group it is in delegates to its identity policies ({@link Grant#ACCOUNT}; an
     * account's root user has every permission of its account). An unsigned request has no user context: only a grant
     * to everyone names it, and allows it on its own.
     */
    private Grant aclNames(Principal principal) {
        if (principal instanceof Principal.Anonymous) {
            return ALL_USERS.equals(granteePrincipal) ? Grant.DIRECT : null;
        }
        if (ALL_USERS.equals(granteePrincipal) || AUTHENTICATED_USERS.equals(granteePrincipal)) {
            return principal.accountId() == null ? null : Grant.ACCOUNT;
        }
        String account = principal.accountId();
        return account != null && granteePrincipal.equals("arn:aws:iam::" + account + ":root") ? Grant.ACCOUNT : null;
    }
}
