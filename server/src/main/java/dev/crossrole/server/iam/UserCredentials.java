package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import java.security.SecureRandom;

/**
 * What the calls on a user's signing certificates, SSH public keys and service-specific credentials share: the user
 * a call acts on (the named one, else the caller, else the account root where IAM allows it), its access check on
 * the user's ARN, and the credentials that keep a user from being deleted. Credentials refer to their user by unique
 * id, so they follow a rename; their {@code UserName} is the user's name now.
 */
final class UserCredentials {
    private static final char[] ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private final IamDirectory iam;

    UserCredentials(IamDirectory iam) {
        this.iam = iam;
    }

    /** The user a call names, or the caller's own name; {@code null} for the account root. */
    static String target(Call call, String given) {
        return UserOperations.targetUser(call, given);
    }

    /** The access check of a call on a user ({@code null}: the account root), with the user's tags as condition keys. */
    AccessCheck on(Call call, String action, String target, RequestContext.Builder extra) {
        RequestContext.Builder context = extra == null ? RequestContext.builder() : extra;
        if (target == null) {
            return IamSupport.check(action, "arn:aws:iam::" + account(call) + ":root", context.build());
        }
        IamUser user = iam.user(account(call), target).orElse(null);
        if (user != null) {
            IamSupport.resourceTags(context, user.tags());
        }
        return IamSupport.check(action, user != null ? user.arn() : "arn:aws:iam::" + account(call) + ":user/" + target,
                context.build());
    }

    /** The named user of the caller's account, or IAM's NoSuchEntity. */
    IamUser user(Call call, String name) {
        return iam.user(account(call), name).orElseThrow(() -> IamSupport.noSuchUser(name));
    }

    /** The unique id of the user a call acts on; {@code null} for the account root. */
    String ownerId(Call call, String target) {
        return target == null ? null : user(call, target).userId();
    }

    /** A credential's {@code UserName}: its user's name now ({@code null} for the root or a user since deleted). */
    String userName(String userId) {
        return userId == null ? null : iam.userById(userId).map(IamUser::name).orElse(null);
    }

    /** IAM's id shape: a prefix and upper-case base32 characters ({@code APKA} and 16 for SSH keys). */
    static String id(SecureRandom random, String prefix, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        StringBuilder out = new StringBuilder(prefix.length() + length).append(prefix);
        for (byte b : bytes) {
            out.append(ID_ALPHABET[b & 31]);
        }
        return out.toString();
    }

    /** The status a caller may set: Active or Inactive (the model's {@code Expired} is IAM's own). */
    static boolean active(String status) {
        if (status.equals("Expired")) {
            throw AwsException.validation("1 validation error detected: Value 'Expired' at 'status' failed to satisfy"
                    + " constraint: Member must satisfy enum value set: [Active, Inactive]");
        }
        return status.equals("Active");
    }

    /**
     * Refuses to delete a user who still has signing certificates, SSH public keys or service-specific credentials,
     * with IAM's messages.
     */
    static void refuseDeletion(IamDirectory iam, IamUser user) {
        if (!iam.signingCertificates(user.account(), user.userId()).isEmpty()) {
            throw IamSupport.deleteConflict("Cannot delete entity, must delete certificates first.");
        }
        if (!iam.sshPublicKeys(user.account(), user.userId()).isEmpty()
                || iam.serviceCredentials(user.account()).stream().anyMatch(c -> c.userId().equals(user.userId()))) {
            throw IamSupport.deleteConflict("Cannot delete entity, must remove referenced objects first.");
        }
    }
}
