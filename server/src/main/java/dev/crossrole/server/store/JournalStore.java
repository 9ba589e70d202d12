package dev.crossrole.server.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
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
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The embedded store: every record in memory, every commit appended to a journal file as one framed
 * entry (length, CRC32C, payload) and forced to disk before {@link #write} returns. Writers that wait
 * for the disk at the same time share one force (group commit). At start the newest snapshot is read
 * and the journals after it replayed; a torn or corrupt tail (a crash in the middle of an append) is cut
 * off at the last whole commit, which was never acknowledged. When the journal has grown, it is rotated
 * and the state written in the background as a new snapshot (temp file, force, rename), after which the
 * older journals are deleted.
 *
 * <p>Files in the directory: {@code lock}, {@code snapshot-<revision>}, {@code journal-<first revision>}.
 */
final class JournalStore implements Store {
    static final String DIRECTORY = "store";
    private static final Logger LOG = Logger.getLogger(JournalStore.class.getName());
    private static final int SNAPSHOT_MAGIC = 0x43525331; // "CRS1"
    private static final String SNAPSHOT = "snapshot-";
    private static final String JOURNAL = "journal-";
    /** A journal larger than the last snapshot (and than this minimum) is compacted: a restart reads at most about twice the state. */
    private static final long COMPACT_MIN_BYTES = 16L << 20;

    private final Path directory;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Every record by namespace then key, deleted ones kept (as tombstones) so readers behind can catch up. */
    private final Map<String, Map<String, StoredRecord>> records = new ConcurrentHashMap<>();
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
            Files.createDirectories(directory);
            restrict(directory, "rwx------");
            lockChannel = FileChannel.open(directory.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
            byte[] frame = frame(encodeCommit(next, changes));
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
            apply(changes);
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

    private void apply(List<StoredRecord> changes) {
        for (StoredRecord r : changes) {
            records.computeIfAbsent(r.namespace(), n -> new ConcurrentHashMap<>()).put(r.key(), r);
        }
    }

    // ---- encoding ---------------------------------------------------------------------------

    private static byte[] encodeCommit(long revision, List<StoredRecord> changes) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + changes.size() * 256);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeLong(revision);
            out.writeInt(changes.size());
            for (StoredRecord r : changes) {
                writeRecord(out, r, false);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeRecord(DataOutputStream out, StoredRecord r, boolean withRevision) throws IOException {
        writeString(out, r.namespace());
        writeString(out, r.key());
        out.writeLong(r.version());
        if (withRevision) {
            out.writeLong(r.revision());
        }
        if (r.value() == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(r.value().length);
            out.write(r.value());
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static StoredRecord readRecord(ByteBuffer in, long commitRevision) {
        String namespace = readString(in);
        String key = readString(in);
        long version = in.getLong();
        long revision = commitRevision < 0 ? in.getLong() : commitRevision;
        int length = in.getInt();
        byte[] value = null;
        if (length >= 0) {
            value = new byte[length];
            in.get(value);
        } else if (length != -1) {
            throw new IllegalArgumentException("bad value length " + length);
        }
        return new StoredRecord(namespace, key, value, version, revision);
    }

    private static String readString(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("bad string length " + length);
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }

    /** length (4) + CRC32C of the payload (4) + payload. */
    private static byte[] frame(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer frame = ByteBuffer.allocate(8 + payload.length);
        frame.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
        return frame.array();
    }

    // ---- recovery ---------------------------------------------------------------------------

    private void recover() throws IOException {
        List<Long> snapshots = numbered(SNAPSHOT);
        for (int i = snapshots.size() - 1; i >= 0; i--) {
            Path file = directory.resolve(SNAPSHOT + snapshots.get(i));
            try {
                loadSnapshot(file);
                snapshotBytes = Files.size(file);
                break;
            } catch (RuntimeException e) {
                // A snapshot is renamed into place only once whole, so this is damage, not a crash; an older one may do.
                LOG.log(Level.WARNING, "ignoring unreadable snapshot " + file + ": " + e.getMessage());
                records.clear();
                revision = 0;
            }
        }
        List<Long> journals = numbered(JOURNAL);
        for (int i = 0; i < journals.size(); i++) {
            replay(directory.resolve(JOURNAL + journals.get(i)), i == journals.size() - 1);
        }
        Path current = directory.resolve(JOURNAL + (journals.isEmpty() ? revision + 1 : journals.get(journals.size() - 1)));
        journal = FileChannel.open(current, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        restrict(current, "rw-------");
        if (journals.isEmpty()) {
            forceDirectory(); // the new journal's name must survive a power cut too
        }
        appended = journal.size();
        forced = appended;
        Files.deleteIfExists(directory.resolve("snapshot.tmp"));
    }

    private List<Long> numbered(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
                    .map(n -> n.substring(prefix.length())).filter(n -> n.matches("\\d{1,18}")).map(Long::parseLong)
                    .sorted().toList();
        }
    }

    private void loadSnapshot(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 24) {
            throw new IllegalArgumentException("too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if ((int) crc.getValue() != in.getInt(bytes.length - 4)) {
            throw new IllegalArgumentException("checksum mismatch");
        }
        if (in.getInt() != SNAPSHOT_MAGIC) {
            throw new IllegalArgumentException("not a crossrole snapshot");
        }
        long snapshotRevision = in.getLong();
        int count = in.getInt();
        for (int i = 0; i < count; i++) {
            StoredRecord r = readRecord(in, -1);
            records.computeIfAbsent(r.namespace(), n -> new ConcurrentHashMap<>()).put(r.key(), r);
        }
        revision = snapshotRevision;
    }

    /** Applies a journal's commits after the current revision; cuts off a torn tail of the last journal. */
    private void replay(Path file, boolean last) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long whole = 0;
        String damage = null;
        while (in.remaining() > 0) {
            if (in.remaining() < 8) {
                damage = "a torn frame header";
                break;
            }
            int length = in.getInt();
            int checksum = in.getInt();
            if (length < 12 || length > in.remaining()) {
                damage = "a torn or damaged frame";
                break;
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes, in.position(), length);
            if ((int) crc.getValue() != checksum) {
                damage = "a checksum mismatch";
                break;
            }
            ByteBuffer payload = ByteBuffer.wrap(bytes, in.position(), length).slice();
            in.position(in.position() + length);
            long commit;
            List<StoredRecord> changes = new ArrayList<>();
            try {
                commit = payload.getLong();
                int count = payload.getInt();
                for (int i = 0; i < count; i++) {
                    changes.add(readRecord(payload, commit));
                }
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                damage = "an unreadable commit";
                break;
            }
            whole = in.position();
            if (commit <= revision) {
                continue; // already in the snapshot
            }
            if (commit != revision + 1) {
                throw new StoreException(file + " continues at revision " + commit + " after " + revision
                        + ": commits are missing; the store is damaged");
            }
            apply(changes);
            revision = commit;
        }
        if (damage != null) {
            if (!last) {
                throw new StoreException(file + " has " + damage + " at byte " + whole
                        + " but is not the newest journal; the store is damaged");
            }
            LOG.warning("cutting " + (bytes.length - whole) + " bytes (" + damage + ") off the end of " + file
                    + ": a commit interrupted by a crash, never acknowledged");
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(whole);
                channel.force(true);
            }
        }
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
                journal = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                restrict(next, "rw-------");
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
                for (long start : numbered(JOURNAL)) {
                    if (start <= at) {
                        Files.deleteIfExists(directory.resolve(JOURNAL + start));
                    }
                }
                for (long old : numbered(SNAPSHOT)) {
                    if (old < at) {
                        Files.deleteIfExists(directory.resolve(SNAPSHOT + old));
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

    /**
     * Writes every record as the snapshot at {@code at}: streamed to a temp file with its CRC32C at the end,
     * forced, renamed atomically into place, and the directory forced.
     */
    private long writeSnapshot(List<StoredRecord> view, long at) throws IOException {
        Path temp = directory.resolve("snapshot.tmp");
        long size;
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            restrict(temp, "rw-------");
            CRC32C crc = new CRC32C();
            DataOutputStream out = new DataOutputStream(new java.util.zip.CheckedOutputStream(
                    new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16), crc));
            out.writeInt(SNAPSHOT_MAGIC);
            out.writeLong(at);
            out.writeInt(view.size());
            for (StoredRecord r : view) {
                writeRecord(out, r, true);
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
        try {
            lock.release();
        } catch (IOException e) {
            // The lock goes with the channel anyway.
        }
        closeQuietly(lockChannel);
    }

    private static void restrict(Path path, String permissions) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: nothing finer to set.
        }
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
