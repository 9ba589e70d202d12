package dev.crossrole.server.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A transaction's changes over the committed state it started from; shared by the store implementations.
 * A key written several times in one transaction gets one new version.
 */
final class WorkingSet implements Transaction {
    /** A record's identity. */
    record Key(String namespace, String key) {}

    private final long baseRevision;
    private final BiFunction<String, String, Optional<StoredRecord>> committed;
    private final Function<String, List<StoredRecord>> committedScan;
    /** Changed keys in first-change order: the new value, or null for a delete. */
    private final Map<Key, StoredRecord> changes = new LinkedHashMap<>();
    private boolean open = true;

    /**
     * @param committed the committed record under a key, deleted ones included
     * @param committedScan the committed live records of a namespace
     */
    WorkingSet(long baseRevision, BiFunction<String, String, Optional<StoredRecord>> committed,
               Function<String, List<StoredRecord>> committedScan) {
        this.baseRevision = baseRevision;
        this.committed = committed;
        this.committedScan = committedScan;
    }

    @Override
    public long baseRevision() {
        return baseRevision;
    }

    @Override
    public Optional<StoredRecord> get(String namespace, String key) {
        return current(namespace, key).filter(StoredRecord::live);
    }

    private Optional<StoredRecord> current(String namespace, String key) {
        checkOpen();
        StoredRecord changed = changes.get(new Key(namespace, key));
        return changed != null ? Optional.of(changed) : committed.apply(namespace, key);
    }

    @Override
    public List<StoredRecord> scan(String namespace) {
        checkOpen();
        TreeMap<String, StoredRecord> out = new TreeMap<>();
        for (StoredRecord r : committedScan.apply(namespace)) {
            out.put(r.key(), r);
        }
        changes.forEach((k, r) -> {
            if (k.namespace().equals(namespace)) {
                if (r.live()) {
                    out.put(k.key(), r);
                } else {
                    out.remove(k.key());
                }
            }
        });
        return new ArrayList<>(out.values());
    }

    @Override
    public long put(String namespace, String key, byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("a record's value cannot be null; delete it instead");
        }
        return change(namespace, key, value.clone());
    }

    @Override
    public long put(String namespace, String key, byte[] value, long expectedVersion) {
        Optional<StoredRecord> current = current(namespace, key);
        long actual = current.filter(StoredRecord::live).map(StoredRecord::version).orElse(0L);
        if (actual != expectedVersion) {
            throw new VersionConflictException(namespace, key, expectedVersion, actual);
        }
        return put(namespace, key, value);
    }

    @Override
    public boolean delete(String namespace, String key) {
        Optional<StoredRecord> current = current(namespace, key);
        if (current.isEmpty() || !current.get().live()) {
            return false;
        }
        change(namespace, key, null);
        return true;
    }

    private long change(String namespace, String key, byte[] value) {
        checkOpen();
        Key k = new Key(namespace, key);
        StoredRecord pending = changes.get(k);
        long version = pending != null ? pending.version()
                : committed.apply(namespace, key).map(StoredRecord::version).orElse(0L) + 1;
        changes.put(k, new StoredRecord(namespace, key, value, version, baseRevision + 1));
        return version;
    }

    @Override
    public boolean hasChanges() {
        return !changes.isEmpty();
    }

    private void checkOpen() {
        if (!open) {
            throw new IllegalStateException("the transaction has ended");
        }
    }

    /** Ends the transaction; returns what it changed, each with the commit's revision. */
    List<StoredRecord> close() {
        open = false;
        return List.copyOf(changes.values());
    }
}
