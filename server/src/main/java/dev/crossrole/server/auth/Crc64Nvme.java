package dev.crossrole.server.auth;

/**
 * CRC-64/NVME, the checksum S3 calls {@code CRC64NVME}: reflected polynomial
 * {@code 0x9a6c9329ac4bc9b5}, initial value and final XOR all ones (check value for
 * {@code "123456789"}: {@code 0xae8b14860a799888}). The JDK has no CRC-64, so this is a
 * slicing-by-8 table implementation: eight bytes per step, eight lookups.
 */
final class Crc64Nvme {
    private static final long POLY_REFLECTED = 0x9a6c9329ac4bc9b5L;
    private static final long[][] TABLES = tables();

    private long crc = -1L;

    void update(byte[] b, int off, int len) {
        long c = crc;
        int i = off;
        int end = off + len;
        long[] t0 = TABLES[0];
        long[] t1 = TABLES[1];
        long[] t2 = TABLES[2];
        long[] t3 = TABLES[3];
        long[] t4 = TABLES[4];
        long[] t5 = TABLES[5];
        long[] t6 = TABLES[6];
        long[] t7 = TABLES[7];
        while (end - i >= 8) {
            c ^= (b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24
                    | (b[i + 4] & 0xFFL) << 32 | (b[i + 5] & 0xFFL) << 40 | (b[i + 6] & 0xFFL) << 48
                    | (b[i + 7] & 0xFFL) << 56;
            c = t7[(int) (c & 0xFF)] ^ t6[(int) ((c >>> 8) & 0xFF)] ^ t5[(int) ((c >>> 16) & 0xFF)]
                    ^ t4[(int) ((c >>> 24) & 0xFF)] ^ t3[(int) ((c >>> 32) & 0xFF)] ^ t2[(int) ((c >>> 40) & 0xFF)]
                    ^ t1[(int) ((c >>> 48) & 0xFF)] ^ t0[(int) (c >>> 56)];
            i += 8;
        }
        while (i < end) {
            c = t0[(int) ((c ^ b[i++]) & 0xFF)] ^ (c >>> 8);
        }
        crc = c;
    }

    /** The CRC of everything so far. */
    long value() {
        return ~crc;
    }

    private static long[][] tables() {
        long[][] t = new long[8][256];
        for (int n = 0; n < 256; n++) {
            long c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
            }
            t[0][n] = c;
        }
        for (int k = 1; k < 8; k++) {
            for (int n = 0; n < 256; n++) {
                long prev = t[k - 1][n];
                t[k][n] = (prev >>> 8) ^ t[0][(int) (prev & 0xFF)];
            }
        }
        return t;
    }
}
