package dev.crossrole.cli;

import dev.crossrole.server.store.EmbeddedStoreFiles;
import dev.crossrole.server.store.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code crossrole state check}: verifies the embedded store's snapshot and journals as a start reads them. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Verify the embedded store: the snapshot's checksum and every journal frame, as a start reads them.",
                "Prints what it found (commits, revisions, sizes, the first problem and its byte offset) and changes nothing.",
                "Exit status: 0 healthy (a crash's torn tail, which a start cuts off, included), 1 damaged (crossrole",
                "refuses to start), 2 no store there or the store in use by a running crossrole."})
final class StateCheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = "${env:CROSSROLE_DATA_DIR:-.crossrole}",
            description = "the data directory of the embedded store (default: $CROSSROLE_DATA_DIR or ./.crossrole)")
    Path dataDir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            EmbeddedStoreFiles.Check check = EmbeddedStoreFiles.check(dataDir);
            check.lines().forEach(out::println);
            out.flush();
            return check.verdict() == EmbeddedStoreFiles.Verdict.DAMAGED ? ExitCodes.INVALID : ExitCodes.OK;
        } catch (StoreException e) {
            err.println("crossrole: " + e.getMessage());
            return ExitCodes.UNUSABLE;
        } catch (IOException e) {
            err.println("crossrole: cannot read the store in " + dataDir + ": " + e);
            return ExitCodes.UNUSABLE;
        }
    }
}
