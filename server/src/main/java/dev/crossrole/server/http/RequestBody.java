package dev.crossrole.server.http;

import dev.crossrole.server.protocol.AwsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A request body read on demand: Query and JSON services take it whole ({@link #bytes()}, capped),
 * S3 streams it ({@link #stream()}). {@code Expect: 100-continue} is answered only when the body is
 * first read, so a request rejected before that never makes the client send its body.
 */
public final class RequestBody {
    /** What the listener does with the rest of an unread body after the response. */
    static final long MAX_DRAIN_BYTES = 1024 * 1024;

    private final InputStream framed;
    private final long declaredLength;
    private final OutputStream continueTo;
    private boolean continued;
    private boolean touched;
    private byte[] bytes;

    /**
     * @param framed the body without transfer framing; ends where the body ends
     * @param declaredLength the {@code Content-Length}, or -1 for a chunked body
     * @param continueTo where to write {@code 100 Continue} before the first read, or {@code null}
     */
    RequestBody(InputStream framed, long declaredLength, OutputStream continueTo) {
        this.framed = framed;
        this.declaredLength = declaredLength;
        this.continueTo = continueTo;
    }

    public static RequestBody of(byte[] content) {
        RequestBody body = new RequestBody(new java.io.ByteArrayInputStream(content), content.length, null);
        body.bytes = content;
        return body;
    }

    /** The {@code Content-Length} the client declared, or -1 when it sent the body chunked. */
    public long declaredLength() {
        return declaredLength;
    }

    /** Whether the request has no body at all (no length, or length 0). */
    public boolean empty() {
        return declaredLength == 0;
    }

    /** The body as a stream; one reader only. */
    public InputStream stream() {
        touched = true;
        if (bytes != null) {
            return new java.io.ByteArrayInputStream(bytes);
        }
        return new InputStream() {
            @Override
            public int read() throws IOException {
                sendContinue();
                return framed.read();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                sendContinue();
                return framed.read(buffer, offset, length);
            }
        };
    }

    /** The whole body, at most {@link HttpFront#MAX_BODY_BYTES}; larger bodies are a 413. */
    public byte[] bytes() {
        if (bytes != null) {
            return bytes;
        }
        if (declaredLength > HttpFront.MAX_BODY_BYTES) {
            throw tooLarge();
        }
        try (InputStream in = stream()) {
            byte[] read = in.readNBytes(HttpFront.MAX_BODY_BYTES + 1);
            if (read.length > HttpFront.MAX_BODY_BYTES) {
                throw tooLarge();
            }
            bytes = read;
            return read;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static AwsException tooLarge() {
        return new AwsException("RequestEntityTooLarge", 413,
                "The request body exceeds " + HttpFront.MAX_BODY_BYTES + " bytes.");
    }

    private void sendContinue() throws IOException {
        if (continueTo != null && !continued) {
            continued = true;
            continueTo.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            continueTo.flush();
        }
    }

    /**
     * Skips what the handler left unread so the next request on the connection starts at its head.
     * Returns false when the connection must close instead: the client still waits for
     * {@code 100 Continue}, or too much is left to be worth reading.
     */
    boolean finish() {
        if (bytes != null) {
            return true;
        }
        if (continueTo != null && !continued) {
            return false;
        }
        try {
            long skipped = 0;
            byte[] buffer = new byte[8192];
            int n;
            while ((n = framed.read(buffer)) > 0) {
                skipped += n;
                if (skipped > MAX_DRAIN_BYTES) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    boolean touched() {
        return touched;
    }
}
