package dev.crossrole.server.s3;

import dev.crossrole.server.payload.ChecksumAlgorithm;
import dev.crossrole.server.protocol.Shape;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Server-side encryption with customer-provided keys (SSE-C): the three {@code x-amz-server-side-encryption-customer-*}
 * headers (or their {@code x-amz-copy-source-} forms) checked as S3 checks them, and the bytes of an SSE-C object or
 * part encrypted at rest with AES-256 in counter mode under the customer's key. Counter mode lets a Range or a part be
 * decrypted from any offset. The key itself is never stored: an object keeps the key's MD5 (which S3 echoes), a random
 * salt and the HMAC-SHA256 of the key under that salt, to tell a later request's key from the right one, and the
 * initial counter of each segment it was written in (one for a single PUT or copy; one per part for a multipart
 * object, whose parts are concatenated as they were encrypted).
 *
 * <p>S3 refuses SSE-C over plain HTTP; crossrole serves plain HTTP on loopback only, where the key does not leave the
 * machine, and accepts it there too (as it accepts any credential there).
 */
final class CustomerKey {
    static final String ALGORITHM = "AES256";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String HEADER = "x-amz-server-side-encryption-customer-";
    private static final String COPY_HEADER = "x-amz-copy-source-server-side-encryption-customer-";

    private CustomerKey() {}

    /** A key a request gave, checked: 32 bytes whose MD5 is the one sent. */
    record Given(byte[] key, String md5) {}

    /**
     * What an SSE-C object, part or upload keeps of its key.
     *
     * @param keyMd5 the base64 MD5 of the key, as the client sent it and S3 echoes it
     * @param salt base64 random salt of {@code hmac}
     * @param hmac base64 HMAC-SHA256 of the key under {@code salt}: a later key is the right one when its HMAC is this
     * @param nonces base64 initial counter blocks of the segments the bytes were encrypted in, in order: one for an
     *     object from a single write or a part, one per part of a multipart object; none for an upload
     */
    record Sealed(String keyMd5, String salt, String hmac, List<String> nonces) {
        Sealed {
            nonces = nonces == null ? List.of() : List.copyOf(nonces);
        }

        boolean opens(Given given) {
            return MessageDigest.isEqual(CustomerKey.hmac(Base64.getDecoder().decode(salt), given.key()),
                    Base64.getDecoder().decode(hmac));
        }

        Sealed withNonces(List<String> segments) {
            return new Sealed(keyMd5, salt, hmac, segments);
        }
    }

    /**
     * The key a request gives, or {@code null} when it sends none of the three headers; {@code copySource} reads the
     * {@code x-amz-copy-source-} forms. S3's InvalidArgument (and InvalidEncryptionAlgorithmError) for a header
     * missing, an algorithm other than AES256, a key that is not 256 bits, or an MD5 that is not the key's.
     */
    static Given of(S3Input input, boolean copySource) {
        String prefix = copySource ? "CopySource" : "";
        String algorithm = input.string(prefix + "SSECustomerAlgorithm");
        String key = input.string(prefix + "SSECustomerKey");
        String md5 = input.string(prefix + "SSECustomerKeyMD5");
        if (algorithm == null && key == null && md5 == null) {
            return null;
        }
        String header = copySource ? COPY_HEADER : HEADER;
        if (algorithm == null) {
            throw S3Exception.invalidArgument("Requests specifying Server Side Encryption with Customer provided keys"
                    + " must provide a valid encryption algorithm.", header + "algorithm", null);
        }
        if (!ALGORITHM.equals(algorithm)) {
            throw new S3Exception("InvalidEncryptionAlgorithmError", 400, "The Encryption request you specified is"
                    + " not valid. Supported value: AES256.").with("ArgumentName", header + "algorithm")
                    .with("ArgumentValue", algorithm);
        }
        if (key == null) {
            throw S3Exception.invalidArgument("Requests specifying Server Side Encryption with Customer provided keys"
                    + " must provide an appropriate secret key.", header + "key", null);
        }
        if (md5 == null) {
            throw S3Exception.invalidArgument("Requests specifying Server Side Encryption with Customer provided keys"
                    + " must provide the client calculated MD5 of the secret key.", header + "key-MD5", null);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(key.trim());
        } catch (IllegalArgumentException e) {
            bytes = new byte[0];
        }
        if (bytes.length != 32) {
            // The key's value is never echoed back, as S3 does not echo it.
            throw S3Exception.invalidArgument("The secret key was invalid for the specified algorithm.",
                    header + "key", null);
        }
        String computed = Base64.getEncoder().encodeToString(ObjectWriter.md5().digest(bytes));
        if (!computed.equals(md5.trim())) {
            throw S3Exception.invalidArgument("The calculated MD5 hash of the key did not match the hash that was"
                    + " provided.", header + "key", null);
        }
        return new Given(bytes, computed);
    }

    /** A new seal of {@code given}: its MD5 and a salted HMAC, with the segments' counters. */
    static Sealed seal(Given given, List<String> nonces) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return new Sealed(given.md5(), Base64.getEncoder().encodeToString(salt),
                Base64.getEncoder().encodeToString(hmac(salt, given.key())), nonces);
    }

    /** A fresh random initial counter block for one segment. */
    static String nonce() {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    private static byte[] hmac(byte[] salt, byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            return mac.doFinal(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An SSE-C object's ETag: not the MD5 of its bytes (S3 documents that an SSE-C object's ETag is not one), but
     * derived from it and the object's salt, so that equal contents do not show equal ETags.
     */
    static String etag(byte[] md5, Sealed sealed) {
        MessageDigest digest = ObjectWriter.md5();
        digest.update(md5);
        digest.update(Base64.getDecoder().decode(sealed.salt()));
        return "\"" + java.util.HexFormat.of().formatHex(digest.digest()) + "\"";
    }

    /**
     * The object a read may see, given the key the request sent ({@code null}: none): an SSE-C object needs its key
     * (InvalidRequest without one, 403 with another), and is then read decrypted; a key sent for an object that is
     * not SSE-C is InvalidRequest.
     */
    static ObjectSource open(ObjectSource source, Given given) {
        return check(source.object(), given) ? decrypting(source, given) : source;
    }

    /**
     * Whether {@code object} is SSE-C, when {@code given} is the key it needs: S3's InvalidRequest without one (or
     * with one for an object that is not SSE-C), 403 AccessDenied with another.
     */
    static boolean check(StoredObject object, Given given) {
        Sealed sealed = object.customerKey();
        if (sealed == null) {
            if (given != null) {
                // S3's words as observed for SSE-C headers on an object that is not SSE-C; not found in AWS's
                // documentation.
                throw S3Exception.invalidRequest("The encryption parameters are not applicable to this object.");
            }
            return false;
        }
        if (given == null) {
            throw S3Exception.invalidRequest("The object was stored using a form of Server Side Encryption. The"
                    + " correct parameters must be provided to retrieve the object.");
        }
        if (!sealed.opens(given)) {
            throw S3Exception.accessDenied();
        }
        return true;
    }

    /** The source read through its segments' ciphers (the source must be SSE-C). */
    static ObjectSource decrypting(ObjectSource source, Given given) {
        List<Segment> segments = segments(source.object());
        return new ObjectSource() {
            @Override
            public StoredObject object() {
                return source.object();
            }

            @Override
            public void copyRange(long offset, long length, OutputStream out) throws IOException {
                Transform transform = new Transform(given.key(), segments, offset);
                source.copyRange(offset, length, new FilterOutputStream(out) {
                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] bytes, int from, int count) throws IOException {
                        byte[] copy = Arrays.copyOfRange(bytes, from, from + count);
                        transform.apply(copy);
                        out.write(copy);
                    }
                });
            }
        };
    }

    /** The segments of an SSE-C object: one per part of a multipart object, else the whole object. */
    static List<Segment> segments(StoredObject object) {
        List<String> nonces = object.customerKey().nonces();
        if (object.partCount() == 0) {
            return List.of(new Segment(nonces.get(0), object.size()));
        }
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < object.parts().size(); i++) {
            segments.add(new Segment(nonces.get(i), object.parts().get(i).size()));
        }
        return segments;
    }

    /** A run of bytes encrypted under one initial counter. */
    record Segment(String nonce, long length) {}

    /**
     * A finisher whose bytes are written encrypted in {@code segments} under {@code given}; digests and checksums are
     * still computed over the plaintext (the repository wraps the blob's channel with {@link #wrap}).
     */
    static ObjectWriter.Finisher encrypting(ObjectWriter.Finisher finish, ChecksumAlgorithm algorithm, Given given,
                                            List<Segment> segments) {
        return new Encrypting(finish, algorithm, given, segments);
    }

    /** The checksum a finisher asks for, or {@code null}. */
    static ChecksumAlgorithm algorithmOf(ObjectWriter.Finisher finish) {
        return finish instanceof ObjectWriter.WithChecksum checksum ? checksum.algorithm() : null;
    }

    private record Encrypting(ObjectWriter.Finisher finish, ChecksumAlgorithm algorithm, Given given,
                              List<Segment> segments) implements ObjectWriter.WithChecksum, ObjectWriter.Encrypting {

        @Override
        public StoredObject finish(ObjectWriter.Written written) {
            return finish.finish(written);
        }

        @Override
        public WritableByteChannel wrap(WritableByteChannel channel) {
            Transform transform = new Transform(given.key(), segments, 0);
            return new WritableByteChannel() {
                @Override
                public int write(ByteBuffer source) throws IOException {
                    byte[] bytes = new byte[source.remaining()];
                    source.get(bytes);
                    transform.apply(bytes);
                    ByteBuffer wrapped = ByteBuffer.wrap(bytes);
                    while (wrapped.hasRemaining()) {
                        channel.write(wrapped);
                    }
                    return bytes.length;
                }

                @Override
                public boolean isOpen() {
                    return channel.isOpen();
                }

                @Override
                public void close() throws IOException {
                    channel.close();
                }
            };
        }
    }

    /** AES-256-CTR keystream across segments, from an absolute position on; encrypting and decrypting alike. */
    private static final class Transform {
        private final SecretKeySpec key;
        private final List<Segment> segments;
        private long position;
        private int segment = -1;
        private long segmentEnd;
        private Cipher cipher;

        Transform(byte[] key, List<Segment> segments, long position) {
            this.key = new SecretKeySpec(key, "AES");
            this.segments = segments;
            this.position = position;
        }

        void apply(byte[] bytes) {
            int done = 0;
            while (done < bytes.length) {
                if (cipher == null || position >= segmentEnd) {
                    start();
                }
                int count = (int) Math.min(bytes.length - done, segmentEnd - position);
                byte[] out = cipher.update(bytes, done, count);
                System.arraycopy(out, 0, bytes, done, count);
                done += count;
                position += count;
            }
        }

        /** Starts the cipher of the segment {@code position} is in, at its offset there. */
        private void start() {
            long start = 0;
            for (int i = 0; i < segments.size(); i++) {
                long end = start + segments.get(i).length();
                if (position < end || i == segments.size() - 1) {
                    segment = i;
                    segmentEnd = i == segments.size() - 1 ? Long.MAX_VALUE : end;
                    long within = position - start;
                    byte[] initial = Base64.getDecoder().decode(segments.get(i).nonce());
                    BigInteger counter = new BigInteger(1, initial).add(BigInteger.valueOf(within / 16))
                            .mod(BigInteger.ONE.shiftLeft(128));
                    byte[] iv = new byte[16];
                    byte[] raw = counter.toByteArray();
                    int copy = Math.min(raw.length, 16);
                    System.arraycopy(raw, raw.length - copy, iv, 16 - copy, copy);
                    try {
                        cipher = Cipher.getInstance("AES/CTR/NoPadding");
                        cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException(e);
                    }
                    int skip = (int) (within % 16);
                    if (skip > 0) {
                        cipher.update(new byte[skip]);
                    }
                    return;
                }
                start = end;
            }
            throw new IllegalStateException("no segment at " + position + " of segment " + segment);
        }
    }

    /** The SSE-C response headers: the algorithm and the key's MD5. */
    static void headers(S3Response response, Sealed sealed) {
        response.header(HEADER + "algorithm", ALGORITHM);
        response.header(HEADER + "key-MD5", sealed.keyMd5());
    }

    /** The same as output members. */
    static Shape members(Shape output, Sealed sealed) {
        if (sealed != null) {
            output.put("SSECustomerAlgorithm", ALGORITHM).put("SSECustomerKeyMD5", sealed.keyMd5());
        }
        return output;
    }
}
