package dev.crossrole.server.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code crossrole state check} and {@code state repair} on the embedded store's files. Both need the store
 * not to be in use: a running crossrole appends to the newest journal and deletes old files as it
 * compacts, so what a check read meanwhile could be half an append; and it verified the store when it
 * started. The check reads only (it takes the process lock shared, so a crossrole starting meanwhile waits
 * its turn by refusing); the repair takes it exclusively.
 */
public final class EmbeddedStoreFiles {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private EmbeddedStoreFiles() {}

    /** The outcome of a check: a readable account, and the verdict. */
    public record Check(List<String> lines, Verdict verdict) {}

    /** What the check concluded. */
    public enum Verdict {
        /** Every file reads whole. */
        HEALTHY,
        /** Whole but for a torn tail of the newest journal, which a start cuts off. */
        TORN_TAIL,
        /** crossrole refuses to start on it. */
        DAMAGED
    }

    /** What a repair did, in lines for the user. */
    public record Repair(List<String> lines) {}

    /** A repair refused (an offset that is not a frame boundary, nothing to cut): nothing was changed. */
    public static final class RepairRefused extends Exception {
        RepairRefused(String message) {
            super(message);
        }
    }

    /**
     * Verifies the snapshot and the journals in {@code dataDir/store} as a start reads them.
     *
     * @throws StoreException when there is no embedded store there or it is in use
     */
    public static Check check(Path dataDir) throws IOException {
        Path directory = storeDirectory(dataDir);
        try (Locked ignored = Locked.shared(directory)) {
            StoreReading reading = StoreReading.read(directory, counting());
            return new Check(describe(reading), reading.problem() != null ? Verdict.DAMAGED
                    : reading.tornTail() != null ? Verdict.TORN_TAIL : Verdict.HEALTHY);
        }
    }

    /**
     * Cuts a journal at {@code offset}, a frame boundary no later than its first damage, after copying it whole
     * to {@code <journal>.bak-<time>} (0600). Journals after it are set aside the same way (renamed), since their
     * commits could no longer follow. {@code journalName} ({@code journal-<n>}) defaults to the damaged one.
     *
     * @throws StoreException when there is no embedded store there or it is in use
     * @throws RepairRefused when the offset or journal is not one to cut; nothing is changed
     */
    public static Repair truncate(Path dataDir, String journalName, long offset, Instant now)
            throws IOException, RepairRefused {
        Path directory = storeDirectory(dataDir);
        try (Locked ignored = Locked.exclusive(directory)) {
            StoreReading reading = StoreReading.read(directory, counting());
            if (reading.problem() != null && !(reading.problem() instanceof StoreReading.DamagedJournal)) {
                throw new RepairRefused("cutting a journal cannot help: " + reading.problem().finding()
                        + "; restore the data directory from a backup");
            }
            StoreReading.JournalReading target = target(reading, journalName);
            if (reading.problem() instanceof StoreReading.DamagedJournal damaged
                    && target.start() > StoreReading.numberOf(damaged.file())) {
                throw new RepairRefused("cutting " + target.file().getFileName() + " leaves the damage in "
                        + damaged.file().getFileName() + ", which comes before it");
            }
            if (target.covered()) {
                throw new RepairRefused(target.file().getFileName() + " holds only commits the snapshot "
                        + reading.snapshot().file().getFileName() + " already has: a start does not read it, so there"
                        + " is nothing to repair in it");
            }
            byte[] bytes = Files.readAllBytes(target.file());
            List<Long> boundaries = new ArrayList<>(List.of(0L));
            List<Long> revisions = new ArrayList<>(List.of(target.start() - 1));
            JournalScan scan = JournalScan.read(bytes, target.start(), c -> {
                boundaries.add(c.end());
                revisions.add(c.revision());
            });
            int kept = boundaries.indexOf(offset);
            if (offset < 0 || offset > scan.whole() || kept < 0) {
                throw new RepairRefused(notABoundary(target, scan, boundaries, offset));
            }
            if (offset == bytes.length) {
                throw new RepairRefused(target.file().getFileName() + " is " + StoreReading.n(bytes.length)
                        + " bytes long: there is nothing after byte " + offset + " to cut");
            }
            String stamp = STAMP.format(now);
            Path backup = target.file().resolveSibling(target.file().getFileName() + ".bak-" + stamp);
            PrivateFiles.copy(target.file(), backup);
            List<String> lines = new ArrayList<>();
            lines.add("copied " + target.file() + " (" + StoreReading.n(bytes.length) + " bytes) to " + backup);
            List<StoreReading.JournalReading> later = reading.journals().stream()
                    .filter(j -> j.start() > target.start()).toList();
            for (StoreReading.JournalReading j : later) {
                Path aside = j.file().resolveSibling(j.file().getFileName() + ".bak-" + stamp);
                Files.move(j.file(), aside);
                lines.add("set aside " + j.file() + " as " + aside + " (" + StoreReading.n(j.size())
                        + " bytes): its commits cannot follow the cut");
            }
            try (FileChannel channel = FileChannel.open(target.file(), StandardOpenOption.WRITE)) {
                channel.truncate(offset);
                channel.force(true);
            }
            forceDirectory(directory);
            long snapshotRevision = reading.snapshot() == null ? 0 : reading.snapshot().revision();
            lines.add(cutSummary(target, scan, boundaries.size() - 1 - kept, offset, revisions.get(kept), snapshotRevision));
            return new Repair(lines);
        }
    }

    private static String cutSummary(StoreReading.JournalReading target, JournalScan scan, int wholeCut, long offset,
                                     long keptRevision, long snapshotRevision) {
        StringBuilder out = new StringBuilder("cut ").append(target.file().getFileName()).append(" at byte ")
                .append(StoreReading.n(offset)).append(": removed ").append(StoreReading.n(scan.size() - offset))
                .append(" bytes");
        List<String> what = new ArrayList<>();
        if (wholeCut > 0) {
            what.add(StoreReading.commits(wholeCut) + " before the damage ("
                    + StoreReading.revisions(keptRevision + 1, scan.lastRevision()) + ")");
        }
        if (scan.damage() != null) {
            JournalScan.Damage d = scan.damage();
            String damaged = "the damage at byte " + StoreReading.n(d.offset()) + " (" + d.describe() + ")";
            if (d.following().commits() > 0) {
                damaged += " and " + StoreReading.commits(d.following().commits()) + " found after it ("
                        + StoreReading.revisions(d.following().firstRevision(), d.following().lastRevision()) + ")";
            }
            what.add(damaged);
        }
        if (!what.isEmpty()) {
            out.append(": ").append(String.join(", ", what));
        }
        return out.append(". The store now ends at revision ").append(Math.max(keptRevision, snapshotRevision)).append('.')
                .toString();
    }

    private static String notABoundary(StoreReading.JournalReading target, JournalScan scan, List<Long> boundaries,
                                       long offset) {
        long below = -1;
        long above = -1;
        for (long b : boundaries) {
            if (b <= offset) {
                below = b;
            } else if (above < 0) {
                above = b;
            }
        }
        String name = target.file().getFileName().toString();
        if (offset > scan.whole()) {
            return "byte " + offset + " of " + name + " is past where it can be read whole (byte " + scan.whole()
                    + (scan.damage() == null ? ", its end" : ", where the damage begins")
                    + "): the last offset to cut at is " + scan.whole();
        }
        return "byte " + offset + " of " + name + " is not where a commit begins: the nearest are " + below
                + (above < 0 ? "" : " and " + above) + " (see 'crossrole state check')";
    }

    private static StoreReading.JournalReading target(StoreReading reading, String journalName) throws RepairRefused {
        if (journalName == null) {
            if (reading.problem() instanceof StoreReading.DamagedJournal damaged) {
                return reading.journals().stream().filter(j -> j.file().equals(damaged.file())).findFirst().orElseThrow();
            }
            throw new RepairRefused("no journal is damaged" + (reading.tornTail() == null ? ""
                    : " (the torn tail of " + reading.tornTail().file().getFileName() + " is cut at the next start)")
                    + ": name the journal to cut with --journal");
        }
        Path given = Path.of(journalName);
        if (given.getFileName() == null || (given.getParent() != null
                && !given.toAbsolutePath().normalize().getParent().equals(reading.directory().normalize()))) {
            throw new RepairRefused("--journal names a journal of the store in " + reading.directory()
                    + " (journal-<n>), not " + journalName);
        }
        String name = given.getFileName().toString();
        return reading.journals().stream().filter(j -> j.file().getFileName().toString().equals(name)).findFirst()
                .orElseThrow(() -> new RepairRefused("there is no journal " + name + " in " + reading.directory()
                        + "; the journals are " + reading.journals().stream()
                        .map(j -> j.file().getFileName().toString()).toList()));
    }

    private static List<String> describe(StoreReading reading) {
        List<String> lines = new ArrayList<>();
        lines.add("embedded store in " + reading.directory());
        StoreReading.SnapshotReading s = reading.snapshot();
        if (s != null) {
            lines.add("  " + s.file().getFileName() + ": " + StoreReading.n(s.size()) + " bytes, checksum verified, "
                    + StoreReading.n(s.records()) + " records at revision " + s.revision());
        } else if (reading.problem() instanceof StoreReading.DamagedSnapshot damaged) {
            lines.add("  " + damaged.file().getFileName() + ": DAMAGED");
        } else {
            lines.add("  no snapshot");
        }
        for (StoreReading.JournalReading j : reading.journals()) {
            String head = "  " + j.file().getFileName() + ": " + StoreReading.n(j.size()) + " bytes, ";
            JournalScan scan = j.scan();
            if (j.covered()) {
                lines.add(head + "not read: its commits are all in the snapshot");
            } else if (scan == null) {
                lines.add(head + "not read (after the problem below)");
            } else {
                String commits = scan.commits() == 0 ? "no whole commit"
                        : StoreReading.commits(scan.commits()) + " (" + StoreReading.revisions(scan.firstRevision(),
                        scan.lastRevision()) + ")";
                if (scan.damage() == null) {
                    lines.add(head + commits + ", whole");
                } else {
                    JournalScan.Damage d = scan.damage();
                    lines.add(head + commits + " before byte " + StoreReading.n(scan.whole()) + "; at byte "
                            + StoreReading.n(d.offset()) + ": " + d.describe());
                    if (reading.tornTail() == j) {
                        lines.add("    a torn tail (" + StoreReading.n(d.bytes(scan.size())) + " bytes): an append"
                                + " interrupted by a crash, never acknowledged; the next start cuts it off");
                    } else if (d.following().commits() > 0) {
                        JournalScan.Following f = d.following();
                        lines.add("    after it, " + StoreReading.commits(f.commits()) + " can still be read ("
                                + StoreReading.revisions(f.firstRevision(), f.lastRevision()) + ", the first at byte "
                                + StoreReading.n(f.firstOffset()) + ")");
                    }
                }
            }
        }
        if (reading.problem() != null) {
            lines.add("DAMAGED: " + reading.problem().finding() + ". crossrole will not start on it. "
                    + reading.problem().advice(reading.directory().getParent()));
        } else {
            lines.add("healthy: the store is at revision " + reading.revision()
                    + (reading.tornTail() == null ? "" : " once the torn tail is cut"));
        }
        return lines;
    }

    private static StoreReading.Sink counting() {
        return new StoreReading.Sink() {
            @Override
            public void snapshotRecord(StoredRecord record) {
                // counted by the reading
            }

            @Override
            public void commit(JournalFormat.Commit commit) {
                // only verified
            }
        };
    }

    private static Path storeDirectory(Path dataDir) throws IOException {
        Path directory = dataDir.toAbsolutePath().resolve(JournalStore.DIRECTORY);
        if (!StoreReading.exists(directory)) {
            throw new StoreException("there is no embedded store in " + dataDir.toAbsolutePath() + " (no snapshot or"
                    + " journal in " + directory + "); a PostgreSQL store is kept whole by PostgreSQL itself");
        }
        return directory;
    }

    private static void forceDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Not every platform can open a directory; the renames are still atomic.
        }
    }

    /** The store's process lock, held while its files are read or repaired. */
    private record Locked(FileChannel channel, FileLock lock) implements AutoCloseable {
        static Locked shared(Path directory) throws IOException {
            FileChannel channel;
            try {
                channel = FileChannel.open(directory.resolve("lock"), StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return new Locked(null, null); // no crossrole ever opened it, so none has it open
            }
            return take(directory, channel, true);
        }

        static Locked exclusive(Path directory) throws IOException {
            return take(directory, PrivateFiles.open(directory.resolve("lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE), false);
        }

        private static Locked take(Path directory, FileChannel channel, boolean shared) throws IOException {
            FileLock lock;
            try {
                lock = channel.tryLock(0, Long.MAX_VALUE, shared);
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new StoreException("the store in " + directory + " is in use by a running crossrole: stop it first"
                        + " (a running crossrole verified the store when it started)");
            }
            return new Locked(channel, lock);
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }
    }
}
