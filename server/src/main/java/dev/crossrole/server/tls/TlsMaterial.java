package dev.crossrole.server.tls;

import dev.crossrole.server.store.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * What an HTTPS listener needs: the server's key and certificate chain as a PKCS12 key store held in memory,
 * and an {@link SSLContext} made from it. A listener takes either: the context itself, or (Jetty's
 * {@code SslContextFactory.Server}) the key store with its password. Everything is checked when it is prepared,
 * so that a certificate that cannot be served stops crossrole's start rather than its first handshake.
 */
public final class TlsMaterial {
    /** The key store's one entry. */
    public static final String KEY_ALIAS = "crossrole";

    private final TlsSettings settings;
    private final KeyStore keyStore;
    private final char[] keyStorePassword;
    private final SSLContext sslContext;
    private final List<X509Certificate> chain;
    private final LocalCaFiles localCa;

    /**
     * The local CA's files, for the user to trust.
     *
     * @param certificate the CA certificate in PEM ({@code AWS_CA_BUNDLE}, {@code NODE_EXTRA_CA_CERTS})
     * @param trustStore a PKCS12 trust store holding it ({@code -Djavax.net.ssl.trustStore})
     * @param trustStorePassword the trust store's password ({@code -Djavax.net.ssl.trustStorePassword})
     */
    public record LocalCaFiles(Path certificate, Path trustStore, String trustStorePassword) {}

    private TlsMaterial(TlsSettings settings, KeyStore keyStore, char[] keyStorePassword, SSLContext sslContext,
                        List<X509Certificate> chain, LocalCaFiles localCa) {
        this.settings = settings;
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
        this.sslContext = sslContext;
        this.chain = chain;
        this.localCa = localCa;
    }

    /**
     * Reads or makes the material {@code settings} asks for.
     *
     * @param dataDir the data directory; the local CA lives in its {@code tls} folder
     * @param names what the server certificate must name, when the local CA issues it
     * @param clock the real time: clients judge a certificate's dates by their own clock, not an injected one
     * @throws TlsException when the operator's files, or the local CA's, cannot be used; the message says why
     */
    public static TlsMaterial prepare(TlsSettings settings, Path dataDir, ServerNames names, Clock clock)
            throws TlsException, IOException {
        Instant now = clock.instant();
        SecureRandom random = new SecureRandom();
        List<X509Certificate> chain;
        PrivateKey key;
        LocalCaFiles localCa = null;
        if (settings.certificate() instanceof TlsSettings.PemFiles files) {
            chain = Pem.readCertificates(files.certificateChain(), "--tls-cert " + files.certificateChain());
            key = Pem.readPrivateKey(files.privateKey(), "--tls-key " + files.privateKey());
            checkOperatorChain(chain, key, files, now);
        } else {
            Path folder = dataDir.resolve(LocalCa.FOLDER);
            PrivateFiles.createDirectories(folder);
            // One crossrole at a time makes or renews the CA, even two started at once on one data directory.
            try (FileChannel lockFile = PrivateFiles.open(folder.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
                LocalCa ca = LocalCa.loadOrCreate(folder, now, random);
                LocalCa.Issued issued = ca.serverCertificate(names, now, random);
                chain = issued.chain();
                key = issued.key();
                localCa = new LocalCaFiles(ca.certificateFile(), ca.trustStoreFile(), LocalCa.TRUST_STORE_PASSWORD);
            }
        }
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        // Held in memory only: the password merely satisfies the key store API.
        char[] password = HexFormat.of().formatHex(secret).toCharArray();
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(KEY_ALIAS, key, password, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, random);
            return new TlsMaterial(settings, store, password, context, chain, localCa);
        } catch (GeneralSecurityException e) {
            throw new TlsException("the server certificate cannot be served: " + e.getMessage(), e);
        }
    }

    /** The operator's chain: its key, its dates, each certificate issued by the next. */
    private static void checkOperatorChain(List<X509Certificate> chain, PrivateKey key, TlsSettings.PemFiles files,
                                           Instant now) throws TlsException {
        String keyLabel = "--tls-key " + files.privateKey();
        if (!Pem.matches(key, chain.get(0).getPublicKey(), keyLabel)) {
            throw new TlsException(keyLabel + " is not the key of the first certificate in --tls-cert "
                    + files.certificateChain() + " (" + chain.get(0).getSubjectX500Principal().getName() + ")");
        }
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate certificate = chain.get(i);
            String which = "--tls-cert " + files.certificateChain() + ": certificate " + (i + 1) + " ("
                    + certificate.getSubjectX500Principal().getName() + ")";
            try {
                certificate.checkValidity(Date.from(now));
            } catch (CertificateExpiredException e) {
                throw new TlsException(which + " expired on " + certificate.getNotAfter().toInstant(), e);
            } catch (CertificateNotYetValidException e) {
                throw new TlsException(which + " is not valid before " + certificate.getNotBefore().toInstant(), e);
            }
            if (i + 1 < chain.size()) {
                try {
                    certificate.verify(chain.get(i + 1).getPublicKey());
                } catch (GeneralSecurityException e) {
                    throw new TlsException(which + " is not issued by the certificate after it; the file lists the"
                            + " server certificate first, then each issuer in turn", e);
                }
            }
        }
    }

    public TlsSettings settings() {
        return settings;
    }

    /** The PKCS12 key store (in memory) holding the key and chain under {@link #KEY_ALIAS}. */
    public KeyStore keyStore() {
        return keyStore;
    }

    /** The password of {@link #keyStore()} and of its key entry. */
    public char[] keyStorePassword() {
        return keyStorePassword.clone();
    }

    /** A server-side TLS context serving the certificate. */
    public SSLContext sslContext() {
        return sslContext;
    }

    /** The chain served: the server certificate first. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** The DNS names and IP addresses the served certificate carries (its subjectAltName). */
    public List<String> names() {
        try {
            return LocalCa.namesOf(chain.get(0)).all();
        } catch (java.security.cert.CertificateParsingException e) {
            return List.of();
        }
    }

    /** The local CA's files when the certificate came from it; empty with the operator's own certificate. */
    public Optional<LocalCaFiles> localCa() {
        return Optional.ofNullable(localCa);
    }
}
