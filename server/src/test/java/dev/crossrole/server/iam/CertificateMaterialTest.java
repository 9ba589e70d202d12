package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.protocol.AwsException;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;

/**
 * Certificates and keys read as IAM reads them: PEM certificates, chains in order, PKCS#8, PKCS#1 and SEC1 keys,
 * whether a key is the certificate's, and the id IAM gives a signing certificate. Test certificates are made here
 * with BouncyCastle.
 */
class CertificateMaterialTest {
    private static final Instant NOW = Instant.now();

    record Issued(X509Certificate certificate, KeyPair keys) {}

    static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    static KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A certificate for {@code subject}, signed by {@code issuer} (itself when {@code null}). */
    static Issued issue(String subject, KeyPair keys, Issued issuer, boolean ca, Instant notBefore, Instant notAfter)
            throws Exception {
        X500Principal name = new X500Principal("CN=" + subject);
        X500Principal issuerName = issuer == null ? name : issuer.certificate().getSubjectX500Principal();
        PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.keys().getPrivate();
        var builder = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(System.nanoTime()),
                Date.from(notBefore), Date.from(notAfter), name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        String algorithm = signingKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(signingKey)));
        return new Issued(certificate, keys);
    }

    static Issued issue(String subject, KeyPair keys, Issued issuer, boolean ca) throws Exception {
        return issue(subject, keys, issuer, ca, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365)));
    }

    static String pem(Object... objects) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        }
        return out.toString();
    }

    static String pkcs8(PrivateKey key) throws IOException {
        return pem(new PemObject("PRIVATE KEY", key.getEncoded()));
    }

    /** SEC1 as OpenSSL writes it ({@code BEGIN EC PRIVATE KEY}, the curve named inside). */
    static String sec1(PrivateKey key) throws IOException {
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(
                key.getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(
                info.parsePrivateKey());
        return pem(new PemObject("EC PRIVATE KEY", new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
                info.getPrivateKeyAlgorithm().getParameters()).getEncoded()));
    }

    private static void assertMalformed(String message, org.junit.jupiter.api.function.Executable call) {
        AwsException e = assertThrows(AwsException.class, call);
        assertEquals("MalformedCertificate", e.code());
        assertEquals(400, e.httpStatus());
        assertEquals(message, e.getMessage());
    }

    @Test
    void aChainInOrderIsValidAndOneOutOfOrderIsNamedByItsPosition() throws Exception {
        Issued root = issue("Test Root", rsa(), null, true);
        Issued intermediate = issue("Test Intermediate", rsa(), root, true);
        Issued leaf = issue("www.example.com", rsa(), intermediate, false);

        X509Certificate body = CertificateMaterial.certificate(pem(leaf.certificate()));
        assertEquals(leaf.certificate(), body);
        List<X509Certificate> chain = CertificateMaterial.certificates(pem(intermediate.certificate(), root.certificate()));
        assertEquals(List.of(intermediate.certificate(), root.certificate()), chain);
        CertificateMaterial.checkChain(body, chain);
        CertificateMaterial.checkChain(body, List.of(intermediate.certificate())); // the root may be left out

        String outOfOrder = "Unable to validate certificate chain. The certificate chain must start with the immediate"
                + " signing certificate, followed by any intermediaries in order. The index within the chain of the"
                + " invalid certificate is: ";
        assertMalformed(outOfOrder + "1", () -> CertificateMaterial.checkChain(body,
                List.of(root.certificate(), intermediate.certificate())));
        // The leaf itself at the head of the chain, as nginx bundles are written.
        assertMalformed(outOfOrder + "1", () -> CertificateMaterial.checkChain(body,
                List.of(leaf.certificate(), intermediate.certificate())));
        Issued stranger = issue("Other Root", rsa(), null, true);
        assertMalformed(outOfOrder + "2", () -> CertificateMaterial.checkChain(body,
                List.of(intermediate.certificate(), stranger.certificate())));
    }

    @Test
    void whatIsNotAPemCertificateIsMalformed() throws Exception {
        Issued leaf = issue("www.example.com", rsa(), null, false);
        String body = pem(leaf.certificate());
        for (String bad : List.of("notacert", "", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", body + body,
                pkcs8(leaf.keys().getPrivate()))) {
            assertMalformed(CertificateMaterial.UNPARSABLE, () -> CertificateMaterial.certificate(bad));
        }
        Issued expired = issue("old.example.com", rsa(), null, false, NOW.minus(Duration.ofDays(30)),
                NOW.minus(Duration.ofDays(1)));
        assertMalformed(CertificateMaterial.EXPIRED, () -> CertificateMaterial.checkValidity(expired.certificate(), NOW));
        CertificateMaterial.checkValidity(leaf.certificate(), NOW);
    }

    @Test
    void privateKeysAreReadInEveryUnencryptedPemFormAndMatchedToTheirCertificate() throws Exception {
        KeyPair rsa = rsa();
        Issued rsaCertificate = issue("rsa.example.com", rsa, null, false);
        KeyPair ec = ec();
        Issued ecCertificate = issue("ec.example.com", ec, null, false);

        PrivateKey pkcs8 = CertificateMaterial.privateKey(pkcs8(rsa.getPrivate()));
        String pkcs1Text = pem(rsa);
        assertTrue(pkcs1Text.startsWith("-----BEGIN RSA PRIVATE KEY-----"), pkcs1Text);
        PrivateKey pkcs1 = CertificateMaterial.privateKey(pkcs1Text);
        String sec1Text = sec1(ec.getPrivate());
        assertTrue(sec1Text.startsWith("-----BEGIN EC PRIVATE KEY-----"), sec1Text);
        PrivateKey sec1 = CertificateMaterial.privateKey(sec1Text);

        assertTrue(CertificateMaterial.matches(pkcs8, rsaCertificate.certificate().getPublicKey()));
        assertTrue(CertificateMaterial.matches(pkcs1, rsaCertificate.certificate().getPublicKey()));
        assertTrue(CertificateMaterial.matches(sec1, ecCertificate.certificate().getPublicKey()));
        assertFalse(CertificateMaterial.matches(pkcs8, ecCertificate.certificate().getPublicKey()), "another type");
        assertFalse(CertificateMaterial.matches(CertificateMaterial.privateKey(pkcs8(rsa().getPrivate())),
                rsaCertificate.certificate().getPublicKey()), "another RSA key");

        for (String bad : List.of("notakey", pem(rsaCertificate.certificate()), pkcs1Text + pkcs1Text,
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n"
                        + "-----END ENCRYPTED PRIVATE KEY-----\n")) {
            assertMalformed(CertificateMaterial.UNPARSABLE_KEY, () -> CertificateMaterial.privateKey(bad));
        }
    }

    /**
     * IAM's signing certificate id is the base32 SHA-1 of the DER certificate: this certificate and its id are an
     * UploadSigningCertificate response recorded from AWS (in the fog-aws project's tests).
     */
    @Test
    void aSigningCertificatesIdIsTheBase32Sha1OfItsDer() {
        String recorded = """
                -----BEGIN CERTIFICATE-----
                MIIBrjCCAVigAwIBAgIJAJAOioXmW9VvMA0GCSqGSIb3DQEBBQUAMBwxGjAYBgNV
                BAMTEU5vcmloaXRvIFlvc2hpb2thMB4XDTEwMDkwODA5MDgyM1oXDTEwMTAwODA5
                MDgyM1owHDEaMBgGA1UEAxMRTm9yaWhpdG8gWW9zaGlva2EwXDANBgkqhkiG9w0B
                AQEFAANLADBIAkEA0IDAJgXhdMhjLEiG1TMOZgeInMGidxVn0jukTZujWZ2iawpr
                B+Qgw4AOvfOOif1ZAzJ2N4Y3DOyuuEYTZhQ+nQIDAQABo30wezAdBgNVHQ4EFgQU
                7+EbzgqFJ5H4f+F8tVVclyuhAnswTAYDVR0jBEUwQ4AU7+EbzgqFJ5H4f+F8tVVc
                lyuhAnuhIKQeMBwxGjAYBgNVBAMTEU5vcmloaXRvIFlvc2hpb2thggkAkA6KheZb
                1W8wDAYDVR0TBAUwAwEB/zANBgkqhkiG9w0BAQUFAANBAHumka+fYPGm15+8m4kq
                go6GPf+b8JYNClRmsus93/YdLSJJeXdTvaCcnBQWJCXaQ5UCr1qZ5Kiu9+0/Vk34
                nXg=
                -----END CERTIFICATE-----
                """;
        assertEquals("PBEX2T7R5DA3SVZHQDK2HQ2G3ZOP7SYA",
                CertificateMaterial.signingCertificateId(CertificateMaterial.certificate(recorded)));
    }
}
