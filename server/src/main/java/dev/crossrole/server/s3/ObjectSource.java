package dev.crossrole.server.s3;

import java.io.IOException;
import java.io.OutputStream;

/** A readable stored object (or part of one): metadata and a way to stream a byte range of it. */
interface ObjectSource {
    StoredObject object();

    /** Writes bytes {@code [offset, offset + length)} of the object. */
    void copyRange(long offset, long length, OutputStream out) throws IOException;
}
