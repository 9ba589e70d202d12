package dev.crossrole.server.store;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One record as committed. Its value is either held in memory or, for a store that leaves large values in its
 * files ({@link #onDisk}), read from there each time {@link #value()} is called; the record then costs only its
 * key and where the value is.
 */
public final class StoredRecord {
    private final String namespace;
    private final String key;
    private final byte[] value;
    private final Supplier<byte[]> reader;
    private final long version;
    private final long revision;

    /**
     * @param value the bytes; {@code null} when the record was deleted (only {@link Store#changesSince} shows those)
     * @param version 1 for the first write of the key, one more for each later write or delete
     * @param revision the revision of the commit that wrote this state
     */
    public StoredRecord(String namespace, String key, byte[] value, long version, long revision) {
        this(namespace, key, value, null, version, revision);
    }

    private StoredRecord(String namespace, String key, byte[] value, Supplier<byte[]> reader, long version,
                         long revision) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.key = Objects.requireNonNull(key, "key");
        this.value = value;
        this.reader = reader;
        this.version = version;
        this.revision = revision;
    }

    /** A live record whose value stays where the store wrote it; {@code reader} reads it (or throws StoreException). */
    static StoredRecord onDisk(String namespace, String key, long version, long revision, Supplier<byte[]> reader) {
        return new StoredRecord(namespace, key, null, Objects.requireNonNull(reader, "reader"), version, revision);
    }

    public String namespace() {
        return namespace;
    }

    public String key() {
        return key;
    }

    /** The bytes, read from the store's files for a record kept there; {@code null} for a deletion. */
    public byte[] value() {
        return reader != null ? reader.get() : value;
    }

    public long version() {
        return version;
    }

    public long revision() {
        return revision;
    }

    public boolean live() {
        return value != null || reader != null;
    }

    /** What reads the value from the store's files, or {@code null} for a value held in memory (or a deletion). */
    Supplier<byte[]> reader() {
        return reader;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoredRecord r && namespace.equals(r.namespace) && key.equals(r.key)
                && version == r.version && revision == r.revision && Arrays.equals(value(), r.value());
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, key, Arrays.hashCode(value()), version, revision);
    }

    @Override
    public String toString() {
        return namespace + "/" + key + "@v" + version + "r" + revision + (reader != null ? " (on disk)"
                : value == null ? " (deleted)" : " (" + value.length + " bytes)");
    }
}
