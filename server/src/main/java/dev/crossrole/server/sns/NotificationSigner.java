package dev.crossrole.server.sns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Signs notifications as SNS does: an RSA key whose self-signed certificate crossrole serves at the envelope's
 * {@code SigningCertURL}, so that a subscriber that verifies SNS signatures can verify crossrole's. The key is made
 * the first time a notification is signed (inside that store write) and kept in the store, so a restart, and every
 * node sharing the store, signs with the same key.
 */
final class NotificationSigner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private final TopicDirectory directory;
    private final SecureRandom random = new SecureRandom();
    private volatile Loaded loaded;

    /** The key with its certificate, and the name the certificate is served under (from its digest). */
    private record Loaded(byte[] stored, PrivateKey key, X509Certificate certificate, String fileName) {}

    NotificationSigner(TopicDirectory directory) {
        this.directory = directory;
    }

    /** The file name of the certificate in SigningCertURL; makes the key if there is none yet (inside a write). */
    String certificateName() {
        return current(true).fileName();
    }

    /** The certificate as PEM when {@code fileName} names the current one; {@code null} otherwise. */
    String certificatePem(String fileName) {
        Loaded now = current(false);
        if (now == null || !now.fileName().equals(fileName)) {
            return null;
        }
        try {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(now.certificate().getEncoded()) + "\n-----END CERTIFICATE-----\n";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs a notification's string to sign: SHA1withRSA for SignatureVersion 1, SHA256withRSA for 2. */
    String sign(String stringToSign, String signatureVersion) {
        try {
            Signature signature = Signature.getInstance("2".equals(signatureVersion) ? "SHA256withRSA" : "SHA1withRSA");
            signature.initSign(current(true).key());
            signature.update(stringToSign.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing a notification", e);
        }
    }

    private Loaded current(boolean create) {
        byte[] stored = directory.signingKey().orElse(null);
        if (stored == null) {
            if (!create) {
                return null;
            }
            stored = newKey();
            directory.signingKey(stored);
        }
        Loaded known = loaded;
        if (known != null && known.stored() == stored) {
            return known;
        }
        known = load(stored);
        loaded = known;
        return known;
    }

    private static Loaded load(byte[] stored) {
        try {
            JsonNode node = JSON.readTree(stored);
            PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
                    Base64.getDecoder().decode(node.get("key").asText())));
            byte[] der = Base64.getDecoder().decode(node.get("certificate").asText());
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(der));
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der)).substring(0, 32);
            return new Loaded(stored, key, certificate, "SimpleNotificationService-" + digest + ".pem");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the stored SNS signing key does not load", e);
        }
    }

    private byte[] newKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, random);
            KeyPair pair = generator.generateKeyPair();
            X500Name name = new X500Name("O=crossrole,CN=sns.amazonaws.com");
            Instant now = Instant.now();
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    new JcaX509v3CertificateBuilder(name, new BigInteger(127, random).setBit(0),
                            Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), name,
                            pair.getPublic()).build(new JcaContentSignerBuilder("SHA256withRSA")
                            .build(pair.getPrivate())));
            return JSON.writeValueAsBytes(JSON.createObjectNode()
                    .put("key", Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()))
                    .put("certificate", Base64.getEncoder().encodeToString(certificate.getEncoded())));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("making the SNS signing key", e);
        }
    }
}
