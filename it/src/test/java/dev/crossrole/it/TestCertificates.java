package dev.crossrole.it;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** Test certificates and keys, made with the JDK and BouncyCastle, in the PEM forms clients upload. */
final class TestCertificates {
    private TestCertificates() {}

    /** A certificate with its key pair. */
    record Issued(X509Certificate certificate, KeyPair keys) {
        String pem() {
            return TestCertificates.pem(certificate);
        }

        /** The private key as PKCS#8 ({@code BEGIN PRIVATE KEY}). */
        String privateKeyPem() {
            return TestCertificates.pem(new PemObject("PRIVATE KEY", keys.getPrivate().getEncoded()));
        }

        /** The private key as PKCS#1 ({@code BEGIN RSA PRIVATE KEY}), as OpenSSL 1.x writes it. */
        String rsaPrivateKeyPem() {
            return TestCertificates.pem(keys);
        }

        Instant notAfter() {
            return certificate.getNotAfter().toInstant();
        }
    }

    static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate valid from yesterday for a year (whole seconds, as X.509 keeps them), signed by {@code issuer}. */
    static Issued issue(String subject, Issued issuer, boolean ca) {
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return issue(subject, rsa(2048), issuer, ca, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)));
    }

    static Issued issue(String subject, KeyPair keys, Issued issuer, boolean ca, Instant notBefore, Instant notAfter) {
        try {
            X500Principal name = new X500Principal("CN=" + subject);
            X500Principal issuerName = issuer == null ? name : issuer.certificate().getSubjectX500Principal();
            PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.keys().getPrivate();
            var builder = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(System.nanoTime()),
                    Date.from(notBefore), Date.from(notAfter), name, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signingKey)));
            return new Issued(certificate, keys);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /** The id IAM gives a signing certificate, computed here independently: base32 (RFC 4648) of its DER's SHA-1. */
    static String signingCertificateId(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded());
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
            StringBuilder out = new StringBuilder();
            BigInteger bits = new BigInteger(1, digest);
            for (int i = 31; i >= 0; i--) { // 160 bits, 32 symbols of 5
                out.append(alphabet.charAt(bits.shiftRight(i * 5).intValue() & 31));
            }
            return out.toString();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
