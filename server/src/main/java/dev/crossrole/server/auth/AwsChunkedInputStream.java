package dev.crossrole.server.auth;

import dev.crossrole.server.payload.ChecksumAlgorithm;
import dev.crossrole.server.payload.PayloadRejectedException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Decodes an {@code aws-chunked} request body (aws-wire.md §2.4) while reading it, and checks
 * everything the client committed to:
 *
 * <ul>
 *   <li>{@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD}: {@code hex(size);chunk-signature=<sig>\r\n<data>\r\n}
 *       ... {@code 0;chunk-signature=<sig>\r\n\r\n}; every chunk signature is verified, chained on the
 *       seed signature of the Authorization header.</li>
 *   <li>{@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER}: the same, then trailing headers and an
 *       {@code x-amz-trailer-signature} chained on the final chunk's signature.</li>
 *   <li>{@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}: {@code hex(size)\r\n<data>\r\n} ... {@code 0\r\n},
 *       trailing headers, {@code \r\n}.</li>
 * </ul>
 *
 * In every form the framing must be exact, every chunk but the last must be at least 8 KiB (as S3
 * demands), the data must add up to {@code X-Amz-Decoded-Content-Length}, and a checksum trailer
 * ({@code x-amz-checksum-<alg>}) must match the decoded bytes.
 *
 * <p><b>Contract for the consumer:</b> bytes are handed out as they arrive (nothing is buffered
 * beyond a small read buffer), so a chunk's bytes reach the caller before its signature is checked
 * at the chunk's end, and the checksum trailer is only checked at the end of the body. A body is
 * good only once {@code read} has returned -1; any {@link PayloadRejectedException} before that
 * means: discard everything written, store nothing, answer with the exception's S3 error.
 */
public final class AwsChunkedInputStream extends InputStream {
    public static final String STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public static final String STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    public static final String STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    /** SigV4a variants (multi-region access points): recognised, not supported. */
    public static final String STREAMING_ECDSA = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";
    public static final String STREAMING_ECDSA_TRAILER = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER";
    public static final String TRAILER_SIGNATURE = "x-amz-trailer-signature";

    /** S3's lower bound for every chunk but the last. */
    static final int MIN_CHUNK_SIZE = 8192;
    /** A chunk header line is {@code hex;chunk-signature=<64 hex>}: anything much longer is not one. */
    private static final int MAX_LINE = 1024;
    /** All trailing header lines together; S3's trailers are a checksum and a signature. */
    private static final int MAX_TRAILER_BYTES = 8192;
    private static final int BUFFER = 16 * 1024;
    private static final String CHUNK_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD";
    private static final String TRAILER_ALGORITHM = "AWS4-HMAC-SHA256-TRAILER";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private enum State { CHUNK_HEADER, DATA, DONE }

    private final InputStream raw;
    private final boolean signedChunks;
    private final boolean hasTrailer;
    private final ChunkSigningContext signing;
    private final long decodedContentLength;
    private final ChecksumAlgorithm.Calculator trailerChecksum;
    private final Set<String> declaredTrailers;
    private final MessageDigest chunkDigest;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private int limit;

    private State state = State.CHUNK_HEADER;
    private long chunkRemaining;
    private long chunkSize;
    private int chunkNumber;
    private long previousChunkSize = -1;
    private String chunkSignature;
    private String previousSignature;
    private long decoded;
    private final Map<String, String> trailers = new LinkedHashMap<>();
    private final Map<ChecksumAlgorithm, String> checksums = new EnumMap<>(ChecksumAlgorithm.class);
    private PayloadRejectedException failure;
    private final byte[] one = new byte[1];

    private AwsChunkedInputStream(InputStream raw, boolean signedChunks, boolean hasTrailer,
            ChunkSigningContext signing, long decodedContentLength, ChecksumAlgorithm trailerAlgorithm,
            Set<String> declaredTrailers) {
        this.raw = raw;
        this.signedChunks = signedChunks;
        this.hasTrailer = hasTrailer;
        this.signing = signing;
        this.decodedContentLength = decodedContentLength;
        this.trailerChecksum = trailerAlgorithm == null ? null : trailerAlgorithm.newCalculator();
        this.declaredTrailers = declaredTrailers;
        this.previousSignature = signing == null ? null : signing.seedSignature();
        this.chunkDigest = signedChunks ? newSha256() : null;
    }

    /** Whether {@code contentSha256} (an {@code x-amz-content-sha256} value) announces an aws-chunked body. */
    public static boolean isAwsChunked(String contentSha256) {
        return STREAMING_SIGNED.equals(contentSha256) || STREAMING_SIGNED_TRAILER.equals(contentSha256)
                || STREAMING_UNSIGNED_TRAILER.equals(contentSha256) || STREAMING_ECDSA.equals(contentSha256)
                || STREAMING_ECDSA_TRAILER.equals(contentSha256);
    }

    /**
     * Starts decoding {@code raw}.
     *
     * @param raw                  the body after HTTP framing (Content-Length bounded, or HTTP-chunked decoded)
     * @param contentSha256        the {@code x-amz-content-sha256} value; must satisfy {@link #isAwsChunked}
     * @param signing              the header signature's context ({@code Authenticated.chunkSigning()}),
     *                             required for the signed forms, ignored for the unsigned one
     * @param declaredTrailer      the {@code x-amz-trailer} header, or null
     * @param decodedContentLength {@code X-Amz-Decoded-Content-Length}, or -1 when the client sent none
     * @throws PayloadRejectedException an unsupported trailer or streaming form, signed chunks without
     *                                  a header signature
     * @throws IllegalArgumentException {@code contentSha256} is not an aws-chunked value
     */
    public static AwsChunkedInputStream open(InputStream raw, String contentSha256, ChunkSigningContext signing,
            String declaredTrailer, long decodedContentLength) throws PayloadRejectedException {
        contentSha256 = contentSha256 == null ? null : contentSha256.strip();
        if (!isAwsChunked(contentSha256)) {
            throw new IllegalArgumentException("not an aws-chunked body: " + contentSha256);
        }
        if (contentSha256.startsWith("STREAMING-AWS4-ECDSA")) {
            throw PayloadErrors.notImplemented(SigV4.HEADER_CONTENT_SHA256);
        }
        boolean signed = !STREAMING_UNSIGNED_TRAILER.equals(contentSha256);
        boolean trailer = !STREAMING_SIGNED.equals(contentSha256);
        if (signed && signing == null) {
            throw PayloadErrors.signedChunksWithoutHeaderSignature(contentSha256);
        }
        Set<String> declared = new LinkedHashSet<>();
        ChecksumAlgorithm algorithm = null;
        if (declaredTrailer != null && !declaredTrailer.isBlank()) {
            for (String name : declaredTrailer.split(",")) {
                String n = name.strip().toLowerCase(Locale.ROOT);
                if (n.isEmpty()) {
                    continue;
                }
                ChecksumAlgorithm a = ChecksumAlgorithm.fromHeaderName(n).orElseThrow(PayloadErrors::unsupportedTrailer);
                if (algorithm != null && algorithm != a) {
                    throw PayloadErrors.multipleChecksums();
                }
                algorithm = a;
                declared.add(n);
            }
        }
        return new AwsChunkedInputStream(raw, signed, trailer, signed ? signing : null, decodedContentLength,
                algorithm, Collections.unmodifiableSet(declared));
    }

    /**
     * {@link #open} with the values taken from the request's headers: {@code x-amz-content-sha256},
     * {@code x-amz-trailer} and {@code x-amz-decoded-content-length}, which S3 requires for an
     * aws-chunked body (absent, or not a non-negative number: 411 {@code MissingContentLength}).
     *
     * @param header the request's header lookup by lower-case name (first value), null when absent
     */
    public static AwsChunkedInputStream forRequest(InputStream raw, Function<String, String> header,
            ChunkSigningContext signing) throws PayloadRejectedException {
        String decoded = header.apply("x-amz-decoded-content-length");
        long length;
        try {
            length = decoded == null ? -1 : Long.parseLong(decoded.strip());
        } catch (NumberFormatException e) {
            length = -1;
        }
        if (length < 0) {
            throw PayloadErrors.missingDecodedLength();
        }
        return open(raw, header.apply(SigV4.HEADER_CONTENT_SHA256), signing, header.apply("x-amz-trailer"), length);
    }

    /** Trailing headers received (lower-case names, values as sent), without the trailer signature; complete after EOF. */
    public Map<String, String> trailers() {
        return Collections.unmodifiableMap(trailers);
    }

    /** Checksums verified against a trailer, base64 by algorithm; complete after EOF. */
    public Map<ChecksumAlgorithm, String> checksums() {
        return Collections.unmodifiableMap(checksums);
    }

    /** The algorithm of the checksum trailer announced in {@code x-amz-trailer}, if any. */
    public Optional<ChecksumAlgorithm> trailerAlgorithm() {
        return trailerChecksum == null ? Optional.empty() : Optional.of(trailerChecksum.algorithm());
    }

    /** Decoded bytes handed out so far. */
    public long decodedLength() {
        return decoded;
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
        if (len == 0) {
            return 0;
        }
        try {
            return readDecoded(b, off, len);
        } catch (PayloadRejectedException e) {
            // a rejected body stays rejected: later reads must not resume in the middle of bad framing
            failure = e;
            throw e;
        }
    }

    private int readDecoded(byte[] b, int off, int len) throws IOException {
        while (true) {
            switch (state) {
                case DONE:
                    return -1;
                case CHUNK_HEADER:
                    readChunkHeader();
                    if (chunkSize == 0) {
                        finish();
                        state = State.DONE;
                        return -1;
                    }
                    state = State.DATA;
                    break;
                case DATA:
                    if (chunkRemaining == 0) {
                        endChunk();
                        state = State.CHUNK_HEADER;
                        break;
                    }
                    int n = readData(b, off, (int) Math.min(len, chunkRemaining));
                    chunkRemaining -= n;
                    decoded += n;
                    if (chunkDigest != null) {
                        chunkDigest.update(b, off, n);
                    }
                    if (trailerChecksum != null) {
                        trailerChecksum.update(b, off, n);
                    }
                    return n;
                default:
                    throw new IllegalStateException(state.name());
            }
        }
    }

    /** Copies up to {@code len} bytes of chunk data from the buffer, or straight from the stream when it is empty. */
    private int readData(byte[] b, int off, int len) throws IOException {
        if (pos < limit) {
            int n = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }
        int n = raw.read(b, off, len);
        if (n <= 0) {
            throw PayloadErrors.bodyTerminated();
        }
        return n;
    }

    private void readChunkHeader() throws IOException {
        String line = readLine(MAX_LINE);
        int semi = line.indexOf(';');
        long size = parseHexSize(semi < 0 ? line : line.substring(0, semi));
        String signature = null;
        if (semi >= 0) {
            String extension = line.substring(semi + 1);
            if (extension.startsWith("chunk-signature=")) {
                signature = extension.substring("chunk-signature=".length());
            }
        }
        if (signedChunks && signature == null) {
            throw PayloadErrors.chunkSignatureMismatch();
        }
        chunkNumber++;
        if (size > 0 && previousChunkSize >= 0 && previousChunkSize < MIN_CHUNK_SIZE) {
            throw PayloadErrors.chunkTooSmall(chunkNumber - 1, previousChunkSize);
        }
        if (decodedContentLength >= 0 && decoded + size > decodedContentLength) {
            throw PayloadErrors.lengthMismatch(decodedContentLength, decoded + size);
        }
        chunkSize = size;
        chunkRemaining = size;
        chunkSignature = signature;
        previousChunkSize = size;
    }

    /** After a data chunk: the CRLF, then (signed forms) the chunk's signature. */
    private void endChunk() throws IOException {
        expectCrlf();
        if (signedChunks) {
            verifyChunkSignature(hex(chunkDigest.digest()));
        }
    }

    private void verifyChunkSignature(String dataHashHex) throws PayloadRejectedException {
        String stringToSign = CHUNK_ALGORITHM + '\n' + signing.amzDate() + '\n' + signing.scope() + '\n'
                + previousSignature + '\n' + SigV4.EMPTY_BODY_SHA256 + '\n' + dataHashHex;
        String expected = SigV4.signature(signing.signingKey(), stringToSign);
        if (!SigV4.constantTimeEquals(expected, chunkSignature)) {
            throw PayloadErrors.chunkSignatureMismatch();
        }
        previousSignature = expected;
    }

    /** After the zero-size chunk: its signature, the trailers, the final CRLF, the totals. */
    private void finish() throws IOException {
        if (signedChunks) {
            verifyChunkSignature(SigV4.EMPTY_BODY_SHA256);
        }
        if (hasTrailer) {
            readTrailers();
        } else {
            expectCrlf();
        }
        if (pos < limit || raw.read() >= 0) {
            // bytes after the end of the aws-chunked body: the framing lied about where it ends
            throw PayloadErrors.bodyTerminated();
        }
        if (decodedContentLength >= 0 && decoded != decodedContentLength) {
            throw PayloadErrors.lengthMismatch(decodedContentLength, decoded);
        }
        verifyTrailerChecksum();
    }

    private void readTrailers() throws IOException {
        int budget = MAX_TRAILER_BYTES;
        String trailerSignature = null;
        StringBuilder canonical = new StringBuilder(128);
        while (true) {
            String line = readLine(Math.min(budget, MAX_LINE));
            budget -= line.length() + 2;
            if (line.isEmpty()) {
                break;
            }
            if (trailerSignature != null) {
                // the signature covers what precedes it, so nothing may follow it
                throw PayloadErrors.malformedTrailer();
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw PayloadErrors.malformedTrailer();
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (signedChunks && name.equals(TRAILER_SIGNATURE)) {
                trailerSignature = value;
                continue;
            }
            if (!declaredTrailers.contains(name) || trailers.containsKey(name)) {
                throw PayloadErrors.malformedTrailer();
            }
            trailers.put(name, value);
            canonical.append(name).append(':').append(value).append('\n');
        }
        if (trailers.size() != declaredTrailers.size()) {
            throw PayloadErrors.malformedTrailer();
        }
        if (signedChunks) {
            if (trailerSignature == null) {
                throw PayloadErrors.chunkSignatureMismatch();
            }
            String stringToSign = TRAILER_ALGORITHM + '\n' + signing.amzDate() + '\n' + signing.scope() + '\n'
                    + previousSignature + '\n'
                    + SigV4.sha256Hex(canonical.toString().getBytes(StandardCharsets.UTF_8));
            String expected = SigV4.signature(signing.signingKey(), stringToSign);
            if (!SigV4.constantTimeEquals(expected, trailerSignature)) {
                throw PayloadErrors.chunkSignatureMismatch();
            }
        }
    }

    private void verifyTrailerChecksum() throws PayloadRejectedException {
        if (trailerChecksum == null) {
            return;
        }
        ChecksumAlgorithm algorithm = trailerChecksum.algorithm();
        String sent = trailers.get(algorithm.headerName());
        if (!algorithm.isWellFormed(sent)) {
            throw PayloadErrors.invalidTrailerValue(algorithm);
        }
        String computed = trailerChecksum.base64();
        if (!computed.equals(sent)) {
            throw PayloadErrors.checksumMismatch(algorithm);
        }
        checksums.put(algorithm, computed);
    }

    // ---- framing -------------------------------------------------------------------------------

    /** Reads a line ending in CRLF (a lone LF or CR is malformed), at most {@code max} characters. */
    private String readLine(int max) throws IOException {
        StringBuilder sb = new StringBuilder(80);
        while (true) {
            int c = next();
            if (c == '\r') {
                if (next() != '\n') {
                    throw PayloadErrors.bodyTerminated();
                }
                return sb.toString();
            }
            if (c == '\n' || sb.length() >= max) {
                throw PayloadErrors.bodyTerminated();
            }
            sb.append((char) c);
        }
    }

    private void expectCrlf() throws IOException {
        if (next() != '\r' || next() != '\n') {
            throw PayloadErrors.bodyTerminated();
        }
    }

    /** The next raw byte; the end of the stream inside the framing is a truncated body. */
    private int next() throws IOException {
        if (pos == limit) {
            int n = raw.read(buf, 0, buf.length);
            if (n <= 0) {
                throw PayloadErrors.bodyTerminated();
            }
            pos = 0;
            limit = n;
        }
        return buf[pos++] & 0xFF;
    }

    /** 1..16 hex digits, below 2^62 (no real body comes near). */
    private static long parseHexSize(String s) throws PayloadRejectedException {
        if (s.isEmpty() || s.length() > 16) {
            throw PayloadErrors.bodyTerminated();
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0 || v > (Long.MAX_VALUE >>> 5)) {
                throw PayloadErrors.bodyTerminated();
            }
            v = (v << 4) | d;
        }
        return v;
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without SHA-256", e);
        }
    }

    static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }
}
