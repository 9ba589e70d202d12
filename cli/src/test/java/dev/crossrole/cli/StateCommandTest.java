package dev.crossrole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.iam.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}}";
    private static final String POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
            + "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}";

    @TempDir
    Path dir;

    private Path source() throws Exception {
        Path data = dir.resolve("source");
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            server.sync().write(tx -> {
                server.iam().createRole("111122223333", "task-role", "/", TRUST, 3600, Map.of("team", "a"));
                return server.iam().putRolePolicy("111122223333", "task-role", "read", POLICY);
            });
        }
        return data;
    }

    private static CliTest.Result run(String... args) {
        return CliTest.run(args);
    }

    @Test
    void aWholeCrossroleMovesToAnotherStore() throws Exception {
        Path source = source();
        Path document = dir.resolve("state.json");
        CliTest.Result exported = run("state", "export", "--data-dir", source.toString(), document.toString());
        assertEquals(0, exported.exit(), exported.err());
        assertTrue(exported.err().contains("exported "), exported.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(document)));
        JsonNode root = JSON.readTree(document.toFile());
        assertEquals("crossrole-state", root.get("format").asText());

        Path target = dir.resolve("target");
        CliTest.Result imported = run("state", "import", "--data-dir", target.toString(), document.toString());
        assertEquals(0, imported.exit(), imported.err());

        try (CrossroleServer a = CrossroleServer.start(CrossroleServer.Options.defaults(source).withPort(0));
             CrossroleServer b = CrossroleServer.start(CrossroleServer.Options.defaults(target).withPort(0))) {
            assertEquals(a.profiles(), b.profiles(), "the same administrators and keys");
            Role role = b.iam().role("111122223333", "task-role").orElseThrow();
            assertEquals(a.iam().role("111122223333", "task-role").orElseThrow().roleId(), role.roleId());
            assertEquals(POLICY, role.inlinePolicies().get("read").text());
            assertEquals(Map.of("team", "a"), role.tags());
            assertEquals(a.iam().users("111122223333").size(), b.iam().users("111122223333").size());
        }
        Path again = dir.resolve("again.json");
        assertEquals(0, run("state", "export", "--data-dir", target.toString(), again.toString()).exit());
        assertEquals(JSON.readTree(document.toFile()).get("records"), JSON.readTree(again.toFile()).get("records"),
                "a round trip changes no record, the session-token key included");
    }

    @Test
    void aStoreThatHoldsStateIsReplacedOnlyWhenAsked() throws Exception {
        Path source = source();
        Path document = dir.resolve("state.json");
        assertEquals(0, run("state", "export", "--data-dir", source.toString(), document.toString()).exit());

        Path target = dir.resolve("target");
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(target).withPort(0))) {
            server.sync().write(tx -> server.iam().createRole("111122223333", "only-in-target", "/", TRUST, 3600, Map.of()));
        }
        CliTest.Result refused = run("state", "import", "--data-dir", target.toString(), document.toString());
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("already holds state") && refused.err().contains("--replace"), refused.err());
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(target).withPort(0))) {
            assertTrue(server.iam().role("111122223333", "only-in-target").isPresent(), "a refused import changes nothing");
            assertTrue(server.iam().role("111122223333", "task-role").isEmpty());
        }

        CliTest.Result replaced = run("state", "import", "--replace", "--data-dir", target.toString(), document.toString());
        assertEquals(0, replaced.exit(), replaced.err());
        assertTrue(replaced.err().contains("deleted"), replaced.err());
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(target).withPort(0))) {
            assertTrue(server.iam().role("111122223333", "only-in-target").isEmpty());
            assertTrue(server.iam().role("111122223333", "task-role").isPresent());
        }
    }

    @Test
    void badDocumentsAreRefusedAndWriteNothing() throws Exception {
        Path target = dir.resolve("target");
        CliTest.Result missing = run("state", "import", "--data-dir", target.toString(), dir.resolve("absent.json").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("no such file"), missing.err());

        String valid = "{\"format\":\"crossrole-state\",\"formatVersion\":1,\"revision\":3,\"records\":["
                + "{\"namespace\":\"ecs.families\",\"key\":\"111122223333/us-east-1/web\",\"json\":{\"last\":2}}";
        Map<String, String> cases = Map.of(
                "{not json", "not valid JSON",
                "{\"format\":\"something-else\"}", "not a crossrole state document",
                "{\"format\":\"crossrole-state\",\"formatVersion\":9,\"records\":[]}", "unsupported formatVersion 9",
                "{\"format\":\"crossrole-state\",\"formatVersion\":1}", "\"records\" must be an array",
                valid + ",{\"namespace\":\"x\"}]}", "records[1] needs a non-empty \"namespace\" and \"key\"",
                valid + ",{\"namespace\":\"x\",\"key\":\"k\",\"json\":{},\"base64\":\"AA==\"}]}", "exactly one of",
                valid + ",{\"namespace\":\"secrets\",\"key\":\"k\",\"base64\":\"***\"}]}", "is not base64",
                valid + ",{\"namespace\":\"ecs.families\",\"key\":\"111122223333/us-east-1/web\",\"json\":{}}]}", "repeats",
                valid + ",{\"namespace\":\"iam.roles\",\"key\":\"AROA1\",\"json\":{\"name\":\"r\"}}]}",
                "records[1] (iam.roles/AROA1) is not a valid entity");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path file = dir.resolve("bad.json");
            Files.writeString(file, c.getKey());
            CliTest.Result r = run("state", "import", "--data-dir", target.toString(), file.toString());
            assertEquals(1, r.exit(), c.getKey() + " -> " + r.err());
            assertTrue(r.err().contains(c.getValue()), c.getKey() + " -> " + r.err());
        }
        Path empty = dir.resolve("empty.json");
        assertEquals(0, run("state", "export", "--data-dir", target.toString(), empty.toString()).exit());
        assertEquals(0, JSON.readTree(empty.toFile()).get("records").size(), "no refused document wrote anything");

        ObjectNode ok = (ObjectNode) JSON.readTree(valid + "]}");
        Files.writeString(dir.resolve("ok.json"), ok.toString());
        assertEquals(0, run("state", "import", "--data-dir", target.toString(), dir.resolve("ok.json").toString()).exit());
    }

    @Test
    void aStoreInUseByARunningServerIsNotTouched() throws Exception {
        Path data = dir.resolve("busy");
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            CliTest.Result r = run("state", "export", "--data-dir", data.toString(), dir.resolve("x.json").toString());
            assertEquals(2, r.exit());
            assertTrue(r.err().contains("in use by another crossrole process"), r.err());
        }
        CliTest.Result store = run("state", "export", "--store", "mysql://nope", "--data-dir", data.toString(), "-");
        assertEquals(2, store.exit());
        assertTrue(store.err().contains("unsupported --store"), store.err());
    }
}
