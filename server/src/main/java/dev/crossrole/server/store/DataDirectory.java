package dev.crossrole.server.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The data directory: the embedded store and the files written for users (the AWS CLI credentials file);
 * files are written whole and atomically (temp file, fsync, rename). Everything in it is private to the
 * user running crossrole: the folder is 0700 and every file written 0600 ({@link PrivateFiles}).
 */
public final class DataDirectory {
    private final Path root;

    public DataDirectory(Path root) throws IOException {
        this.root = root.toAbsolutePath();
        PrivateFiles.createDirectories(this.root);
    }

    public Path root() {
        return root;
    }

    public Path resolve(String name) {
        return root.resolve(name);
    }

    /** Writes a file that holds secrets (mode 0600, as every file here). */
    public void writeSecret(String name, String content) throws IOException {
        write(name, content);
    }

    /** Replaces the file {@code name} with {@code content}, atomically and durably (mode 0600). */
    public void write(String name, String content) throws IOException {
        Path target = root.resolve(name);
        Path temp = root.resolve(name + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel channel = PrivateFiles.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public String read(String name) throws IOException {
        Path file = root.resolve(name);
        return Files.exists(file) ? Files.readString(file) : null;
    }
}
