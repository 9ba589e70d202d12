package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ListMessageMoveTasksResultEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * SQS's dead-letter queue redrive through the SDK for Java v2: messages moved to a dead-letter queue keep the queue
 * they came from ({@code DeadLetterQueueSourceArn}), and a message move task returns them there or moves them to a
 * queue named, in the background at the rate asked for, one task per source at a time, cancellable; with SQS's errors
 * for what is not a dead-letter queue, queues that do not exist, malformed ARNs and rates, and IAM deciding.
 */
class SqsMoveTasksSdkTest {
    static TestCrossrole crossrole;
    static SqsClient sqs;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        sqs = SqsSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        sqs.close();
        crossrole.close();
    }

    private static String arn(String name) {
        return "arn:aws:sqs:us-east-1:" + SOURCE + ":" + name;
    }

    /** A queue whose messages go to {@code dlq} after one receive, and the dead-letter queue itself. */
    private static String[] queueWithDeadLetters(String name, String dlq) {
        String dlqUrl = sqs.createQueue(r -> r.queueName(dlq)).queueUrl();
        String url = sqs.createQueue(r -> r.queueName(name).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + arn(dlq) + "\",\"maxReceiveCount\":1}"))).queueUrl();
        return new String[] {url, dlqUrl};
    }

    /** Sends {@code count} messages and receives each twice, which moves them to the dead-letter queue. */
    private static void deadLetter(String url, int count) {
        for (int i = 0; i < count; i++) {
            int n = i;
            sqs.sendMessage(r -> r.queueUrl(url).messageBody("job " + n));
        }
        for (int pass = 0; pass < 2; pass++) {
            sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).visibilityTimeout(0));
        }
    }

    private static int count(String url) {
        return Integer.parseInt(sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    private static ListMessageMoveTasksResultEntry latestTask(String sourceArn) {
        return sqs.listMessageMoveTasks(r -> r.sourceArn(sourceArn)).results().get(0);
    }

    private static ListMessageMoveTasksResultEntry awaitEnd(String sourceArn) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (true) {
            ListMessageMoveTasksResultEntry task = latestTask(sourceArn);
            if (!task.status().equals("RUNNING") && !task.status().equals("CANCELLING")
                    || Instant.now().isAfter(deadline)) {
                return task;
            }
            Thread.sleep(100);
        }
    }

    @Test
    void aMoveTaskReturnsDeadLettersToTheQueuesTheyCameFrom() throws Exception {
        String[] urls = queueWithDeadLetters("orders", "orders-dlq");
        deadLetter(urls[0], 3);
        assertEquals(0, count(urls[0]));
        assertEquals(3, count(urls[1]));
        List<Message> dead = sqs.receiveMessage(r -> r.queueUrl(urls[1]).maxNumberOfMessages(10).visibilityTimeout(0)
                .messageSystemAttributeNames(MessageSystemAttributeName.DEAD_LETTER_QUEUE_SOURCE_ARN)).messages();
        assertEquals(3, dead.size());
        dead.forEach(m -> assertEquals(arn("orders"), m.attributes().get(
                MessageSystemAttributeName.DEAD_LETTER_QUEUE_SOURCE_ARN)));

        String handle = sqs.startMessageMoveTask(r -> r.sourceArn(arn("orders-dlq"))).taskHandle();
        assertTrue(new String(java.util.Base64.getDecoder().decode(handle)).contains(arn("orders-dlq")));
        ListMessageMoveTasksResultEntry done = awaitEnd(arn("orders-dlq"));
        assertEquals("COMPLETED", done.status());
        assertEquals(3L, done.approximateNumberOfMessagesMoved());
        assertEquals(3L, done.approximateNumberOfMessagesToMove());
        assertNull(done.taskHandle(), "a finished task has no handle to cancel");
        assertNull(done.destinationArn());
        assertEquals(0, count(urls[1]));
        List<Message> back = sqs.receiveMessage(r -> r.queueUrl(urls[0]).maxNumberOfMessages(10)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
        assertEquals(3, back.size());
        back.forEach(m -> assertEquals("1", m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT),
                "a moved message starts over"));
        // Cancelling a finished task: refused.
        assertError(400, "InvalidParameterValue", null, () -> sqs.cancelMessageMoveTask(r -> r.taskHandle(handle)));
    }

    @Test
    void aRateLimitedTaskIsTheOnlyOneOfItsSourceAndCanBeCancelled() throws Exception {
        String[] urls = queueWithDeadLetters("slow", "slow-dlq");
        String other = sqs.createQueue(r -> r.queueName("slow-elsewhere")).queueUrl();
        deadLetter(urls[0], 6);
        String handle = sqs.startMessageMoveTask(r -> r.sourceArn(arn("slow-dlq")).destinationArn(arn("slow-elsewhere"))
                .maxNumberOfMessagesPerSecond(1)).taskHandle();
        assertError(400, "InvalidParameterValue", "There is already a task running. Only one active task is allowed"
                + " for a source queue arn at a given time.", () -> sqs.startMessageMoveTask(r -> r
                        .sourceArn(arn("slow-dlq"))));
        ListMessageMoveTasksResultEntry running = latestTask(arn("slow-dlq"));
        assertEquals("RUNNING", running.status());
        assertEquals(handle, running.taskHandle());
        assertEquals(1, running.maxNumberOfMessagesPerSecond());
        assertEquals(arn("slow-elsewhere"), running.destinationArn());
        long moved = sqs.cancelMessageMoveTask(r -> r.taskHandle(handle)).approximateNumberOfMessagesMoved();
        assertTrue(moved < 6, "moved " + moved);
        ListMessageMoveTasksResultEntry cancelled = awaitEnd(arn("slow-dlq"));
        assertEquals("CANCELLED", cancelled.status());
        assertEquals(6, count(urls[1]) + count(other));
        assertTrue(count(urls[1]) > 0);
        // The refused second start left no task behind.
        assertEquals(1, sqs.listMessageMoveTasks(r -> r.sourceArn(arn("slow-dlq")).maxResults(10)).results().size());
    }

    @Test
    void messagesOfUnknownOriginFailTheTask() throws Exception {
        String[] urls = queueWithDeadLetters("origin", "origin-dlq");
        sqs.sendMessage(r -> r.queueUrl(urls[1]).messageBody("sent straight to the dead-letter queue"));
        sqs.startMessageMoveTask(r -> r.sourceArn(arn("origin-dlq")));
        ListMessageMoveTasksResultEntry failed = awaitEnd(arn("origin-dlq"));
        assertEquals("FAILED", failed.status());
        assertEquals("CouldNotDetermineMessageSource", failed.failureReason());
        assertEquals(0L, failed.approximateNumberOfMessagesMoved());
        assertEquals(1, count(urls[1]));
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        queueWithDeadLetters("checked", "checked-dlq");
        sqs.createQueue(r -> r.queueName("not-a-dlq"));
        sqs.createQueue(r -> r.queueName("checked-target.fifo").attributes(Map.of(QueueAttributeName.FIFO_QUEUE,
                "true")));
        assertError(400, "InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.",
                () -> sqs.startMessageMoveTask(r -> r.sourceArn(arn("not-a-dlq"))));
        assertError(400, "ResourceNotFoundException", "The resource that you specified for the SourceArn parameter"
                + " doesn't exist.", () -> sqs.startMessageMoveTask(r -> r.sourceArn(arn("missing"))));
        assertError(400, "ResourceNotFoundException", "The resource that you specified for the DestinationArn"
                + " parameter doesn't exist.", () -> sqs.startMessageMoveTask(r -> r.sourceArn(arn("checked-dlq"))
                        .destinationArn(arn("missing"))));
        assertError(400, "InvalidAddress", "You must use this format to specify the DestinationArn:"
                + " arn:<partition>:<service>:<region>:<account-id>:<resource-id>", () -> sqs.startMessageMoveTask(
                        r -> r.sourceArn(arn("checked-dlq")).destinationArn("invalid")));
        assertError(400, "InvalidParameterValue", "Source queue arn and destination queue arn cannot be the same.",
                () -> sqs.startMessageMoveTask(r -> r.sourceArn(arn("checked-dlq")).destinationArn(arn("checked-dlq"))));
        assertError(400, "InvalidParameterValue", "The source queue and destination queue must be of the same queue"
                + " type.", () -> sqs.startMessageMoveTask(r -> r.sourceArn(arn("checked-dlq"))
                        .destinationArn(arn("checked-target.fifo"))));
        for (int rate : new int[] {0, 501}) {
            assertError(400, "InvalidParameterValue", "Value for parameter MaxNumberOfMessagesPerSecond is invalid."
                    + " Reason: You must enter a number that's between 1 and 500.", () -> sqs.startMessageMoveTask(
                            r -> r.sourceArn(arn("checked-dlq")).maxNumberOfMessagesPerSecond(rate)));
        }
        assertError(400, "ResourceNotFoundException", "Task does not exist.",
                () -> sqs.cancelMessageMoveTask(r -> r.taskHandle("bm90LWEtaGFuZGxl")));
        assertError(400, "ResourceNotFoundException", null,
                () -> sqs.listMessageMoveTasks(r -> r.sourceArn(arn("missing"))));
        assertTrue(sqs.listMessageMoveTasks(r -> r.sourceArn(arn("checked-dlq"))).results().isEmpty(),
                "no task was started");
    }

    @Test
    void anotherAccountNeedsTheQueuePolicy() {
        queueWithDeadLetters("guarded", "guarded-dlq");
        try (SqsClient other = SqsSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION))) {
            assertError(403, "AccessDenied", null, () -> other.startMessageMoveTask(r -> r
                    .sourceArn(arn("guarded-dlq"))));
            assertError(403, "AccessDenied", null, () -> other.listMessageMoveTasks(r -> r
                    .sourceArn(arn("guarded-dlq"))));
        }
        assertTrue(sqs.listMessageMoveTasks(r -> r.sourceArn(arn("guarded-dlq"))).results().isEmpty());
    }
}
