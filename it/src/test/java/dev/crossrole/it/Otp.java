package dev.crossrole.it;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What an authenticator app does with a virtual MFA device's seed, written here apart from crossrole's own code: the
 * base32 seed decoded (RFC 4648), HMAC-SHA1 of the 30-second time step, six digits (RFC 6238, RFC 4226).
 */
final class Otp {
    private Otp() {}

    static byte[] key(String base32Seed) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char c : base32Seed.toCharArray()) {
            buffer = buffer << 5 | alphabet.indexOf(c);
            bits += 5;
            if (bits >= 8) {
                out.write(buffer >> (bits - 8) & 0xFF);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }

    /** The code an app shows at {@code when}, {@code stepsLater} steps on (negative: earlier). */
    static String code(String base32Seed, Instant when, int stepsLater) {
        long step = Math.floorDiv(when.getEpochSecond(), 30) + stepsLater;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key(base32Seed), "HmacSHA1"));
            byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
            int o = h[19] & 0xF;
            int value = ((h[o] & 0x7F) << 24 | (h[o + 1] & 0xFF) << 16 | (h[o + 2] & 0xFF) << 8 | (h[o + 3] & 0xFF))
                    % 1_000_000;
            return String.format("%06d", value);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String code(String base32Seed, Instant when) {
        return code(base32Seed, when, 0);
    }

    /** A code that is none of the device's codes around {@code when}. */
    static String wrongCode(String base32Seed, Instant when) {
        for (int candidate = 0; ; candidate++) {
            String code = String.format("%06d", candidate);
            boolean used = false;
            for (int d = -25; d <= 25; d++) {
                used |= code.equals(code(base32Seed, when, d));
            }
            if (!used) {
                return code;
            }
        }
    }
}
