package dev.crossrole.server.store;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * One journal read frame by frame: its whole commits, and where and how its readable part ends.
 *
 * <p><b>The torn-tail rule.</b> A commit is acknowledged only after its frame was forced to disk, and a force
 * covers everything appended before it; so a crash can spoil only bytes appended after the last force that
 * returned, and none of those commits was acknowledged. A kill leaves such bytes whole or leaves the file
 * short; a power cut can also leave whole sectors of them unwritten, which read as zeros in a file that grew.
 * So a crash leaves, at a frame boundary of the newest journal, one of these shapes, and only these are a
 * <em>torn tail</em>, cut off at start:
 * <ul>
 *   <li>a frame header cut short by the end of the file;
 *   <li>a frame whose length runs past the end of the file (its payload cut short);
 *   <li>a whole frame whose checksum does not match because a sector of it was never written (zeros from a
 *       {@value #BLOCK}-byte boundary, or from the frame's start, to the next boundary or the end), with
 *       nothing but zeros after it;
 *   <li>zeros where a frame header should be (the header's sector never written).
 * </ul>
 * In every case no whole commit may follow, and a last frame that is whole when its length field is ignored
 * (the bytes to the end match its checksum) is a damaged length, not a short write. Everything else is
 * damage to what may have been acknowledged — a flipped bit anywhere, a mismatch followed by readable
 * commits, a length that cannot be, a frame whose checksum matches but whose commit cannot be read, a
 * revision out of sequence, anything in a journal that is not the newest — and the store refuses to start
 * rather than drop it. (After a power cut that left more than one unforced frame half-written, that refusal
 * can come although nothing acknowledged was lost; {@code crossrole state check} shows it, and
 * {@code state repair} cuts it.)
 *
 * <p>"No whole commit after it" is tested at every byte offset after the damage, not only where the damaged
 * frame says the next one begins: a frame there whose checksum matches and whose revision follows the last
 * readable one is a commit that was written after the damaged one, so the damage is not a torn write.
 *
 * @param size the file's length
 * @param whole the offset just after the last whole commit (where a torn tail is cut)
 * @param commits how many whole commits precede {@code whole}
 * @param lastRevision the revision of the last whole commit ({@code first - 1} when there is none)
 * @param damage what ends the readable part, or {@code null} when the journal is whole
 */
record JournalScan(long size, long whole, int commits, long firstRevision, long lastRevision, Damage damage) {
    /** The smallest unit a disk writes (a sector). */
    static final int BLOCK = 512;

    /** What was found where reading stopped. */
    enum Finding {
        SHORT_HEADER("a frame header cut short by the end of the file", true),
        BAD_LENGTH("a frame header whose length cannot be", true),
        PAST_END("a frame whose length runs past the end of the file", true),
        CHECKSUM_MISMATCH("a whole frame whose checksum does not match its contents", true),
        UNREADABLE_COMMIT("a frame whose checksum matches but whose commit cannot be read", false),
        REVISION_OUT_OF_SEQUENCE("a commit whose revision does not follow the one before it", false);

        private final String text;
        /** Whether a crash in the middle of an append can leave this (when its bytes say so, and nothing valid follows). */
        private final boolean crashShape;

        Finding(String text, boolean crashShape) {
            this.text = text;
            this.crashShape = crashShape;
        }

        String text() {
            return text;
        }
    }

    /** Whole commits found after the damage: how many, the first one's offset and their revisions. */
    record Following(int commits, long firstOffset, long firstRevision, long lastRevision) {
        static final Following NONE = new Following(0, -1, 0, 0);
    }

    /**
     * Where reading stopped.
     *
     * @param offset where the frame that could not be read begins (a frame boundary)
     * @param frameLength the payload length its header gives, or -1 when there is no whole header
     * @param tornTail whether this is the shape a crash leaves (see the class comment); it is a torn tail to
     *     cut only in the newest journal
     */
    record Damage(long offset, Finding finding, long frameLength, String detail, Following following, boolean tornTail) {
        /** The bytes from the damage to the end of the file. */
        long bytes(long size) {
            return size - offset;
        }

        String describe() {
            return finding.text() + (detail == null ? "" : " (" + detail + ")");
        }
    }

    /**
     * Reads {@code bytes} as the journal whose first commit is {@code firstRevision}, handing each whole
     * commit to {@code sink} in order.
     */
    static JournalScan read(byte[] bytes, long firstRevision, Consumer<JournalFormat.Commit> sink) {
        return read(ByteBuffer.wrap(bytes), firstRevision, sink);
    }

    /** As {@link #read(byte[], long, Consumer)}, from a buffer (a mapped file) whose limit is the journal's size. */
    static JournalScan read(ByteBuffer bytes, long firstRevision, Consumer<JournalFormat.Commit> sink) {
        ByteBuffer in = bytes;
        int position = 0;
        int commits = 0;
        long last = firstRevision - 1;
        Damage damage = null;
        while (position < bytes.limit()) {
            int remaining = bytes.limit() - position;
            if (remaining < JournalFormat.HEADER) {
                damage = damage(bytes, position, Finding.SHORT_HEADER, -1, null, last);
                break;
            }
            int length = in.getInt(position);
            int checksum = in.getInt(position + 4);
            if (length < JournalFormat.MIN_PAYLOAD) {
                damage = damage(bytes, position, Finding.BAD_LENGTH, length, "length " + length, last);
                break;
            }
            if (length > remaining - JournalFormat.HEADER) {
                damage = damage(bytes, position, Finding.PAST_END, length, "length " + length + ", "
                        + (remaining - JournalFormat.HEADER) + " bytes left", last);
                break;
            }
            int payload = position + JournalFormat.HEADER;
            if (JournalFormat.crc(bytes, payload, length) != checksum) {
                damage = damage(bytes, position, Finding.CHECKSUM_MISMATCH, length, "length " + length, last);
                break;
            }
            JournalFormat.Commit commit;
            try {
                commit = JournalFormat.decodeCommit(bytes, payload, length, payload + length);
            } catch (IllegalArgumentException e) {
                damage = damage(bytes, position, Finding.UNREADABLE_COMMIT, length, e.getMessage(), last);
                break;
            }
            if (commit.revision() != last + 1) {
                damage = damage(bytes, position, Finding.REVISION_OUT_OF_SEQUENCE, length,
                        "revision " + commit.revision() + " where " + (last + 1) + " was due", last);
                break;
            }
            sink.accept(commit);
            last = commit.revision();
            commits++;
            position = payload + length;
        }
        return new JournalScan(bytes.limit(), position, commits, firstRevision, last, damage);
    }

    private static Damage damage(ByteBuffer bytes, int offset, Finding finding, long frameLength, String detail, long last) {
        Following following = following(bytes, offset + 1, last);
        boolean torn = following.commits() == 0 && crashShape(bytes, offset, finding, frameLength);
        return new Damage(offset, finding, frameLength, detail, following, torn);
    }

    /** Whether the bytes from {@code offset} on have a shape an interrupted append leaves (see the class comment). */
    private static boolean crashShape(ByteBuffer bytes, int offset, Finding finding, long frameLength) {
        if (!finding.crashShape) {
            return false;
        }
        if (finding == Finding.SHORT_HEADER) {
            return true;
        }
        int rest = bytes.limit() - offset - JournalFormat.HEADER;
        if (rest >= JournalFormat.MIN_PAYLOAD && JournalFormat.crc(bytes, offset + JournalFormat.HEADER, rest)
                == bytes.getInt(offset + 4)) {
            return false; // a whole last frame whose only fault is its length field: not a write cut short
        }
        return switch (finding) {
            case PAST_END -> true; // the file ends inside the frame
            case CHECKSUM_MISMATCH -> {
                int end = (int) (offset + JournalFormat.HEADER + frameLength);
                yield zeros(bytes, end, bytes.limit()) && unwrittenBlock(bytes, offset, end);
            }
            case BAD_LENGTH -> unwrittenBlock(bytes, offset, bytes.limit()); // the header itself never written
            default -> false;
        };
    }

    /**
     * Whether {@code [from, to)} holds a block the disk never wrote: zero bytes from {@code from}, or from a
     * multiple of {@value #BLOCK} after it, to the next multiple of {@value #BLOCK} (or the end of the file).
     * Disks write whole sectors, so a write that did not all arrive lacks whole sectors, which read as zeros
     * in a file that grew; one flipped bit never looks like that.
     */
    private static boolean unwrittenBlock(ByteBuffer bytes, int from, int to) {
        for (int start = from; start < to; start = (start / BLOCK + 1) * BLOCK) {
            int end = Math.min((start / BLOCK + 1) * BLOCK, bytes.limit());
            if (zeros(bytes, start, end)) {
                return true;
            }
        }
        return false;
    }

    private static boolean zeros(ByteBuffer bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whole commits at or after {@code from}: at every byte offset, a frame whose length fits, whose revision
     * is after {@code last} and whose checksum matches; after one is found, the frames following it directly.
     */
    static Following following(byte[] bytes, int from, long last) {
        return following(ByteBuffer.wrap(bytes), from, last);
    }

    static Following following(ByteBuffer bytes, int from, long last) {
        ByteBuffer in = bytes;
        int commits = 0;
        long firstOffset = -1;
        long firstRevision = 0;
        long lastRevision = 0;
        int position = from;
        while (position <= bytes.limit() - JournalFormat.HEADER - JournalFormat.MIN_PAYLOAD) {
            int length = in.getInt(position);
            int payload = position + JournalFormat.HEADER;
            if (length >= JournalFormat.MIN_PAYLOAD && length <= bytes.limit() - payload) {
                long revision = in.getLong(payload);
                // A cheap test first (each commit takes at least 20 bytes), the checksum only then.
                if (revision > last && revision <= last + 1 + (bytes.limit() - from) / 20
                        && JournalFormat.crc(bytes, payload, length) == in.getInt(position + 4)) {
                    if (commits == 0) {
                        firstOffset = position;
                        firstRevision = revision;
                    }
                    commits++;
                    lastRevision = Math.max(lastRevision, revision);
                    last = Math.max(last, revision);
                    position = payload + length;
                    continue;
                }
            }
            position++;
        }
        return commits == 0 ? Following.NONE : new Following(commits, firstOffset, firstRevision, lastRevision);
    }
}
