package dev.crossrole.server.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How crossrole serves HTTPS ({@code serve --tls}, {@code --tls-port}, {@code --tls-cert}, {@code --tls-key}).
 *
 * @param listener where HTTPS is served
 * @param certificate where the server's certificate and key come from
 */
public record TlsSettings(Listener listener, Source certificate) {
    public TlsSettings {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(certificate, "certificate");
    }

    /** HTTPS on the main port ({@code --tls}) with a certificate from the local CA. */
    public static TlsSettings onMainPort() {
        return new TlsSettings(new MainPort(), new LocalCa());
    }

    public TlsSettings withListener(Listener other) {
        return new TlsSettings(other, certificate);
    }

    public TlsSettings withCertificate(Source other) {
        return new TlsSettings(listener, other);
    }

    /** Where HTTPS is served. */
    public sealed interface Listener permits MainPort, OwnPort {}

    /** HTTPS on the port given by {@code --port}. */
    public record MainPort() implements Listener {}

    /** HTTPS on a port of its own ({@code --tls-port}; 0 for any free port), plain HTTP staying on the main port. */
    public record OwnPort(int port) implements Listener {
        public OwnPort {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("a port is between 0 and 65535, not " + port);
            }
        }
    }

    /** Where the server's certificate comes from. */
    public sealed interface Source permits LocalCa, PemFiles {}

    /** Issued by crossrole's own CA, made once in {@code <data-dir>/tls}. */
    public record LocalCa() implements Source {}

    /**
     * The operator's PEM files ({@code --tls-cert}, {@code --tls-key}).
     *
     * @param certificateChain the server certificate first, then any intermediates
     * @param privateKey the server certificate's key: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted
     */
    public record PemFiles(Path certificateChain, Path privateKey) implements Source {
        public PemFiles {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
        }
    }
}
