package dev.crossrole.server.s3;

import dev.crossrole.server.payload.ChecksumAlgorithm;
import dev.crossrole.server.payload.DigestedBody;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Streams bytes into a file while computing MD5 and, when asked, one flexible checksum; never holds the body. */
final class ObjectWriter {
    private ObjectWriter() {}

    /** What was written: the size, the MD5 (hex) and the requested checksum (base64, or null). */
    record Written(long size, byte[] md5, ChecksumAlgorithm algorithm, String checksum) {
        String md5Hex() {
            return HexFormat.of().formatHex(md5);
        }
    }

    /** A byte range of a stored object or part, as input of a concatenation. */
    record Range(ObjectSource source, long offset, long length) {}

    /** Turns what was written into the object's metadata, or throws an S3 error to reject the write. */
    @FunctionalInterface
    interface Finisher {
        StoredObject finish(Written written);
    }

    /**
     * Copies {@code in} to {@code out}. A {@link DigestedBody} (what the pipeline hands S3) already
     * digests the body to check it; its MD5 and checksum are taken instead of computing them a second time.
     */
    static Written copy(InputStream in, WritableByteChannel out, ChecksumAlgorithm algorithm) throws IOException {
        DigestedBody verified = in instanceof DigestedBody v ? v : null;
        if (verified != null && algorithm != null) {
            verified.alsoCompute(algorithm);
        }
        MessageDigest md5 = verified == null ? md5() : null;
        ChecksumAlgorithm.Calculator checksum = algorithm == null || verified != null ? null : algorithm.newCalculator();
        byte[] buffer = CopyBuffers.take();
        long size = 0;
        try {
            ByteBuffer wrapped = ByteBuffer.wrap(buffer);
            int n;
            while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                if (md5 != null) {
                    md5.update(buffer, 0, n);
                }
                if (checksum != null) {
                    checksum.update(buffer, 0, n);
                }
                wrapped.clear().limit(n);
                while (wrapped.hasRemaining()) {
                    out.write(wrapped);
                }
                size += n;
            }
        } finally {
            CopyBuffers.release(buffer);
        }
        if (verified != null) {
            return new Written(size, java.util.Base64.getDecoder().decode(verified.md5Base64()), algorithm,
                    algorithm == null ? null : verified.checksums().get(algorithm));
        }
        return new Written(size, md5.digest(), algorithm, checksum == null ? null : checksum.base64());
    }

    static Written concatenate(List<Range> ranges, WritableByteChannel out, ChecksumAlgorithm algorithm) throws IOException {
        MessageDigest md5 = md5();
        ChecksumAlgorithm.Calculator checksum = algorithm == null ? null : algorithm.newCalculator();
        long[] size = {0};
        java.io.OutputStream sink = new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                md5.update(buffer, offset, length);
                if (checksum != null) {
                    checksum.update(buffer, offset, length);
                }
                ByteBuffer wrapped = ByteBuffer.wrap(buffer, offset, length);
                while (wrapped.hasRemaining()) {
                    out.write(wrapped);
                }
                size[0] += length;
            }
        };
        for (Range range : ranges) {
            range.source().copyRange(range.offset(), range.length(), sink);
        }
        return new Written(size[0], md5.digest(), algorithm, checksum == null ? null : checksum.base64());
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A finisher whose bytes are stored transformed (SSE-C): the blob's channel is wrapped, digests see plaintext. */
    interface Encrypting extends Finisher {
        WritableByteChannel wrap(WritableByteChannel channel);
    }

    /** A finisher that also wants a flexible checksum computed over the bytes. */
    interface WithChecksum extends Finisher {
        ChecksumAlgorithm algorithm();
    }
}
