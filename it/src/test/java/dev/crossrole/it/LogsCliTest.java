package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CloudWatch Logs through the real AWS CLI: v1 ({@code aws} on PATH) for the API, and v2 (Debian's
 * {@code /usr/bin/aws}, which {@code .ci/run} installs) for {@code aws logs tail --follow}, which only v2 has.
 */
class LogsCliTest {
    /** AWS CLI v2 as Debian installs it; it ignores {@code AWS_ENDPOINT_URL}, so it is given the endpoint. */
    private static final String CLI_V2 = "/usr/bin/aws";

    static TestCrossrole crossrole;
    static Path work;
    static Path config;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        work = Files.createTempDirectory("crossrole-logs-cli");
        config = work.resolve("config");
        Files.writeString(config, "[default]\nregion = us-east-1\noutput = json\n");
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Run aws(String... args) throws Exception {
        return AwsCli.run(crossrole, work, work, config, Map.of("AWS_PROFILE", "source"), args);
    }

    private static String events(String... messages) {
        long now = System.currentTimeMillis();
        List<String> events = new ArrayList<>();
        for (String message : messages) {
            events.add("{\"timestamp\":" + now + ",\"message\":\"" + message.replace("\"", "\\\"") + "\"}");
        }
        return "[" + String.join(",", events) + "]";
    }

    @Test
    void groupsStreamsEventsAndFilterPatternsThroughCliV1() throws Exception {
        AwsCli.ok(aws("logs", "create-log-group", "--log-group-name", "/cli/app", "--tags", "team=web"));
        AwsCli.ok(aws("logs", "create-log-stream", "--log-group-name", "/cli/app", "--log-stream-name", "web-1"));
        JsonNode put = AwsCli.ok(aws("logs", "put-log-events", "--log-group-name", "/cli/app", "--log-stream-name",
                "web-1", "--log-events", events("ERROR disk full", "INFO ok", "{\"level\":\"WARN\",\"ms\":900}")));
        assertTrue(put.has("nextSequenceToken"), put.toString());

        JsonNode all = AwsCli.ok(aws("logs", "get-log-events", "--log-group-name", "/cli/app", "--log-stream-name",
                "web-1", "--start-from-head"));
        assertEquals(3, all.path("events").size(), all.toString());
        JsonNode errors = AwsCli.ok(aws("logs", "filter-log-events", "--log-group-name", "/cli/app", "--filter-pattern",
                "?ERROR ?WARN"));
        assertEquals(2, errors.path("events").size(), "ERROR, and WARN in the JSON event: " + errors);
        JsonNode slow = AwsCli.ok(aws("logs", "filter-log-events", "--log-group-name", "/cli/app", "--filter-pattern",
                "{ $.ms >= 500 }", "--query", "events[].message"));
        assertEquals("{\"level\":\"WARN\",\"ms\":900}", slow.path(0).asText());
        JsonNode groups = AwsCli.ok(aws("logs", "describe-log-groups", "--log-group-name-prefix", "/cli/"));
        assertEquals("arn:aws:logs:us-east-1:" + SOURCE + ":log-group:/cli/app:*",
                groups.path("logGroups").path(0).path("arn").asText());

        Run refused = aws("logs", "put-retention-policy", "--log-group-name", "/cli/app", "--retention-in-days", "2");
        assertTrue(refused.exit() == 254 || refused.exit() == 255, refused.toString());
        assertTrue(refused.stderr().contains("(InvalidParameterException) when calling the PutRetentionPolicy"
                + " operation: 1 validation error detected: Value '2' at 'retentionInDays'"), refused.toString());
        Run duplicate = aws("logs", "create-log-group", "--log-group-name", "/cli/app");
        assertTrue(duplicate.stderr().contains("(ResourceAlreadyExistsException) when calling the CreateLogGroup"
                + " operation: The specified log group already exists"), duplicate.toString());
    }

    @Test
    void cliV2TailFollowsNewEvents() throws Exception {
        AwsCli.ok(aws("logs", "create-log-group", "--log-group-name", "/cli/tail"));
        AwsCli.ok(aws("logs", "create-log-stream", "--log-group-name", "/cli/tail", "--log-stream-name", "s"));
        AwsCli.ok(aws("logs", "put-log-events", "--log-group-name", "/cli/tail", "--log-stream-name", "s",
                "--log-events", events("ERROR before")));

        Path home = Files.createTempDirectory(work, "home");
        Path out = home.resolve("stdout");
        ProcessBuilder tail = new ProcessBuilder(CLI_V2, "--endpoint-url", crossrole.endpoint(), "logs", "tail",
                "/cli/tail", "--since", "1h", "--follow", "--filter-pattern", "ERROR").redirectOutput(out.toFile())
                .redirectError(home.resolve("stderr").toFile()).redirectInput(ProcessBuilder.Redirect.from(
                        new File("/dev/null")));
        Map<String, String> env = tail.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("HOME", home.toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", crossrole.server.credentialsFile().toString());
        env.put("AWS_CONFIG_FILE", config.toString());
        env.put("AWS_PROFILE", "source");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        Process process = tail.start();
        try {
            awaitOutput(out, "ERROR before", process, home);
            AwsCli.ok(aws("logs", "put-log-events", "--log-group-name", "/cli/tail", "--log-stream-name", "s",
                    "--log-events", events("ERROR after", "INFO skipped")));
            String shown = awaitOutput(out, "ERROR after", process, home);
            assertTrue(shown.contains(" s ERROR after"), shown);
            assertTrue(!shown.contains("INFO skipped"), shown);
        } finally {
            process.destroyForcibly();
        }
    }

    /** What the command printed, once it printed {@code expected}. */
    private static String awaitOutput(Path out, String expected, Process process, Path home) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String shown = Files.readString(out);
            if (shown.contains(expected)) {
                return shown;
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("aws logs tail never printed '" + expected + "': " + Files.readString(out)
                + Files.readString(home.resolve("stderr")));
    }
}
