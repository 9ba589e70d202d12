package dev.crossrole.server.iam;

import java.security.SecureRandom;

/**
 * Access key ids in AWS's current format, which encodes the owning account: after the 4-letter prefix
 * ({@code AKIA} long-term, {@code ASIA} temporary) come 16 base32 characters of 10 bytes whose first
 * 48 bits hold a format bit, the account id shifted left by 7 and 7 random bits; the last 4 bytes are
 * random. So "which account owns this key" (GetAccessKeyInfo) is a pure function of the key.
 */
public final class AccessKeys {
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final char[] SECRET_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    private AccessKeys() {}

    public static String longTerm(String accountId, SecureRandom random) {
        return mint("AKIA", accountId, random);
    }

    public static String temporary(String accountId, SecureRandom random) {
        return mint("ASIA", accountId, random);
    }

    private static String mint(String prefix, String accountId, SecureRandom random) {
        long account = Long.parseLong(accountId);
        byte[] bytes = new byte[10];
        random.nextBytes(bytes);
        long head = (1L << 47) | (account << 7) | (bytes[5] & 0x7F);
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) (head >>> (8 * (5 - i)));
        }
        return prefix + base32(bytes);
    }

    /** A 40-character secret access key. */
    public static String secret(SecureRandom random) {
        // One call into the (synchronized) SecureRandom; 64 symbols make each byte's low 6 bits uniform.
        byte[] bytes = new byte[40];
        random.nextBytes(bytes);
        char[] out = new char[40];
        for (int i = 0; i < out.length; i++) {
            out[i] = SECRET_ALPHABET[bytes[i] & 63];
        }
        return new String(out);
    }

    /**
     * The account encoded in a key id, or {@code null} when the key is not in the encoding format
     * (older keys, whose fifth character is {@code I} or {@code J}, carry no account).
     */
    public static String account(String accessKeyId) {
        if (accessKeyId == null || accessKeyId.length() < 20) {
            return null;
        }
        byte[] bytes = base32Decode(accessKeyId.substring(4, 20));
        if (bytes == null) {
            return null;
        }
        long head = 0;
        for (int i = 0; i < 6; i++) {
            head = (head << 8) | (bytes[i] & 0xFF);
        }
        if ((head & (1L << 47)) == 0) {
            return null;
        }
        long account = (head & 0x7FFFFFFFFF80L) >> 7;
        return String.format("%012d", account);
    }

    static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }

    static byte[] base32Decode(String text) {
        byte[] out = new byte[text.length() * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            int value = BASE32.indexOf(text.charAt(i));
            if (value < 0) {
                return null;
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) {
                out[n++] = (byte) (buffer >> (bits - 8));
                bits -= 8;
            }
        }
        return out;
    }
}
