package dev.crossrole.server.iam;

import dev.crossrole.server.protocol.AwsException;
import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM certificates and private keys as IAM reads them for server and signing certificates, with IAM's errors:
 * {@code MalformedCertificate} for what cannot be read, has expired or is out of order in a chain,
 * {@code KeyPairMismatch} for a private key that is not the certificate's. Read with BouncyCastle's PEM codec (the
 * JDK reads neither PEM nor PKCS#1/SEC1 keys); keys and certificates become JDK objects through the JDK's own
 * factories.
 */
final class CertificateMaterial {
    /** IAM's message for a body or chain that is not PEM certificates. */
    static final String UNPARSABLE = "Unable to parse certificate. Please ensure the certificate is in PEM format.";
    static final String UNPARSABLE_KEY = "Invalid Private Key.";
    static final String EXPIRED = "The certificate has expired.";
    static final String NOT_YET_VALID = "The certificate is not valid yet.";
    static final String MISMATCH = "The public key certificate and private key do not match.";

    private CertificateMaterial() {}

    static AwsException malformed(String message) {
        return new AwsException("MalformedCertificate", 400, message);
    }

    /** The one certificate of a PEM body. */
    static X509Certificate certificate(String pem) {
        List<X509Certificate> certificates = certificates(pem);
        if (certificates.size() != 1) {
            throw malformed(UNPARSABLE);
        }
        return certificates.get(0);
    }

    /** Every certificate of a PEM text, in order; anything else in it, or none at all, is malformed. */
    static List<X509Certificate> certificates(String pem) {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : objects(pem, UNPARSABLE)) {
            if (!(object instanceof X509CertificateHolder holder)) {
                throw malformed(UNPARSABLE);
            }
            try {
                out.add(converter.getCertificate(holder));
            } catch (CertificateException | RuntimeException e) {
                throw malformed(UNPARSABLE);
            }
        }
        if (out.isEmpty()) {
            throw malformed(UNPARSABLE);
        }
        return out;
    }

    /** The one unencrypted private key of a PEM text: PKCS#8, PKCS#1 (RSA) or SEC1 (EC). */
    static PrivateKey privateKey(String pem) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        PrivateKey found = null;
        for (Object object : objects(pem, UNPARSABLE_KEY)) {
            PrivateKey key;
            try {
                if (object instanceof PrivateKeyInfo info) {
                    key = converter.getPrivateKey(info);
                } else if (object instanceof PEMKeyPair pair) {
                    key = converter.getPrivateKey(withParameters(pair));
                } else if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                    throw malformed(UNPARSABLE_KEY); // IAM takes the key unencrypted
                } else {
                    continue; // EC PARAMETERS beside the key
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof AwsException aws) {
                    throw aws;
                }
                throw malformed(UNPARSABLE_KEY);
            }
            if (found != null) {
                throw malformed(UNPARSABLE_KEY);
            }
            found = key;
        }
        if (found == null) {
            throw malformed(UNPARSABLE_KEY);
        }
        return found;
    }

    /**
     * The private key of a PKCS#1 or SEC1 pair. A SEC1 key may leave its curve to the public key beside it (as
     * BouncyCastle writes one); the JDK then needs the curve named in the algorithm identifier.
     */
    private static PrivateKeyInfo withParameters(PEMKeyPair pair) throws IOException {
        PrivateKeyInfo info = pair.getPrivateKeyInfo();
        if (info.getPrivateKeyAlgorithm().getParameters() == null && pair.getPublicKeyInfo() != null
                && pair.getPublicKeyInfo().getAlgorithm().getParameters() != null) {
            return new PrivateKeyInfo(pair.getPublicKeyInfo().getAlgorithm(), info.parsePrivateKey());
        }
        return info;
    }

    private static List<Object> objects(String pem, String failure) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            List<Object> out = new ArrayList<>();
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                out.add(object);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            // PEMParser reports a damaged block (bad base64, bad DER) as either.
            throw malformed(failure);
        }
    }

    /** Refuses a certificate that has expired, or is not valid yet. */
    static void checkValidity(X509Certificate certificate, Instant now) {
        if (certificate.getNotAfter().toInstant().isBefore(now)) {
            throw malformed(EXPIRED);
        }
        if (certificate.getNotBefore().toInstant().isAfter(now)) {
            throw malformed(NOT_YET_VALID);
        }
    }

    /**
     * Checks that each certificate of the chain signed the one before it, the first the body, as IAM requires: "the
     * certificate chain must start with the immediate signing certificate, followed by any intermediaries in order".
     * The index IAM reports counts the chain's certificates from 1.
     */
    static void checkChain(X509Certificate body, List<X509Certificate> chain) {
        X509Certificate subject = body;
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate issuer = chain.get(i);
            if (!signedBy(subject, issuer)) {
                throw malformed("Unable to validate certificate chain. The certificate chain must start with the"
                        + " immediate signing certificate, followed by any intermediaries in order. The index within"
                        + " the chain of the invalid certificate is: " + (i + 1));
            }
            subject = issuer;
        }
    }

    private static boolean signedBy(X509Certificate subject, X509Certificate issuer) {
        if (!subject.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            subject.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether {@code key} is the private half of {@code publicKey}: a signature made with one verifies with the
     * other, which holds for every key type without comparing encodings.
     */
    static boolean matches(PrivateKey key, PublicKey publicKey) {
        String algorithm = dev.crossrole.server.crypto.KeyPossession.algorithm(key);
        return algorithm != null && dev.crossrole.server.crypto.KeyPossession.matches(key, publicKey, algorithm);
    }

    /** IAM's id of a signing certificate: the base32 SHA-1 digest of its DER encoding (32 characters). */
    static String signingCertificateId(X509Certificate certificate) {
        try {
            return AccessKeys.base32(MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded()));
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            throw malformed(UNPARSABLE);
        }
    }
}
