package dev.crossrole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --trail-retention}: an ISO-8601 duration, or 0/off; anything else is refused before anything starts. */
class TrailRetentionOptionTest {
    @TempDir
    Path dir;

    @Test
    void durationsZeroAndOff() {
        assertEquals(Duration.ofDays(90), ServeCommand.trailRetention("P90D"));
        assertEquals(Duration.ofHours(12), ServeCommand.trailRetention("PT12H"));
        assertEquals(Duration.ZERO, ServeCommand.trailRetention("0"));
        assertEquals(Duration.ZERO, ServeCommand.trailRetention("off"));
        assertNull(ServeCommand.trailRetention("90d"));
        assertNull(ServeCommand.trailRetention("-P1D"));
        assertNull(ServeCommand.trailRetention(""));
    }

    @Test
    void aBadValueIsRefusedAndNamed() {
        CliTest.Result r = CliTest.run("serve", "--port", "0", "--data-dir", dir.resolve("d").toString(),
                "--trail-retention", "ninety days");
        assertEquals(ExitCodes.UNUSABLE, r.exit());
        assertTrue(r.err().contains("--trail-retention"), r.err());
        CliTest.Result help = CliTest.run("serve", "--help");
        assertTrue(help.out().contains("--trail-retention"), help.out());
    }
}
