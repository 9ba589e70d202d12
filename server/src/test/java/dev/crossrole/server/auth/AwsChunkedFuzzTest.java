package dev.crossrole.server.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.crossrole.server.payload.ChecksumAlgorithm;
import dev.crossrole.server.payload.PayloadRejectedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random framing never gets anything from the decoder but the exact data or a
 * {@link PayloadRejectedException}: no other exception, no hang, and for the signed forms never
 * different data.
 */
class AwsChunkedFuzzTest {
    static final ChunkSigningContext CTX = AwsChunkedInputStreamTest.DOC;
    static final String[] MODES = {AwsChunkedInputStream.STREAMING_SIGNED, AwsChunkedInputStream.STREAMING_SIGNED_TRAILER,
            AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER};

    /** Decodes; returns the data, or null when the decoder rejected the body. Anything else escapes. */
    static byte[] decodeOrNull(byte[] body, String mode, String trailer, long length) throws IOException {
        try {
            return AwsChunkedInputStream.open(new ByteArrayInputStream(body), mode, CTX, trailer, length).readAllBytes();
        } catch (PayloadRejectedException e) {
            return null;
        }
    }

    @Property(tries = 300)
    void randomBytesAreRejectedOrDecoded(@ForAll("framingLike") byte[] body, @ForAll @IntRange(max = 2) int mode)
            throws IOException {
        decodeOrNull(body, MODES[mode], mode == 0 ? null : "x-amz-checksum-crc32", -1);
    }

    @Property(tries = 400)
    void mutatedSignedBodiesNeverYieldOtherData(@ForAll("data") byte[] data, @ForAll @IntRange(max = 1) int trailer,
            @ForAll("mutations") int[] mutations) throws IOException {
        ChecksumAlgorithm algorithm = trailer == 1 ? ChecksumAlgorithm.CRC32C : null;
        byte[] body = ChunkedBodies.signed(data, 8192, CTX, algorithm).body();
        byte[] mutated = mutate(body, mutations);
        String mode = trailer == 1 ? MODES[1] : MODES[0];
        byte[] decoded = decodeOrNull(mutated, mode, algorithm == null ? null : algorithm.headerName(), data.length);
        if (decoded != null) {
            assertArrayEquals(data, decoded, "a mutated body decoded to other data");
        }
    }

    @Property(tries = 400)
    void mutatedUnsignedBodiesAreRejectedOrStillCarryAValidChecksum(@ForAll("data") byte[] data,
            @ForAll("mutations") int[] mutations) throws IOException {
        byte[] body = ChunkedBodies.unsignedTrailer(data, 8192, ChecksumAlgorithm.SHA256);
        byte[] decoded = decodeOrNull(mutate(body, mutations), MODES[2], "x-amz-checksum-sha256", -1);
        if (decoded != null && !Arrays.equals(data, decoded)) {
            // only possible if the mutation also produced a body whose SHA-256 trailer matches: it cannot
            throw new AssertionError("decoded other data under the original SHA-256");
        }
    }

    static final String FRAMING_CHARS = "0123456789abcdef;=\r\n:-";

    static byte[] mutate(byte[] body, int[] mutations) {
        byte[] b = body.clone();
        int len = b.length;
        for (int i = 0; i + 1 < mutations.length; i += 2) {
            int at = Math.floorMod(mutations[i], Math.max(len, 1));
            switch (Math.floorMod(mutations[i + 1], 4)) {
                case 0 -> { if (len > 0) { b[at] ^= (byte) (1 << Math.floorMod(mutations[i + 1] >> 2, 8)); } }
                case 1 -> len = at; // truncate
                case 2 -> { if (len > 0) { b[at] = (byte) FRAMING_CHARS.charAt(
                        Math.floorMod(mutations[i + 1] >> 2, FRAMING_CHARS.length())); } }
                default -> { // duplicate a slice
                    byte[] grown = new byte[len + Math.min(16, len - at)];
                    System.arraycopy(b, 0, grown, 0, len);
                    System.arraycopy(b, at, grown, len, grown.length - len);
                    b = grown;
                    len = grown.length;
                }
            }
        }
        return Arrays.copyOf(b, len);
    }

    @Provide
    Arbitrary<byte[]> data() {
        return Arbitraries.integers().between(0, 20_000).map(n -> {
            byte[] d = new byte[n];
            new java.util.Random(n).nextBytes(d);
            return d;
        });
    }

    @Provide
    Arbitrary<int[]> mutations() {
        return Arbitraries.integers().array(int[].class).ofMinSize(2).ofMaxSize(8);
    }

    @Provide
    Arbitrary<byte[]> framingLike() {
        Arbitrary<String> token = Arbitraries.of("0", "1", "a", "2000", "ffffffff", ";", "chunk-signature=",
                "0".repeat(64), "\r\n", "\r", "\n", "x-amz-checksum-crc32:", "AAAAAA==", "x-amz-trailer-signature:",
                "data", ":", " ");
        return token.list().ofMaxSize(40).map(parts -> String.join("", parts).getBytes(StandardCharsets.ISO_8859_1));
    }
}
