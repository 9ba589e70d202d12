package dev.crossrole.server.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues the local CA's certificate and the server certificates it signs, with BouncyCastle's certificate
 * builder (the JDK can verify certificates but has no public API to make one); keys and signatures come from
 * the JDK's providers.
 *
 * <p>Keys are EC P-256 with ECDSA-SHA256 signatures: every client crossrole serves accepts them (OpenSSL under
 * the AWS CLI and boto3, JSSE under the SDK for Java, Node's OpenSSL under the SDK for JavaScript), a key is made
 * in a millisecond, and a handshake's server signature costs a fraction of an RSA-2048 one.
 */
final class Certificates {
    /** How long the local CA lasts: long enough never to be re-trusted in a project's life. */
    static final Duration AUTHORITY_VALIDITY = Duration.ofDays(3650);
    /**
     * How long a server certificate lasts: under the 398 days that Apple's and the browsers' rules allow a TLS
     * server certificate, so that no client refuses it for its lifetime.
     */
    static final Duration SERVER_VALIDITY = Duration.ofDays(397);
    /** Certificates start a little in the past: a client whose clock runs behind still accepts a new one. */
    static final Duration BACKDATE = Duration.ofHours(1);
    private static final String SIGNATURE = "SHA256withECDSA";

    private Certificates() {}

    static KeyPair newKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
        }
    }

    /** A self-signed CA certificate that may sign server certificates (and nothing below them). */
    static X509Certificate authority(KeyPair pair, String commonName, Instant now, SecureRandom random) {
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "crossrole")
                .addRDN(BCStyle.CN, commonName).build();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(random),
                Date.from(now.minus(BACKDATE)), Date.from(now.plus(AUTHORITY_VALIDITY)), name, pair.getPublic());
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(pair.getPublic()));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("building the CA certificate", e);
        }
        return sign(builder, pair.getPrivate());
    }

    /**
     * A server certificate for {@code names}, signed by {@code authority}; it lasts {@link #SERVER_VALIDITY} or
     * until the authority expires, whichever is sooner.
     */
    static X509Certificate server(PublicKey serverKey, ServerNames names, X509Certificate authority,
                                  PrivateKey authorityKey, Instant now, SecureRandom random) {
        X500Name issuer = X500Name.getInstance(authority.getSubjectX500Principal().getEncoded());
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "crossrole")
                .addRDN(BCStyle.CN, "localhost").build();
        Instant end = now.plus(SERVER_VALIDITY);
        if (end.isAfter(authority.getNotAfter().toInstant())) {
            end = authority.getNotAfter().toInstant();
        }
        List<GeneralName> alternatives = new ArrayList<>();
        for (String dns : names.dnsNames()) {
            alternatives.add(new GeneralName(GeneralName.dNSName, dns));
        }
        for (String ip : names.ipAddresses()) {
            alternatives.add(new GeneralName(GeneralName.iPAddress, ip));
        }
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial(random),
                Date.from(now.minus(BACKDATE)), Date.from(end), subject, serverKey);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(alternatives.toArray(GeneralName[]::new)))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(serverKey))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(authority));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("building the server certificate", e);
        }
        return sign(builder, authorityKey);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
        } catch (OperatorCreationException | java.security.cert.CertificateException e) {
            throw new IllegalStateException("signing a certificate", e);
        }
    }

    /** A positive serial of 127 random bits: unique without a counter, within RFC 5280's 20 octets. */
    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).setBit(0);
    }
}
