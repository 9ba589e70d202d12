package dev.crossrole.server.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The embedded store's files read in the order a start reads them, without changing any: the newest
 * snapshot, then the journals after it. Both the store's start and {@code crossrole state check} use it, so
 * what the check reports is what a start does.
 *
 * <p>A journal whose commits all precede the snapshot (one a snapshot's clean-up had not yet deleted) is
 * not read: the snapshot holds its state. A damaged snapshot is never passed over for an older one: the
 * journals after the older one were deleted when the newer was written, so the older one would be silently
 * missing every commit in between.
 *
 * @param snapshot what the newest snapshot held, or {@code null} when there is none
 * @param journals every journal, in order, with what was read of it
 * @param revision the revision of the last whole commit read
 * @param problem why the store must not be used as it is, or {@code null}
 * @param tornTail the newest journal's torn tail, to cut at start, or {@code null}
 */
record StoreReading(Path directory, SnapshotReading snapshot, List<JournalReading> journals, long revision,
                    Problem problem, JournalReading tornTail) {
    static final String SNAPSHOT = "snapshot-";
    static final String JOURNAL = "journal-";

    /** What the records and commits are given to. */
    interface Sink {
        void snapshotRecord(StoredRecord record);

        /** A record of the snapshot, with the offset in its file just after it (where its value ends). */
        default void snapshotRecord(StoredRecord record, long end) {
            snapshotRecord(record);
        }

        /** A commit after the snapshot, in revision order. */
        void commit(JournalFormat.Commit commit);
    }

    /** The snapshot read: its file, revision and size, and how many records it holds. */
    record SnapshotReading(Path file, long revision, long size, int records) {}

    /**
     * One journal: {@code scan} is {@code null} for a journal not read (covered by the snapshot, or after a
     * problem).
     */
    record JournalReading(Path file, long start, long size, JournalScan scan, boolean covered, boolean newest) {}

    /** Why the store cannot be used as it is. */
    sealed interface Problem {
        Path file();

        /** What was found, for the refusal and for {@code state check}. */
        String finding();

        /** What the user can do about it. */
        default String advice(Path dataDir) {
            return "No other file holds that state: restore the data directory from a backup ('crossrole state check"
                    + " --data-dir " + dataDir + "' shows what the store holds).";
        }
    }

    record DamagedSnapshot(Path file, String reason) implements Problem {
        @Override
        public String finding() {
            return "the snapshot " + file + " is damaged: " + reason;
        }
    }

    record DamagedJournal(Path file, JournalScan scan, boolean newest) implements Problem {
        @Override
        public String finding() {
            JournalScan.Damage d = scan.damage();
            StringBuilder out = new StringBuilder("the journal ").append(file).append(" is damaged at byte ")
                    .append(n(d.offset())).append(" of ").append(n(scan.size())).append(": ").append(d.describe());
            JournalScan.Following f = d.following();
            if (f.commits() > 0) {
                out.append("; the ").append(n(d.bytes(scan.size()))).append(" bytes from there to the end of the file hold ")
                        .append(commits(f.commits())).append(" that can still be read (")
                        .append(revisions(f.firstRevision(), f.lastRevision())).append(", the first at byte ")
                        .append(n(f.firstOffset())).append(")");
            } else if (!newest) {
                out.append("; it is not the newest journal, so it was whole when the next one began");
            } else {
                out.append(" (").append(n(d.bytes(scan.size()))).append(" bytes to the end of the file)");
            }
            return out.toString();
        }

        @Override
        public String advice(Path dataDir) {
            JournalScan.Damage d = scan.damage();
            StringBuilder out = new StringBuilder("This is not a crash's torn tail, the only damage cut off by itself:")
                    .append(" cutting it would lose commits that may have been acknowledged. See what the store holds with")
                    .append(" 'crossrole state check --data-dir ").append(dataDir).append("'; then restore the data directory")
                    .append(" from a backup, or give up everything from byte ").append(n(d.offset())).append(" of ")
                    .append(file.getFileName()).append(" on (").append(n(d.bytes(scan.size()))).append(" bytes");
            if (d.following().commits() > 0) {
                out.append(", at least ").append(commits(d.following().commits()));
            }
            if (!newest) {
                out.append(", and the later journals");
            }
            return out.append(") with 'crossrole state repair --data-dir ").append(dataDir).append(" --truncate-at ")
                    .append(d.offset()).append(" --journal ").append(file.getFileName())
                    .append("', which keeps a copy of what it cuts.").toString();
        }
    }

    record MissingCommits(Path file, long expected, long found) implements Problem {
        @Override
        public String finding() {
            return "commits " + expected + "–" + (found - 1) + " are missing: the state is at revision " + (expected - 1)
                    + " and " + file + " begins at revision " + found;
        }
    }

    static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    static String revisions(long first, long last) {
        return first == last ? "revision " + first : "revisions " + first + "–" + last;
    }

    static String commits(long count) {
        return n(count) + (count == 1 ? " whole commit" : " whole commits");
    }

    /** Whether the directory holds an embedded store (a snapshot or a journal). */
    static boolean exists(Path directory) throws IOException {
        return Files.isDirectory(directory) && (!numbered(directory, SNAPSHOT).isEmpty() || !numbered(directory, JOURNAL).isEmpty());
    }

    static List<Long> numbered(Path directory, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
                    .map(n -> n.substring(prefix.length())).filter(n -> n.matches("\\d{1,18}")).map(Long::parseLong)
                    .sorted().toList();
        }
    }

    /** The revision in a journal's or snapshot's name. */
    static long numberOf(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(name.indexOf('-') + 1));
    }

    /**
     * A file's bytes, mapped rather than read into the heap: a snapshot holds the whole state, values the store
     * leaves on disk included, and a journal may grow as large before it is compacted.
     */
    private static ByteBuffer map(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
    }

    /** Reads the store's files, giving their contents to {@code sink}; stops at the first problem. */
    static StoreReading read(Path directory, Sink sink) throws IOException {
        List<Long> snapshots = numbered(directory, SNAPSHOT);
        List<Long> journalStarts = numbered(directory, JOURNAL);
        SnapshotReading snapshot = null;
        long revision = 0;
        Problem problem = null;
        if (!snapshots.isEmpty()) {
            Path file = directory.resolve(SNAPSHOT + snapshots.get(snapshots.size() - 1));
            ByteBuffer bytes = map(file);
            int[] count = new int[1];
            try {
                revision = JournalFormat.readSnapshot(bytes, (r, end) -> {
                    count[0]++;
                    sink.snapshotRecord(r, end);
                });
                snapshot = new SnapshotReading(file, revision, bytes.limit(), count[0]);
            } catch (JournalFormat.DamagedSnapshotException e) {
                problem = new DamagedSnapshot(file, e.getMessage());
            }
        }
        List<JournalReading> journals = new ArrayList<>();
        JournalReading torn = null;
        long[] state = {revision};
        for (int i = 0; i < journalStarts.size(); i++) {
            long start = journalStarts.get(i);
            Path file = directory.resolve(JOURNAL + start);
            boolean newest = i == journalStarts.size() - 1;
            boolean covered = snapshot != null && !newest && journalStarts.get(i + 1) <= snapshot.revision() + 1;
            if (problem != null || covered) {
                journals.add(new JournalReading(file, start, Files.size(file), null, covered, newest));
                continue;
            }
            ByteBuffer bytes = map(file);
            if (start > state[0] + 1) {
                // The commits before this journal's first are in no file (an empty journal counts too).
                problem = new MissingCommits(file, state[0] + 1, start);
                journals.add(new JournalReading(file, start, bytes.limit(), null, false, newest));
                continue;
            }
            JournalScan scan = JournalScan.read(bytes, start, commit -> {
                if (commit.revision() > state[0]) {
                    sink.commit(commit);
                    state[0] = commit.revision();
                }
            });
            JournalReading reading = new JournalReading(file, start, bytes.limit(), scan, false, newest);
            journals.add(reading);
            if (scan.damage() != null) {
                if (newest && scan.damage().tornTail()) {
                    torn = reading;
                } else {
                    problem = new DamagedJournal(file, scan, newest);
                }
            }
        }
        return new StoreReading(directory, snapshot, journals, state[0], problem, torn);
    }
}
