package dev.crossrole.server.iam;

import java.time.Instant;
import java.util.List;

/**
 * An IAM user's console password: only a salted hash of it ({@link PasswordHash}), never the password. Immutable,
 * replaced on change; kept under the user's unique id, so a renamed user keeps it.
 *
 * @param passwordHash the hash of the current password
 * @param created when the current password was set (IAM's {@code CreateDate} of a login profile)
 * @param resetRequired whether the user must choose a new password at the next sign-in
 * @param previousHashes hashes of the passwords before the current one, newest first, as many as the largest
 *     {@code PasswordReusePrevention} can ask about
 */
public record LoginProfile(String account, String userId, String passwordHash, Instant created, boolean resetRequired,
                           List<String> previousHashes) {
    /** The most passwords a password policy can keep a user from reusing (IAM API Reference). */
    public static final int REMEMBERED_PASSWORDS = 24;

    public LoginProfile {
        previousHashes = List.copyOf(previousHashes);
    }

    /** The profile with a new password: the current one joins the remembered ones. */
    LoginProfile withPassword(String newHash, Instant when, boolean reset) {
        List<String> previous = new java.util.ArrayList<>();
        previous.add(passwordHash);
        previous.addAll(previousHashes);
        return new LoginProfile(account, userId, newHash, when, reset,
                previous.subList(0, Math.min(previous.size(), REMEMBERED_PASSWORDS)));
    }

    LoginProfile withResetRequired(boolean reset) {
        return new LoginProfile(account, userId, passwordHash, created, reset, previousHashes);
    }
}
