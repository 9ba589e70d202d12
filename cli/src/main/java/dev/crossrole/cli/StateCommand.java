package dev.crossrole.cli;

import dev.crossrole.server.ecs.EcsPersistence;
import dev.crossrole.server.s3.S3StateFiles;
import dev.crossrole.server.store.PrivateFiles;
import dev.crossrole.server.store.StateDocument;
import dev.crossrole.server.store.Store;
import dev.crossrole.server.store.StoreException;
import dev.crossrole.server.store.Stores;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code crossrole state export|import}: a whole crossrole as one JSON document, to move it between stores;
 * {@code state check|repair}: verify the embedded store and cut a damaged journal.
 */
@Command(name = "state", mixinStandardHelpOptions = true,
        description = {"Move crossrole's state (accounts, IAM, ECS, S3, keys) between stores as one JSON document;",
                "verify the embedded store and repair a damaged journal."},
        subcommands = {StateCommand.Export.class, StateCommand.Import.class, StateCheckCommand.class,
                StateRepairCommand.class})
final class StateCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** Where the state lives; the same options as {@code serve}. */
    static final class StoreOptions {
        @Option(names = "--data-dir", defaultValue = "${env:CROSSROLE_DATA_DIR:-.crossrole}",
                description = "the data directory of the embedded store (default: $CROSSROLE_DATA_DIR or ./.crossrole)")
        Path dataDir;

        @Option(names = "--store", paramLabel = "LOCATION",
                description = "the store: 'embedded' (default, in the data directory) or postgresql://user:password@host:port/database")
        String store;

        @Option(names = "--s3-blobs", paramLabel = "DIR",
                description = "where S3 object bytes live, as given to serve (default: the PostgreSQL store's database, else <data-dir>/s3/blobs)")
        Path s3Blobs;

        dev.crossrole.server.s3.BlobStore blobs(Store opened) throws IOException {
            return S3StateFiles.blobs(opened, dataDir, s3Blobs);
        }

        Store open() {
            return Stores.open(store, dataDir);
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write every record of the store to FILE ('-' for standard output).",
                    "The document holds secret keys: it is written with mode 0600.",
                    "S3 object bytes are written as files into the folder FILE.blobs beside it (0700, its files 0600).",
                    "The store must not be in use by a running crossrole (embedded store)."})
    static final class Export implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        StoreOptions where = new StoreOptions();

        @Parameters(paramLabel = "FILE", description = "where to write the document")
        String file;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try (Store store = where.open()) {
                int count;
                if (file.equals("-")) {
                    OutputStream out = System.out;
                    count = StateDocument.export(store, new NonClosing(out));
                    out.flush();
                } else {
                    // A new file, 0600 from its creation: it holds secret keys.
                    try (OutputStream out = PrivateFiles.newOutputStream(Path.of(file))) {
                        count = StateDocument.export(store, out);
                    }
                }
                err.println("crossrole: exported " + count + " records from " + store.describe() + " at revision "
                        + store.revision());
                return exportObjectBytes(store, err);
            } catch (IllegalArgumentException | StoreException e) {
                err.println("crossrole: " + e.getMessage());
                return ExitCodes.UNUSABLE;
            } catch (IOException e) {
                err.println("crossrole: cannot write " + file + ": " + e);
                return ExitCodes.UNUSABLE;
            }
        }

        /** S3 object bytes go into FILE.blobs beside the document; standard output carries the records only. */
        private int exportObjectBytes(Store store, PrintWriter err) throws IOException {
            int objects = S3StateFiles.referencedBlobs(store);
            if (objects == 0) {
                return ExitCodes.OK;
            }
            if (file.equals("-")) {
                err.println("crossrole: the bytes of " + objects + " S3 objects and parts were not exported: they go to"
                        + " a folder beside FILE, so give a FILE instead of '-'");
                return ExitCodes.OK;
            }
            Path folder = S3StateFiles.blobFolder(Path.of(file));
            dev.crossrole.server.s3.BlobStore blobs = where.blobs(store);
            S3StateFiles.Exported exported = S3StateFiles.exportBlobs(store, blobs, folder);
            err.println("crossrole: exported the bytes of " + exported.written() + " S3 objects and parts to " + folder);
            if (!exported.missing().isEmpty()) {
                err.println("crossrole: " + exported.missing().size() + " S3 objects have no bytes in " + blobs.describe()
                        + " (run 'state export' where the node that stored them keeps its data directory): "
                        + exported.missing());
                return ExitCodes.UNUSABLE;
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Read a document written by 'state export' into the store, in one transaction.",
                    "The store must be empty unless --replace is given; nothing is written if the document is invalid.",
                    "S3 object bytes are read from the folder FILE.blobs beside it, into --s3-blobs (or the PostgreSQL store, or --data-dir).",
                    "The store must not be in use by a running crossrole (embedded store)."})
    static final class Import implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        StoreOptions where = new StoreOptions();

        @Option(names = "--replace", description = "replace everything in a store that already holds state")
        boolean replace;

        @Parameters(paramLabel = "FILE", description = "the document ('-' for standard input)")
        String file;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            InputStream in;
            try {
                in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file));
            } catch (NoSuchFileException e) {
                err.println("crossrole: " + file + ": no such file");
                return ExitCodes.UNUSABLE;
            } catch (IOException e) {
                err.println("crossrole: cannot read " + file + ": " + e);
                return ExitCodes.UNUSABLE;
            }
            try (in; Store store = where.open()) {
                Path blobs = file.equals("-") ? null : S3StateFiles.blobFolder(Path.of(file));
                if (blobs != null && Files.isDirectory(blobs)) {
                    // The bytes first: a record is never committed before the blob it names.
                    int copied = S3StateFiles.importBlobs(blobs, where.blobs(store));
                    err.println("crossrole: copied the bytes of " + copied + " S3 objects and parts from " + blobs);
                }
                StateDocument.ImportResult result = StateDocument.importInto(store, in, replace,
                        EcsPersistence::forImport);
                err.println("crossrole: imported " + result.written() + " records into " + store.describe()
                        + (replace ? " (" + result.deleted() + " records not in " + file + " deleted)" : ""));
                return ExitCodes.OK;
            } catch (StateDocument.InvalidStateException e) {
                err.println("crossrole: " + file + ": " + e.getMessage());
                return ExitCodes.INVALID;
            } catch (IllegalArgumentException | StoreException e) {
                err.println("crossrole: " + e.getMessage());
                return ExitCodes.UNUSABLE;
            } catch (IOException e) {
                err.println("crossrole: cannot read " + file + ": " + e.getMessage());
                return ExitCodes.UNUSABLE;
            }
        }
    }

    /** Standard output stays open after the document is written. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
