package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * The admin API ({@code /_crossrole/*}) answers only the administrator's token, the health check excepted: not
 * a local process, not a task (whose environment points at crossrole), not a caller with another token.
 */
class AdminAccessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    static TestCrossrole crossrole;
    static String victimTaskId;
    static String victimRequestId;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        EcsClient source = EcsSdk.ecs(crossrole, crossrole.adminCredentials(TestCrossrole.SOURCE));
        source.registerTaskDefinition(r -> r.family("victim").containerDefinitions(ContainerDefinition.builder()
                .name("app").image("busybox").memory(64).command("sleep", "120").build()));
        Task victim = source.runTask(r -> r.taskDefinition("victim")).tasks().get(0);
        victimTaskId = EcsSdk.id(victim.taskArn());
        victimRequestId = source.listClusters().responseMetadata().requestId();
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    private static HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(crossrole.endpoint() + path)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> adminPaths() {
        return List.of("/_crossrole/accounts", "/_crossrole/requests", "/_crossrole/requests?limit=5",
                "/_crossrole/requests/" + victimRequestId, "/_crossrole/requests/" + victimRequestId + "?format=text",
                "/_crossrole/tasks", "/_crossrole/tasks/" + victimTaskId, "/_crossrole/tasks/" + victimTaskId + "/logs",
                "/_crossrole/no-such-route");
    }

    @Test
    void everyAdminRouteButHealthRefusesACallerWithoutTheToken() throws Exception {
        for (String path : adminPaths()) {
            HttpResponse<String> none = get(path, null);
            assertEquals(401, none.statusCode(), path + ": " + none.body());
            JsonNode body = JSON.readTree(none.body());
            assertEquals("MissingAdminToken", body.path("code").asText(), path);
            assertTrue(body.path("message").asText().contains(crossrole.server.adminTokenFile().toString()),
                    "the refusal says where the token is: " + body);
            assertEquals("Bearer realm=\"crossrole\"", none.headers().firstValue("WWW-Authenticate").orElse(null));
            assertEquals(2, body.size(), "a refusal holds a code and a message, never data: " + body);

            for (String wrong : List.of("Bearer not-the-token", "Bearer " + crossrole.adminToken() + "x",
                    "Bearer " + crossrole.adminToken().substring(1))) {
                HttpResponse<String> refused = get(path, wrong);
                assertEquals(403, refused.statusCode(), path + ": " + refused.body());
                assertEquals("InvalidAdminToken", JSON.readTree(refused.body()).path("code").asText());
                assertEquals(2, JSON.readTree(refused.body()).size(), refused.body());
            }
            // The token in another scheme is not a bearer token.
            HttpResponse<String> basic = get(path, "Basic " + crossrole.adminToken());
            assertEquals(401, basic.statusCode(), basic.body());
        }
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint() + "/_crossrole/health"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, post.statusCode(), "only GET and HEAD of the health check are open: " + post.body());
    }

    @Test
    void theHealthCheckIsOpenAndTheTokenOpensEveryRoute() throws Exception {
        HttpResponse<String> health = get("/_crossrole/health", null);
        assertEquals(200, health.statusCode(), health.body());
        HttpResponse<Void> head = HTTP.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint() + "/_crossrole/health"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
        String bearer = "Bearer " + crossrole.adminToken();
        for (String path : adminPaths()) {
            HttpResponse<String> allowed = get(path, bearer);
            assertEquals(path.endsWith("no-such-route") ? 404 : 200, allowed.statusCode(), path + ": " + allowed.body());
        }
        assertTrue(get("/_crossrole/tasks", bearer).body().contains(victimTaskId));
    }

    @Test
    void aTaskOfAnotherAccountCannotListTasksOrReadThem() throws Exception {
        // What a task reached before: the admin API, at the endpoint its environment names.
        EcsClient other = EcsSdk.ecs(crossrole, crossrole.adminCredentials(TestCrossrole.DESTINATION));
        String script = "for p in /_crossrole/tasks /_crossrole/tasks/" + victimTaskId + " /_crossrole/tasks/" + victimTaskId
                + "/logs /_crossrole/requests; do curl -s -w ' HTTP=%{http_code}\\n' \"$AWS_ENDPOINT_URL$p\"; done";
        other.registerTaskDefinition(r -> r.family("prober").containerDefinitions(ContainerDefinition.builder()
                .name("probe").image("busybox").memory(64).command("sh", "-c", script).build()));
        Task probe = other.runTask(r -> r.taskDefinition("prober")).tasks().get(0);
        EcsSdk.awaitStopped(other, null, probe.taskArn());
        String log = crossrole.adminGet("/_crossrole/tasks/" + EcsSdk.id(probe.taskArn()) + "/logs").body();
        assertEquals(4, log.split("HTTP=401", -1).length - 1, "every admin call of the task is refused:\n" + log);
        assertFalse(log.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN"), log);
        assertFalse(log.contains(victimTaskId + "\""), log);
    }

    @Test
    void taskRecordsNameEveryVariableButNeverShowASecretsValue() throws Exception {
        String role = crossrole.role(TestCrossrole.SOURCE, "redaction-task-role", "{\"Version\":\"2012-10-17\",\"Statement\":"
                + "[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}")
                .arn();
        EcsClient source = EcsSdk.ecs(crossrole, crossrole.adminCredentials(TestCrossrole.SOURCE));
        source.registerTaskDefinition(r -> r.family("with-secrets").taskRoleArn(role).containerDefinitions(
                ContainerDefinition.builder().name("app").image("busybox").memory(64).command("sleep", "120")
                        .environment(software.amazon.awssdk.services.ecs.model.KeyValuePair.builder().name("DB_PASSWORD")
                                        .value("hunter2").build(),
                                software.amazon.awssdk.services.ecs.model.KeyValuePair.builder().name("GITHUB_TOKEN")
                                        .value("ghp_example").build(),
                                software.amazon.awssdk.services.ecs.model.KeyValuePair.builder().name("LOG_LEVEL")
                                        .value("debug").build()).build()));
        Task task = source.runTask(r -> r.taskDefinition("with-secrets")).tasks().get(0);
        JsonNode record = JSON.readTree(crossrole.adminGet("/_crossrole/tasks/" + EcsSdk.id(task.taskArn())).body());
        JsonNode env = record.path("containers").get(0).path("environment");
        assertEquals("<redacted>", env.path("AWS_CONTAINER_AUTHORIZATION_TOKEN").asText(), env.toString());
        assertEquals("<redacted>", env.path("DB_PASSWORD").asText(), env.toString());
        assertEquals("<redacted>", env.path("GITHUB_TOKEN").asText(), env.toString());
        assertEquals("debug", env.path("LOG_LEVEL").asText(), env.toString());
        assertEquals("us-east-1", env.path("AWS_REGION").asText(), env.toString());
        assertTrue(env.path("AWS_CONTAINER_CREDENTIALS_FULL_URI").asText().startsWith(crossrole.endpoint()), env.toString());
        String everything = crossrole.adminGet("/_crossrole/tasks").body() + record
                + crossrole.adminGet("/_crossrole/requests?limit=1000").body();
        assertFalse(everything.contains("hunter2") || everything.contains("ghp_example"), everything);
        source.stopTask(r -> r.task(task.taskArn()));
    }

    @Test
    void theTokenIsAPrivateFileKeptAcrossRestartsAndRewrittenWhenDamaged(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        String token;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            token = Files.readString(server.adminTokenFile()).strip();
            assertTrue(token.matches("[A-Za-z0-9_-]{43}"), "256 random bits, base64url: " + token);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.adminTokenFile())));
            assertNotEquals(crossrole.adminToken(), token, "each crossrole makes its own token");
        }
        Files.writeString(data.resolve("admin-token"), "edited by hand\n");
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            assertEquals(token, Files.readString(server.adminTokenFile()).strip(), "the store's token is authoritative");
            HttpResponse<String> accepted = HTTP.send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/_crossrole/accounts"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, accepted.statusCode(), accepted.body());
        }
    }

    @Test
    void theCliReadsTheTokenFromTheEnvironmentOrTheDataDirectory(@TempDir Path work) throws Exception {
        String[] why = {"why", "--endpoint", crossrole.endpoint(), victimRequestId};
        Run withoutToken = CrossroleCommand.run(work, why);
        assertEquals(2, withoutToken.exit(), withoutToken.toString());
        assertEquals("", withoutToken.stdout());
        assertTrue(withoutToken.stderr().contains("needs the administrator's token"), withoutToken.stderr());

        List<String> args = new ArrayList<>(List.of(why));
        args.addAll(1, List.of("--data-dir", crossrole.dataDir.toString()));
        Run fromDataDir = CrossroleCommand.run(work, args.toArray(String[]::new));
        assertEquals(0, fromDataDir.exit(), fromDataDir.toString());
        assertTrue(fromDataDir.stdout().contains("ecs ListClusters"), fromDataDir.stdout());

        Run fromEnvironment = CrossroleCommand.run(work, Map.of("CROSSROLE_ADMIN_TOKEN", crossrole.adminToken()), why);
        assertEquals(0, fromEnvironment.exit(), fromEnvironment.toString());
        Run fromDataDirectoryVariable = CrossroleCommand.run(work,
                Map.of("CROSSROLE_DATA_DIR", crossrole.dataDir.toString()), why);
        assertEquals(0, fromDataDirectoryVariable.exit(), fromDataDirectoryVariable.toString());
        Run wrongEnvironment = CrossroleCommand.run(work, Map.of("CROSSROLE_ADMIN_TOKEN", "nope"), why);
        assertEquals(2, wrongEnvironment.exit(), wrongEnvironment.toString());
        assertTrue(wrongEnvironment.stderr().contains("the token was taken from $CROSSROLE_ADMIN_TOKEN"),
                wrongEnvironment.stderr());

        String[] logs = {"logs", "--endpoint", crossrole.endpoint(), "--task", victimTaskId};
        Run logsWithoutToken = CrossroleCommand.run(work, logs);
        assertEquals(2, logsWithoutToken.exit(), logsWithoutToken.toString());
        assertTrue(logsWithoutToken.stderr().contains("needs the administrator's token"), logsWithoutToken.stderr());
    }
}
