package dev.crossrole.server.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ObjLongConsumer;
import java.util.zip.CRC32C;

/**
 * The bytes of the embedded store's files.
 *
 * <ul>
 *   <li>A journal {@code journal-<first revision>} is a sequence of frames, one per commit: payload length
 *       (int, at least {@value #MIN_PAYLOAD}), CRC32C of the payload (int), payload. The payload is the
 *       commit's revision (long), its record count (int) and the records. Commits in one journal are
 *       consecutive, starting at the revision in its name.
 *   <li>A snapshot {@code snapshot-<revision>} is {@code "CRS1"}, the revision (long), the record count
 *       (int), the records with their revisions, then the CRC32C of everything before it (int). Every
 *       snapshot crossrole ever wrote has that checksum; it is verified before the snapshot is used.
 *   <li>A record is namespace and key (each an int length and UTF-8), version (long), [revision (long), in
 *       snapshots], value length (int, -1 for a deletion) and value.
 * </ul>
 */
final class JournalFormat {
    static final int HEADER = 8;
    /** A commit's revision and record count. */
    static final int MIN_PAYLOAD = 12;
    static final int SNAPSHOT_MAGIC = 0x43525331; // "CRS1"
    /** Magic, revision, count and checksum. */
    static final int MIN_SNAPSHOT = 20;

    private JournalFormat() {}

    /**
     * One commit read from a journal; {@code end} is the offset just after its frame, {@code recordEnds} the offset
     * just after each record (where its value ends: the store finds values it leaves on disk from them).
     */
    record Commit(long revision, List<StoredRecord> changes, long end, long[] recordEnds) {}

    // ---- journal frames ---------------------------------------------------------------------

    /** length (4) + CRC32C of the payload (4) + payload. */
    static byte[] frame(byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(HEADER + payload.length);
        frame.putInt(payload.length).putInt(crc(payload, 0, payload.length)).put(payload);
        return frame.array();
    }

    static byte[] encodeCommit(long revision, List<StoredRecord> changes) {
        return encodeCommit(revision, changes, new long[changes.size()]);
    }

    /** A commit's payload; {@code recordEnds} gets the offset in the payload just after each record. */
    static byte[] encodeCommit(long revision, List<StoredRecord> changes, long[] recordEnds) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + changes.size() * 256);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeLong(revision);
            out.writeInt(changes.size());
            for (int i = 0; i < changes.size(); i++) {
                writeRecord(out, changes.get(i), false);
                recordEnds[i] = bytes.size();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException when the payload is not a commit */
    static Commit decodeCommit(byte[] bytes, int offset, int length, long end) {
        return decodeCommit(ByteBuffer.wrap(bytes), offset, length, end);
    }

    /** As {@link #decodeCommit(byte[], int, int, long)}, from a buffer (a mapped file). */
    static Commit decodeCommit(ByteBuffer bytes, int offset, int length, long end) {
        ByteBuffer payload = bytes.duplicate().position(offset).limit(offset + length).slice();
        try {
            long revision = payload.getLong();
            int count = payload.getInt();
            if (count < 0) {
                throw new IllegalArgumentException("bad record count " + count);
            }
            List<StoredRecord> changes = new ArrayList<>(Math.min(count, 1024));
            long[] ends = new long[Math.min(count, 1 << 20)];
            for (int i = 0; i < count; i++) {
                changes.add(readRecord(payload, revision));
                if (i == ends.length) {
                    ends = java.util.Arrays.copyOf(ends, ends.length * 2);
                }
                ends[i] = offset + payload.position();
            }
            if (payload.hasRemaining()) {
                throw new IllegalArgumentException(payload.remaining() + " bytes after the last record");
            }
            return new Commit(revision, changes, end, java.util.Arrays.copyOf(ends, count));
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("a record runs past the end of the commit");
        }
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    static int crc(ByteBuffer bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate().position(offset).limit(offset + length));
        return (int) crc.getValue();
    }

    // ---- records ----------------------------------------------------------------------------

    static void writeRecord(DataOutputStream out, StoredRecord r, boolean withRevision) throws IOException {
        writeString(out, r.namespace());
        writeString(out, r.key());
        out.writeLong(r.version());
        if (withRevision) {
            out.writeLong(r.revision());
        }
        byte[] value = r.value(); // once: a value left on disk is read from its file on each call
        if (value == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(value.length);
            out.write(value);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** A record of a commit ({@code commitRevision}) or, with {@code -1}, of a snapshot (revision stored). */
    static StoredRecord readRecord(ByteBuffer in, long commitRevision) {
        String namespace = readString(in);
        String key = readString(in);
        long version = in.getLong();
        long revision = commitRevision < 0 ? in.getLong() : commitRevision;
        int length = in.getInt();
        byte[] value = null;
        if (length >= 0) {
            if (length > in.remaining()) {
                throw new IllegalArgumentException("bad value length " + length);
            }
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
        if (!in.hasArray()) {
            byte[] bytes = new byte[length];
            in.get(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }

    // ---- snapshots --------------------------------------------------------------------------

    /** A snapshot that cannot be used, and why. */
    static final class DamagedSnapshotException extends Exception {
        DamagedSnapshotException(String reason) {
            super(reason);
        }
    }

    /**
     * Verifies a snapshot's bytes (checksum first, then structure) and hands over its records; returns the
     * revision it holds the state of.
     */
    static long readSnapshot(byte[] bytes, Consumer<StoredRecord> sink) throws DamagedSnapshotException {
        return readSnapshot(ByteBuffer.wrap(bytes), (r, end) -> sink.accept(r));
    }

    /**
     * As {@link #readSnapshot(byte[], Consumer)}, from a buffer whose limit is the snapshot's size (a mapped file: a
     * snapshot may be larger than the heap should take at once), with the offset just after each record.
     */
    static long readSnapshot(ByteBuffer bytes, ObjLongConsumer<StoredRecord> sink) throws DamagedSnapshotException {
        int size = bytes.limit();
        if (size < MIN_SNAPSHOT) {
            throw new DamagedSnapshotException("it is " + size + " bytes long, shorter than any snapshot");
        }
        ByteBuffer in = bytes.duplicate().position(0).limit(size - 4);
        if (crc(bytes, 0, size - 4) != bytes.getInt(size - 4)) {
            throw new DamagedSnapshotException("its checksum does not match its contents");
        }
        if (in.getInt() != SNAPSHOT_MAGIC) {
            throw new DamagedSnapshotException("it does not begin as a crossrole snapshot does");
        }
        long revision = in.getLong();
        int count = in.getInt();
        try {
            for (int i = 0; i < count; i++) {
                StoredRecord r = readRecord(in, -1);
                sink.accept(r, in.position());
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new DamagedSnapshotException("its checksum matches but its records cannot be read");
        }
        if (count < 0 || in.hasRemaining()) {
            throw new DamagedSnapshotException("its checksum matches but its record count does not");
        }
        return revision;
    }
}
