package dev.crossrole.server;

/** A configuration that cannot be used; the message says what is wrong and where. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
