package dev.crossrole.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.CrossroleServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The framing cases against a whole crossrole: a body that breaks its chunked framing while STS or S3 reads it is
 * the protocol's 400 ({@code IncompleteBody}), never {@code InternalFailure}/{@code InternalError} and never a
 * SEVERE line; a smuggling attempt never reaches a service.
 */
class FramingThroughThePipelineTest {
    @TempDir
    static Path dir;
    static CrossroleServer server;
    static final LogRecords recorder = new LogRecords(Level.SEVERE);
    static final List<LogRecord> severe = recorder.records;

    @BeforeAll
    static void start() throws Exception {
        server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0));
        Logger.getLogger("").addHandler(recorder);
    }

    @AfterAll
    static void stop() {
        Logger.getLogger("").removeHandler(recorder);
        server.close();
    }

    static String exchange(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return HttpFramingTest.readUntilClosed(socket.getInputStream());
        }
    }

    @Test
    void malformedChunkedBodiesAreTheProtocolsClientError() throws IOException {
        String host = "Host: 127.0.0.1:" + server.port() + "\r\n";
        for (String chunks : List.of("zz\r\nhello\r\n0\r\n\r\n", "5\r\nhelloXX\r\n0\r\n\r\n",
                "5;a=\u0000\r\nhello\r\n0\r\n\r\n", "ffffffffffffffffffff\r\nx\r\n")) {
            // STS over Query reads the form before it authenticates.
            String sts = exchange("POST / HTTP/1.1\r\n" + host + "Content-Type: application/x-www-form-urlencoded\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + chunks);
            assertTrue(sts.startsWith("HTTP/1.1 400 ") && sts.contains("<Code>IncompleteBody</Code>"), sts);
            // S3, anonymous: refused (or, had it read, IncompleteBody), never an internal error.
            String s3 = exchange("PUT /some-bucket/key HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n" + chunks);
            assertTrue(s3.matches("(?s)HTTP/1.1 4\\d\\d .*") && !s3.contains("InternalError"), s3);
            assertFalse(sts.endsWith("[open]") || s3.endsWith("[open]"), sts + s3);
        }
        String smuggling = exchange("POST / HTTP/1.1\r\n" + host + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /_crossrole/health HTTP/1.1\r\n"
                + host + "\r\n");
        assertTrue(smuggling.startsWith("HTTP/1.1 400 "), smuggling);
        assertEquals(1, HttpFramingTest.responses(smuggling), smuggling);
        assertTrue(severe.isEmpty(), () -> "SEVERE: " + severe.get(0).getMessage());
    }
}
