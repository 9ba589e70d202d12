package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code state check} and {@code state repair} on the files: what they report, refuse and cut. */
class EmbeddedStoreFilesTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:15:30.123Z");

    @TempDir
    Path data;

    private Path store() {
        return data.resolve("store");
    }

    private Path thirty() {
        try (Store store = Stores.embedded(data)) {
            for (int i = 1; i <= 30; i++) {
                int n = i;
                store.write(tx -> tx.put("roles", "r" + n, ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8)));
            }
        }
        return store().resolve("journal-1");
    }

    private static List<Long> boundaries(Path journal) throws Exception {
        List<Long> out = new ArrayList<>(List.of(0L));
        JournalScan.read(Files.readAllBytes(journal), 1, c -> out.add(c.end()));
        return out;
    }

    private static void flip(Path file, long offset) throws Exception {
        byte[] content = Files.readAllBytes(file);
        content[(int) offset] ^= 0x01;
        Files.write(file, content);
    }

    @Test
    void aHealthyStoreIsReportedWithItsCommits() throws Exception {
        thirty();
        EmbeddedStoreFiles.Check check = EmbeddedStoreFiles.check(data);
        assertEquals(EmbeddedStoreFiles.Verdict.HEALTHY, check.verdict());
        String text = String.join("\n", check.lines());
        assertTrue(text.contains("journal-1: "), text);
        assertTrue(text.contains("30 whole commits (revisions 1–30), whole"), text);
        assertTrue(text.contains("healthy: the store is at revision 30"), text);
    }

    @Test
    void aTornTailIsHealthyAndLeftForTheStartToCut() throws Exception {
        Path journal = thirty();
        byte[] bytes = Files.readAllBytes(journal);
        Files.write(journal, java.util.Arrays.copyOf(bytes, bytes.length - 5));
        EmbeddedStoreFiles.Check check = EmbeddedStoreFiles.check(data);
        assertEquals(EmbeddedStoreFiles.Verdict.TORN_TAIL, check.verdict());
        assertTrue(String.join("\n", check.lines()).contains("the next start cuts it off"), check.lines().toString());
        assertEquals(bytes.length - 5, Files.size(journal), "the check changes nothing");
    }

    @Test
    void damageIsReportedWithItsOffsetAndChangesNothing() throws Exception {
        Path journal = thirty();
        long frame = boundaries(journal).get(3);
        flip(journal, frame + 20);
        byte[] before = Files.readAllBytes(journal);
        EmbeddedStoreFiles.Check check = EmbeddedStoreFiles.check(data);
        assertEquals(EmbeddedStoreFiles.Verdict.DAMAGED, check.verdict());
        String text = String.join("\n", check.lines());
        assertTrue(text.contains("3 whole commits (revisions 1–3) before byte " + frame + "; at byte " + frame
                + ": a whole frame whose checksum does not match"), text);
        assertTrue(text.contains("after it, 26 whole commits can still be read (revisions 5–30"), text);
        assertTrue(text.contains("--truncate-at " + frame), text);
        assertArrayEquals(before, Files.readAllBytes(journal));
    }

    @Test
    void aDamagedSnapshotIsReported() throws Exception {
        try (JournalStore store = JournalStore.open(store())) {
            store.write(tx -> tx.put("roles", "r", "{}".getBytes(StandardCharsets.UTF_8)));
            store.compactNow();
        }
        flip(store().resolve("snapshot-1"), 15);
        EmbeddedStoreFiles.Check check = EmbeddedStoreFiles.check(data);
        assertEquals(EmbeddedStoreFiles.Verdict.DAMAGED, check.verdict());
        assertTrue(String.join("\n", check.lines()).contains("snapshot-1: DAMAGED"), check.lines().toString());
    }

    @Test
    void noStoreOrAStoreInUseCannotBeChecked() throws Exception {
        StoreException none = assertThrows(StoreException.class, () -> EmbeddedStoreFiles.check(data.resolve("nothing")));
        assertTrue(none.getMessage().contains("there is no embedded store in"), none.getMessage());
        assertTrue(Files.notExists(data.resolve("nothing")), "nothing is created");
        thirty();
        try (Store running = Stores.embedded(data)) {
            StoreException inUse = assertThrows(StoreException.class, () -> EmbeddedStoreFiles.check(data));
            assertTrue(inUse.getMessage().contains("in use by a running crossrole"), inUse.getMessage());
            assertThrows(StoreException.class, () -> EmbeddedStoreFiles.truncate(data, "journal-1", 0, NOW));
        }
    }

    @Test
    void repairCutsAtTheDamageKeepsACopyAndTheStoreStartsAgain() throws Exception {
        Path journal = thirty();
        long frame = boundaries(journal).get(10);
        flip(journal, frame + 20);
        byte[] damaged = Files.readAllBytes(journal);
        assertThrows(StoreException.class, () -> Stores.embedded(data).close());

        EmbeddedStoreFiles.Repair repair = EmbeddedStoreFiles.truncate(data, null, frame, NOW);
        String text = String.join("\n", repair.lines());
        Path backup = store().resolve("journal-1.bak-20261201T101530.123Z");
        assertArrayEquals(damaged, Files.readAllBytes(backup), "the copy is the journal as it was");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));
        assertEquals(frame, Files.size(journal));
        assertTrue(text.contains("cut journal-1 at byte " + frame + ": removed " + StoreReading.n(damaged.length - frame)
                + " bytes"), text);
        assertTrue(text.contains("19 whole commits found after it (revisions 12–30)"), text);
        assertTrue(text.contains("The store now ends at revision 10."), text);
        try (Store store = Stores.embedded(data)) {
            assertEquals(10, store.revision());
            assertEquals(10, store.scan("roles").size());
        }
        assertEquals(EmbeddedStoreFiles.Verdict.HEALTHY, EmbeddedStoreFiles.check(data).verdict());
    }

    @Test
    void anOffsetThatIsNotABoundaryIsRefusedWithTheNearestOnes() throws Exception {
        Path journal = thirty();
        List<Long> at = boundaries(journal);
        flip(journal, at.get(20) + 20);
        byte[] before = Files.readAllBytes(journal);
        EmbeddedStoreFiles.RepairRefused between = assertThrows(EmbeddedStoreFiles.RepairRefused.class,
                () -> EmbeddedStoreFiles.truncate(data, null, at.get(5) + 3, NOW));
        assertTrue(between.getMessage().contains("is not where a commit begins: the nearest are " + at.get(5) + " and "
                + at.get(6)), between.getMessage());
        EmbeddedStoreFiles.RepairRefused past = assertThrows(EmbeddedStoreFiles.RepairRefused.class,
                () -> EmbeddedStoreFiles.truncate(data, null, at.get(25), NOW));
        assertTrue(past.getMessage().contains("the last offset to cut at is " + at.get(20)), past.getMessage());
        assertThrows(EmbeddedStoreFiles.RepairRefused.class, () -> EmbeddedStoreFiles.truncate(data, "journal-7", 0, NOW));
        assertArrayEquals(before, Files.readAllBytes(journal));
        try (Stream<Path> files = Files.list(store())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".bak-")), "no copy either");
        }
    }

    @Test
    void aHealthyStoreIsCutOnlyWhenTheJournalIsNamed() throws Exception {
        Path journal = thirty();
        EmbeddedStoreFiles.RepairRefused refused = assertThrows(EmbeddedStoreFiles.RepairRefused.class,
                () -> EmbeddedStoreFiles.truncate(data, null, 0, NOW));
        assertTrue(refused.getMessage().contains("no journal is damaged"), refused.getMessage());
        long end = Files.size(journal);
        assertThrows(EmbeddedStoreFiles.RepairRefused.class, () -> EmbeddedStoreFiles.truncate(data, "journal-1", end, NOW));
        long at = boundaries(journal).get(25);
        EmbeddedStoreFiles.truncate(data, "journal-1", at, NOW);
        try (Store store = Stores.embedded(data)) {
            assertEquals(25, store.revision());
        }
    }

    @Test
    void cuttingAnOlderJournalSetsTheLaterOnesAside() throws Exception {
        Path journal = thirty();
        long at = boundaries(journal).get(20);
        byte[] bytes = Files.readAllBytes(journal);
        Files.write(journal, java.util.Arrays.copyOf(bytes, bytes.length - 2));
        Path later = store().resolve("journal-31");
        Files.write(later, new byte[0]);
        assertEquals(EmbeddedStoreFiles.Verdict.DAMAGED, EmbeddedStoreFiles.check(data).verdict());
        EmbeddedStoreFiles.Repair repair = EmbeddedStoreFiles.truncate(data, null, at, NOW);
        assertTrue(String.join("\n", repair.lines()).contains("set aside " + later), repair.lines().toString());
        assertTrue(Files.notExists(later));
        try (Store store = Stores.embedded(data)) {
            assertEquals(20, store.revision());
        }
    }
}
