package dev.crossrole.server.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The keys and signatures crossrole makes are the standard ones: what it signs verifies with the JDK's own
 * {@link Signature} under the public key it gives out, what the JDK encrypts with that key crossrole decrypts, and its
 * HMACs are the JDK's.
 */
class KeyCryptoTest {
    private static final byte[] MESSAGE = "the message".getBytes(StandardCharsets.UTF_8);

    private static PublicKey publicKey(KeyCrypto.Material material, String algorithm) throws Exception {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(material.publicKey()));
    }

    private static byte[] sha(int bits, byte[] message) throws Exception {
        return MessageDigest.getInstance("SHA-" + bits).digest(message);
    }

    @Test
    void keysHaveTheirSpecsSizes() throws Exception {
        assertEquals(32, KeyCrypto.generate(KeySpec.SYMMETRIC_DEFAULT).secret().length);
        assertEquals(28, KeyCrypto.generate(KeySpec.HMAC_224).secret().length);
        assertEquals(64, KeyCrypto.generate(KeySpec.HMAC_512).secret().length);
        RSAPublicKey rsa = (RSAPublicKey) publicKey(KeyCrypto.generate(KeySpec.RSA_3072), "RSA");
        assertEquals(3072, rsa.getModulus().bitLength());
        ECPublicKey ec = (ECPublicKey) publicKey(KeyCrypto.generate(KeySpec.ECC_NIST_P384), "EC");
        assertEquals(384, ec.getParams().getCurve().getField().getFieldSize());
    }

    @Test
    void rsaSignaturesOfMessagesAndDigestsVerifyWithTheJdk() throws Exception {
        KeyCrypto.Material key = KeyCrypto.generate(KeySpec.RSA_2048);
        PublicKey publicKey = publicKey(key, "RSA");
        for (int bits : new int[] {256, 384, 512}) {
            String hash = "SHA-" + bits;
            PSSParameterSpec pss = new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), bits / 8, 1);
            for (boolean digest : new boolean[] {false, true}) {
                byte[] signed = digest ? sha(bits, MESSAGE) : MESSAGE;
                byte[] psSignature = KeyCrypto.sign(KeySpec.RSA_2048, key.secret(), "RSASSA_PSS_SHA_" + bits, signed,
                        digest);
                Signature verifier = Signature.getInstance("RSASSA-PSS");
                verifier.setParameter(pss);
                verifier.initVerify(publicKey);
                verifier.update(MESSAGE);
                assertTrue(verifier.verify(psSignature), "PSS " + bits + (digest ? " over a digest" : ""));

                byte[] pkcs1 = KeyCrypto.sign(KeySpec.RSA_2048, key.secret(), "RSASSA_PKCS1_V1_5_SHA_" + bits, signed,
                        digest);
                Signature pkcs1Verifier = Signature.getInstance("SHA" + bits + "withRSA");
                pkcs1Verifier.initVerify(publicKey);
                pkcs1Verifier.update(MESSAGE);
                assertTrue(pkcs1Verifier.verify(pkcs1), "PKCS1 " + bits + (digest ? " over a digest" : ""));
                assertTrue(KeyCrypto.verify(KeySpec.RSA_2048, key.publicKey(), "RSASSA_PKCS1_V1_5_SHA_" + bits,
                        signed, digest, pkcs1));
            }
        }
    }

    @Test
    void ecdsaSignaturesVerifyWithTheJdkAndSecp256k1WithItsOwnProvider() throws Exception {
        for (KeySpec spec : new KeySpec[] {KeySpec.ECC_NIST_P256, KeySpec.ECC_NIST_P384, KeySpec.ECC_NIST_P521}) {
            KeyCrypto.Material key = KeyCrypto.generate(spec);
            String algorithm = spec.signingAlgorithms(KeySpec.SIGN_VERIFY).get(0);
            int bits = Integer.parseInt(algorithm.substring(algorithm.length() - 3));
            for (boolean digest : new boolean[] {false, true}) {
                byte[] signature = KeyCrypto.sign(spec, key.secret(), algorithm, digest ? sha(bits, MESSAGE) : MESSAGE,
                        digest);
                Signature verifier = Signature.getInstance("SHA" + bits + "withECDSA");
                verifier.initVerify(publicKey(key, "EC"));
                verifier.update(MESSAGE);
                assertTrue(verifier.verify(signature), spec + (digest ? " over a digest" : ""));
            }
        }
        KeyCrypto.Material k1 = KeyCrypto.generate(KeySpec.ECC_SECG_P256K1);
        byte[] signature = KeyCrypto.sign(KeySpec.ECC_SECG_P256K1, k1.secret(), "ECDSA_SHA_256", MESSAGE, false);
        var bc = new org.bouncycastle.jce.provider.BouncyCastleProvider();
        Signature verifier = Signature.getInstance("SHA256withECDSA", bc);
        verifier.initVerify(KeyFactory.getInstance("EC", bc).generatePublic(new X509EncodedKeySpec(k1.publicKey())));
        verifier.update(MESSAGE);
        assertTrue(verifier.verify(signature));
        assertTrue(KeyCrypto.verify(KeySpec.ECC_SECG_P256K1, k1.publicKey(), "ECDSA_SHA_256", MESSAGE, false,
                signature));
    }

    @Test
    void aSignatureOfAnotherMessageOrMalformedDoesNotVerify() {
        KeyCrypto.Material key = KeyCrypto.generate(KeySpec.ECC_NIST_P256);
        byte[] signature = KeyCrypto.sign(KeySpec.ECC_NIST_P256, key.secret(), "ECDSA_SHA_256", MESSAGE, false);
        assertFalse(KeyCrypto.verify(KeySpec.ECC_NIST_P256, key.publicKey(), "ECDSA_SHA_256",
                "another".getBytes(StandardCharsets.UTF_8), false, signature));
        assertFalse(KeyCrypto.verify(KeySpec.ECC_NIST_P256, key.publicKey(), "ECDSA_SHA_256", MESSAGE, false,
                new byte[] {1, 2, 3}));
        KeyCrypto.Material rsa = KeyCrypto.generate(KeySpec.RSA_2048);
        assertFalse(KeyCrypto.verify(KeySpec.RSA_2048, rsa.publicKey(), "RSASSA_PSS_SHA_256", MESSAGE, false,
                new byte[17]));
    }

    @Test
    void rsaOaepInteroperatesWithTheJdkWithKmsMgf1Hashes() throws Exception {
        KeyCrypto.Material key = KeyCrypto.generate(KeySpec.RSA_2048);
        Cipher jdk = Cipher.getInstance("RSA/ECB/OAEPPadding");
        jdk.init(Cipher.ENCRYPT_MODE, publicKey(key, "RSA"), new OAEPParameterSpec("SHA-256", "MGF1",
                MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
        assertArrayEquals(MESSAGE, KeyCrypto.decrypt(key.secret(), "RSAES_OAEP_SHA_256", jdk.doFinal(MESSAGE)));
        byte[] sha1 = KeyCrypto.encrypt(key.publicKey(), "RSAES_OAEP_SHA_1", MESSAGE);
        assertArrayEquals(MESSAGE, KeyCrypto.decrypt(key.secret(), "RSAES_OAEP_SHA_1", sha1));
        assertThrows(Ciphertexts.Invalid.class, () -> KeyCrypto.decrypt(key.secret(), "RSAES_OAEP_SHA_256", sha1));
        assertEquals(190, KeyCrypto.maxPlaintext(KeySpec.RSA_2048, "RSAES_OAEP_SHA_256"));
        assertEquals(214, KeyCrypto.maxPlaintext(KeySpec.RSA_2048, "RSAES_OAEP_SHA_1"));
        assertEquals(446, KeyCrypto.maxPlaintext(KeySpec.RSA_4096, "RSAES_OAEP_SHA_256"));
        assertEquals(342, KeyCrypto.maxPlaintext(KeySpec.RSA_3072, "RSAES_OAEP_SHA_1"));
        byte[] largest = new byte[190];
        assertArrayEquals(largest, KeyCrypto.decrypt(key.secret(), "RSAES_OAEP_SHA_256",
                KeyCrypto.encrypt(key.publicKey(), "RSAES_OAEP_SHA_256", largest)));
    }

    @Test
    void hmacsAreTheJdksAndCompareWhole() throws Exception {
        byte[] key = KeyCrypto.generate(KeySpec.HMAC_384).secret();
        Mac jdk = Mac.getInstance("HmacSHA384");
        jdk.init(new SecretKeySpec(key, "HmacSHA384"));
        byte[] expected = jdk.doFinal(MESSAGE);
        assertArrayEquals(expected, KeyCrypto.mac(KeySpec.HMAC_384, key, MESSAGE));
        assertTrue(KeyCrypto.sameMac(expected, KeyCrypto.mac(KeySpec.HMAC_384, key, MESSAGE)));
        assertFalse(KeyCrypto.sameMac(expected, java.util.Arrays.copyOf(expected, 47)));
    }
}
