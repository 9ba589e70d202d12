package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
    void theLauncherBoundsTheHeapAndPicksTheSerialCollector() throws Exception {
        Run run = flags(Map.of());
        assertTrue(run.stdout().contains("-XX:MaxHeapSize=536870912 "), run.stdout());
        assertTrue(run.stdout().contains("-XX:InitialHeapSize=134217728 "), run.stdout());
        assertTrue(run.stdout().contains("-XX:+UseSerialGC"), run.stdout());
    }

    @Test
    void crossroleMaxHeapSetsTheMaximum() throws Exception {
        assertTrue(flags(Map.of("CROSSROLE_MAX_HEAP", "1g")).stdout().contains("-XX:MaxHeapSize=1073741824 "));
        Run small = flags(Map.of("CROSSROLE_MAX_HEAP", "96m"));
        assertTrue(small.stdout().contains("-XX:MaxHeapSize=100663296 "), small.stdout());
        assertTrue(small.stdout().contains("-XX:InitialHeapSize=100663296 "), "starts at the maximum when below 128m");
    }

    @Test
    void crossroleJavaOptsOverrideTheLaunchersChoices() throws Exception {
        Run run = flags(Map.of("CROSSROLE_JAVA_OPTS", "-XX:+UseParallelGC -Xmx100m"));
        assertTrue(run.stdout().contains("-XX:+UseParallelGC"), run.stdout());
        assertFalse(run.stdout().contains("-XX:+UseSerialGC"), run.stdout());
        assertTrue(run.stdout().contains("-XX:MaxHeapSize=104857600 "), run.stdout());
        assertFalse(run.stdout().contains("-XX:InitialHeapSize=134217728 "), "an initial heap above the maximum");
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
        Map<String, String> plain = Map.of("JAVA_TOOL_OPTIONS", "", "JDK_JAVA_OPTIONS", "");
        ServeProcess unbounded = ServeProcess.start(dir, dir.resolve("a"), List.of(), plain);
        try {
            assertTrue(unbounded.output().contains(HINT), unbounded.output());
            assertTrue(unbounded.output().contains("CROSSROLE_MAX_HEAP"), unbounded.output());
        } finally {
            stop(unbounded);
        }
        ServeProcess bounded = ServeProcess.start(dir, dir.resolve("b"), List.of("-Xmx256m"), plain);
        try {
            assertFalse(bounded.output().contains(HINT), bounded.output());
        } finally {
            stop(bounded);
        }
    }

    private static void stop(ServeProcess serve) throws IOException, InterruptedException {
        serve.process().destroy();
        serve.process().waitFor(30, TimeUnit.SECONDS);
    }

    static {
        if (!Files.isRegularFile(LAUNCHER)) {
            throw new IllegalStateException("no launcher at " + LAUNCHER);
        }
    }
}
