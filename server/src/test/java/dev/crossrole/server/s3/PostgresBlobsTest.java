package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.store.Store;
import dev.crossrole.server.store.Stores;
import dev.crossrole.server.store.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PostgreSQL blob store on a real (embedded) PostgreSQL, with 16-byte chunks so ranges cross chunks. */
class PostgresBlobsTest {
    private static final int CHUNK = 16;

    @TempDir
    Path dir;

    private Store store;
    private PostgresBlobs blobs;

    @BeforeEach
    void open() {
        store = Stores.open(TestPostgres.newDatabase(), dir);
        blobs = new PostgresBlobs(store.database().orElseThrow(), CHUNK);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Writes in uneven pieces, as a body arrives. */
    private void write(String id, byte[] bytes) throws IOException {
        try (BlobStore.Pending pending = blobs.create()) {
            int position = 0;
            int piece = 1;
            while (position < bytes.length) {
                int n = Math.min(piece, bytes.length - position);
                pending.channel().write(ByteBuffer.wrap(bytes, position, n));
                position += n;
                piece = piece * 3 + 1;
            }
            pending.publish(id);
        }
    }

    private byte[] read(String id, long offset, long length) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        blobs.copyRange(id, offset, length, out);
        return out.toByteArray();
    }

    private long count(String sql) throws Exception {
        try (Connection c = store.database().orElseThrow().get(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private long chunks() throws Exception {
        return count("SELECT count(*) FROM crossrole.s3_blob_chunks");
    }

    @Test
    void aBlobIsReadWholeAndByRangesAcrossChunks() throws Exception {
        byte[] bytes = random(100, 1);
        write("one", bytes);
        assertTrue(blobs.exists("one"));
        assertEquals(7, chunks(), "100 bytes in 16-byte chunks");
        assertArrayEquals(bytes, read("one", 0, 100));
        for (int[] range : new int[][] {{0, 1}, {15, 2}, {16, 16}, {3, 60}, {99, 1}, {96, 4}, {40, 0}}) {
            assertArrayEquals(Arrays.copyOfRange(bytes, range[0], range[0] + range[1]), read("one", range[0], range[1]),
                    "bytes " + range[0] + "+" + range[1]);
        }
        IOException tooLong = assertThrows(IOException.class, () -> read("one", 90, 11));
        assertTrue(tooLong.getMessage().contains("shorter"), tooLong.getMessage());
        assertThrows(IOException.class, () -> read("absent", 0, 1));
        assertFalse(blobs.exists("absent"));
    }

    @Test
    void anEmptyBlobHasNoChunks() throws Exception {
        write("empty", new byte[0]);
        assertTrue(blobs.exists("empty"));
        assertEquals(0, chunks());
        assertArrayEquals(new byte[0], read("empty", 0, 0));
    }

    @Test
    void aReplacedBlobLeavesOnlyTheNewBytesAndADeletedOneNothing() throws Exception {
        write("one", random(100, 1));
        byte[] replacement = random(20, 2);
        write("one", replacement);
        assertArrayEquals(replacement, read("one", 0, 20));
        assertEquals(2, chunks());
        blobs.delete("one");
        assertFalse(blobs.exists("one"));
        assertEquals(0, chunks());
        assertEquals(0, count("SELECT count(*) FROM crossrole.s3_blobs"));
        blobs.delete("one"); // deleting what is gone is no error, as for files
    }

    @Test
    void aWriteNeverPublishedLeavesNothing() throws Exception {
        try (BlobStore.Pending pending = blobs.create()) {
            pending.channel().write(ByteBuffer.wrap(random(50, 3)));
            // the body broke off: closed without publish
        }
        assertEquals(0, chunks());
        assertEquals(0, count("SELECT count(*) FROM crossrole.s3_blobs"));
        // and the connection it used is fine for the next write
        write("after", random(40, 4));
        assertEquals(3, chunks());
    }

    @Test
    void theSweepRemovesOnlyOldUnreferencedBlobs() throws Exception {
        write("old-orphan", random(40, 1));
        write("old-kept", random(40, 2));
        write("new-orphan", random(40, 3));
        try (Connection c = store.database().orElseThrow().get(); Statement s = c.createStatement()) {
            s.execute("UPDATE crossrole.s3_blobs SET written_at = now() - interval '2 hours' WHERE id LIKE 'old-%'");
        }
        assertEquals(1, blobs.sweep(Set.of("old-kept"), Instant.now().minus(Duration.ofHours(1))));
        assertFalse(blobs.exists("old-orphan"));
        assertTrue(blobs.exists("old-kept"));
        assertTrue(blobs.exists("new-orphan"), "may be another node's write about to commit");
        assertEquals(6, chunks());
        // With no other writer (cutoff MAX), every unreferenced blob goes.
        assertEquals(1, blobs.sweep(Set.of("old-kept"), Instant.MAX));
        assertEquals(3, chunks());
    }

    @Test
    void aFileIsImportedOnceAndExported() throws Exception {
        byte[] bytes = random(70, 5);
        Path source = Files.write(dir.resolve("source"), bytes);
        blobs.link("imported", source);
        blobs.link("imported", Files.write(dir.resolve("other"), random(10, 6)));
        Path target = dir.resolve("exported");
        blobs.export("imported", 70, target);
        assertArrayEquals(bytes, Files.readAllBytes(target));
    }

    @Test
    void theDefaultChunkedStoreIsUsedForADatabaseStoreUnlessAFolderIsNamed() throws Exception {
        assertTrue(BlobStore.of(store, dir.resolve("default"), null) instanceof PostgresBlobs);
        assertTrue(BlobStore.of(store, dir.resolve("default"), dir.resolve("named")) instanceof BlobFiles);
        try (Store embedded = Stores.embedded(dir.resolve("data"))) {
            assertTrue(BlobStore.of(embedded, dir.resolve("default"), null) instanceof BlobFiles);
        }
    }
}
