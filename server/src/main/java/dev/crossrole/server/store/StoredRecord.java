package dev.crossrole.server.store;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record as committed.
 *
 * @param value the bytes; {@code null} when the record was deleted (only {@link Store#changesSince} shows those)
 * @param version 1 for the first write of the key, one more for each later write or delete
 * @param revision the revision of the commit that wrote this state
 */
public record StoredRecord(String namespace, String key, byte[] value, long version, long revision) {
    public StoredRecord {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(key, "key");
    }

    public boolean live() {
        return value != null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoredRecord r && namespace.equals(r.namespace) && key.equals(r.key)
                && Arrays.equals(value, r.value) && version == r.version && revision == r.revision;
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, key, Arrays.hashCode(value), version, revision);
    }

    @Override
    public String toString() {
        return namespace + "/" + key + "@v" + version + "r" + revision + (value == null ? " (deleted)" : " (" + value.length + " bytes)");
    }
}
