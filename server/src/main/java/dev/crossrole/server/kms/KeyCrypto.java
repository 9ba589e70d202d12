package dev.crossrole.server.kms;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.Mac;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DigestInfo;

/**
 * The cryptography of asymmetric and HMAC keys, by the JDK's providers: RSA-OAEP encryption, RSASSA-PSS, PKCS #1 v1.5
 * and ECDSA signatures (DER-encoded, as KMS returns them), HMAC. Two things the JDK lacks come from Bouncy Castle's
 * provider, used through the same {@code java.security} API: the secp256k1 curve (removed from the JDK in 16) and
 * RSASSA-PSS over a digest the caller computed ({@code MessageType DIGEST}). Private keys are PKCS #8, public keys
 * X.509 SubjectPublicKeyInfo, both DER: what GetPublicKey and GenerateDataKeyPair return.
 */
final class KeyCrypto {
    /** Bouncy Castle's provider, held privately rather than installed, for the two cases above. */
    private static final Provider BOUNCY_CASTLE = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private KeyCrypto() {}

    /** A key's material: the secret part (AES or HMAC key, or PKCS #8 private key) and the public key, if any. */
    record Material(byte[] secret, byte[] publicKey) {}

    /** One signing algorithm of KMS: its scheme and hash. */
    private record Signing(String scheme, String hash, int digestBytes, ASN1ObjectIdentifier hashOid) {
        static Signing of(String algorithm) {
            String size = algorithm.substring(algorithm.length() - 3);
            String hash = "SHA-" + size;
            int bytes = Integer.parseInt(size) / 8;
            ASN1ObjectIdentifier oid = switch (size) {
                case "256" -> NISTObjectIdentifiers.id_sha256;
                case "384" -> NISTObjectIdentifiers.id_sha384;
                default -> NISTObjectIdentifiers.id_sha512;
            };
            String scheme = algorithm.startsWith("RSASSA_PSS") ? "PSS" : algorithm.startsWith("RSASSA_PKCS1") ? "PKCS1"
                    : "ECDSA";
            return new Signing(scheme, hash, bytes, oid);
        }

        String jdkHashName() {
            return hash.replace("-", "");
        }

        PSSParameterSpec pss() {
            // KMS's RSASSA-PSS: MGF1 with the same hash, a salt as long as the digest (AWS KMS Developer Guide, "Key
            // spec reference", RSA key specs for signing).
            return new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), digestBytes, 1);
        }
    }

    static Material generate(KeySpec spec) {
        try {
            switch (spec.family()) {
                case SYMMETRIC:
                case HMAC:
                    return new Material(Ciphertexts.random(spec.bits() / 8), null);
                case RSA: {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(new RSAKeyGenParameterSpec(spec.bits(), RSAKeyGenParameterSpec.F4));
                    KeyPair pair = generator.generateKeyPair();
                    return new Material(pair.getPrivate().getEncoded(), pair.getPublic().getEncoded());
                }
                default: {
                    KeyPairGenerator generator = provider(spec) == null ? KeyPairGenerator.getInstance("EC")
                            : KeyPairGenerator.getInstance("EC", provider(spec));
                    generator.initialize(new ECGenParameterSpec(spec.curve()));
                    KeyPair pair = generator.generateKeyPair();
                    return new Material(pair.getPrivate().getEncoded(), pair.getPublic().getEncoded());
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a " + spec + " key", e);
        }
    }

    /** The length of the digest a signing algorithm takes for {@code MessageType DIGEST}. */
    static int digestLength(String signingAlgorithm) {
        return Signing.of(signingAlgorithm).digestBytes();
    }

    static byte[] sign(KeySpec spec, byte[] privateKey, String algorithm, byte[] message, boolean digest) {
        try {
            java.security.Signature signer = signature(spec, Signing.of(algorithm), digest);
            signer.initSign(privateKey(spec, privateKey));
            signer.update(digest ? signedDigest(Signing.of(algorithm), message) : message);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + algorithm, e);
        }
    }

    /** Whether the signature verifies; a signature that is not even well formed does not. */
    static boolean verify(KeySpec spec, byte[] publicKey, String algorithm, byte[] message, boolean digest,
                          byte[] signature) {
        try {
            java.security.Signature verifier = signature(spec, Signing.of(algorithm), digest);
            verifier.initVerify(publicKey(spec, publicKey));
            verifier.update(digest ? signedDigest(Signing.of(algorithm), message) : message);
            return verifier.verify(signature);
        } catch (SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot verify with " + algorithm, e);
        }
    }

    private static java.security.Signature signature(KeySpec spec, Signing signing, boolean digest)
            throws GeneralSecurityException {
        switch (signing.scheme()) {
            case "PSS": {
                java.security.Signature pss = digest
                        ? java.security.Signature.getInstance("RAWRSASSA-PSS", BOUNCY_CASTLE)
                        : java.security.Signature.getInstance("RSASSA-PSS");
                pss.setParameter(signing.pss());
                return pss;
            }
            case "PKCS1":
                // Over a digest: the DigestInfo the signer would have made, signed with PKCS #1 v1.5 padding as is.
                return java.security.Signature.getInstance(digest ? "NONEwithRSA" : signing.jdkHashName() + "withRSA");
            default: {
                String name = digest ? "NONEwithECDSA" : signing.jdkHashName() + "withECDSA";
                return provider(spec) == null ? java.security.Signature.getInstance(name)
                        : java.security.Signature.getInstance(name, provider(spec));
            }
        }
    }

    /** What a signature over a digest signs: the digest, or for PKCS #1 v1.5 its DER DigestInfo (RFC 8017, 9.2). */
    private static byte[] signedDigest(Signing signing, byte[] digest) {
        if (!signing.scheme().equals("PKCS1")) {
            return digest;
        }
        try {
            return new DigestInfo(new AlgorithmIdentifier(signing.hashOid(), DERNull.INSTANCE), digest)
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The largest plaintext an RSA key encrypts with an OAEP algorithm: the modulus less twice the hash, less 2. */
    static int maxPlaintext(KeySpec spec, String algorithm) {
        int hashBytes = algorithm.endsWith("SHA_1") ? 20 : 32;
        return spec.bits() / 8 - 2 * hashBytes - 2;
    }

    static byte[] encrypt(byte[] publicKey, String algorithm, byte[] plaintext) {
        try {
            Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
            cipher.init(Cipher.ENCRYPT_MODE, publicKey(KeySpec.RSA_2048, publicKey), oaep(algorithm));
            return cipher.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt with " + algorithm, e);
        }
    }

    static byte[] decrypt(byte[] privateKey, String algorithm, byte[] ciphertext) throws Ciphertexts.Invalid {
        try {
            Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
            cipher.init(Cipher.DECRYPT_MODE, privateKey(KeySpec.RSA_2048, privateKey), oaep(algorithm));
            return cipher.doFinal(ciphertext);
        } catch (BadPaddingException | IllegalBlockSizeException e) {
            throw new Ciphertexts.Invalid();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot decrypt with " + algorithm, e);
        }
    }

    /** KMS's OAEP: the named hash for both the label and MGF1 (RSAES_OAEP_SHA_256 is not the JDK's default MGF1). */
    private static OAEPParameterSpec oaep(String algorithm) {
        boolean sha1 = algorithm.endsWith("SHA_1");
        return new OAEPParameterSpec(sha1 ? "SHA-1" : "SHA-256", "MGF1", sha1 ? MGF1ParameterSpec.SHA1
                : MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
    }

    static byte[] mac(KeySpec spec, byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA" + spec.bits());
            mac.init(new SecretKeySpec(key, "HmacSHA" + spec.bits()));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot compute HMAC_SHA_" + spec.bits(), e);
        }
    }

    /** Compares in constant time. */
    static boolean sameMac(byte[] expected, byte[] given) {
        return MessageDigest.isEqual(expected, given);
    }

    private static Provider provider(KeySpec spec) {
        return spec == KeySpec.ECC_SECG_P256K1 ? BOUNCY_CASTLE : null;
    }

    private static KeyFactory keyFactory(KeySpec spec) throws GeneralSecurityException {
        String algorithm = spec.family() == KeySpec.Family.RSA ? "RSA" : "EC";
        return provider(spec) == null ? KeyFactory.getInstance(algorithm) : KeyFactory.getInstance(algorithm,
                provider(spec));
    }

    private static PrivateKey privateKey(KeySpec spec, byte[] encoded) throws GeneralSecurityException {
        return keyFactory(spec).generatePrivate(new PKCS8EncodedKeySpec(encoded));
    }

    private static PublicKey publicKey(KeySpec spec, byte[] encoded) throws GeneralSecurityException {
        return keyFactory(spec).generatePublic(new X509EncodedKeySpec(encoded));
    }
}
