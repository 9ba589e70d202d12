package dev.crossrole.policy;

/**
 * A parsed, validated policy document, ready to evaluate many times. Immutable and thread-safe.
 * Obtain one from {@link Policies#parse(String, PolicyKind, String)}.
 */
public final class Policy {
    private final String name;
    private final PolicyKind kind;
    private final String version;
    private final String id;
    private final String text;
    final Statement[] statements;

    Policy(String name, PolicyKind kind, String version, String id, String text, Statement[] statements) {
        this.name = name;
        this.kind = kind;
        this.version = version;
        this.id = id;
        this.text = text;
        this.statements = statements;
    }

    /** The name this policy is known by in explanations (a policy name, ARN, or a position such as {@code identityPolicies[0]}). */
    public String name() {
        return name;
    }

    public PolicyKind kind() {
        return kind;
    }

    /** The {@code Version} element, or {@code null} when absent. */
    public String version() {
        return version;
    }

    /** The {@code Id} element, or {@code null} when absent. */
    public String id() {
        return id;
    }

    /** The document as it was given. */
    public String text() {
        return text;
    }

    public int statementCount() {
        return statements.length;
    }

    /** The same policy under another name. */
    public Policy withName(String newName) {
        return new Policy(newName, kind, version, id, text, statements);
    }

    @Override
    public String toString() {
        return "Policy[" + name + ", " + kind.cliName() + ", " + statements.length + " statements]";
    }
}
