package dev.crossrole.server.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The data directory: the embedded store and the files written for users (the AWS CLI credentials file);
 * files are written whole and atomically (temp file, fsync, rename), secrets with mode 0600.
 */
public final class DataDirectory {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private final Path root;

    public DataDirectory(Path root) throws IOException {
        this.root = root.toAbsolutePath();
        Files.createDirectories(this.root);
    }

    public Path root() {
        return root;
    }

    public Path resolve(String name) {
        return root.resolve(name);
    }

    public void writeSecret(String name, String content) throws IOException {
        write(name, content, true);
    }

    public void write(String name, String content, boolean ownerOnly) throws IOException {
        Path target = root.resolve(name);
        Path temp = root.resolve(name + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp);
        if (ownerOnly) {
            restrict(temp);
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        if (ownerOnly) {
            restrict(target);
        }
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: nothing finer to set.
        }
    }

    public String read(String name) throws IOException {
        Path file = root.resolve(name);
        return Files.exists(file) ? Files.readString(file) : null;
    }
}
