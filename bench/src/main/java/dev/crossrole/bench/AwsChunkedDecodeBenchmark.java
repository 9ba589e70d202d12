package dev.crossrole.bench;

import dev.crossrole.server.auth.AwsChunkedInputStream;
import dev.crossrole.server.auth.ChunkSigningContext;
import dev.crossrole.server.auth.SigV4;
import dev.crossrole.server.auth.VerifyingInputStream;
import dev.crossrole.server.payload.ChecksumAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding throughput of {@link AwsChunkedInputStream}: one operation reads a whole 8 MiB body
 * (random bytes) from memory through the decoder into a 64 KiB buffer, verifying as it goes.
 * MiB/s = operations per second × 8.
 *
 * <ul>
 *   <li>{@code signedTrailerCrc32}: {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER}, 128 KiB chunks and a
 *       CRC32 trailer, what the SDK for Java v2 sends over http by default (64 chunk signatures, SHA-256 of
 *       every byte, CRC32 of every byte, one trailer signature)</li>
 *   <li>{@code signedNoChecksum}: {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD}, 128 KiB chunks</li>
 *   <li>{@code unsignedTrailerCrc32} / {@code unsignedTrailerCrc64Nvme}: {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER},
 *       1 MiB chunks (botocore's size), the checksum of every byte</li>
 *   <li>{@code signedTrailerCrc32WithMd5}: {@code signedTrailerCrc32} inside {@link VerifyingInputStream}, as the
 *       S3 service reads such a PUT (adds the MD5 of the ETag)</li>
 *   <li>{@code plainSha256Crc32Md5}: boto3's PUT over http, a plain body checked against its hex SHA-256 and a
 *       CRC32 header, MD5 computed</li>
 *   <li>{@code plainCopy}: the same 8 MiB read from a {@link ByteArrayInputStream} without any decoding, the
 *       ceiling of this harness</li>
 * </ul>
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AwsChunkedDecodeBenchmark {
    static final int SIZE = 8 * 1024 * 1024;
    static final String DATE = "20260801T120000Z";
    static final String SCOPE = "20260801/us-east-1/s3/aws4_request";
    static final String SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

    byte[] data;
    byte[] signedTrailer;
    byte[] signedPlain;
    byte[] unsignedCrc32;
    byte[] unsignedCrc64;
    ChunkSigningContext signing;
    final byte[] buffer = new byte[64 * 1024];
    java.util.Map<String, String> plainHeaders;
    static final java.util.Map<String, String> DEFAULT_PUT_HEADERS = java.util.Map.of(
            "x-amz-content-sha256", AwsChunkedInputStream.STREAMING_SIGNED_TRAILER,
            "x-amz-trailer", "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm", "CRC32");

    @Setup
    public void setUp() throws IOException {
        data = new byte[SIZE];
        new Random(1).nextBytes(data);
        signing = new ChunkSigningContext(SigV4.signingKey("benchmark/secret/key", "20260801", "us-east-1", "s3"), DATE,
                SCOPE, SEED);
        signedTrailer = signed(128 * 1024, ChecksumAlgorithm.CRC32);
        signedPlain = signed(128 * 1024, null);
        unsignedCrc32 = unsigned(1024 * 1024, ChecksumAlgorithm.CRC32);
        unsignedCrc64 = unsigned(1024 * 1024, ChecksumAlgorithm.CRC64NVME);
        plainHeaders = java.util.Map.of("x-amz-content-sha256", SigV4.sha256Hex(data),
                "x-amz-checksum-crc32", ChecksumAlgorithm.CRC32.base64Of(data), "x-amz-sdk-checksum-algorithm", "CRC32");
        // every body must decode to the data, or the figures measure a failure path
        for (long n : new long[] {signedTrailerCrc32(), signedNoChecksum(), unsignedTrailerCrc32(),
                unsignedTrailerCrc64Nvme(), signedTrailerCrc32WithMd5(), plainSha256Crc32Md5()}) {
            if (n != SIZE) {
                throw new IllegalStateException("decoded " + n + " bytes");
            }
        }
    }

    @Benchmark
    public long signedTrailerCrc32() throws IOException {
        return drain(AwsChunkedInputStream.open(new ByteArrayInputStream(signedTrailer),
                AwsChunkedInputStream.STREAMING_SIGNED_TRAILER, signing, "x-amz-checksum-crc32", SIZE));
    }

    @Benchmark
    public long signedNoChecksum() throws IOException {
        return drain(AwsChunkedInputStream.open(new ByteArrayInputStream(signedPlain),
                AwsChunkedInputStream.STREAMING_SIGNED, signing, null, SIZE));
    }

    @Benchmark
    public long unsignedTrailerCrc32() throws IOException {
        return drain(AwsChunkedInputStream.open(new ByteArrayInputStream(unsignedCrc32),
                AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, null, "x-amz-checksum-crc32", SIZE));
    }

    @Benchmark
    public long unsignedTrailerCrc64Nvme() throws IOException {
        return drain(AwsChunkedInputStream.open(new ByteArrayInputStream(unsignedCrc64),
                AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, null, "x-amz-checksum-crc64nvme", SIZE));
    }

    /** What the S3 service runs for the SDK's default PUT over http: the decoder inside VerifyingInputStream (+ MD5). */
    @Benchmark
    public long signedTrailerCrc32WithMd5() throws IOException {
        return drain(VerifyingInputStream.forRequest(AwsChunkedInputStream.open(new ByteArrayInputStream(signedTrailer),
                AwsChunkedInputStream.STREAMING_SIGNED_TRAILER, signing, "x-amz-checksum-crc32", SIZE),
                DEFAULT_PUT_HEADERS::get));
    }

    /** boto3's PUT over http: a plain body, its hex SHA-256, a CRC32 header, and the MD5 for the ETag. */
    @Benchmark
    public long plainSha256Crc32Md5() throws IOException {
        return drain(VerifyingInputStream.forRequest(new ByteArrayInputStream(data), plainHeaders::get));
    }

    @Benchmark
    public long plainCopy() throws IOException {
        return drain(new ByteArrayInputStream(data));
    }

    private long drain(InputStream in) throws IOException {
        long total = 0;
        int n;
        while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
            total += n;
        }
        return total;
    }

    // ---- encoders (the client side), as the SDKs frame bodies ----------------------------------

    private byte[] signed(int chunkSize, ChecksumAlgorithm trailer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(SIZE + SIZE / chunkSize * 100 + 300);
        String previous = SEED;
        int off = 0;
        while (true) {
            int n = Math.min(chunkSize, SIZE - off);
            String sts = "AWS4-HMAC-SHA256-PAYLOAD\n" + DATE + "\n" + SCOPE + "\n" + previous + "\n"
                    + SigV4.EMPTY_BODY_SHA256 + "\n" + SigV4.sha256Hex(Arrays.copyOfRange(data, off, off + n));
            previous = SigV4.signature(signing.signingKey(), sts);
            write(out, Integer.toHexString(n) + ";chunk-signature=" + previous + "\r\n");
            out.write(data, off, n);
            off += n;
            if (n == 0) {
                break;
            }
            write(out, "\r\n");
        }
        if (trailer == null) {
            write(out, "\r\n");
        } else {
            String line = trailer.headerName() + ":" + trailer.base64Of(data);
            String sts = "AWS4-HMAC-SHA256-TRAILER\n" + DATE + "\n" + SCOPE + "\n" + previous + "\n"
                    + SigV4.sha256Hex((line + "\n").getBytes(StandardCharsets.UTF_8));
            write(out, line + "\r\nx-amz-trailer-signature:" + SigV4.signature(signing.signingKey(), sts) + "\r\n\r\n");
        }
        return out.toByteArray();
    }

    private byte[] unsigned(int chunkSize, ChecksumAlgorithm trailer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(SIZE + SIZE / chunkSize * 20 + 100);
        for (int off = 0; off < SIZE; off += chunkSize) {
            int n = Math.min(chunkSize, SIZE - off);
            write(out, Integer.toHexString(n) + "\r\n");
            out.write(data, off, n);
            write(out, "\r\n");
        }
        write(out, "0\r\n" + trailer.headerName() + ":" + trailer.base64Of(data) + "\r\n\r\n");
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
