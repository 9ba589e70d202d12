package dev.crossrole.server.s3;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/** The flexible checksums S3 stores and returns ({@code x-amz-checksum-<name>}), computed while bytes stream by. */
enum Checksums {
    CRC32, CRC32C, CRC64NVME, SHA1, SHA256;

    /** The response and request header carrying this checksum. */
    String header() {
        return "x-amz-checksum-" + name().toLowerCase(Locale.ROOT);
    }

    static Checksums named(String name) {
        if (name == null) {
            return null;
        }
        for (Checksums c : values()) {
            if (c.name().equalsIgnoreCase(name.trim())) {
                return c;
            }
        }
        return null;
    }

    static Checksums ofHeader(String header) {
        String lower = header.toLowerCase(Locale.ROOT);
        return lower.startsWith("x-amz-checksum-") ? named(lower.substring("x-amz-checksum-".length())) : null;
    }

    /** A running computation; {@link #base64()} ends it. */
    interface Running {
        void update(byte[] buffer, int offset, int length);

        String base64();
    }

    Running start() {
        switch (this) {
            case CRC32:
                return crc(new CRC32(), 4);
            case CRC32C:
                return crc(new CRC32C(), 4);
            case CRC64NVME:
                return new Crc64Nvme();
            case SHA1:
                return digest("SHA-1");
            default:
                return digest("SHA-256");
        }
    }

    private static Running crc(Checksum checksum, int bytes) {
        return new Running() {
            @Override
            public void update(byte[] buffer, int offset, int length) {
                checksum.update(buffer, offset, length);
            }

            @Override
            public String base64() {
                return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) checksum.getValue()).array());
            }
        };
    }

    private static Running digest(String algorithm) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new Running() {
            @Override
            public void update(byte[] buffer, int offset, int length) {
                digest.update(buffer, offset, length);
            }

            @Override
            public String base64() {
                return Base64.getEncoder().encodeToString(digest.digest());
            }
        };
    }

    /** CRC-64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5, all bits set initially and at the end. */
    private static final class Crc64Nvme implements Running {
        private static final long[] TABLE = new long[256];

        static {
            for (int i = 0; i < 256; i++) {
                long crc = i;
                for (int bit = 0; bit < 8; bit++) {
                    crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x9A6C9329AC4BC9B5L : crc >>> 1;
                }
                TABLE[i] = crc;
            }
        }

        private long crc = -1L;

        @Override
        public void update(byte[] buffer, int offset, int length) {
            long c = crc;
            for (int i = offset; i < offset + length; i++) {
                c = TABLE[(int) ((c ^ buffer[i]) & 0xFF)] ^ (c >>> 8);
            }
            crc = c;
        }

        @Override
        public String base64() {
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(8).putLong(~crc).array());
        }
    }
}
