package dev.crossrole.policy;

/** Thrown when a document is not a valid policy of the kind it was parsed as. */
public final class InvalidPolicyException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Diagnostic diagnostic;

    public InvalidPolicyException(Diagnostic diagnostic) {
        super(diagnostic.message());
        this.diagnostic = diagnostic;
    }

    public Diagnostic diagnostic() {
        return diagnostic;
    }
}
