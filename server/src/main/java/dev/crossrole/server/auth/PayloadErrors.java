package dev.crossrole.server.auth;

import dev.crossrole.server.payload.ChecksumAlgorithm;
import dev.crossrole.server.payload.PayloadRejectedException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * S3's answers to a bad request body, one factory per situation. Codes, statuses and texts are
 * S3's as observed on the real service and asserted by emulators tested against it (OpenStack
 * Swift's s3api functional tests for {@code XAmzContentSHA256Mismatch}, {@code BadDigest},
 * {@code InvalidDigest}, {@code IncompleteBody}; MinIO's and LocalStack's S3 error tables for
 * {@code InvalidChunkSizeError}, {@code MalformedTrailerError} and the flexible-checksum texts;
 * AWS SDK issue reports quoting "The CRC32 you specified did not match the calculated checksum.").
 */
final class PayloadErrors {
    static final String SIGNATURE_MISMATCH_S3 = "The request signature we calculated does not match the signature you"
            + " provided. Check your key and signing method.";

    private PayloadErrors() {}

    /** Truncated or unparsable framing: S3 cannot tell where the body ends. */
    static PayloadRejectedException bodyTerminated() {
        return new PayloadRejectedException("IncompleteBody", 400, "The request body terminated unexpectedly");
    }

    /** The decoded bytes do not add up to {@code X-Amz-Decoded-Content-Length}. */
    static PayloadRejectedException lengthMismatch(long expected, long provided) {
        return new PayloadRejectedException("IncompleteBody", 400,
                "You did not provide the number of bytes specified by the Content-Length HTTP header",
                members("NumberBytesExpected", Long.toString(expected), "NumberBytesProvided", Long.toString(provided)));
    }

    /** S3's answer to a missing length; it wants the decoded length of an aws-chunked body as well. */
    static PayloadRejectedException missingDecodedLength() {
        return new PayloadRejectedException("MissingContentLength", 411, "You must provide the Content-Length HTTP header.");
    }

    /** A chunk other than the last one is smaller than 8 KiB. */
    static PayloadRejectedException chunkTooSmall(int chunkNumber, long size) {
        return new PayloadRejectedException("InvalidChunkSizeError", 400,
                "Only the last chunk is allowed to have a size less than 8192 bytes",
                members("Chunk", Integer.toString(chunkNumber), "BadChunkSize", Long.toString(size)));
    }

    /** A chunk or trailer signature that does not verify (or is missing). */
    static PayloadRejectedException chunkSignatureMismatch() {
        return new PayloadRejectedException("SignatureDoesNotMatch", 403, SIGNATURE_MISMATCH_S3);
    }

    /** Trailing headers that are not what {@code x-amz-trailer} announced, or not {@code name:value}. */
    static PayloadRejectedException malformedTrailer() {
        return new PayloadRejectedException("MalformedTrailerError", 400,
                "The request contained trailing data that was not well-formed or did not conform to our published"
                        + " schema.");
    }

    static PayloadRejectedException unsupportedTrailer() {
        return new PayloadRejectedException("InvalidRequest", 400,
                "The value specified in the x-amz-trailer header is not supported");
    }

    static PayloadRejectedException invalidTrailerValue(ChecksumAlgorithm algorithm) {
        return new PayloadRejectedException("InvalidRequest", 400,
                "Value for " + algorithm.headerName() + " trailing header is invalid.");
    }

    static PayloadRejectedException invalidChecksumHeader(String headerName) {
        return new PayloadRejectedException("InvalidRequest", 400, "Value for " + headerName + " header is invalid.");
    }

    static PayloadRejectedException multipleChecksums() {
        return new PayloadRejectedException("InvalidRequest", 400,
                "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
    }

    static PayloadRejectedException sdkAlgorithmWithoutChecksum() {
        return new PayloadRejectedException("InvalidRequest", 400,
                "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer"
                        + " headers were found.");
    }

    static PayloadRejectedException checksumMismatch(ChecksumAlgorithm algorithm) {
        return new PayloadRejectedException("BadDigest", 400,
                "The " + algorithm.name() + " you specified did not match the calculated checksum.");
    }

    static PayloadRejectedException sha256Mismatch(String clientValue, String computedHex) {
        return new PayloadRejectedException("XAmzContentSHA256Mismatch", 400,
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
                members("ClientComputedContentSHA256", clientValue, "S3ComputedContentSHA256", computedHex));
    }

    static PayloadRejectedException invalidMd5(String value) {
        return new PayloadRejectedException("InvalidDigest", 400, "The Content-MD5 you specified was invalid.",
                members("Content-MD5", value));
    }

    /** S3 reflects the client's digest back in hex, its own in base64. */
    static PayloadRejectedException md5Mismatch(String expectedHex, String calculatedBase64) {
        return new PayloadRejectedException("BadDigest", 400,
                "The Content-MD5 you specified did not match what we received.",
                members("ExpectedDigest", expectedHex, "CalculatedDigest", calculatedBase64));
    }

    /** SigV4a streaming (multi-region access points): S3's answer for a feature a server lacks. */
    static PayloadRejectedException notImplemented(String header) {
        return new PayloadRejectedException("NotImplemented", 501,
                "A header you provided implies functionality that is not implemented.", members("Header", header));
    }

    /**
     * Signed chunks need the header signature as their seed; a presigned or anonymous request
     * has none. Our own wording: S3's text for this case is not on record.
     */
    static PayloadRejectedException signedChunksWithoutHeaderSignature(String mode) {
        return new PayloadRejectedException("InvalidRequest", 400,
                "x-amz-content-sha256 " + mode + " requires a request signed in the Authorization header.");
    }

    private static Map<String, String> members(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
