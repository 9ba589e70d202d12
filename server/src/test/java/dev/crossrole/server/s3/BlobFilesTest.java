package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A blob id names a file in the blob directory and nothing else: no separator, no dot, nothing empty or long. */
class BlobFilesTest {
    @TempDir
    Path dir;

    @Test
    void idsAreLettersDigitsUnderscoresAndHyphensUpTo128() {
        assertTrue(BlobFiles.isId("a"));
        assertTrue(BlobFiles.isId("Zz09_-" + "x".repeat(122)));
        assertFalse(BlobFiles.isId(""));
        assertFalse(BlobFiles.isId("x".repeat(129)));
        for (String refused : new String[] {"../etc", "a/b", "a\\b", ".", "a.b", "a b", "é", "a\u0000", "a:b"}) {
            assertFalse(BlobFiles.isId(refused), refused);
        }
    }

    @Test
    void aPathOutsideTheDirectoryIsNeverLookedAt() throws Exception {
        Files.writeString(dir.resolve("outside"), "x");
        BlobFiles blobs = new BlobFiles(dir.resolve("blobs"));
        assertThrows(IllegalArgumentException.class, () -> blobs.exists("../outside"));
        assertFalse(blobs.exists("missing"));
        assertEquals(false, blobs.exists("outside"));
    }
}
