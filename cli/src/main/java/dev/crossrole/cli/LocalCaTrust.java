package dev.crossrole.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * How the CLI trusts an HTTPS crossrole: the certificates the JVM trusts, and crossrole's own local CA
 * ({@code <data-dir>/tls/ca.pem}, which {@code serve --tls} made) when the data directory holds one — so
 * {@code why}, {@code logs} and {@code exec} reach {@code https://} endpoints without any setting.
 */
final class LocalCaTrust {
    static final String CA_FILE = "tls/ca.pem";

    private LocalCaTrust() {}

    /** An SSLContext trusting the JVM's roots and, if present, the data directory's CA. */
    static SSLContext context(Path dataDir) throws IOException {
        try {
            X509TrustManager system = trustManager(null);
            Path ca = dataDir.resolve(CA_FILE);
            X509TrustManager local = null;
            if (Files.isRegularFile(ca)) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                try (InputStream in = Files.newInputStream(ca)) {
                    store.setCertificateEntry("crossrole-local-ca",
                            CertificateFactory.getInstance("X.509").generateCertificate(in));
                }
                local = trustManager(store);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[] {local == null ? system : either(local, system)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read crossrole's CA in " + dataDir.resolve(CA_FILE) + ": " + e.getMessage(), e);
        }
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (javax.net.ssl.TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    /** Trusts a server chain either manager trusts (the local CA first). */
    private static X509TrustManager either(X509TrustManager first, X509TrustManager second) {
        return new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("the CLI does not accept client certificates");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                try {
                    first.checkServerTrusted(chain, authType);
                } catch (CertificateException notLocal) {
                    second.checkServerTrusted(chain, authType);
                }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                X509Certificate[] a = first.getAcceptedIssuers();
                X509Certificate[] b = second.getAcceptedIssuers();
                X509Certificate[] all = java.util.Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, all, a.length, b.length);
                return all;
            }
        };
    }
}
