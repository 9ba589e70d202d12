package dev.crossrole.server.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps a node's in-memory caches ({@link Replica}s) consistent with the store. A write runs on fresh
 * state: under the store's write lock it first applies every commit the node has not seen (from other
 * nodes), then runs the operation against the caches, then commits exactly the entities the operation
 * changed. Readers call {@link #refresh} before serving a request; with the embedded store there is never
 * anything to catch up, so it costs one volatile read.
 */
public final class StateSync {
    private final Store store;
    private final List<Replica> replicas = new CopyOnWriteArrayList<>();
    /** The revision the caches reflect; guarded by this for updates. */
    private volatile long applied;
    /** The transaction this thread's {@link #write} is running, so that a write inside it joins it. */
    private final ThreadLocal<Transaction> running = new ThreadLocal<>();

    public StateSync(Store store) {
        this.store = store;
    }

    public Store store() {
        return store;
    }

    public long appliedRevision() {
        return applied;
    }

    /** Adds a replica; call {@link #load} after all are registered. */
    public void register(Replica replica) {
        replicas.add(replica);
    }

    /** Fills the caches with every record in the store. */
    public void load() {
        store.write(tx -> {
            catchUp(tx.baseRevision());
            return null;
        });
    }

    /**
     * Applies commits made elsewhere since the caches were last brought up to date. Catching up runs under the
     * store's write lock (as an empty transaction), so it never interleaves with this node's own writes.
     */
    public void refresh() {
        if (store.revision() > applied) {
            load();
        }
    }

    /** Under the store's write lock: applies every commit after {@link #applied} up to at least {@code revision}. */
    private void catchUp(long revision) {
        if (applied >= revision) {
            return;
        }
        Changes changes = store.changesSince(applied);
        // Records no replica owns (the session key, bootstrap identities) are read from the store directly.
        java.util.Map<String, List<Replica>> owners = new java.util.HashMap<>();
        java.util.Map<Replica, List<StoredRecord>> owned = new java.util.LinkedHashMap<>();
        for (StoredRecord record : changes.records()) {
            for (Replica replica : owners.computeIfAbsent(record.namespace(),
                    namespace -> replicas.stream().filter(r -> r.owns(namespace)).toList())) {
                owned.computeIfAbsent(replica, r -> new java.util.ArrayList<>()).add(record);
            }
        }
        owned.forEach(Replica::applyAll);
        applied = Math.max(applied, changes.revision());
    }

    /**
     * Runs an operation that changes state: on caches brought up to the latest commit, under the store's
     * write lock; the entities it changed are committed durably before this returns. If the operation or
     * the commit fails, the caches are put back to the committed state.
     *
     * <p>A write asked while this thread runs one (SNS delivering to an SQS queue while it publishes) joins that
     * transaction: its changes commit, or are discarded, with the outer write's.
     */
    public <T, E extends Exception> T write(Store.Work<T, E> work) throws E {
        Transaction outer = running.get();
        if (outer != null) {
            return work.run(outer);
        }
        if (replicas.stream().anyMatch(Replica::hasPendingChanges)) {
            commit(tx -> null);
        }
        return commit(work);
    }

    private <T, E extends Exception> T commit(Store.Work<T, E> work) throws E {
        long[] base = {-1};
        try {
            return store.write(tx -> {
                catchUp(tx.baseRevision());
                T out;
                running.set(tx);
                try {
                    out = work.run(tx);
                    for (Replica replica : replicas) {
                        replica.flush(tx);
                    }
                } catch (Exception | Error e) {
                    discard();
                    throw e;
                } finally {
                    running.remove();
                }
                base[0] = tx.baseRevision();
                if (tx.hasChanges()) {
                    // Set before the commit so that no reader sees the new revision ahead of the caches.
                    applied = tx.baseRevision() + 1;
                }
                return out;
            });
        } catch (StoreException e) {
            if (base[0] >= 0) {
                // The work ran but the commit failed: the caches hold changes the store does not.
                applied = base[0];
                discard();
            }
            throw e;
        }
    }

    private void discard() {
        for (Replica replica : replicas) {
            // Committed state, not the transaction's: its changes are being thrown away.
            replica.discard(store::read);
        }
    }
}
