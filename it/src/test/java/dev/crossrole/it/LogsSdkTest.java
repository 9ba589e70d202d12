package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogGroup;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogStream;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsResponse;
import software.amazon.awssdk.services.iam.IamClient;

/** CloudWatch Logs through the SDK for Java v2: groups, streams, events, filter patterns, retention, IAM. */
class LogsSdkTest {
    static MutableClock clock = MutableClock.frozenNow();
    static TestCrossrole crossrole;
    static CloudWatchLogsClient logs;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole(clock);
        logs = client(crossrole.endpoint(), crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        logs.close();
        crossrole.close();
    }

    static CloudWatchLogsClient client(String endpoint, AwsCredentialsProvider credentials) {
        return CloudWatchLogsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private static long now() {
        return clock.millis();
    }

    private static InputLogEvent event(long timestamp, String message) {
        return InputLogEvent.builder().timestamp(timestamp).message(message).build();
    }

    @Test
    void groupsStreamsAndEvents() {
        logs.createLogGroup(r -> r.logGroupName("/app/web").tags(Map.of("team", "web")));
        assertError(400, "ResourceAlreadyExistsException", "The specified log group already exists",
                () -> logs.createLogGroup(r -> r.logGroupName("/app/web")));
        logs.createLogStream(r -> r.logGroupName("/app/web").logStreamName("web/app/1"));
        logs.createLogStream(r -> r.logGroupName("/app/web").logStreamName("web/app/2"));
        assertError(400, "ResourceAlreadyExistsException", "The specified log stream already exists",
                () -> logs.createLogStream(r -> r.logGroupName("/app/web").logStreamName("web/app/1")));

        long t = now() - 60_000;
        PutLogEventsResponse put = logs.putLogEvents(r -> r.logGroupName("/app/web").logStreamName("web/app/1")
                .logEvents(event(t, "INFO started"), event(t + 1, "ERROR disk full"), event(t + 2, "INFO done")));
        assertNull(put.rejectedLogEventsInfo());
        logs.putLogEvents(r -> r.logGroupName("/app/web").logStreamName("web/app/2")
                .logEvents(event(t + 1, "{\"level\":\"ERROR\",\"latency\":250}")));

        List<OutputLogEvent> events = logs.getLogEvents(r -> r.logGroupName("/app/web").logStreamName("web/app/1")
                .startFromHead(true)).events();
        assertEquals(List.of("INFO started", "ERROR disk full", "INFO done"),
                events.stream().map(OutputLogEvent::message).toList());
        assertEquals(t, events.get(0).timestamp());

        LogGroup group = logs.describeLogGroups(r -> r.logGroupNamePrefix("/app/")).logGroups().get(0);
        assertEquals("arn:aws:logs:us-east-1:" + SOURCE + ":log-group:/app/web:*", group.arn());
        assertEquals("arn:aws:logs:us-east-1:" + SOURCE + ":log-group:/app/web", group.logGroupArn());
        LogStream stream = logs.describeLogStreams(r -> r.logGroupName("/app/web").logStreamNamePrefix("web/app/1"))
                .logStreams().get(0);
        assertEquals(t, stream.firstEventTimestamp());
        assertEquals(t + 2, stream.lastEventTimestamp());
        assertEquals("web", logs.listTagsForResource(r -> r.resourceArn(group.logGroupArn())).tags().get("team"));

        // Filter patterns across the group's streams, in time order.
        assertEquals(List.of("ERROR disk full", "{\"level\":\"ERROR\",\"latency\":250}"), logs.filterLogEvents(r -> r
                .logGroupName("/app/web").filterPattern("?ERROR ?\"\\\"ERROR\\\"\"")).events().stream()
                .map(FilteredLogEvent::message).toList());
        assertEquals(List.of("web/app/2"), logs.filterLogEvents(r -> r.logGroupName("/app/web")
                .filterPattern("{ $.latency > 100 }")).events().stream().map(FilteredLogEvent::logStreamName).toList());
        assertEquals(2, logs.filterLogEvents(r -> r.logGroupName("/app/web").filterPattern("INFO")).events().size());
        assertEquals(4, logs.filterLogEvents(r -> r.logGroupIdentifier(group.logGroupArn())).events().size());

        assertEquals(1, logs.testMetricFilter(r -> r.filterPattern("[level, ...]").logEventMessages("a b", "c"))
                .matches().stream().filter(m -> m.extractedValues().get("$level").equals("a")).count());
    }

    @Test
    void getLogEventsPagesForwardAndBackwardWithTokens() {
        logs.createLogGroup(r -> r.logGroupName("paging"));
        logs.createLogStream(r -> r.logGroupName("paging").logStreamName("s"));
        long t = now() - 10_000;
        List<InputLogEvent> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(event(t + i, "line " + i));
        }
        logs.putLogEvents(r -> r.logGroupName("paging").logStreamName("s").logEvents(batch));

        var head = logs.getLogEvents(r -> r.logGroupName("paging").logStreamName("s").startFromHead(true).limit(2));
        assertEquals(List.of("line 0", "line 1"), head.events().stream().map(OutputLogEvent::message).toList());
        var next = logs.getLogEvents(r -> r.logGroupName("paging").logStreamName("s").nextToken(head.nextForwardToken())
                .limit(2));
        assertEquals(List.of("line 2", "line 3"), next.events().stream().map(OutputLogEvent::message).toList());
        var back = logs.getLogEvents(r -> r.logGroupName("paging").logStreamName("s")
                .nextToken(next.nextBackwardToken()).limit(1));
        assertEquals(List.of("line 1"), back.events().stream().map(OutputLogEvent::message).toList());
        // Without a token, the newest events; at the end, the same forward token again (how paginators stop).
        var tail = logs.getLogEvents(r -> r.logGroupName("paging").logStreamName("s").limit(2));
        assertEquals(List.of("line 3", "line 4"), tail.events().stream().map(OutputLogEvent::message).toList());
        var end = logs.getLogEvents(r -> r.logGroupName("paging").logStreamName("s").nextToken(tail.nextForwardToken()));
        assertTrue(end.events().isEmpty());
        assertEquals(tail.nextForwardToken(), end.nextForwardToken());

        var page = logs.filterLogEvents(r -> r.logGroupName("paging").limit(3));
        assertEquals(3, page.events().size());
        var rest = logs.filterLogEvents(r -> r.logGroupName("paging").limit(3).nextToken(page.nextToken()));
        assertEquals(List.of("line 3", "line 4"), rest.events().stream().map(FilteredLogEvent::message).toList());
        assertNull(rest.nextToken());
    }

    @Test
    void putLogEventsRejectsWhatAwsRejects() {
        logs.createLogGroup(r -> r.logGroupName("rules"));
        logs.createLogStream(r -> r.logGroupName("rules").logStreamName("s"));
        long t = now();
        assertError(400, "InvalidParameterException", "Log events in a single PutLogEvents request must be in"
                + " chronological order.", () -> logs.putLogEvents(r -> r.logGroupName("rules").logStreamName("s")
                .logEvents(event(t, "b"), event(t - 1, "a"))));
        assertError(400, "InvalidParameterException", "The batch of log events in a single PutLogEvents request cannot"
                + " span more than 24 hours.", () -> logs.putLogEvents(r -> r.logGroupName("rules").logStreamName("s")
                .logEvents(event(t - Duration.ofHours(25).toMillis(), "a"), event(t, "b"))));
        assertError(400, "InvalidParameterException", null, () -> logs.putLogEvents(r -> r.logGroupName("rules")
                .logStreamName("s").logEvents(event(t, "x".repeat(1_048_576)))));
        assertError(400, "ResourceNotFoundException", "The specified log stream does not exist.",
                () -> logs.putLogEvents(r -> r.logGroupName("rules").logStreamName("none").logEvents(event(t, "a"))));
        assertError(400, "ResourceNotFoundException", "The specified log group does not exist.",
                () -> logs.putLogEvents(r -> r.logGroupName("none").logStreamName("s").logEvents(event(t, "a"))));
        assertTrue(logs.getLogEvents(r -> r.logGroupName("rules").logStreamName("s")).events().isEmpty(),
                "a refused batch stores nothing");

        // Too old, too new: the others are taken, and the response says which were not.
        PutLogEventsResponse old = logs.putLogEvents(r -> r.logGroupName("rules").logStreamName("s").logEvents(
                event(t - Duration.ofDays(15).toMillis(), "old"), event(t - Duration.ofDays(15).toMillis() + 1,
                        "old too")));
        assertEquals(1, old.rejectedLogEventsInfo().tooOldLogEventEndIndex());
        PutLogEventsResponse partly = logs.putLogEvents(r -> r.logGroupName("rules").logStreamName("s").logEvents(
                event(t - 60_000, "kept"), event(t + Duration.ofHours(3).toMillis(), "future")));
        assertEquals(1, partly.rejectedLogEventsInfo().tooNewLogEventStartIndex());
        assertNull(partly.rejectedLogEventsInfo().tooOldLogEventEndIndex());
        assertEquals(List.of("kept"), logs.getLogEvents(r -> r.logGroupName("rules").logStreamName("s")).events()
                .stream().map(OutputLogEvent::message).toList());
    }

    @Test
    void retentionDropsOldEvents() {
        logs.createLogGroup(r -> r.logGroupName("retained"));
        logs.createLogStream(r -> r.logGroupName("retained").logStreamName("s"));
        long t = now();
        logs.putLogEvents(r -> r.logGroupName("retained").logStreamName("s").logEvents(
                event(t - Duration.ofDays(3).toMillis(), "three days old")));
        logs.putLogEvents(r -> r.logGroupName("retained").logStreamName("s").logEvents(event(t, "fresh")));
        assertError(400, "InvalidParameterException", null, () -> logs.putRetentionPolicy(r -> r
                .logGroupName("retained").retentionInDays(2)));
        logs.putRetentionPolicy(r -> r.logGroupName("retained").retentionInDays(1));
        assertEquals(1, logs.describeLogGroups(r -> r.logGroupNamePrefix("retained")).logGroups().get(0)
                .retentionInDays());
        assertEquals(List.of("fresh"), logs.getLogEvents(r -> r.logGroupName("retained").logStreamName("s")).events()
                .stream().map(OutputLogEvent::message).toList());
        PutLogEventsResponse expired = logs.putLogEvents(r -> r.logGroupName("retained").logStreamName("s")
                .logEvents(event(t - Duration.ofDays(2).toMillis(), "expired")));
        assertEquals(0, expired.rejectedLogEventsInfo().expiredLogEventEndIndex());
        logs.deleteRetentionPolicy(r -> r.logGroupName("retained"));
        assertNull(logs.describeLogGroups(r -> r.logGroupNamePrefix("retained")).logGroups().get(0).retentionInDays());
    }

    @Test
    void badInputGetsCloudWatchLogsErrors() {
        assertError(400, "InvalidParameterException", null, () -> logs.createLogGroup(r -> r.logGroupName("a b")));
        assertError(400, "InvalidParameterException", "LogGroup name prefix and LogGroup name pattern are mutually"
                + " exclusive parameters.", () -> logs.describeLogGroups(r -> r.logGroupNamePrefix("a")
                .logGroupNamePattern("b")));
        logs.createLogGroup(r -> r.logGroupName("bad-input"));
        assertError(400, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.",
                () -> logs.describeLogStreams(r -> r.logGroupName("bad-input").orderBy("LastEventTime")
                        .logStreamNamePrefix("x")));
        assertError(400, "InvalidParameterException", "Invalid character(s) in term 'user=alice'",
                () -> logs.filterLogEvents(r -> r.logGroupName("bad-input").filterPattern("user=alice")));
        assertError(400, "InvalidParameterException", "Invalid filter pattern",
                () -> logs.filterLogEvents(r -> r.logGroupName("bad-input").filterPattern("{ $.a > }")));
        assertError(400, "InvalidParameterException", "The specified nextToken is invalid.",
                () -> logs.getLogEvents(r -> r.logGroupName("bad-input").logStreamName("s").nextToken("f/12")));
        assertError(400, "InvalidParameterException", "The specified nextToken is invalid.",
                () -> logs.filterLogEvents(r -> r.logGroupName("bad-input").nextToken("YWZ0ZXI6eA")));
        assertError(400, "InvalidParameterException", "Should provide either name or ARN of the log group.",
                () -> logs.getLogEvents(r -> r.logStreamName("s")));
        assertError(400, "ResourceNotFoundException", "The specified log group does not exist.",
                () -> logs.deleteLogGroup(r -> r.logGroupName("never-made")));
        assertError(400, "InvalidParameterException", null, () -> logs.putMetricFilter(r -> r.logGroupName("bad-input")
                .filterName("f").filterPattern("{ broken").metricTransformations(m -> m.metricName("m")
                        .metricNamespace("n").metricValue("1"))));
        assertTrue(logs.describeMetricFilters(r -> r.logGroupName("bad-input")).metricFilters().isEmpty());
        assertError(400, "InvalidParameterException", null, () -> logs.putResourcePolicy(r -> r.policyName("p")
                .policyDocument("{\"Statement\": 3}")));
    }

    @Test
    void metricFiltersAndResourcePoliciesAreKept() {
        logs.createLogGroup(r -> r.logGroupName("metered"));
        logs.putMetricFilter(r -> r.logGroupName("metered").filterName("errors").filterPattern("ERROR")
                .metricTransformations(m -> m.metricName("Errors").metricNamespace("App").metricValue("1")));
        var filter = logs.describeMetricFilters(r -> r.logGroupName("metered")).metricFilters().get(0);
        assertEquals("ERROR", filter.filterPattern());
        assertEquals("Errors", filter.metricTransformations().get(0).metricName());
        assertEquals(1, logs.describeLogGroups(r -> r.logGroupNamePrefix("metered")).logGroups().get(0)
                .metricFilterCount());
        logs.deleteMetricFilter(r -> r.logGroupName("metered").filterName("errors"));
        assertError(400, "ResourceNotFoundException", null,
                () -> logs.deleteMetricFilter(r -> r.logGroupName("metered").filterName("errors")));

        String document = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                + "\"route53.amazonaws.com\"},\"Action\":\"logs:PutLogEvents\",\"Resource\":\"*\"}]}";
        logs.putResourcePolicy(r -> r.policyName("route53").policyDocument(document));
        assertEquals(List.of("route53"), logs.describeResourcePolicies(r -> { }).resourcePolicies().stream()
                .map(p -> p.policyName()).toList());
        logs.deleteResourcePolicy(r -> r.policyName("route53"));
        assertTrue(logs.describeResourcePolicies(r -> { }).resourcePolicies().isEmpty());
    }

    @Test
    void iamDecidesAsCloudWatchLogsAsks() throws Exception {
        logs.createLogGroup(r -> r.logGroupName("/ecs/guarded"));
        logs.createLogStream(r -> r.logGroupName("/ecs/guarded").logStreamName("s"));
        String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::" + SOURCE + ":root\"},\"Action\":\"sts:AssumeRole\"}]}";
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.createRole(r -> r.roleName("log-writer").assumeRolePolicyDocument(trust));
            // The group's ARN without ":*" matches no stream and no group action: a classic mistake.
            iam.putRolePolicy(r -> r.roleName("log-writer").policyName("write").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"logs:PutLogEvents\","
                            + "\"logs:DescribeLogStreams\"],\"Resource\":\"arn:aws:logs:us-east-1:" + SOURCE
                            + ":log-group:/ecs/guarded\"}]}"));
        }
        String role = "arn:aws:iam::" + SOURCE + ":role/log-writer";
        software.amazon.awssdk.services.sts.model.Credentials session;
        try (var sts = crossrole.sts(crossrole.adminCredentials(SOURCE))) {
            session = sts.assumeRole(r -> r.roleArn(role).roleSessionName("writer")).credentials();
        }
        try (CloudWatchLogsClient writer = client(crossrole.endpoint(), TestCrossrole.session(session))) {
            AwsServiceException denied = assertError(400, "AccessDeniedException", null, () -> writer.putLogEvents(r -> r
                    .logGroupName("/ecs/guarded").logStreamName("s").logEvents(event(now(), "x"))));
            assertTrue(denied.awsErrorDetails().errorMessage().contains("logs:PutLogEvents on resource: arn:aws:logs:"
                    + "us-east-1:" + SOURCE + ":log-group:/ecs/guarded:log-stream:s"), denied.getMessage());
            assertError(400, "AccessDeniedException", null, () -> writer.describeLogStreams(r -> r
                    .logGroupName("/ecs/guarded")));
        }
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.putRolePolicy(r -> r.roleName("log-writer").policyName("write").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"logs:PutLogEvents\","
                            + "\"logs:DescribeLogStreams\"],\"Resource\":\"arn:aws:logs:us-east-1:" + SOURCE
                            + ":log-group:/ecs/guarded:*\"}]}"));
        }
        try (CloudWatchLogsClient writer = client(crossrole.endpoint(), TestCrossrole.session(session))) {
            writer.putLogEvents(r -> r.logGroupName("/ecs/guarded").logStreamName("s").logEvents(event(now(), "x")));
            assertEquals(1, writer.describeLogStreams(r -> r.logGroupName("/ecs/guarded")).logStreams().size());
            assertError(400, "AccessDeniedException", null, () -> writer.getLogEvents(r -> r
                    .logGroupName("/ecs/guarded").logStreamName("s")));
        }
        // Another account's group: CloudWatch Logs has no resource policy that lets IAM principals in.
        try (CloudWatchLogsClient other = client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION))) {
            AwsServiceException denied = assertError(400, "AccessDeniedException", null, () -> other.filterLogEvents(r ->
                    r.logGroupIdentifier("arn:aws:logs:us-east-1:" + SOURCE + ":log-group:/ecs/guarded")));
            assertTrue(denied.awsErrorDetails().errorMessage().endsWith("because no resource-based policy allows the"
                    + " logs:FilterLogEvents action"), denied.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void aGroupsKeyMustLetCloudWatchLogsUseItForThatGroup() throws Exception {
        String group = "arn:aws:logs:us-east-1:" + SOURCE + ":log-group:encrypted";
        String refused = "The specified KMS key does not exist or is not allowed to be used with Arn '" + group + "'";
        try (var kms = KmsSdkTest.client(crossrole, crossrole.adminCredentials(SOURCE))) {
            // The default key policy lets the account's IAM policies decide: CloudWatch Logs, a service, is not let in.
            var key = kms.createKey(r -> { }).keyMetadata();
            assertError(400, "AccessDeniedException", refused, () -> logs.createLogGroup(r -> r
                    .logGroupName("encrypted").kmsKeyId(key.arn())));
            assertError(400, "AccessDeniedException", refused, () -> logs.createLogGroup(r -> r
                    .logGroupName("encrypted").kmsKeyId(key.keyId())));
            assertTrue(logs.describeLogGroups(r -> r.logGroupNamePrefix("encrypted")).logGroups().isEmpty());
            kms.putKeyPolicy(r -> r.keyId(key.keyId()).policy("{\"Version\":\"2012-10-17\",\"Statement\":["
                    + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                    + "\"Action\":\"kms:*\",\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                    + "\"logs.us-east-1.amazonaws.com\"},\"Action\":[\"kms:Encrypt*\",\"kms:Decrypt*\","
                    + "\"kms:GenerateDataKey*\"],\"Resource\":\"*\",\"Condition\":{\"ArnEquals\":{"
                    + "\"kms:EncryptionContext:aws:logs:arn\":\"" + group + "\"}}}]}"));
            logs.createLogGroup(r -> r.logGroupName("encrypted").kmsKeyId(key.arn()));
            assertEquals(key.arn(), logs.describeLogGroups(r -> r.logGroupNamePrefix("encrypted")).logGroups().get(0)
                    .kmsKeyId());
            logs.disassociateKmsKey(r -> r.logGroupName("encrypted"));
            assertNull(logs.describeLogGroups(r -> r.logGroupNamePrefix("encrypted")).logGroups().get(0).kmsKeyId());
            logs.associateKmsKey(r -> r.logGroupName("encrypted").kmsKeyId(key.arn()));
            // The condition names this group: another group may not use the key.
            logs.createLogGroup(r -> r.logGroupName("other"));
            assertError(400, "AccessDeniedException", "The specified KMS key does not exist or is not allowed to be used"
                    + " with Arn 'arn:aws:logs:us-east-1:" + SOURCE + ":log-group:other'", () -> logs.associateKmsKey(r -> r
                    .logGroupName("other").kmsKeyId(key.arn())));
        }
    }

    @Test
    void eventsOutliveARestart() throws Exception {
        Path data = Files.createTempDirectory("crossrole-logs");
        long t = System.currentTimeMillis();
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            try (CloudWatchLogsClient first = client(server.endpoint(), admin(server))) {
                first.createLogGroup(r -> r.logGroupName("kept"));
                first.createLogStream(r -> r.logGroupName("kept").logStreamName("s"));
                first.putLogEvents(r -> r.logGroupName("kept").logStreamName("s").logEvents(event(t, "one")));
                first.putLogEvents(r -> r.logGroupName("kept").logStreamName("s").logEvents(event(t + 1, "two")));
                first.putRetentionPolicy(r -> r.logGroupName("kept").retentionInDays(7));
            }
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
             CloudWatchLogsClient second = client(again.endpoint(), admin(again))) {
            assertEquals(List.of("one", "two"), second.getLogEvents(r -> r.logGroupName("kept").logStreamName("s"))
                    .events().stream().map(OutputLogEvent::message).toList());
            assertEquals(7, second.describeLogGroups(r -> { }).logGroups().get(0).retentionInDays());
            second.deleteLogGroup(r -> r.logGroupName("kept"));
            assertFalse(second.describeLogGroups(r -> { }).hasLogGroups()
                    && !second.describeLogGroups(r -> { }).logGroups().isEmpty());
        }
    }

    private static AwsCredentialsProvider admin(CrossroleServer server) {
        var profile = server.profiles().stream().filter(p -> p.account().id().equals(SOURCE)).findFirst().orElseThrow();
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(profile.accessKeyId(),
                profile.secretAccessKey()));
    }
}
