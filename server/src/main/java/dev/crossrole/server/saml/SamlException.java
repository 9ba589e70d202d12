package dev.crossrole.server.saml;

/** A SAML document that cannot be used, with what is wrong with it (for records and tests, not for clients). */
public final class SamlException extends Exception {
    public SamlException(String message) {
        super(message);
    }

    public SamlException(String message, Throwable cause) {
        super(message, cause);
    }
}
