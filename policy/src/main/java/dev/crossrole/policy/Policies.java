package dev.crossrole.policy;

/** Parsing and validation of policy documents. */
public final class Policies {
    private Policies() {}

    /** Validates a document as the given kind, checking the form of principals but not their existence. */
    public static ValidationResult validate(String text, PolicyKind kind) {
        return validate(text, kind, PrincipalDirectory.ANY);
    }

    /** Validates a document as the given kind; users and roles named in trust policies are looked up in the directory. */
    public static ValidationResult validate(String text, PolicyKind kind, PrincipalDirectory directory) {
        Diagnostic error = new PolicyValidator(kind, directory, text == null ? "" : text).validate();
        return new ValidationResult(kind, error == null ? java.util.List.of() : java.util.List.of(error));
    }

    /** Validates and compiles a document; the name identifies it in explanations. */
    public static Policy parse(String text, PolicyKind kind, String name) throws InvalidPolicyException {
        return parse(text, kind, name, PrincipalDirectory.ANY);
    }

    public static Policy parse(String text, PolicyKind kind, String name, PrincipalDirectory directory)
            throws InvalidPolicyException {
        PolicyValidator validator = new PolicyValidator(kind, directory, text == null ? "" : text);
        Diagnostic error = validator.validate();
        if (error != null) {
            throw new InvalidPolicyException(error);
        }
        return PolicyCompiler.compile(name, kind, text, validator.root, validator.statements);
    }

    /**
     * Validates and compiles the document of an AWS managed policy: IAM's grammar for identity policies,
     * without the request-length limit and the size quota that bind customer policies (AWS's own
     * documents exceed them: {@code ReadOnlyAccess} has about 86,000 characters without whitespace).
     */
    public static Policy parseAwsManaged(String text, String name) throws InvalidPolicyException {
        PolicyValidator validator = new PolicyValidator(PolicyKind.IDENTITY, PrincipalDirectory.ANY,
                text == null ? "" : text, PolicyValidator.Rules.AWS_MANAGED);
        Diagnostic error = validator.validate();
        if (error != null) {
            throw new InvalidPolicyException(error);
        }
        return PolicyCompiler.compile(name, PolicyKind.IDENTITY, text, validator.root, validator.statements);
    }

    /**
     * {@link #parseAwsManaged} deferred to the policy's first use: AWS's documents are checked by a test, and
     * compiling them all (ReadOnlyAccess alone takes about half a millisecond) would slow every start.
     */
    public static Policy parseAwsManagedLazily(String text, String name) {
        return Policy.lazy(name, PolicyKind.IDENTITY, text, () -> {
            try {
                return parseAwsManaged(text, name);
            } catch (InvalidPolicyException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * Compiles a document that was accepted when it was written and is now read back (from the store, or a
     * session token). It is held to the rules crossrole has always enforced, not to rules added since, so a
     * document accepted earlier still loads: a Sid outside [0-9A-Za-z], an Allow with NotPrincipal in a
     * resource policy, a {@code NullIfExists} condition. None of these widens access: an Allow with NotPrincipal
     * grants nothing, and a condition AWS does not accept never holds in an Allow and always holds in a Deny.
     */
    public static Policy parseStored(String text, PolicyKind kind, String name) throws InvalidPolicyException {
        PolicyValidator validator = new PolicyValidator(kind, PrincipalDirectory.ANY, text == null ? "" : text,
                PolicyValidator.Rules.STORED);
        Diagnostic error = validator.validate();
        if (error != null) {
            throw new InvalidPolicyException(error);
        }
        return PolicyCompiler.compile(name, kind, text, validator.root, validator.statements);
    }

    /**
     * {@link #parseStored} deferred to the policy's first use, so that loading many stored policies costs
     * little. Should the document not be a policy after all, its first use throws IllegalArgumentException.
     */
    public static Policy parseValidLazily(String text, PolicyKind kind, String name) {
        return Policy.lazy(name, kind, text, () -> {
            try {
                return parseStored(text, kind, name);
            } catch (InvalidPolicyException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        });
    }

    /** Like {@link #parse(String, PolicyKind, String)} for documents known to be valid; throws IllegalArgumentException otherwise. */
    public static Policy parseValid(String text, PolicyKind kind, String name) {
        try {
            return parse(text, kind, name);
        } catch (InvalidPolicyException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }
}
