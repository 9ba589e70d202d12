package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CloudTrail's event history through the AWS CLI ({@code aws cloudtrail lookup-events}, which pages by itself). */
class CloudTrailCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestCrossrole crossrole;
    static Path work;
    static Path config;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        work = Files.createTempDirectory("crossrole-trail-cli");
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

    private static Run aws(String profile, String... args) throws Exception {
        return AwsCli.run(crossrole, work, work, config, Map.of("AWS_PROFILE", profile), args);
    }

    @Test
    void lookupEventsByNameAcrossPages() throws Exception {
        for (String name : List.of("cli-trail-1", "cli-trail-2", "cli-trail-3")) {
            // The CLI's SQS commands go to SQS's legacy endpoint unless told where: given as --endpoint-url.
            AwsCli.ok(aws("source", "sqs", "create-queue", "--queue-name", name, "--endpoint-url",
                    crossrole.endpoint()));
        }
        // The CLI follows NextToken by itself: a page size of one still lists all three, newest first.
        JsonNode found = AwsCli.ok(aws("source", "cloudtrail", "lookup-events", "--lookup-attributes",
                "AttributeKey=EventName,AttributeValue=CreateQueue", "--page-size", "1"));
        List<String> queues = new ArrayList<>();
        for (JsonNode event : found.path("Events")) {
            assertEquals("CreateQueue", event.path("EventName").asText());
            assertEquals("sqs.amazonaws.com", event.path("EventSource").asText());
            JsonNode record = JSON.readTree(event.path("CloudTrailEvent").asText());
            queues.add(record.path("requestParameters").path("queueName").asText());
            assertTrue(record.path("userAgent").asText().startsWith("aws-cli/"), record.toString());
        }
        assertEquals(List.of("cli-trail-3", "cli-trail-2", "cli-trail-1"), queues);
        // The other account's history has none of them.
        JsonNode other = AwsCli.ok(aws("destination", "cloudtrail", "lookup-events", "--lookup-attributes",
                "AttributeKey=EventName,AttributeValue=CreateQueue"));
        assertEquals(0, other.path("Events").size());
    }

    @Test
    void aTimeRangeTheWrongWayRoundIsRefused() throws Exception {
        Run refused = aws("source", "cloudtrail", "lookup-events", "--start-time", "2026-01-02T00:00:00Z",
                "--end-time", "2026-01-01T00:00:00Z");
        assertNotEquals(0, refused.exit());
        assertTrue(refused.stderr().contains("InvalidTimeRangeException"), refused.toString());
    }
}
