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
     * This test JVM's class path as a sandboxed task can read it: a task does not see crossrole's user's home
     * (where Maven keeps its repository), so entries there are copied beside the build ({@code target/}), which
     * tasks see read-only.
     */
    static String classPathForTasks() throws java.io.IOException {
        Path home = Path.of(System.getProperty("user.home")).toAbsolutePath();
        Path testClasses = java.util.Arrays.stream(classPath().split(File.pathSeparator)).map(Path::of)
                .filter(p -> p.endsWith("test-classes")).findFirst().orElseThrow();
        Path copies = testClasses.getParent().resolve("task-classpath");
        Files.createDirectories(copies);
        List<String> entries = new ArrayList<>();
        int index = 0;
        for (String entry : classPath().split(File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath();
            if (!path.startsWith(home) || !Files.isRegularFile(path)) {
                entries.add(entry);
                continue;
            }
            Path copy = copies.resolve((index++) + "-" + path.getFileName());
            if (!Files.exists(copy) || Files.size(copy) != Files.size(path)) {
                Files.copy(path, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            entries.add(copy.toString());
        }
        return String.join(File.pathSeparator, entries);
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
