package dev.crossrole.server.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals {@link SessionClaims} into opaque session tokens with AES-256-GCM under the server key: a token
 * cannot be forged or altered without the key, and any node holding the key can open it.
 * Layout: version byte, 12-byte nonce, ciphertext of the deflated JSON claims, GCM tag; base64.
 */
public final class SessionTokens {
    private static final byte VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SecretKeySpec key;
    private final SecureRandom random;
    /** Cipher and Deflater are costly to create and not thread-safe: one of each per thread. */
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });
    private static final ThreadLocal<Deflater> DEFLATER = ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED));

    public SessionTokens(byte[] key256, SecureRandom random) {
        if (key256.length != 32) {
            throw new IllegalArgumentException("the session-token key is 32 bytes");
        }
        this.key = new SecretKeySpec(key256, "AES");
        this.random = random;
    }

    public String seal(SessionClaims claims) {
        try {
            byte[] plain = deflate(JSON.writeValueAsBytes(claims));
            byte[] nonce = new byte[12];
            random.nextBytes(nonce);
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(new byte[] {VERSION});
            byte[] sealed = cipher.doFinal(plain);
            byte[] out = new byte[1 + nonce.length + sealed.length];
            out[0] = VERSION;
            System.arraycopy(nonce, 0, out, 1, nonce.length);
            System.arraycopy(sealed, 0, out, 1 + nonce.length, sealed.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot seal a session token", e);
        }
    }

    /** The claims of a token sealed by this key, or {@code null} for anything else (forged, altered, garbage). */
    public SessionClaims open(String token) {
        if (token == null || token.length() < 40 || token.length() > 16384) {
            return null;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(token);
            if (bytes.length < 1 + 12 + 16 || bytes[0] != VERSION) {
                return null;
            }
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, bytes, 1, 12));
            cipher.updateAAD(new byte[] {VERSION});
            byte[] plain = cipher.doFinal(bytes, 13, bytes.length - 13);
            return JSON.readValue(inflate(plain), SessionClaims.class);
        } catch (IllegalArgumentException | GeneralSecurityException | IOException | DataFormatException e) {
            return null;
        }
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = DEFLATER.get();
        deflater.reset();
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length);
        byte[] buffer = new byte[1024];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        return out.toByteArray();
    }

    private static byte[] inflate(byte[] data) throws DataFormatException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length * 3);
            byte[] buffer = new byte[1024];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                out.write(buffer, 0, n);
                if (out.size() > 1 << 20) {
                    throw new DataFormatException("too large");
                }
            }
            return out.toByteArray();
        } finally {
            inflater.end(); // frees native memory on every path, including a refused token
        }
    }
}
