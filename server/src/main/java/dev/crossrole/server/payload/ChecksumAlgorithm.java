package dev.crossrole.server.payload;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * S3's flexible checksums ({@code x-amz-checksum-<name>}, {@code x-amz-sdk-checksum-algorithm},
 * {@code x-amz-trailer}). Values travel as base64 of the big-endian digest: 4 bytes for the CRC32s,
 * 8 for CRC64NVME, 20 for SHA-1, 32 for SHA-256.
 */
public enum ChecksumAlgorithm {
    CRC32(4),
    CRC32C(4),
    CRC64NVME(8),
    SHA1(20),
    SHA256(32);

    private static final String HEADER_PREFIX = "x-amz-checksum-";

    private final int digestLength;
    private final String headerName;

    ChecksumAlgorithm(int digestLength) {
        this.digestLength = digestLength;
        this.headerName = HEADER_PREFIX + name().toLowerCase(Locale.ROOT);
    }

    /** {@code x-amz-checksum-crc32} and so on: the header (or trailer) that carries a value. */
    public String headerName() {
        return headerName;
    }

    /** Length of the raw digest in bytes. */
    public int digestLength() {
        return digestLength;
    }

    /** The algorithm whose value header is {@code name} (any case), e.g. {@code X-Amz-Checksum-CRC32}. */
    public static Optional<ChecksumAlgorithm> fromHeaderName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String lower = name.strip().toLowerCase(Locale.ROOT);
        for (ChecksumAlgorithm a : values()) {
            if (a.headerName.equals(lower)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * The algorithm named by {@code x-amz-sdk-checksum-algorithm} / {@code x-amz-checksum-algorithm}
     * ({@code CRC32}, {@code crc64nvme}, ...; any case, like S3).
     */
    public static Optional<ChecksumAlgorithm> fromName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String upper = name.strip().toUpperCase(Locale.ROOT);
        for (ChecksumAlgorithm a : values()) {
            if (a.name().equals(upper)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code value} could be a value of this algorithm: strict base64 (padding included)
     * of exactly {@link #digestLength()} bytes. S3 answers a value that is not with
     * {@code InvalidRequest}, one that is but differs with {@code BadDigest}.
     */
    public boolean isWellFormed(String value) {
        if (value == null) {
            return false;
        }
        String v = value.strip();
        // the JDK decoder tolerates missing padding; S3's values always carry it
        if (v.length() != (digestLength + 2) / 3 * 4) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(v).length == digestLength;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A fresh streaming calculator for this algorithm. */
    public Calculator newCalculator() {
        return switch (this) {
            case CRC32 -> new Crc32Calculator(this, new CRC32());
            case CRC32C -> new Crc32Calculator(this, new CRC32C());
            case CRC64NVME -> new Crc64Calculator();
            case SHA1 -> new DigestCalculator(this, "SHA-1");
            case SHA256 -> new DigestCalculator(this, "SHA-256");
        };
    }

    /** The checksum of all of {@code data}, base64: a shortcut for tests and small bodies. */
    public String base64Of(byte[] data) {
        Calculator c = newCalculator();
        c.update(data, 0, data.length);
        return c.base64();
    }

    /** A running checksum; not thread-safe. {@link #digest()} may be called once, at the end. */
    public interface Calculator {
        ChecksumAlgorithm algorithm();

        void update(byte[] b, int off, int len);

        /** The big-endian digest of everything passed to {@link #update}. */
        byte[] digest();

        /** {@link #digest()} in base64, the form S3 headers and trailers carry. */
        default String base64() {
            return Base64.getEncoder().encodeToString(digest());
        }
    }

    private record Crc32Calculator(ChecksumAlgorithm algorithm, java.util.zip.Checksum crc) implements Calculator {
        @Override
        public void update(byte[] b, int off, int len) {
            crc.update(b, off, len);
        }

        @Override
        public byte[] digest() {
            long v = crc.getValue();
            return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }
    }

    private static final class Crc64Calculator implements Calculator {
        private final Crc64Nvme crc = new Crc64Nvme();

        @Override
        public ChecksumAlgorithm algorithm() {
            return CRC64NVME;
        }

        @Override
        public void update(byte[] b, int off, int len) {
            crc.update(b, off, len);
        }

        @Override
        public byte[] digest() {
            long v = crc.value();
            byte[] out = new byte[8];
            for (int i = 7; i >= 0; i--) {
                out[i] = (byte) v;
                v >>>= 8;
            }
            return out;
        }
    }

    private static final class DigestCalculator implements Calculator {
        private final ChecksumAlgorithm algorithm;
        private final MessageDigest digest;

        DigestCalculator(ChecksumAlgorithm algorithm, String jdkName) {
            this.algorithm = algorithm;
            try {
                this.digest = MessageDigest.getInstance(jdkName);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("JDK without " + jdkName, e);
            }
        }

        @Override
        public ChecksumAlgorithm algorithm() {
            return algorithm;
        }

        @Override
        public void update(byte[] b, int off, int len) {
            digest.update(b, off, len);
        }

        @Override
        public byte[] digest() {
            return digest.digest();
        }
    }
}
