package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The torn-tail rule at the byte level: what a crash can leave at the end of the newest journal is cut off;
 * any other damage to a journal or a snapshot refuses the start and changes nothing.
 */
class JournalDamageTest {
    private static final int COMMITS = 40;

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Forty commits of one record each, in one journal; returns the journal. */
    private Path fortyCommits() throws Exception {
        try (Store store = JournalStore.open(dir)) {
            for (int i = 1; i <= COMMITS; i++) {
                int n = i;
                store.write(tx -> tx.put("roles", "r" + n, bytes("{\"role\":\"" + "x".repeat(n % 7 * 10) + n + "\"}")));
            }
        }
        return dir.resolve("journal-1");
    }

    /** Where each frame begins, and the end of the last. */
    private static List<Long> boundaries(Path journal) throws Exception {
        List<Long> out = new ArrayList<>(List.of(0L));
        JournalScan scan = JournalScan.read(Files.readAllBytes(journal), 1, c -> out.add(c.end()));
        assertEquals(null, scan.damage());
        return out;
    }

    /** Every file of the store: its bytes and modification time, to show a refused start changed nothing. */
    private Map<String, Object> everything() throws Exception {
        Map<String, Object> out = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> !p.getFileName().toString().equals("lock")).toList()) {
                out.put(p.getFileName() + " bytes", new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
                out.put(p.getFileName() + " mtime", Files.getLastModifiedTime(p));
            }
        }
        return out;
    }

    private void ageFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.setLastModifiedTime(p, FileTime.fromMillis(1_000_000_000_000L));
            }
        }
    }

    private StoreException refused() throws Exception {
        ageFiles();
        Map<String, Object> before = everything();
        StoreException e = assertThrows(StoreException.class, () -> JournalStore.open(dir).close());
        assertEquals(before, everything(), "a refused start changes no file");
        return e;
    }

    private static void flip(Path file, long offset) throws Exception {
        byte[] content = Files.readAllBytes(file);
        content[(int) offset] ^= 0x10;
        Files.write(file, content);
    }

    private static void putInt(Path file, long offset, int value) throws Exception {
        byte[] content = Files.readAllBytes(file);
        ByteBuffer.wrap(content).putInt((int) offset, value);
        Files.write(file, content);
    }

    private long opened() {
        try (Store store = JournalStore.open(dir)) {
            return store.revision();
        }
    }

    // ---- torn tails: cut ----------------------------------------------------------------------

    @Test
    void aLastFrameCutShortAnywhereIsATornTail() throws Exception {
        Path journal = fortyCommits();
        List<Long> at = boundaries(journal);
        long lastStart = at.get(COMMITS - 1);
        byte[] whole = Files.readAllBytes(journal);
        for (long end = lastStart + 1; end < whole.length; end++) {
            Files.write(journal, java.util.Arrays.copyOf(whole, (int) end));
            assertEquals(COMMITS - 1, opened(), "cut at " + end);
            assertEquals(lastStart, Files.size(journal));
        }
    }

    /** Forty commits, then one of about 3 KB (spanning several 512-byte sectors); returns where that one begins. */
    private long withABigLastCommit() throws Exception {
        Path journal = fortyCommits();
        long start = Files.size(journal);
        try (Store store = JournalStore.open(dir)) {
            store.write(tx -> tx.put("roles", "big", bytes("{\"doc\":\"" + "z".repeat(3000) + "\"}")));
        }
        return start;
    }

    private static long nextBlock(long offset) {
        return (offset / 512 + 1) * 512;
    }

    @Test
    void aLastFrameWhoseLastSectorsNeverReachedTheDiskIsATornTail() throws Exception {
        long lastStart = withABigLastCommit();
        Path journal = dir.resolve("journal-1");
        byte[] content = Files.readAllBytes(journal);
        java.util.Arrays.fill(content, (int) nextBlock(lastStart + 100), content.length, (byte) 0);
        Files.write(journal, content);
        assertEquals(COMMITS, opened());
        assertEquals(lastStart, Files.size(journal));
    }

    @Test
    void aLastFrameWithAnUnwrittenSectorInItsMiddleFollowedByZerosIsATornTail() throws Exception {
        long lastStart = withABigLastCommit();
        Path journal = dir.resolve("journal-1");
        byte[] content = Files.readAllBytes(journal);
        int block = (int) nextBlock(lastStart + 600);
        java.util.Arrays.fill(content, block, block + 512, (byte) 0);
        Files.write(journal, content);
        Files.write(journal, new byte[700], StandardOpenOption.APPEND); // the next frame's sectors, never written
        assertEquals(COMMITS, opened());
        assertEquals(lastStart, Files.size(journal));
    }

    @Test
    void aLastFrameWhoseHeaderSectorNeverReachedTheDiskIsATornTail() throws Exception {
        long lastStart = withABigLastCommit();
        Path journal = dir.resolve("journal-1");
        byte[] content = Files.readAllBytes(journal);
        java.util.Arrays.fill(content, (int) lastStart, (int) nextBlock(lastStart), (byte) 0);
        Files.write(journal, content);
        assertEquals(COMMITS, opened());
        assertEquals(lastStart, Files.size(journal));
    }

    @Test
    void zeroBytesAfterTheLastCommitAreATornTail() throws Exception {
        Path journal = fortyCommits();
        long size = Files.size(journal);
        Files.write(journal, new byte[8192], StandardOpenOption.APPEND);
        assertEquals(COMMITS, opened());
        assertEquals(size, Files.size(journal));
    }

    @Test
    void garbageTooShortForAHeaderIsATornTail() throws Exception {
        Path journal = fortyCommits();
        long size = Files.size(journal);
        Files.write(journal, new byte[] {0, 0, 1, 7, 9}, StandardOpenOption.APPEND);
        assertEquals(COMMITS, opened());
        assertEquals(size, Files.size(journal));
    }

    // ---- damage: refused -----------------------------------------------------------------------

    @Test
    void aBitFlippedAtTenPercentIsRefusedNotTruncated() throws Exception {
        Path journal = fortyCommits();
        long size = Files.size(journal);
        List<Long> at = boundaries(journal);
        long frame = at.stream().filter(b -> b >= size / 10).findFirst().orElseThrow();
        flip(journal, frame + 12);
        StoreException e = refused();
        String m = e.getMessage();
        assertTrue(m.contains(journal.toString()), m);
        assertTrue(m.contains("damaged at byte " + StoreReading.n(frame) + " of " + StoreReading.n(size)), m);
        assertTrue(m.contains("checksum does not match"), m);
        int after = COMMITS - at.indexOf(frame) - 1;
        assertTrue(m.contains("the " + StoreReading.n(size - frame) + " bytes from there to the end of the file hold " + after
                + " whole commits"), m);
        assertTrue(m.contains("crossrole state check --data-dir " + dir.getParent()), m);
        assertTrue(m.contains("crossrole state repair --data-dir " + dir.getParent() + " --truncate-at " + frame
                + " --journal journal-1"), m);
        assertTrue(m.contains("Nothing was changed"), m);
    }

    @Test
    void oneBitFlippedInTheLastFrameIsRefused() throws Exception {
        long lastStart = withABigLastCommit();
        Path journal = dir.resolve("journal-1");
        for (long at : new long[] {lastStart + 4, lastStart + 30, Files.size(journal) - 1}) {
            flip(journal, at);
            assertTrue(refused().getMessage().contains("damaged at byte " + StoreReading.n(lastStart)), "flip at " + at);
            flip(journal, at);
        }
        assertEquals(COMMITS + 1, opened(), "flipped back, it is whole");
    }

    @Test
    void aFlippedLengthInTheLastFrameIsRefused() throws Exception {
        long lastStart = withABigLastCommit();
        Path journal = dir.resolve("journal-1");
        for (int bit : new int[] {30, 14, 3}) {
            byte[] content = Files.readAllBytes(journal);
            int length = ByteBuffer.wrap(content).getInt((int) lastStart);
            putInt(journal, lastStart, length ^ (1 << bit)); // past the end, or shorter than the frame
            refused();
            putInt(journal, lastStart, length);
        }
    }

    @Test
    void aMismatchInTheLastButOneFrameIsRefused() throws Exception {
        Path journal = fortyCommits();
        List<Long> at = boundaries(journal);
        flip(journal, at.get(COMMITS - 2) + 20);
        String m = refused().getMessage();
        assertTrue(m.contains("hold 1 whole commit that can still be read (revision 40,"), m);
    }

    @Test
    void aLengthRunningPastTheEndInTheMiddleIsRefused() throws Exception {
        Path journal = fortyCommits();
        long frame = boundaries(journal).get(20);
        putInt(journal, frame, 50_000_000);
        String m = refused().getMessage();
        assertTrue(m.contains("a frame whose length runs past the end of the file"), m);
        assertTrue(m.contains("hold 19 whole commits that can still be read (revisions 22–40"), m);
    }

    @Test
    void aLengthThatCannotBeIsRefusedEvenAtTheEnd() throws Exception {
        Path journal = fortyCommits();
        long last = boundaries(journal).get(COMMITS - 1);
        putInt(journal, last, 3);
        String m = refused().getMessage();
        assertTrue(m.contains("a frame header whose length cannot be (length 3)"), m);
    }

    @Test
    void aMismatchedLastFrameFollowedByOtherBytesIsRefused() throws Exception {
        Path journal = fortyCommits();
        long last = boundaries(journal).get(COMMITS - 1);
        byte[] content = Files.readAllBytes(journal);
        int length = ByteBuffer.wrap(content).getInt((int) last);
        putInt(journal, last, length - 4); // the header no longer covers the whole payload
        refused();
    }

    @Test
    void aCommitWhoseChecksumMatchesButCannotBeReadIsRefused() throws Exception {
        Path journal = fortyCommits();
        byte[] payload = ByteBuffer.allocate(16).putLong(COMMITS + 1).putInt(5).putInt(-7).array();
        Files.write(journal, JournalFormat.frame(payload), StandardOpenOption.APPEND);
        String m = refused().getMessage();
        assertTrue(m.contains("checksum matches but whose commit cannot be read"), m);
    }

    @Test
    void aRevisionOutOfSequenceIsRefused() throws Exception {
        Path journal = fortyCommits();
        Files.write(journal, JournalFormat.frame(JournalFormat.encodeCommit(COMMITS + 5, List.of())),
                StandardOpenOption.APPEND);
        String m = refused().getMessage();
        assertTrue(m.contains("revision 45 where 41 was due"), m);
    }

    @Test
    void damageInAJournalThatIsNotTheNewestIsRefused() throws Exception {
        Path journal = fortyCommits();
        Files.write(dir.resolve("journal-" + (COMMITS + 1)), new byte[0]);
        long size = Files.size(journal);
        Files.write(journal, java.util.Arrays.copyOf(Files.readAllBytes(journal), (int) size - 3));
        String m = refused().getMessage();
        assertTrue(m.contains("not the newest journal"), m);
        assertTrue(m.contains("and the later journals"), m);
    }

    @Test
    void aJournalNamedPastTheStateIsRefused() throws Exception {
        fortyCommits();
        Files.write(dir.resolve("journal-" + (COMMITS + 3)), new byte[0]);
        String m = refused().getMessage();
        assertTrue(m.contains("commits 41–42 are missing"), m);
    }

    // ---- snapshots -----------------------------------------------------------------------------

    /** A store whose state is all in a snapshot, with an empty journal after it. */
    private Path snapshotOnly() throws Exception {
        try (JournalStore store = JournalStore.open(dir)) {
            for (int i = 1; i <= 30; i++) {
                int n = i;
                store.write(tx -> tx.put("roles", "r" + n, bytes("y".repeat(50))));
            }
            store.compactNow();
        }
        Files.delete(dir.resolve("journal-1"));
        Files.write(dir.resolve("journal-31"), new byte[0]);
        assertEquals(30, opened());
        return dir.resolve("snapshot-30");
    }

    @Test
    void aFlippedSnapshotIsRefusedWithItsPathNotTakenForAnEmptyStore() throws Exception {
        Path snapshot = snapshotOnly();
        flip(snapshot, Files.size(snapshot) / 2);
        String m = refused().getMessage();
        assertTrue(m.contains("the snapshot " + snapshot + " is damaged: its checksum does not match"), m);
        assertTrue(m.contains("restore the data directory from a backup"), m);
    }

    @Test
    void aDamagedNewestSnapshotIsNotPassedOverForAnOlderOne() throws Exception {
        Path snapshot = snapshotOnly();
        Files.copy(snapshot, dir.resolve("snapshot-20")); // an older snapshot a clean-up left behind
        flip(snapshot, 30);
        String m = refused().getMessage();
        assertTrue(m.contains(snapshot.toString()), m);
    }

    @Test
    void aTruncatedSnapshotIsRefused() throws Exception {
        Path snapshot = snapshotOnly();
        Files.write(snapshot, java.util.Arrays.copyOf(Files.readAllBytes(snapshot), 10));
        assertTrue(refused().getMessage().contains("shorter than any snapshot"));
    }

    @Test
    void aJournalTheSnapshotCoversIsNotRead() throws Exception {
        snapshotOnly();
        Files.write(dir.resolve("journal-1"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}); // left behind, and damaged
        assertEquals(30, opened());
    }

    @Test
    void theSnapshotFormatCrossroleHasAlwaysWrittenStillLoads() throws Exception {
        // "CRS1", revision, count, records with revisions, CRC32C: as the first embedded store wrote it.
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(raw);
        out.writeInt(0x43525331);
        out.writeLong(7);
        out.writeInt(1);
        JournalFormat.writeRecord(out, new StoredRecord("roles", "old", bytes("{}"), 3, 7), true);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(raw.toByteArray());
        out.writeInt((int) crc.getValue());
        Files.write(dir.resolve("snapshot-7"), raw.toByteArray());
        Files.write(dir.resolve("journal-8"), new byte[0]);
        try (Store store = JournalStore.open(dir)) {
            assertEquals(7, store.revision());
            assertArrayEquals(bytes("{}"), store.read("roles", "old").orElseThrow().value());
        }
    }
}
