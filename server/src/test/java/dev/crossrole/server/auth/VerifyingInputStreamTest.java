package dev.crossrole.server.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.payload.ChecksumAlgorithm;
import dev.crossrole.server.payload.PayloadRejectedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VerifyingInputStreamTest {
    static final byte[] BODY = "the quick brown fox".getBytes(StandardCharsets.US_ASCII);
    static final String SHA = ChunkedBodies.sha256Hex(BODY);
    static final String EMPTY_SHA = ChunkedBodies.EMPTY_SHA256;

    static String md5(byte[] data) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
    }

    static VerifyingInputStream open(String sha, String md5, String checksumHeader, String checksumValue)
            throws PayloadRejectedException {
        return VerifyingInputStream.open(new ByteArrayInputStream(BODY), sha, md5, checksumHeader, checksumValue);
    }

    static PayloadRejectedException rejectedAtEnd(VerifyingInputStream in) {
        return assertThrows(PayloadRejectedException.class, in::readAllBytes);
    }

    @Test
    void aMatchingBodyPassesAndReportsItsDigests() throws Exception {
        VerifyingInputStream in = open(SHA.toUpperCase(), md5(BODY), "x-amz-checksum-crc32",
                ChecksumAlgorithm.CRC32.base64Of(BODY));
        in.alsoCompute(ChecksumAlgorithm.CRC64NVME);
        assertArrayEquals(BODY, in.readAllBytes());
        assertEquals(BODY.length, in.bytesRead());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(BODY)), in.md5Hex());
        assertEquals(md5(BODY), in.md5Base64());
        assertEquals(Map.of(ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32.base64Of(BODY),
                ChecksumAlgorithm.CRC64NVME, ChecksumAlgorithm.CRC64NVME.base64Of(BODY)), in.checksums());
    }

    @Test
    void literalsAreNotHashes() throws Exception {
        for (String literal : new String[] {null, "UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}) {
            assertArrayEquals(BODY, open(literal, null, null, null).readAllBytes());
        }
    }

    @Test
    void aWrongSha256IsXAmzContentSHA256Mismatch() throws Exception {
        for (String sent : new String[] {EMPTY_SHA, "invalid", "unsigned-payload"}) {
            PayloadRejectedException e = rejectedAtEnd(open(sent, md5(new byte[0]), null, null));
            // the hash mismatch is reported before the (also wrong) MD5, as S3 does
            assertEquals("XAmzContentSHA256Mismatch", e.code());
            assertEquals(400, e.status());
            assertEquals("The provided 'x-amz-content-sha256' header does not match what was computed.", e.message());
            assertEquals(Map.of("ClientComputedContentSHA256", sent, "S3ComputedContentSHA256", SHA), e.members());
        }
    }

    @Test
    void contentMd5() throws Exception {
        PayloadRejectedException e = assertThrows(PayloadRejectedException.class, () -> open(SHA, "invalid", null,
                null));
        assertEquals("InvalidDigest", e.code());
        assertEquals("The Content-MD5 you specified was invalid.", e.message());
        assertEquals(Map.of("Content-MD5", "invalid"), e.members());
        // base64 of 15 bytes is not an MD5 either
        assertEquals("InvalidDigest", assertThrows(PayloadRejectedException.class,
                () -> open(SHA, Base64.getEncoder().encodeToString(new byte[15]), null, null)).code());

        String wrong = md5("other".getBytes(StandardCharsets.US_ASCII));
        e = rejectedAtEnd(open(SHA, wrong, null, null));
        assertEquals("BadDigest", e.code());
        assertEquals(400, e.status());
        assertEquals("The Content-MD5 you specified did not match what we received.", e.message());
        assertEquals(HexFormat.of().formatHex(Base64.getDecoder().decode(wrong)), e.members().get("ExpectedDigest"));
        assertEquals(md5(BODY), e.members().get("CalculatedDigest"));
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void flexibleChecksumHeaders(ChecksumAlgorithm algorithm) throws Exception {
        assertArrayEquals(BODY, open(null, null, algorithm.headerName(), algorithm.base64Of(BODY)).readAllBytes());
        PayloadRejectedException e = rejectedAtEnd(open(null, null, algorithm.headerName(),
                algorithm.base64Of(new byte[0])));
        assertEquals("BadDigest", e.code());
        assertEquals("The " + algorithm.name() + " you specified did not match the calculated checksum.", e.message());
        e = assertThrows(PayloadRejectedException.class, () -> open(null, null, algorithm.headerName(), "AAAA"));
        assertEquals("InvalidRequest", e.code());
        assertEquals("Value for " + algorithm.headerName() + " header is invalid.", e.message());
    }

    @Test
    void forRequestReadsTheHeaders() throws Exception {
        Map<String, String> headers = new HashMap<>();
        headers.put("x-amz-content-sha256", SHA);
        headers.put("x-amz-sdk-checksum-algorithm", "crc32c");
        headers.put("x-amz-checksum-crc32c", ChecksumAlgorithm.CRC32C.base64Of(BODY));
        VerifyingInputStream in = VerifyingInputStream.forRequest(new ByteArrayInputStream(BODY), headers::get);
        in.readAllBytes();
        assertEquals(Map.of(ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.CRC32C.base64Of(BODY)), in.checksums());

        headers.put("x-amz-checksum-sha256", ChecksumAlgorithm.SHA256.base64Of(BODY));
        PayloadRejectedException e = assertThrows(PayloadRejectedException.class,
                () -> VerifyingInputStream.forRequest(new ByteArrayInputStream(BODY), headers::get));
        assertEquals("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
                e.message());

        Map<String, String> sdkOnly = Map.of("x-amz-sdk-checksum-algorithm", "CRC32");
        e = assertThrows(PayloadRejectedException.class,
                () -> VerifyingInputStream.forRequest(new ByteArrayInputStream(BODY), sdkOnly::get));
        assertEquals("InvalidRequest", e.code());
        // with a trailer, the algorithm is computed here and verified by the chunked decoder
        Map<String, String> withTrailer = Map.of("x-amz-sdk-checksum-algorithm", "CRC32",
                "x-amz-trailer", "x-amz-checksum-crc32");
        in = VerifyingInputStream.forRequest(new ByteArrayInputStream(BODY), withTrailer::get);
        in.readAllBytes();
        assertEquals(ChecksumAlgorithm.CRC32.base64Of(BODY), in.checksums().get(ChecksumAlgorithm.CRC32));

        Map<String, String> unknown = Map.of("x-amz-sdk-checksum-algorithm", "MD5", "x-amz-trailer", "x");
        e = assertThrows(PayloadRejectedException.class,
                () -> VerifyingInputStream.forRequest(new ByteArrayInputStream(BODY), unknown::get));
        assertEquals("Value for x-amz-sdk-checksum-algorithm header is invalid.", e.message());
    }

    @Test
    void wrapsTheChunkedDecoder() throws IOException {
        byte[] data = new byte[30_000];
        new java.util.Random(1).nextBytes(data);
        byte[] encoded = ChunkedBodies.unsignedTrailer(data, 8192, ChecksumAlgorithm.CRC64NVME);
        AwsChunkedInputStream chunked = AwsChunkedInputStream.open(new ByteArrayInputStream(encoded),
                AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, null, "x-amz-checksum-crc64nvme", data.length);
        VerifyingInputStream in = VerifyingInputStream.open(chunked, AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER,
                null, null, null);
        assertArrayEquals(data, in.readAllBytes());
        assertEquals(data.length, in.bytesRead());
        assertEquals(Map.of(ChecksumAlgorithm.CRC64NVME, ChecksumAlgorithm.CRC64NVME.base64Of(data)),
                chunked.checksums());
    }

    @Test
    void theTrailerChecksumIsReportedWithoutBeingComputedTwice() throws IOException {
        byte[] data = new byte[20_000];
        new java.util.Random(2).nextBytes(data);
        Map<String, String> headers = Map.of("x-amz-content-sha256", AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER,
                "x-amz-trailer", "x-amz-checksum-crc64nvme", "x-amz-sdk-checksum-algorithm", "CRC64NVME",
                "x-amz-decoded-content-length", "20000");
        AwsChunkedInputStream chunked = AwsChunkedInputStream.forRequest(new ByteArrayInputStream(
                ChunkedBodies.unsignedTrailer(data, 8192, ChecksumAlgorithm.CRC64NVME)), headers::get, null);
        VerifyingInputStream in = VerifyingInputStream.forRequest(chunked, headers::get);
        assertArrayEquals(data, in.readAllBytes());
        assertEquals(Map.of(ChecksumAlgorithm.CRC64NVME, ChecksumAlgorithm.CRC64NVME.base64Of(data)), in.checksums());
    }

    @Test
    void resultsOnlyAfterTheEnd() throws Exception {
        VerifyingInputStream in = open(SHA, null, null, null);
        in.read(new byte[3]);
        assertThrows(IllegalStateException.class, in::md5Hex);
        assertThrows(IllegalStateException.class, in::checksums);
        assertThrows(IllegalStateException.class, () -> in.alsoCompute(ChecksumAlgorithm.SHA1));
    }
}
