package dev.crossrole.server.iam;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Console passwords as crossrole keeps them: never the password, only a salted PBKDF2-HMAC-SHA256 hash of it,
 * written {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} (salt and hash in base64) so that a later crossrole can
 * raise the work factor and still verify what an older one stored.
 */
public final class PasswordHash {
    static final String SCHEME = "pbkdf2-sha256";
    /**
     * The work factor of new hashes: about fifty milliseconds on one core of a small machine. A password change may
     * check the new password against the 24 remembered ones, inside the store's write transaction, so this stays modest.
     */
    static final int ITERATIONS = 100_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;

    private PasswordHash() {}

    /** A new hash of {@code password} under a fresh random salt. */
    public static String hash(String password, SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return encode(ITERATIONS, salt, derive(password, salt, ITERATIONS));
    }

    /** Whether {@code password} is the one {@code stored} was made from; compared in constant time. */
    public static boolean verify(String password, String stored) {
        String[] parts = stored.split("\\$");
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            throw new IllegalArgumentException("not a " + SCHEME + " password hash");
        }
        int iterations = Integer.parseInt(parts[1]);
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        return MessageDigest.isEqual(expected, derive(password, salt, iterations));
    }

    /** Whether {@code stored} has the form this class writes (for records read back from the store). */
    public static boolean wellFormed(String stored) {
        String[] parts = stored.split("\\$");
        try {
            return parts.length == 4 && parts[0].equals(SCHEME) && Integer.parseInt(parts[1]) > 0
                    && Base64.getDecoder().decode(parts[2]).length > 0 && Base64.getDecoder().decode(parts[3]).length > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String encode(int iterations, byte[] salt, byte[] hash) {
        return SCHEME + "$" + iterations + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(hash);
    }

    static byte[] derive(String password, byte[] salt, int iterations) {
        // The JDK derives from the password's UTF-8 bytes, as other PBKDF2 implementations do.
        char[] chars = password.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            spec.clearPassword();
            java.util.Arrays.fill(chars, '\0');
        }
    }
}
