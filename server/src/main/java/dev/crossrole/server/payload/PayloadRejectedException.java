package dev.crossrole.server.payload;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request body that must not be stored: a chunk or trailer signature that does not verify, broken
 * {@code aws-chunked} framing, a length that disagrees with the headers, a checksum or digest that
 * does not match. It is an {@link IOException} because it is thrown from {@code read()} of the body
 * streams that decode and check a request body as it is read, possibly deep inside the code that
 * copies the body to storage; the S3 service catches it, discards what it wrote and answers with
 * the S3 error it describes.
 *
 * <p>{@link #members()} are the extra elements S3 puts into its {@code <Error>} document after
 * {@code Code} and {@code Message} (e.g. {@code NumberBytesExpected}), in order.
 */
public final class PayloadRejectedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int status;
    private final Map<String, String> members;

    public PayloadRejectedException(String code, int status, String message) {
        this(code, status, message, Map.of());
    }

    public PayloadRejectedException(String code, int status, String message, Map<String, String> members) {
        super(message);
        this.code = code;
        this.status = status;
        this.members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    /** S3's error code, e.g. {@code BadDigest}. */
    public String code() {
        return code;
    }

    /** The HTTP status S3 answers with. */
    public int status() {
        return status;
    }

    /** S3's message text. */
    public String message() {
        return getMessage();
    }

    /** Extra {@code <Error>} members in document order; empty when there are none. */
    public Map<String, String> members() {
        return members;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        // an ordinary client error, raised per bad request: no stack trace needed
        return this;
    }
}
