package dev.crossrole.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.iam.AccessKeys;
import dev.crossrole.server.iam.IamUser;
import dev.crossrole.server.iam.Role;
import dev.crossrole.server.store.StoredRecord;
import dev.crossrole.server.store.Stores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory written by crossrole 0.1 (whole-file JSON state) is imported into the store once. */
class LegacyDataDirectoryTest {
    private static final String SOURCE = "111122223333";
    private static final String DESTINATION = "555566667777";
    private static final String TRUST = "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":{\\\"Effect\\\":\\\"Allow\\\","
            + "\\\"Principal\\\":{\\\"Service\\\":\\\"ecs-tasks.amazonaws.com\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}}";
    private static final String POLICY = "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":{\\\"Effect\\\":\\\"Allow\\\","
            + "\\\"Action\\\":\\\"s3:GetObject\\\",\\\"Resource\\\":\\\"*\\\"}}";

    @TempDir
    Path dir;

    private final SecureRandom random = new SecureRandom();
    private final String sourceKey = AccessKeys.longTerm(SOURCE, random);
    private final String destinationKey = AccessKeys.longTerm(DESTINATION, random);
    private final String bobKey = AccessKeys.longTerm(SOURCE, random);
    private final byte[] serverKey = new byte[32];

    /** The files as crossrole 0.1 wrote them (Bootstrap, IamState, EcsPersistence, DataDirectory.serverKey). */
    private void writeOldFiles() throws IOException {
        random.nextBytes(serverKey);
        Files.writeString(dir.resolve("server.key"), Base64.getEncoder().encodeToString(serverKey) + "\n");
        Files.writeString(dir.resolve("identities.json"), """
                {"users":[{"account":"111122223333","name":"admin","path":"/","userId":"AIDAOLDADMINSOURCE01","created":"2026-01-01T00:00:00Z"},
                          {"account":"555566667777","name":"admin","path":"/","userId":"AIDAOLDADMINDEST0001","created":"2026-01-01T00:00:00Z"}],
                 "accessKeys":[{"accessKeyId":"%s","secretAccessKey":"%s","account":"111122223333","userName":"admin","created":"2026-01-01T00:00:00Z"},
                               {"accessKeyId":"%s","secretAccessKey":"%s","account":"555566667777","userName":"admin","created":"2026-01-01T00:00:00Z"}]}
                """.formatted(sourceKey, "s".repeat(40), destinationKey, "d".repeat(40)));
        Files.writeString(dir.resolve("iam.json"), """
                {"format":1,
                 "users":[{"account":"111122223333","name":"bob","path":"/","id":"AIDAOLDBOB0000000001","created":"2026-01-02T00:00:00Z","boundary":null,
                           "tags":{"team":"a"},"inline":{"read":"%2$s"},"attached":["arn:aws:iam::111122223333:policy/shared"]}],
                 "roles":[{"account":"111122223333","name":"task-role","path":"/","id":"AROAOLDROLE000000001","created":"2026-01-02T00:00:00Z",
                           "description":"from 0.1","trustText":"%1$s","trustCompiled":"%1$s","maxSessionDuration":3600,"boundary":null,
                           "trustPrincipals":{},"tags":{},"inline":{"read":"%2$s"},"attached":[]}],
                 "groups":[{"account":"111122223333","name":"devs","path":"/","id":"AGPAOLDGROUP00000001","created":"2026-01-02T00:00:00Z",
                            "inline":{},"attached":[],"members":["bob"]}],
                 "policies":[{"arn":"arn:aws:iam::111122223333:policy/shared","name":"shared","path":"/","id":"ANPAOLDPOLICY0000001",
                              "description":null,"created":"2026-01-02T00:00:00Z","updated":"2026-01-02T00:00:00Z","defaultVersion":"v1",
                              "nextVersion":2,"tags":{},"versions":[{"id":"v1","text":"%2$s","created":"2026-01-02T00:00:00Z"}]}],
                 "accessKeys":[{"id":"%3$s","secret":"%4$s","account":"111122223333","user":"bob","active":true,"created":"2026-01-02T00:00:00Z"}]}
                """.formatted(TRUST, POLICY, bobKey, "b".repeat(40)));
        Files.writeString(dir.resolve("ecs.json"), """
                {"format":1,
                 "clusters":[{"account":"111122223333","region":"us-east-1","name":"default","active":true,"created":"2026-01-03T00:00:00Z","tags":{}}],
                 "revisions":{"111122223333/us-east-1/web":2},
                 "taskDefinitions":[{"account":"111122223333","region":"us-east-1","family":"web","revision":2,"active":true,
                                     "registeredAt":"2026-01-03T00:00:00Z","deregisteredAt":null,
                                     "document":{"family":"web","containerDefinitions":[{"name":"app","image":"local","memory":64}]},"tags":{}}],
                 "tasks":[{"id":"0123456789abcdef0123456789abcdef","account":"111122223333","region":"us-east-1","cluster":"default",
                           "family":"web","revision":2,"taskRoleArn":null,"group":null,"startedBy":null,"launchType":"FARGATE",
                           "enableExecuteCommand":false,"workDir":"%s","createdAt":"2026-01-03T00:00:00Z",
                           "startedAt":"2026-01-03T00:00:01Z","stoppingAt":null,"stoppedAt":null,"lastStatus":"RUNNING",
                           "desiredStatus":"RUNNING","stopCode":null,"stoppedReason":null,"version":2,"overrides":{},"tags":{},
                           "containers":[{"name":"app","arn":"arn:aws:ecs:us-east-1:111122223333:container/default/0123/app",
                                          "image":"local","essential":true,"stopTimeout":30,"logFile":"%s","lastStatus":"RUNNING",
                                          "exitCode":null,"reason":null,"runtimeId":null,"processStarted":null}]}]}
                """.formatted(dir.resolve("tasks/t1"), dir.resolve("tasks/t1/app.log")));
    }

    @Test
    void oldStateIsImportedOnceAndTheOldFilesSetAside() throws Exception {
        writeOldFiles();
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0))) {
            assertEquals(sourceKey, server.profiles().get(0).accessKeyId(), "the administrators keep their keys");
            assertEquals(destinationKey, server.profiles().get(1).accessKeyId());
            assertEquals("AIDAOLDADMINSOURCE01", server.iam().user(SOURCE, "admin").orElseThrow().userId());
            IamUser bob = server.iam().user(SOURCE, "bob").orElseThrow();
            assertEquals("AIDAOLDBOB0000000001", bob.userId());
            assertTrue(bob.inlinePolicies().containsKey("read"));
            assertEquals(1, server.iam().groupsOf(SOURCE, "bob").size());
            assertEquals(2, server.iam().identityPolicies(bob).size(), "inline and the attached customer-managed policy");
            assertTrue(server.iam().accessKey(bobKey).isPresent());
            Role role = server.iam().role(SOURCE, "task-role").orElseThrow();
            assertEquals("from 0.1", role.description());
            assertArrayEquals(serverKey, server.store().read("secrets", "session-token-key").orElseThrow().value(),
                    "tokens sealed before the upgrade stay valid");
            StoredRecord family = server.store().read("ecs.families", "111122223333/us-east-1/web").orElseThrow();
            assertEquals("{\"last\":2}", new String(family.value(), StandardCharsets.UTF_8));
            assertTrue(server.store().read("ecs.clusters", "111122223333/us-east-1/default").isPresent());
            var task = server.tasks().task("0123456789abcdef0123456789abcdef").orElseThrow();
            assertTrue(task.stopped(), "a task running under 0.1 is reported stopped");
            assertTrue(new String(server.store().read("ecs.tasks", task.id()).orElseThrow().value(), StandardCharsets.UTF_8)
                    .contains("\"lastStatus\":\"STOPPED\""), "and stored so");
            // 0.1 ran on one node: its tasks are this node's.
            assertEquals(server.tasks().nodeId(), task.node());
            assertTrue(new String(server.store().read("ecs.tasks", task.id()).orElseThrow().value(), StandardCharsets.UTF_8)
                    .contains("\"node\":\"" + server.tasks().nodeId() + "\""));
        }
        for (String name : new String[] {"iam.json", "ecs.json", "identities.json", "server.key"}) {
            assertFalse(Files.exists(dir.resolve(name)), name);
            assertTrue(Files.exists(dir.resolve(name + ".migrated")), name);
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0))) {
            assertEquals(sourceKey, again.profiles().get(0).accessKeyId());
            assertTrue(again.iam().user(SOURCE, "bob").isPresent());
        }
    }

    /**
     * A state document taken from a store whose node was still running a task (a crash, or a shared store):
     * the processes do not come along, so the task must not stay RUNNING under a node that will never run it.
     */
    @Test
    void aTaskRecordedAsRunningByAnotherNodeIsStoppedAfterStateImport() throws Exception {
        writeOldFiles();
        String taskId = "0123456789abcdef0123456789abcdef";
        java.io.ByteArrayOutputStream document = new java.io.ByteArrayOutputStream();
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0))) {
            dev.crossrole.server.store.StateDocument.export(server.store(), document);
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(document.toByteArray());
        for (var record : root.get("records")) {
            if (record.get("namespace").asText().equals("ecs.tasks")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) record.get("json")).put("lastStatus", "RUNNING")
                        .put("desiredStatus", "RUNNING").put("node", "a-node-that-stays-behind").putNull("stoppedAt")
                        .putNull("stopCode").putNull("stoppedReason");
            }
        }
        byte[] running = json.writeValueAsBytes(root);

        Path imported = dir.resolve("imported");
        try (var store = Stores.embedded(imported)) {
            dev.crossrole.server.store.StateDocument.importInto(store, new java.io.ByteArrayInputStream(running), false,
                    dev.crossrole.server.ecs.EcsPersistence::forImport);
        }
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(imported).withPort(0))) {
            var task = server.tasks().task(taskId).orElseThrow();
            assertTrue(task.stopped(), "the imported task is reported stopped, not left running");
            assertEquals(server.tasks().nodeId(), task.node(), "by the node that started on the imported store");
        }

        Path verbatim = dir.resolve("verbatim");
        try (var store = Stores.embedded(verbatim)) {
            dev.crossrole.server.store.StateDocument.importInto(store, new java.io.ByteArrayInputStream(running), false);
        }
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(verbatim).withPort(0))) {
            assertFalse(server.tasks().task(taskId).orElseThrow().stopped(),
                    "imported as written, the task would stay with the node that recorded it");
        }
    }

    @Test
    void anUnreadableOldFileStopsTheStartAndImportsNothing() throws Exception {
        writeOldFiles();
        Files.writeString(dir.resolve("ecs.json"), "{\"clusters\": [");
        IOException e = assertThrows(IOException.class,
                () -> CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0)));
        assertTrue(e.getMessage().contains("ecs.json cannot be imported"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("iam.json")), "nothing was set aside");
        try (var store = Stores.embedded(dir)) {
            assertTrue(store.isEmpty(), "nothing was imported");
        }
    }
}
