package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code crossrole} command line ({@code dev.crossrole.cli.Main}) in a child JVM on this test's
 * class path, as a user runs it: {@code crossrole exec ...}, {@code crossrole logs ...}. The child gets
 * no AWS_* variables from the test's environment.
 */
final class CrossroleCommand {
    static final long TIMEOUT_SECONDS = 90;

    private CrossroleCommand() {}

    /** The java executable of this JVM. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** This test JVM's class path (the it module's test classes and every test dependency). */
    static String classPath() {
        return System.getProperty("java.class.path");
    }

    /**
     * This test JVM's class path for a program run in a task: every entry (jars and class folders) copied into
     * one folder of the build ({@code target/task-classpath}), which the task mounts read-only at
     * {@link #TASK_CLASS_PATH} with a task definition volume. A sandboxed task sees neither this JVM's
     * {@code /tmp} (where a clone of the repository may live) nor crossrole's user's home (where Maven keeps its
     * repository), so the entries cannot be used where they are.
     *
     * @param hostFolder the folder to mount ({@code host.sourcePath})
     * @param classPath the class path inside the task, below {@link #TASK_CLASS_PATH}
     */
    record TaskClassPath(Path hostFolder, String classPath) {}

    /** Where a task mounts {@link TaskClassPath#hostFolder()}: the sandbox makes it in the task's own /tmp. */
    static final String TASK_CLASS_PATH = "/tmp/crossrole-task-classpath";

    static TaskClassPath classPathForTasks() throws java.io.IOException {
        Path testClasses = java.util.Arrays.stream(classPath().split(File.pathSeparator)).map(Path::of)
                .filter(p -> p.endsWith("test-classes")).findFirst().orElseThrow();
        Path copies = testClasses.getParent().resolve("task-classpath");
        Files.createDirectories(copies);
        readable(copies);
        List<String> entries = new ArrayList<>();
        int index = 0;
        for (String entry : classPath().split(File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath();
            String name = (index++) + "-" + path.getFileName();
            Path copy = copies.resolve(name);
            if (Files.isRegularFile(path)) {
                if (!Files.isRegularFile(copy) || Files.size(copy) != Files.size(path)) {
                    Files.copy(path, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                readable(copy);
            } else if (Files.isDirectory(path)) {
                mirror(path, copy);
            } else {
                continue; // a class path entry that does not exist adds nothing
            }
            entries.add(TASK_CLASS_PATH + "/" + name);
        }
        return new TaskClassPath(copies, String.join(File.pathSeparator, entries));
    }

    /** Copies a class folder afresh (so no class of an earlier build is left), readable by every user. */
    private static void mirror(Path folder, Path copy) throws java.io.IOException {
        if (Files.exists(copy)) {
            try (var old = Files.walk(copy)) {
                for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        try (var tree = Files.walk(folder)) {
            for (Path p : tree.toList()) {
                Path target = copy.resolve(folder.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
                readable(target);
            }
        }
    }

    /** The task runs as another user (nobody) when crossrole is root: whatever the umask, it may read the copies. */
    private static void readable(Path path) throws java.io.IOException {
        Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString(
                Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
    }

    /** A launcher that runs the command with umask 000, as a user with a loose umask would. */
    static final List<String> UMASK_000 = List.of("sh", "-c", "umask 000 && exec \"$0\" \"$@\"");

    /** Runs {@code crossrole <args>} in {@code directory}. */
    static Run run(Path directory, String... args) throws Exception {
        return run(List.of(), directory, null, Map.of(), args);
    }

    /** Runs {@code crossrole <args>} in {@code directory} with these variables added to its environment. */
    static Run run(Path directory, Map<String, String> environment, String... args) throws Exception {
        return run(List.of(), directory, null, environment, args);
    }

    /** Runs {@code crossrole <args>} in {@code directory}, the java command run by {@code launcher}. */
    static Run run(List<String> launcher, Path directory, String... args) throws Exception {
        return run(launcher, directory, null, Map.of(), args);
    }

    /**
     * Runs {@code crossrole <args>} in {@code directory} with {@code input} as its standard input ({@code null}:
     * none) and {@code environment} added to its environment.
     */
    static Run run(Path directory, byte[] input, Map<String, String> environment, String... args) throws Exception {
        return run(List.of(), directory, input, environment, args);
    }

    private static Run run(List<String> launcher, Path directory, byte[] input, Map<String, String> environment,
                           String... args) throws Exception {
        Path out = Files.createTempFile(directory, "crossrole-out", ".txt");
        Path err = Files.createTempFile(directory, "crossrole-err", ".txt");
        Path in = Files.createTempFile(directory, "crossrole-in", ".txt");
        Files.write(in, input == null ? new byte[0] : input);
        ProcessBuilder pb = builder(launcher, directory, environment, args).redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(input == null ? new File("/dev/null") : in.toFile());
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("crossrole " + String.join(" ", args) + " did not finish within " + TIMEOUT_SECONDS + " s");
        }
        Run result = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        Files.deleteIfExists(in);
        return result;
    }

    /** {@code crossrole <args>} ready to start, without the caller's AWS_* and CROSSROLE_* variables. */
    static ProcessBuilder builder(Path directory, Map<String, String> environment, String... args) {
        return builder(List.of(), directory, environment, args);
    }

    private static ProcessBuilder builder(List<String> launcher, Path directory, Map<String, String> environment,
                                          String... args) {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(java(), "-cp", classPath(), "dev.crossrole.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(directory.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("CROSSROLE_"));
        pb.environment().putAll(environment);
        return pb;
    }
}
