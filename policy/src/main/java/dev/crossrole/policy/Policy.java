package dev.crossrole.policy;

/**
 * A parsed, validated policy document, ready to evaluate many times. Immutable and thread-safe.
 * Obtain one from {@link Policies#parse(String, PolicyKind, String)}.
 */
public final class Policy {
    private final String name;
    private final PolicyKind kind;
    private final String text;
    private final Body body;

    /** What the engine evaluates. */
    record Compiled(String version, String id, Statement[] statements) {}

    /**
     * The compiled form, made with the policy or, for a document validated earlier and read back from
     * storage, on first use (so a restart does not compile every stored policy up front). Shared by
     * {@link #withName} copies.
     */
    private static final class Body {
        private volatile Compiled compiled;
        private final java.util.function.Supplier<Compiled> compile;

        Body(Compiled compiled, java.util.function.Supplier<Compiled> compile) {
            this.compiled = compiled;
            this.compile = compile;
        }

        Compiled get() {
            Compiled c = compiled;
            if (c == null) {
                synchronized (this) {
                    c = compiled;
                    if (c == null) {
                        c = compile.get();
                        compiled = c;
                    }
                }
            }
            return c;
        }
    }

    Policy(String name, PolicyKind kind, String version, String id, String text, Statement[] statements) {
        this(name, kind, text, new Body(new Compiled(version, id, statements), null));
    }

    private Policy(String name, PolicyKind kind, String text, Body body) {
        this.name = name;
        this.kind = kind;
        this.text = text;
        this.body = body;
    }

    /** A policy compiled on first use by {@code compile}, which throws IllegalArgumentException for an invalid text. */
    static Policy lazy(String name, PolicyKind kind, String text, java.util.function.Supplier<Policy> compile) {
        return new Policy(name, kind, text, new Body(null, () -> compile.get().body.get()));
    }

    Statement[] statements() {
        return body.get().statements();
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
        return body.get().version();
    }

    /** The {@code Id} element, or {@code null} when absent. */
    public String id() {
        return body.get().id();
    }

    /** The document as it was given. */
    public String text() {
        return text;
    }

    public int statementCount() {
        return statements().length;
    }

    /**
     * The context keys the policy refers to, as IAM's {@code GetContextKeysFor*Policy} lists them: statement by
     * statement, the keys named by variables in the Resource (or NotResource) element, then each condition's key
     * followed by the keys named by variables in its values. Each key appears once, as first written (key names
     * are case-insensitive); the escapes {@code ${*}}, {@code ${?}} and {@code ${$}} name no key.
     */
    public java.util.List<String> contextKeys() {
        java.util.Map<String, String> keys = new java.util.LinkedHashMap<>();
        for (Statement statement : statements()) {
            if (statement.resources != null) {
                for (TextPattern resource : statement.resources) {
                    resource.variableKeys().forEach(k -> keys.putIfAbsent(ContextKeys.normalize(k), k));
                }
            }
            for (Condition condition : statement.conditions) {
                keys.putIfAbsent(condition.lowerKey, condition.key);
                condition.valueVariableKeys().forEach(k -> keys.putIfAbsent(ContextKeys.normalize(k), k));
            }
        }
        return java.util.List.copyOf(keys.values());
    }

    /** The same policy under another name. */
    public Policy withName(String newName) {
        return new Policy(newName, kind, text, body);
    }

    @Override
    public String toString() {
        return "Policy[" + name + ", " + kind.cliName() + ", " + statements().length + " statements]";
    }
}
