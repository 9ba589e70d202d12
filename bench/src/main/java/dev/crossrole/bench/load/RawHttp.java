package dev.crossrole.bench.load;

import dev.crossrole.server.auth.SigV4;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** SigV4-signed HTTP/1.1 requests as bytes, and a minimal response reader, for the load generators. */
final class RawHttp {
    private RawHttp() {}

    /** A response's status and body. */
    record Response(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * A POST to {@code /} signed for {@code service} with the given content type and optional {@code X-Amz-Target}.
     */
    static byte[] signedPost(int port, String keyId, String secret, String service, String contentType, String target,
                             byte[] payload) {
        String amzDate = SigV4.formatAmzDate(Instant.now());
        String host = "127.0.0.1:" + port;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("Content-Type", contentType));
        headers.add(Map.entry("Host", host));
        headers.add(Map.entry("X-Amz-Date", amzDate));
        List<String> signed = new ArrayList<>(List.of("content-type", "host", "x-amz-date"));
        if (target != null) {
            headers.add(Map.entry("X-Amz-Target", target));
            signed.add("x-amz-target");
        }
        SigV4.Credential scope = new SigV4.Credential(keyId, amzDate.substring(0, 8), "us-east-1", service);
        String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts("POST", "/", null, headers, payload), signed,
                SigV4.sha256Hex(payload), true, false);
        String signature = SigV4.signature(SigV4.signingKey(secret, scope.date(), scope.region(), scope.service()),
                SigV4.stringToSign(amzDate, scope, canonical));
        StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\n");
        for (Map.Entry<String, String> h : headers) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        head.append("Authorization: AWS4-HMAC-SHA256 Credential=").append(keyId).append('/').append(scope.scope())
                .append(", SignedHeaders=").append(String.join(";", signed)).append(", Signature=").append(signature)
                .append("\r\nContent-Length: ").append(payload.length).append("\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] request = Arrays.copyOf(headBytes, headBytes.length + payload.length);
        System.arraycopy(payload, 0, request, headBytes.length, payload.length);
        return request;
    }

    /** Reads one HTTP/1.1 response with a Content-Length body. */
    static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        int length = 0;
        String header;
        while (!(header = line(in)).isEmpty()) {
            int colon = header.indexOf(':');
            if (colon > 0 && header.substring(0, colon).equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(header.substring(colon + 1).trim());
            }
        }
        return new Response(status, in.readNBytes(length));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        if (c == -1 && sb.length() == 0) {
            throw new IOException("connection closed");
        }
        return sb.toString();
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1000.0;
    }
}
