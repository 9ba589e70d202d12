package dev.crossrole.server.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Files and folders only their owner can use: everything crossrole creates under its data directory (and in
 * the S3 blob folder, and the files {@code state export} writes) is created with mode 0700 (folders) or 0600
 * (files). The mode is given to the system call that creates the file, so there is no moment at which it is
 * looser; the umask can only take bits away, so after creating, a mode the umask made stricter than wanted
 * (an owner bit removed) is set exactly. On a file system without POSIX modes nothing finer is set.
 */
public final class PrivateFiles {
    public static final Set<PosixFilePermission> FOLDER_MODE = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateFiles() {}

    /** Creates {@code folder} and its missing parents, each created one 0700; returns it. */
    public static Path createDirectories(Path folder) throws IOException {
        Path absolute = folder.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return folder;
        }
        List<Path> missing = new ArrayList<>();
        for (Path p = absolute; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.add(p);
        }
        for (int i = missing.size() - 1; i >= 0; i--) {
            Path p = missing.get(i);
            try {
                if (posix(p)) {
                    Files.createDirectory(p, PosixFilePermissions.asFileAttribute(FOLDER_MODE));
                    exact(p, FOLDER_MODE);
                } else {
                    Files.createDirectory(p);
                }
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    throw e;
                }
            }
        }
        return folder;
    }

    /** Creates the empty file {@code file} (0600); fails if it exists. */
    public static Path createFile(Path file) throws IOException {
        open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return file;
    }

    /**
     * Opens {@code file} as {@link FileChannel#open} does; when the options create it ({@code CREATE} or
     * {@code CREATE_NEW}), it is created 0600. An existing file keeps its mode.
     */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> set = Set.of(options);
        boolean creates = set.contains(StandardOpenOption.CREATE_NEW)
                || (set.contains(StandardOpenOption.CREATE) && !Files.exists(file, LinkOption.NOFOLLOW_LINKS));
        if (!creates || !posix(file)) {
            return FileChannel.open(file, set);
        }
        FileChannel channel = FileChannel.open(file, set, PosixFilePermissions.asFileAttribute(FILE_MODE));
        try {
            exact(file, FILE_MODE);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    /** A new file {@code file} (0600, replacing one that exists) to write. */
    public static OutputStream newOutputStream(Path file) throws IOException {
        Files.deleteIfExists(file);
        return Channels.newOutputStream(open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    }

    /** Copies {@code source} into the new file {@code target} (0600) and forces it to disk. */
    public static void copy(Path source, Path target) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            long position = 0;
            while (position < size) {
                long n = in.transferTo(position, size - position, out);
                if (n <= 0) {
                    break; // the source shrank meanwhile
                }
                position += n;
            }
            out.force(true);
        }
    }

    /**
     * Removes group and other access from {@code path} itself (no symbolic link is followed); returns whether
     * it had any.
     */
    public static boolean restrict(Path path) throws IOException {
        if (!posix(path)) {
            return false;
        }
        PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return (attributes.isDirectory() || attributes.isRegularFile()) && tightenOne(path, attributes.permissions());
    }

    /** What {@link #tighten} changed: folders and files that had group or other access, and what it could not change. */
    public record Tightened(int folders, int files, List<Path> failed) {
        public int total() {
            return folders + files;
        }
    }

    /**
     * Removes group and other access from {@code root} and every folder and regular file below it, folders
     * before what they hold (a 0700 folder already closes everything under it to other users). Symbolic
     * links are neither followed nor changed, nor are other kinds of file. {@code leaveAlone} is given each
     * entry's path relative to {@code root} and names those that are not crossrole's to change: they are
     * neither changed nor entered.
     */
    public static Tightened tighten(Path root, Predicate<Path> leaveAlone) throws IOException {
        if (!Files.exists(root) || !posix(root)) {
            return new Tightened(0, 0, List.of());
        }
        int[] counts = new int[2];
        List<Path> failed = new ArrayList<>();
        Path real = root.toRealPath();
        Files.walkFileTree(real, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (leaveAlone.test(real.relativize(dir))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                change(dir, attrs, 0);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && !leaveAlone.test(real.relativize(file))) {
                    change(file, attrs, 1);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                if (!(e instanceof NoSuchFileException)) {
                    failed.add(file); // gone meanwhile is fine; unreadable is reported
                }
                return FileVisitResult.CONTINUE;
            }

            private void change(Path path, BasicFileAttributes attrs, int kind) throws IOException {
                // On Unix the walk's attributes are POSIX ones already: no second stat per file.
                Set<PosixFilePermission> permissions = attrs instanceof PosixFileAttributes p ? p.permissions()
                        : Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).permissions();
                try {
                    if (tightenOne(path, permissions)) {
                        counts[kind]++;
                    }
                } catch (NoSuchFileException e) {
                    // deleted meanwhile (the walk may run while crossrole serves)
                } catch (AccessDeniedException e) {
                    failed.add(path);
                }
            }
        });
        return new Tightened(counts[0], counts[1], failed);
    }

    private static boolean tightenOne(Path path, Set<PosixFilePermission> permissions) throws IOException {
        if (permissions.stream().noneMatch(GROUP_OR_OTHER::contains)) {
            return false;
        }
        Set<PosixFilePermission> owner = EnumSet.noneOf(PosixFilePermission.class);
        owner.addAll(permissions);
        owner.removeAll(GROUP_OR_OTHER);
        // Without following a link: the file is opened O_NOFOLLOW and changed through its descriptor.
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setPermissions(owner);
        return true;
    }

    /** Sets the mode exactly when the umask removed an owner bit from what creation asked for. */
    private static void exact(Path path, Set<PosixFilePermission> wanted) throws IOException {
        if (!Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).equals(wanted)) {
            Files.setPosixFilePermissions(path, wanted);
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
