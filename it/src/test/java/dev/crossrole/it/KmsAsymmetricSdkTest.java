package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeyPairSpec;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.GrantOperation;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

/**
 * Asymmetric and HMAC KMS keys through the SDK for Java v2: signatures that verify with the JDK under the key's
 * public key, RSA encryption both ways, HMACs, data key pairs, KMS's errors for the wrong key, and key material that
 * survives a restart.
 */
class KmsAsymmetricSdkTest {
    static TestCrossrole crossrole;
    static KmsClient kms;
    private static final SdkBytes MESSAGE = SdkBytes.fromString("pay 42 to alice", StandardCharsets.UTF_8);

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        kms = KmsSdkTest.client(crossrole, crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        kms.close();
        crossrole.close();
    }

    private static PublicKey publicKey(String keyId, String algorithm) throws Exception {
        byte[] der = kms.getPublicKey(r -> r.keyId(keyId)).publicKey().asByteArray();
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
    }

    private static boolean jdkVerifies(String jdkAlgorithm, PSSParameterSpec pss, PublicKey key, byte[] signature)
            throws Exception {
        Signature verifier = Signature.getInstance(jdkAlgorithm);
        if (pss != null) {
            verifier.setParameter(pss);
        }
        verifier.initVerify(key);
        verifier.update(MESSAGE.asByteArray());
        return verifier.verify(signature);
    }

    @Test
    void ellipticCurveSignaturesVerifyWithTheJdkAndWithVerify() throws Exception {
        Map<KeySpec, Integer> specs = Map.of(KeySpec.ECC_NIST_P256, 256, KeySpec.ECC_NIST_P384, 384,
                KeySpec.ECC_NIST_P521, 512);
        for (Map.Entry<KeySpec, Integer> entry : specs.entrySet()) {
            KeyMetadata key = kms.createKey(r -> r.keySpec(entry.getKey()).keyUsage(KeyUsageType.SIGN_VERIFY))
                    .keyMetadata();
            int bits = entry.getValue();
            SigningAlgorithmSpec algorithm = SigningAlgorithmSpec.fromValue("ECDSA_SHA_" + bits);
            assertEquals(List.of(algorithm), key.signingAlgorithms());
            assertEquals(List.of(), key.encryptionAlgorithms());
            var publicKey = kms.getPublicKey(r -> r.keyId(key.keyId()));
            assertEquals(entry.getKey(), publicKey.keySpec());
            assertEquals(KeyUsageType.SIGN_VERIFY, publicKey.keyUsage());
            assertEquals(key.arn(), publicKey.keyId());

            byte[] raw = kms.sign(r -> r.keyId(key.keyId()).message(MESSAGE).signingAlgorithm(algorithm))
                    .signature().asByteArray();
            assertTrue(jdkVerifies("SHA" + bits + "withECDSA", null, publicKey(key.keyId(), "EC"), raw), entry.getKey()
                    + " RAW");
            SdkBytes digest = SdkBytes.fromByteArray(MessageDigest.getInstance("SHA-" + bits)
                    .digest(MESSAGE.asByteArray()));
            var signed = kms.sign(r -> r.keyId(key.arn()).message(digest).messageType(MessageType.DIGEST)
                    .signingAlgorithm(algorithm));
            assertTrue(jdkVerifies("SHA" + bits + "withECDSA", null, publicKey(key.keyId(), "EC"),
                    signed.signature().asByteArray()), entry.getKey() + " DIGEST");
            assertTrue(kms.verify(r -> r.keyId(key.keyId()).message(MESSAGE).signature(signed.signature())
                    .signingAlgorithm(algorithm)).signatureValid(), "a digest's signature verifies for the message");
            assertError(400, "KMSInvalidSignatureException", "", () -> kms.verify(r -> r.keyId(key.keyId())
                    .message(SdkBytes.fromUtf8String("pay 43 to alice")).signature(signed.signature())
                    .signingAlgorithm(algorithm)));
            assertError(400, "ValidationException", "Digest is invalid length for algorithm " + algorithm + ".",
                    () -> kms.sign(r -> r.keyId(key.keyId()).message(MESSAGE).messageType(MessageType.DIGEST)
                            .signingAlgorithm(algorithm)));
        }
        KeyMetadata k1 = kms.createKey(r -> r.keySpec(KeySpec.ECC_SECG_P256_K1).keyUsage(KeyUsageType.SIGN_VERIFY))
                .keyMetadata();
        SdkBytes k1Signature = kms.sign(r -> r.keyId(k1.keyId()).message(MESSAGE)
                .signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256)).signature();
        assertTrue(kms.verify(r -> r.keyId(k1.keyId()).message(MESSAGE).signature(k1Signature)
                .signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256)).signatureValid());
    }

    @Test
    void rsaSignaturesOfBothSchemesVerifyWithTheJdk() throws Exception {
        KeyMetadata key = kms.createKey(r -> r.keySpec(KeySpec.RSA_2048).keyUsage(KeyUsageType.SIGN_VERIFY))
                .keyMetadata();
        assertEquals(6, key.signingAlgorithms().size());
        PublicKey publicKey = publicKey(key.keyId(), "RSA");
        byte[] pss = kms.sign(r -> r.keyId(key.keyId()).message(MESSAGE)
                .signingAlgorithm(SigningAlgorithmSpec.RSASSA_PSS_SHA_384)).signature().asByteArray();
        assertTrue(jdkVerifies("RSASSA-PSS", new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, 48, 1),
                publicKey, pss));
        SdkBytes digest = SdkBytes.fromByteArray(MessageDigest.getInstance("SHA-256").digest(MESSAGE.asByteArray()));
        byte[] pkcs1 = kms.sign(r -> r.keyId(key.keyId()).message(digest).messageType(MessageType.DIGEST)
                .signingAlgorithm(SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256)).signature().asByteArray();
        assertTrue(jdkVerifies("SHA256withRSA", null, publicKey, pkcs1));
        assertError(400, "InvalidKeyUsageException", "Algorithm ECDSA_SHA_256 is incompatible with key spec RSA_2048.",
                () -> kms.sign(r -> r.keyId(key.keyId()).message(MESSAGE)
                        .signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256)));
        assertError(400, "InvalidKeyUsageException", key.arn() + " key usage is SIGN_VERIFY which is not valid for"
                + " Encrypt.", () -> kms.encrypt(r -> r.keyId(key.keyId()).plaintext(MESSAGE)
                .encryptionAlgorithm(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256)));
    }

    @Test
    void rsaEncryptionWorksBothWaysWithKmsLimitsAndErrors() throws Exception {
        KeyMetadata key = kms.createKey(r -> r.keySpec(KeySpec.RSA_2048).keyUsage(KeyUsageType.ENCRYPT_DECRYPT))
                .keyMetadata();
        assertEquals(List.of(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256),
                key.encryptionAlgorithms());
        var encrypted = kms.encrypt(r -> r.keyId(key.keyId()).plaintext(MESSAGE)
                .encryptionAlgorithm(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256));
        assertEquals(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256, encrypted.encryptionAlgorithm());
        assertEquals(MESSAGE, kms.decrypt(r -> r.keyId(key.keyId()).ciphertextBlob(encrypted.ciphertextBlob())
                .encryptionAlgorithm(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256)).plaintext());

        // Encrypted outside KMS with the public key, decrypted by KMS.
        Cipher jdk = Cipher.getInstance("RSA/ECB/OAEPPadding");
        jdk.init(Cipher.ENCRYPT_MODE, publicKey(key.keyId(), "RSA"), new OAEPParameterSpec("SHA-1", "MGF1",
                MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT));
        SdkBytes outside = SdkBytes.fromByteArray(jdk.doFinal(MESSAGE.asByteArray()));
        assertEquals(MESSAGE, kms.decrypt(r -> r.keyId(key.arn()).ciphertextBlob(outside)
                .encryptionAlgorithm(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1)).plaintext());

        assertError(400, "ValidationException", "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data"
                + " larger than 190 bytes.", () -> kms.encrypt(r -> r.keyId(key.keyId())
                .plaintext(SdkBytes.fromByteArray(new byte[191]))
                .encryptionAlgorithm(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256)));
        assertError(400, "InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec"
                + " RSA_2048.", () -> kms.encrypt(r -> r.keyId(key.keyId()).plaintext(MESSAGE)));
        assertError(400, "InvalidCiphertextException", null, () -> kms.decrypt(r -> r
                .ciphertextBlob(encrypted.ciphertextBlob())));
        assertError(400, "InvalidCiphertextException", null, () -> kms.decrypt(r -> r.keyId(key.keyId())
                .ciphertextBlob(encrypted.ciphertextBlob())
                .encryptionAlgorithm(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1)));
        assertError(400, "InvalidKeyUsageException", key.arn() + " key spec is RSA_2048 which is not valid for"
                + " GenerateDataKey.", () -> kms.generateDataKey(r -> r.keyId(key.keyId()).numberOfBytes(32)));
        assertError(400, "ValidationException", null, () -> kms.createGrant(r -> r.keyId(key.keyId())
                .granteePrincipal(TestCrossrole.rootArn(SOURCE)).operations(GrantOperation.GENERATE_DATA_KEY)));
    }

    @Test
    void hmacKeysGenerateAndVerifyMacs() {
        KeyMetadata key = kms.createKey(r -> r.keySpec(KeySpec.HMAC_256).keyUsage(KeyUsageType.GENERATE_VERIFY_MAC))
                .keyMetadata();
        assertEquals(List.of(MacAlgorithmSpec.HMAC_SHA_256), key.macAlgorithms());
        assertEquals(KeySpec.HMAC_256, key.keySpec());
        var mac = kms.generateMac(r -> r.keyId(key.keyId()).message(MESSAGE)
                .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256));
        assertEquals(32, mac.mac().asByteArray().length);
        assertEquals(mac.mac(), kms.generateMac(r -> r.keyId(key.keyId()).message(MESSAGE)
                .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)).mac(), "HMAC is deterministic");
        assertTrue(kms.verifyMac(r -> r.keyId(key.keyId()).message(MESSAGE).mac(mac.mac())
                .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)).macValid());
        assertError(400, "KMSInvalidMacException", "", () -> kms.verifyMac(r -> r.keyId(key.keyId())
                .message(SdkBytes.fromUtf8String("other")).mac(mac.mac()).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)));
        assertError(400, "InvalidKeyUsageException", "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.",
                () -> kms.generateMac(r -> r.keyId(key.keyId()).message(MESSAGE)
                        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_512)));
        String symmetric = kms.createKey(r -> { }).keyMetadata().arn();
        assertError(400, "InvalidKeyUsageException", symmetric + " key usage is ENCRYPT_DECRYPT which is not valid for"
                + " GenerateMac.", () -> kms.generateMac(r -> r.keyId(symmetric).message(MESSAGE)
                .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)));
        assertError(400, "InvalidKeyUsageException", key.arn() + " key usage is GENERATE_VERIFY_MAC which is not valid"
                + " for Sign.", () -> kms.sign(r -> r.keyId(key.keyId()).message(MESSAGE)
                .signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256)));
        assertError(400, "UnsupportedOperationException", null, () -> kms.getPublicKey(r -> r.keyId(key.keyId())));
    }

    @Test
    void createKeyRefusesSpecsAndUsagesThatDoNotGoTogetherAndMakesNothing() {
        int before = kms.listKeys().keys().size();
        assertError(400, "ValidationException", "You must specify a KeyUsage value for all KMS keys except for"
                + " symmetric encryption keys.", () -> kms.createKey(r -> r.keySpec(KeySpec.HMAC_256)));
        assertError(400, "ValidationException", "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec"
                + " ECC_NIST_P256", () -> kms.createKey(r -> r.keySpec(KeySpec.ECC_NIST_P256)
                .keyUsage(KeyUsageType.ENCRYPT_DECRYPT)));
        assertError(400, "ValidationException", "KeyUsage SIGN_VERIFY is not compatible with KeySpec HMAC_384",
                () -> kms.createKey(r -> r.keySpec(KeySpec.HMAC_384).keyUsage(KeyUsageType.SIGN_VERIFY)));
        assertError(400, "UnsupportedOperationException", null, () -> kms.createKey(r -> r
                .keySpec("ML_DSA_44").keyUsage(KeyUsageType.SIGN_VERIFY)));
        assertEquals(before, kms.listKeys().keys().size());
    }

    @Test
    void dataKeyPairsAreProtectedBySymmetricKeys() throws Exception {
        String keyId = kms.createKey(r -> { }).keyMetadata().keyId();
        var pair = kms.generateDataKeyPair(r -> r.keyId(keyId).keyPairSpec(DataKeyPairSpec.ECC_NIST_P256)
                .encryptionContext(Map.of("purpose", "signing")));
        assertEquals(DataKeyPairSpec.ECC_NIST_P256, pair.keyPairSpec());
        assertEquals(pair.privateKeyPlaintext(), kms.decrypt(r -> r.ciphertextBlob(pair.privateKeyCiphertextBlob())
                .encryptionContext(Map.of("purpose", "signing"))).plaintext());
        KeyFactory ec = KeyFactory.getInstance("EC");
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(ec.generatePrivate(new PKCS8EncodedKeySpec(pair.privateKeyPlaintext().asByteArray())));
        signer.update(MESSAGE.asByteArray());
        byte[] signature = signer.sign();
        assertTrue(jdkVerifies("SHA256withECDSA", null, ec.generatePublic(new X509EncodedKeySpec(pair.publicKey()
                .asByteArray())), signature));

        var withoutPlaintext = kms.generateDataKeyPairWithoutPlaintext(r -> r.keyId(keyId)
                .keyPairSpec(DataKeyPairSpec.RSA_2048));
        byte[] privateKey = kms.decrypt(r -> r.ciphertextBlob(withoutPlaintext.privateKeyCiphertextBlob())).plaintext()
                .asByteArray();
        assertEquals("RSA", KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(privateKey))
                .getAlgorithm());
        String signing = kms.createKey(r -> r.keySpec(KeySpec.ECC_NIST_P256).keyUsage(KeyUsageType.SIGN_VERIFY))
                .keyMetadata().arn();
        assertError(400, "InvalidKeyUsageException", signing + " key usage is SIGN_VERIFY which is not valid for"
                + " GenerateDataKeyPair.", () -> kms.generateDataKeyPair(r -> r.keyId(signing)
                .keyPairSpec(DataKeyPairSpec.ECC_NIST_P256)));
    }

    @Test
    void asymmetricAndHmacKeyMaterialSurvivesARestart(@TempDir Path dir) throws Exception {
        String signingKey;
        String hmacKey;
        SdkBytes publicKey;
        SdkBytes signature;
        SdkBytes mac;
        try (var server = dev.crossrole.server.CrossroleServer.start(dev.crossrole.server.CrossroleServer.Options
                .defaults(dir).withPort(0)); KmsClient first = client(server)) {
            signingKey = first.createKey(r -> r.keySpec(KeySpec.ECC_NIST_P256).keyUsage(KeyUsageType.SIGN_VERIFY))
                    .keyMetadata().keyId();
            hmacKey = first.createKey(r -> r.keySpec(KeySpec.HMAC_512).keyUsage(KeyUsageType.GENERATE_VERIFY_MAC))
                    .keyMetadata().keyId();
            publicKey = first.getPublicKey(r -> r.keyId(signingKey)).publicKey();
            signature = first.sign(r -> r.keyId(signingKey).message(MESSAGE)
                    .signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256)).signature();
            mac = first.generateMac(r -> r.keyId(hmacKey).message(MESSAGE).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_512))
                    .mac();
        }
        try (var again = dev.crossrole.server.CrossroleServer.start(dev.crossrole.server.CrossroleServer.Options
                .defaults(dir).withPort(0)); KmsClient second = client(again)) {
            assertEquals(publicKey, second.getPublicKey(r -> r.keyId(signingKey)).publicKey());
            assertTrue(second.verify(r -> r.keyId(signingKey).message(MESSAGE).signature(signature)
                    .signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256)).signatureValid());
            SdkBytes resigned = second.sign(r -> r.keyId(signingKey).message(MESSAGE)
                    .signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256)).signature();
            assertTrue(jdkVerifies("SHA256withECDSA", null, KeyFactory.getInstance("EC").generatePublic(
                    new X509EncodedKeySpec(publicKey.asByteArray())), resigned.asByteArray()));
            assertArrayEquals(mac.asByteArray(), second.generateMac(r -> r.keyId(hmacKey).message(MESSAGE)
                    .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_512)).mac().asByteArray());
            assertEquals(List.of(MacAlgorithmSpec.HMAC_SHA_512), second.describeKey(r -> r.keyId(hmacKey))
                    .keyMetadata().macAlgorithms());
        }
    }

    private static KmsClient client(dev.crossrole.server.CrossroleServer server) {
        var admin = server.profiles().stream().filter(p -> p.account().id().equals(SOURCE)).findFirst().orElseThrow();
        return KmsClient.builder().endpointOverride(URI.create(server.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(admin.accessKeyId(),
                        admin.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }
}
