package dev.crossrole.server.iam;

import java.time.Instant;

/**
 * An X.509 signing certificate of an IAM user (or of the account root). Its id is what IAM makes it: the base32
 * SHA-1 digest of the certificate's DER encoding, so the same certificate has the same id wherever it is uploaded.
 *
 * @param userId the owner's unique id, which survives a rename; {@code null} for the account root
 * @param body the certificate as uploaded
 */
public record SigningCertificate(String account, String userId, String id, String body, boolean active,
                                 Instant uploaded) {
    /** The store key: certificate ids are digests, unique only within an account. */
    public String key() {
        return key(account, id);
    }

    public static String key(String account, String id) {
        return account + "/" + id;
    }

    SigningCertificate withActive(boolean isActive) {
        return new SigningCertificate(account, userId, id, body, isActive, uploaded);
    }
}
