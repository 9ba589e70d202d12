package dev.crossrole.server.payload;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * CRC-64/NVME, the checksum S3 calls {@code CRC64NVME}: reflected polynomial
 * {@code 0x9a6c9329ac4bc9b5}, initial value and final XOR all ones (check value for
 * {@code "123456789"}: {@code 0xae8b14860a799888}). The JDK has no CRC-64, so this is a
 * slicing-by-16 table implementation: sixteen bytes per step, read as two little-endian longs,
 * sixteen lookups.
 */
final class Crc64Nvme {
    private static final long POLY_REFLECTED = 0x9a6c9329ac4bc9b5L;
    private static final int SLICES = 16;
    /** {@code TABLE[k * 256 + b]}: the CRC of byte b followed by k zero bytes; one array keeps it compact. */
    private static final long[] TABLE = table();
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private long crc = -1L;

    void update(byte[] b, int off, int len) {
        long c = crc;
        int i = off;
        int end = off + len;
        long[] t = TABLE;
        while (end - i >= SLICES) {
            long lo = c ^ (long) LONG_LE.get(b, i);
            long hi = (long) LONG_LE.get(b, i + 8);
            c = t[15 * 256 + (int) (lo & 0xFF)] ^ t[14 * 256 + (int) ((lo >>> 8) & 0xFF)]
                    ^ t[13 * 256 + (int) ((lo >>> 16) & 0xFF)] ^ t[12 * 256 + (int) ((lo >>> 24) & 0xFF)]
                    ^ t[11 * 256 + (int) ((lo >>> 32) & 0xFF)] ^ t[10 * 256 + (int) ((lo >>> 40) & 0xFF)]
                    ^ t[9 * 256 + (int) ((lo >>> 48) & 0xFF)] ^ t[8 * 256 + (int) (lo >>> 56)]
                    ^ t[7 * 256 + (int) (hi & 0xFF)] ^ t[6 * 256 + (int) ((hi >>> 8) & 0xFF)]
                    ^ t[5 * 256 + (int) ((hi >>> 16) & 0xFF)] ^ t[4 * 256 + (int) ((hi >>> 24) & 0xFF)]
                    ^ t[3 * 256 + (int) ((hi >>> 32) & 0xFF)] ^ t[2 * 256 + (int) ((hi >>> 40) & 0xFF)]
                    ^ t[256 + (int) ((hi >>> 48) & 0xFF)] ^ t[(int) (hi >>> 56)];
            i += SLICES;
        }
        while (i < end) {
            c = t[(int) ((c ^ b[i++]) & 0xFF)] ^ (c >>> 8);
        }
        crc = c;
    }

    /** The CRC of everything so far. */
    long value() {
        return ~crc;
    }

    private static long[] table() {
        long[] t = new long[SLICES * 256];
        for (int n = 0; n < 256; n++) {
            long c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
            }
            t[n] = c;
        }
        for (int k = 1; k < SLICES; k++) {
            for (int n = 0; n < 256; n++) {
                long prev = t[(k - 1) * 256 + n];
                t[k * 256 + n] = (prev >>> 8) ^ t[(int) (prev & 0xFF)];
            }
        }
        return t;
    }
}
