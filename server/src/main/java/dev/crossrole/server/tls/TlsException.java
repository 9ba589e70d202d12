package dev.crossrole.server.tls;

/** TLS material that cannot be used; the message says which file and what is wrong with it. */
public final class TlsException extends Exception {
    private static final long serialVersionUID = 1L;

    TlsException(String message) {
        super(message);
    }

    TlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
