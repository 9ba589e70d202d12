package dev.crossrole.server.store;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The embedded store: every record in memory, every commit appended to a journal file as one framed
 * entry (length, CRC32C, payload) and forced to disk before {@link #write} returns. Writers that wait
 * for the disk at the same time share one force (group commit). At start the newest snapshot is read
 * and verified, and the journals after it replayed ({@link StoreReading}); a torn tail of the newest journal
 * (a crash in the middle of an append, never acknowledged: see {@link JournalScan}) is cut off at the last
 * whole commit, and any other damage refuses the start without changing a byte. When the journal has grown,
 * it is rotated and the state written in the background as a new snapshot (temp file, force, rename), after
 * which the older journals are deleted.
 *
 * <p>The values of the namespaces in {@link #ON_DISK} are not held: such a record in memory says only which file
 * (journal or snapshot) holds its value and where, and {@link StoredRecord#value()} reads it from there. A snapshot
 * copies them from the older files, and the records then point into it before those files are deleted.
 *
 * <p>Files in the directory (mode 0600, the directory 0700): {@code lock}, {@code snapshot-<revision>},
 * {@code journal-<first revision>} (formats in {@link JournalFormat}).
 */
final class JournalStore implements Store {
    static final String DIRECTORY = "store";
    private static final Logger LOG = Logger.getLogger(JournalStore.class.getName());
    private static final String SNAPSHOT = StoreReading.SNAPSHOT;
    private static final String JOURNAL = StoreReading.JOURNAL;
    /** A journal larger than the last snapshot (and than this minimum) is compacted: a restart reads at most about twice the state. */
    private static final long COMPACT_MIN_BYTES = 16L << 20;
    /**
     * Namespaces whose values stay in the store's files: CloudWatch Logs' event batches and CloudTrail's event
     * history, written once, read only by the queries that need them, and together far larger than everything else,
     * so that memory does not grow with the events a server holds.
     */
    static final java.util.Set<String> ON_DISK = java.util.Set.of("logs.events", "cloudtrail.events");

    private final Path directory;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Every record by namespace then key, deleted ones kept (as tombstones) so readers behind can catch up. */
    private final Map<String, Map<String, StoredRecord>> records = new ConcurrentHashMap<>();
    /** The files that hold values left on disk, each opened for reading when first needed. */
    private final Map<Path, Segment> segments = new ConcurrentHashMap<>();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object forceMonitor = new Object();
    private final ExecutorService compactor = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "crossrole-store-compaction");
        thread.setDaemon(true);
        return thread;
    });
    private final long compactThreshold;

    private volatile long revision;
    private FileChannel journal;
    private Path journalFile;
    /** Bytes appended to the current journal (under the write lock) and bytes known to be on disk. */
    private volatile long appended;
    private long forced;
    private long snapshotBytes;
    private boolean compacting;
    /** Set after a failed append or force: what is on disk is no longer known, so nothing more is acknowledged. */
    private volatile StoreException failure;
    private boolean closed;

    private JournalStore(Path directory, FileChannel lockChannel, FileLock lock, long compactThreshold) {
        this.directory = directory;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.compactThreshold = compactThreshold;
    }

    static JournalStore open(Path directory) {
        return open(directory, COMPACT_MIN_BYTES);
    }

    static JournalStore open(Path directory, long compactThreshold) {
        FileChannel lockChannel = null;
        try {
            PrivateFiles.createDirectories(directory); // an older, looser one is tightened by the server's start
            lockChannel = PrivateFiles.open(directory.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new StoreException("the store in " + directory + " is in use by another crossrole process");
            }
            JournalStore store = new JournalStore(directory, lockChannel, lock, compactThreshold);
            store.recover();
            return store;
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new StoreException("cannot open the store in " + directory + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    // ---- reading ----------------------------------------------------------------------------

    @Override
    public long revision() {
        return revision;
    }

    @Override
    public boolean revisionInMemory() {
        return true;
    }

    @Override
    public Optional<StoredRecord> read(String namespace, String key) {
        return committed(namespace, key).filter(StoredRecord::live);
    }

    private Optional<StoredRecord> committed(String namespace, String key) {
        Map<String, StoredRecord> space = records.get(namespace);
        return space == null ? Optional.empty() : Optional.ofNullable(space.get(key));
    }

    @Override
    public List<StoredRecord> scan(String namespace) {
        Map<String, StoredRecord> space = records.get(namespace);
        if (space == null) {
            return List.of();
        }
        List<StoredRecord> out = new ArrayList<>();
        for (StoredRecord r : space.values()) {
            if (r.live()) {
                out.add(r);
            }
        }
        // Hash maps load faster at start; the rare scans pay for the order.
        out.sort(Comparator.comparing(StoredRecord::key));
        return out;
    }

    @Override
    public Changes changesSince(long since) {
        writeLock.lock();
        try {
            List<StoredRecord> found = new ArrayList<>();
            for (Map<String, StoredRecord> space : records.values()) {
                for (StoredRecord r : space.values()) {
                    if (r.revision() > since) {
                        found.add(r);
                    }
                }
            }
            return new Changes(Math.max(since, revision), inRevisionOrder(found));
        } finally {
            writeLock.unlock();
        }
    }

    /** Sorts by revision through primitive keys (revision, then position): at start this is all the records. */
    private static List<StoredRecord> inRevisionOrder(List<StoredRecord> records) {
        int n = records.size();
        if (n >= (1 << 24)) {
            List<StoredRecord> out = new ArrayList<>(records);
            out.sort(Comparator.comparingLong(StoredRecord::revision));
            return out;
        }
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = (records.get(i).revision() << 24) | i;
        }
        java.util.Arrays.sort(keys);
        StoredRecord[] out = new StoredRecord[n];
        for (int i = 0; i < n; i++) {
            out[i] = records.get((int) (keys[i] & 0xFFFFFF));
        }
        return java.util.Arrays.asList(out);
    }

    @Override
    public boolean isEmpty() {
        for (Map<String, StoredRecord> space : records.values()) {
            for (StoredRecord r : space.values()) {
                if (r.live()) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public String describe() {
        return "embedded store in " + directory;
    }

    // ---- writing ----------------------------------------------------------------------------

    @Override
    public <T, E extends Exception> T write(Work<T, E> work) throws E {
        long mustReach;
        T result;
        writeLock.lock();
        try {
            checkUsable();
            WorkingSet transaction = new WorkingSet(revision, this::committed, this::scan);
            try {
                result = work.run(transaction);
            } finally {
                transaction.close();
            }
            List<StoredRecord> changes = transaction.close();
            if (changes.isEmpty()) {
                return result;
            }
            long next = revision + 1;
            long[] ends = new long[changes.size()];
            byte[] frame = JournalFormat.frame(JournalFormat.encodeCommit(next, changes, ends));
            long payloadStart = appended + JournalFormat.HEADER;
            try {
                ByteBuffer buffer = ByteBuffer.wrap(frame);
                while (buffer.hasRemaining()) {
                    journal.write(buffer);
                }
            } catch (IOException e) {
                throw fail("cannot append to the journal", e);
            }
            appended += frame.length;
            mustReach = appended;
            Segment segment = segment(journalFile);
            for (int i = 0; i < ends.length; i++) {
                ends[i] += payloadStart;
            }
            apply(changes, segment, ends);
            revision = next;
            compactIfDue();
        } finally {
            writeLock.unlock();
        }
        force(mustReach);
        return result;
    }

    /** Forces the journal up to {@code position}; one force covers every writer waiting by then. */
    private void force(long position) {
        synchronized (forceMonitor) {
            checkUsable();
            if (forced >= position) {
                return;
            }
            long target = appended;
            FileChannel channel = journal;
            try {
                channel.force(false);
            } catch (IOException e) {
                throw fail("cannot force the journal to disk", e);
            }
            forced = Math.max(forced, target);
        }
    }

    private StoreException fail(String what, IOException cause) {
        StoreException failed = new StoreException(what + " in " + directory + ": " + cause.getMessage()
                + "; restart crossrole to recover the last durable state", cause);
        failure = failed;
        return failed;
    }

    private void checkUsable() {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new StoreException("the store in " + directory + " is closed");
        }
    }

    /** Makes committed records visible; {@code ends} says where in {@code file} each one (its value) ends. */
    private void apply(List<StoredRecord> changes, Segment file, long[] ends) {
        for (int i = 0; i < changes.size(); i++) {
            put(held(changes.get(i), file, ends[i]));
        }
    }

    private void put(StoredRecord r) {
        records.computeIfAbsent(r.namespace(), n -> new ConcurrentHashMap<>()).put(r.key(), r);
    }

    /** The record as held in memory: the same, or for a live record of {@link #ON_DISK}, where its value is. */
    private StoredRecord held(StoredRecord r, Segment file, long end) {
        if (!r.live() || !ON_DISK.contains(r.namespace())) {
            return r;
        }
        return held(r.namespace(), r.key(), r.version(), r.revision(), file, end, r.value().length);
    }

    /** A record whose value is the {@code length} bytes ending at {@code end} of {@code file}. */
    private StoredRecord held(String namespace, String key, long version, long revision, Segment file, long end,
                              int length) {
        String shared = ON_DISK.stream().filter(namespace::equals).findFirst().orElseThrow(); // one copy of the name
        return StoredRecord.onDisk(shared, key, version, revision,
                new Location(this, file, end - length, length, shared, key, version));
    }

    private Segment segment(Path file) {
        return segments.computeIfAbsent(file, Segment::new);
    }

    /** A file holding values left on disk; closed (and never reopened) once the file is deleted or replaced. */
    private static final class Segment {
        private final Path file;
        private FileChannel channel;
        private boolean closed;

        Segment(Path file) {
            this.file = file;
        }

        synchronized FileChannel channel() throws IOException {
            if (closed) {
                throw new java.nio.file.NoSuchFileException(file.toString(), null, "no longer holds the value");
            }
            if (channel == null) {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            }
            return channel;
        }

        synchronized void close() {
            closed = true;
            closeQuietly(channel);
        }
    }

    /** Where a value left on disk is: {@code length} bytes at {@code offset} of a journal or snapshot. */
    private static final class Location implements java.util.function.Supplier<byte[]> {
        private final JournalStore store;
        private final Segment segment;
        private final long offset;
        private final int length;
        private final String namespace;
        private final String key;
        private final long version;

        Location(JournalStore store, Segment segment, long offset, int length, String namespace, String key,
                 long version) {
            this.store = store;
            this.segment = segment;
            this.offset = offset;
            this.length = length;
            this.namespace = namespace;
            this.key = key;
            this.version = version;
        }

        @Override
        public byte[] get() {
            try {
                return read();
            } catch (IOException e) {
                // A snapshot may have taken the value over and its old file been deleted since this was looked up.
                StoredRecord now = store.committed(namespace, key).orElse(null);
                if (now != null && now.version() == version && now.reader() instanceof Location moved
                        && moved != this) {
                    try {
                        return moved.read();
                    } catch (IOException again) {
                        e = again;
                    }
                }
                throw new StoreException("cannot read the value of " + namespace + "/" + key + " from "
                        + segment.file + ": " + e.getMessage(), e);
            }
        }

        byte[] read() throws IOException {
            byte[] value = new byte[length];
            ByteBuffer buffer = ByteBuffer.wrap(value);
            FileChannel channel = segment.channel();
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw new java.io.EOFException("the file ends before the value does");
                }
            }
            return value;
        }
    }

    // ---- recovery ----------------------------------------------------------------------------

    private void recover() throws IOException {
        // The files the reading will take records from: the newest snapshot, and each commit's journal.
        List<Long> snapshots = StoreReading.numbered(directory, SNAPSHOT);
        Segment snapshot = snapshots.isEmpty() ? null
                : segment(directory.resolve(SNAPSHOT + snapshots.get(snapshots.size() - 1)));
        List<Long> journalStarts = StoreReading.numbered(directory, JOURNAL);
        StoreReading reading = StoreReading.read(directory, new StoreReading.Sink() {
            @Override
            public void snapshotRecord(StoredRecord r) {
                throw new IllegalStateException("records of a snapshot come with their offsets");
            }

            @Override
            public void snapshotRecord(StoredRecord r, long end) {
                put(held(r, snapshot, end));
            }

            @Override
            public void commit(JournalFormat.Commit commit) {
                long start = journalStarts.get(0);
                for (long s : journalStarts) {
                    if (s <= commit.revision()) {
                        start = s;
                    }
                }
                apply(commit.changes(), segment(directory.resolve(JOURNAL + start)), commit.recordEnds());
            }
        });
        if (reading.problem() != null) {
            throw new StoreException(refusal(reading.problem(), directory.getParent()));
        }
        revision = reading.revision();
        snapshotBytes = reading.snapshot() == null ? 0 : reading.snapshot().size();
        if (reading.tornTail() != null) {
            cutTornTail(reading.tornTail());
        }
        List<StoreReading.JournalReading> journals = reading.journals();
        Path current = journals.isEmpty() ? directory.resolve(JOURNAL + (revision + 1))
                : journals.get(journals.size() - 1).file();
        journal = PrivateFiles.open(current, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        journalFile = current;
        if (journals.isEmpty()) {
            forceDirectory(); // the new journal's name must survive a power cut too
        }
        appended = journal.size();
        forced = appended;
        Files.deleteIfExists(directory.resolve("snapshot.tmp"));
    }

    private void cutTornTail(StoreReading.JournalReading torn) throws IOException {
        JournalScan scan = torn.scan();
        LOG.warning("cutting " + (scan.size() - scan.whole()) + " bytes (" + scan.damage().describe() + ") off the end of "
                + torn.file() + " at byte " + scan.whole() + ": a commit interrupted by a crash, never acknowledged");
        try (FileChannel channel = FileChannel.open(torn.file(), StandardOpenOption.WRITE)) {
            channel.truncate(scan.whole());
            channel.force(true);
        }
    }

    /** Why the store does not start, what was left alone, and what the user can do. */
    static String refusal(StoreReading.Problem problem, Path dataDir) {
        return "the embedded store cannot be used: " + problem.finding() + ". Nothing was changed. " + problem.advice(dataDir);
    }

    // ---- compaction -------------------------------------------------------------------------

    /** Under the write lock after a commit: rotates the journal and snapshots in the background when it has grown. */
    private void compactIfDue() {
        if (compacting || appended < Math.max(compactThreshold, snapshotBytes)) {
            return;
        }
        long at = revision;
        List<StoredRecord> view = new ArrayList<>();
        records.values().forEach(space -> view.addAll(space.values()));
        FileChannel previous = journal;
        Path next = directory.resolve(JOURNAL + (at + 1));
        try {
            synchronized (forceMonitor) {
                previous.force(false);
                journal = PrivateFiles.open(next, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                journalFile = next;
                forceDirectory();
                appended = 0;
                forced = 0;
            }
            previous.close();
        } catch (IOException e) {
            throw fail("cannot rotate the journal", e);
        }
        compacting = true;
        compactor.execute(() -> {
            try {
                long size = writeSnapshot(view, at);
                for (long start : StoreReading.numbered(directory, JOURNAL)) {
                    if (start <= at) {
                        delete(directory.resolve(JOURNAL + start));
                    }
                }
                for (long old : StoreReading.numbered(directory, SNAPSHOT)) {
                    if (old < at) {
                        delete(directory.resolve(SNAPSHOT + old));
                    }
                }
                snapshotBytes = size;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "snapshot of the store in " + directory + " failed; the journals remain", e);
            } finally {
                writeLock.lock();
                compacting = false;
                writeLock.unlock();
            }
        });
    }

    /** Deletes a journal or snapshot that is no longer needed; no record points into it any more. */
    private void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
        Segment segment = segments.remove(file);
        if (segment != null) {
            segment.close();
        }
    }

    /**
     * Writes every record as the snapshot at {@code at}: streamed to a temp file with its CRC32C at the end,
     * forced, renamed atomically into place, and the directory forced. The records whose values are left on disk
     * then point into it (unless written again meanwhile), so that the older files can go.
     */
    private long writeSnapshot(List<StoredRecord> view, long at) throws IOException {
        Path temp = directory.resolve("snapshot.tmp");
        long size;
        long[] ends = new long[view.size()];
        Files.deleteIfExists(temp);
        try (FileChannel channel = PrivateFiles.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            CRC32C crc = new CRC32C();
            long[] written = {0};
            java.io.OutputStream counted = new java.io.FilterOutputStream(new java.io.BufferedOutputStream(
                    java.nio.channels.Channels.newOutputStream(channel), 1 << 16)) {
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    written[0]++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    written[0] += len;
                }
            };
            DataOutputStream out = new DataOutputStream(new java.util.zip.CheckedOutputStream(counted, crc));
            out.writeInt(JournalFormat.SNAPSHOT_MAGIC);
            out.writeLong(at);
            out.writeInt(view.size());
            for (int i = 0; i < view.size(); i++) {
                JournalFormat.writeRecord(out, view.get(i), true);
                ends[i] = written[0];
            }
            out.flush();
            ByteBuffer checksum = ByteBuffer.allocate(4).putInt((int) crc.getValue()).flip();
            while (checksum.hasRemaining()) {
                channel.write(checksum);
            }
            channel.force(true);
            size = channel.size();
        }
        Path target = directory.resolve(SNAPSHOT + at);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory();
        Segment replaced = segments.put(target, new Segment(target));
        Segment snapshot = segments.get(target);
        for (int i = 0; i < view.size(); i++) {
            StoredRecord r = view.get(i);
            if (r.reader() instanceof Location old) {
                StoredRecord moved = held(r.namespace(), r.key(), r.version(), r.revision(), snapshot, ends[i],
                        old.length);
                records.get(r.namespace()).computeIfPresent(r.key(), (key, now) -> now == r ? moved : now);
            }
        }
        if (replaced != null) {
            replaced.close();
        }
        return size;
    }

    /** Makes a rename durable (Linux needs the directory itself forced). */
    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Not every platform can open a directory; the rename is still atomic.
        }
    }

    /** Snapshots now and waits (for tests and benchmarks of compaction and restart). */
    void compactNow() {
        writeLock.lock();
        try {
            long at = revision;
            List<StoredRecord> view = new ArrayList<>();
            records.values().forEach(space -> view.addAll(space.values()));
            writeSnapshot(view, at);
        } catch (IOException e) {
            throw new StoreException("cannot write a snapshot in " + directory + ": " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    // ---- closing ----------------------------------------------------------------------------

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            writeLock.unlock();
        }
        compactor.shutdown();
        try {
            compactor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (forceMonitor) {
            try {
                journal.force(false);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot force the journal at close", e);
            }
            closeQuietly(journal);
        }
        segments.values().forEach(Segment::close);
        try {
            lock.release();
        } catch (IOException e) {
            // The lock goes with the channel anyway.
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception e) {
                // closing after a failure
            }
        }
    }
}
