package dev.crossrole.server.s3;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * The buffers object bytes are copied through (GetObject, PutObject, UploadPart, copies), reused rather than
 * allocated per request: a fresh 256 KiB buffer per request made a 1 KiB GET allocate 256 times its size. At
 * most {@link #KEPT} idle buffers are held, so what is kept stays bounded whatever the number of threads; a copy
 * that finds none idle allocates one, and one returned to a full pool is left to the garbage collector.
 */
final class CopyBuffers {
    /** Large enough that a big object moves in few reads and writes. */
    static final int SIZE = 256 * 1024;
    /** 4 MiB at most, idle: more copies than this at once are rare on one machine's emulator. */
    static final int KEPT = 16;

    private static final ArrayBlockingQueue<byte[]> IDLE = new ArrayBlockingQueue<>(KEPT);

    private CopyBuffers() {}

    /** A buffer of {@link #SIZE} bytes, to be given back with {@link #release} once the copy is over. */
    static byte[] take() {
        byte[] buffer = IDLE.poll();
        return buffer != null ? buffer : new byte[SIZE];
    }

    /** Gives a buffer back; its content is garbage to the next user (who only reads what they wrote). */
    static void release(byte[] buffer) {
        if (buffer.length == SIZE) {
            IDLE.offer(buffer);
        }
    }
}
