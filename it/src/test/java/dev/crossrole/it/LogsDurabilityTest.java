package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;

/**
 * Events are read from the store when a query needs them, not held by the server: they survive a restart, move with
 * {@code crossrole state export/import}, and two nodes on one PostgreSQL read each other's, a stream deleted and made
 * again under the same name included (its batches' keys come back with other events).
 */
class LogsDurabilityTest {
    private static final String SOURCE = "111122223333";
    private static final long T = System.currentTimeMillis() - 60_000;

    @TempDir
    Path dir;

    private static CloudWatchLogsClient logs(CrossroleServer server) {
        Bootstrap.Profile p = server.profiles().stream().filter(q -> q.account().id().equals(SOURCE)).findFirst()
                .orElseThrow();
        return CloudWatchLogsClient.builder().endpointOverride(URI.create(server.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(),
                        p.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    /** Twenty batches of fifty events into {@code group/s}, messages "{@code prefix} i" for i in 0–999. */
    private static void putThousand(CloudWatchLogsClient logs, String group, String prefix) {
        for (int b = 0; b < 20; b++) {
            int batch = b;
            List<InputLogEvent> events = IntStream.range(0, 50).mapToObj(i -> InputLogEvent.builder()
                    .timestamp(T + batch * 50 + i).message(prefix + " " + (batch * 50 + i)).build()).toList();
            logs.putLogEvents(r -> r.logGroupName(group).logStreamName("s").logEvents(events));
        }
    }

    private static List<String> expected(String prefix) {
        return IntStream.range(0, 1000).mapToObj(i -> prefix + " " + i).toList();
    }

    private static List<String> events(CloudWatchLogsClient logs, String group) {
        List<String> messages = new ArrayList<>();
        String token = null;
        while (true) {
            String from = token;
            var page = logs.getLogEvents(r -> r.logGroupName(group).logStreamName("s").startFromHead(true).limit(300)
                    .nextToken(from));
            page.events().stream().map(OutputLogEvent::message).forEach(messages::add);
            if (page.events().isEmpty()) {
                return messages;
            }
            token = page.nextForwardToken();
        }
    }

    private static List<String> filtered(CloudWatchLogsClient logs, String group, String pattern) {
        return logs.filterLogEvents(r -> r.logGroupName(group).filterPattern(pattern)).events().stream()
                .map(FilteredLogEvent::message).toList();
    }

    @Test
    void eventsOutliveRestartsAndMoveWithTheState() throws Exception {
        Path source = dir.resolve("source");
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(source).withPort(0));
             CloudWatchLogsClient logs = logs(server)) {
            logs.createLogGroup(r -> r.logGroupName("kept"));
            logs.createLogStream(r -> r.logGroupName("kept").logStreamName("s"));
            putThousand(logs, "kept", "event");
            assertEquals(expected("event"), events(logs, "kept"));
        }
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(source).withPort(0));
             CloudWatchLogsClient logs = logs(server)) {
            assertEquals(expected("event"), events(logs, "kept"));
            assertEquals(List.of("event 999"), filtered(logs, "kept", "\"event 999\""));
            logs.putLogEvents(r -> r.logGroupName("kept").logStreamName("s").logEvents(InputLogEvent.builder()
                    .timestamp(T + 1000).message("after the restart").build()));
        }
        Path document = dir.resolve("state.json");
        Run exported = CrossroleCommand.run(dir, "state", "export", "--data-dir", source.toString(), document.toString());
        assertEquals(0, exported.exit(), exported.toString());
        Path target = dir.resolve("target");
        Run imported = CrossroleCommand.run(dir, "state", "import", "--data-dir", target.toString(), document.toString());
        assertEquals(0, imported.exit(), imported.toString());
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(target).withPort(0));
             CloudWatchLogsClient logs = logs(server)) {
            List<String> all = new ArrayList<>(expected("event"));
            all.add("after the restart");
            assertEquals(all, events(logs, "kept"));
        }
    }

    @Test
    void twoNodesOnOnePostgresReadEachOthersEvents() throws Exception {
        try (SharedPostgres.Database database = SharedPostgres.newDatabase("crossrole_logs");
             CrossroleServer a = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("a")).withPort(0)
                     .withStore(database.store()));
             CrossroleServer b = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("b")).withPort(0)
                     .withStore(database.store()));
             CloudWatchLogsClient atA = logs(a);
             CloudWatchLogsClient atB = logs(b)) {
            atA.createLogGroup(r -> r.logGroupName("shared"));
            atA.createLogStream(r -> r.logGroupName("shared").logStreamName("s"));
            putThousand(atA, "shared", "first");
            assertEquals(expected("first"), events(atB, "shared"));
            assertEquals(expected("first"), events(atA, "shared"));
            // The same stream again at B: its batches have the keys A read the first events under.
            atB.deleteLogStream(r -> r.logGroupName("shared").logStreamName("s"));
            atB.createLogStream(r -> r.logGroupName("shared").logStreamName("s"));
            putThousand(atB, "shared", "second");
            assertEquals(expected("second"), events(atA, "shared"));
            assertEquals(expected("second"), filtered(atA, "shared", "second"));
            assertEquals(List.of(), filtered(atA, "shared", "first"));
        }
    }
}
