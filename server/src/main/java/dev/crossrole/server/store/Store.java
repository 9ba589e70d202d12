package dev.crossrole.server.store;

import java.util.List;
import java.util.Optional;

/**
 * crossrole's durable state: records keyed by (namespace, key) holding opaque bytes (the services store
 * JSON), each with a version that grows by one on every write of that key. Every commit gets the next
 * global revision. Writes run one at a time through {@link #write}: the work reads and changes records in
 * a {@link Transaction}; its changes become visible and durable together, and {@code write} returns only
 * once they are durable. Work that throws leaves nothing behind.
 *
 * <p>Implementations: the embedded journal in the data directory ({@link Stores#embedded}) and a shared
 * database used by several nodes. Reads outside a transaction see committed state.
 */
public interface Store extends AutoCloseable {

    /** Work done inside one transaction; it may throw its own checked exception, which aborts the transaction. */
    @FunctionalInterface
    interface Work<T, E extends Exception> {
        T run(Transaction transaction) throws E;
    }

    /**
     * Runs {@code work} under the store's write lock (one writer at a time across every node sharing the
     * store), then commits what it changed and waits until the commit is durable.
     *
     * @throws E what the work threw; nothing was committed
     * @throws VersionConflictException if the work asked for a version the record does not have; nothing was committed
     * @throws StoreException if the store could not commit; nothing can be assumed committed
     */
    <T, E extends Exception> T write(Work<T, E> work) throws E;

    /** The revision of the latest commit; 0 for a store never written. */
    long revision();

    /**
     * Whether {@link #revision()} is answered from this process's memory. A database store asks the database, a
     * round trip every request makes (to see other nodes' commits), so the listener answers every request on a
     * worker rather than on the thread that reads connections.
     */
    default boolean revisionInMemory() {
        return false;
    }

    /** The live record under a key. */
    Optional<StoredRecord> read(String namespace, String key);

    /** The live records of a namespace, in key order. */
    List<StoredRecord> scan(String namespace);

    /**
     * Every record written by commits after {@code revision}, deleted ones included (with a {@code null}
     * value), each once in its latest state, in revision order; and the revision they bring the reader to.
     */
    Changes changesSince(long revision);

    /** Whether the store holds no live record. */
    default boolean isEmpty() {
        return changesSince(0).records().stream().noneMatch(StoredRecord::live);
    }

    /**
     * For a store in a database: opens a new connection to it (schema up to date; the caller closes it), so
     * that data too large for records (S3 object bytes) can live beside them. Empty for the embedded store.
     */
    default Optional<java.util.function.Supplier<java.sql.Connection>> database() {
        return Optional.empty();
    }

    /** Where the store keeps its data, for messages. */
    String describe();

    @Override
    void close();
}
