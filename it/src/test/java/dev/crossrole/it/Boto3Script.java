package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a boto3 script of the test resources ({@code python3} on PATH, botocore honouring {@code AWS_ENDPOINT_URL})
 * against a crossrole, with a fresh HOME, no AWS configuration but crossrole's endpoint, and the two administrators'
 * keys in {@code SOURCE_KEY}/{@code SOURCE_SECRET} and {@code DEST_KEY}/{@code DEST_SECRET}; its output is one JSON
 * document of what it found.
 */
final class Boto3Script {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Boto3Script() {}

    static JsonNode run(TestCrossrole crossrole, String resource, long timeoutSeconds, String... args) throws Exception {
        Path script;
        try {
            script = Path.of(Boto3Script.class.getResource(resource).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path home = Files.createTempDirectory("crossrole-boto3");
        try {
            List<String> command = new ArrayList<>(List.of("python3", script.toString()));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(home.resolve("stdout").toFile()).redirectError(home.resolve("stderr").toFile());
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("AWS_"));
            env.put("HOME", home.toString());
            env.put("AWS_ENDPOINT_URL", crossrole.endpoint());
            env.put("AWS_CONFIG_FILE", home.resolve("no-config").toString());
            env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("no-credentials").toString());
            env.put("AWS_EC2_METADATA_DISABLED", "true");
            env.put("SOURCE_KEY", crossrole.admin(SOURCE).accessKeyId());
            env.put("SOURCE_SECRET", crossrole.admin(SOURCE).secretAccessKey());
            env.put("DEST_KEY", crossrole.admin(DESTINATION).accessKeyId());
            env.put("DEST_SECRET", crossrole.admin(DESTINATION).secretAccessKey());
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new AssertionError("python3 with boto3 is required for this test and could not be started", e);
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("the boto3 script " + resource + " did not finish within " + timeoutSeconds + " s");
            }
            String stdout = Files.readString(home.resolve("stdout"));
            if (p.exitValue() != 0) {
                fail("the boto3 script " + resource + " failed (exit " + p.exitValue() + "):\n"
                        + Files.readString(home.resolve("stderr")) + "\n" + stdout);
            }
            return JSON.readTree(stdout);
        } finally {
            try (var files = Files.walk(home)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
