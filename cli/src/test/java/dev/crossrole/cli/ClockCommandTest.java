package dev.crossrole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.CrossroleServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code crossrole clock}: shows a running crossrole's time, moves it forward, and refuses what is no duration. */
class ClockCommandTest {
    @TempDir
    Path dir;

    @Test
    void showsAndAdvancesTheClock() throws Exception {
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("c"))
                .withPort(0))) {
            String data = dir.resolve("c").toString();
            CliTest.Result shown = CliTest.run("clock", "--endpoint", server.endpoint(), "--data-dir", data);
            assertEquals(0, shown.exit(), shown.err());
            assertTrue(shown.out().contains("(ahead of the real time by PT0S)"), shown.out());

            CliTest.Result moved = CliTest.run("clock", "advance", "31d", "--endpoint", server.endpoint(),
                    "--data-dir", data);
            assertEquals(0, moved.exit(), moved.err());
            assertTrue(moved.out().contains("(ahead of the real time by PT744H)"), moved.out());

            for (String bad : new String[] {"-3d", "0h", "soon", "P-1D"}) {
                CliTest.Result refused = CliTest.run("clock", "advance", bad, "--endpoint", server.endpoint(),
                        "--data-dir", data);
                assertEquals(1, refused.exit(), bad + ": " + refused.out());
                assertTrue(refused.err().contains("is not a positive duration"), refused.err());
            }
            CliTest.Result noDuration = CliTest.run("clock", "advance", "--endpoint", server.endpoint(),
                    "--data-dir", data);
            assertEquals(1, noDuration.exit());
            CliTest.Result tokenless = CliTest.run("clock", "advance", "1d", "--endpoint", server.endpoint(),
                    "--data-dir", dir.resolve("elsewhere").toString());
            assertEquals(2, tokenless.exit(), tokenless.err());

            CliTest.Result after = CliTest.run("clock", "--endpoint", server.endpoint(), "--data-dir", data);
            assertTrue(after.out().contains("by PT744H)"), "refused requests moved nothing: " + after.out());

            // The same admin access lists the accounts and their administrators' profiles.
            CliTest.Result accounts = CliTest.run("accounts", "--endpoint", server.endpoint(), "--data-dir", data);
            assertEquals(0, accounts.exit(), accounts.err());
            assertTrue(accounts.out().startsWith("ACCOUNT"), accounts.out());
            assertTrue(accounts.out().lines().anyMatch(l -> l.startsWith("111122223333") && l.contains(" source ")),
                    accounts.out());
            CliTest.Result accountsJson = CliTest.run("accounts", "--json", "--endpoint", server.endpoint(),
                    "--data-dir", data);
            assertTrue(accountsJson.out().contains("\"profile\":\"destination\""), accountsJson.out());
            assertEquals(2, CliTest.run("accounts", "--endpoint", server.endpoint(), "--data-dir",
                    dir.resolve("elsewhere").toString()).exit());
        }
    }

    @Test
    void durationsAreShortOrIso() {
        assertEquals(Duration.ofDays(31), ClockCommand.parse("31d"));
        assertEquals(Duration.ofHours(12), ClockCommand.parse("12h"));
        assertEquals(Duration.ofMinutes(90), ClockCommand.parse("90m"));
        assertEquals(Duration.ofSeconds(30), ClockCommand.parse("30s"));
        assertEquals(Duration.parse("PT2H30M"), ClockCommand.parse("PT2H30M"));
        assertNull(ClockCommand.parse("99999999999999999999d"));
        assertNull(ClockCommand.parse("tomorrow"));
    }
}
