package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /** A launcher that runs the command with umask 000, as a user with a loose umask would. */
    static final List<String> UMASK_000 = List.of("sh", "-c", "umask 000 && exec \"$0\" \"$@\"");

    /** Runs {@code crossrole <args>} in {@code directory}. */
    static Run run(Path directory, String... args) throws Exception {
        return run(List.of(), directory, java.util.Map.of(), args);
    }

    /** Runs {@code crossrole <args>} in {@code directory} with these variables added to its environment. */
    static Run run(Path directory, java.util.Map<String, String> environment, String... args) throws Exception {
        return run(List.of(), directory, environment, args);
    }

    /** Runs {@code crossrole <args>} in {@code directory}, the java command run by {@code launcher}. */
    static Run run(List<String> launcher, Path directory, String... args) throws Exception {
        return run(launcher, directory, java.util.Map.of(), args);
    }

    private static Run run(List<String> launcher, Path directory, java.util.Map<String, String> environment,
                           String... args) throws Exception {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(java(), "-cp", classPath(), "dev.crossrole.cli.Main"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(directory, "crossrole-out", ".txt");
        Path err = Files.createTempFile(directory, "crossrole-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(directory.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("CROSSROLE_"));
        pb.environment().putAll(environment);
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("crossrole " + String.join(" ", args) + " did not finish within " + TIMEOUT_SECONDS + " s");
        }
        Run result = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return result;
    }
}
