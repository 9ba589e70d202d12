package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The form reader finds each part's end however the body arrives, and refuses a body that is not a form. */
class PostObjectFormTest {
    /** A stream that hands out one byte, then two, then three ... at a time. */
    private static InputStream trickle(byte[] bytes) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            private int next = 1;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, Math.min(len, next));
                next = next % 13 + 1;
                return n;
            }
        };
    }

    @Test
    void partsAreFoundAcrossReads() throws IOException {
        byte[] file = new byte[50_000];
        new Random(9).nextBytes(file);
        // a file holding what almost is the delimiter
        byte[] near = "\r\n--boundar".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(near, 0, file, 1000, near.length);
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("preamble\r\n--boundary\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuploads/a"
                + "\r\n--boundary\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--boundary\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nContent-Type: x/y\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        body.writeBytes(file);
        body.writeBytes("\r\n--boundary--\r\n".getBytes(StandardCharsets.ISO_8859_1));
        PostObject.FormReader reader = new PostObject.FormReader(trickle(body.toByteArray()), "boundary");
        PostObject.FormReader.Part key = reader.next();
        assertEquals("key", key.name());
        assertEquals("uploads/a", key.value());
        assertEquals("", reader.next().value());
        PostObject.FormReader.Part part = reader.next();
        assertEquals("a.bin", part.filename());
        assertArrayEquals(file, part.content().readAllBytes());
        assertNull(reader.next());
    }

    @Test
    void aBodyWithoutItsDelimiterIsMalformed() {
        PostObject.FormReader reader = new PostObject.FormReader(new ByteArrayInputStream(
                "--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nno end".getBytes(StandardCharsets.UTF_8)),
                "b");
        S3Exception e = assertThrows(S3Exception.class, reader::next);
        assertEquals("MalformedPOSTRequest", e.code());
    }
}
