package dev.crossrole.server.kms;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * crossrole's ciphertext blobs: {@code 0x01}, the key id (16 bytes), a 12-byte nonce, then AES-256-GCM's ciphertext
 * and tag. The key id and the encryption context are the additional authenticated data, so a blob decrypts only under
 * its key and with the context it was made with; anything else fails GCM's check. Only the crossrole holding the key
 * material can decrypt a blob.
 */
final class Ciphertexts {
    private static final byte FORMAT = 1;
    private static final int ID_BYTES = 16;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] LABEL = "crossrole-kms-1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A blob this format cannot be, or one that does not decrypt: KMS's {@code InvalidCiphertextException}. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid() {
            super(null, null, false, false);
        }
    }

    private Ciphertexts() {}

    static byte[] newKeyMaterial() {
        byte[] material = new byte[32];
        RANDOM.nextBytes(material);
        return material;
    }

    static byte[] random(int bytes) {
        byte[] out = new byte[bytes];
        RANDOM.nextBytes(out);
        return out;
    }

    static byte[] encrypt(KmsKey key, byte[] plaintext, Map<String, String> context) {
        byte[] nonce = random(NONCE_BYTES);
        byte[] id = idBytes(key.id());
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.material(), "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(id, context));
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(1 + ID_BYTES + NONCE_BYTES + sealed.length).put(FORMAT).put(id).put(nonce)
                    .put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The id of the key a blob was made under. */
    static String keyId(byte[] blob) throws Invalid {
        if (blob == null || blob.length < 1 + ID_BYTES + NONCE_BYTES + TAG_BITS / 8 || blob[0] != FORMAT) {
            throw new Invalid();
        }
        ByteBuffer buffer = ByteBuffer.wrap(blob, 1, ID_BYTES);
        return new UUID(buffer.getLong(), buffer.getLong()).toString();
    }

    static byte[] decrypt(KmsKey key, byte[] blob, Map<String, String> context) throws Invalid {
        if (!keyId(blob).equals(key.id())) {
            throw new Invalid();
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.material(), "AES"),
                    new GCMParameterSpec(TAG_BITS, blob, 1 + ID_BYTES, NONCE_BYTES));
            cipher.updateAAD(aad(idBytes(key.id()), context));
            return cipher.doFinal(blob, 1 + ID_BYTES + NONCE_BYTES, blob.length - 1 - ID_BYTES - NONCE_BYTES);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new Invalid();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    private static byte[] idBytes(String id) {
        UUID uuid = UUID.fromString(id);
        return ByteBuffer.allocate(ID_BYTES).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits())
                .array();
    }

    /** The label, the key id, then the context's pairs sorted by name, each part prefixed by its length. */
    private static byte[] aad(byte[] id, Map<String, String> context) {
        ByteBuffer out = ByteBuffer.allocate(size(context) + LABEL.length + ID_BYTES);
        out.put(LABEL).put(id);
        for (Map.Entry<String, String> entry : new TreeMap<>(context).entrySet()) {
            byte[] name = entry.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] value = entry.getValue().getBytes(StandardCharsets.UTF_8);
            out.putInt(name.length).put(name).putInt(value.length).put(value);
        }
        return out.array();
    }

    private static int size(Map<String, String> context) {
        int size = 0;
        for (Map.Entry<String, String> entry : context.entrySet()) {
            size += 8 + entry.getKey().getBytes(StandardCharsets.UTF_8).length
                    + entry.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        return size;
    }
}
