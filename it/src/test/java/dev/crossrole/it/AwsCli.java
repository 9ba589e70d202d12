package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real AWS CLI ({@code aws} on PATH) against a crossrole under test. Each call gets a fresh
 * HOME (the CLI caches assumed-role credentials there) and an environment holding no {@code AWS_*}
 * variable but crossrole's endpoint, credentials file and region.
 */
final class AwsCli {
    static final long TIMEOUT_SECONDS = 60;

    private AwsCli() {}

    /**
     * {@code aws <args>} in {@code directory} (where {@code file://name} arguments are found).
     *
     * @param scratch where the fresh HOME is created
     * @param config  the CLI config file, or {@code null} for none
     * @param extra   further environment variables, applied last
     */
    static Run run(TestCrossrole crossrole, Path directory, Path scratch, Path config, Map<String, String> extra,
                   String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("aws");
        command.addAll(List.of(args));
        Path home = Files.createTempDirectory(scratch, "home");
        Path out = home.resolve("stdout");
        Path err = home.resolve("stderr");
        ProcessBuilder pb = new ProcessBuilder(command).directory(directory.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("HOME", home.toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", crossrole.server.credentialsFile().toString());
        if (config != null) {
            env.put("AWS_CONFIG_FILE", config.toString());
        }
        env.put("AWS_ENDPOINT_URL", crossrole.endpoint());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_PAGER", "");
        env.putAll(extra);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("the AWS CLI ('aws' on PATH) is required for this test and could not be started", e);
        }
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("aws " + String.join(" ", args) + " did not finish within " + TIMEOUT_SECONDS + " s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The JSON output of a run that must have succeeded. */
    static JsonNode ok(Run run) {
        assertEquals(0, run.exit(), run.toString());
        return run.json();
    }
}
