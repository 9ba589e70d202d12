package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Store} promises. Subclasses say how to create an empty store and how to open the same
 * store again (a restart); every test runs against each implementation.
 */
public abstract class StoreContractTest {
    /** A new, empty store in its own location. */
    protected abstract Store createStore() throws Exception;

    /** The same store opened again after {@code closed} was closed (a restart of the node). */
    protected abstract Store reopen() throws Exception;

    protected Store store;

    @BeforeEach
    void open() throws Exception {
        store = createStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static String text(StoredRecord r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }

    /** Runs work returning a number (keeps overload resolution of assertEquals simple). */
    protected long longWrite(Store.Work<Long, RuntimeException> work) {
        return store.write(work);
    }

    protected boolean boolWrite(Store.Work<Boolean, RuntimeException> work) {
        return store.write(work);
    }

    private Store restart() throws Exception {
        store.close();
        store = null;
        store = reopen();
        return store;
    }

    @Test
    void anEmptyStoreHasNothingAtRevisionZero() {
        assertEquals(0, store.revision());
        assertTrue(store.isEmpty());
        assertTrue(store.read("roles", "a").isEmpty());
        assertEquals(List.of(), store.scan("roles"));
        assertEquals(new Changes(0, List.of()), store.changesSince(0));
    }

    @Test
    void aCommittedWriteIsReadBack() {
        long version = store.write(tx -> tx.put("roles", "111/admin", bytes("{\"a\":1}")));
        assertEquals(1, version);
        StoredRecord r = store.read("roles", "111/admin").orElseThrow();
        assertEquals("{\"a\":1}", text(r));
        assertEquals(1, r.version());
        assertEquals(1, r.revision());
        assertEquals(1, store.revision());
        assertFalse(store.isEmpty());
    }

    @Test
    void theTransactionSeesItsOwnChangesAndTheWorkResultIsReturned() {
        String seen = store.write(tx -> {
            tx.put("users", "u1", bytes("one"));
            tx.put("users", "u2", bytes("two"));
            tx.delete("users", "u2");
            return tx.get("users", "u1").map(StoreContractTest::text).orElse("missing") + "/"
                    + tx.get("users", "u2").isPresent() + "/" + tx.scan("users").size();
        });
        assertEquals("one/false/1", seen);
        assertTrue(store.read("users", "u2").isEmpty());
    }

    @Test
    void versionsCountWritesOfAKeyAndSurviveDeletion() {
        store.write(tx -> tx.put("n", "k", bytes("1")));
        assertEquals(2, longWrite(tx -> tx.put("n", "k", bytes("2"))));
        assertEquals(3, longWrite(tx -> {
            tx.put("n", "k", bytes("3a"));
            return tx.put("n", "k", bytes("3b"));
        }), "two writes of a key in one transaction make one version");
        assertEquals("3b", text(store.read("n", "k").orElseThrow()));
        assertTrue(boolWrite(tx -> tx.delete("n", "k")));
        assertFalse(boolWrite(tx -> tx.delete("n", "k")));
        assertEquals(5, longWrite(tx -> tx.put("n", "k", bytes("again"))), "a delete is a version too");
    }

    @Test
    void aConditionalWriteChecksTheVersion() {
        assertEquals(1, longWrite(tx -> tx.put("n", "k", bytes("first"), 0)));
        VersionConflictException conflict = assertThrows(VersionConflictException.class,
                () -> store.write(tx -> tx.put("n", "k", bytes("second"), 0)));
        assertEquals(0, conflict.expected());
        assertEquals(1, conflict.actual());
        assertEquals(2, longWrite(tx -> tx.put("n", "k", bytes("second"), 1)));
        assertEquals("second", text(store.read("n", "k").orElseThrow()));
        store.write(tx -> tx.delete("n", "k"));
        assertEquals(4, longWrite(tx -> tx.put("n", "k", bytes("reborn"), 0)));
    }

    @Test
    void eachCommitGetsTheNextRevisionAndAnEmptyOneNone() {
        store.write(tx -> tx.put("a", "1", bytes("x")));
        store.write(tx -> null);
        store.write(tx -> tx.get("a", "1"));
        store.write(tx -> {
            tx.put("a", "2", bytes("y"));
            return tx.put("b", "1", bytes("z"));
        });
        assertEquals(2, store.revision());
        assertEquals(1, store.read("a", "1").orElseThrow().revision());
        assertEquals(2, store.read("a", "2").orElseThrow().revision());
        assertEquals(2, store.read("b", "1").orElseThrow().revision());
    }

    @Test
    void changesSinceListsLaterWritesAndDeletionsInRevisionOrder() {
        store.write(tx -> tx.put("roles", "a", bytes("a1")));
        store.write(tx -> tx.put("roles", "b", bytes("b1")));
        store.write(tx -> tx.delete("roles", "a"));
        store.write(tx -> tx.put("users", "c", bytes("c1")));

        Changes all = store.changesSince(0);
        assertEquals(4, all.revision());
        assertEquals(List.of("roles/b@2", "roles/a@3", "users/c@4"), all.records().stream()
                .map(r -> r.namespace() + "/" + r.key() + "@" + r.revision()).toList());
        assertFalse(all.records().get(1).live());

        Changes later = store.changesSince(3);
        assertEquals(4, later.revision());
        assertEquals(1, later.records().size());
        assertEquals("c1", text(later.records().get(0)));
        assertEquals(new Changes(4, List.of()), store.changesSince(4));
    }

    @Test
    void scanListsTheLiveRecordsOfANamespaceInKeyOrder() {
        store.write(tx -> {
            tx.put("roles", "b", bytes("2"));
            tx.put("roles", "a", bytes("1"));
            tx.put("roles", "c", bytes("3"));
            return tx.put("rolesX", "z", bytes("other namespace"));
        });
        store.write(tx -> tx.delete("roles", "c"));
        assertEquals(List.of("a", "b"), store.scan("roles").stream().map(StoredRecord::key).toList());
        assertEquals(List.of("a", "b", "d"), store.write(tx -> {
            tx.put("roles", "d", bytes("4"));
            return tx.scan("roles").stream().map(StoredRecord::key).toList();
        }));
    }

    @Test
    void workThatThrowsLeavesNothing() {
        store.write(tx -> tx.put("roles", "kept", bytes("v1")));
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> store.write(tx -> {
            tx.put("roles", "kept", bytes("v2"));
            tx.put("roles", "new", bytes("n"));
            tx.delete("roles", "kept");
            throw new IllegalStateException("the operation failed");
        }));
        assertEquals("the operation failed", thrown.getMessage());
        assertEquals("v1", text(store.read("roles", "kept").orElseThrow()));
        assertTrue(store.read("roles", "new").isEmpty());
        assertEquals(1, store.revision());
        assertEquals(1, store.changesSince(0).records().size());
    }

    @Test
    void aCheckedExceptionOfTheWorkReachesTheCallerAndLeavesNothing() {
        Exception thrown = assertThrows(java.io.IOException.class, () -> store.write(tx -> {
            tx.put("roles", "r", bytes("v"));
            throw new java.io.IOException("refused");
        }));
        assertEquals("refused", thrown.getMessage());
        assertTrue(store.isEmpty());
        assertEquals(0, store.revision());
    }

    @Test
    void aConflictAbortsTheWholeTransaction() {
        store.write(tx -> tx.put("n", "k", bytes("v")));
        assertThrows(VersionConflictException.class, () -> store.write(tx -> {
            tx.put("n", "other", bytes("o"));
            return tx.put("n", "k", bytes("w"), 7);
        }));
        assertTrue(store.read("n", "other").isEmpty());
        assertEquals(1, store.revision());
    }

    @Test
    void valuesAreCopiedNotShared() {
        byte[] value = bytes("original");
        store.write(tx -> tx.put("n", "k", value));
        value[0] = 'X';
        assertEquals("original", text(store.read("n", "k").orElseThrow()));
    }

    @Test
    void aReopenedStoreHasEveryCommitWithItsVersionsAndRevisions() throws Exception {
        for (int i = 0; i < 50; i++) {
            int n = i;
            store.write(tx -> tx.put("roles", "r" + (n % 10), bytes("value " + n)));
        }
        store.write(tx -> tx.delete("roles", "r3"));
        store.write(tx -> tx.put("keys", "k\u00e9y/\u2603", new byte[] {0, 1, 2, (byte) 255}));
        Changes before = store.changesSince(0);

        restart();
        assertEquals(52, store.revision());
        assertEquals(before, store.changesSince(0));
        assertEquals("value 49", text(store.read("roles", "r9").orElseThrow()));
        assertEquals(5, store.read("roles", "r9").orElseThrow().version());
        assertTrue(store.read("roles", "r3").isEmpty());
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 255}, store.read("keys", "k\u00e9y/\u2603").orElseThrow().value());
        assertEquals(53, longWrite(tx -> {
            tx.put("roles", "r3", bytes("after restart"));
            return tx.baseRevision() + 1;
        }));
        assertEquals(7, store.read("roles", "r3").orElseThrow().version(), "five writes, a delete, a write");

        restart();
        assertEquals(53, store.revision());
        assertEquals("after restart", text(store.read("roles", "r3").orElseThrow()));
    }

    @Test
    void concurrentWritersLoseNoUpdate() throws Exception {
        int threads = 8;
        int increments = 50;
        store.write(tx -> tx.put("counters", "c", bytes("0")));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        Set<Long> revisions = ConcurrentHashMap.newKeySet();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < increments; i++) {
                    int n = i;
                    revisions.add(store.write(tx -> {
                        int value = Integer.parseInt(text(tx.get("counters", "c").orElseThrow()));
                        tx.put("counters", "c", bytes(Integer.toString(value + 1)));
                        tx.put("log", thread + "-" + n, bytes("x"));
                        return tx.baseRevision() + 1;
                    }));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(threads * increments, Integer.parseInt(text(store.read("counters", "c").orElseThrow())));
        assertEquals(threads * increments, revisions.size(), "every commit had its own revision");
        assertEquals(threads * increments + 1, store.revision());
        assertEquals(threads * increments, store.scan("log").size());

        Map<String, StoredRecord> byKey = new java.util.HashMap<>();
        store.changesSince(0).records().forEach(r -> byKey.put(r.namespace() + "/" + r.key(), r));
        restart();
        assertEquals(threads * increments, Integer.parseInt(text(store.read("counters", "c").orElseThrow())));
        assertEquals(threads * increments + 1, store.read("counters", "c").orElseThrow().version());
        assertEquals(new TreeSet<>(byKey.keySet()), new TreeSet<>(store.changesSince(0).records().stream()
                .map(r -> r.namespace() + "/" + r.key()).toList()));
    }

    @Test
    void aTransactionCannotBeUsedAfterItsWork() {
        Transaction[] leaked = new Transaction[1];
        store.write(tx -> {
            leaked[0] = tx;
            return null;
        });
        assertThrows(IllegalStateException.class, () -> leaked[0].put("n", "k", bytes("late")));
        assertTrue(store.isEmpty());
    }

    @Test
    void aNullValueIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> store.write(tx -> tx.put("n", "k", null)));
        assertTrue(store.isEmpty());
    }
}
