package dev.crossrole.server.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Supplier;

/**
 * Blobs in the store's PostgreSQL database (tables {@code crossrole.s3_blobs} and {@code s3_blob_chunks},
 * schema V2), so nodes sharing the database need no shared folder. A blob is a row naming a content number
 * and its bytes are fixed-size {@code bytea} chunks of that content: a write inserts a chunk each time a
 * chunk's worth has arrived (so at most one chunk is in memory) and commits the chunks with the blob's row in
 * one transaction, so a write that fails or is cut off leaves nothing. A read runs in one repeatable-read
 * transaction, chunk by chunk with {@code substring} for the ends of a range, so a blob replaced or
 * deleted meanwhile is still read whole, and a Range reads only the chunks it covers.
 *
 * <p>Why chunks rather than large objects: chunk rows are ordinary rows (dropped by a plain DELETE, no
 * {@code lo_unlink} bookkeeping or orphaned large objects when a node dies between two statements), and a
 * range maps to chunk numbers arithmetically.
 */
final class PostgresBlobs implements BlobStore {
    static final int CHUNK = 1024 * 1024;
    private static final int IDLE_CONNECTIONS = 8;

    private final Supplier<Connection> connections;
    private final int chunkSize;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

    PostgresBlobs(Supplier<Connection> connections) {
        this(connections, CHUNK);
    }

    PostgresBlobs(Supplier<Connection> connections, int chunkSize) {
        this.connections = connections;
        this.chunkSize = chunkSize;
    }

    // ---- writing ------------------------------------------------------------------------------

    @Override
    public Pending create() throws IOException {
        Connection connection = borrow();
        try {
            connection.setAutoCommit(false);
            long content;
            try (Statement statement = connection.createStatement();
                 ResultSet row = statement.executeQuery("SELECT nextval('crossrole.s3_blob_contents')")) {
                row.next();
                content = row.getLong(1);
            }
            return new SqlPending(connection, content);
        } catch (SQLException e) {
            release(connection, false);
            throw failure("start a blob", e);
        }
    }

    private final class SqlPending implements Pending, WritableByteChannel {
        private final Connection connection;
        private final long content;
        private final byte[] chunk = new byte[chunkSize];
        private int filled;
        private int chunks;
        private long size;
        private boolean open = true;
        private boolean published;

        SqlPending(Connection connection, long content) {
            this.connection = connection;
            this.content = content;
        }

        @Override
        public WritableByteChannel channel() {
            return this;
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            if (!open) {
                throw new ClosedChannelException();
            }
            int written = 0;
            while (source.hasRemaining()) {
                int n = Math.min(source.remaining(), chunk.length - filled);
                source.get(chunk, filled, n);
                filled += n;
                written += n;
                if (filled == chunk.length) {
                    flush();
                }
            }
            size += written;
            return written;
        }

        private void flush() throws IOException {
            if (filled == 0) {
                return;
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO crossrole.s3_blob_chunks (content, chunk, data) VALUES (?, ?, ?)")) {
                insert.setLong(1, content);
                insert.setInt(2, chunks);
                insert.setBinaryStream(3, new java.io.ByteArrayInputStream(chunk, 0, filled), filled);
                insert.executeUpdate();
            } catch (SQLException e) {
                throw failure("write a blob", e);
            }
            chunks++;
            filled = 0;
        }

        @Override
        public void publish(String id) throws IOException {
            flush();
            try {
                deleteIn(connection, id);
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO crossrole.s3_blobs (id, content, size) VALUES (?, ?, ?)")) {
                    insert.setString(1, id);
                    insert.setLong(2, content);
                    insert.setLong(3, size);
                    insert.executeUpdate();
                }
                connection.commit();
                published = true;
            } catch (SQLException e) {
                throw failure("commit blob " + id, e);
            }
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() throws IOException {
            if (!open) {
                return;
            }
            open = false;
            boolean healthy = true;
            try {
                if (!published) {
                    connection.rollback();
                }
                connection.setAutoCommit(true);
            } catch (SQLException e) {
                healthy = false;
            }
            release(connection, healthy);
        }
    }

    @Override
    public void link(String id, Path source) throws IOException {
        if (exists(id)) {
            return;
        }
        try (Pending pending = create(); InputStream in = Files.newInputStream(source)) {
            byte[] buffer = CopyBuffers.take();
            try {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    ByteBuffer wrapped = ByteBuffer.wrap(buffer, 0, n);
                    while (wrapped.hasRemaining()) {
                        pending.channel().write(wrapped);
                    }
                }
            } finally {
                CopyBuffers.release(buffer);
            }
            pending.publish(id);
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    @Override
    public boolean exists(String id) {
        try {
            return run("read blob " + id, c -> {
                try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM crossrole.s3_blobs WHERE id = ?")) {
                    select.setString(1, id);
                    try (ResultSet row = select.executeQuery()) {
                        return row.next();
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void copyRange(String id, long offset, long length, OutputStream out) throws IOException {
        Connection connection = borrow();
        boolean healthy = false;
        try {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            long content;
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT content, size FROM crossrole.s3_blobs WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        throw new IOException("blob " + id + " is not in the database");
                    }
                    content = row.getLong(1);
                    if (row.getLong(2) < offset + length) {
                        throw new IOException("blob " + id + " is shorter than its object's size");
                    }
                }
            }
            try (PreparedStatement slice = connection.prepareStatement("SELECT substring(data FROM ? FOR ?) "
                    + "FROM crossrole.s3_blob_chunks WHERE content = ? AND chunk = ?")) {
                long position = offset;
                long end = offset + length;
                while (position < end) {
                    int chunk = (int) (position / chunkSize);
                    int from = (int) (position % chunkSize);
                    int count = (int) Math.min(chunkSize - from, end - position);
                    slice.setInt(1, from + 1);
                    slice.setInt(2, count);
                    slice.setLong(3, content);
                    slice.setInt(4, chunk);
                    byte[] bytes;
                    try (ResultSet row = slice.executeQuery()) {
                        bytes = row.next() ? row.getBytes(1) : null;
                    }
                    if (bytes == null || bytes.length != count) {
                        throw new IOException("blob " + id + " is missing bytes at " + position);
                    }
                    out.write(bytes);
                    position += count;
                }
            }
            connection.commit();
            healthy = true;
        } catch (SQLException e) {
            throw failure("read blob " + id, e);
        } finally {
            if (!healthy) {
                try {
                    connection.rollback();
                    healthy = true;
                } catch (SQLException e) {
                    healthy = false;
                }
            }
            resetAndRelease(connection, healthy);
        }
    }

    @Override
    public String describe() {
        return "the database (crossrole.s3_blobs)";
    }

    // ---- deleting -----------------------------------------------------------------------------

    @Override
    public void delete(String id) throws IOException {
        run("delete blob " + id, c -> {
            c.setAutoCommit(false);
            try {
                deleteIn(c, id);
                c.commit();
                return null;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    private static void deleteIn(Connection connection, String id) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("WITH gone AS "
                + "(DELETE FROM crossrole.s3_blobs WHERE id = ? RETURNING content) "
                + "DELETE FROM crossrole.s3_blob_chunks WHERE content IN (SELECT content FROM gone)")) {
            delete.setString(1, id);
            delete.executeUpdate();
        }
    }

    @Override
    public int sweep(Set<String> referenced, Instant cutoff) throws IOException {
        List<String> old = run("list blobs", c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT id FROM crossrole.s3_blobs WHERE written_at < ?")) {
                // Instant.MAX (no other writer) is past what a timestamp holds: every blob is old enough.
                Instant bound = cutoff.isAfter(Instant.parse("9999-01-01T00:00:00Z"))
                        ? Instant.parse("9999-01-01T00:00:00Z") : cutoff;
                select.setTimestamp(1, Timestamp.from(bound));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                }
            }
            return ids;
        });
        int removed = 0;
        for (String id : old) {
            if (!referenced.contains(id)) {
                delete(id);
                removed++;
            }
        }
        return removed;
    }

    // ---- connections --------------------------------------------------------------------------

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T run(String what, SqlWork<T> work) throws IOException {
        Connection connection = borrow();
        boolean healthy = false;
        try {
            T out = work.run(connection);
            healthy = true;
            return out;
        } catch (SQLException e) {
            throw failure(what, e);
        } finally {
            release(connection, healthy);
        }
    }

    private Connection borrow() throws IOException {
        Connection connection = idle.pollFirst();
        if (connection != null) {
            return connection;
        }
        try {
            connection = connections.get();
            try (Statement statement = connection.createStatement()) {
                // A blob write or read stays in its transaction as long as its client takes to send or
                // receive a chunk, which may be far longer than the store's limit for record writes; it
                // holds no lock another writer waits for. Ten minutes for one MiB ends only a node
                // frozen or cut off mid-transfer (its transaction rolls back: no orphan rows).
                statement.execute("SET idle_in_transaction_session_timeout = '10min'");
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            throw new IOException("cannot connect to the database for S3 object bytes: " + e.getMessage(), e);
        }
    }

    private void resetAndRelease(Connection connection, boolean healthy) {
        if (healthy) {
            try {
                connection.setAutoCommit(true);
                connection.setReadOnly(false);
                connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            } catch (SQLException e) {
                healthy = false;
            }
        }
        release(connection, healthy);
    }

    private void release(Connection connection, boolean healthy) {
        try {
            if (healthy && connection.getAutoCommit() && idle.size() < IDLE_CONNECTIONS) {
                idle.addFirst(connection);
                return;
            }
        } catch (SQLException e) {
            // unusable: closed below
        }
        try {
            connection.close();
        } catch (SQLException e) {
            // already gone
        }
    }

    private static IOException failure(String what, SQLException e) {
        return new IOException("cannot " + what + " in the database: " + e.getMessage(), e);
    }
}
