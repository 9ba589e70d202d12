package dev.crossrole.server.sts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.crossrole.server.service.SessionClaims;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals {@link SessionClaims} into opaque session tokens with AES-256-GCM under the server key: a token
 * cannot be forged or altered without the key, and any node holding the key can open it.
 * Layout: version byte, 12-byte nonce, ciphertext of the JSON claims, GCM tag; base64. Version 1 deflates the
 * claims, version 2 stores them as they are: claims of at most {@link #STORED_CLAIMS} bytes (a role session without
 * session policies or many tags) are stored, since deflating them cost a fifth of an AssumeRole and saved a few
 * hundred bytes; larger ones are deflated, which keeps a session with policies and tags well inside a header.
 *
 * <p>Sealing runs for every AssumeRole and opening for every request signed with temporary credentials, so
 * what can be kept between calls is: the claims' JSON writer and reader, a cipher and scratch buffers per
 * thread, and deflaters and inflaters in small pools (each holds a few hundred KiB of native zlib memory, too
 * much to give every thread of a large pool its own).
 */
public final class SessionTokens {
    private static final byte DEFLATED = 1;
    private static final byte STORED = 2;
    /** The largest claims sealed without compression. */
    static final int STORED_CLAIMS = 1024;
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    /** A token's claims inflate to far less; more is refused as garbage. */
    private static final int MAX_CLAIMS = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectWriter CLAIMS_WRITER = JSON.writerFor(SessionClaims.class);
    private static final ObjectReader CLAIMS_READER = JSON.readerFor(SessionClaims.class);
    private static final int POOLED = 8;
    private static final ArrayBlockingQueue<Deflater> DEFLATERS = new ArrayBlockingQueue<>(POOLED);
    private static final ArrayBlockingQueue<Inflater> INFLATERS = new ArrayBlockingQueue<>(POOLED);
    /** Cipher instances are not thread-safe and costly to look up: one per thread, with its scratch buffers. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final SecretKeySpec key;
    private final SecureRandom random;

    public SessionTokens(byte[] key256, SecureRandom random) {
        if (key256.length != 32) {
            throw new IllegalArgumentException("the session-token key is 32 bytes");
        }
        this.key = new SecretKeySpec(key256, "AES");
        this.random = random;
    }

    /** A thread's cipher and the buffers the JSON and the compressed claims are written to. */
    private static final class Scratch {
        final Cipher cipher;
        final Buffer json = new Buffer(1024);
        final Buffer packed = new Buffer(1024);

        Scratch() {
            try {
                cipher = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A byte array output stream whose array is read in place, without the copy {@code toByteArray} makes. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer(int size) {
            super(size);
        }

        byte[] array() {
            return buf;
        }

        /** Makes room for {@code more} bytes after the current count. */
        void ensureRoom(int more) {
            if (count + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
            }
        }

        void advance(int n) {
            count += n;
        }

        /** Empties the buffer, and lets an unusually large array go rather than keep it for the thread's life. */
        @Override
        public void reset() {
            super.reset();
            if (buf.length > 64 * 1024) {
                buf = new byte[1024];
            }
        }
    }

    public String seal(SessionClaims claims) {
        Scratch scratch = SCRATCH.get();
        try {
            scratch.json.reset();
            CLAIMS_WRITER.writeValue(scratch.json, claims);
            byte version = scratch.json.size() <= STORED_CLAIMS ? STORED : DEFLATED;
            Buffer sealed = scratch.json;
            if (version == DEFLATED) {
                deflate(scratch.json, scratch.packed);
                sealed = scratch.packed;
            }
            int length = sealed.size();
            byte[] out = new byte[1 + NONCE + length + TAG_BITS / 8];
            out[0] = version;
            byte[] nonce = new byte[NONCE];
            random.nextBytes(nonce);
            System.arraycopy(nonce, 0, out, 1, NONCE);
            Cipher cipher = scratch.cipher;
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(out, 0, 1); // the version is authenticated: a stored token cannot pass as deflated
            cipher.doFinal(sealed.array(), 0, length, out, 1 + NONCE);
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
        Scratch scratch = SCRATCH.get();
        try {
            byte[] bytes = Base64.getDecoder().decode(token);
            if (bytes.length < 1 + NONCE + TAG_BITS / 8 || bytes[0] != DEFLATED && bytes[0] != STORED) {
                return null;
            }
            Cipher cipher = scratch.cipher;
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 1, NONCE));
            cipher.updateAAD(bytes, 0, 1);
            byte[] plain = cipher.doFinal(bytes, 1 + NONCE, bytes.length - 1 - NONCE);
            if (bytes[0] == STORED) {
                return CLAIMS_READER.readValue(plain);
            }
            if (!inflate(plain, scratch.json)) {
                return null;
            }
            return CLAIMS_READER.readValue(scratch.json.array(), 0, scratch.json.size());
        } catch (IllegalArgumentException | GeneralSecurityException | IOException | DataFormatException e) {
            return null;
        }
    }

    private static void deflate(Buffer data, Buffer out) {
        Deflater deflater = DEFLATERS.poll();
        if (deflater == null) {
            deflater = new Deflater(Deflater.BEST_SPEED);
        }
        try {
            deflater.setInput(data.array(), 0, data.size());
            deflater.finish();
            out.reset();
            while (!deflater.finished()) {
                out.ensureRoom(256);
                byte[] array = out.array();
                out.advance(deflater.deflate(array, out.size(), array.length - out.size()));
            }
        } finally {
            release(deflater);
        }
    }

    /** Inflates {@code data} into {@code out}; false when it inflates to more than a token's claims can be. */
    private static boolean inflate(byte[] data, Buffer out) throws DataFormatException {
        Inflater inflater = INFLATERS.poll();
        if (inflater == null) {
            inflater = new Inflater();
        }
        try {
            inflater.setInput(data);
            out.reset();
            while (!inflater.finished()) {
                out.ensureRoom(1024);
                byte[] array = out.array();
                int n = inflater.inflate(array, out.size(), array.length - out.size());
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                out.advance(n);
                if (out.size() > MAX_CLAIMS) {
                    return false;
                }
            }
            return true;
        } finally {
            release(inflater);
        }
    }

    /** Back to its pool for the next call, reset; or its native memory freed at once when the pool is full. */
    private static void release(Deflater deflater) {
        deflater.reset();
        if (!DEFLATERS.offer(deflater)) {
            deflater.end();
        }
    }

    private static void release(Inflater inflater) {
        inflater.reset();
        if (!INFLATERS.offer(inflater)) {
            inflater.end();
        }
    }
}
