package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SSE-C's cipher: bytes written in segments (a multipart object's parts, each under its own counter) read back from
 * any offset and length, and the key's seal opens for the key alone.
 */
class CustomerKeyTest {
    private static CustomerKey.Given key(int seed) {
        byte[] key = new byte[32];
        new Random(seed).nextBytes(key);
        return new CustomerKey.Given(key, Base64.getEncoder().encodeToString(ObjectWriter.md5().digest(key)));
    }

    @Test
    void segmentsReadBackFromAnyOffset() throws IOException {
        CustomerKey.Given given = key(1);
        byte[] plain = new byte[100_003];
        new Random(2).nextBytes(plain);
        List<CustomerKey.Segment> segments = List.of(new CustomerKey.Segment(CustomerKey.nonce(), 40_001),
                new CustomerKey.Segment(CustomerKey.nonce(), 0), new CustomerKey.Segment(CustomerKey.nonce(), 60_002));
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        ObjectWriter.Encrypting encrypting = (ObjectWriter.Encrypting) CustomerKey.encrypting(w -> null, null, given,
                segments);
        WritableByteChannel channel = encrypting.wrap(Channels.newChannel(stored));
        for (int at = 0; at < plain.length; at += 777) { // writes that straddle the segments' ends
            channel.write(ByteBuffer.wrap(plain, at, Math.min(777, plain.length - at)));
        }
        byte[] cipher = stored.toByteArray();
        assertFalse(Arrays.equals(plain, cipher));
        StoredObject object = new StoredObject("k", "id", plain.length, "\"e\"", Instant.EPOCH, Map.of(), Map.of(),
                Map.of(), Map.of(), 3, List.of(new StoredObject.Part(1, 40_001), new StoredObject.Part(2, 0),
                new StoredObject.Part(3, 60_002)), null, false, null, 0, false, null,
                CustomerKey.seal(given, segments.stream().map(CustomerKey.Segment::nonce).toList()), null, List.of());
        ObjectSource source = new ObjectSource() {
            @Override
            public StoredObject object() {
                return object;
            }

            @Override
            public void copyRange(long offset, long length, OutputStream out) throws IOException {
                out.write(cipher, (int) offset, (int) length);
            }
        };
        ObjectSource opened = CustomerKey.open(source, given);
        for (long[] range : new long[][] {{0, plain.length}, {39_990, 20}, {40_001, 1}, {17, 99_000},
                {plain.length - 1, 1}, {12_345, 0}}) {
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            opened.copyRange(range[0], range[1], read);
            assertArrayEquals(Arrays.copyOfRange(plain, (int) range[0], (int) (range[0] + range[1])),
                    read.toByteArray(), range[0] + "+" + range[1]);
        }
        assertTrue(object.customerKey().opens(given));
        assertFalse(object.customerKey().opens(key(3)));
        S3Exception other = assertThrows(S3Exception.class, () -> CustomerKey.open(source, key(3)));
        assertTrue(other.code().equals("AccessDenied"));
        S3Exception none = assertThrows(S3Exception.class, () -> CustomerKey.open(source, null));
        assertTrue(none.code().equals("InvalidRequest"));
    }
}
