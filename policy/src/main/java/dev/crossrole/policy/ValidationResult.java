package dev.crossrole.policy;

import java.util.List;

/**
 * The outcome of validating a document as a given kind. AWS reports the first problem only; so does
 * {@link #diagnostics()}, which is empty for a valid document and otherwise holds AWS's error first.
 */
public record ValidationResult(PolicyKind kind, List<Diagnostic> diagnostics) {

    public ValidationResult {
        diagnostics = List.copyOf(diagnostics);
    }

    public boolean valid() {
        return diagnostics.isEmpty();
    }

    /** The error AWS would return, or {@code null} when the document is valid. */
    public Diagnostic error() {
        return diagnostics.isEmpty() ? null : diagnostics.get(0);
    }
}
