package dev.crossrole.server.iam;

/**
 * An account's password policy for its IAM users' console passwords, as {@code UpdateAccountPasswordPolicy} set
 * it. Members IAM reports only when they were given ({@code MaxPasswordAge}, {@code PasswordReusePrevention},
 * {@code HardExpiry}) are {@code null} otherwise.
 */
public record PasswordPolicy(String account, int minimumLength, boolean requireSymbols, boolean requireNumbers,
                             boolean requireUppercase, boolean requireLowercase, boolean allowUsersToChangePassword,
                             Integer maxPasswordAge, Integer passwordReusePrevention, Boolean hardExpiry) {
    /** The characters IAM counts as symbols (IAM API Reference, UpdateAccountPasswordPolicy: RequireSymbols). */
    static final String SYMBOLS = "!@#$%^&*()_+-=[]{}|'";
    /** The default password policy's length, for accounts without a policy of their own (IAM User Guide). */
    static final int DEFAULT_MINIMUM_LENGTH = 8;

    /**
     * Whether a password satisfies the account's policy; {@code policy} {@code null} means AWS's default policy:
     * at least eight characters, of at least three of the four kinds (upper case, lower case, digits, symbols).
     */
    static boolean allows(PasswordPolicy policy, String password) {
        boolean upper = password.chars().anyMatch(c -> c >= 'A' && c <= 'Z');
        boolean lower = password.chars().anyMatch(c -> c >= 'a' && c <= 'z');
        boolean digit = password.chars().anyMatch(c -> c >= '0' && c <= '9');
        boolean symbol = password.chars().anyMatch(c -> SYMBOLS.indexOf(c) >= 0);
        if (policy == null) {
            int kinds = (upper ? 1 : 0) + (lower ? 1 : 0) + (digit ? 1 : 0) + (symbol ? 1 : 0);
            return password.length() >= DEFAULT_MINIMUM_LENGTH && kinds >= 3;
        }
        return password.length() >= policy.minimumLength() && (!policy.requireUppercase() || upper)
                && (!policy.requireLowercase() || lower) && (!policy.requireNumbers() || digit)
                && (!policy.requireSymbols() || symbol);
    }

    /** Whether passwords expire ({@code ExpirePasswords}: a {@code MaxPasswordAge} was set). */
    public boolean expirePasswords() {
        return maxPasswordAge != null && maxPasswordAge > 0;
    }
}
