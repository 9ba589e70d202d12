package dev.crossrole.server.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** The two ways HTTP/1.1 frames a request body: a declared length, or chunks. */
final class BodyStreams {
    private BodyStreams() {}

    /** Exactly {@code length} bytes of {@code in}; a connection closed earlier is an error, not a short body. */
    static InputStream limited(InputStream in, long length) {
        return new InputStream() {
            private long remaining = length;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] buffer, int offset, int count) throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                if (count == 0) {
                    return 0;
                }
                int n = in.read(buffer, offset, (int) Math.min(count, remaining));
                if (n < 0) {
                    throw new EOFException("connection closed inside the body");
                }
                remaining -= n;
                return n;
            }
        };
    }

    /** Decodes {@code Transfer-Encoding: chunked}; trailers after the last chunk are read and dropped. */
    static InputStream chunked(InputStream in) {
        return new InputStream() {
            private long remainingInChunk;
            private boolean done;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] buffer, int offset, int count) throws IOException {
                if (done) {
                    return -1;
                }
                if (count == 0) {
                    return 0;
                }
                if (remainingInChunk == 0) {
                    remainingInChunk = nextChunkSize();
                    if (remainingInChunk == 0) {
                        while (!line().isEmpty()) {
                            // HTTP trailers carry nothing crossrole uses
                        }
                        done = true;
                        return -1;
                    }
                }
                int n = in.read(buffer, offset, (int) Math.min(count, remainingInChunk));
                if (n < 0) {
                    throw new EOFException("connection closed inside a chunk");
                }
                remainingInChunk -= n;
                if (remainingInChunk == 0 && !line().isEmpty()) {
                    throw new IOException("malformed chunk end");
                }
                return n;
            }

            private long nextChunkSize() throws IOException {
                String sizeLine = line();
                int semicolon = sizeLine.indexOf(';');
                String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
                try {
                    long size = Long.parseLong(hex, 16);
                    if (size < 0) {
                        throw new IOException("malformed chunk size");
                    }
                    return size;
                } catch (NumberFormatException e) {
                    throw new IOException("malformed chunk size", e);
                }
            }

            private String line() throws IOException {
                StringBuilder sb = new StringBuilder();
                int c;
                while ((c = in.read()) != -1) {
                    if (c == '\n') {
                        int end = sb.length();
                        if (end > 0 && sb.charAt(end - 1) == '\r') {
                            sb.setLength(end - 1);
                        }
                        return sb.toString();
                    }
                    if (sb.length() >= HttpFront.MAX_LINE) {
                        throw new IOException("chunk line too long");
                    }
                    sb.append((char) c);
                }
                throw new EOFException("connection closed inside a chunk header");
            }
        };
    }
}
