package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM's memory settings: the {@code ./crossrole} launcher bounds the heap ({@code CROSSROLE_MAX_HEAP}, default
 * 512m, starting at 128m) and picks the serial collector, and {@code CROSSROLE_JAVA_OPTS} overrides either; a
 * {@code serve} started without any heap bound says so in one line. The launcher runs the built jar
 * ({@code cli/target/crossrole.jar}, packaged before this module's tests); {@code -XX:+PrintCommandLineFlags} shows
 * what the JVM was given.
 */
class MemorySettingsTest {
    private static final Path LAUNCHER = Path.of("..", "crossrole").toAbsolutePath().normalize();
    private static final String HINT = "the JVM's maximum heap is its default";

    @TempDir
    Path dir;

    /** {@code ./crossrole --help} with the given environment (and none of the caller's CROSSROLE_* or JVM options). */
    private static Run launcher(Map<String, String> environment) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", LAUNCHER.toString(), "--help");
        pb.environment().keySet().removeIf(k -> k.startsWith("CROSSROLE_") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("JDK_JAVA_OPTIONS"));
        pb.environment().putAll(environment);
        Process process = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(CrossroleCommand.TIMEOUT_SECONDS, TimeUnit.SECONDS), "the launcher did not end");
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private static Run flags(Map<String, String> environment) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(environment);
        all.merge("CROSSROLE_JAVA_OPTS", "-XX:+PrintCommandLineFlags", (mine, print) -> mine + " " + print);
        Run run = launcher(all);
        assertEquals(0, run.exit(), run.stdout() + run.stderr());
        return run;
    }

    @Test
    void theLauncherBoundsTheHeapAndSizesTheYoungGeneration() throws Exception {
        Run run = flags(Map.of());
        assertTrue(run.stdout().contains("-XX:MaxHeapSize=536870912 "), run.stdout());
        assertTrue(run.stdout().contains("-XX:InitialHeapSize=536870912 "), run.stdout());
        assertTrue(run.stdout().contains("-XX:NewSize=268435456 ") && run.stdout().contains("-XX:MaxNewSize=268435456 "),
                "half the heap is a young generation of fixed size: " + run.stdout());
        assertTrue(run.stdout().contains("-XX:SurvivorRatio=3 "), run.stdout());
        assertTrue(run.stdout().contains("-XX:-UseAdaptiveSizePolicy"), run.stdout());
        assertTrue(run.stdout().contains("-XX:+UseParallelGC"), run.stdout());
    }

    @Test
    void crossroleMaxHeapSetsTheMaximumAndTheYoungGenerationFollows() throws Exception {
        Run large = flags(Map.of("CROSSROLE_MAX_HEAP", "1g"));
        assertTrue(large.stdout().contains("-XX:MaxHeapSize=1073741824 "), large.stdout());
        assertTrue(large.stdout().contains("-XX:MaxNewSize=536870912 "), large.stdout());
        Run small = flags(Map.of("CROSSROLE_MAX_HEAP", "96m"));
        assertTrue(small.stdout().contains("-XX:MaxHeapSize=100663296 "), small.stdout());
        assertTrue(small.stdout().contains("-XX:MaxNewSize=50331648 "), small.stdout());
    }

    @Test
    void crossroleJavaOptsOverrideTheLaunchersChoices() throws Exception {
        Run run = flags(Map.of("CROSSROLE_JAVA_OPTS", "-XX:+UseSerialGC -Xmx100m"));
        assertTrue(run.stdout().contains("-XX:+UseSerialGC"), run.stdout());
        assertFalse(run.stdout().contains("-XX:+UseParallelGC"), run.stdout());
        assertTrue(run.stdout().contains("-XX:MaxHeapSize=104857600 "), run.stdout());
        assertFalse(run.stdout().contains("-XX:InitialHeapSize=536870912 "), "an initial heap above the maximum");
        assertFalse(run.stdout().contains("-XX:SurvivorRatio=3 "), "the young generation goes with the launcher's heap");
        Run collector = flags(Map.of("CROSSROLE_JAVA_OPTS", "-XX:+UseG1GC"));
        assertTrue(collector.stdout().contains("-XX:+UseG1GC") && !collector.stdout().contains("-XX:MaxNewSize=268435456 "),
                "G1 sizes its young generation itself: " + collector.stdout());
        assertTrue(collector.stdout().contains("-XX:MaxHeapSize=536870912 "), collector.stdout());
    }

    @Test
    void aHeapThatIsNotASizeOrTooSmallIsRefused() throws Exception {
        Run words = launcher(Map.of("CROSSROLE_MAX_HEAP", "lots"));
        assertEquals(2, words.exit());
        assertTrue(words.stderr().contains("CROSSROLE_MAX_HEAP must be a size such as 512m or 2g, not 'lots'"),
                words.stderr());
        Run tiny = launcher(Map.of("CROSSROLE_MAX_HEAP", "32m"));
        assertEquals(2, tiny.exit());
        assertTrue(tiny.stderr().contains("CROSSROLE_MAX_HEAP must be at least 64m"), tiny.stderr());
    }

    @Test
    void serveWithoutAHeapBoundSaysHowToSetOne() throws Exception {
        String unbounded = serveOutput(List.of(), dir.resolve("a"));
        assertTrue(unbounded.contains(HINT), unbounded);
        assertTrue(unbounded.contains("CROSSROLE_MAX_HEAP"), unbounded);
        String bounded = serveOutput(List.of("-Xmx256m"), dir.resolve("b"));
        assertTrue(bounded.contains("Admin API token"), bounded);
        assertFalse(bounded.contains(HINT), bounded);
    }

    /**
     * Everything {@code serve} printed (standard output and error) from its start until it was stopped: at the
     * hint, or two seconds after the welcome's last line when no hint came; the stream is read to its end.
     */
    private static String serveOutput(List<String> jvmOptions, Path data) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(CrossroleCommand.java()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", CrossroleCommand.classPath(), "dev.crossrole.cli.Main", "serve", "--port", "0",
                "--data-dir", data.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("JDK_JAVA_OPTIONS"));
        Process process = pb.start();
        StringBuilder output = new StringBuilder();
        try (java.io.BufferedReader lines = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                output.append(line).append('\n');
                if (line.contains(HINT)) {
                    process.toHandle().destroy(); // SIGTERM, leaving the output open: the rest is still read
                } else if (line.startsWith("Admin API token")) {
                    // The welcome's last line: the hint, when there is one, is the next; give it time to come.
                    Thread stopper = new Thread(() -> {
                        try {
                            Thread.sleep(2000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        process.toHandle().destroy();
                    });
                    stopper.setDaemon(true);
                    stopper.start();
                }
            }
        } finally {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "serve stopped");
        }
        return output.toString();
    }

    static {
        if (!Files.isRegularFile(LAUNCHER)) {
            throw new IllegalStateException("no launcher at " + LAUNCHER);
        }
    }
}
