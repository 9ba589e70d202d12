package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * A 160 MiB object up and down through a crossrole on PostgreSQL (bytes in the database) whose JVM has a
 * 96 MiB heap (a separate process): had the blob store held the body, the server would have run out of
 * memory. An upload cut off midway leaves no row behind.
 */
class S3LargeObjectPostgresTest {
    private static final long SIZE = 160L * 1024 * 1024;

    private static EmbeddedPostgres postgres;
    private static Process server;
    private static Path dataDir;
    private static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE crossrole_large");
        }
        dataDir = Files.createTempDirectory("crossrole-large-pg");
        ServeProcess serve = ServeProcess.start(dataDir, dataDir, List.of("-Xmx96m", "-XX:+ExitOnOutOfMemoryError"), "--store",
                "postgresql://postgres@localhost:" + postgres.getPort() + "/crossrole_large");
        server = serve.process();
        String endpoint = serve.endpoint();
        ProfileFile credentials = ProfileFile.builder().content(dataDir.resolve("credentials"))
                .type(ProfileFile.Type.CREDENTIALS).build();
        s3 = S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(ProfileCredentialsProvider.builder().profileFile(credentials)
                        .profileName("destination").build())
                .httpClient(ApacheHttpClient.create()).build();
        s3.createBucket(b -> b.bucket("large"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static long rows(String sql) throws Exception {
        try (Connection c = postgres.getDatabase("postgres", "crossrole_large").getConnection();
             Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void aLargeObjectUpAndDownThroughASmallHeap() throws Exception {
        List<S3LargeObjectTest.Generated> attempts = new ArrayList<>();
        s3.putObject(b -> b.bucket("large").key("large.bin"), RequestBody.fromContentProvider(() -> {
            try {
                S3LargeObjectTest.Generated g = new S3LargeObjectTest.Generated(SIZE, Long.MAX_VALUE);
                attempts.add(g);
                return g;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, SIZE, "application/octet-stream"));
        String uploadedMd5 = attempts.get(attempts.size() - 1).md5Hex();
        assertEquals("\"" + uploadedMd5 + "\"", s3.headObject(b -> b.bucket("large").key("large.bin")).eTag());
        assertEquals(160, rows("SELECT count(*) FROM crossrole.s3_blob_chunks"), "1 MiB chunks");

        MessageDigest downloaded = MessageDigest.getInstance("MD5");
        long size = 0;
        byte[] lastTen = new byte[10];
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket("large").key("large.bin"))) {
            assertEquals(SIZE, in.response().contentLength());
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                downloaded.update(buffer, 0, n);
                size += n;
                for (int i = Math.max(0, n - 10); i < n; i++) {
                    System.arraycopy(lastTen, 1, lastTen, 0, 9);
                    lastTen[9] = buffer[i];
                }
            }
        }
        assertEquals(SIZE, size);
        assertEquals(uploadedMd5, HexFormat.of().formatHex(downloaded.digest()));

        // A range late in the object reads only its chunks; the same bytes as the whole read had there.
        byte[] tail = s3.getObjectAsBytes(b -> b.bucket("large").key("large.bin")
                .range("bytes=" + (SIZE - 10) + "-")).asByteArray();
        org.junit.jupiter.api.Assertions.assertArrayEquals(lastTen, tail);
        assertTrue(server.isAlive(), "the 96 MiB server survived");
        s3.deleteObject(b -> b.bucket("large").key("large.bin"));
        assertEquals(0, rows("SELECT count(*) FROM crossrole.s3_blob_chunks"));
        assertEquals(0, rows("SELECT count(*) FROM crossrole.s3_blobs"));
    }

    @Test
    void anUploadCutOffMidwayLeavesNoRows() throws Exception {
        assertThrows(SdkException.class, () -> s3.putObject(b -> b.bucket("large").key("cut-off.bin"),
                RequestBody.fromContentProvider(() -> {
                    try {
                        return new S3LargeObjectTest.Generated(64L * 1024 * 1024, 8L * 1024 * 1024);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, 64L * 1024 * 1024, "application/octet-stream")));
        assertThrows(NoSuchKeyException.class, () -> s3.headObject(b -> b.bucket("large").key("cut-off.bin")));
        // The server notices the closed connection and rolls the blob's transaction back. A blob write is the
        // transaction that has written chunk rows (it holds RowExclusiveLock on them); reads, such as the node's own
        // catch-up, are briefly idle in a transaction too and must not count.
        String leftOpen = "SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid"
                + " WHERE a.state LIKE 'idle in transaction%' AND l.relation = 'crossrole.s3_blob_chunks'::regclass"
                + " AND l.mode = 'RowExclusiveLock'";
        // The client gives up before the server has read what was already sent: a first look can come before the
        // blob's transaction began. Settled means nothing written and nothing open for a whole second in a row.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long chunks;
        int quietLooks = 0;
        do {
            chunks = rows("SELECT count(*) FROM crossrole.s3_blob_chunks");
            quietLooks = chunks == 0 && rows(leftOpen) == 0 ? quietLooks + 1 : 0;
            if (quietLooks == 10) {
                break;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        assertEquals(0, chunks);
        assertEquals(0, rows(leftOpen), "no blob write left open");
        assertTrue(server.isAlive());
    }
}
