package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.FilterRule;
import software.amazon.awssdk.services.s3.model.FilterRuleName;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.QueueConfiguration;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * S3 event notifications to SQS queues through the SDK for Java v2: the test event that validates a destination,
 * the queue policy (with {@code aws:SourceArn} and {@code aws:SourceAccount}) deciding whether S3 may send there, in
 * the bucket's account or another, event messages as S3 writes them for puts, copies, multipart completions,
 * deletes, delete markers, tagging and lifecycle expirations, and the key filter.
 */
class S3NotificationsSdkTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestCrossrole crossrole;
    static S3Client s3;
    static SqsClient sourceSqs;
    static SqsClient destinationSqs;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        s3 = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(SOURCE));
        sourceSqs = SqsSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(SOURCE));
        destinationSqs = SqsSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION));
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        sourceSqs.close();
        destinationSqs.close();
        crossrole.close();
    }

    /** A queue whose policy lets S3 send for {@code bucket} of {@code bucketOwner}. */
    private static String queueFor(SqsClient sqs, String account, String name, String bucket, String bucketOwner) {
        String arn = "arn:aws:sqs:us-east-1:" + account + ":" + name;
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                + "\"s3.amazonaws.com\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"" + arn + "\",\"Condition\":{"
                + "\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:s3:::" + bucket + "\"},\"StringEquals\":{"
                + "\"aws:SourceAccount\":\"" + bucketOwner + "\"}}}]}";
        return sqs.createQueue(r -> r.queueName(name).attributes(Map.of(QueueAttributeName.POLICY, policy)))
                .queueUrl();
    }

    private static QueueConfiguration.Builder queueConfiguration(String account, String name, Event... events) {
        return QueueConfiguration.builder().queueArn("arn:aws:sqs:us-east-1:" + account + ":" + name)
                .events(events);
    }

    /** Every message the queue holds now, deleted as read. */
    private static List<JsonNode> drain(SqsClient sqs, String url) throws Exception {
        List<JsonNode> bodies = new ArrayList<>();
        while (true) {
            List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10)).messages();
            if (messages.isEmpty()) {
                return bodies;
            }
            for (Message message : messages) {
                bodies.add(JSON.readTree(message.body()));
                sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(message.receiptHandle()));
            }
        }
    }

    private static JsonNode onlyRecord(List<JsonNode> messages) {
        assertEquals(1, messages.size(), messages.toString());
        assertEquals(1, messages.get(0).get("Records").size());
        return messages.get(0).get("Records").get(0);
    }

    @Test
    void objectEventsReachTheQueueOfTheBucketsAccount() throws Exception {
        s3.createBucket(b -> b.bucket("events-here"));
        String url = queueFor(sourceSqs, SOURCE, "events-here", "events-here", SOURCE);
        s3.putBucketNotificationConfiguration(b -> b.bucket("events-here").notificationConfiguration(n -> n
                .queueConfigurations(queueConfiguration(SOURCE, "events-here", Event.S3_OBJECT_CREATED,
                        Event.S3_OBJECT_REMOVED).id("created-in").filter(f -> f.key(k -> k.filterRules(
                                FilterRule.builder().name(FilterRuleName.PREFIX).value("in/").build(),
                                FilterRule.builder().name(FilterRuleName.SUFFIX).value(".txt").build()))).build())));
        // Validating the queue sent S3's test event.
        List<JsonNode> test = drain(sourceSqs, url);
        assertEquals(1, test.size());
        assertEquals("s3:TestEvent", test.get(0).get("Event").asText());
        assertEquals("Amazon S3", test.get(0).get("Service").asText());
        assertEquals("events-here", test.get(0).get("Bucket").asText());

        String etag = s3.putObject(b -> b.bucket("events-here").key("in/report 1.txt"), RequestBody.fromString("hello"))
                .eTag();
        JsonNode put = onlyRecord(drain(sourceSqs, url));
        assertEquals("aws:s3", put.get("eventSource").asText());
        assertEquals("ObjectCreated:Put", put.get("eventName").asText());
        assertEquals("us-east-1", put.get("awsRegion").asText());
        assertEquals("created-in", put.at("/s3/configurationId").asText());
        assertEquals("events-here", put.at("/s3/bucket/name").asText());
        assertEquals("arn:aws:s3:::events-here", put.at("/s3/bucket/arn").asText());
        assertEquals(SOURCE, put.at("/s3/bucket/ownerIdentity/principalId").asText());
        assertEquals("in/report+1.txt", put.at("/s3/object/key").asText());
        assertEquals(5, put.at("/s3/object/size").asLong());
        assertEquals(etag.replace("\"", ""), put.at("/s3/object/eTag").asText());
        assertTrue(put.at("/s3/object/sequencer").asText().matches("[0-9A-F]{16}"));
        assertTrue(put.at("/userIdentity/principalId").asText().startsWith("AWS:") || put.at(
                "/userIdentity/principalId").asText().equals(SOURCE));
        assertFalse(put.at("/responseElements/x-amz-request-id").asText().isEmpty());
        Instant.parse(put.get("eventTime").asText());

        // Outside the filter: nothing.
        s3.putObject(b -> b.bucket("events-here").key("out/report.txt"), RequestBody.fromString("x"));
        s3.putObject(b -> b.bucket("events-here").key("in/report.csv"), RequestBody.fromString("x"));
        assertTrue(drain(sourceSqs, url).isEmpty());

        s3.copyObject(b -> b.sourceBucket("events-here").sourceKey("in/report 1.txt").destinationBucket("events-here")
                .destinationKey("in/copy.txt"));
        assertEquals("ObjectCreated:Copy", onlyRecord(drain(sourceSqs, url)).get("eventName").asText());

        String upload = s3.createMultipartUpload(b -> b.bucket("events-here").key("in/big.txt")).uploadId();
        String part = s3.uploadPart(b -> b.bucket("events-here").key("in/big.txt").uploadId(upload).partNumber(1),
                RequestBody.fromString("part")).eTag();
        assertTrue(drain(sourceSqs, url).isEmpty(), "a part is not an object");
        s3.completeMultipartUpload(b -> b.bucket("events-here").key("in/big.txt").uploadId(upload)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(part).build())));
        JsonNode completed = onlyRecord(drain(sourceSqs, url));
        assertEquals("ObjectCreated:CompleteMultipartUpload", completed.get("eventName").asText());
        assertEquals(4, completed.at("/s3/object/size").asLong());

        s3.deleteObject(b -> b.bucket("events-here").key("in/copy.txt"));
        JsonNode removed = onlyRecord(drain(sourceSqs, url));
        assertEquals("ObjectRemoved:Delete", removed.get("eventName").asText());
        assertTrue(removed.at("/s3/object/size").isMissingNode());

        s3.deleteObjects(b -> b.bucket("events-here").delete(d -> d.objects(o -> o.key("in/big.txt"),
                o -> o.key("in/report 1.txt"))));
        List<JsonNode> batch = drain(sourceSqs, url);
        assertEquals(2, batch.size());
        batch.forEach(m -> assertEquals("ObjectRemoved:Delete", m.at("/Records/0/eventName").asText()));
        // A tagging event was not asked for.
        s3.putObject(b -> b.bucket("events-here").key("in/tagged.txt"), RequestBody.fromString("t"));
        drain(sourceSqs, url);
        s3.putObjectTagging(b -> b.bucket("events-here").key("in/tagged.txt").tagging(t -> t.tagSet(g -> g.key("a")
                .value("b"))));
        assertTrue(drain(sourceSqs, url).isEmpty());
    }

    @Test
    void anotherAccountsQueueTakesEventsOnlyWhenItsPolicyNamesTheBucket() throws Exception {
        s3.createBucket(b -> b.bucket("events-there"));
        s3.putBucketVersioning(b -> b.bucket("events-there").versioningConfiguration(v -> v
                .status(BucketVersioningStatus.ENABLED)));
        // A queue of the destination account whose policy names another bucket: S3's test event is refused.
        queueFor(destinationSqs, DESTINATION, "other-bucket-events", "some-other-bucket", SOURCE);
        assertError(400, "InvalidArgument",
                "Unable to validate the following destination configurations", () -> s3
                        .putBucketNotificationConfiguration(b -> b.bucket("events-there").notificationConfiguration(
                                n -> n.queueConfigurations(queueConfiguration(DESTINATION, "other-bucket-events",
                                        Event.S3_OBJECT_CREATED).build()))));
        assertTrue(s3.getBucketNotificationConfiguration(b -> b.bucket("events-there")).queueConfigurations()
                .isEmpty(), "nothing stored");

        // A queue whose policy names this bucket and its owner takes them, across accounts.
        String url = queueFor(destinationSqs, DESTINATION, "there-events", "events-there", SOURCE);
        s3.putBucketNotificationConfiguration(b -> b.bucket("events-there").notificationConfiguration(n -> n
                .queueConfigurations(queueConfiguration(DESTINATION, "there-events", Event.S3_OBJECT_CREATED_PUT,
                        Event.S3_OBJECT_REMOVED_DELETE_MARKER_CREATED, Event.S3_OBJECT_TAGGING).build())));
        String id = s3.getBucketNotificationConfiguration(b -> b.bucket("events-there")).queueConfigurations().get(0)
                .id();
        assertFalse(id == null || id.isEmpty(), "S3 names a configuration put without an id");
        assertEquals("s3:TestEvent", drain(destinationSqs, url).get(0).get("Event").asText());

        String version = s3.putObject(b -> b.bucket("events-there").key("doc.txt"), RequestBody.fromString("v1"))
                .versionId();
        JsonNode put = onlyRecord(drain(destinationSqs, url));
        assertEquals(version, put.at("/s3/object/versionId").asText());
        assertEquals(id, put.at("/s3/configurationId").asText());
        s3.putObjectTagging(b -> b.bucket("events-there").key("doc.txt").tagging(t -> t.tagSet(g -> g.key("k")
                .value("v"))));
        assertEquals("ObjectTagging:Put", onlyRecord(drain(destinationSqs, url)).get("eventName").asText());
        s3.deleteObject(b -> b.bucket("events-there").key("doc.txt"));
        JsonNode marker = onlyRecord(drain(destinationSqs, url));
        assertEquals("ObjectRemoved:DeleteMarkerCreated", marker.get("eventName").asText());
        assertFalse(marker.at("/s3/object/versionId").asText().equals(version));

        // The queue's owner withdraws S3's permission: the next event is dropped, the write itself succeeds.
        destinationSqs.setQueueAttributes(r -> r.queueUrl(url).attributes(Map.of(QueueAttributeName.POLICY, "")));
        s3.putObject(b -> b.bucket("events-there").key("later.txt"), RequestBody.fromString("x"));
        assertTrue(drain(destinationSqs, url).isEmpty());
    }

    @Test
    void lifecycleExpirationsAreEventsOfS3Itself() throws Exception {
        s3.createBucket(b -> b.bucket("events-expiring"));
        String url = queueFor(sourceSqs, SOURCE, "expiring-events", "events-expiring", SOURCE);
        s3.putBucketLifecycleConfiguration(b -> b.bucket("events-expiring").lifecycleConfiguration(l -> l.rules(
                LifecycleRule.builder().id("one-day").status(ExpirationStatus.ENABLED).filter(f -> f.prefix(""))
                        .expiration(e -> e.days(1)).build())));
        s3.putBucketNotificationConfiguration(b -> b.bucket("events-expiring").notificationConfiguration(n -> n
                .queueConfigurations(queueConfiguration(SOURCE, "expiring-events", Event.S3_LIFECYCLE_EXPIRATION)
                        .build())));
        drain(sourceSqs, url);
        s3.putObject(b -> b.bucket("events-expiring").key("old.log"), RequestBody.fromString("x"));
        assertTrue(drain(sourceSqs, url).isEmpty(), "a put is not a lifecycle event");
        // The admin clock moves three days on; the lifecycle pass runs before it answers.
        java.net.http.HttpResponse<String> moved = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(crossrole.endpoint()
                        + "/_crossrole/clock?advance=P3D")).header("Authorization", "Bearer " + crossrole.adminToken())
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, moved.statusCode(), moved.body());
        JsonNode expired = onlyRecord(drain(sourceSqs, url));
        assertEquals("LifecycleExpiration:Delete", expired.get("eventName").asText());
        assertEquals("old.log", expired.at("/s3/object/key").asText());
    }

    @Test
    void eventsReachAnotherAccountsTopicWhosePolicyLetsS3Publish() throws Exception {
        s3.createBucket(b -> b.bucket("events-topic"));
        String topicArn = "arn:aws:sns:us-east-1:" + DESTINATION + ":bucket-events";
        try (software.amazon.awssdk.services.sns.SnsClient sns = software.amazon.awssdk.services.sns.SnsClient
                .builder().endpointOverride(java.net.URI.create(crossrole.endpoint()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(crossrole.adminCredentials(DESTINATION))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            assertEquals(topicArn, sns.createTopic(r -> r.name("bucket-events")).topicArn());
            // The topic fans out to a queue of its own account, which lets the topic send.
            String queueUrl = destinationSqs.createQueue(r -> r.queueName("from-topic").attributes(Map.of(
                    QueueAttributeName.POLICY, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                            + "\"Principal\":{\"Service\":\"sns.amazonaws.com\"},\"Action\":\"sqs:SendMessage\","
                            + "\"Resource\":\"*\",\"Condition\":{\"ArnEquals\":{\"aws:SourceArn\":\"" + topicArn
                            + "\"}}}]}"))).queueUrl();
            sns.subscribe(r -> r.topicArn(topicArn).protocol("sqs").endpoint("arn:aws:sqs:us-east-1:" + DESTINATION
                    + ":from-topic"));

            // The topic's default policy does not let S3 publish: the configuration is refused.
            assertError(400, "InvalidArgument", "Unable to validate the following destination configurations",
                    () -> s3.putBucketNotificationConfiguration(b -> b.bucket("events-topic").notificationConfiguration(
                            n -> n.topicConfigurations(t -> t.topicArn(topicArn).events(Event.S3_OBJECT_CREATED)))));
            assertTrue(drain(destinationSqs, queueUrl).isEmpty());

            sns.setTopicAttributes(r -> r.topicArn(topicArn).attributeName("Policy").attributeValue(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                            + "\"s3.amazonaws.com\"},\"Action\":\"SNS:Publish\",\"Resource\":\"" + topicArn + "\","
                            + "\"Condition\":{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:s3:::events-topic\"},"
                            + "\"StringEquals\":{\"aws:SourceAccount\":\"" + SOURCE + "\"}}}]}"));
            s3.putBucketNotificationConfiguration(b -> b.bucket("events-topic").notificationConfiguration(n -> n
                    .topicConfigurations(t -> t.id("to-topic").topicArn(topicArn).events(Event.S3_OBJECT_CREATED))));
            List<JsonNode> test = drain(destinationSqs, queueUrl);
            assertEquals(1, test.size());
            assertEquals("Notification", test.get(0).get("Type").asText());
            assertEquals("Amazon S3 Notification", test.get(0).get("Subject").asText());
            assertEquals("s3:TestEvent", JSON.readTree(test.get(0).get("Message").asText()).get("Event").asText());

            s3.putObject(b -> b.bucket("events-topic").key("report.csv"), RequestBody.fromString("a,b"));
            List<JsonNode> published = drain(destinationSqs, queueUrl);
            assertEquals(1, published.size());
            assertEquals(topicArn, published.get(0).get("TopicArn").asText());
            JsonNode record = JSON.readTree(published.get(0).get("Message").asText()).get("Records").get(0);
            assertEquals("ObjectCreated:Put", record.get("eventName").asText());
            assertEquals("to-topic", record.at("/s3/configurationId").asText());
            assertEquals("report.csv", record.at("/s3/object/key").asText());
        }
    }

    @Test
    void boto3SeesTheRefusalAndTheEvents() throws Exception {
        JsonNode found = Boto3Script.run(crossrole, "/boto3/s3_notifications.py", 120);
        JsonNode refused = found.get("refused");
        assertEquals("InvalidArgument", refused.get("code").asText());
        assertEquals(400, refused.get("status").asInt());
        assertEquals("Unable to validate the following destination configurations", refused.get("message").asText());
        assertEquals("arn:aws:sqs:us-east-1:" + SOURCE + ":boto3-events", refused.get("name").asText());
        assertEquals("Permissions on the destination queue do not allow S3 to publish notifications from this"
                + " bucket", refused.get("value").asText());
        JsonNode messages = found.get("messages");
        assertEquals(2, messages.size(), messages.toString());
        assertEquals("s3:TestEvent", messages.get(0).get("Event").asText());
        assertEquals("ObjectCreated:Put", messages.get(1).at("/Records/0/eventName").asText());
        assertEquals("dir/a+b.txt", messages.get(1).at("/Records/0/s3/object/key").asText());
        assertEquals(3, messages.get(1).at("/Records/0/s3/object/size").asInt());
    }

    @Test
    void destinationsCrossroleCannotReachAreRefusedUnlessValidationIsSkipped() {
        s3.createBucket(b -> b.bucket("events-lambda"));
        software.amazon.awssdk.services.s3.model.LambdaFunctionConfiguration function =
                software.amazon.awssdk.services.s3.model.LambdaFunctionConfiguration.builder()
                        .lambdaFunctionArn("arn:aws:lambda:us-east-1:" + SOURCE + ":function:f")
                        .events(Event.S3_OBJECT_CREATED).build();
        assertError(400, "InvalidArgument", "Unable to validate the following destination configurations",
                () -> s3.putBucketNotificationConfiguration(b -> b.bucket("events-lambda").notificationConfiguration(
                        n -> n.lambdaFunctionConfigurations(function))));
        s3.putBucketNotificationConfiguration(b -> b.bucket("events-lambda").skipDestinationValidation(true)
                .notificationConfiguration(n -> n.lambdaFunctionConfigurations(function)));
        // Stored; its events have nowhere to go, and the write does not fail for it.
        s3.putObject(b -> b.bucket("events-lambda").key("a"), RequestBody.fromString("x"));
        assertEquals(1, s3.getBucketNotificationConfiguration(b -> b.bucket("events-lambda"))
                .lambdaFunctionConfigurations().size());
    }
}
