package dev.crossrole.server.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CiphertextsTest {
    private static KmsKey key() {
        return new KmsKey(UUID.randomUUID().toString(), "111122223333", "us-east-1", "", Instant.EPOCH, KmsKey.ENABLED,
                null, 0, "{}", null, Ciphertexts.newKeyMaterial(), Map.of(), false);
    }

    private static final byte[] SECRET = "secret".getBytes(StandardCharsets.UTF_8);

    @Test
    void aBlobOpensUnderItsKeyWithItsContextInAnyOrder() throws Exception {
        KmsKey key = key();
        Map<String, String> context = new LinkedHashMap<>();
        context.put("b", "2");
        context.put("a", "1");
        byte[] blob = Ciphertexts.encrypt(key, SECRET, context);
        assertEquals(key.id(), Ciphertexts.keyId(blob));
        assertArrayEquals(SECRET, Ciphertexts.decrypt(key, blob, Map.of("a", "1", "b", "2")));
    }

    @Test
    void anotherContextKeyOrAlteredByteDoesNotOpen() throws Exception {
        KmsKey key = key();
        byte[] blob = Ciphertexts.encrypt(key, SECRET, Map.of("a", "1"));
        assertThrows(Ciphertexts.Invalid.class, () -> Ciphertexts.decrypt(key, blob, Map.of()));
        assertThrows(Ciphertexts.Invalid.class, () -> Ciphertexts.decrypt(key, blob, Map.of("a", "2")));
        // The context's parts are length-prefixed: moving a character from a value into the next name differs.
        byte[] two = Ciphertexts.encrypt(key, SECRET, Map.of("a", "1x", "b", "2"));
        assertThrows(Ciphertexts.Invalid.class, () -> Ciphertexts.decrypt(key, two, Map.of("a", "1", "xb", "2")));
        KmsKey other = new KmsKey(key.id(), "111122223333", "us-east-1", "", Instant.EPOCH, KmsKey.ENABLED, null, 0, "{}",
                null, Ciphertexts.newKeyMaterial(), Map.of(), false);
        assertThrows(Ciphertexts.Invalid.class, () -> Ciphertexts.decrypt(other, blob, Map.of("a", "1")));
        for (int i = 17; i < blob.length; i++) {
            byte[] altered = blob.clone();
            altered[i] ^= 0x40;
            assertThrows(Ciphertexts.Invalid.class, () -> Ciphertexts.decrypt(key, altered, Map.of("a", "1")));
        }
    }

    @Test
    void whatIsNotABlobIsInvalid() {
        assertThrows(Ciphertexts.Invalid.class, () -> Ciphertexts.keyId(new byte[10]));
        assertThrows(Ciphertexts.Invalid.class, () -> Ciphertexts.keyId(null));
        byte[] blob = Ciphertexts.encrypt(key(), SECRET, Map.of());
        blob[0] = 2;
        assertThrows(Ciphertexts.Invalid.class, () -> Ciphertexts.keyId(blob));
    }
}
