package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.crossrole.policy.Outcome;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.requestlog.RecordedRequest;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.PublishBatchResponse;
import software.amazon.awssdk.services.sns.model.Subscription;
import software.amazon.awssdk.services.sns.model.Tag;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * SNS through the SDK for Java v2 (the Query protocol): topics, their attributes, policies and tags; SQS
 * subscriptions receiving signed envelopes or raw messages through filter policies; HTTP subscriptions confirmed on a
 * loopback server; FIFO deduplication; another account's subscriptions and deliveries decided by the topic's and the
 * queue's policies; SNS's errors for bad input; topics and subscriptions surviving a restart.
 */
class SnsSdkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestCrossrole crossrole;
    static SnsClient sns;
    static SqsClient sqs;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        sns = client(crossrole.endpoint(), crossrole.adminCredentials(SOURCE));
        sqs = SqsSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        sns.close();
        sqs.close();
        crossrole.close();
    }

    static SnsClient client(String endpoint, AwsCredentialsProvider credentials) {
        return SnsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private static String topicArn(String account, String name) {
        return "arn:aws:sns:us-east-1:" + account + ":" + name;
    }

    private static String queueArn(String account, String name) {
        return "arn:aws:sqs:us-east-1:" + account + ":" + name;
    }

    private static List<Message> receive(SqsClient client, String url) {
        return client.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).messageAttributeNames("All")
                .waitTimeSeconds(0)).messages();
    }

    /**
     * A queue of the source account that lets the topic send: SNS needs the queue's policy even in its own account,
     * as on AWS.
     */
    private static String queueFor(String name, Map<String, String> attributes, String topic) {
        String url = sqs.createQueue(r -> r.queueName(name).attributesWithStrings(attributes)).queueUrl();
        sqs.setQueueAttributes(r -> r.queueUrl(url).attributesWithStrings(Map.of("Policy",
                queuePolicyForTopic(queueArn(SOURCE, name), topic))));
        return url;
    }

    private static String queuePolicyForTopic(String queueArn, String sourceArn) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                + "\"sns.amazonaws.com\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"" + queueArn + "\","
                + "\"Condition\":{\"ArnEquals\":{\"aws:SourceArn\":\"" + sourceArn + "\"}}}]}";
    }

    // ---- topics ----------------------------------------------------------------------------------------------

    @Test
    void topicsTheirAttributesPoliciesAndTags() throws Exception {
        String arn = sns.createTopic(r -> r.name("orders").attributes(Map.of("DisplayName", "Orders"))
                .tags(Tag.builder().key("team").value("shop").build())).topicArn();
        assertEquals(topicArn(SOURCE, "orders"), arn);
        // The same name with the same attributes is the same topic; other attributes or tags are refused.
        assertEquals(arn, sns.createTopic(r -> r.name("orders").attributes(Map.of("DisplayName", "Orders")))
                .topicArn());
        assertError(400, "InvalidParameter", "Invalid parameter: Attributes Reason: Topic already exists with"
                + " different attributes", () -> sns.createTopic(r -> r.name("orders")
                .attributes(Map.of("DisplayName", "Other"))));
        assertError(400, "InvalidParameter", "Invalid parameter: Tags Reason: Topic already exists with different"
                + " tags", () -> sns.createTopic(r -> r.name("orders").tags(Tag.builder().key("team").value("x")
                .build())));
        assertError(400, "InvalidParameter", "Invalid parameter: Topic Name", () -> sns.createTopic(r -> r
                .name("bad name!")));
        assertError(400, "InvalidParameter", "Invalid parameter: Topic Name", () -> sns.createTopic(r -> r
                .name("no-attribute.fifo")));
        assertError(400, "InvalidParameter", "Invalid parameter: Fifo Topic names must end with .fifo and must be"
                + " made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must"
                + " be between 1 and 256 characters long.", () -> sns.createTopic(r -> r.name("plain")
                .attributes(Map.of("FifoTopic", "true"))));
        assertError(400, "InvalidParameter", "Invalid parameter: AttributeName", () -> sns.createTopic(r -> r
                .name("unknown-attribute").attributes(Map.of("Colour", "blue"))));

        Map<String, String> attributes = sns.getTopicAttributes(r -> r.topicArn(arn)).attributes();
        assertEquals(SOURCE, attributes.get("Owner"));
        assertEquals(arn, attributes.get("TopicArn"));
        assertEquals("Orders", attributes.get("DisplayName"));
        assertEquals("0", attributes.get("SubscriptionsConfirmed"));
        assertEquals("0", attributes.get("SubscriptionsPending"));
        assertEquals("0", attributes.get("SubscriptionsDeleted"));
        JsonNode policy = JSON.readTree(attributes.get("Policy"));
        assertEquals("__default_policy_ID", policy.get("Id").asText());
        JsonNode statement = policy.get("Statement").get(0);
        assertEquals("__default_statement_ID", statement.get("Sid").asText());
        assertEquals(SOURCE, statement.get("Condition").get("StringEquals").get("AWS:SourceOwner").asText());
        assertTrue(JSON.readTree(attributes.get("EffectiveDeliveryPolicy")).has("http"));

        sns.setTopicAttributes(r -> r.topicArn(arn).attributeName("DisplayName").attributeValue("Renamed"));
        assertEquals("Renamed", sns.getTopicAttributes(r -> r.topicArn(arn)).attributes().get("DisplayName"));
        assertError(400, "InvalidParameter", "Invalid parameter: AttributeName", () -> sns.setTopicAttributes(r -> r
                .topicArn(arn).attributeName("FifoTopic").attributeValue("true")));
        assertError(400, "InvalidParameter", null, () -> sns.setTopicAttributes(r -> r.topicArn(arn)
                .attributeName("Policy").attributeValue("{not a policy")));
        assertError(400, "InvalidParameter", "Invalid parameter: ContentBasedDeduplication Reason:"
                + " ContentBasedDeduplication can only be set for FIFO topics", () -> sns.setTopicAttributes(r -> r
                .topicArn(arn).attributeName("ContentBasedDeduplication").attributeValue("true")));
        assertEquals("Renamed", sns.getTopicAttributes(r -> r.topicArn(arn)).attributes().get("DisplayName"));

        assertEquals(List.of(Tag.builder().key("team").value("shop").build()), sns.listTagsForResource(r -> r
                .resourceArn(arn)).tags());
        sns.tagResource(r -> r.resourceArn(arn).tags(Tag.builder().key("env").value("test").build()));
        sns.untagResource(r -> r.resourceArn(arn).tagKeys("team"));
        assertEquals(List.of(Tag.builder().key("env").value("test").build()), sns.listTagsForResource(r -> r
                .resourceArn(arn)).tags());
        assertError(404, "ResourceNotFound", "Resource does not exist", () -> sns.listTagsForResource(r -> r
                .resourceArn(topicArn(SOURCE, "missing"))));
        assertError(400, "InvalidParameter", "Invalid parameter: Duplicated keys are not allowed.", () -> sns
                .tagResource(r -> r.resourceArn(arn).tags(Tag.builder().key("a").value("1").build(),
                        Tag.builder().key("a").value("2").build())));

        assertError(404, "NotFound", "Topic does not exist", () -> sns.getTopicAttributes(r -> r
                .topicArn(topicArn(SOURCE, "missing"))));
        assertError(400, "InvalidParameter", "Invalid parameter: TopicArn", () -> sns.getTopicAttributes(r -> r
                .topicArn("not-an-arn")));
        assertError(400, "ValidationError", null, () -> sns.getTopicAttributes(r -> { }));
    }

    @Test
    void listTopicsPagesByAHundred() {
        for (int i = 0; i < 102; i++) {
            String name = String.format("page-%03d", i);
            sns.createTopic(r -> r.name(name));
        }
        List<String> listed = new ArrayList<>();
        var first = sns.listTopics(r -> { });
        assertEquals(100, first.topics().size());
        assertNotNull(first.nextToken());
        sns.listTopicsPaginator(r -> { }).topics().forEach(t -> listed.add(t.topicArn()));
        for (int i = 0; i < 102; i++) {
            assertTrue(listed.contains(topicArn(SOURCE, String.format("page-%03d", i))));
        }
        assertError(400, "InvalidParameter", "Invalid parameter: NextToken", () -> sns.listTopics(r -> r
                .nextToken("***")));
        for (int i = 0; i < 102; i++) {
            String arn = topicArn(SOURCE, String.format("page-%03d", i));
            sns.deleteTopic(r -> r.topicArn(arn));
        }
        // Deleting again is no error.
        sns.deleteTopic(r -> r.topicArn(topicArn(SOURCE, "page-000")));
    }

    @Test
    void badInputToEveryOtherOperationIsRefusedAndChangesNothing() {
        String topic = sns.createTopic(r -> r.name("untouched")).topicArn();
        String missing = topicArn(SOURCE, "absent");
        assertError(400, "InvalidParameter", "Invalid parameter: TopicArn", () -> sns.deleteTopic(r -> r
                .topicArn("arn:aws:sns:us-east-1:" + SOURCE)));
        assertError(400, "InvalidParameter", "Invalid parameter: TopicArn", () -> sns.getTopicAttributes(r -> r
                .topicArn("arn:aws:sns:eu-west-1:" + SOURCE + ":untouched")));
        assertError(404, "NotFound", "Topic does not exist", () -> sns.setTopicAttributes(r -> r.topicArn(missing)
                .attributeName("DisplayName").attributeValue("x")));
        assertError(400, "InvalidParameter", "Invalid parameter: SignatureVersion", () -> sns.setTopicAttributes(r -> r
                .topicArn(topic).attributeName("SignatureVersion").attributeValue("3")));
        assertError(404, "NotFound", "Topic does not exist", () -> sns.addPermission(r -> r.topicArn(missing)
                .label("l").awsAccountIds(DESTINATION).actionNames("Publish")));
        assertError(400, "InvalidParameter", "Invalid parameter: Label", () -> sns.addPermission(r -> r
                .topicArn(topic).label("bad label").awsAccountIds(DESTINATION).actionNames("Publish")));
        assertError(400, "InvalidParameter", "Invalid parameter: AWSAccountId", () -> sns.addPermission(r -> r
                .topicArn(topic).label("l").awsAccountIds("12").actionNames("Publish")));
        assertError(404, "NotFound", "Topic does not exist", () -> sns.removePermission(r -> r.topicArn(missing)
                .label("l")));
        assertError(404, "ResourceNotFound", "Resource does not exist", () -> sns.tagResource(r -> r
                .resourceArn(missing).tags(Tag.builder().key("k").value("v").build())));
        assertError(404, "ResourceNotFound", "Resource does not exist", () -> sns.untagResource(r -> r
                .resourceArn(missing).tagKeys("k")));
        assertError(400, "TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded",
                () -> sns.tagResource(r -> r.resourceArn(topic).tags(java.util.stream.IntStream.range(0, 51)
                        .mapToObj(i -> Tag.builder().key("k" + i).value("v").build()).toList())));
        assertError(404, "NotFound", "Topic does not exist", () -> sns.subscribe(r -> r.topicArn(missing)
                .protocol("sqs").endpoint(queueArn(SOURCE, "q"))));
        assertError(400, "InvalidParameter", "Invalid parameter: SQS endpoint ARN", () -> sns.subscribe(r -> r
                .topicArn(topic).protocol("sqs").endpoint("queue-name")));
        assertError(400, "InvalidParameter", "Invalid parameter: Topic", () -> sns.confirmSubscription(r -> r
                .topicArn("nonsense").token("t")));
        assertError(404, "NotFound", "Topic does not exist", () -> sns.confirmSubscription(r -> r.topicArn(missing)
                .token("t")));
        assertError(400, "InvalidParameter", "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6"
                + " elements, not 3", () -> sns.unsubscribe(r -> r.subscriptionArn("a:b:c")));
        assertError(400, "InvalidParameter", "Invalid parameter: SubscriptionId", () -> sns.unsubscribe(r -> r
                .subscriptionArn(topic)));
        assertError(400, "InvalidParameter", "Invalid parameter: NextToken", () -> sns.listSubscriptions(r -> r
                .nextToken("!!")));
        assertError(404, "NotFound", "Topic does not exist", () -> sns.listSubscriptionsByTopic(r -> r
                .topicArn(missing)));
        assertError(404, "NotFound", "Subscription does not exist", () -> sns.setSubscriptionAttributes(r -> r
                .subscriptionArn(topic + ":00000000-0000-0000-0000-000000000000").attributeName("RawMessageDelivery")
                .attributeValue("true")));
        assertError(400, "ValidationError", null, () -> sns.subscribe(r -> r.topicArn(topic)));
        Map<String, String> attributes = sns.getTopicAttributes(r -> r.topicArn(topic)).attributes();
        assertEquals("", attributes.get("DisplayName"));
        assertEquals("0", attributes.get("SubscriptionsConfirmed"));
        assertEquals("0", attributes.get("SubscriptionsPending"));
        assertEquals(List.of(), sns.listTagsForResource(r -> r.resourceArn(topic)).tags());
        assertEquals(1, JSON_STATEMENTS.apply(attributes.get("Policy")));
    }

    private static final java.util.function.Function<String, Integer> JSON_STATEMENTS = text -> {
        try {
            return JSON.readTree(text).get("Statement").size();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    };

    // ---- SQS subscriptions and publishing --------------------------------------------------------------------

    @Test
    void sqsSubscribersGetSignedEnvelopesRawMessagesAndOnlyWhatTheirFiltersLetThrough() throws Exception {
        String topic = sns.createTopic(r -> r.name("events")).topicArn();
        String envelopes = queueFor("envelopes", Map.of(), topic);
        String raw = queueFor("raw", Map.of(), topic);
        String filtered = queueFor("filtered", Map.of(), topic);
        String bodyFiltered = queueFor("body-filtered", Map.of(), topic);
        String envelopeSubscription = sns.subscribe(r -> r.topicArn(topic).protocol("sqs")
                .endpoint(queueArn(SOURCE, "envelopes"))).subscriptionArn();
        assertTrue(envelopeSubscription.startsWith(topic + ":"), envelopeSubscription);
        sns.subscribe(r -> r.topicArn(topic).protocol("sqs").endpoint(queueArn(SOURCE, "raw"))
                .attributes(Map.of("RawMessageDelivery", "true")));
        sns.subscribe(r -> r.topicArn(topic).protocol("sqs").endpoint(queueArn(SOURCE, "filtered"))
                .attributes(Map.of("FilterPolicy", "{\"kind\":[\"order\"],\"amount\":[{\"numeric\":[\">\",100]}]}")));
        sns.subscribe(r -> r.topicArn(topic).protocol("sqs").endpoint(queueArn(SOURCE, "body-filtered"))
                .attributes(Map.of("FilterPolicyScope", "MessageBody", "FilterPolicy",
                        "{\"order\":{\"status\":[{\"prefix\":\"ship\"}]}}")));
        // Subscribing again is the same subscription; other attributes are refused.
        assertEquals(envelopeSubscription, sns.subscribe(r -> r.topicArn(topic).protocol("sqs")
                .endpoint(queueArn(SOURCE, "envelopes"))).subscriptionArn());
        assertError(400, "InvalidParameter", "Invalid parameter: Attributes Reason: Subscription already exists with"
                + " different attributes", () -> sns.subscribe(r -> r.topicArn(topic).protocol("sqs")
                .endpoint(queueArn(SOURCE, "envelopes")).attributes(Map.of("RawMessageDelivery", "true"))));
        assertEquals("4", sns.getTopicAttributes(r -> r.topicArn(topic)).attributes().get("SubscriptionsConfirmed"));

        String id = sns.publish(r -> r.topicArn(topic).subject("Hello").message("{\"order\":{\"status\":\"shipped\"}}")
                .messageAttributes(Map.of("kind", MessageAttributeValue.builder().dataType("String")
                        .stringValue("order").build(), "amount", MessageAttributeValue.builder().dataType("Number")
                        .stringValue("250").build(), "blob", MessageAttributeValue.builder().dataType("Binary")
                        .binaryValue(SdkBytes.fromUtf8String("bytes")).build()))).messageId();

        Message envelopeMessage = receive(sqs, envelopes).get(0);
        JsonNode envelope = JSON.readTree(envelopeMessage.body());
        assertEquals("Notification", envelope.get("Type").asText());
        assertEquals(id, envelope.get("MessageId").asText());
        assertEquals(topic, envelope.get("TopicArn").asText());
        assertEquals("Hello", envelope.get("Subject").asText());
        assertEquals("{\"order\":{\"status\":\"shipped\"}}", envelope.get("Message").asText());
        assertEquals("1", envelope.get("SignatureVersion").asText());
        assertEquals("String", envelope.get("MessageAttributes").get("kind").get("Type").asText());
        assertEquals("250", envelope.get("MessageAttributes").get("amount").get("Value").asText());
        assertEquals(Base64.getEncoder().encodeToString("bytes".getBytes(StandardCharsets.UTF_8)),
                envelope.get("MessageAttributes").get("blob").get("Value").asText());
        assertTrue(envelope.get("UnsubscribeURL").asText().contains("SubscriptionArn="));
        assertTrue(verifies(envelope, "SHA1withRSA"), envelope.toString());

        Message rawMessage = receive(sqs, raw).get(0);
        assertEquals("{\"order\":{\"status\":\"shipped\"}}", rawMessage.body());
        assertEquals("order", rawMessage.messageAttributes().get("kind").stringValue());
        assertEquals("Number", rawMessage.messageAttributes().get("amount").dataType());
        assertEquals(1, receive(sqs, filtered).size());
        assertEquals(1, receive(sqs, bodyFiltered).size());

        // Neither filter lets this one through: too small an amount, a status that does not begin with "ship".
        sns.publish(r -> r.topicArn(topic).message("{\"order\":{\"status\":\"cancelled\"}}").messageAttributes(
                Map.of("kind", MessageAttributeValue.builder().dataType("String").stringValue("order").build(),
                        "amount", MessageAttributeValue.builder().dataType("Number").stringValue("5").build())));
        assertEquals(1, receive(sqs, envelopes).size());
        assertEquals(List.of("{\"order\":{\"status\":\"cancelled\"}}"), receive(sqs, raw).stream()
                .map(Message::body).toList());
        assertEquals(List.of(), receive(sqs, filtered));
        assertEquals(List.of(), receive(sqs, bodyFiltered));

        // A JSON message structure: SQS subscribers get the "sqs" entry; version 2 signatures use SHA-256.
        sns.setTopicAttributes(r -> r.topicArn(topic).attributeName("SignatureVersion").attributeValue("2"));
        sns.publish(r -> r.topicArn(topic).messageStructure("json").message("{\"default\":\"d\",\"sqs\":\"for"
                + " queues\"}"));
        JsonNode structured = JSON.readTree(receive(sqs, envelopes).get(0).body());
        assertEquals("for queues", structured.get("Message").asText());
        assertEquals("2", structured.get("SignatureVersion").asText());
        assertTrue(verifies(structured, "SHA256withRSA"));
        assertEquals("for queues", receive(sqs, raw).get(0).body());

        Map<String, String> subscription = sns.getSubscriptionAttributes(r -> r
                .subscriptionArn(envelopeSubscription)).attributes();
        assertEquals("false", subscription.get("PendingConfirmation"));
        assertEquals("false", subscription.get("RawMessageDelivery"));
        assertEquals(SOURCE, subscription.get("Owner"));
        assertEquals(queueArn(SOURCE, "envelopes"), subscription.get("Endpoint"));
        sns.setSubscriptionAttributes(r -> r.subscriptionArn(envelopeSubscription).attributeName("FilterPolicy")
                .attributeValue("{\"kind\":[\"none\"]}"));
        assertEquals("MessageAttributes", sns.getSubscriptionAttributes(r -> r.subscriptionArn(envelopeSubscription))
                .attributes().get("FilterPolicyScope"));
        assertError(400, "InvalidParameter", "Invalid parameter: FilterPolicy: Unrecognized match type wild",
                () -> sns.setSubscriptionAttributes(r -> r.subscriptionArn(envelopeSubscription)
                        .attributeName("FilterPolicy").attributeValue("{\"kind\":[{\"wild\":1}]}")));
        assertError(400, "InvalidParameter", "Invalid parameter: Attributes Reason: Filter policy scope"
                + " MessageAttributes does not support nested filter policy", () -> sns.subscribe(r -> r.topicArn(topic)
                .protocol("sqs").endpoint(queueArn(SOURCE, "nested")).attributes(Map.of("FilterPolicy",
                        "{\"a\":{\"b\":[1]}}"))));
        assertError(400, "InvalidParameter", "Invalid parameter: AttributeName", () -> sns.setSubscriptionAttributes(
                r -> r.subscriptionArn(envelopeSubscription).attributeName("Colour").attributeValue("x")));
        assertError(400, "InvalidParameter", "Invalid parameter: RawMessageDelivery: Invalid value [maybe]. Must be"
                + " true or false.", () -> sns.setSubscriptionAttributes(r -> r.subscriptionArn(envelopeSubscription)
                .attributeName("RawMessageDelivery").attributeValue("maybe")));
        assertError(404, "NotFound", "Subscription does not exist", () -> sns.getSubscriptionAttributes(r -> r
                .subscriptionArn(topic + ":00000000-0000-0000-0000-000000000000")));
        assertError(400, "InvalidParameter", "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6"
                + " elements, not 1", () -> sns.getSubscriptionAttributes(r -> r.subscriptionArn("nonsense")));

        List<Subscription> byTopic = sns.listSubscriptionsByTopic(r -> r.topicArn(topic)).subscriptions();
        assertEquals(4, byTopic.size());
        assertTrue(sns.listSubscriptions().subscriptions().stream().anyMatch(s -> s.subscriptionArn()
                .equals(envelopeSubscription)));
        sns.unsubscribe(r -> r.subscriptionArn(envelopeSubscription));
        sns.unsubscribe(r -> r.subscriptionArn(envelopeSubscription));
        assertEquals(3, sns.listSubscriptionsByTopic(r -> r.topicArn(topic)).subscriptions().size());
        assertEquals("1", sns.getTopicAttributes(r -> r.topicArn(topic)).attributes().get("SubscriptionsDeleted"));
    }

    /** Verifies an envelope's signature with the certificate fetched from its SigningCertURL, as subscribers do. */
    private static boolean verifies(JsonNode envelope, String algorithm) throws Exception {
        HttpResponse<byte[]> pem = HTTP.send(HttpRequest.newBuilder(URI.create(envelope.get("SigningCertURL")
                .asText())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, pem.statusCode());
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.body()));
        StringBuilder text = new StringBuilder();
        List<String> fields = envelope.get("Type").asText().equals("Notification")
                ? List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
                : List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type");
        for (String field : fields) {
            if (envelope.has(field)) {
                text.append(field).append('\n').append(envelope.get(field).asText()).append('\n');
            }
        }
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(text.toString().getBytes(StandardCharsets.UTF_8));
        return verifier.verify(Base64.getDecoder().decode(envelope.get("Signature").asText()));
    }

    @Test
    void publishErrorsAndBatches() {
        String topic = sns.createTopic(r -> r.name("checked")).topicArn();
        assertError(400, "InvalidParameter", "Invalid parameter: Empty message", () -> sns.publish(r -> r
                .topicArn(topic).message("")));
        assertError(400, "InvalidParameter", "Invalid parameter: Subject", () -> sns.publish(r -> r.topicArn(topic)
                .subject("two\nlines").message("m")));
        assertError(404, "NotFound", "Topic does not exist", () -> sns.publish(r -> r
                .topicArn(topicArn(SOURCE, "missing")).message("m")));
        assertError(400, "InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required"
                + " parameter", () -> sns.publish(r -> r.message("m")));
        assertError(400, "InvalidParameter", "Invalid parameter: Message Structure - No default entry in JSON message"
                + " body", () -> sns.publish(r -> r.topicArn(topic).messageStructure("json")
                .message("{\"sqs\":\"x\"}")));
        assertError(400, "InvalidParameter", "Invalid parameter: Message Structure - JSON message body failed to"
                + " parse", () -> sns.publish(r -> r.topicArn(topic).messageStructure("json").message("nope")));
        assertError(400, "ParameterValueInvalid", "The message attribute 'a' has an invalid message attribute type,"
                + " the set of supported type prefixes is Binary, Number, and String.", () -> sns.publish(r -> r
                .topicArn(topic).message("m").messageAttributes(Map.of("a", MessageAttributeValue.builder()
                        .dataType("Text").stringValue("x").build()))));
        assertError(400, "ParameterValueInvalid", "Could not cast message attribute 'n' value to number.",
                () -> sns.publish(r -> r.topicArn(topic).message("m").messageAttributes(Map.of("n",
                        MessageAttributeValue.builder().dataType("Number").stringValue("ten").build()))));
        assertError(400, "InvalidParameter", "Invalid parameter: Message too long", () -> sns.publish(r -> r
                .topicArn(topic).message("x".repeat(262_145))));
        assertError(400, "InvalidParameter", "Invalid parameter: MessageDeduplicationId Reason: The request includes"
                + " MessageDeduplicationId parameter that is not valid for this topic type", () -> sns.publish(r -> r
                .topicArn(topic).message("m").messageDeduplicationId("d")));
        assertError(501, "NotImplemented", null, () -> sns.publish(r -> r.phoneNumber("+15555550100")
                .message("m")));

        assertError(400, "EmptyBatchRequest", null, () -> sns.publishBatch(r -> r.topicArn(topic)
                .publishBatchRequestEntries(List.of())));
        assertError(400, "TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.",
                () -> sns.publishBatch(r -> r.topicArn(topic).publishBatchRequestEntries(java.util.stream.IntStream
                        .range(0, 11).mapToObj(i -> software.amazon.awssdk.services.sns.model
                                .PublishBatchRequestEntry.builder().id("e" + i).message("m").build()).toList())));
        assertError(400, "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.",
                () -> sns.publishBatch(r -> r.topicArn(topic).publishBatchRequestEntries(
                        e -> e.id("a").message("1"), e -> e.id("a").message("2"))));
        assertError(400, "InvalidBatchEntryId", null, () -> sns.publishBatch(r -> r.topicArn(topic)
                .publishBatchRequestEntries(e -> e.id("bad id!").message("1"))));

        String url = queueFor("batched", Map.of(), topic);
        sns.subscribe(r -> r.topicArn(topic).protocol("sqs").endpoint(queueArn(SOURCE, "batched"))
                .attributes(Map.of("RawMessageDelivery", "true")));
        PublishBatchResponse batch = sns.publishBatch(r -> r.topicArn(topic).publishBatchRequestEntries(
                e -> e.id("one").message("first"), e -> e.id("two").message(""), e -> e.id("three").message("third")));
        assertEquals(List.of("one", "three"), batch.successful().stream().map(e -> e.id()).toList());
        assertEquals("two", batch.failed().get(0).id());
        assertEquals("InvalidParameter", batch.failed().get(0).code());
        assertEquals(List.of("first", "third"), receive(sqs, url).stream().map(Message::body).sorted().toList());
    }

    @Test
    void fifoTopicsDeduplicateForFiveMinutesAndKeepGroups() {
        String topic = sns.createTopic(r -> r.name("ledger.fifo").attributes(Map.of("FifoTopic", "true"))).topicArn();
        assertEquals("false", sns.getTopicAttributes(r -> r.topicArn(topic)).attributes()
                .get("ContentBasedDeduplication"));
        String url = queueFor("ledger.fifo", Map.of("FifoQueue", "true"), topic);
        sns.subscribe(r -> r.topicArn(topic).protocol("sqs").endpoint(queueArn(SOURCE, "ledger.fifo"))
                .attributes(Map.of("RawMessageDelivery", "true")));
        assertError(400, "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO"
                + " topics", () -> sns.publish(r -> r.topicArn(topic).message("m")));
        assertError(400, "InvalidParameter", "Invalid parameter: Invalid protocol type: http", () -> sns.subscribe(r -> r
                .topicArn(topic).protocol("http").endpoint("http://127.0.0.1:1/fifo")));
        assertError(400, "InvalidParameter", "Invalid parameter: The topic should either have"
                + " ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                () -> sns.publish(r -> r.topicArn(topic).message("m").messageGroupId("g")));
        var first = sns.publish(r -> r.topicArn(topic).message("credit").messageGroupId("g")
                .messageDeduplicationId("d1"));
        var again = sns.publish(r -> r.topicArn(topic).message("credit").messageGroupId("g")
                .messageDeduplicationId("d1"));
        assertEquals(first.messageId(), again.messageId());
        assertEquals(first.sequenceNumber(), again.sequenceNumber());
        var second = sns.publish(r -> r.topicArn(topic).message("debit").messageGroupId("g")
                .messageDeduplicationId("d2"));
        assertTrue(second.sequenceNumber().compareTo(first.sequenceNumber()) > 0);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 3 && bodies.size() < 2; i++) {
            for (Message m : receive(sqs, url)) {
                bodies.add(m.body());
                sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(m.receiptHandle()));
            }
        }
        assertEquals(List.of("credit", "debit"), bodies, "in order, the duplicate not delivered");

        sns.setTopicAttributes(r -> r.topicArn(topic).attributeName("ContentBasedDeduplication")
                .attributeValue("true"));
        var hashed = sns.publish(r -> r.topicArn(topic).message("same body").messageGroupId("h"));
        assertEquals(hashed.messageId(), sns.publish(r -> r.topicArn(topic).message("same body")
                .messageGroupId("h")).messageId());
        assertError(400, "InvalidParameter", "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues"
                + " can not be subscribed to standard SNS topics", () -> sns.subscribe(r -> r
                .topicArn(sns.createTopic(t -> t.name("standard")).topicArn()).protocol("sqs")
                .endpoint(queueArn(SOURCE, "ledger.fifo"))));
    }

    // ---- HTTP subscriptions ------------------------------------------------------------------------------------

    /** A loopback HTTP server that keeps what SNS posts to it. */
    private record Posted(Map<String, String> headers, String body) {}

    @Test
    void httpSubscriptionsAreConfirmedThenDeliveredToOnLoopback() throws Exception {
        BlockingQueue<Posted> posted = new LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
            posted.add(new Posted(headers, new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 200, -1);
            exchange.close();
        });
        server.start();
        try {
            String endpoint = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
            String topic = sns.createTopic(r -> r.name("webhooks")).topicArn();
            assertError(400, "InvalidParameter", "Invalid parameter: Endpoint Reason: crossrole delivers HTTP and"
                    + " HTTPS notifications only to loopback endpoints (127.0.0.1, ::1 or localhost), not to"
                    + " http://example.com/hook", () -> sns.subscribe(r -> r.topicArn(topic).protocol("http")
                    .endpoint("http://example.com/hook")));
            assertError(400, "InvalidParameter", "Invalid parameter: Endpoint must match the specified protocol",
                    () -> sns.subscribe(r -> r.topicArn(topic).protocol("https").endpoint(endpoint)));
            assertError(400, "InvalidParameter", "Invalid parameter: Amazon SNS does not support this protocol"
                    + " string: carrier-pigeon", () -> sns.subscribe(r -> r.topicArn(topic)
                    .protocol("carrier-pigeon").endpoint(endpoint)));
            assertError(501, "NotImplemented", "crossrole does not deliver SNS notifications to the email protocol"
                    + " yet", () -> sns.subscribe(r -> r.topicArn(topic).protocol("email")
                    .endpoint("someone@example.com")));

            assertEquals("pending confirmation", sns.subscribe(r -> r.topicArn(topic).protocol("http")
                    .endpoint(endpoint)).subscriptionArn());
            Posted confirmation = posted.poll(10, TimeUnit.SECONDS);
            assertNotNull(confirmation, "the SubscriptionConfirmation");
            assertEquals("SubscriptionConfirmation", confirmation.headers().get("x-amz-sns-message-type"));
            assertEquals(topic, confirmation.headers().get("x-amz-sns-topic-arn"));
            JsonNode message = JSON.readTree(confirmation.body());
            assertTrue(verifies(message, "SHA1withRSA"));
            assertEquals("PendingConfirmation", sns.listSubscriptionsByTopic(r -> r.topicArn(topic)).subscriptions()
                    .get(0).subscriptionArn());
            sns.publish(r -> r.topicArn(topic).message("not yet"));
            assertNull(posted.poll(300, TimeUnit.MILLISECONDS), "a pending subscription gets nothing");

            // A plain GET of the SubscribeURL confirms, as SNS's does.
            HttpResponse<String> visited = HTTP.send(HttpRequest.newBuilder(URI.create(message.get("SubscribeURL")
                    .asText())).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, visited.statusCode(), visited.body());
            String subscription = sns.listSubscriptionsByTopic(r -> r.topicArn(topic)).subscriptions().get(0)
                    .subscriptionArn();
            assertTrue(visited.body().contains(subscription), visited.body());
            assertEquals(subscription, sns.confirmSubscription(r -> r.topicArn(topic).token(message.get("Token")
                    .asText())).subscriptionArn());
            assertError(400, "InvalidParameter", "Invalid parameter: Token", () -> sns.confirmSubscription(r -> r
                    .topicArn(topic).token("0123")));

            String id = sns.publish(r -> r.topicArn(topic).subject("s").message("delivered")).messageId();
            Posted notification = posted.poll(10, TimeUnit.SECONDS);
            assertNotNull(notification, "the Notification");
            assertEquals("Notification", notification.headers().get("x-amz-sns-message-type"));
            assertEquals(id, notification.headers().get("x-amz-sns-message-id"));
            assertEquals(subscription, notification.headers().get("x-amz-sns-subscription-arn"));
            JsonNode envelope = JSON.readTree(notification.body());
            assertEquals("delivered", envelope.get("Message").asText());
            assertTrue(verifies(envelope, "SHA1withRSA"));

            // A failed post is tried again as the delivery policy says.
            failures.set(1);
            sns.setSubscriptionAttributes(r -> r.subscriptionArn(subscription).attributeName("DeliveryPolicy")
                    .attributeValue("{\"healthyRetryPolicy\":{\"numRetries\":2,\"minDelayTarget\":1,"
                            + "\"maxDelayTarget\":1}}"));
            sns.publish(r -> r.topicArn(topic).message("second try"));
            Posted refused = posted.poll(10, TimeUnit.SECONDS);
            Posted retried = posted.poll(10, TimeUnit.SECONDS);
            assertNotNull(retried, "the retry");
            assertEquals(refused.body(), retried.body());
            assertEquals("second try", JSON.readTree(retried.body()).get("Message").asText());

            sns.setSubscriptionAttributes(r -> r.subscriptionArn(subscription).attributeName("RawMessageDelivery")
                    .attributeValue("true"));
            sns.publish(r -> r.topicArn(topic).message("raw body"));
            Posted rawPost = posted.poll(10, TimeUnit.SECONDS);
            assertEquals("raw body", rawPost.body());
            assertEquals("true", rawPost.headers().get("x-amz-sns-rawdelivery"));

            // The UnsubscribeURL of an envelope, a plain GET too.
            assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(envelope.get("UnsubscribeURL").asText()))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(List.of(), sns.listSubscriptionsByTopic(r -> r.topicArn(topic)).subscriptions());
        } finally {
            server.stop(0);
        }
    }

    // ---- another account -----------------------------------------------------------------------------------------

    @Test
    void anotherAccountSubscribesWhenTheTopicPolicyAllowsAndReceivesWhenItsQueuePolicyAllows() throws Exception {
        String topic = sns.createTopic(r -> r.name("shared")).topicArn();
        String queue = queueArn(DESTINATION, "inbound");
        try (SnsClient other = client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION));
                SqsClient otherSqs = SqsSdkTest.client(crossrole.endpoint(),
                        crossrole.adminCredentials(DESTINATION))) {
            String url = otherSqs.createQueue(r -> r.queueName("inbound")).queueUrl();
            AwsServiceException denied = assertError(403, "AuthorizationError", null, () -> other.subscribe(r -> r
                    .topicArn(topic).protocol("sqs").endpoint(queue)));
            String message = denied.awsErrorDetails().errorMessage();
            assertTrue(message.startsWith("User: arn:aws:iam::" + DESTINATION + ":"), message);
            assertTrue(message.contains("is not authorized to perform: SNS:Subscribe on resource: " + topic), message);
            RecordedRequest record = crossrole.recorded(denied.requestId());
            assertEquals("sns:Subscribe", record.action());
            assertEquals(Outcome.IMPLICIT_DENY, record.decision().outcome());

            sns.addPermission(r -> r.topicArn(topic).label("destination-subscribes").awsAccountIds(DESTINATION)
                    .actionNames("Subscribe"));
            assertError(400, "InvalidParameter", "Invalid parameter: Statement already exists", () -> sns
                    .addPermission(r -> r.topicArn(topic).label("destination-subscribes").awsAccountIds(DESTINATION)
                            .actionNames("Subscribe")));
            assertError(400, "InvalidParameter", "Invalid parameter: Policy statement action out of service scope!",
                    () -> sns.addPermission(r -> r.topicArn(topic).label("other").awsAccountIds(DESTINATION)
                            .actionNames("Explode")));
            // The queue's own account subscribes it: confirmed at once.
            String subscription = other.subscribe(r -> r.topicArn(topic).protocol("sqs").endpoint(queue))
                    .subscriptionArn();
            assertTrue(subscription.startsWith(topic + ":"), subscription);
            assertEquals(DESTINATION, other.getSubscriptionAttributes(r -> r.subscriptionArn(subscription))
                    .attributes().get("Owner"));
            assertTrue(other.listSubscriptions().subscriptions().stream().anyMatch(s -> s.subscriptionArn()
                    .equals(subscription)));

            // Without a queue policy letting the topic send, nothing arrives; with the wrong source, neither.
            sns.publish(r -> r.topicArn(topic).message("no policy"));
            assertEquals(List.of(), receive(otherSqs, url));
            // The refused delivery is kept like a denied request, for `crossrole why` to explain.
            RecordedRequest refused = crossrole.server.requestLog().recent(50).stream().filter(q -> q.caller()
                    .equals("sns.amazonaws.com") && q.resource().equals(queue)).findFirst().orElseThrow();
            assertEquals("sqs:SendMessage", refused.action());
            assertEquals(Outcome.IMPLICIT_DENY, refused.decision().outcome());
            Run why = CrossroleCommand.run(crossrole.dataDir, "why", "--data-dir", crossrole.dataDir.toString(),
                    "--endpoint", crossrole.endpoint(), refused.requestId());
            assertEquals(0, why.exit(), why.toString());
            assertTrue(why.stdout().contains("sqs SendMessage"), why.stdout());
            otherSqs.setQueueAttributes(r -> r.queueUrl(url).attributesWithStrings(Map.of("Policy",
                    queuePolicyForTopic(queue, topicArn(SOURCE, "another-topic")))));
            sns.publish(r -> r.topicArn(topic).message("wrong source"));
            assertEquals(List.of(), receive(otherSqs, url));
            otherSqs.setQueueAttributes(r -> r.queueUrl(url).attributesWithStrings(Map.of("Policy",
                    queuePolicyForTopic(queue, topic))));
            sns.publish(r -> r.topicArn(topic).message("allowed"));
            List<Message> arrived = receive(otherSqs, url);
            assertEquals(1, arrived.size());
            assertEquals("allowed", JSON.readTree(arrived.get(0).body()).get("Message").asText());

            // The topic's owner subscribing the other account's queue: the queue gets the confirmation to act on.
            otherSqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(arrived.get(0).receiptHandle()));
            other.unsubscribe(r -> r.subscriptionArn(subscription));
            assertEquals("pending confirmation", sns.subscribe(r -> r.topicArn(topic).protocol("sqs").endpoint(queue))
                    .subscriptionArn());
            JsonNode confirmation = JSON.readTree(receive(otherSqs, url).get(0).body());
            assertEquals("SubscriptionConfirmation", confirmation.get("Type").asText());
            String confirmed = other.confirmSubscription(r -> r.topicArn(topic).token(confirmation.get("Token")
                    .asText())).subscriptionArn();
            assertEquals("false", sns.getSubscriptionAttributes(r -> r.subscriptionArn(confirmed)).attributes()
                    .get("PendingConfirmation"));

            // Another account publishes only when the topic's policy lets it.
            AwsServiceException publishDenied = assertError(403, "AuthorizationError", null, () -> other.publish(r -> r
                    .topicArn(topic).message("from outside")));
            assertTrue(publishDenied.awsErrorDetails().errorMessage().contains("SNS:Publish"));
            sns.removePermission(r -> r.topicArn(topic).label("destination-subscribes"));
            assertError(403, "AuthorizationError", null, () -> other.subscribe(r -> r.topicArn(topic).protocol("sqs")
                    .endpoint(queueArn(DESTINATION, "second"))));
        }
    }

    @Test
    void anIdentityPolicyDenyingPublishIsAnsweredWithSnsAuthorizationError() {
        String topic = sns.createTopic(r -> r.name("guarded")).topicArn();
        var key = crossrole.user(SOURCE, "no-publisher", Map.of("deny", "{\"Version\":\"2012-10-17\",\"Statement\":"
                + "[{\"Effect\":\"Deny\",\"Action\":\"sns:Publish\",\"Resource\":\"*\"}]}"));
        try (SnsClient denied = client(crossrole.endpoint(), TestCrossrole.credentials(key))) {
            AwsServiceException e = assertError(403, "AuthorizationError", null, () -> denied.publish(r -> r
                    .topicArn(topic).message("m")));
            assertTrue(e.awsErrorDetails().errorMessage().startsWith("User: arn:aws:iam::" + SOURCE
                    + ":user/no-publisher is not authorized to perform: SNS:Publish on resource: " + topic),
                    e.awsErrorDetails().errorMessage());
            assertEquals(Outcome.EXPLICIT_DENY, crossrole.recorded(e.requestId()).decision().outcome());
        }
    }

    @Test
    void anEncryptedTopicNeedsThePublishersKmsPermissions() {
        String topic = sns.createTopic(r -> r.name("sealed").attributes(Map.of("KmsMasterKeyId", "alias/aws/sns")))
                .topicArn();
        assertEquals("alias/aws/sns", sns.getTopicAttributes(r -> r.topicArn(topic)).attributes()
                .get("KmsMasterKeyId"));
        assertNotEquals("", sns.publish(r -> r.topicArn(topic).message("inside the account")).messageId());
        sns.addPermission(r -> r.topicArn(topic).label("destination-publishes").awsAccountIds(DESTINATION)
                .actionNames("Publish"));
        try (SnsClient other = client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION))) {
            // The topic's policy lets the other account publish, but the AWS managed key serves its own account only.
            AwsServiceException e = assertError(400, "KMSAccessDenied", null, () -> other.publish(r -> r
                    .topicArn(topic).message("from outside")));
            assertTrue(e.awsErrorDetails().errorMessage().contains("kms:GenerateDataKey"),
                    e.awsErrorDetails().errorMessage());
            sns.setTopicAttributes(r -> r.topicArn(topic).attributeName("KmsMasterKeyId").attributeValue(""));
            assertNotEquals("", other.publish(r -> r.topicArn(topic).message("unencrypted")).messageId());
        }
    }

    // ---- durability ----------------------------------------------------------------------------------------------

    private static AwsCredentialsProvider credentials(CrossroleServer server) {
        var p = server.profiles().stream().filter(x -> x.account().id().equals(SOURCE)).findFirst().orElseThrow();
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(), p.secretAccessKey()));
    }

    private static SnsClient client(CrossroleServer server) {
        return client(server.endpoint(), credentials(server));
    }

    @Test
    void topicsSubscriptionsAndTheSigningKeySurviveARestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        String subscription;
        String certificate;
        try (var server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
                SnsClient first = client(server);
                SqsClient queues = SqsSdkTest.client(server.endpoint(), credentials(server))) {
            String topic = first.createTopic(r -> r.name("durable").tags(Tag.builder().key("k").value("v").build()))
                    .topicArn();
            String url = queues.createQueue(r -> r.queueName("durable-queue")).queueUrl();
            queues.setQueueAttributes(r -> r.queueUrl(url).attributesWithStrings(Map.of("Policy",
                    queuePolicyForTopic(queueArn(SOURCE, "durable-queue"), topic))));
            subscription = first.subscribe(r -> r.topicArn(topic).protocol("sqs")
                    .endpoint(queueArn(SOURCE, "durable-queue"))).subscriptionArn();
            first.publish(r -> r.topicArn(topic).message("before"));
            certificate = JSON.readTree(receive(queues, url).get(0).body()).get("SigningCertURL").asText();
            certificate = certificate.substring(certificate.lastIndexOf('/'));
        }
        try (var again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
                SnsClient second = client(again)) {
            String topic = topicArn(SOURCE, "durable");
            assertEquals(List.of(Tag.builder().key("k").value("v").build()), second.listTagsForResource(r -> r
                    .resourceArn(topic)).tags());
            assertEquals(subscription, second.listSubscriptionsByTopic(r -> r.topicArn(topic)).subscriptions().get(0)
                    .subscriptionArn());
            HttpResponse<String> pem = HTTP.send(HttpRequest.newBuilder(URI.create(again.endpoint() + "/_sns"
                    + certificate)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, pem.statusCode(), "the same signing certificate after the restart");
            assertNotEquals("", second.publish(r -> r.topicArn(topic).message("after")).messageId());
            assertFalse(second.listTopics().topics().isEmpty());
        }
    }
}
