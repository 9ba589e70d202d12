package dev.crossrole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.CrossroleServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --store postgresql://…} from the command line: bad locations and unreachable databases, and moving a crossrole onto PostgreSQL. */
class PostgresCliTest {
    private static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}}";
    private static EmbeddedPostgres postgres;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    private static String newDatabase(String name) throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return "postgresql://postgres@localhost:" + postgres.getPort() + "/" + name;
    }

    private static void assertRefused(CliTest.Result r, String message) {
        assertEquals(ExitCodes.UNUSABLE, r.exit(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("crossrole: " + message), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
        assertFalse(r.err().contains("hunter2"), "the password is never printed: " + r.err());
    }

    @Test
    void serveRefusesBadLocationsAndUnreachableDatabasesWithAMessage() {
        String data = dir.resolve("data").toString();
        assertRefused(CliTest.run("serve", "--port", "0", "--data-dir", data, "--store", "postgresql://app:hunter2@db.example:nope/x"),
                "--store postgresql://app:***@db.example:nope/x cannot be used: ");
        assertRefused(CliTest.run("serve", "--port", "0", "--data-dir", data, "--store", "postgresql://app:hunter2@localhost:5432/"),
                "--store postgresql://app:***@localhost:5432/ cannot be used: it names no database;");
        assertRefused(CliTest.run("serve", "--port", "0", "--data-dir", data, "--store", "redis://app:hunter2@localhost/0"),
                "unsupported --store 'redis://app:***@localhost/0'");
        assertRefused(CliTest.run("serve", "--port", "0", "--data-dir", data, "--store", "postgresql://app:hunter2@127.0.0.1:1/iam"),
                "cannot connect to PostgreSQL database iam at 127.0.0.1:1 (user app): ");
        assertRefused(CliTest.run("state", "export", "--data-dir", data, "--store", "postgres://app:hunter2@127.0.0.1:1/iam",
                dir.resolve("out.json").toString()), "cannot connect to PostgreSQL database iam at 127.0.0.1:1 (user app): ");
    }

    @Test
    void anEmbeddedCrossroleMovesOntoPostgresWithExportAndImport() throws Exception {
        Path embedded = dir.resolve("embedded");
        String roleId;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(embedded).withPort(0))) {
            roleId = server.sync().write(tx -> server.iam().createRole("111122223333", "task-role", "/", TRUST, 3600,
                    Map.of("team", "a"))).roleId();
        }
        Path document = dir.resolve("state.json");
        assertEquals(0, CliTest.run("state", "export", "--data-dir", embedded.toString(), document.toString()).exit());
        String store = newDatabase("moved");
        CliTest.Result imported = CliTest.run("state", "import", "--store", store, document.toString());
        assertEquals(0, imported.exit(), imported.err());
        assertTrue(imported.err().contains("into PostgreSQL database moved at localhost:"), imported.err());

        try (CrossroleServer before = CrossroleServer.start(CrossroleServer.Options.defaults(embedded).withPort(0));
             CrossroleServer after = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("node"))
                     .withPort(0).withStore(store))) {
            assertEquals(before.profiles(), after.profiles(), "the same administrators and keys");
            assertEquals(roleId, after.iam().role("111122223333", "task-role").orElseThrow().roleId());
        }
    }
}
