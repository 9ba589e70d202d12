package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the embedded store does: cut torn tails, compact into snapshots, keep one process per directory. */
class JournalStoreTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Path onlyJournal() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> journals = files.filter(p -> p.getFileName().toString().startsWith("journal-")).toList();
            assertEquals(1, journals.size(), journals.toString());
            return journals.get(0);
        }
    }

    private void writeTen(Store store) {
        for (int i = 1; i <= 10; i++) {
            int n = i;
            store.write(tx -> tx.put("n", "k" + n, bytes("v" + n)));
        }
    }

    @Test
    void aTornLastCommitIsCutOffAndTheStoreGoesOn() throws Exception {
        try (Store store = JournalStore.open(dir)) {
            writeTen(store);
        }
        Path journal = onlyJournal();
        long whole = Files.size(journal);
        for (int cut = 1; cut < 30; cut += 7) {
            try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.WRITE)) {
                channel.truncate(whole - cut);
            }
            try (Store store = JournalStore.open(dir)) {
                assertEquals(9, store.revision(), "commit 10 was torn by " + cut + " bytes");
                assertTrue(store.read("n", "k10").isEmpty());
                assertEquals("v9", new String(store.read("n", "k9").orElseThrow().value(), StandardCharsets.UTF_8));
                store.write(tx -> tx.put("n", "k10", bytes("v10")));
            }
            try (Store store = JournalStore.open(dir)) {
                assertEquals(10, store.revision(), "the commit after the cut is read back");
            }
            whole = Files.size(journal);
        }
    }

    @Test
    void aBitFlippedInTheLastCommitIsRefusedNotCut() throws Exception {
        try (Store store = JournalStore.open(dir)) {
            writeTen(store);
        }
        Path journal = onlyJournal();
        byte[] content = Files.readAllBytes(journal);
        content[content.length - 3] ^= 0x5a;
        Files.write(journal, content);
        StoreException e = assertThrows(StoreException.class, () -> JournalStore.open(dir));
        assertTrue(e.getMessage().contains("checksum does not match"), e.getMessage());
        assertEquals(content.length, Files.size(journal));
    }

    @Test
    void garbageAfterTheLastCommitIsCutOff() throws Exception {
        try (Store store = JournalStore.open(dir)) {
            writeTen(store);
        }
        Path journal = onlyJournal();
        long whole = Files.size(journal);
        Files.write(journal, new byte[] {0, 0, 0, 40, 1, 2, 3}, StandardOpenOption.APPEND);
        try (Store store = JournalStore.open(dir)) {
            assertEquals(10, store.revision());
        }
        assertEquals(whole, Files.size(journal));
    }

    @Test
    void compactionWritesASnapshotAndDropsOldJournals() throws Exception {
        try (JournalStore store = JournalStore.open(dir, 4096)) {
            for (int i = 0; i < 400; i++) {
                int n = i;
                store.write(tx -> tx.put("roles", "r" + (n % 50), bytes("x".repeat(100) + n)));
            }
            store.write(tx -> tx.delete("roles", "r7"));
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("snapshot-")), names.toString());
            assertTrue(names.stream().filter(n -> n.startsWith("journal-")).count() <= 2, names.toString());
        }
        try (Store store = JournalStore.open(dir)) {
            assertEquals(401, store.revision());
            assertEquals(49, store.scan("roles").size());
            assertEquals("x".repeat(100) + 399, new String(store.read("roles", "r49").orElseThrow().value(),
                    StandardCharsets.UTF_8));
            assertEquals(8, store.read("roles", "r49").orElseThrow().version());
            assertEquals(1, store.changesSince(400).records().size(), "the deletion is still reported");
        }
    }

    @Test
    void valuesLeftOnDiskStayReadableThroughCompactionsAndARestart() throws Exception {
        String events = "logs.events";
        assertTrue(JournalStore.ON_DISK.contains(events));
        try (JournalStore store = JournalStore.open(dir, 4096)) {
            for (int i = 0; i < 600; i++) {
                int n = i;
                store.write(tx -> {
                    tx.put(events, "b" + n, bytes("e".repeat(50) + n));
                    tx.put("roles", "r" + (n % 20), bytes("r" + n));
                    return null;
                });
                // An older value, which background compactions move into their snapshots meanwhile.
                assertEquals("e".repeat(50) + n / 2, text(store.read(events, "b" + n / 2).orElseThrow()));
            }
            store.write(tx -> tx.delete(events, "b3"));
            StoredRecord held = store.read(events, "b10").orElseThrow();
            assertNotNull(held.reader(), "not held in memory");
            assertNull(store.read("roles", "r1").orElseThrow().reader(), "other namespaces are");
            store.compactNow();
            store.compactNow(); // the same revision again: the snapshot is replaced under the records pointing into it
            assertEquals("e".repeat(50) + 10, text(held), "a record looked up before the snapshots");
            assertAllThere(store);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.filter(p -> p.getFileName().toString().startsWith("journal-")).count() <= 2);
        }
        try (JournalStore store = JournalStore.open(dir)) {
            assertAllThere(store);
            store.write(tx -> tx.put(events, "b600", bytes("after the restart")));
            assertEquals("after the restart", text(store.read(events, "b600").orElseThrow()));
            long live = store.changesSince(0).records().stream().filter(r -> r.namespace().equals(events))
                    .filter(StoredRecord::live).count();
            assertEquals(600, live);
        }
    }

    private static String text(StoredRecord record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    private static void assertAllThere(Store store) {
        List<StoredRecord> all = store.scan("logs.events");
        assertEquals(599, all.size());
        for (StoredRecord r : all) {
            assertEquals("e".repeat(50) + r.key().substring(1), text(r), r.toString());
        }
        assertTrue(store.read("logs.events", "b3").isEmpty());
        assertEquals("r599", text(store.read("roles", "r19").orElseThrow()));
    }

    @Test
    void oneProcessAtATimeOpensADirectory() {
        try (Store store = JournalStore.open(dir)) {
            StoreException e = assertThrows(StoreException.class, () -> JournalStore.open(dir));
            assertTrue(e.getMessage().contains("in use by another crossrole"), e.getMessage());
        }
        JournalStore.open(dir).close();
    }

    @Test
    void aClosedStoreRefusesWrites() {
        Store store = JournalStore.open(dir);
        store.close();
        assertThrows(StoreException.class, () -> store.write(tx -> tx.put("n", "k", bytes("v"))));
    }
}
