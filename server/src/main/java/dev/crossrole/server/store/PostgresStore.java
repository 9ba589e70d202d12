package dev.crossrole.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The store in a PostgreSQL database that several crossrole nodes may share (schema in {@link PostgresMigrations}).
 * Records are rows of {@code crossrole.records}, deleted ones kept with a NULL value; {@code crossrole.head}
 * holds the revision of the latest commit.
 *
 * <p>A write is one database transaction that first locks the head row ({@code SELECT … FOR UPDATE}), so
 * writers of every node run one at a time and each sees every earlier commit; the work reads committed rows
 * through the same transaction; the changed rows and the new head revision are committed together, and
 * {@link #write} returns only after PostgreSQL has acknowledged the commit, which the store's sessions make
 * wait for the WAL flush ({@code synchronous_commit=on}, whatever the server's default). Within a node, writers queue on a local lock first, so a node holds at most
 * one connection waiting on the head row. Reads outside a write use pooled connections and see committed
 * state; {@link #revision} is one indexed single-row read, cheap enough to ask before every request.
 */
final class PostgresStore implements Store {
    private static final int IDLE_CONNECTIONS = 8;
    private static final int FETCH_SIZE = 1000;
    /** Far longer than any write's work takes between two statements (milliseconds). */
    private static final int IDLE_IN_WRITE_LIMIT_MS = 30_000;
    private static final Comparator<StoredRecord> BY_KEY = Comparator.comparing(StoredRecord::key);
    private static final Comparator<StoredRecord> IN_COMMIT_ORDER = Comparator.comparingLong(StoredRecord::revision)
            .thenComparing(StoredRecord::namespace).thenComparing(StoredRecord::key);

    private final PostgresLocation location;
    private final org.postgresql.Driver driver = new org.postgresql.Driver();
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile boolean closed;

    private PostgresStore(PostgresLocation location) {
        this.location = location;
    }

    /**
     * Connects, brings the schema up to date and returns the store.
     *
     * @throws StoreException if the database cannot be reached or used, or its schema is newer than this build's
     */
    static PostgresStore open(PostgresLocation location) {
        PostgresStore store = new PostgresStore(location);
        Connection connection = store.connect();
        try {
            PostgresMigrations.migrate(connection, location.toString());
            store.release(connection, true);
            return store;
        } catch (SQLException e) {
            store.release(connection, false);
            store.close();
            throw new StoreException("cannot set up the crossrole schema in " + location + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            store.release(connection, false);
            store.close();
            throw e;
        }
    }

    // ---- connections ------------------------------------------------------------------------

    /** Connections lent through {@link #database}; closed with the store if their user has not closed them. */
    private final java.util.Set<Connection> lent = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public Optional<java.util.function.Supplier<Connection>> database() {
        return Optional.of(() -> {
            checkOpen();
            lent.removeIf(PostgresStore::isClosed);
            Connection connection = connect();
            lent.add(connection);
            return connection;
        });
    }

    private Connection connect() {
        Properties properties = new Properties();
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "crossrole");
        properties.putAll(location.properties());
        // A write is acknowledged only once durable, whatever the server's default. A node that stops in the
        // middle of a write (frozen, cut off) must not hold every node's write lock for long: the server ends
        // a transaction left idle that long. Options given in the location come after, so they win.
        properties.setProperty("options", ("-c synchronous_commit=on -c idle_in_transaction_session_timeout="
                + IDLE_IN_WRITE_LIMIT_MS + " " + location.properties().getProperty("options", "")).trim());
        try {
            Connection connection = driver.connect(location.jdbcUrl(), properties);
            if (connection == null) {
                throw new StoreException("the PostgreSQL driver does not accept " + location.jdbcUrl());
            }
            return connection;
        } catch (SQLException e) {
            throw new StoreException("cannot connect to " + location + ": " + e.getMessage(), e);
        }
    }

    private Connection borrow() {
        checkOpen();
        Connection connection = idle.pollFirst();
        if (connection != null) {
            idleCount.decrementAndGet();
            return connection;
        }
        return connect();
    }

    /** Puts a connection back in the pool, or closes it when it may be unusable or the pool is full. */
    private void release(Connection connection, boolean healthy) {
        healthy = healthy && !isClosed(connection);
        if (healthy && !closed && idleCount.incrementAndGet() <= IDLE_CONNECTIONS) {
            idle.addFirst(connection);
            if (closed && idle.remove(connection)) {
                // close() ran meanwhile and may have missed it
                idleCount.decrementAndGet();
                closeQuietly(connection);
            }
            return;
        }
        if (healthy && !closed) {
            idleCount.decrementAndGet();
        }
        closeQuietly(connection);
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs reads on a pooled connection in autocommit mode; a connection that failed is not reused. A pooled
     * connection the server has since dropped (a database restart, an idle timeout) is replaced once.
     */
    private <T> T withConnection(String what, SqlWork<T> work) {
        for (int attempt = 1; ; attempt++) {
            Connection connection = borrow();
            boolean healthy = false;
            try {
                T result = work.run(connection);
                healthy = true;
                return result;
            } catch (SQLException e) {
                if (attempt == 1 && lostConnection(connection, e)) {
                    // The others in the pool were most likely dropped too (a database restart).
                    closeIdle();
                    continue;
                }
                throw failure(what, e);
            } finally {
                release(connection, healthy);
            }
        }
    }

    /** Whether the failure was the connection itself (SQL state class 08, or admin shutdown 57P01) rather than the statement. */
    private static boolean lostConnection(Connection connection, SQLException e) {
        String state = e.getSQLState();
        return isClosed(connection) || (state != null && (state.startsWith("08") || state.equals("57P01")));
    }

    private StoreException failure(String what, SQLException e) {
        return new StoreException("cannot " + what + " " + location + ": " + e.getMessage(), e);
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException("the store in " + location + " is closed");
        }
    }

    // ---- reading ----------------------------------------------------------------------------

    @Override
    public long revision() {
        return withConnection("read the revision of", PostgresStore::headRevision);
    }

    private static long headRevision(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT revision FROM crossrole.head");
             ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                throw new SQLException("crossrole.head has no row: the crossrole schema is damaged");
            }
            return rows.getLong(1);
        }
    }

    /** A setting of the store's sessions, as PostgreSQL reports it (for tests). */
    String setting(String name) {
        return withConnection("read a setting of", c -> {
            try (PreparedStatement statement = c.prepareStatement("SELECT current_setting(?)")) {
                statement.setString(1, name);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getString(1);
                }
            }
        });
    }

    @Override
    public Optional<StoredRecord> read(String namespace, String key) {
        return withConnection("read from", c -> committed(c, namespace, key)).filter(StoredRecord::live);
    }

    @Override
    public List<StoredRecord> scan(String namespace) {
        return withConnection("read from", c -> scan(c, namespace));
    }

    /** The committed row under a key, a deleted one included. */
    private static Optional<StoredRecord> committed(Connection connection, String namespace, String key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT value, version, revision FROM crossrole.records WHERE namespace = ? AND key = ?")) {
            statement.setString(1, namespace);
            statement.setString(2, key);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StoredRecord(namespace, key, rows.getBytes(1), rows.getLong(2), rows.getLong(3)));
            }
        }
    }

    private static List<StoredRecord> scan(Connection connection, String namespace) throws SQLException {
        List<StoredRecord> out = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT key, value, version, revision FROM crossrole.records WHERE namespace = ? AND value IS NOT NULL")) {
            statement.setString(1, namespace);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    out.add(new StoredRecord(namespace, rows.getString(1), rows.getBytes(2), rows.getLong(3), rows.getLong(4)));
                }
            }
        }
        // Java's order of strings, whatever the database's collation.
        out.sort(BY_KEY);
        return out;
    }

    @Override
    public Changes changesSince(long since) {
        return withConnection("read changes from", c -> {
            // One snapshot for the head and the rows, so the revision returned covers exactly the rows returned.
            c.setAutoCommit(false);
            try (Statement setup = c.createStatement()) {
                setup.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                long head = headRevision(c);
                List<StoredRecord> out = new ArrayList<>();
                try (PreparedStatement statement = c.prepareStatement("SELECT namespace, key, value, version, revision"
                        + " FROM crossrole.records WHERE revision > ?")) {
                    statement.setFetchSize(FETCH_SIZE);
                    // Values in binary rather than as hex text: half the bytes to send and nothing to decode.
                    statement.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(-1);
                    statement.setLong(1, since);
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            out.add(new StoredRecord(rows.getString(1), rows.getString(2), rows.getBytes(3), rows.getLong(4),
                                    rows.getLong(5)));
                        }
                    }
                }
                c.commit();
                // Sorted here rather than by the server, which would spill a large catch-up (a start) to disk.
                out.sort(IN_COMMIT_ORDER);
                return new Changes(Math.max(since, head), out);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    @Override
    public boolean isEmpty() {
        return withConnection("read from", c -> {
            try (PreparedStatement statement = c.prepareStatement(
                    "SELECT EXISTS (SELECT 1 FROM crossrole.records WHERE value IS NOT NULL)");
                 ResultSet rows = statement.executeQuery()) {
                rows.next();
                return !rows.getBoolean(1);
            }
        });
    }

    @Override
    public String describe() {
        return location.toString();
    }

    // ---- writing ----------------------------------------------------------------------------

    @Override
    public <T, E extends Exception> T write(Work<T, E> work) throws E {
        writeLock.lock();
        try {
            Connection connection = borrow();
            long base;
            try {
                base = begin(connection);
            } catch (SQLException e) {
                boolean lost = lostConnection(connection, e);
                rollbackQuietly(connection);
                release(connection, false);
                if (!lost) {
                    throw failure("start a transaction in", e);
                }
                // A pooled connection the server dropped: nothing has run yet, so begin once more on a new one.
                closeIdle();
                connection = connect();
                try {
                    base = begin(connection);
                } catch (SQLException again) {
                    release(connection, false);
                    throw failure("start a transaction in", again);
                }
            }
            try {
                return writeIn(connection, base, work);
            } finally {
                // Every failure path rolls back, or closes the connection when it cannot.
                release(connection, true);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Starts the write's transaction and takes the store-wide write lock; returns the revision it starts from. */
    private static long begin(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        return lockHead(connection);
    }

    private <T, E extends Exception> T writeIn(Connection connection, long base, Work<T, E> work) throws E {
        List<StoredRecord> changes;
        T result;
        try {
            WorkingSet transaction = new WorkingSet(base, (namespace, key) -> sql(() -> committed(connection, namespace, key)),
                    namespace -> sql(() -> scan(connection, namespace)));
            try {
                result = work.run(transaction);
            } finally {
                transaction.close();
            }
            changes = transaction.close();
        } catch (Exception e) {
            rollbackQuietly(connection);
            throw e;
        } catch (Error e) {
            rollbackQuietly(connection);
            throw e;
        }
        try {
            if (changes.isEmpty()) {
                connection.rollback();
            } else {
                upsert(connection, changes);
                try (PreparedStatement head = connection.prepareStatement("UPDATE crossrole.head SET revision = ?")) {
                    head.setLong(1, base + 1);
                    head.executeUpdate();
                }
                connection.commit();
            }
            connection.setAutoCommit(true);
            return result;
        } catch (SQLException e) {
            rollbackQuietly(connection);
            throw new StoreException("cannot commit to " + location + ": " + e.getMessage()
                    + "; the write may or may not have been committed", e);
        }
    }

    /** Takes the store-wide write lock: the head row, held until this transaction ends. */
    private static long lockHead(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT revision FROM crossrole.head FOR UPDATE");
             ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                throw new SQLException("crossrole.head has no row: the crossrole schema is damaged");
            }
            return rows.getLong(1);
        }
    }

    private static void upsert(Connection connection, List<StoredRecord> changes) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "INSERT INTO crossrole.records (namespace, key, value, version, revision) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT (namespace, key) DO UPDATE"
                        + " SET value = EXCLUDED.value, version = EXCLUDED.version, revision = EXCLUDED.revision")) {
            for (StoredRecord r : changes) {
                statement.setString(1, r.namespace());
                statement.setString(2, r.key());
                statement.setBytes(3, r.value());
                statement.setLong(4, r.version());
                statement.setLong(5, r.revision());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    @FunctionalInterface
    private interface SqlRead<T> {
        T get() throws SQLException;
    }

    /** A read inside a write's work, which cannot throw checked SQL exceptions. */
    private <T> T sql(SqlRead<T> read) {
        try {
            return read.get();
        } catch (SQLException e) {
            throw failure("read from", e);
        }
    }

    /** Ends a failed transaction; a connection that cannot even roll back is closed, so it is never reused. */
    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            closeQuietly(connection);
        }
    }

    // ---- closing ----------------------------------------------------------------------------

    @Override
    public void close() {
        closed = true;
        writeLock.lock();
        try {
            closeIdle();
            lent.forEach(PostgresStore::closeQuietly);
            lent.clear();
        } finally {
            writeLock.unlock();
        }
    }

    private void closeIdle() {
        Connection connection;
        while ((connection = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            closeQuietly(connection);
        }
    }

    private static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // closing after a failure or at shutdown: nothing more to do with it
        }
    }
}
