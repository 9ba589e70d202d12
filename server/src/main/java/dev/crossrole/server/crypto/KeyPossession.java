package dev.crossrole.server.crypto;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;

/** Whether a private key belongs to a public key: it signs a random challenge that the public key verifies. */
public final class KeyPossession {
    private KeyPossession() {}

    /** The signature algorithm crossrole proves a key of this type with; {@code null} for a type it does not know. */
    public static String algorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm();
            default -> null;
        };
    }

    /** Whether {@code key} signs what {@code publicKey} verifies, with {@code algorithm}. */
    public static boolean matches(PrivateKey key, PublicKey publicKey, String algorithm) {
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // a public key of another type, or parameters that do not fit
        }
    }
}
