package dev.crossrole.server.tasks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Decides which of a container's mount points its sandbox may make, and with which paths. A task definition is
 * written by anyone allowed {@code ecs:RegisterTaskDefinition}, and the binds are made by the sandbox before it
 * drops its privileges, so each mount point is checked against what the sandbox protects:
 * <ul>
 *   <li>a host {@code sourcePath} is resolved to its real path (symbolic links followed) and must exist, be a
 *       folder or a file, not be, lie inside or contain a folder the sandbox hides (crossrole's data directory,
 *       the S3 blob folder, crossrole's user's home but for the tool folders put back), lie below folders the task
 *       user may enter, and below folders nobody but root or crossrole's user could change (so the path cannot be
 *       re-pointed between this check and the bind); a writable one must be writable by the task user;</li>
 *   <li>a {@code containerPath} must not cover {@code /}, lie in or over {@code /proc}, {@code /dev}, {@code /sys}
 *       or the task's own folder, nor touch the folders the sandbox runs its privileged start from (the system's
 *       programs, libraries and {@code /etc}), nor nest in another mount point; it must be a place the sandbox
 *       can make (in one of its own empty folders, like {@code /tmp}) or one that exists on this machine, of the
 *       same kind as the source.</li>
 * </ul>
 * The answer is the list of binds for {@link SandboxPlan}, made after the task's own folder, each with real paths.
 */
final class SandboxMounts {
    private static final Path ROOT = Path.of("/");
    /** Made by the sandbox for the task: nothing may be mounted over or into them. */
    private static final List<Path> KERNEL_FOLDERS = List.of(Path.of("/proc"), Path.of("/dev"), Path.of("/sys"));
    /**
     * What the sandbox's start reads before it drops its privileges ({@code setpriv}, its dynamic loader and
     * libraries, {@code /etc/ld.so.preload}, {@code /etc/ld.so.cache}, the locale files): a mount point over any of
     * them could hand a task's own file to a process that is still privileged.
     */
    static final List<Path> SYSTEM_FOLDERS = List.of(Path.of("/etc"), Path.of("/usr"), Path.of("/bin"), Path.of("/sbin"),
            Path.of("/lib"), Path.of("/lib32"), Path.of("/lib64"), Path.of("/libx32"));
    private static final Pattern LD_SO_CONF_WORDS = Pattern.compile("[\\s,:=]+");

    /**
     * A folder hidden from tasks, and how to name it in a refusal.
     *
     * @param toolsPutBack whether the tool folders inside it are shown again (crossrole's user's home)
     */
    record Hidden(Path path, String what, boolean toolsPutBack) {}

    /**
     * What the rules need to know about this sandbox.
     *
     * @param hidden the folders hidden from tasks (each as configured and as its real path)
     * @param toolFolders folders inside a hidden home that the sandbox puts back read-only
     * @param taskDirectory the task's own folder
     * @param system the folders the privileged start reads from (see {@link #systemFolders})
     * @param madeBySandbox whether a path lies in one of the sandbox's own empty folders ({@code /tmp}, the hidden
     *     folders), where the sandbox can make a mount point
     */
    record Rules(List<Hidden> hidden, List<Path> toolFolders, Path taskDirectory, List<Path> system,
                 Predicate<Path> madeBySandbox, HostAccess access) {}

    private SandboxMounts() {}

    /**
     * The binds for a container's mount points, in order.
     *
     * @throws IOException naming the volume, the mount point and the reason, when one may not be made
     */
    static List<SandboxPlan.Bind> binds(List<TaskRuntime.Mount> mounts, Rules rules) throws IOException {
        List<SandboxPlan.Bind> out = new ArrayList<>();
        for (TaskRuntime.Mount mount : mounts) {
            Path target = target(mount, rules, out);
            Source source;
            if (mount.source() instanceof TaskRuntime.MountSource.TaskScratch scratch) {
                source = new Source(scratch.folder(), true); // crossrole's own folder, made for this task
            } else if (mount.source() instanceof TaskRuntime.MountSource.HostPath host) {
                source = hostSource(mount, host.path(), rules);
            } else {
                throw new IOException("volume '" + mount.volume() + "' is a container engine's volume, which a sandbox"
                        + " cannot mount");
            }
            out.add(new SandboxPlan.Bind(source.path(), where(mount, target, source, rules, out), mount.readOnly()));
        }
        return out;
    }

    private record Source(Path path, boolean folder) {}

    private static IOException refused(TaskRuntime.Mount mount, String why) {
        return new IOException("volume '" + mount.volume() + "' cannot be mounted at " + mount.containerPath() + ": "
                + why);
    }

    // ---- the source -------------------------------------------------------------------------------------------

    private static Source hostSource(TaskRuntime.Mount mount, String sourcePath, Rules rules) throws IOException {
        Path given;
        try {
            given = Path.of(sourcePath);
        } catch (InvalidPathException e) {
            throw refused(mount, "its host.sourcePath is not a path of this machine");
        }
        if (!given.isAbsolute()) {
            throw refused(mount, "its host.sourcePath " + sourcePath + " is not an absolute path");
        }
        Path real;
        try {
            real = given.toRealPath();
        } catch (NoSuchFileException e) {
            // Docker would make it (as root); making folders of this machine on behalf of a task is not crossrole's to do.
            throw refused(mount, "its host.sourcePath " + sourcePath + " does not exist on this machine, and crossrole"
                    + " does not make folders on this machine for a task: create it first");
        } catch (IOException e) {
            throw refused(mount, "its host.sourcePath " + sourcePath + " cannot be resolved (" + e.getMessage() + ")");
        }
        String named = real.equals(given.normalize()) ? sourcePath : sourcePath + " (really " + real + ")";
        BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isDirectory() && !attributes.isRegularFile()) {
            throw refused(mount, "its host.sourcePath " + named + " is neither a folder nor a file");
        }
        for (Hidden hidden : rules.hidden()) {
            boolean putBack = hidden.toolsPutBack() && rules.toolFolders().stream().anyMatch(real::startsWith);
            if (real.startsWith(hidden.path()) && !putBack) {
                throw refused(mount, "its host.sourcePath " + named + (real.equals(hidden.path()) ? " is " : " lies inside ")
                        + hidden.what() + ", which tasks never see");
            }
            if (hidden.path().startsWith(real)) {
                throw refused(mount, "its host.sourcePath " + named + " contains " + hidden.what() + " ("
                        + hidden.path() + "), which tasks never see");
            }
        }
        for (Path folder : SandboxPlan.ancestors(real)) {
            if (!rules.access().canEnter(folder)) {
                throw refused(mount, "the task user (" + rules.access().user().name() + ") may not enter " + folder
                        + " on this machine, and a mount must not take it past what it may not enter");
            }
        }
        for (Path folder : SandboxPlan.ancestors(real)) {
            Path child = real.subpath(0, folder.getNameCount() + 1);
            String who = rules.access().whoCouldReplace(folder, ROOT.resolve(child));
            if (who != null) {
                throw refused(mount, "its host.sourcePath " + named + " could be re-pointed after crossrole checked it: "
                        + who + "; mount a path whose folders only root or crossrole's user may change");
            }
        }
        if (!mount.readOnly() && !rules.access().canWrite(real)) {
            throw refused(mount, "the task user (" + rules.access().user().name() + ") may not write " + named
                    + " on this machine; mark the mount point readOnly");
        }
        return new Source(real, attributes.isDirectory());
    }

    // ---- the target -------------------------------------------------------------------------------------------

    /** The containerPath, checked as written (normalized). */
    private static Path target(TaskRuntime.Mount mount, Rules rules, List<SandboxPlan.Bind> earlier) throws IOException {
        Path target;
        try {
            target = Path.of(mount.containerPath());
        } catch (InvalidPathException e) {
            throw refused(mount, "its containerPath is not a path");
        }
        if (!target.isAbsolute()) {
            throw refused(mount, "its containerPath is not an absolute path");
        }
        target = target.normalize();
        checkTarget(mount, target, rules, earlier);
        return target;
    }

    private static void checkTarget(TaskRuntime.Mount mount, Path target, Rules rules, List<SandboxPlan.Bind> earlier)
            throws IOException {
        String shown = target.toString().equals(mount.containerPath()) ? "it" : target.toString();
        if (target.equals(ROOT)) {
            throw refused(mount, "it would cover the whole file system");
        }
        for (Path kernel : KERNEL_FOLDERS) {
            if (target.startsWith(kernel) || kernel.startsWith(target)) {
                throw refused(mount, shown + " would be in or over " + kernel + ", which the sandbox makes for the task");
            }
        }
        Path task = rules.taskDirectory();
        if (target.startsWith(task) || task.startsWith(target)) {
            throw refused(mount, shown + " would be in or over the task's own folder (" + task + ")");
        }
        for (Path system : rules.system()) {
            if (target.startsWith(system) || system.startsWith(target)) {
                throw refused(mount, shown + " would be in or over " + system + ", which the sandbox starts the"
                        + " container's command from before it drops its privileges");
            }
        }
        for (SandboxPlan.Bind bind : earlier) {
            if (target.startsWith(bind.target()) || bind.target().startsWith(target)) {
                throw refused(mount, shown + " would be in or over another mount point of the container ("
                        + bind.target() + "); crossrole does not nest mount points");
            }
        }
    }

    /**
     * Where the bind goes: the containerPath itself when the sandbox makes it in one of its own folders; otherwise
     * the real path of a place that exists on this machine (the sandbox shows this machine read-only, and can make
     * nothing there), checked again and not re-pointable by others.
     */
    private static Path where(TaskRuntime.Mount mount, Path target, Source source, Rules rules,
                              List<SandboxPlan.Bind> earlier) throws IOException {
        if (rules.madeBySandbox().test(target)) {
            return target;
        }
        Path real;
        try {
            real = target.toRealPath();
        } catch (NoSuchFileException e) {
            throw refused(mount, "there is no " + target + " on this machine, and the sandbox shows this machine's files"
                    + " read-only, so it cannot make one: use a containerPath under /tmp, or one that exists");
        }
        if (!real.equals(target)) {
            checkTarget(mount, real, rules, earlier);
        }
        if (!rules.madeBySandbox().test(real)) {
            for (Path path : List.of(target, real)) {
                for (Path folder : SandboxPlan.ancestors(path)) {
                    if (Files.isSymbolicLink(folder)) {
                        continue; // replaced only through its own folder, checked; where it leads is checked by real
                    }
                    Path child = ROOT.resolve(path.subpath(0, folder.getNameCount() + 1));
                    String who = rules.access().whoCouldReplace(folder, child);
                    if (who != null) {
                        throw refused(mount, "its containerPath could be re-pointed after crossrole checked it: " + who);
                    }
                }
            }
            boolean folder = Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS);
            if (folder != source.folder() || (!folder && !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS))) {
                throw refused(mount, "the source is a " + (source.folder() ? "folder" : "file") + " and " + target
                        + " is not");
            }
        }
        return real;
    }

    // ---- the system's folders -----------------------------------------------------------------------------------

    /**
     * The folders the sandbox's privileged start reads from: {@link #SYSTEM_FOLDERS} (as written and as real
     * paths), the folders holding {@code setpriv}, and the library folders of {@code /etc/ld.so.conf}.
     */
    static List<Path> systemFolders(List<Path> programs, Path ldSoConf) {
        Set<Path> out = new LinkedHashSet<>(SYSTEM_FOLDERS);
        for (Path folder : SYSTEM_FOLDERS) {
            addReal(out, folder);
        }
        for (Path program : programs) {
            if (program != null && program.getParent() != null) {
                out.add(program.toAbsolutePath().normalize().getParent());
                addReal(out, program.toAbsolutePath().normalize().getParent());
            }
        }
        for (Path folder : libraryFolders(ldSoConf, 0)) {
            out.add(folder);
            addReal(out, folder);
        }
        out.remove(ROOT); // "/" itself is refused on its own, with its own reason
        return List.copyOf(out);
    }

    private static void addReal(Set<Path> out, Path folder) {
        try {
            out.add(folder.toRealPath());
        } catch (IOException e) {
            // not on this machine: nothing to protect
        }
    }

    /** The folders {@code ld.so.conf} names, following its {@code include} lines (glob patterns). */
    private static List<Path> libraryFolders(Path conf, int depth) {
        List<Path> out = new ArrayList<>();
        if (depth > 8 || !Files.isRegularFile(conf)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(conf)) {
                String text = line.replaceFirst("#.*", "").strip();
                if (text.startsWith("include ") || text.startsWith("include\t")) {
                    String pattern = text.substring("include".length()).strip();
                    Path base = Path.of(pattern).isAbsolute() ? Path.of(pattern) : conf.resolveSibling(pattern);
                    Path folder = base.getParent();
                    if (folder != null && Files.isDirectory(folder)) {
                        var matcher = folder.getFileSystem().getPathMatcher("glob:" + base);
                        try (var entries = Files.list(folder)) {
                            for (Path entry : entries.sorted().toList()) {
                                if (matcher.matches(entry)) {
                                    out.addAll(libraryFolders(entry, depth + 1));
                                }
                            }
                        }
                    }
                    continue;
                }
                for (String word : LD_SO_CONF_WORDS.split(text)) {
                    if (word.startsWith("/")) {
                        out.add(Path.of(word).normalize());
                    }
                }
            }
        } catch (IOException | InvalidPathException e) {
            // an unreadable configuration names nothing more; the system folders are protected anyway
        }
        return out;
    }
}
