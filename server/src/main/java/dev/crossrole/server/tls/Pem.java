package dev.crossrole.server.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import dev.crossrole.server.crypto.KeyPossession;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificates and private keys in PEM files, read and written with BouncyCastle's PEM codec (the JDK reads
 * neither PEM nor PKCS#1/SEC1 keys). Keys become JDK keys through the JDK's own key factories: no security
 * provider is installed.
 */
final class Pem {
    private Pem() {}

    /** The certificates of {@code file} in the order written; {@code label} names the file in messages. */
    static List<X509Certificate> readCertificates(Path file, String label) throws TlsException {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : objects(file, label)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    out.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new TlsException(label + ": certificate " + (out.size() + 1) + " cannot be read: " + e.getMessage(), e);
                }
            }
        }
        if (out.isEmpty()) {
            throw new TlsException(label + " holds no PEM certificate (a block -----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(out);
    }

    /** The one private key of {@code file}: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted. */
    static PrivateKey readPrivateKey(Path file, String label) throws TlsException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        PrivateKey found = null;
        for (Object object : objects(file, label)) {
            PrivateKey key;
            try {
                if (object instanceof PrivateKeyInfo info) {
                    key = converter.getPrivateKey(info);
                } else if (object instanceof PEMKeyPair pair) {
                    // The private half alone: SEC1 makes the public key optional, and some writers leave it out.
                    key = converter.getPrivateKey(pair.getPrivateKeyInfo());
                } else if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                    throw new TlsException(label + " holds an encrypted private key; crossrole reads unencrypted keys"
                            + " (decrypt it: openssl pkey -in KEY -out PLAIN.pem, and keep PLAIN.pem private)");
                } else {
                    continue; // EC PARAMETERS blocks, certificates beside the key
                }
            } catch (IOException e) {
                throw new TlsException(label + ": the private key cannot be read: " + e.getMessage(), e);
            }
            if (found != null) {
                throw new TlsException(label + " holds more than one private key; give the server certificate's key alone");
            }
            found = key;
        }
        if (found == null) {
            throw new TlsException(label + " holds no PEM private key (a block -----BEGIN PRIVATE KEY-----, "
                    + "-----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
        }
        return found;
    }

    private static List<Object> objects(Path file, String label) throws TlsException {
        if (Files.isDirectory(file)) {
            throw new TlsException(label + " is a folder, not a PEM file");
        }
        // ISO-8859-1 maps every byte: a binary (DER) file is read as text holding no PEM block, not as an error.
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
             PEMParser parser = new PEMParser(reader)) {
            List<Object> out = new ArrayList<>();
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                out.add(object);
            }
            return out;
        } catch (NoSuchFileException e) {
            throw new TlsException(label + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new TlsException(label + " cannot be read: permission denied", e);
        } catch (IOException | RuntimeException e) {
            // PEMParser reports a damaged block (bad base64, bad DER) as either.
            throw new TlsException(label + " is not a valid PEM file: " + e.getMessage(), e);
        }
    }

    /** The PEM text of {@code certificates}, one block each. */
    static String certificates(List<X509Certificate> certificates) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (X509Certificate certificate : certificates) {
                writer.writeObject(certificate);
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing PEM to memory", e);
        }
        return out.toString();
    }

    /** The PEM text of {@code key} as PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}). */
    static String privateKey(PrivateKey key) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
        } catch (IOException e) {
            throw new IllegalStateException("writing PEM to memory", e);
        }
        return out.toString();
    }

    /**
     * Whether {@code key} is the private half of {@code publicKey}: a signature made with one verifies with the
     * other, which holds for every key type without comparing their encodings.
     *
     * @throws TlsException for a key type crossrole does not serve
     */
    static boolean matches(PrivateKey key, PublicKey publicKey, String label) throws TlsException {
        String algorithm = KeyPossession.algorithm(key);
        if (algorithm == null || algorithm.equals("SHA256withDSA")) {
            throw new TlsException(label + " holds a " + key.getAlgorithm()
                    + " key; crossrole serves RSA, EC and EdDSA keys");
        }
        return KeyPossession.matches(key, publicKey, algorithm);
    }
}
