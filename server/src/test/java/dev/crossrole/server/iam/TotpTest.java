package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 6238's own test vectors (HMAC-SHA1), RFC 4226's, and RFC 4648's base32 vectors. */
class TotpTest {
    /** RFC 6238 appendix B: the SHA1 seed is the ASCII string "12345678901234567890". */
    private static final byte[] RFC_SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @Test
    void rfc6238VectorsForSha1() {
        long[] times = {59L, 1111111109L, 1111111111L, 1234567890L, 2000000000L, 20000000000L};
        String[] eightDigits = {"94287082", "07081804", "14050471", "89005924", "69279037", "65353130"};
        for (int i = 0; i < times.length; i++) {
            long step = Totp.step(Instant.ofEpochSecond(times[i]));
            assertEquals(eightDigits[i], Totp.code(RFC_SEED, step, 8), "T = " + times[i]);
            // Six digits are the same value modulo 10^6: the last six of the eight.
            assertEquals(eightDigits[i].substring(2), Totp.code(RFC_SEED, step), "T = " + times[i]);
        }
    }

    @Test
    void rfc4226HotpVectors() {
        String[] codes = {"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
            "520489"};
        for (int counter = 0; counter < codes.length; counter++) {
            assertEquals(codes[counter], Totp.code(RFC_SEED, counter), "counter " + counter);
        }
    }

    @Test
    void stepsAreThirtySecondsFromTheEpoch() {
        assertEquals(0, Totp.step(Instant.ofEpochSecond(29)));
        assertEquals(1, Totp.step(Instant.ofEpochSecond(30)));
        assertEquals(-1, Totp.step(Instant.ofEpochSecond(-1)));
        assertEquals(56_666_666, Totp.step(Instant.ofEpochSecond(1_700_000_000)));
    }

    @Test
    void matchesOnlyTheCodeOfItsStep() {
        String code = Totp.code(RFC_SEED, 1000);
        assertTrue(Totp.matches(RFC_SEED, 1000, code));
        assertFalse(Totp.matches(RFC_SEED, 1001, code.equals(Totp.code(RFC_SEED, 1001)) ? "x" : code));
        assertFalse(Totp.matches(RFC_SEED, 1000, null));
        assertFalse(Totp.matches(RFC_SEED, 1000, code.substring(1)));
    }

    @Test
    void base32FollowsRfc4648() {
        String[][] vectors = {{"", ""}, {"f", "MY"}, {"fo", "MZXQ"}, {"foo", "MZXW6"}, {"foob", "MZXW6YQ"},
            {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"}};
        for (String[] v : vectors) {
            assertEquals(v[1], Totp.base32(v[0].getBytes(StandardCharsets.US_ASCII)), v[0]);
            assertArrayEquals(v[0].getBytes(StandardCharsets.US_ASCII), Totp.fromBase32(v[1]), v[1]);
        }
        assertArrayEquals("foobar".getBytes(StandardCharsets.US_ASCII), Totp.fromBase32("mzxw6ytboi======"),
                "lower case and padding are read too");
        assertEquals("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Totp.base32(RFC_SEED));
        assertThrows(IllegalArgumentException.class, () -> Totp.fromBase32("MZXW1"));
    }

    @Test
    void aSeedOfFortyBytesIsSixtyFourCharactersAndReadsBack() {
        Random random = new Random(7);
        for (int i = 0; i < 50; i++) {
            byte[] seed = new byte[MfaDeviceOperations.SEED_BYTES];
            random.nextBytes(seed);
            String text = Totp.base32(seed);
            assertEquals(64, text.length());
            assertArrayEquals(seed, Totp.fromBase32(text));
        }
    }
}
