package dev.crossrole.server.auth;

import dev.crossrole.server.payload.ChecksumAlgorithm;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A client-side aws-chunked encoder for tests, written from the AWS documentation independently of
 * the decoder (its own HMAC and hashing), so that the two cannot share a mistake.
 */
final class ChunkedBodies {
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /** The encoded body and the chunk signatures in order (the final chunk's last, then the trailer's if any). */
    record Encoded(byte[] body, List<String> signatures) {
        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    private ChunkedBodies() {}

    static byte[] signingKey(String secret, String date, String region, String service) {
        byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        k = hmac(k, region);
        k = hmac(k, service);
        return hmac(k, "aws4_request");
    }

    /** {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]}; {@code trailer} null for none. */
    static Encoded signed(byte[] data, int chunkSize, ChunkSigningContext ctx, ChecksumAlgorithm trailer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> signatures = new ArrayList<>();
        String previous = ctx.seedSignature();
        int off = 0;
        while (true) {
            int n = Math.min(chunkSize, data.length - off);
            String sts = "AWS4-HMAC-SHA256-PAYLOAD\n" + ctx.amzDate() + "\n" + ctx.scope() + "\n" + previous + "\n"
                    + EMPTY_SHA256 + "\n" + sha256Hex(data, off, n);
            previous = HexFormat.of().formatHex(hmac(ctx.signingKey(), sts));
            signatures.add(previous);
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
            String sts = "AWS4-HMAC-SHA256-TRAILER\n" + ctx.amzDate() + "\n" + ctx.scope() + "\n" + previous + "\n"
                    + sha256Hex((line + "\n").getBytes(StandardCharsets.UTF_8));
            String trailerSignature = HexFormat.of().formatHex(hmac(ctx.signingKey(), sts));
            signatures.add(trailerSignature);
            write(out, line + "\r\n" + "x-amz-trailer-signature:" + trailerSignature + "\r\n\r\n");
        }
        return new Encoded(out.toByteArray(), signatures);
    }

    /** {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}; {@code trailer} null for none. */
    static byte[] unsignedTrailer(byte[] data, int chunkSize, ChecksumAlgorithm trailer) {
        return unsignedTrailer(data, chunkSize, trailer == null ? "" : trailer.headerName() + ":" + trailer.base64Of(data)
                + "\r\n");
    }

    /** As above with the trailer lines given verbatim (each ending in CRLF). */
    static byte[] unsignedTrailer(byte[] data, int chunkSize, String trailerLines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int off = 0;
        while (off < data.length) {
            int n = Math.min(chunkSize, data.length - off);
            write(out, Integer.toHexString(n) + "\r\n");
            out.write(data, off, n);
            write(out, "\r\n");
            off += n;
        }
        write(out, "0\r\n" + trailerLines + "\r\n");
        return out.toByteArray();
    }

    static String sha256Hex(byte[] data) {
        return sha256Hex(data, 0, data.length);
    }

    static String sha256Hex(byte[] data, int off, int len) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(data, off, len);
            return HexFormat.of().formatHex(d.digest());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
