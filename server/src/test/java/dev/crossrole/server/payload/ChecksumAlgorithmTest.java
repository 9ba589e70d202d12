package dev.crossrole.server.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumAlgorithmTest {
    private static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);

    private static String hexOf(ChecksumAlgorithm a, byte[] data) {
        return HexFormat.of().formatHex(Base64.getDecoder().decode(a.base64Of(data)));
    }

    @Test
    void checkValuesOfTheCatalogue() {
        // CRC catalogue check values (reveng.sourceforge.io) and the SHA test vectors of "123456789"
        assertEquals("cbf43926", hexOf(ChecksumAlgorithm.CRC32, CHECK));
        assertEquals("e3069283", hexOf(ChecksumAlgorithm.CRC32C, CHECK));
        assertEquals("ae8b14860a799888", hexOf(ChecksumAlgorithm.CRC64NVME, CHECK));
        assertEquals("f7c3bc1d808e04732adf679965ccc34ca7ae3441", hexOf(ChecksumAlgorithm.SHA1, CHECK));
        assertEquals("15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
                hexOf(ChecksumAlgorithm.SHA256, CHECK));
    }

    @Test
    void valuesAsS3ReturnsThem() {
        // S3's documented values for an empty object, and SDK test values for "Hello world"
        assertEquals("AAAAAA==", ChecksumAlgorithm.CRC32.base64Of(new byte[0]));
        assertEquals("AAAAAAAAAAA=", ChecksumAlgorithm.CRC64NVME.base64Of(new byte[0]));
        assertEquals("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", ChecksumAlgorithm.SHA256.base64Of(new byte[0]));
        assertEquals("2jmj7l5rSw0yVb/vlWAYkK/YBwk=", ChecksumAlgorithm.SHA1.base64Of(new byte[0]));
        byte[] hello = "Hello world".getBytes(StandardCharsets.US_ASCII);
        assertEquals("i9aeUg==", ChecksumAlgorithm.CRC32.base64Of(hello));
        assertEquals("crUfeA==", ChecksumAlgorithm.CRC32C.base64Of(hello));
        assertEquals("OOJZ0D8xKts=", ChecksumAlgorithm.CRC64NVME.base64Of(hello));
    }

    @Test
    void crc64StreamedInPiecesEqualsBitwiseReference() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            byte[] data = new byte[random.nextInt(1000)];
            random.nextBytes(data);
            ChecksumAlgorithm.Calculator c = ChecksumAlgorithm.CRC64NVME.newCalculator();
            int off = 0;
            while (off < data.length) {
                int n = Math.min(data.length - off, random.nextInt(70));
                c.update(data, off, n);
                off += n;
            }
            long expected = bitwiseCrc64(data);
            assertEquals(String.format("%016x", expected), HexFormat.of().formatHex(c.digest()), "round " + round);
        }
    }

    private static long bitwiseCrc64(byte[] data) {
        long crc = -1L;
        for (byte b : data) {
            crc ^= b & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x9a6c9329ac4bc9b5L : crc >>> 1;
            }
        }
        return ~crc;
    }

    @Test
    void namesAndHeaders() {
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            assertEquals("x-amz-checksum-" + a.name().toLowerCase(), a.headerName());
            assertEquals(Optional.of(a), ChecksumAlgorithm.fromHeaderName(a.headerName().toUpperCase()));
            assertEquals(Optional.of(a), ChecksumAlgorithm.fromName(a.name().toLowerCase()));
            assertEquals(Optional.of(a), ChecksumAlgorithm.fromName(a.name()));
        }
        assertEquals(Optional.empty(), ChecksumAlgorithm.fromName("MD5"));
        assertEquals(Optional.empty(), ChecksumAlgorithm.fromName(null));
        assertEquals(Optional.empty(), ChecksumAlgorithm.fromHeaderName("x-amz-checksum-md5"));
        assertEquals(Optional.empty(), ChecksumAlgorithm.fromHeaderName("content-md5"));
    }

    @Test
    void wellFormedValuesHaveTheDigestLength() {
        assertTrue(ChecksumAlgorithm.CRC32.isWellFormed("i9aeUg=="));
        assertFalse(ChecksumAlgorithm.CRC32.isWellFormed("i9aeUg"), "padding is required");
        assertFalse(ChecksumAlgorithm.CRC32.isWellFormed("AAAAAAAAAAA="), "8 bytes is CRC64's length");
        assertTrue(ChecksumAlgorithm.CRC64NVME.isWellFormed("AAAAAAAAAAA="));
        assertFalse(ChecksumAlgorithm.SHA256.isWellFormed("not base64!"));
        assertFalse(ChecksumAlgorithm.SHA1.isWellFormed(null));
    }
}
