package dev.crossrole.server.s3;

import dev.crossrole.server.store.PrivateFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Object and part bytes ("blobs"), one file per blob named by the id of the object or part it holds, in one
 * folder of the data directory; the folder is 0700 and every blob 0600 from its creation ({@link PrivateFiles}). A blob is written under a temporary name, fsynced and renamed before the
 * record that references it is committed, so a committed record always finds its bytes; a blob no record
 * references is deleted after the commit that dropped it, or by {@link #sweep} at start.
 */
final class BlobFiles implements BlobStore {
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path dir;

    BlobFiles(Path dir) throws IOException {
        this.dir = dir;
        PrivateFiles.createDirectories(dir);
    }

    Path dir() {
        return dir;
    }

    /** A blob being written: bytes go to {@link #channel}; {@link #publish} makes it durable under its id. */
    final class FilePending implements BlobStore.Pending {
        private final Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        private final FileChannel channel;
        private boolean published;

        private FilePending() throws IOException {
            channel = PrivateFiles.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }

        @Override
        public FileChannel channel() {
            return channel;
        }

        @Override
        public void publish(String id) throws IOException {
            channel.force(true);
            channel.close();
            move(temp, path(id));
            syncDirectory();
            published = true;
        }

        /** Deletes the temporary file unless it was published. */
        @Override
        public void close() throws IOException {
            channel.close();
            if (!published) {
                Files.deleteIfExists(temp);
            }
        }
    }

    @Override
    public FilePending create() throws IOException {
        return new FilePending();
    }

    @Override
    public boolean exists(String id) {
        return Files.isRegularFile(path(id));
    }

    /** Writes bytes {@code [offset, offset + length)} of a blob. */
    @Override
    public void copyRange(String id, long offset, long length, OutputStream out) throws IOException {
        Path file = path(id);
        byte[] bytes = CopyBuffers.take();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long position = offset;
            long end = offset + length;
            while (position < end) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), end - position));
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new IOException("blob " + file + " is shorter than its object's size");
                }
                out.write(bytes, 0, n);
                position += n;
            }
        } finally {
            CopyBuffers.release(bytes);
        }
    }

    @Override
    public String describe() {
        return dir.toString();
    }

    /** Makes {@code source} the blob {@code id}, by a hard link where the file system allows one. */
    @Override
    public void link(String id, Path source) throws IOException {
        Path target = path(id);
        try {
            Files.createLink(target, source);
            PrivateFiles.restrict(target); // one inode: the source loses group and other access too
        } catch (FileAlreadyExistsException e) {
            return;
        } catch (UnsupportedOperationException | IOException e) {
            if (Files.exists(target)) {
                return;
            }
            Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
            PrivateFiles.copy(source, temp);
            move(temp, target);
        }
        syncDirectory();
    }

    @Override
    public void delete(String id) throws IOException {
        Files.deleteIfExists(path(id));
    }

    /**
     * Deletes temporary files and blobs that no record references, when last modified before {@code cutoff}
     * (a later one may be a write in flight through another node sharing the folder). Returns how many went.
     */
    @Override
    public int sweep(Set<String> referenced, Instant cutoff) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                boolean orphan = name.startsWith(TEMP_PREFIX) || !referenced.contains(name);
                if (orphan && Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(file);
                    removed++;
                }
            }
        } catch (NoSuchFileException e) {
            return removed;
        }
        return removed;
    }

    private Path path(String id) {
        if (!isId(id)) {
            throw new IllegalArgumentException("not a blob id: " + id);
        }
        return dir.resolve(id);
    }

    /** {@code [A-Za-z0-9_-]{1,128}}, as a loop: every GetObject asks, and a regular expression cost a fifth of the look. */
    static boolean isId(String id) {
        int length = id.length();
        if (length < 1 || length > 128) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private void syncDirectory() throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the rename is then as durable as they make it.
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
