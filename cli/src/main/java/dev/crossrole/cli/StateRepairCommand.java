package dev.crossrole.cli;

import dev.crossrole.server.store.EmbeddedStoreFiles;
import dev.crossrole.server.store.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code crossrole state repair --truncate-at OFFSET}: cuts a damaged journal where the user decided, keeping a copy. */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = {"Cut a journal of the embedded store at OFFSET, giving up every commit from there on, so that",
                "crossrole starts again. OFFSET must be where a commit begins, no later than the first damage",
                "('crossrole state check' shows it). The whole journal is first copied to <journal>.bak-<time>",
                "(mode 0600) beside it; later journals, whose commits could no longer follow, are renamed the same way.",
                "The store must not be in use by a running crossrole.",
                "Exit status: 0 cut, 2 refused (nothing changed)."})
final class StateRepairCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = "${env:CROSSROLE_DATA_DIR:-.crossrole}",
            description = "the data directory of the embedded store (default: $CROSSROLE_DATA_DIR or ./.crossrole)")
    Path dataDir;

    @Option(names = "--truncate-at", required = true, paramLabel = "OFFSET",
            description = "the byte offset to cut the journal at")
    long offset;

    @Option(names = "--journal", paramLabel = "FILE",
            description = "the journal to cut (journal-<n>, in DATA_DIR/store; default: the damaged one)")
    String journal;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (offset < 0) {
            err.println("crossrole: --truncate-at must be a byte offset (0 or more), not " + offset);
            return ExitCodes.UNUSABLE;
        }
        try {
            EmbeddedStoreFiles.Repair repair = EmbeddedStoreFiles.truncate(dataDir, journal, offset, Instant.now());
            repair.lines().forEach(out::println);
            out.flush();
            return ExitCodes.OK;
        } catch (EmbeddedStoreFiles.RepairRefused e) {
            err.println("crossrole: nothing changed: " + e.getMessage());
            return ExitCodes.UNUSABLE;
        } catch (StoreException e) {
            err.println("crossrole: " + e.getMessage());
            return ExitCodes.UNUSABLE;
        } catch (IOException e) {
            err.println("crossrole: cannot repair the store in " + dataDir + ": " + e);
            return ExitCodes.UNUSABLE;
        }
    }
}
