package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
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
 * A 1 GiB object up and down through a crossrole whose JVM has a 96 MiB heap (a separate process):
 * had any stage held the body, the server would have run out of memory. Also: an upload cut off
 * midway stores nothing and leaves no temporary file.
 */
class S3LargeObjectTest {
    private static final long GIB = 1024L * 1024 * 1024;

    private static Process server;
    private static Path dataDir;
    private static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("crossrole-large");
        ServeProcess serve = ServeProcess.start(dataDir, dataDir, List.of("-Xmx96m", "-XX:+ExitOnOutOfMemoryError"));
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
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** {@code length} pseudo-random bytes made on the fly, digesting what it hands out. */
    static final class Generated extends InputStream {
        private final byte[] block = new byte[1024 * 1024];
        private final MessageDigest md5;
        private final long failAfter;
        private long remaining;
        private long served;

        Generated(long length, long failAfter) throws Exception {
            new Random(2026).nextBytes(block);
            this.remaining = length;
            this.failAfter = failAfter;
            this.md5 = MessageDigest.getInstance("MD5");
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            if (served >= failAfter) {
                throw new IOException("the source broke off");
            }
            int position = (int) (served % block.length);
            int n = (int) Math.min(Math.min(len, remaining), block.length - position);
            System.arraycopy(block, position, b, off, n);
            block[position] ^= (byte) (served >>> 20); // vary the blocks so no two MiB are alike
            md5.update(b, off, n);
            remaining -= n;
            served += n;
            return n;
        }

        String md5Hex() {
            return HexFormat.of().formatHex(md5.digest());
        }
    }

    @Test
    void oneGibibyteUpAndDownThroughASmallHeap() throws Exception {
        List<Generated> attempts = new ArrayList<>();
        s3.putObject(b -> b.bucket("large").key("one-gib.bin"), RequestBody.fromContentProvider(() -> {
            try {
                Generated g = new Generated(GIB, Long.MAX_VALUE);
                attempts.add(g);
                return g;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, GIB, "application/octet-stream"));
        String uploadedMd5 = attempts.get(attempts.size() - 1).md5Hex();
        assertEquals("\"" + uploadedMd5 + "\"", s3.headObject(b -> b.bucket("large").key("one-gib.bin")).eTag());

        MessageDigest downloaded = MessageDigest.getInstance("MD5");
        long size = 0;
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket("large").key("one-gib.bin"))) {
            assertEquals(GIB, in.response().contentLength());
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                downloaded.update(buffer, 0, n);
                size += n;
            }
        }
        assertEquals(GIB, size);
        assertEquals(uploadedMd5, HexFormat.of().formatHex(downloaded.digest()));
        assertTrue(server.isAlive(), "the 96 MiB server survived");
        s3.deleteObject(b -> b.bucket("large").key("one-gib.bin"));
    }

    @Test
    void anUploadCutOffMidwayStoresNothing() throws Exception {
        assertThrows(SdkException.class, () -> s3.putObject(b -> b.bucket("large").key("cut-off.bin"),
                RequestBody.fromContentProvider(() -> {
                    try {
                        return new Generated(64L * 1024 * 1024, 8L * 1024 * 1024);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, 64L * 1024 * 1024, "application/octet-stream")));
        assertThrows(NoSuchKeyException.class, () -> s3.headObject(b -> b.bucket("large").key("cut-off.bin")));
        // The server notices the closed connection and removes its temporary blob.
        Path objects = dataDir.resolve("s3/blobs");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> leftovers;
        do {
            try (Stream<Path> files = Files.list(objects)) {
                leftovers = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".tmp-")).toList();
            }
            if (leftovers.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        assertEquals(List.of(), leftovers);
    }
}
