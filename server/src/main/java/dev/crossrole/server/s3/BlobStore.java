package dev.crossrole.server.s3;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;

/**
 * Where object and part bytes ("blobs") live, each under the id of the object or part it holds. A blob is
 * made durable ({@link Pending#publish}) before the record that references it is committed, so a committed
 * record always finds its bytes; a blob no record references is deleted after the commit that dropped it,
 * or by {@link #sweep} at start. Bytes are streamed both ways, never held whole.
 */
public interface BlobStore {
    /** A blob being written: bytes go to {@link #channel}; {@link #publish} makes it durable under its id. */
    interface Pending extends AutoCloseable {
        WritableByteChannel channel();

        /** Makes the bytes written so far durable as blob {@code id}, replacing any blob of that id. */
        void publish(String id) throws IOException;

        /** Discards the bytes unless they were published. */
        @Override
        void close() throws IOException;
    }

    Pending create() throws IOException;

    boolean exists(String id);

    /** Writes bytes {@code [offset, offset + length)} of a blob. */
    void copyRange(String id, long offset, long length, OutputStream out) throws IOException;

    /** Makes the file {@code source} blob {@code id} (imports); a blob of that id already there is kept. */
    void link(String id, Path source) throws IOException;

    void delete(String id) throws IOException;

    /**
     * Deletes blobs no record references, and writes that never finished, when written before {@code cutoff}
     * (a later one may be another node's write about to commit). Returns how many went.
     */
    int sweep(Set<String> referenced, Instant cutoff) throws IOException;

    /** Where the blobs live, for messages. */
    String describe();

    /**
     * Where a server or command keeps blobs: the folder named by {@code --s3-blobs} if given; else, when the
     * store is a database, that database (several nodes then need no shared folder); else {@code defaultFolder}.
     */
    static BlobStore of(dev.crossrole.server.store.Store store, Path defaultFolder, Path named) throws IOException {
        if (named != null) {
            return new BlobFiles(named);
        }
        java.util.Optional<java.util.function.Supplier<java.sql.Connection>> database = store.database();
        if (database.isPresent()) {
            return new PostgresBlobs(database.get());
        }
        return new BlobFiles(defaultFolder);
    }

    /**
     * Blobs in {@code folder} whatever the store is: for a service whose blobs must not share the database table of
     * S3's, whose start-up sweep deletes every blob no S3 record names (ECR's layers).
     */
    static BlobStore folder(Path folder) throws IOException {
        return new BlobFiles(folder);
    }

    /** Copies the first {@code size} bytes of a blob to the new file {@code target}, mode 0600 (older blobs carry more). */
    default void export(String id, long size, Path target) throws IOException {
        try (OutputStream out = dev.crossrole.server.store.PrivateFiles.newOutputStream(target)) {
            copyRange(id, 0, size, out);
        }
    }
}
