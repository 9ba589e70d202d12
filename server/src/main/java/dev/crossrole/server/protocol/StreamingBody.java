package dev.crossrole.server.protocol;

import java.io.IOException;
import java.io.OutputStream;

/** A response body too large to hold in memory (an S3 object): its length up front, its bytes written on demand. */
public interface StreamingBody {
    long length();

    /** Writes exactly {@link #length()} bytes; not called for HEAD. */
    void writeTo(OutputStream out) throws IOException;
}
