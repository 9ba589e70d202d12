package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./crossrole} launcher's shell: its functions sourced into bash (sourcing defines them and runs
 * nothing), each in a tree of its own; and the launcher itself printing the built jar's version.
 */
class LauncherTest {
    private static final Path LAUNCHER = Path.of("..", "crossrole").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    record Run(int exit, String stdout, String stderr) {}

    /** bash running {@code script}, with the environment given and none of the caller's CROSSROLE_* variables. */
    private static Run bash(String script, Map<String, String> environment) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script);
        pb.environment().keySet().removeIf(k -> k.startsWith("CROSSROLE_") || k.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().putAll(environment);
        Process process = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(CrossroleCommand.TIMEOUT_SECONDS, TimeUnit.SECONDS), "bash did not end");
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** A copy of the launcher at the root of a tree of its own, so that its functions look at that tree. */
    private Path launcherIn(Path root) throws Exception {
        Files.createDirectories(root);
        Path copy = root.resolve("crossrole");
        Files.copy(LAUNCHER, copy);
        return copy;
    }

    private static void touch(Path file, Instant time) throws Exception {
        Files.createDirectories(file.getParent());
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
        Files.setLastModifiedTime(file, FileTime.from(time));
    }

    @Test
    void theLauncherIsValidBash() throws Exception {
        Run run = bash("bash -n '" + LAUNCHER + "'", Map.of());
        assertEquals(0, run.exit(), run.stderr());
    }

    @Test
    void theStaleJarCheckLooksAtTheJarsSourcesAlone() throws Exception {
        Path root = dir.resolve("tree");
        Path launcher = launcherIn(root);
        Instant built = Instant.now().minusSeconds(600);
        touch(root.resolve("pom.xml"), built.minusSeconds(60));
        touch(root.resolve("server/src/main/java/dev/A.java"), built.minusSeconds(60));
        touch(root.resolve("cli/target/crossrole.jar"), built);
        // newer than the jar, and none of it goes into the jar
        touch(root.resolve(".crossrole/s3/blobs/ab/cdef"), built.plusSeconds(60));
        touch(root.resolve("it/src/test/java/T.java"), built.plusSeconds(60));
        touch(root.resolve("server/target/classes/A.class"), built.plusSeconds(60));
        String check = "source '" + launcher + "'; if needs_build; then echo stale; else echo fresh; fi";
        assertEquals("fresh", bash(check, Map.of()).stdout().trim());

        touch(root.resolve("server/src/main/java/dev/A.java"), built.plusSeconds(60));
        assertEquals("stale", bash(check, Map.of()).stdout().trim());
        touch(root.resolve("server/src/main/java/dev/A.java"), built.minusSeconds(60));
        touch(root.resolve("cli/pom.xml"), built.plusSeconds(60));
        assertEquals("stale", bash(check, Map.of()).stdout().trim());
        Files.delete(root.resolve("cli/target/crossrole.jar"));
        touch(root.resolve("cli/pom.xml"), built.minusSeconds(60));
        assertEquals("stale", bash(check, Map.of()).stdout().trim(), "no jar at all");
    }

    @Test
    void anOldOrMissingJavaIsRefusedWithWhatToDo() throws Exception {
        Path launcher = launcherIn(dir.resolve("tree"));
        Path oldJdk = dir.resolve("jdk8");
        Files.createDirectories(oldJdk.resolve("bin"));
        Files.writeString(oldJdk.resolve("release"), "JAVA_VERSION=\"1.8.0_392\"\n");
        Path java = oldJdk.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"1.8.0_392\"' >&2\n");
        assertTrue(java.toFile().setExecutable(true));
        Run old = bash("bash '" + launcher + "' --version", Map.of("JAVA_HOME", oldJdk.toString()));
        assertEquals(2, old.exit());
        assertTrue(old.stderr().contains("crossrole: needs Java 17 or later, and '" + java + "' is Java 8"), old.stderr());

        Run none = bash("bash '" + launcher + "' --version", Map.of("JAVA_HOME", dir.resolve("nothing").toString()));
        assertEquals(2, none.exit());
        assertTrue(none.stderr().contains("needs Java 17 or later, and found no '" + dir.resolve("nothing/bin/java")), none.stderr());

        // this JVM's own java is good enough: the check passes silently
        Run current = bash("source '" + launcher + "'; require_java && java_major",
                Map.of("JAVA_HOME", System.getProperty("java.home")));
        assertEquals(0, current.exit(), current.stderr());
        assertEquals(String.valueOf(Runtime.version().feature()), current.stdout().trim());
    }

    @Test
    void withoutMavenTheBuildSaysWhatIsMissingAndAFailedBuildShowsItsOutput() throws Exception {
        Path launcher = launcherIn(dir.resolve("tree"));
        Run noMaven = bash("source '" + launcher + "'; PATH=/nonexistent; build", Map.of());
        assertEquals(2, noMaven.exit());
        assertTrue(noMaven.stderr().contains("building crossrole needs Maven 3.8 or later ('mvn' on PATH), and found none"),
                noMaven.stderr());

        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        Files.writeString(bin.resolve("mvn"), "#!/bin/sh\necho '[ERROR] COMPILATION ERROR: A.java:[1,1] nope'\nexit 1\n");
        assertTrue(bin.resolve("mvn").toFile().setExecutable(true));
        Run failed = bash("source '" + launcher + "'; PATH='" + bin + "':$PATH; build", Map.of());
        assertEquals(1, failed.exit());
        assertTrue(failed.stderr().contains("[ERROR] COMPILATION ERROR: A.java:[1,1] nope"), failed.stderr());
        assertTrue(failed.stderr().contains("crossrole: the build failed"), failed.stderr());

        Files.writeString(bin.resolve("mvn"), "#!/bin/sh\nprintf '\\033[0m\\033[0m'\nexit 0\n");
        Run quiet = bash("source '" + launcher + "'; PATH='" + bin + "':$PATH; build", Map.of());
        assertEquals(0, quiet.exit(), quiet.stderr());
        assertEquals("crossrole: building (mvn package) ...\n", quiet.stderr(), "a build that worked prints nothing of Maven's");
        assertEquals("", quiet.stdout());
    }

    @Test
    void concurrentRunsBuildOneAtATimeWithOrWithoutFlock() throws Exception {
        Path launcher = launcherIn(dir.resolve("tree"));
        for (boolean flock : new boolean[] {true, false}) {
            String script = "source '" + launcher + "'; " + (flock ? "" : "has_flock() { return 1; }; ")
                    + "lock_build; echo \"in $(date +%s%N)\"; sleep 0.5; echo \"out $(date +%s%N)\"; unlock_build";
            List<Process> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                runs.add(new ProcessBuilder("bash", "-c", script).start());
            }
            List<long[]> spans = new ArrayList<>();
            for (Process run : runs) {
                String[] lines = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split("\n");
                assertTrue(run.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, run.exitValue(), String.join("\n", lines));
                spans.add(new long[] {Long.parseLong(lines[0].substring(3)), Long.parseLong(lines[1].substring(4))});
            }
            long[] a = spans.get(0);
            long[] b = spans.get(1);
            assertTrue(a[1] <= b[0] || b[1] <= a[0], (flock ? "flock" : "mkdir") + ": the two held the lock at once");
            assertFalse(Files.exists(dir.resolve("tree/cli/target/.launcher.lock")), "the mkdir lock is released");
        }
    }

    @Test
    void theLauncherPrintsTheBuiltJarsVersionAndCommit() throws Exception {
        Run run = bash("bash '" + LAUNCHER + "' --version", Map.of());
        assertEquals(0, run.exit(), run.stderr());
        assertTrue(run.stdout().trim().matches("crossrole \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{7}|unknown)\\)"),
                run.stdout());
        assertFalse(run.stderr().contains("\u001b["), "no terminal escapes: " + run.stderr());
    }
}
