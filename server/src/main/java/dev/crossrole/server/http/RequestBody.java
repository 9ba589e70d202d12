package dev.crossrole.server.http;

import dev.crossrole.server.protocol.AwsException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A request body read on demand: Query and JSON services take it whole ({@link #bytes()}, capped),
 * S3 streams it ({@link #stream()}). The listener answers {@code Expect: 100-continue} only when the body is
 * first read, so a request rejected before that never makes the client send its body. A body whose framing
 * breaks (a malformed chunk, a connection closed early) fails its read with {@link MalformedBody}, an
 * {@link EOFException}: the request is answered as one whose body ended early, and its connection closed.
 */
public final class RequestBody {
    private final InputStream framed;
    private final long declaredLength;
    private byte[] bytes;

    /**
     * @param framed the body without transfer framing; ends where the body ends
     * @param declaredLength the {@code Content-Length}, or -1 for a body of unknown length (chunked)
     */
    RequestBody(InputStream framed, long declaredLength) {
        this.framed = framed;
        this.declaredLength = declaredLength;
    }

    public static RequestBody of(byte[] content) {
        RequestBody body = new RequestBody(new ByteArrayInputStream(content), content.length);
        body.bytes = content;
        return body;
    }

    /** The body's framing broke while it was read; what the listener said about it is the message. */
    public static final class MalformedBody extends EOFException {
        private static final long serialVersionUID = 1L;

        MalformedBody(String message, Throwable cause) {
            super(message);
            initCause(cause);
        }
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
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        return new InputStream() {
            @Override
            public int read() throws IOException {
                try {
                    return framed.read();
                } catch (IOException e) {
                    throw malformed(e);
                }
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                try {
                    return framed.read(buffer, offset, length);
                } catch (IOException e) {
                    throw malformed(e);
                }
            }

            @Override
            public void close() throws IOException {
                framed.close();
            }
        };
    }

    private static IOException malformed(IOException e) {
        if (e instanceof MalformedBody) {
            return e;
        }
        String reason = e.getMessage();
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null) {
                reason = cause.getMessage();
            }
        }
        return new MalformedBody(reason == null ? "the request body ended early" : reason, e);
    }

    /** The whole body, at most {@link HttpFront#MAX_BODY_BYTES}; larger bodies are a 413. */
    public byte[] bytes() {
        if (bytes != null) {
            return bytes;
        }
        if (declaredLength > HttpFront.MAX_BODY_BYTES) {
            throw tooLarge(); // before a byte is read: a client waiting for 100 Continue never sends it
        }
        try (InputStream in = stream()) {
            if (declaredLength >= 0) {
                // A declared length is what the listener's framing holds the body to: read exactly that, into one
                // array of its size (no growing buffers: most bodies are a few hundred bytes).
                byte[] exact = new byte[(int) declaredLength];
                int read = in.readNBytes(exact, 0, exact.length);
                if (read < exact.length) {
                    throw new MalformedBody("the body ended after " + read + " of " + declaredLength + " bytes", null);
                }
                in.read(); // the end of the body, consumed: the connection is then free for the next request
                bytes = exact;
                return exact;
            }
            byte[] read = in.readNBytes(HttpFront.MAX_BODY_BYTES + 1);
            if (read.length > HttpFront.MAX_BODY_BYTES) {
                throw tooLarge(); // a chunked body: refused the moment it passes the cap, the rest never read
            }
            bytes = read;
            return read;
        } catch (MalformedBody e) {
            throw new AwsException("IncompleteBody", 400, "The request body is malformed or ended early: "
                    + e.getMessage(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static AwsException tooLarge() {
        return new AwsException("RequestEntityTooLarge", 413,
                "The request body exceeds " + HttpFront.MAX_BODY_BYTES + " bytes.");
    }
}
