package dev.crossrole.server.tasks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The bubblewrap arguments that build one container's sandbox. bwrap applies them in order, a later mount
 * over an earlier one, so the order is the design:
 * <ol>
 *   <li>the host read-only, a fresh {@code /proc} (of the sandbox's own PID namespace), a {@code /dev}, and
 *       empty writable {@code /tmp} and {@code /dev/shm};</li>
 *   <li>crossrole's user's home hidden behind an empty tmpfs (its {@code ~/.aws}, {@code ~/.ssh} …), then the
 *       tool folders of crossrole's PATH that lie in that home put back read-only;</li>
 *   <li>the hidden folders (crossrole's data directory, the S3 blob folder) behind empty tmpfs;</li>
 *   <li>any folder on the way to the task's folder that the task user could not enter anyway, behind an empty
 *       tmpfs, so the task's folder can be reached below it;</li>
 *   <li>the task's own folder bound back writable at its usual path, and its log folder read-only in it;</li>
 *   <li>the container's mount points, each at its containerPath.</li>
 * </ol>
 * Folders bwrap creates inside a tmpfs to hold a later mount would be 0700 root; they are made 0755 first so
 * the task user can pass through them.
 *
 * @param homes crossrole's user's home folders (its passwd entry's and $HOME, when they differ)
 * @param toolFolders folders inside them to put back read-only
 * @param hidden folders to hide (each must exist on the host)
 * @param taskDirectory the task's folder, bound writable
 * @param workingDirectory where the command starts
 * @param privileged whether bwrap runs as root (a fresh {@code /dev}); otherwise bwrap uses a user namespace,
 *     where a fresh {@code /dev} would make it nest a second one that {@code nsenter} cannot join, so the host's
 *     {@code /dev} is bound, with its terminals ({@code /dev/pts}) hidden
 * @param enterable whether the task user may enter a host folder
 * @param binds the container's mount points ({@link SandboxMounts} checked them), made last, in order: after the
 *     task's own folder, so none is covered by it
 */
record SandboxPlan(List<Path> homes, List<Path> toolFolders, List<Path> hidden, Path taskDirectory,
                   Path workingDirectory, boolean privileged, Predicate<Path> enterable, List<Bind> binds) {
    private static final Path ROOT = Path.of("/");
    private static final Path TMP = Path.of("/tmp");

    SandboxPlan {
        binds = List.copyOf(binds);
    }

    /** A mount point: {@code source} of this machine shown at {@code target} in the sandbox. */
    record Bind(Path source, Path target, boolean readOnly) {}

    /**
     * Whether {@code path} lies in one of the sandbox's own empty folders (its {@code /tmp}, the tmpfs over a hidden
     * folder) and not in what is bound back into them (a tool folder, the task's folder): there the sandbox makes
     * the folders a mount point needs, and nothing of this machine shows.
     */
    boolean madeBySandbox(Path path) {
        Builder b = new Builder();
        mounts(b);
        return b.insideTmpfs(path) && toolFolders.stream().noneMatch(path::startsWith) && !path.startsWith(taskDirectory);
    }

    List<String> arguments() {
        Builder b = new Builder();
        mounts(b);
        for (Bind bind : binds) {
            b.passable(bind.target());
            b.add(bind.readOnly() ? "--ro-bind" : "--bind", bind.source().toString(), bind.target().toString());
        }
        b.add("--chdir", workingDirectory.toString());
        // A PID namespace of its own (no other process of this machine is visible), IPC and host name of its
        // own, the network of the host (the credentials endpoint is on loopback), a new session (no
        // TIOCSTI into a terminal outside), and nothing left behind if crossrole dies.
        b.add("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--new-session", "--die-with-parent");
        return b.args;
    }

    /** Everything up to the task's own folder and its logs. */
    private void mounts(Builder b) {
        b.add("--ro-bind", "/", "/");
        if (privileged) {
            b.add("--dev", "/dev");
        } else {
            b.add("--dev-bind", "/dev", "/dev");
            // The host's terminals, whose keystrokes a task of the same user could read, are hidden.
            b.tmpfs(Path.of("/dev/pts"), "0755");
        }
        b.tmpfs(Path.of("/dev/shm"), "1777");
        b.add("--proc", "/proc");
        b.tmpfs(TMP, "1777");
        for (Path home : homes) {
            if (!home.equals(ROOT)) {
                b.tmpfs(home, "0755");
            }
        }
        for (Path tool : toolFolders) {
            b.passable(tool);
            b.add("--ro-bind", tool.toString(), tool.toString());
        }
        for (Path folder : hidden) {
            if (!folder.equals(ROOT)) {
                b.tmpfs(folder, "0755");
            }
        }
        for (Path folder : ancestors(taskDirectory)) {
            if (!folder.equals(ROOT) && !b.insideTmpfs(folder) && !enterable.test(folder)) {
                b.tmpfs(folder, "0755");
            }
        }
        b.passable(taskDirectory);
        b.add("--bind", taskDirectory.toString(), taskDirectory.toString());
    }

    /** The folders above {@code path}, outermost first, without {@code path} itself. */
    static List<Path> ancestors(Path path) {
        List<Path> out = new ArrayList<>();
        for (Path p = path.getParent(); p != null; p = p.getParent()) {
            out.add(0, p);
        }
        return out;
    }

    private static final class Builder {
        final List<String> args = new ArrayList<>();
        final List<Path> tmpfsRoots = new ArrayList<>();

        void add(String... parts) {
            args.addAll(List.of(parts));
        }

        void tmpfs(Path folder, String mode) {
            passable(folder);
            add("--perms", mode, "--tmpfs", folder.toString());
            tmpfsRoots.add(folder);
        }

        boolean insideTmpfs(Path folder) {
            return tmpfsRoots.stream().anyMatch(folder::startsWith);
        }

        /** Makes the folders above {@code path} that bwrap would create inside a tmpfs enterable. */
        void passable(Path path) {
            for (Path folder : ancestors(path)) {
                boolean created = tmpfsRoots.stream().anyMatch(root -> folder.startsWith(root) && !folder.equals(root));
                if (created) {
                    add("--perms", "0755", "--dir", folder.toString());
                }
            }
        }
    }
}
