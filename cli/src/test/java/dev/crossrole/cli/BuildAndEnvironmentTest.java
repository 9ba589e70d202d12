package dev.crossrole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.BuildInfo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** --version from the jar's manifest, exit codes of unexpected failures, and serve's options from the environment. */
class BuildAndEnvironmentTest {
    @TempDir
    Path dir;

    private static Manifest manifest(Map<String, String> entries) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        entries.forEach((name, value) -> manifest.getMainAttributes().putValue(name, value));
        return manifest;
    }

    @Test
    void versionAndCommitComeFromTheManifest() {
        BuildInfo built = BuildInfo.from(manifest(Map.of("Implementation-Version", "0.1.0-SNAPSHOT",
                "Crossrole-Commit", "abc1234")));
        assertEquals("0.1.0-SNAPSHOT (commit abc1234)", built.describe());
        assertFalse(built.development());
        // built outside a git checkout: the plugin's fallback, or a property nothing resolved
        assertEquals("0.1.0 (commit unknown)", BuildInfo.from(manifest(Map.of("Implementation-Version", "0.1.0",
                "Crossrole-Commit", "unknown"))).describe());
        assertEquals("0.1.0 (commit unknown)", BuildInfo.from(manifest(Map.of("Implementation-Version", "0.1.0",
                "Crossrole-Commit", "${git.commit.id.abbrev}"))).describe());
        assertEquals("0.1.0 (commit unknown)", BuildInfo.from(manifest(Map.of("Implementation-Version", "0.1.0")))
                .describe());
        // a manifest without a version (a library's, the build output folders' none) is a development build
        assertTrue(BuildInfo.from(manifest(Map.of("Crossrole-Commit", "abc1234"))).development());
        assertEquals("development build", BuildInfo.from(null).describe());
    }

    @Test
    void versionOptionPrintsTheBuild() {
        CliTest.Result r = CliTest.run("--version");
        assertEquals(0, r.exit(), r.err());
        // the tests run from target/classes, which has no manifest
        assertEquals("crossrole " + BuildInfo.current().describe(), r.out().trim());
        for (String[] args : new String[][] {{"serve", "--version"}, {"requests", "-V"}, {"state", "check", "--version"}}) {
            CliTest.Result sub = CliTest.run(args);
            assertEquals(0, sub.exit(), String.join(" ", args) + ": " + sub.err());
            assertEquals("crossrole " + BuildInfo.current().describe(), sub.out().trim(), String.join(" ", args));
        }
    }

    @CommandLine.Command(name = "failing")
    static final class Failing implements Runnable {
        @Override
        public void run() {
            throw new IllegalStateException("wrapped", new NullPointerException());
        }
    }

    @Test
    void anUnexpectedExceptionIsNamedAndExitsWithTheSoftwareCode() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new Failing());
        commandLine.setExecutionExceptionHandler(Main.unexpected(new PrintWriter(err, true)));
        int exit = commandLine.execute();
        assertEquals(ExitCodes.SOFTWARE, exit);
        assertTrue(exit != ExitCodes.UNUSABLE && exit != ExitCodes.INVALID);
        assertTrue(err.toString().contains("crossrole: internal error: java.lang.IllegalStateException: wrapped"), err.toString());
        assertTrue(err.toString().contains("caused by java.lang.NullPointerException"), err.toString());
        assertFalse(err.toString().contains("null"), err.toString());
    }

    @CommandLine.Command(name = "writing")
    static final class Writing implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            throw new java.nio.file.AccessDeniedException("/data/store/journal-1");
        }
    }

    @Test
    void aFailedReadOrWriteIsNamedAndExits74() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new Writing());
        commandLine.setExecutionExceptionHandler(Main.unexpected(new PrintWriter(err, true)));
        assertEquals(ExitCodes.INPUT_OUTPUT, commandLine.execute());
        assertEquals("crossrole: reading or writing failed: java.nio.file.AccessDeniedException: /data/store/journal-1\n",
                err.toString().replace(System.lineSeparator(), "\n"));
    }

    private static CliTest.Result run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), environment);
        return new CliTest.Result(exit, out.toString(), err.toString());
    }

    private static ServeCommand parseServe(Map<String, String> environment, String... args) {
        ServeCommand serve = new ServeCommand();
        CommandLine commandLine = new CommandLine(serve);
        commandLine.setDefaultValueProvider(new EnvironmentDefaults(environment));
        commandLine.parseArgs(args);
        return serve;
    }

    @Test
    void everyServeOptionHasAVariableNamedAfterIt() {
        CommandLine serve = new CommandLine(new ServeCommand());
        List<String> variables = serve.getCommandSpec().options().stream().filter(EnvironmentDefaults::configurable)
                .map(EnvironmentDefaults::variable).toList();
        assertTrue(variables.containsAll(List.of("CROSSROLE_PORT", "CROSSROLE_BIND", "CROSSROLE_DATA_DIR",
                "CROSSROLE_STORE", "CROSSROLE_S3_BLOBS", "CROSSROLE_TASK_RUNTIME", "CROSSROLE_TASK_USER",
                "CROSSROLE_ALLOW_HOST", "CROSSROLE_TLS", "CROSSROLE_TLS_PORT", "CROSSROLE_TLS_CERT", "CROSSROLE_TLS_KEY",
                "CROSSROLE_REGISTRY_PORT", "CROSSROLE_MAX_CONNECTIONS", "CROSSROLE_ACCOUNTS")), variables.toString());
        assertFalse(variables.contains("CROSSROLE_HELP"));
        assertFalse(variables.contains("CROSSROLE_VERSION"));
    }

    @Test
    void theEnvironmentSetsServeOptionsAndTheCommandLineWins() {
        Map<String, String> environment = Map.of("CROSSROLE_PORT", "5000", "CROSSROLE_BIND", "0.0.0.0",
                "CROSSROLE_DATA_DIR", "/data", "CROSSROLE_STORE", "postgresql://u:p@db:5432/crossrole",
                "CROSSROLE_TLS", "true", "CROSSROLE_ALLOW_HOST", "crossrole,crossrole.test",
                "CROSSROLE_MAX_CONNECTIONS", "7", "CROSSROLE_TASK_RUNTIME", "sandboxed");
        ServeCommand fromEnvironment = parseServe(environment);
        assertEquals(5000, fromEnvironment.port);
        assertEquals("0.0.0.0", fromEnvironment.bind);
        assertEquals(Path.of("/data"), fromEnvironment.dataDir);
        assertEquals("postgresql://u:p@db:5432/crossrole", fromEnvironment.store);
        assertTrue(fromEnvironment.tls);
        assertEquals(List.of("crossrole", "crossrole.test"), fromEnvironment.allowedHosts);
        assertEquals(7, fromEnvironment.maxConnections);
        assertEquals(dev.crossrole.server.tasks.TaskIsolation.SANDBOXED, fromEnvironment.taskRuntime);

        ServeCommand commandLineWins = parseServe(environment, "--port", "6000", "--data-dir", "here",
                "--allow-host", "other");
        assertEquals(6000, commandLineWins.port);
        assertEquals(Path.of("here"), commandLineWins.dataDir);
        assertEquals(List.of("other"), commandLineWins.allowedHosts);
        assertEquals("0.0.0.0", commandLineWins.bind);

        ServeCommand defaults = parseServe(Map.of("CROSSROLE_PORT", "", "OTHER", "x"));
        assertEquals(4566, defaults.port, "an empty variable is unset");
        assertEquals("127.0.0.1", defaults.bind);
        assertEquals(Path.of(".crossrole"), defaults.dataDir);
        assertFalse(defaults.tls);
        assertEquals(null, defaults.store);
    }

    @Test
    void aBadValueInTheEnvironmentIsRefusedNamingTheVariable() {
        String data = dir.resolve("d").toString();
        CliTest.Result notANumber = run(Map.of("CROSSROLE_PORT", "abc"), "serve", "--data-dir", data);
        assertEquals(ExitCodes.UNUSABLE, notANumber.exit());
        assertTrue(notANumber.err().contains("CROSSROLE_PORT"), notANumber.err());
        assertTrue(notANumber.err().contains("'abc' is not an int"), notANumber.err());

        CliTest.Result badRuntime = run(Map.of("CROSSROLE_TASK_RUNTIME", "vm"), "serve", "--data-dir", data);
        assertEquals(ExitCodes.UNUSABLE, badRuntime.exit());
        assertTrue(badRuntime.err().contains("CROSSROLE_TASK_RUNTIME"), badRuntime.err());
        assertTrue(badRuntime.err().contains("expected 'auto', 'docker', 'sandboxed' or 'unsandboxed', not 'vm'"),
                badRuntime.err());

        CliTest.Result outOfRange = run(Map.of("CROSSROLE_PORT", "70000"), "serve", "--data-dir", data);
        assertEquals(ExitCodes.UNUSABLE, outOfRange.exit());
        assertTrue(outOfRange.err().contains("crossrole: CROSSROLE_PORT (--port) must be between 0 and 65535"),
                outOfRange.err());
        CliTest.Result noConnections = run(Map.of("CROSSROLE_MAX_CONNECTIONS", "0"), "serve", "--data-dir", data);
        assertTrue(noConnections.err().contains("CROSSROLE_MAX_CONNECTIONS (--max-connections) must be at least 1"),
                noConnections.err());

        // given on the command line, the same value is the command line's, whatever the environment says
        CliTest.Result onTheCommandLine = run(Map.of("CROSSROLE_PORT", "70000"), "serve", "--port", "abc");
        assertEquals(ExitCodes.UNUSABLE, onTheCommandLine.exit());
        assertFalse(onTheCommandLine.err().contains("CROSSROLE_PORT"), onTheCommandLine.err());
        assertTrue(onTheCommandLine.err().contains("'abc' is not an int"), onTheCommandLine.err());
        CliTest.Result rangeOnTheCommandLine = run(Map.of("CROSSROLE_PORT", "70000"), "serve", "--port", "70001");
        assertTrue(rangeOnTheCommandLine.err().contains("crossrole: --port must be between"), rangeOnTheCommandLine.err());
    }

    @Test
    void serveHelpSaysHowTheEnvironmentIsRead() {
        CliTest.Result help = CliTest.run("serve", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("CROSSROLE_DATA_DIR=/data"), help.out());
        assertTrue(help.out().contains("The command line wins over the"), help.out());
    }
}
