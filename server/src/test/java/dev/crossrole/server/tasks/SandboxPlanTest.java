package dev.crossrole.server.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order of the sandbox's mounts: each later one goes over the earlier ones. */
class SandboxPlanTest {
    private static final Path HOME = Path.of("/root");
    private static final Path DATA = Path.of("/tmp/crossrole-data");
    private static final Path TASK = DATA.resolve("tasks/0123abcd");

    private static List<String> plan(Path home, List<Path> tools, List<Path> hidden, Path task, boolean privileged,
                                     java.util.function.Predicate<Path> enterable) {
        return new SandboxPlan(List.of(home), tools, hidden, task, task, privileged, enterable, List.of()).arguments();
    }

    /** Where {@code option arg...} starts in the arguments; fails when it is not there. */
    private static int at(List<String> args, String... option) {
        int index = Collections.indexOfSubList(args, List.of(option));
        assertTrue(index >= 0, String.join(" ", option) + " in " + args);
        return index;
    }

    @Test
    void laterMountsGoOverEarlierOnes() {
        List<String> args = plan(HOME, List.of(HOME.resolve(".pyenv")), List.of(DATA), TASK, true, p -> true);
        int host = at(args, "--ro-bind", "/", "/");
        int tmp = at(args, "--perms", "1777", "--tmpfs", "/tmp");
        int home = at(args, "--perms", "0755", "--tmpfs", "/root");
        int tool = at(args, "--ro-bind", "/root/.pyenv", "/root/.pyenv");
        int data = at(args, "--perms", "0755", "--tmpfs", DATA.toString());
        int task = at(args, "--bind", TASK.toString(), TASK.toString());
        assertEquals(0, host);
        assertTrue(host < tmp && tmp < home && home < tool && tool < data && data < task, args.toString());
        assertFalse(args.stream().anyMatch(a -> a.contains(".logs")), "the task's logs are not shown: " + args);
        // The folder between the hidden data directory and the task's folder is made, enterable, before the bind.
        int tasksFolder = at(args, "--perms", "0755", "--dir", DATA.resolve("tasks").toString());
        assertTrue(data < tasksFolder && tasksFolder < task, args.toString());
        assertEquals(List.of("--chdir", TASK.toString()), args.subList(at(args, "--chdir"), at(args, "--chdir") + 2));
        at(args, "--dev", "/dev");
        at(args, "--perms", "1777", "--tmpfs", "/dev/shm");
        at(args, "--proc", "/proc");
        for (String flag : List.of("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--new-session", "--die-with-parent")) {
            assertTrue(args.contains(flag), flag);
        }
        assertFalse(args.contains("--unshare-net"), "the credentials endpoint is on the host's loopback");
        assertFalse(args.contains("--unshare-all"));
    }

    @Test
    void withoutRootTheHostDevicesAreBound() {
        List<String> args = plan(HOME, List.of(), List.of(DATA), TASK, false, p -> true);
        int dev = at(args, "--dev-bind", "/dev", "/dev");
        assertFalse(args.contains("--dev"), "a fresh /dev would make bwrap nest a user namespace nsenter cannot join");
        assertTrue(dev < at(args, "--perms", "0755", "--tmpfs", "/dev/pts"), "the host's terminals are hidden");
    }

    @Test
    void aFolderTheTaskUserCannotEnterIsHiddenSoTheTaskFolderCanBeReachedBelowIt() {
        Path secret = Path.of("/srv/secret");
        Path data = secret.resolve("crossrole");
        Path task = data.resolve("tasks/0123abcd");
        List<String> args = plan(HOME, List.of(), List.of(data), task, true, p -> !p.equals(secret));
        int hiddenData = at(args, "--perms", "0755", "--tmpfs", data.toString());
        int hiddenSecret = at(args, "--perms", "0755", "--tmpfs", secret.toString());
        int madeData = at(args, "--perms", "0755", "--dir", data.toString());
        int madeTasks = at(args, "--perms", "0755", "--dir", data.resolve("tasks").toString());
        int bind = at(args, "--bind", task.toString(), task.toString());
        assertTrue(hiddenData < hiddenSecret && hiddenSecret < madeData && madeData < madeTasks && madeTasks < bind,
                args.toString());
        assertFalse(args.contains("/srv") && Collections.indexOfSubList(args, List.of("--tmpfs", "/srv")) >= 0,
                "an enterable folder stays visible");
    }

    @Test
    void everyHomeIsHiddenBeforeTheToolFoldersArePutBack() {
        Path other = Path.of("/home/dev");
        List<String> args = new SandboxPlan(List.of(HOME, other), List.of(other.resolve(".local")), List.of(DATA), TASK,
                TASK, true, p -> true, List.of()).arguments();
        int root = at(args, "--perms", "0755", "--tmpfs", "/root");
        int dev = at(args, "--perms", "0755", "--tmpfs", "/home/dev");
        int tool = at(args, "--ro-bind", "/home/dev/.local", "/home/dev/.local");
        assertTrue(root < tool && dev < tool, args.toString());
    }

    @Test
    void aHomeThatIsTheRootIsNotHidden() {
        List<String> args = plan(Path.of("/"), List.of(), List.of(DATA), TASK, true, p -> true);
        assertEquals(-1, Collections.indexOfSubList(args, List.of("--tmpfs", "/")), args.toString());
    }

    @Test
    void toolFoldersAreTheTopFoldersOfPathEntriesInTheHome(@TempDir Path home) throws IOException {
        Files.createDirectories(home.resolve(".pyenv/shims"));
        Files.createDirectories(home.resolve(".pyenv/bin"));
        Files.createDirectories(home.resolve(".cargo/bin"));
        List<Path> entries = List.of(home.resolve(".pyenv/shims"), Path.of("/usr/bin"), home.resolve(".pyenv/bin"),
                home, home.resolve(".cargo/bin"), home.resolve(".missing/bin"),
                Path.of(home + "-sibling/bin"));
        assertEquals(List.of(home.resolve(".pyenv"), home.resolve(".cargo")),
                SandboxRuntime.toolFolders(List.of(home), entries));
        assertEquals(List.of(), SandboxRuntime.toolFolders(List.of(Path.of("/")), entries), "a home of / exposes nothing");
    }

    @Test
    void mountPointsAreBoundLastEachThroughFoldersTheTaskUserMayPass() {
        Path source = Path.of("/srv/shared");
        List<SandboxPlan.Bind> binds = List.of(new SandboxPlan.Bind(source, Path.of("/tmp/in/data"), true),
                new SandboxPlan.Bind(Path.of("/srv/out"), Path.of("/mnt/out"), false));
        SandboxPlan plan = new SandboxPlan(List.of(HOME), List.of(HOME.resolve(".pyenv")), List.of(DATA), TASK,
                TASK, true, p -> true, binds);
        List<String> args = plan.arguments();
        int logs = at(args, "--bind", TASK.toString(), TASK.toString());
        int made = at(args, "--perms", "0755", "--dir", "/tmp/in");
        int readOnly = at(args, "--ro-bind", "/srv/shared", "/tmp/in/data");
        int writable = at(args, "--bind", "/srv/out", "/mnt/out");
        int chdir = at(args, "--chdir", TASK.toString());
        assertTrue(logs < made && made < readOnly && readOnly < writable && writable < chdir, args.toString());
        // Where the sandbox has its own empty folders, it can make a mount point; elsewhere it shows the host.
        assertTrue(plan.madeBySandbox(Path.of("/tmp/in/data")));
        assertTrue(plan.madeBySandbox(DATA.resolve("elsewhere")));
        assertTrue(plan.madeBySandbox(HOME.resolve(".aws")));
        assertFalse(plan.madeBySandbox(HOME.resolve(".pyenv/bin")), "a tool folder is the host's, read-only");
        assertFalse(plan.madeBySandbox(TASK.resolve("sub")), "the task's folder is the host's");
        assertFalse(plan.madeBySandbox(Path.of("/mnt/out")));
    }
}
