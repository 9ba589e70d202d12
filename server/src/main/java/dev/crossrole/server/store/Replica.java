package dev.crossrole.server.store;

import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A service's in-memory state kept as a cache of its records in the store: it applies records written
 * elsewhere (at start, or by another node), writes what its own operations changed into the transaction,
 * and undoes those changes when the transaction fails.
 */
public interface Replica {
    /** Whether records of this namespace belong to this replica. */
    boolean owns(String namespace);

    /** Brings the cache to a record's committed state; a deleted record removes the entity. */
    void apply(StoredRecord record);

    /** Applies many records in commit order (at start: a replica may decode them in parallel). */
    default void applyAll(java.util.List<StoredRecord> records) {
        records.forEach(this::apply);
    }

    /**
     * Whether entities were changed outside any {@link StateSync#write} (by start-up code or tests working on
     * the caches directly); they are committed on their own before the next write, so its failure cannot undo them.
     */
    boolean hasPendingChanges();

    /** Writes the entities changed since the last flush into the transaction. */
    void flush(Transaction transaction);

    /**
     * Forgets the entities changed since the last flush, and those of the last flush (its commit may have
     * failed), putting back their committed state.
     *
     * @param committed the committed record under (namespace, key)
     */
    void discard(BiFunction<String, String, Optional<StoredRecord>> committed);
}
