package dev.crossrole.server.store;

/** A conditional write found the record at another version than expected. */
public final class VersionConflictException extends StoreException {
    private final String namespace;
    private final String key;
    private final long expected;
    private final long actual;

    public VersionConflictException(String namespace, String key, long expected, long actual) {
        super(namespace + "/" + key + " is at version " + actual + ", not " + expected);
        this.namespace = namespace;
        this.key = key;
        this.expected = expected;
        this.actual = actual;
    }

    public String namespace() {
        return namespace;
    }

    public String key() {
        return key;
    }

    public long expected() {
        return expected;
    }

    public long actual() {
        return actual;
    }
}
