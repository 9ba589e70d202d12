package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.policy.Outcome;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.requestlog.RecordedRequest;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.QueueNameExistsException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * SQS through the SDK for Java v2 (the JSON protocol, whose errors carry their Query codes): queues and their
 * attributes, messages with attributes whose digests the SDK verifies, visibility timeouts on the server's clock,
 * batches, purges, queue policies deciding another account's sends, and messages that survive a restart.
 */
class SqsSdkTest {
    static MutableClock clock = MutableClock.frozenNow();
    static TestCrossrole crossrole;
    static SqsClient sqs;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole(clock);
        sqs = client(crossrole.endpoint(), crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        sqs.close();
        crossrole.close();
    }

    static SqsClient client(String endpoint, AwsCredentialsProvider credentials) {
        return SqsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private static String create(String name) {
        return sqs.createQueue(r -> r.queueName(name)).queueUrl();
    }

    private static List<Message> receive(String url, int max) {
        return sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(max).messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
    }

    @Test
    void queuesTheirUrlsAndAttributes() {
        String url = sqs.createQueue(r -> r.queueName("orders").attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT,
                "45", QueueAttributeName.DELAY_SECONDS, "0")).tags(Map.of("team", "shop"))).queueUrl();
        assertEquals(crossrole.endpoint() + "/" + SOURCE + "/orders", url);
        // The same name with the same attributes is the same queue; another value for one of them is refused.
        assertEquals(url, sqs.createQueue(r -> r.queueName("orders")
                .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "45"))).queueUrl());
        AwsServiceException exists = assertError(400, "QueueAlreadyExists", "A queue already exists with the same name"
                + " and a different value for attribute VisibilityTimeout", () -> sqs.createQueue(r -> r
                .queueName("orders").attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "60"))));
        assertInstanceOf(QueueNameExistsException.class, exists);
        assertEquals(url, sqs.getQueueUrl(r -> r.queueName("orders")).queueUrl());
        AwsServiceException missing = assertError(400, "AWS.SimpleQueueService.NonExistentQueue",
                "The specified queue does not exist.", () -> sqs.getQueueUrl(r -> r.queueName("nothing")));
        assertInstanceOf(QueueDoesNotExistException.class, missing);
        assertError(400, "InvalidParameterValue", null, () -> sqs.createQueue(r -> r.queueName("bad name!")));

        Map<String, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(url)
                .attributeNames(QueueAttributeName.ALL)).attributesAsStrings();
        assertEquals("arn:aws:sqs:us-east-1:" + SOURCE + ":orders", attributes.get("QueueArn"));
        assertEquals("45", attributes.get("VisibilityTimeout"));
        assertEquals("345600", attributes.get("MessageRetentionPeriod"));
        assertEquals("0", attributes.get("ApproximateNumberOfMessages"));
        sqs.setQueueAttributes(r -> r.queueUrl(url).attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD,
                "600")));
        // A value out of its range changes nothing.
        assertError(400, "InvalidAttributeValue", "Invalid value for the parameter DelaySeconds.",
                () -> sqs.setQueueAttributes(r -> r.queueUrl(url).attributes(Map.of(
                        QueueAttributeName.MESSAGE_RETENTION_PERIOD, "900", QueueAttributeName.DELAY_SECONDS, "901"))));
        assertEquals(Map.of("MessageRetentionPeriod", "600", "DelaySeconds", "0"), sqs.getQueueAttributes(r -> r
                .queueUrl(url).attributeNamesWithStrings("MessageRetentionPeriod", "DelaySeconds"))
                .attributesAsStrings());
        assertEquals(Map.of("team", "shop"), sqs.listQueueTags(r -> r.queueUrl(url)).tags());
        sqs.tagQueue(r -> r.queueUrl(url).tags(Map.of("env", "test")));
        sqs.untagQueue(r -> r.queueUrl(url).tagKeys("team"));
        assertEquals(Map.of("env", "test"), sqs.listQueueTags(r -> r.queueUrl(url)).tags());

        for (String name : List.of("list-a", "list-b", "list-c")) {
            create(name);
        }
        assertEquals(List.of(url.replace("orders", "list-a"), url.replace("orders", "list-b"),
                url.replace("orders", "list-c")), sqs.listQueuesPaginator(r -> r.queueNamePrefix("list-")
                .maxResults(2)).queueUrls().stream().toList());
        assertEquals(2, sqs.listQueues(r -> r.queueNamePrefix("list-").maxResults(2)).queueUrls().size());

        sqs.deleteQueue(r -> r.queueUrl(url.replace("orders", "list-c")));
        assertError(400, "AWS.SimpleQueueService.NonExistentQueue", null,
                () -> sqs.getQueueAttributes(r -> r.queueUrl(url.replace("orders", "list-c"))));
        assertError(400, "AWS.SimpleQueueService.QueueDeletedRecently", null, () -> create("list-c"));
        clock.advance(Duration.ofSeconds(61));
        create("list-c");
    }

    @Test
    void messagesAttributesAndVisibility() {
        String url = create("work");
        Map<String, MessageAttributeValue> attributes = Map.of(
                "kind", MessageAttributeValue.builder().dataType("String").stringValue("order é").build(),
                "count", MessageAttributeValue.builder().dataType("Number.int").stringValue("3").build(),
                "blob", MessageAttributeValue.builder().dataType("Binary").binaryValue(SdkBytes.fromUtf8String("b"))
                        .build());
        // The SDK checks MD5OfMessageBody and MD5OfMessageAttributes of the answer against what it sent.
        String id = sqs.sendMessage(r -> r.queueUrl(url).messageBody("hello ✓").messageAttributes(attributes))
                .messageId();
        List<Message> got = receive(url, 10);
        assertEquals(1, got.size());
        Message message = got.get(0);
        assertEquals(id, message.messageId());
        assertEquals("hello ✓", message.body());
        assertEquals(attributes, message.messageAttributes());
        assertEquals("1", message.attributesAsStrings().get("ApproximateReceiveCount"));
        assertEquals(String.valueOf(clock.millis()), message.attributesAsStrings().get("SentTimestamp"));
        // Received, it is hidden for the visibility timeout, then comes back with a new receipt handle.
        assertEquals(List.of(), receive(url, 10));
        clock.advance(Duration.ofSeconds(31));
        Message again = receive(url, 10).get(0);
        assertEquals("2", again.attributesAsStrings().get("ApproximateReceiveCount"));
        assertNotEquals(message.receiptHandle(), again.receiptHandle());
        sqs.changeMessageVisibility(r -> r.queueUrl(url).receiptHandle(again.receiptHandle()).visibilityTimeout(0));
        Message third = receive(url, 1).get(0);
        sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(third.receiptHandle()));
        assertEquals(List.of(), receive(url, 10));
        assertError(400, "AWS.SimpleQueueService.MessageNotInflight", null, () -> sqs.changeMessageVisibility(r -> r
                .queueUrl(url).receiptHandle(third.receiptHandle()).visibilityTimeout(10)));
        assertError(400, "ReceiptHandleIsInvalid", null,
                () -> sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle("not-a-handle")));
        assertError(400, "InvalidParameterValue", null, () -> sqs.receiveMessage(r -> r.queueUrl(url)
                .maxNumberOfMessages(11)));

        // Delayed messages wait; a bad message is refused and nothing is queued.
        sqs.sendMessage(r -> r.queueUrl(url).messageBody("later").delaySeconds(10));
        assertError(400, "InvalidMessageContents", null,
                () -> sqs.sendMessage(r -> r.queueUrl(url).messageBody("bad \u0001")));
        assertEquals(List.of(), receive(url, 10));
        assertEquals("1", sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings(
                "ApproximateNumberOfMessagesDelayed")).attributesAsStrings().get("ApproximateNumberOfMessagesDelayed"));
        clock.advance(Duration.ofSeconds(10));
        assertEquals("later", receive(url, 10).get(0).body());
    }

    @Test
    void batchesAnswerEachEntryAndPurgesWaitAMinute() {
        String url = create("batches");
        SendMessageBatchResponse sent = sqs.sendMessageBatch(r -> r.queueUrl(url).entries(
                SendMessageBatchRequestEntry.builder().id("a").messageBody("one").build(),
                SendMessageBatchRequestEntry.builder().id("b").messageBody("two").messageAttributes(Map.of("k",
                        MessageAttributeValue.builder().dataType("String").stringValue("v").build())).build(),
                SendMessageBatchRequestEntry.builder().id("c").messageBody("three").delaySeconds(901).build()));
        assertEquals(List.of("a", "b"), sent.successful().stream().map(e -> e.id()).toList());
        assertEquals("c", sent.failed().get(0).id());
        assertEquals("InvalidParameterValue", sent.failed().get(0).code());
        assertTrue(sent.failed().get(0).senderFault());
        assertError(400, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated.", () -> sqs
                .sendMessageBatch(r -> r.queueUrl(url).entries(
                        SendMessageBatchRequestEntry.builder().id("a").messageBody("x").build(),
                        SendMessageBatchRequestEntry.builder().id("a").messageBody("y").build())));
        List<Message> got = receive(url, 10);
        assertEquals(2, got.size());
        var changed = sqs.changeMessageVisibilityBatch(r -> r.queueUrl(url).entries(e -> e.id("x")
                .receiptHandle(got.get(0).receiptHandle()).visibilityTimeout(0)));
        assertEquals(1, changed.successful().size());
        var deleted = sqs.deleteMessageBatch(r -> r.queueUrl(url).entries(
                e -> e.id("x").receiptHandle(got.get(0).receiptHandle()),
                e -> e.id("y").receiptHandle(got.get(1).receiptHandle()),
                e -> e.id("z").receiptHandle("garbage")));
        assertEquals(List.of("x", "y"), deleted.successful().stream().map(e -> e.id()).toList());
        assertEquals("ReceiptHandleIsInvalid", deleted.failed().get(0).code());

        sqs.sendMessage(r -> r.queueUrl(url).messageBody("purged"));
        sqs.purgeQueue(r -> r.queueUrl(url));
        assertEquals(List.of(), receive(url, 10));
        assertError(400, "AWS.SimpleQueueService.PurgeQueueInProgress", null, () -> sqs.purgeQueue(r -> r
                .queueUrl(url)));
        clock.advance(Duration.ofSeconds(61));
        sqs.purgeQueue(r -> r.queueUrl(url));
    }

    @Test
    void anotherAccountSendsOnlyWhenTheQueuePolicyAllows() throws Exception {
        String url = create("inbox");
        String arn = "arn:aws:sqs:us-east-1:" + SOURCE + ":inbox";
        try (SqsClient other = client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION))) {
            assertError(403, "AccessDenied", null, () -> other.getQueueUrl(r -> r.queueName("inbox")
                    .queueOwnerAWSAccountId(SOURCE)));
            AwsServiceException denied = assertError(403, "AccessDenied", null,
                    () -> other.sendMessage(r -> r.queueUrl(url).messageBody("hi")));
            RecordedRequest record = crossrole.recorded(denied.requestId());
            assertEquals("sqs:SendMessage", record.action());
            assertEquals(arn, record.resource());
            assertEquals(Outcome.IMPLICIT_DENY, record.decision().outcome());
            Run why = CrossroleCommand.run(crossrole.dataDir, "why", "--data-dir", crossrole.dataDir.toString(),
                    "--endpoint", crossrole.endpoint(), denied.requestId());
            assertEquals(0, why.exit(), why.toString());
            assertTrue(why.stdout().contains("sqs SendMessage"), why.stdout());

            sqs.setQueueAttributes(r -> r.queueUrl(url).attributesWithStrings(Map.of("Policy", "{\"Version\":"
                    + "\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                    + DESTINATION + ":root\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"" + arn + "\"}]}")));
            other.sendMessage(r -> r.queueUrl(url).messageBody("from the other account"));
            // SenderId is the sender's IAM user ID (AIDA…), as in SQS.
            assertTrue(receive(url, 1).get(0).attributesAsStrings().get("SenderId").startsWith("AIDA"));
            // The policy lets it send, not receive.
            assertError(403, "AccessDenied", null, () -> other.receiveMessage(r -> r.queueUrl(url)));
        }
        // AddPermission writes a labelled statement into the policy; RemovePermission takes it out again.
        String shared = create("shared");
        try (SqsClient other = client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION))) {
            assertError(403, "AccessDenied", null, () -> other.receiveMessage(r -> r.queueUrl(shared)));
            sqs.addPermission(r -> r.queueUrl(shared).label("consumers").awsAccountIds(DESTINATION)
                    .actions("ReceiveMessage", "DeleteMessage"));
            assertError(400, "InvalidParameterValue", "Value consumers for parameter Label is invalid. Reason:"
                    + " Already exists.", () -> sqs.addPermission(r -> r.queueUrl(shared).label("consumers")
                    .awsAccountIds(DESTINATION).actions("SendMessage")));
            assertError(400, "InvalidParameterValue", null, () -> sqs.addPermission(r -> r.queueUrl(shared)
                    .label("owners").awsAccountIds(DESTINATION).actions("DeleteQueue")));
            String policy = sqs.getQueueAttributes(r -> r.queueUrl(shared).attributeNamesWithStrings("Policy"))
                    .attributesAsStrings().get("Policy");
            assertTrue(policy.contains("\"Sid\":\"consumers\"") && policy.contains("SQS:ReceiveMessage"), policy);
            sqs.sendMessage(r -> r.queueUrl(shared).messageBody("for the other account"));
            Message m = other.receiveMessage(r -> r.queueUrl(shared)).messages().get(0);
            other.deleteMessage(r -> r.queueUrl(shared).receiptHandle(m.receiptHandle()));
            assertError(403, "AccessDenied", null, () -> other.sendMessage(r -> r.queueUrl(shared).messageBody("x")));
            sqs.removePermission(r -> r.queueUrl(shared).label("consumers"));
            assertEquals(null, sqs.getQueueAttributes(r -> r.queueUrl(shared).attributeNamesWithStrings("Policy"))
                    .attributesAsStrings().get("Policy"));
            assertError(403, "AccessDenied", null, () -> other.receiveMessage(r -> r.queueUrl(shared)));
            assertError(400, "InvalidParameterValue", null, () -> sqs.removePermission(r -> r.queueUrl(shared)
                    .label("consumers")));
        }
        assertError(400, "InvalidAttributeValue", "Invalid value for the parameter Policy.", () -> sqs
                .setQueueAttributes(r -> r.queueUrl(url).attributesWithStrings(Map.of("Policy", "{not json"))));
    }

    @Test
    void messagesReceivedTooOftenMoveToTheDeadLetterQueue() {
        String dlq = create("failed");
        String dlqArn = "arn:aws:sqs:us-east-1:" + SOURCE + ":failed";
        String redrive = "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":2}";
        String source = sqs.createQueue(r -> r.queueName("fragile").attributesWithStrings(Map.of("RedrivePolicy",
                redrive, "VisibilityTimeout", "0"))).queueUrl();
        assertEquals(redrive, sqs.getQueueAttributes(r -> r.queueUrl(source).attributeNamesWithStrings(
                "RedrivePolicy")).attributesAsStrings().get("RedrivePolicy"));
        assertError(400, "InvalidParameterValue", null, () -> sqs.setQueueAttributes(r -> r.queueUrl(source)
                .attributesWithStrings(Map.of("RedrivePolicy", redrive.replace("failed", "nowhere")))));
        assertError(400, "InvalidParameterValue", null, () -> sqs.setQueueAttributes(r -> r.queueUrl(source)
                .attributesWithStrings(Map.of("RedrivePolicy", redrive.replace(":2}", ":0}")))));
        assertEquals(List.of(source), sqs.listDeadLetterSourceQueues(r -> r.queueUrl(dlq)).queueUrls());

        String id = sqs.sendMessage(r -> r.queueUrl(source).messageBody("poison")).messageId();
        assertEquals(id, receive(source, 1).get(0).messageId());
        assertEquals(id, receive(source, 1).get(0).messageId());
        // A third receive would exceed maxReceiveCount: the message is in the dead-letter queue instead.
        assertEquals(List.of(), receive(source, 1));
        Message moved = receive(dlq, 1).get(0);
        assertEquals(id, moved.messageId());
        assertEquals("poison", moved.body());

        // A dead-letter queue whose RedriveAllowPolicy denies every source is refused.
        sqs.setQueueAttributes(r -> r.queueUrl(dlq).attributesWithStrings(Map.of("RedriveAllowPolicy",
                "{\"redrivePermission\":\"denyAll\"}")));
        assertError(400, "InvalidParameterValue", null, () -> sqs.createQueue(r -> r.queueName("another")
                .attributesWithStrings(Map.of("RedrivePolicy", redrive))));
    }

    @Test
    void longPollingWaitsForAMessageOrTheTime() throws Exception {
        String url = create("long-poll");
        long started = System.nanoTime();
        assertEquals(List.of(), sqs.receiveMessage(r -> r.queueUrl(url).waitTimeSeconds(1)).messages());
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(950).toNanos(), "answered before the wait time");

        var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> sqs.receiveMessage(r -> r.queueUrl(url)
                .waitTimeSeconds(20)).messages());
        Thread.sleep(300);
        started = System.nanoTime();
        sqs.sendMessage(r -> r.queueUrl(url).messageBody("awaited"));
        assertEquals("awaited", waiting.get(10, java.util.concurrent.TimeUnit.SECONDS).get(0).body());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "the poll did not wake on the send");
        // The queue's ReceiveMessageWaitTimeSeconds is the default wait.
        sqs.setQueueAttributes(r -> r.queueUrl(url).attributes(Map.of(
                QueueAttributeName.RECEIVE_MESSAGE_WAIT_TIME_SECONDS, "1")));
        started = System.nanoTime();
        assertEquals(List.of(), sqs.receiveMessage(r -> r.queueUrl(url)).messages());
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(950).toNanos(),
                "the queue's wait time was ignored");
        assertError(400, "InvalidParameterValue", null, () -> sqs.receiveMessage(r -> r.queueUrl(url)
                .waitTimeSeconds(21)));
    }

    @Test
    void fifoQueuesKeepGroupsInOrderAndDeduplicate() {
        assertError(400, "InvalidParameterValue", null, () -> sqs.createQueue(r -> r.queueName("jobs.fifo")));
        assertError(400, "InvalidParameterValue", null, () -> sqs.createQueue(r -> r.queueName("jobs")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))));
        String url = sqs.createQueue(r -> r.queueName("jobs.fifo").attributes(Map.of(QueueAttributeName.FIFO_QUEUE,
                "true"))).queueUrl();
        assertEquals(Map.of("FifoQueue", "true", "ContentBasedDeduplication", "false"), sqs.getQueueAttributes(r -> r
                .queueUrl(url).attributeNamesWithStrings("FifoQueue", "ContentBasedDeduplication"))
                .attributesAsStrings());
        assertError(400, "MissingParameter", null, () -> sqs.sendMessage(r -> r.queueUrl(url).messageBody("x")
                .messageDeduplicationId("d")));
        assertError(400, "InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or"
                + " MessageDeduplicationId provided explicitly", () -> sqs.sendMessage(r -> r.queueUrl(url)
                .messageBody("x").messageGroupId("g")));
        var first = sqs.sendMessage(r -> r.queueUrl(url).messageBody("a1").messageGroupId("a")
                .messageDeduplicationId("1"));
        // The same deduplication id within five minutes is accepted and not queued again.
        var again = sqs.sendMessage(r -> r.queueUrl(url).messageBody("a1").messageGroupId("a")
                .messageDeduplicationId("1"));
        assertEquals(first.messageId(), again.messageId());
        assertEquals(first.sequenceNumber(), again.sequenceNumber());
        var second = sqs.sendMessage(r -> r.queueUrl(url).messageBody("a2").messageGroupId("a")
                .messageDeduplicationId("2"));
        assertTrue(second.sequenceNumber().compareTo(first.sequenceNumber()) > 0);
        sqs.sendMessage(r -> r.queueUrl(url).messageBody("b1").messageGroupId("b").messageDeduplicationId("3"));

        // In order within a group; while a group's message is in flight, the group gives nothing more.
        List<Message> got = receive(url, 10);
        assertEquals(List.of("a1", "a2", "b1"), got.stream().map(Message::body).toList());
        assertEquals("a", got.get(0).attributesAsStrings().get("MessageGroupId"));
        assertEquals(first.sequenceNumber(), got.get(0).attributesAsStrings().get("SequenceNumber"));
        sqs.sendMessage(r -> r.queueUrl(url).messageBody("a3").messageGroupId("a").messageDeduplicationId("4"));
        sqs.sendMessage(r -> r.queueUrl(url).messageBody("c1").messageGroupId("c").messageDeduplicationId("5"));
        assertEquals(List.of("c1"), receive(url, 10).stream().map(Message::body).toList());
        sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(got.get(0).receiptHandle()));
        sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(got.get(1).receiptHandle()));
        assertEquals(List.of("a3"), receive(url, 10).stream().map(Message::body).toList());

        // Content-based deduplication: the body's SHA-256 is the id; after five minutes it is a new message.
        sqs.setQueueAttributes(r -> r.queueUrl(url).attributes(Map.of(
                QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "true")));
        String id = sqs.sendMessage(r -> r.queueUrl(url).messageBody("same").messageGroupId("d")).messageId();
        assertEquals(id, sqs.sendMessage(r -> r.queueUrl(url).messageBody("same").messageGroupId("d")).messageId());
        clock.advance(Duration.ofMinutes(6));
        assertNotEquals(id, sqs.sendMessage(r -> r.queueUrl(url).messageBody("same").messageGroupId("d"))
                .messageId());
        assertError(400, "InvalidParameterValue", null, () -> sqs.sendMessage(r -> r.queueUrl(url).messageBody("x")
                .messageGroupId("g").delaySeconds(5)));
        assertError(400, "InvalidAttributeName", null, () -> sqs.setQueueAttributes(r -> r.queueUrl(url)
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "false"))));
        // A standard queue has no FIFO attributes.
        assertError(400, "InvalidAttributeName", null, () -> sqs.createQueue(r -> r.queueName("plain")
                .attributes(Map.of(QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "true"))));
    }

    @Test
    void sseKmsAsksTheCallersKmsPermissions() {
        String keyId;
        try (var kms = KmsSdkTest.client(crossrole, crossrole.adminCredentials(SOURCE))) {
            keyId = kms.createKey(r -> r.description("queue key")).keyMetadata().keyId();
        }
        String url = sqs.createQueue(r -> r.queueName("secret-jobs").attributesWithStrings(Map.of("KmsMasterKeyId",
                keyId))).queueUrl();
        assertEquals(Map.of("KmsMasterKeyId", keyId, "KmsDataKeyReusePeriodSeconds", "300", "SqsManagedSseEnabled",
                "false"), sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings("KmsMasterKeyId",
                "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled")).attributesAsStrings());
        sqs.sendMessage(r -> r.queueUrl(url).messageBody("sealed"));
        assertEquals("sealed", receive(url, 1).get(0).body());

        String sqsOnly = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:*\","
                + "\"Resource\":\"*\"}]}";
        String producer = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                + "[\"sqs:*\",\"kms:GenerateDataKey\"],\"Resource\":\"*\"}]}";
        try (SqsClient noKms = client(crossrole.endpoint(), TestCrossrole.credentials(crossrole.user(SOURCE,
                "queue-no-kms", Map.of("sqs", sqsOnly))));
                SqsClient sender = client(crossrole.endpoint(), TestCrossrole.credentials(crossrole.user(SOURCE,
                        "queue-producer", Map.of("produce", producer))))) {
            assertError(400, "KMS.AccessDeniedException", null, () -> noKms.sendMessage(r -> r.queueUrl(url)
                    .messageBody("no")));
            sender.sendMessage(r -> r.queueUrl(url).messageBody("produced"));
            // Receiving an encrypted message takes kms:Decrypt, which the producer lacks; an empty receive does not.
            assertError(400, "KMS.AccessDeniedException", null, () -> sender.receiveMessage(r -> r.queueUrl(url)));
            assertEquals("produced", receive(url, 1).get(0).body());
            assertEquals(List.of(), sender.receiveMessage(r -> r.queueUrl(url)).messages());
        }
        // The AWS managed key aws/sqs is made on first use.
        String managed = sqs.createQueue(r -> r.queueName("managed-key").attributesWithStrings(Map.of(
                "KmsMasterKeyId", "alias/aws/sqs"))).queueUrl();
        sqs.sendMessage(r -> r.queueUrl(managed).messageBody("m"));
        assertEquals("m", receive(managed, 1).get(0).body());
    }

    @Test
    void servicesDeliverWhenTheQueuePolicyAllowsTheirSource() {
        String url = create("topic-target");
        String arn = "arn:aws:sqs:us-east-1:" + SOURCE + ":topic-target";
        String topic = "arn:aws:sns:us-east-1:" + SOURCE + ":events";
        var delivery = crossrole.server.queueDelivery();
        var attributes = Map.of("origin", new dev.crossrole.server.sqs.QueueDelivery.MessageAttributeValue("String",
                "sns", null));
        var denied = delivery.deliver(arn, "sns.amazonaws.com", topic, SOURCE, "{\"Message\":\"x\"}", attributes,
                null, null);
        assertEquals("AccessDenied", denied.errorCode());
        sqs.setQueueAttributes(r -> r.queueUrl(url).attributesWithStrings(Map.of("Policy", "{\"Version\":"
                + "\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                + "\"sns.amazonaws.com\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"" + arn + "\","
                + "\"Condition\":{\"ArnEquals\":{\"aws:SourceArn\":\"" + topic + "\"}}}]}")));
        var delivered = delivery.deliver(arn, "sns.amazonaws.com", topic, SOURCE, "{\"Message\":\"x\"}",
                attributes, null, null);
        assertTrue(delivered.delivered(), delivered.toString());
        assertEquals("AccessDenied", delivery.deliver(arn, "sns.amazonaws.com", topic + "-other", SOURCE, "y", Map.of(),
                null, null).errorCode());
        assertEquals("AWS.SimpleQueueService.NonExistentQueue", delivery.deliver(arn + "-none", "sns.amazonaws.com",
                topic, SOURCE, "y", Map.of(), null, null).errorCode());
        Message message = receive(url, 10).get(0);
        assertEquals(delivered.messageId(), message.messageId());
        assertEquals("sns", message.messageAttributes().get("origin").stringValue());
        assertEquals("sns.amazonaws.com", message.attributesAsStrings().get("SenderId"));
    }

    private static SqsClient client(CrossroleServer server) {
        var p = server.profiles().stream().filter(x -> x.account().id().equals(SOURCE)).findFirst().orElseThrow();
        return client(server.endpoint(), StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(),
                p.secretAccessKey())));
    }

    @Test
    void queuesAndMessagesSurviveARestartAndMoveWithTheState(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        String receivedHandle;
        try (var server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
                SqsClient first = client(server)) {
            String url = first.createQueue(r -> r.queueName("durable").tags(Map.of("k", "v"))).queueUrl();
            first.sendMessage(r -> r.queueUrl(url).messageBody("kept").messageAttributes(Map.of("a",
                    MessageAttributeValue.builder().dataType("String").stringValue("b").build())));
            first.sendMessage(r -> r.queueUrl(url).messageBody("in flight"));
            receivedHandle = first.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(1)
                    .visibilityTimeout(3600)).messages().get(0).receiptHandle();
        }
        try (var again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
                SqsClient second = client(again)) {
            String url = second.getQueueUrl(r -> r.queueName("durable")).queueUrl();
            assertEquals(Map.of("k", "v"), second.listQueueTags(r -> r.queueUrl(url)).tags());
            // The message received before the restart stays hidden; its handle still deletes it.
            List<Message> got = second.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10)
                    .messageAttributeNames("All")).messages();
            assertEquals(1, got.size());
            second.deleteMessage(r -> r.queueUrl(url).receiptHandle(receivedHandle));
            assertEquals("1", second.getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings(
                    "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings()
                    .get("ApproximateNumberOfMessagesNotVisible"));
        }
        Path document = dir.resolve("state.json");
        Run exported = CrossroleCommand.run(dir, "state", "export", "--data-dir", data.toString(), document.toString());
        assertEquals(0, exported.exit(), exported.toString());
        Path target = dir.resolve("target");
        Run imported = CrossroleCommand.run(dir, "state", "import", "--data-dir", target.toString(),
                document.toString());
        assertEquals(0, imported.exit(), imported.toString());
        try (var moved = CrossroleServer.start(CrossroleServer.Options.defaults(target).withPort(0));
                SqsClient third = client(moved)) {
            String url = third.getQueueUrl(r -> r.queueName("durable")).queueUrl();
            assertEquals("1", third.getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings(
                    "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings()
                    .get("ApproximateNumberOfMessagesNotVisible"));
        }
    }
}
