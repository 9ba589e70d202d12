package dev.crossrole.server.tasks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The stream of a started exec ({@code POST /exec/{id}/start}), taken over from HTTP as the Engine API does it. Written
 * here rather than through docker-java, whose transports never close their side of the connection when the command's
 * input ends, so a command reading its input to the end ({@code cat}) would wait forever: here the end of the input
 * shuts the connection's output down, which the engine passes on as end-of-file. The channel is read and written
 * directly (the JDK's channel streams would hold one lock across a blocking read and a write).
 */
final class EngineExecStream implements AutoCloseable {
    private final SocketChannel channel;
    /** What the engine sent after its headers, before the first read of the stream. */
    private final byte[] early;

    private EngineExecStream(SocketChannel channel, byte[] early) {
        this.channel = channel;
        this.early = early;
    }

    /** Starts the exec and takes over its connection. */
    static EngineExecStream start(URI host, String execId, boolean tty) throws IOException {
        SocketChannel channel;
        if ("unix".equals(host.getScheme())) {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(host.getPath()));
        } else {
            channel = SocketChannel.open(new InetSocketAddress(host.getHost(), host.getPort()));
        }
        try {
            byte[] body = ("{\"Detach\":false,\"Tty\":" + tty + "}").getBytes(StandardCharsets.US_ASCII);
            String request = "POST /exec/" + execId + "/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
                    + "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: " + body.length + "\r\n\r\n";
            writeFully(channel, request.getBytes(StandardCharsets.US_ASCII));
            writeFully(channel, body);
            // The status line and headers, up to the blank line; what follows belongs to the stream.
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            int end = -1;
            while (end < 0) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    throw new IOException("the engine closed the exec's connection before answering");
                }
                head.write(buffer.array(), 0, n);
                end = headerEnd(head.toByteArray());
                if (end < 0 && head.size() > 65536) {
                    throw new IOException("the engine's answer to the exec start has no end of headers");
                }
            }
            byte[] all = head.toByteArray();
            String status = new String(all, 0, Math.min(all.length, 64), StandardCharsets.US_ASCII);
            if (!status.startsWith("HTTP/1.1 101") && !status.startsWith("HTTP/1.1 200")
                    && !status.startsWith("HTTP/1.0 200")) {
                throw new IOException("the engine refused the exec: " + new String(all, StandardCharsets.UTF_8).strip());
            }
            byte[] early = java.util.Arrays.copyOfRange(all, end, all.length);
            return new EngineExecStream(channel, early);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static int headerEnd(byte[] bytes) {
        for (int i = 3; i < bytes.length; i++) {
            if (bytes[i - 3] == '\r' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r' && bytes[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    private static void writeFully(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** What the command writes: raw with a terminal, else Docker's frames (see {@link #demultiplex}). */
    InputStream output() {
        return new InputStream() {
            private int earlyAt;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] into, int offset, int length) throws IOException {
                if (earlyAt < early.length) {
                    int n = Math.min(length, early.length - earlyAt);
                    System.arraycopy(early, earlyAt, into, offset, n);
                    earlyAt += n;
                    return n;
                }
                return channel.read(ByteBuffer.wrap(into, offset, length));
            }
        };
    }

    /** The command's input; closing it is the command's end-of-file. */
    OutputStream input() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }

            @Override
            public void close() throws IOException {
                endInput();
            }
        };
    }

    void endInput() throws IOException {
        if (channel.isOpen()) {
            channel.shutdownOutput();
        }
    }

    /**
     * Splits Docker's multiplexed output (each frame: the stream, 1 standard output or 2 error output, three zero bytes,
     * the payload's length as four big-endian bytes, the payload) into the two streams, until the end.
     */
    static void demultiplex(InputStream in, OutputStream out, OutputStream err) throws IOException {
        byte[] header = new byte[8];
        while (in.readNBytes(header, 0, 8) == 8) {
            int length = (header[4] & 0xff) << 24 | (header[5] & 0xff) << 16 | (header[6] & 0xff) << 8 | header[7] & 0xff;
            OutputStream target = header[0] == 2 ? err : out;
            byte[] chunk = new byte[8192];
            int left = length;
            while (left > 0) {
                int n = in.read(chunk, 0, Math.min(chunk.length, left));
                if (n < 0) {
                    return;
                }
                target.write(chunk, 0, n);
                target.flush();
                left -= n;
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
