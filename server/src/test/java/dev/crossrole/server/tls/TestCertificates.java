package dev.crossrole.server.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** Keys and certificates an operator might bring, in the PEM encodings tools write them in. */
final class TestCertificates {
    private TestCertificates() {}

    static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    static KeyPair ec() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A certificate for {@code subject}'s public key, signed by {@code issuerKey} in the name of {@code issuer}. */
    static X509Certificate issue(String subject, KeyPair subjectKeys, String issuer, PrivateKey issuerKey,
                                 Instant notBefore, Instant notAfter, boolean ca) throws Exception {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(System.nanoTime()), Date.from(notBefore), Date.from(notAfter), new X500Name(subject),
                subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, ca ? new BasicConstraints(0) : new BasicConstraints(false));
        if (!ca) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }
        String algorithm = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
    }

    static X509Certificate selfSigned(String subject, KeyPair keys, Instant notBefore, Instant notAfter) throws Exception {
        return issue(subject, keys, subject, keys.getPrivate(), notBefore, notAfter, false);
    }

    /** PKCS#8: {@code -----BEGIN PRIVATE KEY-----}. */
    static String pkcs8(PrivateKey key) throws IOException {
        return pem(new PemObject("PRIVATE KEY", key.getEncoded()));
    }

    /** PKCS#1 ({@code -----BEGIN RSA PRIVATE KEY-----}), as OpenSSL's traditional format writes an RSA key. */
    static String pkcs1(PrivateKey key) throws IOException {
        return pem(key);
    }

    /**
     * SEC1 ({@code -----BEGIN EC PRIVATE KEY-----}) naming its curve, as OpenSSL writes an EC key; with the
     * public key or (SEC1 makes it optional) without.
     */
    static String sec1(KeyPair keys, boolean withPublicKey) throws IOException {
        BigInteger secret = ((java.security.interfaces.ECPrivateKey) keys.getPrivate()).getS();
        byte[] point = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData().getBytes();
        ECPrivateKey sec1 = withPublicKey
                ? new ECPrivateKey(256, secret, new DERBitString(point), SECObjectIdentifiers.secp256r1)
                : new ECPrivateKey(256, secret, SECObjectIdentifiers.secp256r1);
        return pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }

    static String certificates(X509Certificate... certificates) throws IOException {
        return Pem.certificates(List.of(certificates));
    }

    static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    static Path write(Path file, String content) throws IOException {
        Files.writeString(file, content);
        return file;
    }
}
