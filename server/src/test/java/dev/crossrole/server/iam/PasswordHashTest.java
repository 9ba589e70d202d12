package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Passwords are kept as salted PBKDF2-HMAC-SHA256 hashes that verify only the password they were made from. */
class PasswordHashTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void aHashVerifiesItsPasswordAndNoOther() {
        String stored = PasswordHash.hash("Corr3ct horse!", RANDOM);
        assertTrue(PasswordHash.verify("Corr3ct horse!", stored));
        assertFalse(PasswordHash.verify("Corr3ct horse", stored));
        assertFalse(PasswordHash.verify("corr3ct horse!", stored));
        assertFalse(PasswordHash.verify("", stored));
        assertFalse(stored.contains("Corr3ct"), "the password itself is not in what is stored");
    }

    @Test
    void theSamePasswordHashesDifferentlyUnderEachSalt() {
        String a = PasswordHash.hash("same-Password1", RANDOM);
        String b = PasswordHash.hash("same-Password1", RANDOM);
        assertNotEquals(a, b);
        assertTrue(PasswordHash.verify("same-Password1", a));
        assertTrue(PasswordHash.verify("same-Password1", b));
    }

    @Test
    void theStoredFormNamesSchemeWorkFactorSaltAndHash() {
        String stored = PasswordHash.hash("pw-Example1", RANDOM);
        String[] parts = stored.split("\\$");
        assertEquals(4, parts.length);
        assertEquals("pbkdf2-sha256", parts[0]);
        assertEquals(String.valueOf(PasswordHash.ITERATIONS), parts[1]);
        assertEquals(16, Base64.getDecoder().decode(parts[2]).length);
        assertEquals(32, Base64.getDecoder().decode(parts[3]).length);
        assertTrue(PasswordHash.wellFormed(stored));
        assertFalse(PasswordHash.wellFormed("plain-text"));
        assertFalse(PasswordHash.wellFormed("pbkdf2-sha256$x$AAAA$AAAA"));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.verify("x", "md5$1$AA$AA"));
    }

    @Test
    void theDerivationIsStandardPbkdf2HmacSha256() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256, P = "passwd", S = "salt", c = 1, dkLen = 64 (first 32 bytes here).
        byte[] expected = HexFormat.of().parseHex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
        assertArrayEquals(expected, PasswordHash.derive("passwd", "salt".getBytes(), 1));
        // A hash made with another work factor still verifies: the factor is read from what was stored.
        String older = PasswordHash.encode(1000, "0123456789abcdef".getBytes(),
                PasswordHash.derive("older-Password1", "0123456789abcdef".getBytes(), 1000));
        assertTrue(PasswordHash.verify("older-Password1", older));
        assertFalse(PasswordHash.verify("older-Password2", older));
    }

    @Test
    void passwordsBeyondAsciiAreHashedByTheirUtf8Bytes() {
        String stored = PasswordHash.hash("pässwörd-ÿ1\t", RANDOM);
        assertTrue(PasswordHash.verify("pässwörd-ÿ1\t", stored));
        assertFalse(PasswordHash.verify("passwort-y1\t", stored));
    }
}
