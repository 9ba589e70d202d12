package dev.crossrole.server.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.crossrole.server.payload.ChecksumAlgorithm;
import dev.crossrole.server.payload.PayloadRejectedException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AwsChunkedInputStreamTest {
    // The example of https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html (aws-wire.md §2.4).
    static final String DOC_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final String DOC_DATE = "20130524T000000Z";
    static final String DOC_SCOPE = "20130524/us-east-1/s3/aws4_request";
    static final String DOC_SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    static final String DOC_FIRST_CHUNK = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
    static final ChunkSigningContext DOC = new ChunkSigningContext(
            ChunkedBodies.signingKey(DOC_SECRET, "20130524", "us-east-1", "s3"), DOC_DATE, DOC_SCOPE, DOC_SEED);

    static byte[] docBody() {
        byte[] a = new byte[66_560];
        Arrays.fill(a, (byte) 'a');
        return a;
    }

    static byte[] decode(byte[] encoded, String mode, ChunkSigningContext ctx, String trailer, long decodedLength)
            throws IOException {
        AwsChunkedInputStream in = AwsChunkedInputStream.open(new ByteArrayInputStream(encoded), mode, ctx, trailer,
                decodedLength);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[5000]; // not a divisor of any chunk size: reads straddle chunk ends
        int n;
        while ((n = in.read(buf, 0, buf.length)) >= 0) {
            out.write(buf, 0, n);
        }
        assertEquals(-1, in.read(), "EOF is sticky");
        return out.toByteArray();
    }

    static PayloadRejectedException rejected(byte[] encoded, String mode, ChunkSigningContext ctx, String trailer,
            long decodedLength) {
        return assertThrows(PayloadRejectedException.class, () -> decode(encoded, mode, ctx, trailer, decodedLength));
    }

    static void assertError(PayloadRejectedException e, String code, int status) {
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(status, e.status(), e.getMessage());
    }

    @Test
    void seedSignatureOfTheDocumentationExample() {
        // The signed headers of the documented PUT; the payload hash is the literal, as sent.
        List<Map.Entry<String, String>> headers = List.of(
                new AbstractMap.SimpleEntry<>("Host", "s3.amazonaws.com"),
                new AbstractMap.SimpleEntry<>("x-amz-date", DOC_DATE),
                new AbstractMap.SimpleEntry<>("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                new AbstractMap.SimpleEntry<>("x-amz-content-sha256", AwsChunkedInputStream.STREAMING_SIGNED),
                new AbstractMap.SimpleEntry<>("Content-Encoding", "aws-chunked"),
                new AbstractMap.SimpleEntry<>("x-amz-decoded-content-length", "66560"),
                new AbstractMap.SimpleEntry<>("Content-Length", "66824"));
        SigV4.HttpRequestParts req = new SigV4.HttpRequestParts("PUT", "/examplebucket/chunkObject.txt", null, headers,
                null);
        String canonical = SigV4.canonicalRequest(req, List.of("content-encoding", "content-length", "host",
                "x-amz-content-sha256", "x-amz-date", "x-amz-decoded-content-length", "x-amz-storage-class"),
                AwsChunkedInputStream.STREAMING_SIGNED, false, false);
        String sts = SigV4.stringToSign(DOC_DATE, new SigV4.Credential("AKIAIOSFODNN7EXAMPLE", "20130524",
                "us-east-1", "s3"), canonical);
        assertEquals(DOC_SEED, SigV4.signature(DOC.signingKey(), sts));
    }

    @Test
    void documentationExampleDecodesAndItsFirstChunkSignatureIsTheDocumentedOne() throws IOException {
        ChunkedBodies.Encoded enc = ChunkedBodies.signed(docBody(), 65_536, DOC, null);
        assertEquals(DOC_FIRST_CHUNK, enc.signatures().get(0));
        assertEquals(66_824, enc.body().length, "the Content-Length of the documented request");
        assertArrayEquals(docBody(), decode(enc.body(), AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, 66_560));
        // the same body read one byte at a time
        AwsChunkedInputStream in = AwsChunkedInputStream.open(new ByteArrayInputStream(enc.body()),
                AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, -1);
        int count = 0;
        int b;
        while ((b = in.read()) >= 0) {
            assertEquals('a', b);
            count++;
        }
        assertEquals(66_560, count);
        assertEquals(66_560, in.decodedLength());
    }

    @Test
    void everyChunkSignatureIsChecked() {
        ChunkedBodies.Encoded enc = ChunkedBodies.signed(docBody(), 65_536, DOC, null);
        for (String signature : enc.signatures()) {
            String text = enc.text();
            int at = text.indexOf(signature);
            char c = text.charAt(at + 10);
            String tampered = text.substring(0, at + 10) + (c == '0' ? '1' : '0') + text.substring(at + 11);
            assertError(rejected(latin1(tampered), AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, 66_560),
                    "SignatureDoesNotMatch", 403);
        }
    }

    @Test
    void aFlippedDataByteInAnyChunkIsRejected() {
        ChunkedBodies.Encoded enc = ChunkedBodies.signed(docBody(), 65_536, DOC, null);
        String text = enc.text();
        int firstData = text.indexOf("\r\n") + 2;
        int secondData = text.indexOf("\r\n", firstData + 65_536 + 2) + 2;
        for (int at : new int[] {firstData, firstData + 40_000, secondData, secondData + 1023}) {
            byte[] body = enc.body().clone();
            assertEquals('a', body[at]);
            body[at] = 'b';
            PayloadRejectedException e = rejected(body, AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, 66_560);
            assertError(e, "SignatureDoesNotMatch", 403);
            assertEquals(PayloadErrors.SIGNATURE_MISMATCH_S3, e.message());
        }
    }

    @Test
    void aSignatureFromAnotherSeedOrKeyIsRejected() {
        ChunkSigningContext otherSeed = new ChunkSigningContext(DOC.signingKey(), DOC_DATE, DOC_SCOPE,
                DOC_SEED.replace('4', '5'));
        byte[] body = ChunkedBodies.signed(docBody(), 65_536, otherSeed, null).body();
        assertError(rejected(body, AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, 66_560), "SignatureDoesNotMatch",
                403);
        ChunkSigningContext otherKey = new ChunkSigningContext(
                ChunkedBodies.signingKey("another secret", "20130524", "us-east-1", "s3"), DOC_DATE, DOC_SCOPE, DOC_SEED);
        body = ChunkedBodies.signed(docBody(), 65_536, otherKey, null).body();
        assertError(rejected(body, AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, 66_560), "SignatureDoesNotMatch",
                403);
    }

    @Test
    void reorderedChunksBreakTheChain() {
        // two equal-size chunks of different content: swapping them keeps every size right
        byte[] data = new byte[2 * 8192];
        Arrays.fill(data, 8192, data.length, (byte) 1);
        String text = ChunkedBodies.signed(data, 8192, DOC, null).text();
        int secondHeader = text.indexOf("\r\n", text.indexOf("\r\n") + 2 + 8192) + 2 - 2 + 2;
        String first = text.substring(0, secondHeader);
        int finalHeader = text.indexOf("0;chunk-signature=", secondHeader + 8192);
        String second = text.substring(secondHeader, finalHeader);
        String swapped = second + first + text.substring(finalHeader);
        assertError(rejected(latin1(swapped), AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, data.length),
                "SignatureDoesNotMatch", 403);
    }

    @Test
    void aMissingChunkSignatureIsRejected() {
        String text = ChunkedBodies.signed(new byte[100], 8192, DOC, null).text();
        String stripped = text.replaceFirst(";chunk-signature=[0-9a-f]{64}", "");
        assertError(rejected(latin1(stripped), AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, 100),
                "SignatureDoesNotMatch", 403);
    }

    @Test
    void emptyBodies() throws IOException {
        byte[] signed = ChunkedBodies.signed(new byte[0], 8192, DOC, null).body();
        assertArrayEquals(new byte[0], decode(signed, AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, 0));
        byte[] unsigned = ChunkedBodies.unsignedTrailer(new byte[0], 8192, ChecksumAlgorithm.CRC32);
        assertEquals("0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", new String(unsigned, StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[0], decode(unsigned, AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, null,
                "x-amz-checksum-crc32", 0));
    }

    @Test
    void decodedLengthMustMatchExactly() {
        byte[] body = ChunkedBodies.signed(docBody(), 65_536, DOC, null).body();
        PayloadRejectedException shorter = rejected(body, AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, 66_561);
        assertError(shorter, "IncompleteBody", 400);
        assertEquals(Map.of("NumberBytesExpected", "66561", "NumberBytesProvided", "66560"), shorter.members());
        PayloadRejectedException longer = rejected(body, AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, 66_559);
        assertError(longer, "IncompleteBody", 400);
        assertEquals("66559", longer.members().get("NumberBytesExpected"));
    }

    @Test
    void everyTruncationIsRejected() {
        byte[] data = new byte[8192 + 300];
        new Random(7).nextBytes(data);
        byte[] signed = ChunkedBodies.signed(data, 8192, DOC, ChecksumAlgorithm.CRC32).body();
        byte[] unsigned = ChunkedBodies.unsignedTrailer(data, 8192, ChecksumAlgorithm.CRC32);
        for (int len = 0; len < signed.length; len++) {
            PayloadRejectedException e = rejected(Arrays.copyOf(signed, len),
                    AwsChunkedInputStream.STREAMING_SIGNED_TRAILER, DOC, "x-amz-checksum-crc32", data.length);
            if (!e.code().equals("IncompleteBody") && !e.code().equals("SignatureDoesNotMatch")
                    && !e.code().equals("MalformedTrailerError")) {
                fail("truncated at " + len + ": " + e.code());
            }
        }
        for (int len = 0; len < unsigned.length; len++) {
            rejected(Arrays.copyOf(unsigned, len), AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, null,
                    "x-amz-checksum-crc32", -1);
        }
    }

    @Test
    void bytesAfterTheEndAreRejected() {
        byte[] body = ChunkedBodies.signed(new byte[10], 8192, DOC, null).body();
        byte[] longer = Arrays.copyOf(body, body.length + 1);
        assertError(rejected(longer, AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, 10), "IncompleteBody", 400);
    }

    @Test
    void onlyTheLastChunkMayBeSmallerThan8KiB() throws IOException {
        byte[] data = new byte[3000];
        PayloadRejectedException e = rejected(ChunkedBodies.signed(data, 1000, DOC, null).body(),
                AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, 3000);
        assertError(e, "InvalidChunkSizeError", 400);
        assertEquals(Map.of("Chunk", "1", "BadChunkSize", "1000"), e.members());
        e = rejected(ChunkedBodies.unsignedTrailer(data, 1000, (ChecksumAlgorithm) null),
                AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, null, null, 3000);
        assertError(e, "InvalidChunkSizeError", 400);
        // 8 KiB chunks and a small last one are fine
        byte[] big = new byte[8192 * 2 + 1];
        assertArrayEquals(big, decode(ChunkedBodies.signed(big, 8192, DOC, null).body(),
                AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, big.length));
    }

    @Test
    void malformedChunkHeadersAreRejected() {
        for (String body : List.of("zz\r\n", "-1\r\n", "\r\n", "10000000000000000\r\n", "a\n0123456789\r\n0\r\n\r\n",
                "a\r\n0123456789\n0\r\n\r\n", "a\r\n0123456789\r\n0\r\n\r", "5\r\n0123456789\r\n0\r\n\r\n",
                "a" + "0".repeat(2000) + "\r\n")) {
            PayloadRejectedException e = rejected(latin1(body), AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, null,
                    null, -1);
            assertError(e, "IncompleteBody", 400);
            assertEquals("The request body terminated unexpectedly", e.message());
        }
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void unsignedTrailerChecksumsAreVerifiedAndReturned(ChecksumAlgorithm algorithm) throws IOException {
        byte[] data = new byte[20_000];
        new Random(algorithm.ordinal()).nextBytes(data);
        byte[] body = ChunkedBodies.unsignedTrailer(data, 8192, algorithm);
        AwsChunkedInputStream in = AwsChunkedInputStream.open(new ByteArrayInputStream(body),
                AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, null, algorithm.headerName(), data.length);
        assertArrayEquals(data, in.readAllBytes());
        assertEquals(Map.of(algorithm.headerName(), algorithm.base64Of(data)), in.trailers());
        assertEquals(Map.of(algorithm, algorithm.base64Of(data)), in.checksums());

        byte[] other = data.clone();
        other[0] ^= 1;
        String wrongTrailer = algorithm.headerName() + ":" + algorithm.base64Of(other) + "\r\n";
        PayloadRejectedException e = rejected(ChunkedBodies.unsignedTrailer(data, 8192, wrongTrailer),
                AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, null, algorithm.headerName(), data.length);
        assertError(e, "BadDigest", 400);
        assertEquals("The " + algorithm.name() + " you specified did not match the calculated checksum.", e.message());

        e = rejected(ChunkedBodies.unsignedTrailer(data, 8192, algorithm.headerName() + ":notbase64!\r\n"),
                AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, null, algorithm.headerName(), data.length);
        assertError(e, "InvalidRequest", 400);
        assertEquals("Value for " + algorithm.headerName() + " trailing header is invalid.", e.message());
    }

    @Test
    void trailersMustBeTheDeclaredOnes() throws IOException {
        byte[] data = new byte[100];
        String crc = "x-amz-checksum-crc32:" + ChecksumAlgorithm.CRC32.base64Of(data) + "\r\n";
        String mode = AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER;
        // declared but absent
        assertError(rejected(ChunkedBodies.unsignedTrailer(data, 8192, ""), mode, null, "x-amz-checksum-crc32", 100),
                "MalformedTrailerError", 400);
        // present but not declared
        assertError(rejected(ChunkedBodies.unsignedTrailer(data, 8192, crc), mode, null, null, 100),
                "MalformedTrailerError", 400);
        // twice
        assertError(rejected(ChunkedBodies.unsignedTrailer(data, 8192, crc + crc), mode, null, "x-amz-checksum-crc32",
                100), "MalformedTrailerError", 400);
        // not name:value
        assertError(rejected(ChunkedBodies.unsignedTrailer(data, 8192, "x-amz-checksum-crc32\r\n"), mode, null,
                "x-amz-checksum-crc32", 100), "MalformedTrailerError", 400);
        // no trailer at all, none declared: fine
        assertArrayEquals(data, decode(ChunkedBodies.unsignedTrailer(data, 8192, ""), mode, null, null, 100));
        // names are case-insensitive, values trimmed
        assertArrayEquals(data, decode(ChunkedBodies.unsignedTrailer(data, 8192, crc.replace("x-amz-checksum-crc32:",
                "X-Amz-Checksum-CRC32: ")), mode, null, "x-amz-checksum-crc32", 100));
    }

    @Test
    void unsupportedDeclarationsAreRefusedBeforeReading() {
        PayloadRejectedException e = assertThrows(PayloadRejectedException.class, () -> AwsChunkedInputStream.open(
                InputStream.nullInputStream(), AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, null,
                "x-amz-checksum-md5", -1));
        assertError(e, "InvalidRequest", 400);
        assertEquals("The value specified in the x-amz-trailer header is not supported", e.message());
        e = assertThrows(PayloadRejectedException.class, () -> AwsChunkedInputStream.open(
                InputStream.nullInputStream(), AwsChunkedInputStream.STREAMING_UNSIGNED_TRAILER, null,
                "x-amz-checksum-crc32,x-amz-checksum-sha256", -1));
        assertError(e, "InvalidRequest", 400);
        e = assertThrows(PayloadRejectedException.class, () -> AwsChunkedInputStream.open(
                InputStream.nullInputStream(), AwsChunkedInputStream.STREAMING_SIGNED, null, null, -1));
        assertError(e, "InvalidRequest", 400);
        e = assertThrows(PayloadRejectedException.class, () -> AwsChunkedInputStream.open(
                InputStream.nullInputStream(), AwsChunkedInputStream.STREAMING_ECDSA, null, null, -1));
        assertError(e, "NotImplemented", 501);
        assertThrows(IllegalArgumentException.class, () -> AwsChunkedInputStream.open(InputStream.nullInputStream(),
                SigV4.UNSIGNED_PAYLOAD, null, null, -1));
    }

    @Test
    void signedTrailerIsVerified() throws IOException {
        byte[] data = new byte[70_000];
        new Random(3).nextBytes(data);
        String mode = AwsChunkedInputStream.STREAMING_SIGNED_TRAILER;
        ChunkedBodies.Encoded enc = ChunkedBodies.signed(data, 65_536, DOC, ChecksumAlgorithm.CRC32);
        AwsChunkedInputStream in = AwsChunkedInputStream.open(new ByteArrayInputStream(enc.body()), mode, DOC,
                "x-amz-checksum-crc32", data.length);
        assertArrayEquals(data, in.readAllBytes());
        assertEquals(Map.of("x-amz-checksum-crc32", ChecksumAlgorithm.CRC32.base64Of(data)), in.trailers());

        String text = enc.text();
        String trailerSignature = enc.signatures().get(enc.signatures().size() - 1);
        // the trailer signature altered
        String badSignature = text.replace(trailerSignature, trailerSignature.substring(1) + "0");
        assertError(rejected(latin1(badSignature), mode, DOC, "x-amz-checksum-crc32", data.length),
                "SignatureDoesNotMatch", 403);
        // the trailer value altered (it is signed, so the signature fails first)
        String value = ChecksumAlgorithm.CRC32.base64Of(data);
        String badValue = text.replace(value, ChecksumAlgorithm.CRC32.base64Of(new byte[1]));
        assertError(rejected(latin1(badValue), mode, DOC, "x-amz-checksum-crc32", data.length),
                "SignatureDoesNotMatch", 403);
        // the trailer signature missing
        String unsignedTrailer = text.replaceFirst("x-amz-trailer-signature:[0-9a-f]{64}\r\n", "");
        assertError(rejected(latin1(unsignedTrailer), mode, DOC, "x-amz-checksum-crc32", data.length),
                "SignatureDoesNotMatch", 403);
        // a trailer after the signature
        String afterSignature = text.substring(0, text.length() - 2) + "x-amz-checksum-crc32:" + value + "\r\n\r\n";
        assertError(rejected(latin1(afterSignature), mode, DOC, "x-amz-checksum-crc32", data.length),
                "MalformedTrailerError", 400);
    }

    @Test
    void aCorrectlySignedButWrongChecksumIsBadDigest() {
        // the client signs a trailer whose checksum is not that of the data
        byte[] data = new byte[100];
        byte[] other = new byte[100];
        other[5] = 9;
        ChunkedBodies.Encoded enc = ChunkedBodies.signed(data, 8192, DOC, ChecksumAlgorithm.SHA256);
        ChunkedBodies.Encoded forOther = ChunkedBodies.signed(other, 8192, DOC, ChecksumAlgorithm.SHA256);
        // graft the data of `data` under the chunk signatures computed for `data`, and the trailer of `other`
        // re-signed over the final chunk signature of `data`
        String finalSignature = enc.signatures().get(1);
        String line = "x-amz-checksum-sha256:" + ChecksumAlgorithm.SHA256.base64Of(other);
        String sts = "AWS4-HMAC-SHA256-TRAILER\n" + DOC_DATE + "\n" + DOC_SCOPE + "\n" + finalSignature + "\n"
                + ChunkedBodies.sha256Hex((line + "\n").getBytes(StandardCharsets.UTF_8));
        String trailerSignature = java.util.HexFormat.of().formatHex(ChunkedBodies.hmac(DOC.signingKey(), sts));
        String text = enc.text();
        int trailerStart = text.indexOf("x-amz-checksum-sha256:");
        String forged = text.substring(0, trailerStart) + line + "\r\nx-amz-trailer-signature:" + trailerSignature
                + "\r\n\r\n";
        PayloadRejectedException e = rejected(latin1(forged), AwsChunkedInputStream.STREAMING_SIGNED_TRAILER, DOC,
                "x-amz-checksum-sha256", 100);
        assertError(e, "BadDigest", 400);
        assertEquals(forOther.body().length, latin1(forged).length);
    }

    @Test
    void aRejectedStreamStaysRejected() throws IOException {
        byte[] body = ChunkedBodies.signed(new byte[100], 8192, DOC, null).body();
        body[body.length - 30] ^= 1; // inside the final chunk signature
        AwsChunkedInputStream in = AwsChunkedInputStream.open(new ByteArrayInputStream(body),
                AwsChunkedInputStream.STREAMING_SIGNED, DOC, null, 100);
        assertEquals(100, in.readNBytes(100).length);
        PayloadRejectedException first = assertThrows(PayloadRejectedException.class, in::read);
        assertEquals(first, assertThrows(PayloadRejectedException.class, in::read));
    }

    @Test
    void forRequestTakesTheHeadersAndRequiresTheDecodedLength() throws IOException {
        byte[] data = new byte[9000];
        new Random(9).nextBytes(data);
        byte[] body = ChunkedBodies.signed(data, 8192, DOC, ChecksumAlgorithm.SHA1).body();
        Map<String, String> headers = new java.util.HashMap<>(Map.of(
                "x-amz-content-sha256", AwsChunkedInputStream.STREAMING_SIGNED_TRAILER,
                "x-amz-trailer", "x-amz-checksum-sha1", "x-amz-decoded-content-length", "9000"));
        assertArrayEquals(data, AwsChunkedInputStream.forRequest(new ByteArrayInputStream(body), headers::get, DOC)
                .readAllBytes());
        headers.put("x-amz-content-sha256", " " + AwsChunkedInputStream.STREAMING_SIGNED_TRAILER + " ");
        assertArrayEquals(data, AwsChunkedInputStream.forRequest(new ByteArrayInputStream(body), headers::get, DOC)
                .readAllBytes(), "header values are taken trimmed");
        for (String bad : new String[] {null, "", "nine", "-1"}) {
            headers.put("x-amz-decoded-content-length", bad);
            PayloadRejectedException e = assertThrows(PayloadRejectedException.class,
                    () -> AwsChunkedInputStream.forRequest(new ByteArrayInputStream(body), headers::get, DOC));
            assertError(e, "MissingContentLength", 411);
        }
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
