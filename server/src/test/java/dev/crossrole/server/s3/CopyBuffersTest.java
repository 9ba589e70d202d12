package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Object bytes are copied through reused buffers: reading or writing a small object no longer allocates a
 * 256 KiB buffer each time (measured as the bytes this thread allocates, not as time), large ranges still come
 * out whole, and the pool keeps a bounded number of idle buffers.
 */
class CopyBuffersTest {
    private static final int SMALL = 1024;
    private static final int ROUNDS = 200;
    /** Far below the 256 KiB a copy used to allocate; the rest (channel, wrappers) is a few hundred bytes. */
    private static final long AT_MOST_PER_COPY = 32 * 1024;

    @TempDir
    Path dir;

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private BlobFiles blobWith(String id, byte[] content) throws IOException {
        BlobFiles blobs = new BlobFiles(dir.resolve("blobs"));
        try (BlobFiles.FilePending pending = blobs.create()) {
            pending.channel().write(ByteBuffer.wrap(content));
            pending.publish(id);
        }
        return blobs;
    }

    /** An output stream that keeps nothing, so that only the copy's own allocations count. */
    private static final class Discard extends OutputStream {
        long written;

        @Override
        public void write(int b) {
            written++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            written += len;
        }
    }

    @Test
    void readingASmallObjectAllocatesNoLargeBuffer() throws IOException {
        BlobFiles blobs = blobWith("small", random(SMALL));
        Discard out = new Discard();
        blobs.copyRange("small", 0, SMALL, out); // first use: the pool may allocate its buffer
        long before = allocatedByThisThread();
        for (int i = 0; i < ROUNDS; i++) {
            blobs.copyRange("small", 0, SMALL, out);
        }
        long perCopy = (allocatedByThisThread() - before) / ROUNDS;
        assertEquals((ROUNDS + 1L) * SMALL, out.written);
        assertTrue(perCopy < AT_MOST_PER_COPY, "a 1 KiB read allocated " + perCopy + " bytes");
    }

    @Test
    void writingASmallObjectAllocatesNoLargeBuffer() throws IOException {
        byte[] content = random(SMALL);
        WritableByteChannel sink = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) {
                int n = src.remaining();
                src.position(src.limit());
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
        ObjectWriter.copy(new ByteArrayInputStream(content), sink, null);
        long before = allocatedByThisThread();
        for (int i = 0; i < ROUNDS; i++) {
            assertEquals(SMALL, ObjectWriter.copy(new ByteArrayInputStream(content), sink, null).size());
        }
        long perCopy = (allocatedByThisThread() - before) / ROUNDS;
        assertTrue(perCopy < AT_MOST_PER_COPY, "a 1 KiB write allocated " + perCopy + " bytes");
    }

    @Test
    void aRangeAcrossSeveralBuffersComesOutWhole() throws IOException {
        byte[] content = random(3 * CopyBuffers.SIZE + 12_345);
        BlobFiles blobs = blobWith("large", content);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        blobs.copyRange("large", 100, content.length - 200, out);
        assertArrayEquals(Arrays.copyOfRange(content, 100, content.length - 100), out.toByteArray());
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        blobs.copyRange("large", 0, content.length, again);
        assertArrayEquals(content, again.toByteArray());
    }

    @Test
    void thePoolKeepsABoundedNumberOfIdleBuffers() {
        List<byte[]> taken = new ArrayList<>();
        for (int i = 0; i < 3 * CopyBuffers.KEPT; i++) {
            taken.add(CopyBuffers.take());
        }
        Set<byte[]> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        distinct.addAll(taken);
        assertEquals(taken.size(), distinct.size(), "a buffer was handed out twice");
        taken.forEach(CopyBuffers::release);
        Set<byte[]> reused = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < 3 * CopyBuffers.KEPT; i++) {
            byte[] buffer = CopyBuffers.take();
            assertEquals(CopyBuffers.SIZE, buffer.length);
            if (distinct.contains(buffer)) {
                reused.add(buffer);
            }
        }
        assertEquals(CopyBuffers.KEPT, reused.size(), "idle buffers kept");
    }
}
