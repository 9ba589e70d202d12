package dev.crossrole.server.store;

import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A service's state kept entirely in {@link RecordCache}s, one per namespace: the replica's work is each cache's, so a
 * service directory says only which caches it has.
 */
public abstract class RecordCacheReplica implements Replica {
    /** The directory's caches, one per namespace; the same list every time. */
    protected abstract List<RecordCache<?>> caches();

    private RecordCache<?> cache(String namespace) {
        for (RecordCache<?> cache : caches()) {
            if (cache.namespace().equals(namespace)) {
                return cache;
            }
        }
        return null;
    }

    @Override
    public final boolean owns(String namespace) {
        return cache(namespace) != null;
    }

    @Override
    public final void apply(StoredRecord record) {
        cache(record.namespace()).apply(record);
        changed();
    }

    @Override
    public final boolean hasPendingChanges() {
        for (RecordCache<?> cache : caches()) {
            if (cache.hasPendingChanges()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public final void flush(Transaction transaction) {
        caches().forEach(cache -> cache.flush(transaction));
    }

    @Override
    public final void discard(BiFunction<String, String, Optional<StoredRecord>> committed) {
        caches().forEach(cache -> cache.discard(committed));
        changed();
    }

    /**
     * Called after a record from the store was applied and after uncommitted changes were discarded: for a directory
     * whose state others derive something from (Organizations' control policies in IAM's accounts).
     */
    protected void changed() {
    }
}
