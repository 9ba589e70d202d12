package dev.crossrole.server.iam;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A QR Code (ISO/IEC 18004) of a text in byte mode, and its picture as a PNG: what CreateVirtualMFADevice returns so
 * that an authenticator app can scan the device's {@code otpauth://} URI. The smallest version (1 to 40) that holds
 * the text at the chosen error correction level is used, and of the eight masks the one the standard's penalty rules
 * score lowest.
 */
public final class QrCode {
    /** Error correction levels, with the two bits the format information gives each. */
    public enum Ecc {
        L(1), M(0), Q(3), H(2);

        final int formatBits;

        Ecc(int formatBits) {
            this.formatBits = formatBits;
        }
    }

    // Per level (in the enum's order) and version (index 1 to 40): error correction codewords in each block, and
    // the number of blocks (ISO/IEC 18004, table 9).
    private static final int[][] ECC_CODEWORDS_PER_BLOCK = {
        {-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30,
            30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
        {-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28,
            28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28},
        {-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30,
            30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
        {-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30,
            30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
    };
    private static final int[][] ERROR_CORRECTION_BLOCKS = {
        {-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18,
            19, 19, 20, 21, 22, 24, 25},
        {-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31,
            33, 35, 37, 38, 40, 43, 45, 47, 49},
        {-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40,
            43, 45, 48, 51, 53, 56, 59, 62, 65, 68},
        {-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48,
            51, 54, 57, 60, 63, 66, 70, 74, 77, 81},
    };

    private final int version;
    private final int size;
    /** {@code modules[y][x]}: true for a dark module. */
    private final boolean[][] modules;
    private final boolean[][] function;
    private int mask = -1;

    private QrCode(int version) {
        this.version = version;
        this.size = version * 4 + 17;
        this.modules = new boolean[size][size];
        this.function = new boolean[size][size];
    }

    /** The QR Code of {@code text} (UTF-8, byte mode), or {@code null} when it is too long for version 40. */
    public static QrCode encode(String text, Ecc ecc) {
        return encode(text.getBytes(StandardCharsets.UTF_8), ecc, -1);
    }

    /** As {@link #encode(String, Ecc)}, with the mask given ({@code -1}: the one the penalty rules choose). */
    static QrCode encode(byte[] data, Ecc ecc, int forcedMask) {
        int version = 1;
        while (version <= 40 && bitsNeeded(data.length, version) > dataCodewords(version, ecc) * 8) {
            version++;
        }
        if (version > 40) {
            return null;
        }
        int capacityBits = dataCodewords(version, ecc) * 8;
        BitBuffer bits = new BitBuffer();
        bits.append(0b0100, 4); // byte mode
        bits.append(data.length, version <= 9 ? 8 : 16);
        for (byte b : data) {
            bits.append(b & 0xFF, 8);
        }
        bits.append(0, Math.min(4, capacityBits - bits.length)); // terminator
        bits.append(0, (8 - bits.length % 8) % 8);
        for (int pad = 0xEC; bits.length < capacityBits; pad ^= 0xEC ^ 0x11) {
            bits.append(pad, 8);
        }
        QrCode qr = new QrCode(version);
        qr.drawFunctionPatterns(ecc);
        qr.drawCodewords(qr.withErrorCorrection(bits.bytes(), ecc));
        int chosen = forcedMask;
        if (chosen < 0) {
            int lowest = Integer.MAX_VALUE;
            for (int m = 0; m < 8; m++) {
                qr.applyMask(m);
                qr.drawFormatBits(ecc, m);
                int penalty = qr.penalty();
                if (penalty < lowest) {
                    lowest = penalty;
                    chosen = m;
                }
                qr.applyMask(m); // XOR again: undone
            }
        }
        qr.applyMask(chosen);
        qr.drawFormatBits(ecc, chosen);
        qr.mask = chosen;
        return qr;
    }

    public int version() {
        return version;
    }

    public int size() {
        return size;
    }

    int mask() {
        return mask;
    }

    /** Whether the module at column {@code x}, row {@code y} is dark. */
    public boolean dark(int x, int y) {
        return modules[y][x];
    }

    // ---- capacity ---------------------------------------------------------------------------

    private static int bitsNeeded(int bytes, int version) {
        return 4 + (version <= 9 ? 8 : 16) + bytes * 8;
    }

    /** Modules left for data and error correction once the function patterns are drawn. */
    static int rawDataModules(int version) {
        int result = (16 * version + 128) * version + 64;
        if (version >= 2) {
            int alignments = version / 7 + 2;
            result -= (25 * alignments - 10) * alignments - 55;
            if (version >= 7) {
                result -= 36;
            }
        }
        return result;
    }

    static int dataCodewords(int version, Ecc ecc) {
        return rawDataModules(version) / 8
                - ECC_CODEWORDS_PER_BLOCK[ecc.ordinal()][version] * ERROR_CORRECTION_BLOCKS[ecc.ordinal()][version];
    }

    // ---- function patterns ------------------------------------------------------------------

    private void set(int x, int y, boolean dark) {
        modules[y][x] = dark;
        function[y][x] = true;
    }

    private void drawFunctionPatterns(Ecc ecc) {
        for (int i = 0; i < size; i++) {
            set(6, i, i % 2 == 0);
            set(i, 6, i % 2 == 0);
        }
        drawFinder(3, 3);
        drawFinder(size - 4, 3);
        drawFinder(3, size - 4);
        int[] positions = alignmentPositions();
        int last = positions.length - 1;
        for (int i = 0; i < positions.length; i++) {
            for (int j = 0; j < positions.length; j++) {
                boolean underFinder = i == 0 && j == 0 || i == 0 && j == last || i == last && j == 0;
                if (!underFinder) {
                    drawAlignment(positions[i], positions[j]);
                }
            }
        }
        drawFormatBits(ecc, 0); // reserves the modules; drawn again once the mask is chosen
        drawVersion();
    }

    private void drawFinder(int cx, int cy) {
        for (int dy = -4; dy <= 4; dy++) {
            for (int dx = -4; dx <= 4; dx++) {
                int distance = Math.max(Math.abs(dx), Math.abs(dy));
                int x = cx + dx;
                int y = cy + dy;
                if (x >= 0 && x < size && y >= 0 && y < size) {
                    set(x, y, distance != 2 && distance != 4);
                }
            }
        }
    }

    private void drawAlignment(int cx, int cy) {
        for (int dy = -2; dy <= 2; dy++) {
            for (int dx = -2; dx <= 2; dx++) {
                set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) != 1);
            }
        }
    }

    /** The centres of the alignment patterns along each axis (ISO/IEC 18004, annex E). */
    int[] alignmentPositions() {
        if (version == 1) {
            return new int[0];
        }
        int count = version / 7 + 2;
        int step = version == 32 ? 26 : (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2;
        int[] result = new int[count];
        result[0] = 6;
        for (int i = count - 1, position = size - 7; i >= 1; i--, position -= step) {
            result[i] = position;
        }
        return result;
    }

    private void drawFormatBits(Ecc ecc, int maskNumber) {
        int data = ecc.formatBits << 3 | maskNumber;
        int remainder = data;
        for (int i = 0; i < 10; i++) {
            remainder = remainder << 1 ^ (remainder >>> 9) * 0x537;
        }
        int bits = (data << 10 | remainder) ^ 0x5412;
        for (int i = 0; i <= 5; i++) {
            set(8, i, bit(bits, i));
        }
        set(8, 7, bit(bits, 6));
        set(8, 8, bit(bits, 7));
        set(7, 8, bit(bits, 8));
        for (int i = 9; i < 15; i++) {
            set(14 - i, 8, bit(bits, i));
        }
        for (int i = 0; i < 8; i++) {
            set(size - 1 - i, 8, bit(bits, i));
        }
        for (int i = 8; i < 15; i++) {
            set(8, size - 15 + i, bit(bits, i));
        }
        set(8, size - 8, true); // the dark module
    }

    private void drawVersion() {
        if (version < 7) {
            return;
        }
        int remainder = version;
        for (int i = 0; i < 12; i++) {
            remainder = remainder << 1 ^ (remainder >>> 11) * 0x1F25;
        }
        int bits = version << 12 | remainder;
        for (int i = 0; i < 18; i++) {
            int a = size - 11 + i % 3;
            int b = i / 3;
            set(a, b, bit(bits, i));
            set(b, a, bit(bits, i));
        }
    }

    private static boolean bit(int value, int i) {
        return (value >>> i & 1) != 0;
    }

    // ---- codewords --------------------------------------------------------------------------

    /** The data split into blocks, each followed by its Reed-Solomon codewords, interleaved as the standard says. */
    private byte[] withErrorCorrection(byte[] data, Ecc ecc) {
        int blocks = ERROR_CORRECTION_BLOCKS[ecc.ordinal()][version];
        int eccLength = ECC_CODEWORDS_PER_BLOCK[ecc.ordinal()][version];
        int raw = rawDataModules(version) / 8;
        int shortBlocks = blocks - raw % blocks;
        int shortBlockLength = raw / blocks;
        byte[] divisor = reedSolomonDivisor(eccLength);
        List<byte[]> all = new ArrayList<>();
        for (int i = 0, k = 0; i < blocks; i++) {
            int length = shortBlockLength - eccLength + (i < shortBlocks ? 0 : 1);
            byte[] block = new byte[shortBlockLength + 1];
            System.arraycopy(data, k, block, 0, length);
            k += length;
            byte[] ecc2 = reedSolomonRemainder(Arrays.copyOfRange(data, k - length, k), divisor);
            // A short block has a gap where the long blocks have their last data codeword.
            System.arraycopy(ecc2, 0, block, shortBlockLength + 1 - eccLength, eccLength);
            all.add(block);
        }
        byte[] result = new byte[raw];
        int n = 0;
        for (int i = 0; i <= shortBlockLength; i++) {
            for (int j = 0; j < all.size(); j++) {
                if (i != shortBlockLength - eccLength || j >= shortBlocks) {
                    result[n++] = all.get(j)[i];
                }
            }
        }
        return result;
    }

    private static byte[] reedSolomonDivisor(int degree) {
        byte[] result = new byte[degree];
        result[degree - 1] = 1;
        int root = 1;
        for (int i = 0; i < degree; i++) {
            for (int j = 0; j < degree; j++) {
                result[j] = (byte) multiply(result[j] & 0xFF, root);
                if (j + 1 < degree) {
                    result[j] ^= result[j + 1];
                }
            }
            root = multiply(root, 0x02);
        }
        return result;
    }

    private static byte[] reedSolomonRemainder(byte[] data, byte[] divisor) {
        byte[] result = new byte[divisor.length];
        for (byte b : data) {
            int factor = (b ^ result[0]) & 0xFF;
            System.arraycopy(result, 1, result, 0, result.length - 1);
            result[result.length - 1] = 0;
            for (int i = 0; i < result.length; i++) {
                result[i] ^= (byte) multiply(divisor[i] & 0xFF, factor);
            }
        }
        return result;
    }

    /** Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1. */
    private static int multiply(int x, int y) {
        int z = 0;
        for (int i = 7; i >= 0; i--) {
            z = z << 1 ^ (z >>> 7) * 0x11D;
            z ^= (y >>> i & 1) * x;
        }
        return z;
    }

    private void drawCodewords(byte[] data) {
        int i = 0;
        for (int right = size - 1; right >= 1; right -= 2) {
            if (right == 6) {
                right = 5; // the vertical timing pattern is skipped
            }
            for (int vertical = 0; vertical < size; vertical++) {
                for (int j = 0; j < 2; j++) {
                    int x = right - j;
                    boolean upward = (right + 1 & 2) == 0;
                    int y = upward ? size - 1 - vertical : vertical;
                    if (!function[y][x] && i < data.length * 8) {
                        modules[y][x] = bit(data[i >>> 3], 7 - (i & 7));
                        i++;
                    }
                }
            }
        }
    }

    private void applyMask(int maskNumber) {
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                boolean invert = switch (maskNumber) {
                    case 0 -> (x + y) % 2 == 0;
                    case 1 -> y % 2 == 0;
                    case 2 -> x % 3 == 0;
                    case 3 -> (x + y) % 3 == 0;
                    case 4 -> (x / 3 + y / 2) % 2 == 0;
                    case 5 -> x * y % 2 + x * y % 3 == 0;
                    case 6 -> (x * y % 2 + x * y % 3) % 2 == 0;
                    case 7 -> ((x + y) % 2 + x * y % 3) % 2 == 0;
                    default -> throw new IllegalArgumentException("mask " + maskNumber);
                };
                if (invert && !function[y][x]) {
                    modules[y][x] = !modules[y][x];
                }
            }
        }
    }

    // ---- the penalty of a masked symbol (ISO/IEC 18004, 7.8.3) -----------------------------

    private int penalty() {
        int result = 0;
        for (int line = 0; line < size; line++) {
            result += linePenalty(line, true) + linePenalty(line, false);
        }
        for (int y = 0; y + 1 < size; y++) {
            for (int x = 0; x + 1 < size; x++) {
                boolean c = modules[y][x];
                if (c == modules[y][x + 1] && c == modules[y + 1][x] && c == modules[y + 1][x + 1]) {
                    result += 3;
                }
            }
        }
        int dark = 0;
        for (boolean[] row : modules) {
            for (boolean module : row) {
                dark += module ? 1 : 0;
            }
        }
        int total = size * size;
        int k = (Math.abs(dark * 20 - total * 10) + total - 1) / total - 1;
        return result + k * 10;
    }

    /** Runs of five or more of one colour, and finder-like patterns (1:1:3:1:1 with four light beside), in a line. */
    private int linePenalty(int line, boolean row) {
        int result = 0;
        int run = 0;
        boolean previous = false;
        StringBuilder text = new StringBuilder(size + 8).append("0000");
        for (int i = 0; i < size; i++) {
            boolean module = row ? modules[line][i] : modules[i][line];
            text.append(module ? '1' : '0');
            if (i > 0 && module == previous) {
                run++;
            } else {
                if (run >= 5) {
                    result += run - 2;
                }
                run = 1;
            }
            previous = module;
        }
        if (run >= 5) {
            result += run - 2;
        }
        text.append("0000");
        for (int from = text.indexOf("1011101"); from >= 0; from = text.indexOf("1011101", from + 1)) {
            boolean lightBefore = from >= 4 && text.substring(from - 4, from).equals("0000");
            boolean lightAfter = from + 11 <= text.length() && text.substring(from + 7, from + 11).equals("0000");
            if (lightBefore || lightAfter) {
                result += 40;
            }
        }
        return result;
    }

    // ---- the picture --------------------------------------------------------------------------

    /**
     * The symbol as a PNG: one-bit greyscale, {@code scale} pixels a module, with the four-module light margin the
     * standard asks for around it.
     */
    public byte[] png(int scale) {
        int border = 4;
        int pixels = (size + 2 * border) * scale;
        int rowBytes = (pixels + 7) / 8;
        byte[] raw = new byte[(rowBytes + 1) * pixels];
        for (int py = 0; py < pixels; py++) {
            int offset = py * (rowBytes + 1); // filter type 0 (none) leads every row
            for (int px = 0; px < pixels; px++) {
                int x = px / scale - border;
                int y = py / scale - border;
                boolean darkModule = x >= 0 && x < size && y >= 0 && y < size && modules[y][x];
                if (!darkModule) {
                    raw[offset + 1 + px / 8] |= (byte) (0x80 >>> (px % 8)); // 1 is white in greyscale
                }
            }
        }
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(raw);
        deflater.finish();
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            compressed.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(pixels).putInt(pixels)
                .put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(png, "IDAT", compressed.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** Bits appended most significant first. */
    private static final class BitBuffer {
        private final java.util.BitSet bits = new java.util.BitSet();
        int length;

        void append(int value, int count) {
            for (int i = count - 1; i >= 0; i--) {
                bits.set(length++, (value >>> i & 1) != 0);
            }
        }

        byte[] bytes() {
            byte[] out = new byte[length / 8];
            for (int i = 0; i < length; i++) {
                if (bits.get(i)) {
                    out[i / 8] |= (byte) (0x80 >>> (i % 8));
                }
            }
            return out;
        }
    }
}
