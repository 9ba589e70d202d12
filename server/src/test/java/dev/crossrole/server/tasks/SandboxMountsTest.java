package dev.crossrole.server.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules for mount points that the public interface cannot reach on every machine: symbolic links, ld.so.conf. */
class SandboxMountsTest {

    private static SandboxMounts.Rules rules(Path task, List<Path> system) {
        TaskUser.Self self = TaskUser.Self.ofThisProcess();
        TaskUser user = new TaskUser(self.uid(), self.gid(), "self");
        // No folder of the sandbox's own here: @TempDir is under /tmp, and these paths must be read as the host's.
        return new SandboxMounts.Rules(List.of(), List.of(), task, system, p -> false,
                new HostAccess(user, false, self.uid()));
    }

    private static TaskRuntime.Mount mount(Path source, String containerPath) {
        return new TaskRuntime.Mount("v", new TaskRuntime.MountSource.HostPath(source.toString()), containerPath, true);
    }

    @Test
    void aContainerPathIsCheckedAgainByWhereItsLinksLead(@TempDir Path dir) throws Exception {
        Path source = Files.createDirectory(dir.resolve("source"));
        Path protectedFolder = Files.createDirectory(dir.resolve("system"));
        Path link = Files.createSymbolicLink(dir.resolve("innocent"), protectedFolder);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        IOException e = assertThrows(IOException.class, () -> SandboxMounts.binds(List.of(mount(source, link.toString())),
                rules(Path.of("/nonexistent/task"), List.of(protectedFolder.toRealPath()))));
        assertEquals("volume 'v' cannot be mounted at " + link + ": " + protectedFolder.toRealPath() + " would be in or over "
                + protectedFolder.toRealPath() + ", which the sandbox starts the container's command from before it drops"
                + " its privileges", e.getMessage());
    }

    @Test
    void anExistingHostPathIsBoundAtItsRealPath(@TempDir Path dir) throws Exception {
        Path source = Files.createDirectory(dir.resolve("source"));
        Path target = Files.createDirectory(dir.resolve("target"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        List<SandboxPlan.Bind> binds = SandboxMounts.binds(List.of(mount(source, link.toString())),
                rules(Path.of("/nonexistent/task"), List.of()));
        assertEquals(List.of(new SandboxPlan.Bind(source.toRealPath(), target.toRealPath(), true)), binds);
        // Through a link in the middle of the path: the link is not a folder others may write, its target is checked.
        Path inner = Files.createDirectory(target.resolve("inner"));
        assertEquals(List.of(new SandboxPlan.Bind(source.toRealPath(), inner.toRealPath(), true)), SandboxMounts.binds(
                List.of(mount(source, link.resolve("inner").toString())), rules(Path.of("/nonexistent/task"), List.of())));
        IOException kind = assertThrows(IOException.class, () -> SandboxMounts.binds(
                List.of(mount(Files.writeString(dir.resolve("file"), "x"), target.toString())),
                rules(Path.of("/nonexistent/task"), List.of())));
        assertTrue(kind.getMessage().endsWith("the source is a file and " + target + " is not"), kind.getMessage());
    }

    @Test
    void theLibraryFoldersOfLdSoConfAndTheFolderOfSetprivAreProtected(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("ld.so.conf");
        Path included = Files.createDirectory(dir.resolve("ld.so.conf.d"));
        Files.writeString(conf, "# the configuration\ninclude ld.so.conf.d/*.conf\n/opt/vendor/lib\n");
        Files.writeString(included.resolve("a.conf"), "/usr/local/lib # default\n/opt/gpu/lib64:/opt/other\n");
        Files.writeString(included.resolve("skipped.txt"), "/opt/not-included\n");
        List<Path> folders = SandboxMounts.systemFolders(List.of(Path.of("/opt/tools/bin/setpriv")), conf);
        for (String expected : List.of("/etc", "/usr", "/lib", "/opt/tools/bin", "/opt/vendor/lib", "/usr/local/lib",
                "/opt/gpu/lib64", "/opt/other")) {
            assertTrue(folders.contains(Path.of(expected)), expected + " in " + folders);
        }
        assertTrue(!folders.contains(Path.of("/opt/not-included")) && !folders.contains(Path.of("/")), folders.toString());
    }
}
