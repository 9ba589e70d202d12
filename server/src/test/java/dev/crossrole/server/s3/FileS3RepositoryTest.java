package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Objects are one file each, visible only when complete, and found again after a restart. */
class FileS3RepositoryTest {
    @TempDir
    Path root;

    private static StoredObject object(String key, ObjectWriter.Written written) {
        return new StoredObject(key, "id-" + key, written.size(), "\"" + written.md5Hex() + "\"",
                Instant.parse("2026-01-01T00:00:00Z"), Map.of("Content-Type", "text/plain"), Map.of("m", "1"), Map.of(),
                Map.of("t", "1"), 0);
    }

    private static String read(ObjectSource source, long offset, long length) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        source.copyRange(offset, length, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void objectsAndTagsSurviveARestart() throws Exception {
        FileS3Repository repository = new FileS3Repository(root);
        repository.createIfAbsent(new Bucket("b", "555566667777", "us-east-1", Instant.EPOCH, null, null));
        StoredObject stored = repository.putObject("b", "dir/key", new ByteArrayInputStream("hello world"
                .getBytes(StandardCharsets.UTF_8)), written -> object("dir/key", written));
        repository.putTags("b", stored, Map.of("x", "y"));
        Files.writeString(root.resolve("buckets/b/objects/.tmp-left-by-a-crash"), "partial");

        FileS3Repository reopened = new FileS3Repository(root);
        ObjectSource source = reopened.open("b", "dir/key").orElseThrow();
        assertEquals(11, source.object().size());
        assertEquals(Map.of("x", "y"), source.object().tags());
        assertEquals("world", read(source, 6, 5));
        assertEquals("555566667777", reopened.bucket("b").orElseThrow().owner());
        try (Stream<Path> files = Files.list(root.resolve("buckets/b/objects"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "leftovers removed");
        }
    }

    @Test
    void aFailedWriteLeavesTheOldObjectAndNoFile() throws Exception {
        FileS3Repository repository = new FileS3Repository(root);
        repository.createIfAbsent(new Bucket("b", "555566667777", "us-east-1", Instant.EPOCH, null, null));
        repository.putObject("b", "k", new ByteArrayInputStream("old".getBytes(StandardCharsets.UTF_8)),
                written -> object("k", written));
        InputStream broken = new InputStream() {
            private int served;

            @Override
            public int read() throws IOException {
                if (served++ > 100_000) {
                    throw new IOException("client went away");
                }
                return 'x';
            }
        };
        assertThrows(IOException.class, () -> repository.putObject("b", "k", broken, written -> object("k", written)));
        assertThrows(S3Exception.class, () -> repository.putObject("b", "k", new ByteArrayInputStream(new byte[10]),
                written -> {
                    throw S3Exception.invalidRequest("refused after reading");
                }));
        assertEquals("old", read(repository.open("b", "k").orElseThrow(), 0, 3));
        try (Stream<Path> files = Files.list(root.resolve("buckets/b/objects"))) {
            assertEquals(1, files.count());
        }
        assertEquals(List.of("k"), List.copyOf(repository.objects("b").keySet()));
        assertTrue(!repository.deleteBucket("b"), "a bucket with objects stays");
        repository.deleteObject("b", "k");
        assertTrue(repository.deleteBucket("b"));
    }
}
