package dev.crossrole.server.store;

/** The store cannot do what was asked (I/O failure, corrupt data, unreachable database). */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
