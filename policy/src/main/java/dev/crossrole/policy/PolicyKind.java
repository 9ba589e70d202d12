package dev.crossrole.policy;

import java.util.Locale;

/** Where a policy document is used; each kind has its own grammar rules, size quota and error vocabulary. */
public enum PolicyKind {
    /** A managed identity-based policy, or a standalone identity policy (CreatePolicy rules). */
    IDENTITY("identity", "identity-based"),
    /**
     * An inline identity-based policy of a user, group or role (PutRolePolicy rules): no Version
     * requirement, and the size quota applies to all of the entity's inline policies together.
     */
    INLINE("inline", "identity-based"),
    /** A role's trust policy: the resource-based policy of {@code sts:AssumeRole}. */
    TRUST("trust", "role trust"),
    /** A resource-based policy such as a bucket policy. */
    RESOURCE("resource", "resource-based"),
    /**
     * A KMS key policy: a resource-based policy that must allow every access itself, as a trust policy must (AWS KMS
     * Developer Guide, "Key policies"); allowing the account delegates to the account's identity policies.
     */
    KEY("key", "resource-based"),
    /** A permissions boundary (a managed policy used as a cap). */
    BOUNDARY("boundary", "permissions boundary"),
    /** A session policy passed to AssumeRole ({@code Policy} / {@code PolicyArns}). */
    SESSION("session", "session"),
    /** A service control policy of AWS Organizations. */
    SCP("scp", "service control"),
    /** A resource control policy of AWS Organizations. */
    RCP("rcp", "resource control");

    private final String cliName;
    private final String awsTypeName;

    PolicyKind(String cliName, String awsTypeName) {
        this.cliName = cliName;
        this.awsTypeName = awsTypeName;
    }

    /** The short name used on the command line and in JSON ({@code identity}, {@code trust}, ...). */
    public String cliName() {
        return cliName;
    }

    /** The policy type as AWS names it inside AccessDenied messages. */
    public String awsTypeName() {
        return awsTypeName;
    }

    /** Looks a kind up by its short name, case-insensitively; {@code null} if there is none. */
    public static PolicyKind fromCliName(String name) {
        if (name == null) {
            return null;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        for (PolicyKind kind : values()) {
            if (kind.cliName.equals(lower)) {
                return kind;
            }
        }
        return null;
    }

    /** Whether statements of this kind name a principal (and must not name a resource, for trust policies). */
    public boolean hasPrincipals() {
        return this == TRUST || this == RESOURCE || this == KEY || this == RCP;
    }
}
