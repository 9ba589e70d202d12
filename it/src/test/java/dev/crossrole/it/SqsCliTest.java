package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * README's SQS walk-through with the AWS CLI ({@code aws} on PATH): a queue of one account that another may send to
 * by its queue policy, the message received by the owner, a denial before the policy, and a dead-letter queue
 * redriven with a message move task.
 */
class SqsCliTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestCrossrole crossrole;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        work = Files.createTempDirectory("crossrole-sqs-cli");
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * The CLI with {@code --endpoint-url}: the AWS CLI v1 sends SQS calls to {@code queue.amazonaws.com} of the region
     * whatever {@code AWS_ENDPOINT_URL} says (its customization for SQS's certificate names), unless given the option.
     */
    private static Run aws(String... args) throws Exception {
        String[] withEndpoint = new String[args.length + 2];
        withEndpoint[0] = "--endpoint-url";
        withEndpoint[1] = crossrole.endpoint();
        System.arraycopy(args, 0, withEndpoint, 2, args.length);
        return AwsCli.run(crossrole, work, work, null, Map.of(), withEndpoint);
    }

    private static String text(String... args) throws Exception {
        Run run = aws(args);
        assertEquals(0, run.exit(), run.toString());
        return run.stdout().strip();
    }

    @Test
    void anotherAccountSendsByTheQueuePolicy() throws Exception {
        String url = text("--profile", "destination", "sqs", "create-queue", "--queue-name", "jobs", "--query",
                "QueueUrl", "--output", "text");
        assertTrue(url.endsWith("/" + TestCrossrole.DESTINATION + "/jobs"), url);
        Run denied = aws("--profile", "source", "sqs", "send-message", "--queue-url", url, "--message-body", "hello");
        assertNotEquals(0, denied.exit(), denied.toString());
        assertTrue(denied.stderr().contains("AccessDenied"), denied.stderr());

        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::" + TestCrossrole.SOURCE + ":root\"},\"Action\":\"sqs:SendMessage\",\"Resource\":"
                + "\"arn:aws:sqs:us-east-1:" + TestCrossrole.DESTINATION + ":jobs\"}]}";
        text("--profile", "destination", "sqs", "set-queue-attributes", "--queue-url", url, "--attributes",
                JSON.writeValueAsString(Map.of("Policy", policy)));
        String id = text("--profile", "source", "sqs", "send-message", "--queue-url", url, "--message-body", "hello",
                "--query", "MessageId", "--output", "text");
        JsonNode received = JSON.readTree(text("--profile", "destination", "sqs", "receive-message", "--queue-url",
                url, "--attribute-names", "SenderId"));
        JsonNode message = received.get("Messages").get(0);
        assertEquals(id, message.get("MessageId").asText());
        assertEquals("hello", message.get("Body").asText());
        text("--profile", "destination", "sqs", "delete-message", "--queue-url", url, "--receipt-handle",
                message.get("ReceiptHandle").asText());
        Run missing = aws("--profile", "destination", "sqs", "get-queue-url", "--queue-name", "nothing-here");
        assertNotEquals(0, missing.exit());
        assertTrue(missing.stderr().contains("NonExistentQueue"), missing.stderr());
    }

    @Test
    void aDeadLetterQueueIsRedriven() throws Exception {
        String dlq = text("--profile", "source", "sqs", "create-queue", "--queue-name", "work-dlq", "--query",
                "QueueUrl", "--output", "text");
        String redrive = "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:" + TestCrossrole.SOURCE
                + ":work-dlq\",\"maxReceiveCount\":1}";
        String url = text("--profile", "source", "sqs", "create-queue", "--queue-name", "work", "--attributes",
                JSON.writeValueAsString(Map.of("RedrivePolicy", redrive)), "--query", "QueueUrl", "--output", "text");
        text("--profile", "source", "sqs", "send-message", "--queue-url", url, "--message-body", "flaky");
        for (int i = 0; i < 2; i++) {
            text("--profile", "source", "sqs", "receive-message", "--queue-url", url, "--visibility-timeout", "0");
        }
        assertEquals("1", text("--profile", "source", "sqs", "get-queue-attributes", "--queue-url", dlq,
                "--attribute-names", "ApproximateNumberOfMessages", "--query", "Attributes.ApproximateNumberOfMessages",
                "--output", "text"));
        text("--profile", "source", "sqs", "start-message-move-task", "--source-arn", "arn:aws:sqs:us-east-1:"
                + TestCrossrole.SOURCE + ":work-dlq");
        String status = "";
        for (int i = 0; i < 20 && !status.equals("COMPLETED"); i++) {
            status = text("--profile", "source", "sqs", "list-message-move-tasks", "--source-arn",
                    "arn:aws:sqs:us-east-1:" + TestCrossrole.SOURCE + ":work-dlq", "--query", "Results[0].Status",
                    "--output", "text");
        }
        assertEquals("COMPLETED", status);
        assertEquals("flaky", text("--profile", "source", "sqs", "receive-message", "--queue-url", url, "--query",
                "Messages[0].Body", "--output", "text"));
    }
}
