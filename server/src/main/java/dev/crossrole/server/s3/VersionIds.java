package dev.crossrole.server.s3;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * S3-like opaque version ids: 32 URL-safe characters. They carry a check value, so that a string that cannot be an id
 * (S3's 400 InvalidArgument "Invalid version id specified") is told from an id of no version here (404
 * NoSuchVersion), as S3 tells them apart.
 */
final class VersionIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{32}");
    /** 24 bytes: 8 of time, 12 random, 4 of check. */
    private static final int BYTES = 24;

    private VersionIds() {}

    static String create(long epochMillis) {
        byte[] id = new byte[BYTES];
        ByteBuffer buffer = ByteBuffer.wrap(id);
        buffer.putLong(epochMillis);
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        buffer.put(random);
        buffer.putInt(check(id));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    }

    /** Whether {@code id} is {@code null} (the null version's id on the wire) or one this class could have made. */
    static boolean wellFormed(String id) {
        if (StoredObject.NULL_VERSION.equals(id)) {
            return true;
        }
        if (id == null || !SHAPE.matcher(id).matches()) {
            return false;
        }
        byte[] bytes = Base64.getUrlDecoder().decode(id);
        return ByteBuffer.wrap(bytes, BYTES - 4, 4).getInt() == check(bytes);
    }

    private static int check(byte[] id) {
        CRC32 crc = new CRC32();
        crc.update(id, 0, BYTES - 4);
        return (int) crc.getValue();
    }

    /** The version a request names: {@code "null"} is the null version, stored without an id. */
    static String internal(String wire) {
        return StoredObject.NULL_VERSION.equals(wire) ? null : wire;
    }
}
