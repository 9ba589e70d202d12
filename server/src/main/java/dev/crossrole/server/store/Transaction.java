package dev.crossrole.server.store;

import java.util.List;
import java.util.Optional;

/**
 * The view and the changes of one {@link Store#write}: reads see the committed state plus this
 * transaction's own changes. Valid only inside the work it was given to.
 */
public interface Transaction {
    /** The revision the transaction started from (every commit before it is visible). */
    long baseRevision();

    Optional<StoredRecord> get(String namespace, String key);

    /** The live records of a namespace, in key order, with this transaction's changes. */
    List<StoredRecord> scan(String namespace);

    /** Writes a record; returns its new version. */
    long put(String namespace, String key, byte[] value);

    /**
     * Writes a record only if it is at {@code expectedVersion} (0: it must not exist or be deleted).
     *
     * @throws VersionConflictException otherwise, which aborts the whole transaction unless caught
     */
    long put(String namespace, String key, byte[] value, long expectedVersion);

    /** Whether the transaction has written or deleted anything (a commit without changes takes no revision). */
    boolean hasChanges();

    /** Deletes a record; returns whether there was a live one. */
    boolean delete(String namespace, String key);
}
