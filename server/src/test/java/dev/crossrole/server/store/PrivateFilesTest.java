package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files and folders are created private; a loose tree is tightened without following links. */
class PrivateFilesTest {
    @TempDir
    Path dir;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static void chmod(Path p, String mode) throws Exception {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    }

    @Test
    void everythingIsCreatedPrivate() throws Exception {
        Path nested = dir.resolve("a/b/c");
        PrivateFiles.createDirectories(nested);
        for (Path p = nested; !p.equals(dir); p = p.getParent()) {
            assertEquals("rwx------", mode(p), p.toString());
        }
        assertEquals("rw-------", mode(PrivateFiles.createFile(nested.resolve("empty"))));
        try (FileChannel channel = PrivateFiles.open(nested.resolve("journal"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            assertEquals("rw-------", mode(nested.resolve("journal")));
        }
        try (OutputStream out = PrivateFiles.newOutputStream(nested.resolve("export"))) {
            out.write(1);
        }
        assertEquals("rw-------", mode(nested.resolve("export")));
        Path source = Files.writeString(dir.resolve("loose"), "bytes");
        chmod(source, "rw-rw-rw-");
        PrivateFiles.copy(source, nested.resolve("copy"));
        assertEquals("rw-------", mode(nested.resolve("copy")));
        assertEquals("bytes", Files.readString(nested.resolve("copy")));
    }

    @Test
    void aLooseTreeIsTightenedFoldersFirstWithoutFollowingLinks() throws Exception {
        Path root = dir.resolve("data");
        Path blobs = Files.createDirectories(root.resolve("s3/blobs"));
        Path task = Files.createDirectories(root.resolve("tasks/t1/logs"));
        Files.createDirectories(root.resolve("tasks/t1/.aws"));
        Path own = Files.writeString(root.resolve("tasks/t1/.aws/config"), "x");
        Path log = Files.writeString(task.resolve("app.log"), "x");
        Path blob = Files.writeString(blobs.resolve("b1"), "x");
        Path script = Files.writeString(root.resolve("run.sh"), "x");
        Path outside = Files.writeString(dir.resolve("outside"), "x");
        Files.createSymbolicLink(root.resolve("link"), outside);
        for (Path p : new Path[] {root, root.resolve("s3"), blobs, root.resolve("tasks"), root.resolve("tasks/t1"), task,
                root.resolve("tasks/t1/.aws")}) {
            chmod(p, "rwxr-xr-x");
        }
        for (Path p : new Path[] {own, log, blob, outside}) {
            chmod(p, "rw-r--r--");
        }
        chmod(script, "rwxrwxr-x");

        PrivateFiles.Tightened tightened = PrivateFiles.tighten(root, rel -> rel.getNameCount() == 3
                && rel.getName(0).toString().equals("tasks") && !rel.getName(2).toString().equals("logs"));
        assertEquals(6, tightened.folders());
        assertEquals(3, tightened.files());
        assertTrue(tightened.failed().isEmpty());
        for (Path p : new Path[] {root, root.resolve("s3"), blobs, root.resolve("tasks"), root.resolve("tasks/t1"), task}) {
            assertEquals("rwx------", mode(p), p.toString());
        }
        assertEquals("rw-------", mode(log));
        assertEquals("rw-------", mode(blob));
        assertEquals("rwx------", mode(script), "owner bits stay: only group and other access goes");
        assertEquals("rw-r--r--", mode(outside), "a link is not followed");
        assertEquals("rwxr-xr-x", mode(root.resolve("tasks/t1/.aws")), "a task's own files are left alone");
        assertEquals("rw-r--r--", mode(own));

        PrivateFiles.Tightened again = PrivateFiles.tighten(root, rel -> false);
        assertEquals(1, again.folders(), "only the task's own folder was left");
        assertEquals(1, again.files(), "and its file");
    }
}
