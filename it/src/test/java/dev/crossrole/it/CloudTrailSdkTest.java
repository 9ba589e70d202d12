package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.iam.Role;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.Event;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsRequest;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * CloudTrail's event history through the SDK for Java v2: every account's management events as LookupEvents answers
 * them (filters, pages, the event record as AWS writes it), role sessions with their session context, denials with
 * their error, a cross-account call in both accounts' histories, secrets never in the trail, data events left out,
 * events that survive a restart and go when retention (on the server's clock) lets them, and bad input.
 */
class CloudTrailSdkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestCrossrole crossrole;
    static CloudTrailClient trail;
    static SqsClient sqs;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        trail = trail(crossrole.endpoint(), crossrole.adminCredentials(SOURCE));
        sqs = sqs(crossrole.endpoint(), crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        trail.close();
        sqs.close();
        crossrole.close();
    }

    static CloudTrailClient trail(String endpoint, AwsCredentialsProvider credentials) {
        return CloudTrailClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    static SqsClient sqs(String endpoint, AwsCredentialsProvider credentials) {
        return SqsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private static List<Event> lookup(CloudTrailClient client, LookupAttributeKey key, String value) {
        List<Event> events = new ArrayList<>();
        client.lookupEventsPaginator(r -> r.lookupAttributes(a -> a.attributeKey(key).attributeValue(value)))
                .events().forEach(events::add);
        return events;
    }

    private static JsonNode record(Event event) {
        try {
            return JSON.readTree(event.cloudTrailEvent());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static AwsServiceException assertError(int status, String code, String message, Executable call) {
        AwsServiceException e = assertThrows(AwsServiceException.class, call);
        assertAll(() -> assertEquals(code, e.awsErrorDetails().errorCode(), "code"),
                () -> assertEquals(status, e.statusCode(), "status"),
                () -> {
                    if (message != null) {
                        assertEquals(message, e.awsErrorDetails().errorMessage(), "message");
                    }
                });
        return e;
    }

    @Test
    void managementEventsOfTheCallersAccountWithTheirRecordFiltersAndPages() {
        Instant before = Instant.now().minusSeconds(1);
        String url = sqs.createQueue(r -> r.queueName("trail-orders").tags(Map.of("team", "shop"))).queueUrl();
        sqs.createQueue(r -> r.queueName("trail-invoices"));
        sqs.listQueues(r -> r.queueNamePrefix("trail-"));
        sqs.sendMessage(r -> r.queueUrl(url).messageBody("a data event"));

        List<Event> created = lookup(trail, LookupAttributeKey.EVENT_NAME, "CreateQueue").stream()
                .filter(e -> e.eventTime().isAfter(before) && e.username().equals("admin")
                        && record(e).path("requestParameters").path("queueName").asText().startsWith("trail-o")
                        || record(e).path("requestParameters").path("queueName").asText().equals("trail-invoices"))
                .toList();
        assertEquals(2, created.size(), created.toString());
        Event newest = created.get(0);
        JsonNode invoices = record(newest);
        assertEquals("trail-invoices", invoices.path("requestParameters").path("queueName").asText());
        JsonNode orders = record(created.get(1));
        String adminKey = crossrole.admin(SOURCE).accessKeyId();
        assertAll(
                () -> assertEquals("CreateQueue", newest.eventName()),
                () -> assertEquals("sqs.amazonaws.com", newest.eventSource()),
                () -> assertEquals("false", newest.readOnly()),
                () -> assertEquals("admin", newest.username()),
                () -> assertEquals(adminKey, newest.accessKeyId()),
                () -> assertEquals("AWS::SQS::Queue", newest.resources().get(0).resourceType()),
                () -> assertEquals("arn:aws:sqs:us-east-1:" + SOURCE + ":trail-invoices",
                        newest.resources().get(0).resourceName()),
                () -> assertEquals("1.09", orders.path("eventVersion").asText()),
                () -> assertEquals("IAMUser", orders.path("userIdentity").path("type").asText()),
                () -> assertEquals("arn:aws:iam::" + SOURCE + ":user/admin", orders.path("userIdentity").path("arn")
                        .asText()),
                () -> assertTrue(orders.path("userIdentity").path("principalId").asText().startsWith("AIDA")),
                () -> assertEquals(SOURCE, orders.path("userIdentity").path("accountId").asText()),
                () -> assertEquals(adminKey, orders.path("userIdentity").path("accessKeyId").asText()),
                () -> assertEquals("admin", orders.path("userIdentity").path("userName").asText()),
                () -> assertEquals("sqs.amazonaws.com", orders.path("eventSource").asText()),
                () -> assertEquals("CreateQueue", orders.path("eventName").asText()),
                () -> assertEquals("us-east-1", orders.path("awsRegion").asText()),
                () -> assertEquals("127.0.0.1", orders.path("sourceIPAddress").asText()),
                () -> assertTrue(orders.path("userAgent").asText().contains("aws-sdk-java"), orders.toString()),
                () -> assertEquals("trail-orders", orders.path("requestParameters").path("queueName").asText()),
                () -> assertEquals("shop", orders.path("requestParameters").path("tags").path("team").asText()),
                () -> assertEquals(url, orders.path("responseElements").path("queueUrl").asText()),
                () -> assertFalse(orders.path("readOnly").asBoolean()),
                () -> assertEquals("AwsApiCall", orders.path("eventType").asText()),
                () -> assertTrue(orders.path("managementEvent").asBoolean()),
                () -> assertEquals("Management", orders.path("eventCategory").asText()),
                () -> assertEquals(SOURCE, orders.path("recipientAccountId").asText()),
                () -> assertEquals(created.get(1).eventId(), orders.path("eventID").asText()),
                () -> assertEquals(36, orders.path("requestID").asText().length()),
                () -> assertEquals(SOURCE, orders.path("resources").get(0).path("accountId").asText()),
                () -> assertEquals("AWS::SQS::Queue", orders.path("resources").get(0).path("type").asText()),
                () -> assertFalse(orders.has("errorCode")));

        // Data events (SendMessage) are not in the event history; read-only calls are, marked so.
        assertEquals(List.of(), lookup(trail, LookupAttributeKey.EVENT_NAME, "SendMessage"));
        List<Event> reads = lookup(trail, LookupAttributeKey.READ_ONLY, "true");
        assertTrue(reads.stream().anyMatch(e -> e.eventName().equals("ListQueues")), reads.toString());
        assertTrue(reads.stream().allMatch(e -> e.readOnly().equals("true")));
        assertFalse(lookup(trail, LookupAttributeKey.READ_ONLY, "false").stream()
                .anyMatch(e -> e.eventName().equals("ListQueues")));
        assertEquals(List.of("trail-orders"), lookup(trail, LookupAttributeKey.RESOURCE_NAME,
                "arn:aws:sqs:us-east-1:" + SOURCE + ":trail-orders").stream()
                .map(e -> record(e).path("requestParameters").path("queueName").asText()).distinct().toList());
        assertTrue(lookup(trail, LookupAttributeKey.EVENT_SOURCE, "sqs.amazonaws.com").size() >= 3);
        assertEquals(List.of(newest.eventId()), lookup(trail, LookupAttributeKey.EVENT_ID, newest.eventId()).stream()
                .map(Event::eventId).toList());

        // One event a page: the pages follow each other newest first, none repeated.
        List<String> paged = new ArrayList<>();
        trail.lookupEventsPaginator(r -> r.maxResults(1).lookupAttributes(a -> a
                .attributeKey(LookupAttributeKey.EVENT_NAME).attributeValue("CreateQueue"))).events()
                .forEach(e -> paged.add(e.eventId()));
        List<String> whole = lookup(trail, LookupAttributeKey.EVENT_NAME, "CreateQueue").stream()
                .map(Event::eventId).toList();
        assertEquals(whole, paged);
        assertTrue(paged.containsAll(created.stream().map(Event::eventId).toList()));

        // Another account sees none of it.
        try (CloudTrailClient other = trail(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION))) {
            assertTrue(lookup(other, LookupAttributeKey.RESOURCE_NAME, "arn:aws:sqs:us-east-1:" + SOURCE
                    + ":trail-orders").isEmpty());
            assertTrue(lookup(other, LookupAttributeKey.EVENT_ID, newest.eventId()).isEmpty());
        }
    }

    @Test
    void aRoleSessionsCallsShowTheSessionAndItsIssuer() {
        crossrole.role(SOURCE, "trail-auditor", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},\"Action\":\"sts:AssumeRole\"}]}",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:*\","
                        + "\"Resource\":\"*\"}]}");
        Credentials credentials;
        try (StsClient sts = crossrole.sts(crossrole.adminCredentials(SOURCE))) {
            credentials = sts.assumeRole(r -> r.roleArn(TestCrossrole.roleArn(SOURCE, "trail-auditor"))
                    .roleSessionName("audit-session")).credentials();
        }
        try (SqsClient asRole = sqs(crossrole.endpoint(), TestCrossrole.session(credentials))) {
            asRole.createQueue(r -> r.queueName("trail-by-role"));
        }
        List<Event> bySession = lookup(trail, LookupAttributeKey.USERNAME, "audit-session");
        assertEquals(List.of("CreateQueue"), bySession.stream().map(Event::eventName).toList());
        JsonNode identity = record(bySession.get(0)).path("userIdentity");
        Role role = crossrole.iam().role(SOURCE, "trail-auditor").orElseThrow();
        assertAll(
                () -> assertEquals("AssumedRole", identity.path("type").asText()),
                () -> assertEquals(role.roleId() + ":audit-session", identity.path("principalId").asText()),
                () -> assertEquals(TestCrossrole.sessionArn(SOURCE, "trail-auditor", "audit-session"),
                        identity.path("arn").asText()),
                () -> assertEquals(SOURCE, identity.path("accountId").asText()),
                () -> assertEquals(credentials.accessKeyId(), identity.path("accessKeyId").asText()),
                () -> assertTrue(credentials.accessKeyId().startsWith("ASIA")),
                () -> assertEquals("Role", identity.path("sessionContext").path("sessionIssuer").path("type").asText()),
                () -> assertEquals(role.roleId(), identity.path("sessionContext").path("sessionIssuer")
                        .path("principalId").asText()),
                () -> assertEquals(TestCrossrole.roleArn(SOURCE, "trail-auditor"), identity.path("sessionContext")
                        .path("sessionIssuer").path("arn").asText()),
                () -> assertEquals(SOURCE, identity.path("sessionContext").path("sessionIssuer").path("accountId")
                        .asText()),
                () -> assertEquals("trail-auditor", identity.path("sessionContext").path("sessionIssuer")
                        .path("userName").asText()),
                () -> assertEquals("false", identity.path("sessionContext").path("attributes")
                        .path("mfaAuthenticated").asText()),
                () -> assertTrue(identity.path("sessionContext").path("attributes").path("creationDate").asText()
                        .endsWith("Z")));

        // The AssumeRole that made the session: its credentials' secret and token never reach the trail.
        Event assumed = lookup(trail, LookupAttributeKey.EVENT_NAME, "AssumeRole").stream()
                .filter(e -> record(e).path("requestParameters").path("roleSessionName").asText()
                        .equals("audit-session")).findFirst().orElseThrow();
        JsonNode answer = record(assumed).path("responseElements").path("credentials");
        assertEquals(credentials.accessKeyId(), answer.path("accessKeyId").asText());
        assertEquals("HIDDEN_DUE_TO_SECURITY_REASONS", answer.path("secretAccessKey").asText());
        assertEquals("HIDDEN_DUE_TO_SECURITY_REASONS", answer.path("sessionToken").asText());
        assertEquals("sts.amazonaws.com", assumed.eventSource());
        assertEquals("AWS::IAM::Role", assumed.resources().get(0).resourceType());
        String everything = everyEventText(trail);
        assertFalse(everything.contains(credentials.secretAccessKey()));
        assertFalse(everything.contains(credentials.sessionToken()));
    }

    private static String everyEventText(CloudTrailClient client) {
        StringBuilder text = new StringBuilder();
        client.lookupEventsPaginator(LookupEventsRequest.builder().build()).events()
                .forEach(e -> text.append(e.cloudTrailEvent()).append('\n'));
        return text.toString();
    }

    @Test
    void aDenialIsRecordedWithItsErrorCodeAndMessage() {
        AccessKey nobody = crossrole.user(SOURCE, "trail-nobody", Map.of());
        AwsServiceException denied;
        try (SqsClient asNobody = sqs(crossrole.endpoint(), TestCrossrole.credentials(nobody))) {
            denied = assertThrows(AwsServiceException.class, () -> asNobody.createQueue(r -> r
                    .queueName("trail-denied")));
        }
        List<Event> events = lookup(trail, LookupAttributeKey.USERNAME, "trail-nobody");
        assertEquals(List.of("CreateQueue"), events.stream().map(Event::eventName).toList());
        JsonNode event = record(events.get(0));
        // SQS answers the JSON protocol's code in its body (the SDK shows the Query code of its header).
        assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());
        assertEquals("AccessDeniedException", event.path("errorCode").asText());
        assertEquals(denied.awsErrorDetails().errorMessage(), event.path("errorMessage").asText());
        assertTrue(event.path("errorMessage").asText().contains("trail-nobody"), event.toString());
        assertTrue(event.path("responseElements").isNull(), event.toString());
        assertEquals(nobody.accessKeyId(), events.get(0).accessKeyId());

        // A request whose signature fails is recorded for the account its (real) key belongs to.
        AwsCredentialsProvider wrongSecret = StaticCredentialsProvider.create(AwsBasicCredentials.create(
                nobody.accessKeyId(), "not-the-secret"));
        try (SqsClient forged = sqs(crossrole.endpoint(), wrongSecret)) {
            assertThrows(AwsServiceException.class, () -> forged.listQueues(r -> r.queueNamePrefix("forged")));
        }
        Event failed = lookup(trail, LookupAttributeKey.ACCESS_KEY_ID, nobody.accessKeyId()).stream()
                .filter(e -> e.eventName().equals("ListQueues")).findFirst().orElseThrow();
        JsonNode record = record(failed);
        assertEquals("Unknown", record.path("userIdentity").path("type").asText());
        assertEquals(SOURCE, record.path("userIdentity").path("accountId").asText());
        assertFalse(record.path("errorCode").asText().isEmpty(), record.toString());
    }

    @Test
    void aCrossAccountCallIsInBothAccountsHistories() {
        String url = sqs.createQueue(r -> r.queueName("trail-shared")).queueUrl();
        String arn = "arn:aws:sqs:us-east-1:" + SOURCE + ":trail-shared";
        sqs.setQueueAttributes(r -> r.queueUrl(url).attributes(Map.of(QueueAttributeName.POLICY,
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                        + "\"arn:aws:iam::" + DESTINATION + ":root\"},\"Action\":\"sqs:GetQueueAttributes\","
                        + "\"Resource\":\"" + arn + "\"}]}")));
        try (SqsClient other = sqs(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION));
             CloudTrailClient otherTrail = trail(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION))) {
            other.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.ALL));
            Event mine = lookup(otherTrail, LookupAttributeKey.RESOURCE_NAME, arn).stream()
                    .filter(e -> e.eventName().equals("GetQueueAttributes")).findFirst().orElseThrow();
            Event theirs = lookup(trail, LookupAttributeKey.RESOURCE_NAME, arn).stream()
                    .filter(e -> e.eventName().equals("GetQueueAttributes")).findFirst().orElseThrow();
            JsonNode mineRecord = record(mine);
            JsonNode theirsRecord = record(theirs);
            assertEquals(DESTINATION, mineRecord.path("recipientAccountId").asText());
            assertEquals(SOURCE, theirsRecord.path("recipientAccountId").asText());
            assertEquals(DESTINATION, theirsRecord.path("userIdentity").path("accountId").asText());
            assertEquals("AWSAccount", theirsRecord.path("userIdentity").path("type").asText());
            assertFalse(theirsRecord.path("userIdentity").has("accessKeyId"), theirsRecord.toString());
            assertEquals("IAMUser", mineRecord.path("userIdentity").path("type").asText());
            assertNotEquals(mine.eventId(), theirs.eventId());
            assertEquals(mineRecord.path("sharedEventID").asText(), theirsRecord.path("sharedEventID").asText());
            assertEquals(mineRecord.path("requestID").asText(), theirsRecord.path("requestID").asText());
            assertEquals(SOURCE, theirsRecord.path("resources").get(0).path("accountId").asText());
        }
    }

    @Test
    void secretsNeverReachTheTrail() {
        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .endpointOverride(URI.create(crossrole.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(crossrole.adminCredentials(SOURCE)).httpClient(UrlConnectionHttpClient.create())
                .build();
             IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            secrets.createSecret(r -> r.name("trail-db").secretString("correct-horse-battery"));
            secrets.putSecretValue(r -> r.secretId("trail-db").secretString("staple-horse-battery"));
            iam.createUser(r -> r.userName("trail-login"));
            iam.createLoginProfile(r -> r.userName("trail-login").password("Sup3r-Secret-Pass!"));
            String keySecret = iam.createAccessKey(r -> r.userName("trail-login")).accessKey().secretAccessKey();

            JsonNode created = record(lookup(trail, LookupAttributeKey.EVENT_NAME, "CreateSecret").get(0));
            assertEquals("trail-db", created.path("requestParameters").path("name").asText());
            assertEquals("HIDDEN_DUE_TO_SECURITY_REASONS", created.path("requestParameters").path("secretString")
                    .asText());
            JsonNode login = record(lookup(trail, LookupAttributeKey.EVENT_NAME, "CreateLoginProfile").get(0));
            assertEquals("iam.amazonaws.com", login.path("eventSource").asText());
            assertEquals("us-east-1", login.path("awsRegion").asText());
            assertEquals("trail-login", login.path("requestParameters").path("userName").asText());
            assertEquals("HIDDEN_DUE_TO_SECURITY_REASONS", login.path("requestParameters").path("password").asText());
            JsonNode key = record(lookup(trail, LookupAttributeKey.EVENT_NAME, "CreateAccessKey").get(0));
            assertEquals("HIDDEN_DUE_TO_SECURITY_REASONS", key.path("responseElements").path("accessKey")
                    .path("secretAccessKey").asText());
            String everything = everyEventText(trail);
            for (String secret : List.of("correct-horse-battery", "staple-horse-battery", "Sup3r-Secret-Pass!",
                    keySecret)) {
                assertFalse(everything.contains(secret), secret);
            }
        }
    }

    @Test
    void badInputIsRefusedAsCloudTrailRefusesIt() {
        Instant now = Instant.now();
        assertError(400, "InvalidTimeRangeException", null, () -> trail.lookupEvents(r -> r.startTime(now)
                .endTime(now.minusSeconds(60))));
        assertError(400, "ValidationException", null, () -> trail.lookupEvents(r -> r.maxResults(51)));
        assertError(400, "ValidationException", null, () -> trail.lookupEvents(r -> r.maxResults(0)));
        assertError(400, "InvalidLookupAttributesException", null, () -> trail.lookupEvents(r -> r.lookupAttributes(a -> a
                .attributeKey(LookupAttributeKey.READ_ONLY).attributeValue("maybe"))));
        assertError(400, "InvalidNextTokenException", null, () -> trail.lookupEvents(r -> r.nextToken("garbage")));
        // A token is good for its account and its lookup only.
        for (int i = 0; i < 3; i++) {
            sqs.listQueues(r -> r.queueNamePrefix("token-"));
        }
        String token = trail.lookupEvents(r -> r.maxResults(1)).nextToken();
        assertTrue(token != null && !token.isEmpty());
        assertEquals(1, trail.lookupEvents(r -> r.maxResults(1).nextToken(token)).events().size());
        assertError(400, "InvalidNextTokenException", null, () -> trail.lookupEvents(r -> r.maxResults(1)
                .nextToken(token).lookupAttributes(a -> a.attributeKey(LookupAttributeKey.EVENT_NAME)
                        .attributeValue("ListQueues"))));
        try (CloudTrailClient other = trail(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION))) {
            assertError(400, "InvalidNextTokenException", null, () -> other.lookupEvents(r -> r.maxResults(1)
                    .nextToken(token)));
        }
        // No account here has CloudTrail Insights: an Insights lookup finds nothing.
        assertEquals(List.of(), trail.lookupEvents(r -> r.eventCategory("insight")).events());
        // Another region's history is its own.
        try (CloudTrailClient west = CloudTrailClient.builder().endpointOverride(URI.create(crossrole.endpoint()))
                .region(Region.EU_WEST_1).credentialsProvider(crossrole.adminCredentials(SOURCE))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            assertTrue(west.lookupEvents(r -> r.lookupAttributes(a -> a.attributeKey(LookupAttributeKey.EVENT_NAME)
                    .attributeValue("ListQueues"))).events().isEmpty());
        }
        // Without cloudtrail:LookupEvents, no lookup.
        AccessKey sqsOnly = crossrole.user(SOURCE, "trail-sqs-only", Map.of("sqs", "{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:*\",\"Resource\":\"*\"}]}"));
        try (CloudTrailClient limited = trail(crossrole.endpoint(), TestCrossrole.credentials(sqsOnly))) {
            AwsServiceException e = assertError(400, "AccessDeniedException", null, () -> limited.lookupEvents(r -> { }));
            assertTrue(e.awsErrorDetails().errorMessage().contains("cloudtrail:LookupEvents"));
        }
        // CloudTrail's other operations are not served yet.
        assertError(501, "NotImplemented", "crossrole does not implement cloudtrail:CreateTrail yet",
                () -> trail.createTrail(r -> r.name("t").s3BucketName("b")));
    }

    @Test
    void eventsSurviveARestartAndGoWhenRetentionLetsThem(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (var server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
             SqsClient first = sqs(server.endpoint(), profile(server))) {
            first.createQueue(r -> r.queueName("trail-durable"));
        }
        try (var again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0)
                .withTrailRetention(Duration.ofDays(1)));
             CloudTrailClient second = trail(again.endpoint(), profile(again))) {
            assertEquals(List.of("CreateQueue"), lookup(second, LookupAttributeKey.RESOURCE_NAME,
                    "arn:aws:sqs:us-east-1:" + SOURCE + ":trail-durable").stream().map(Event::eventName).toList());
        }
    }

    @Test
    void retentionLetsEventsGoByTheServersClock() throws Exception {
        try (TestCrossrole short_ = new TestCrossrole(o -> o.withTrailRetention(Duration.ofDays(2)));
             SqsClient client = sqs(short_.endpoint(), short_.adminCredentials(SOURCE));
             CloudTrailClient history = trail(short_.endpoint(), short_.adminCredentials(SOURCE))) {
            client.createQueue(r -> r.queueName("trail-old"));
            assertEquals(1, lookup(history, LookupAttributeKey.EVENT_NAME, "CreateQueue").size());
            advance(short_, "P1D");
            client.createQueue(r -> r.queueName("trail-newer"));
            assertEquals(2, lookup(history, LookupAttributeKey.EVENT_NAME, "CreateQueue").size());
            advance(short_, "PT25H");
            List<Event> left = lookup(history, LookupAttributeKey.EVENT_NAME, "CreateQueue");
            assertEquals(List.of("trail-newer"), left.stream()
                    .map(e -> record(e).path("requestParameters").path("queueName").asText()).toList());
        }
    }

    /** Moves the server's clock forward through the administrator's API. */
    private static void advance(TestCrossrole server, String amount) throws Exception {
        String token = java.nio.file.Files.readString(server.dataDir.resolve("admin-token")).trim();
        java.net.http.HttpResponse<String> moved = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(URI.create(server.endpoint() + "/_crossrole/clock?advance="
                        + amount)).header("Authorization", "Bearer " + token)
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, moved.statusCode(), moved.body());
    }

    private static AwsCredentialsProvider profile(CrossroleServer server) {
        var p = server.profiles().stream().filter(x -> x.account().id().equals(SOURCE)).findFirst().orElseThrow();
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(), p.secretAccessKey()));
    }
}
