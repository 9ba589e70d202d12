package dev.crossrole.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code crossrole state check} and {@code state repair}: exit statuses, refusals, and a start after a repair. */
class StateCheckRepairCommandTest {
    private static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}}";
    private static final Pattern TRUNCATE_AT = Pattern.compile("--truncate-at (\\d+) --journal (journal-\\d+)");

    @TempDir
    Path dir;

    /** A crossrole that created 40 roles, one commit each. */
    private Path fortyRoles() throws Exception {
        Path data = dir.resolve("data");
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            for (int i = 0; i < 40; i++) {
                int n = i;
                server.sync().write(tx -> server.iam().createRole("111122223333", "role-" + n, "/", TRUST, 3600, Map.of()));
            }
        }
        return data;
    }

    private static Path journal(Path data) throws Exception {
        try (Stream<Path> files = Files.list(data.resolve("store"))) {
            return files.filter(p -> p.getFileName().toString().matches("journal-\\d+")).findFirst().orElseThrow();
        }
    }

    @Test
    void checkSaysHealthyDamagedOrUnusableByItsExitStatus() throws Exception {
        Path data = fortyRoles();
        CliTest.Result healthy = CliTest.run("state", "check", "--data-dir", data.toString());
        assertEquals(0, healthy.exit(), healthy.err());
        assertTrue(healthy.out().contains("healthy: the store is at revision"), healthy.out());

        Path journal = journal(data);
        byte[] bytes = Files.readAllBytes(journal);
        bytes[bytes.length / 10] ^= 0x04;
        Files.write(journal, bytes);
        CliTest.Result damaged = CliTest.run("state", "check", "--data-dir", data.toString());
        assertEquals(1, damaged.exit(), damaged.out() + damaged.err());
        assertTrue(damaged.out().contains("DAMAGED: the journal " + journal + " is damaged at byte"), damaged.out());

        CliTest.Result none = CliTest.run("state", "check", "--data-dir", dir.resolve("elsewhere").toString());
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("there is no embedded store in"), none.err());
    }

    @Test
    void aDamagedStoreIsRepairedAsTheRefusalSaysAndStartsAgain() throws Exception {
        Path data = fortyRoles();
        Path journal = journal(data);
        byte[] bytes = Files.readAllBytes(journal);
        bytes[bytes.length / 2] ^= 0x04;
        Files.write(journal, bytes);

        StoreException refused = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
                () -> CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0)).close());
        Matcher advice = TRUNCATE_AT.matcher(refused.getMessage());
        assertTrue(advice.find(), refused.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(journal));

        CliTest.Result notABoundary = CliTest.run("state", "repair", "--data-dir", data.toString(), "--truncate-at",
                String.valueOf(Long.parseLong(advice.group(1)) - 1));
        assertEquals(2, notABoundary.exit());
        assertTrue(notABoundary.err().contains("nothing changed: byte " + (Long.parseLong(advice.group(1)) - 1)
                + " of " + advice.group(2) + " is not where a commit begins: the nearest are "), notABoundary.err());
        CliTest.Result negative = CliTest.run("state", "repair", "--data-dir", data.toString(), "--truncate-at", "-5");
        assertEquals(2, negative.exit());
        CliTest.Result notANumber = CliTest.run("state", "repair", "--data-dir", data.toString(), "--truncate-at", "ten");
        assertEquals(2, notANumber.exit());
        assertTrue(notANumber.err().contains("--truncate-at"), notANumber.err());
        for (String elsewhere : new String[] {"/", dir.resolve(advice.group(2)).toString(), "journal-99", ""}) {
            CliTest.Result wrongJournal = CliTest.run("state", "repair", "--data-dir", data.toString(), "--truncate-at",
                    advice.group(1), "--journal", elsewhere);
            assertEquals(2, wrongJournal.exit(), elsewhere + ": " + wrongJournal.err());
            assertTrue(wrongJournal.err().contains("nothing changed"), wrongJournal.err());
        }
        assertArrayEquals(bytes, Files.readAllBytes(journal), "refusals change nothing");

        CliTest.Result repaired = CliTest.run("state", "repair", "--data-dir", data.toString(), "--truncate-at",
                advice.group(1), "--journal", advice.group(2));
        assertEquals(0, repaired.exit(), repaired.err());
        assertTrue(repaired.out().contains("copied " + journal + " ("), repaired.out());
        assertTrue(repaired.out().contains("cut " + advice.group(2) + " at byte "), repaired.out());
        assertEquals(Long.parseLong(advice.group(1)), Files.size(journal));

        assertEquals(0, CliTest.run("state", "check", "--data-dir", data.toString()).exit());
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            int roles = server.iam().roles("111122223333").size();
            assertTrue(roles > 0 && roles < 40, "the roles before the damage are there: " + roles);
            CliTest.Result inUse = CliTest.run("state", "repair", "--data-dir", data.toString(), "--truncate-at", "0");
            assertEquals(2, inUse.exit());
            assertTrue(inUse.err().contains("in use by a running crossrole"), inUse.err());
        }
    }
}
