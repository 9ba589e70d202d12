package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SNS through the AWS CLI v1 ({@code aws} on PATH, which honours {@code AWS_ENDPOINT_URL} for SNS; its SQS calls are
 * given {@code --endpoint-url}, see the README's SQS section): topics, an SQS subscription, a publish, an error.
 */
class SnsCliTest {
    static TestCrossrole crossrole;
    static Path work;
    static Path config;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        work = Files.createTempDirectory("crossrole-sns-cli");
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

    @Test
    void topicsSubscriptionsAndPublishingThroughCliV1() throws Exception {
        String topic = AwsCli.ok(aws("sns", "create-topic", "--name", "cli-topic", "--tags", "Key=team,Value=ops"))
                .path("TopicArn").asText();
        assertEquals("arn:aws:sns:us-east-1:" + SOURCE + ":cli-topic", topic);
        String url = AwsCli.ok(aws("--endpoint-url", crossrole.endpoint(), "sqs", "create-queue", "--queue-name",
                "cli-inbox")).path("QueueUrl").asText();
        String queue = "arn:aws:sqs:us-east-1:" + SOURCE + ":cli-inbox";
        // SNS sends to a queue whose policy lets the topic in, even in its own account, as on AWS.
        Files.writeString(work.resolve("policy.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(Map.of("Policy", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                        + "\"Allow\",\"Principal\":{\"Service\":\"sns.amazonaws.com\"},\"Action\":"
                        + "\"sqs:SendMessage\",\"Resource\":\"" + queue + "\",\"Condition\":{\"ArnEquals\":"
                        + "{\"aws:SourceArn\":\"" + topic + "\"}}}]}")));
        Run allowed = aws("--endpoint-url", crossrole.endpoint(), "sqs", "set-queue-attributes", "--queue-url", url,
                "--attributes", "file://policy.json");
        assertEquals(0, allowed.exit(), allowed.toString());
        JsonNode subscribed = AwsCli.ok(aws("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs",
                "--notification-endpoint", queue, "--attributes",
                "{\"RawMessageDelivery\":\"true\"}"));
        assertTrue(subscribed.path("SubscriptionArn").asText().startsWith(topic + ":"), subscribed.toString());
        String id = AwsCli.ok(aws("sns", "publish", "--topic-arn", topic, "--message", "from the cli",
                "--message-attributes", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}"))
                .path("MessageId").asText();
        assertNotEquals("", id);
        JsonNode received = AwsCli.ok(aws("--endpoint-url", crossrole.endpoint(), "sqs", "receive-message",
                "--queue-url", url, "--message-attribute-names", "All"));
        assertEquals("from the cli", received.path("Messages").path(0).path("Body").asText(), received.toString());
        assertEquals("v", received.path("Messages").path(0).path("MessageAttributes").path("k").path("StringValue")
                .asText());
        JsonNode listed = AwsCli.ok(aws("sns", "list-subscriptions-by-topic", "--topic-arn", topic));
        assertEquals(1, listed.path("Subscriptions").size(), listed.toString());
        assertEquals("team", AwsCli.ok(aws("sns", "list-tags-for-resource", "--resource-arn", topic)).path("Tags")
                .path(0).path("Key").asText());

        Run missing = aws("sns", "get-topic-attributes", "--topic-arn", topic + "-none");
        assertEquals(255, missing.exit(), missing.toString());
        assertTrue(missing.stderr().contains("(NotFound)") && missing.stderr().contains("Topic does not exist"),
                missing.stderr());
        Run deleted = aws("sns", "delete-topic", "--topic-arn", topic);
        assertEquals(0, deleted.exit(), deleted.toString());
        assertEquals(0, AwsCli.ok(aws("sns", "list-topics")).path("Topics").size());
    }
}
