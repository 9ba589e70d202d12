package dev.crossrole.server.auth;

import dev.crossrole.server.payload.ChecksumAlgorithm;
import dev.crossrole.server.payload.DigestedBody;
import dev.crossrole.server.payload.PayloadRejectedException;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Passes a request body through while hashing it, and at the end checks what the headers promised:
 * a hex {@code x-amz-content-sha256} ({@code XAmzContentSHA256Mismatch}), {@code Content-MD5}
 * ({@code BadDigest}) and one {@code x-amz-checksum-<alg>} header ({@code BadDigest}), in that order,
 * as S3 reports them. Malformed values are refused up front by {@link #open} ({@code InvalidDigest},
 * {@code InvalidRequest}). It also computes what S3 stores and returns: the MD5 (the ETag of a
 * single-part object) and any flexible checksum asked for with {@link #alsoCompute}.
 *
 * <p>Wrap an {@link AwsChunkedInputStream} in it for chunked bodies: the decoded bytes are what is
 * digested. As there, the body is good only once {@code read} has returned -1.
 */
public final class VerifyingInputStream extends InputStream implements DigestedBody {
    private final InputStream in;
    private final String contentSha256;
    private final MessageDigest sha256;
    private final MessageDigest md5 = digest("MD5");
    private final byte[] expectedMd5;
    private final ChecksumAlgorithm checksumAlgorithm;
    private final String expectedChecksum;
    private final Map<ChecksumAlgorithm, ChecksumAlgorithm.Calculator> calculators =
            new EnumMap<>(ChecksumAlgorithm.class);
    private final Map<ChecksumAlgorithm, String> checksums = new EnumMap<>(ChecksumAlgorithm.class);
    private long bytesRead;
    private String md5Base64;
    private boolean finished;
    private PayloadRejectedException failure;
    private final byte[] one = new byte[1];

    private VerifyingInputStream(InputStream in, String contentSha256, byte[] expectedMd5,
            ChecksumAlgorithm checksumAlgorithm, String expectedChecksum) {
        this.in = in;
        this.contentSha256 = contentSha256;
        this.sha256 = contentSha256 == null ? null : digest("SHA-256");
        this.expectedMd5 = expectedMd5;
        this.checksumAlgorithm = checksumAlgorithm;
        this.expectedChecksum = expectedChecksum;
        if (checksumAlgorithm != null) {
            calculators.put(checksumAlgorithm, checksumAlgorithm.newCalculator());
        }
    }

    /**
     * Wraps {@code body}.
     *
     * @param contentSha256 the {@code x-amz-content-sha256} value or null. {@code UNSIGNED-PAYLOAD} and
     *                      the aws-chunked literals are not a hash and are not checked; anything else
     *                      is compared with the body's SHA-256, case-insensitively, and a value that
     *                      is not hex at all simply mismatches (S3 does the same)
     * @param contentMd5     the {@code Content-MD5} value (base64) or null
     * @param checksumHeader the name of the {@code x-amz-checksum-*} header sent, or null
     * @param checksumValue  its value
     * @throws PayloadRejectedException {@code InvalidDigest} for a Content-MD5 that is not base64 of
     *                                  16 bytes, {@code InvalidRequest} for an unknown checksum
     *                                  header or a value of the wrong shape
     */
    public static VerifyingInputStream open(InputStream body, String contentSha256, String contentMd5,
            String checksumHeader, String checksumValue) throws PayloadRejectedException {
        String trimmed = contentSha256 == null ? null : contentSha256.strip();
        String sha = trimmed == null || SigV4.UNSIGNED_PAYLOAD.equals(trimmed)
                || AwsChunkedInputStream.isAwsChunked(trimmed) ? null : contentSha256;
        byte[] md5 = null;
        if (contentMd5 != null) {
            md5 = decodeBase64(contentMd5.strip());
            if (md5 == null || md5.length != 16) {
                throw PayloadErrors.invalidMd5(contentMd5);
            }
        }
        ChecksumAlgorithm algorithm = null;
        String value = null;
        if (checksumHeader != null) {
            algorithm = ChecksumAlgorithm.fromHeaderName(checksumHeader)
                    .orElseThrow(() -> PayloadErrors.invalidChecksumHeader(checksumHeader));
            if (!algorithm.isWellFormed(checksumValue)) {
                throw PayloadErrors.invalidChecksumHeader(algorithm.headerName());
            }
            value = checksumValue.strip();
        }
        return new VerifyingInputStream(body, sha, md5, algorithm, value);
    }

    /**
     * Wraps {@code body} with the checks its request's headers ask for: {@code x-amz-content-sha256},
     * {@code Content-MD5}, the one {@code x-amz-checksum-*} header (more than one is
     * {@code InvalidRequest}), and {@code x-amz-sdk-checksum-algorithm}, which must name an algorithm
     * and be backed by a checksum header or an {@code x-amz-trailer}; the algorithm it names is
     * computed either way (for a trailer, {@link AwsChunkedInputStream} verifies the value).
     *
     * @param header the request's header lookup by lower-case name (first value), null when absent
     */
    public static VerifyingInputStream forRequest(InputStream body, Function<String, String> header)
            throws PayloadRejectedException {
        String checksumHeader = null;
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            if (header.apply(a.headerName()) != null) {
                if (checksumHeader != null) {
                    throw PayloadErrors.multipleChecksums();
                }
                checksumHeader = a.headerName();
            }
        }
        String sdkAlgorithm = header.apply("x-amz-sdk-checksum-algorithm");
        Optional<ChecksumAlgorithm> requested = Optional.empty();
        if (sdkAlgorithm != null) {
            requested = ChecksumAlgorithm.fromName(sdkAlgorithm);
            if (requested.isEmpty()) {
                throw PayloadErrors.invalidChecksumHeader("x-amz-sdk-checksum-algorithm");
            }
            if (checksumHeader == null && header.apply("x-amz-trailer") == null) {
                throw PayloadErrors.sdkAlgorithmWithoutChecksum();
            }
        }
        VerifyingInputStream v = open(body, header.apply(SigV4.HEADER_CONTENT_SHA256), header.apply("content-md5"),
                checksumHeader, checksumHeader == null ? null : header.apply(checksumHeader));
        // a checksum trailer is computed and verified by the chunked decoder: not computed twice
        boolean inTrailer = body instanceof AwsChunkedInputStream chunked
                && chunked.trailerAlgorithm().equals(requested);
        if (!inTrailer) {
            requested.ifPresent(v::alsoCompute);
        }
        return v;
    }

    /** Also computes {@code algorithm} over the body (to store and return it); call before reading. */
    @Override
    public VerifyingInputStream alsoCompute(ChecksumAlgorithm algorithm) {
        if (bytesRead > 0) {
            throw new IllegalStateException("alsoCompute after reading started");
        }
        calculators.computeIfAbsent(algorithm, ChecksumAlgorithm::newCalculator);
        return this;
    }

    /** Bytes passed through so far. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Lower-hex MD5 of the body (S3's ETag of a single-part object, without quotes); after EOF. */
    public String md5Hex() {
        requireFinished();
        return AwsChunkedInputStream.hex(Base64.getDecoder().decode(md5Base64));
    }

    /** Base64 MD5 of the body; after EOF. */
    @Override
    public String md5Base64() {
        requireFinished();
        return md5Base64;
    }

    /**
     * Base64 values of the checksums computed (the one sent in a header or, for an
     * {@link AwsChunkedInputStream}, in its trailer, and those asked for); after EOF.
     */
    @Override
    public Map<ChecksumAlgorithm, String> checksums() {
        requireFinished();
        return Collections.unmodifiableMap(checksums);
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (finished) {
            return -1;
        }
        int n = in.read(b, off, len);
        if (n < 0) {
            try {
                finish();
            } catch (PayloadRejectedException e) {
                failure = e;
                throw e;
            }
            return -1;
        }
        if (n > 0) {
            bytesRead += n;
            md5.update(b, off, n);
            if (sha256 != null) {
                sha256.update(b, off, n);
            }
            for (ChecksumAlgorithm.Calculator c : calculators.values()) {
                c.update(b, off, n);
            }
        }
        return n;
    }

    private void finish() throws PayloadRejectedException {
        if (sha256 != null) {
            String computed = AwsChunkedInputStream.hex(sha256.digest());
            if (!computed.equalsIgnoreCase(contentSha256.strip())) {
                throw PayloadErrors.sha256Mismatch(contentSha256, computed);
            }
        }
        byte[] actualMd5 = md5.digest();
        md5Base64 = Base64.getEncoder().encodeToString(actualMd5);
        if (expectedMd5 != null && !MessageDigest.isEqual(expectedMd5, actualMd5)) {
            throw PayloadErrors.md5Mismatch(AwsChunkedInputStream.hex(expectedMd5), md5Base64);
        }
        for (Map.Entry<ChecksumAlgorithm, ChecksumAlgorithm.Calculator> e : calculators.entrySet()) {
            checksums.put(e.getKey(), e.getValue().base64());
        }
        if (in instanceof AwsChunkedInputStream chunked) {
            // verified against the trailer by the decoder, which has reached its end
            chunked.checksums().forEach(checksums::putIfAbsent);
        }
        if (checksumAlgorithm != null && !checksums.get(checksumAlgorithm).equals(expectedChecksum)) {
            throw PayloadErrors.checksumMismatch(checksumAlgorithm);
        }
        finished = true;
    }

    private void requireFinished() {
        if (!finished) {
            throw new IllegalStateException("the body has not been read to its end");
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private static byte[] decodeBase64(String s) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static MessageDigest digest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without " + name, e);
        }
    }
}
