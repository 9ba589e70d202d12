package dev.crossrole.server;

import dev.crossrole.server.store.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * At start, removes group and other access from what an older crossrole, or a loose umask, left in the data
 * directory (and the {@code --s3-blobs} folder), and says so in one line. Everything but the blob folder and
 * the tasks folder is done before the start goes on, the data directory first (once it is 0700, other users
 * reach nothing below it); those two can hold 100,000 entries, so they are walked in the background. What a task
 * wrote in its own folder and volumes is the task's: of those only the folders themselves are crossrole's, and
 * the task's logs ({@code tasks/<id>.logs}). Symbolic links are never followed.
 */
public final class ModeTightening {
    private static final Logger LOG = Logger.getLogger(ModeTightening.class.getName());
    static final String BLOBS = "s3/blobs";
    static final String TASKS = "tasks";

    private ModeTightening() {}

    /** Tightens now what is small, starts the background walk of the rest; returns that walk's thread. */
    public static Thread start(Path dataDir, Path s3Blobs) throws IOException {
        Path root = dataDir.toRealPath();
        List<PrivateFiles.Tightened> done = new ArrayList<>();
        // The data directory first, so other users are shut out of everything below before anything else.
        done.add(PrivateFiles.tighten(root, relative -> relative.equals(Path.of(BLOBS)) || relative.equals(Path.of(TASKS))));
        List<Path> later = new ArrayList<>(List.of(root.resolve(BLOBS), root.resolve(TASKS)));
        if (s3Blobs != null && Files.isDirectory(s3Blobs) && !s3Blobs.toRealPath().startsWith(root)) {
            Path blobs = s3Blobs.toRealPath();
            done.add(new PrivateFiles.Tightened(PrivateFiles.restrict(blobs) ? 1 : 0, 0, List.of()));
            later.add(blobs);
        }
        Thread walk = new Thread(() -> {
            try {
                for (Path folder : later) {
                    // What is in a task's folder and its volumes is the task's; its logs (<id>.logs, or the logs
                    // folder inside the task's folder, as an older crossrole kept them) are crossrole's.
                    Predicate<Path> leaveAlone = folder.endsWith(TASKS)
                            ? relative -> relative.getNameCount() == 2 && !relative.getName(0).toString().endsWith(".logs")
                                    && !relative.getName(1).toString().equals("logs")
                            : relative -> false;
                    PrivateFiles.Tightened t = PrivateFiles.tighten(folder, leaveAlone);
                    done.add(t);
                }
                report(dataDir, s3Blobs, done);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "could not tighten the modes in " + dataDir + " (its folders are 0700)", e);
            }
        }, "crossrole-tighten-modes");
        walk.setDaemon(true);
        walk.start();
        return walk;
    }

    private static void report(Path dataDir, Path s3Blobs, List<PrivateFiles.Tightened> done) {
        int folders = done.stream().mapToInt(PrivateFiles.Tightened::folders).sum();
        int files = done.stream().mapToInt(PrivateFiles.Tightened::files).sum();
        List<Path> failed = done.stream().flatMap(t -> t.failed().stream()).toList();
        String where = dataDir + (s3Blobs == null ? "" : " and " + s3Blobs);
        if (folders + files > 0) {
            LOG.warning("tightened " + where + ": group and other access removed from " + folders + " folders and "
                    + files + " files");
        }
        if (!failed.isEmpty()) {
            LOG.warning("could not tighten " + failed.size() + " entries in " + where + " (not this user's?): "
                    + failed.subList(0, Math.min(10, failed.size())));
        }
    }
}
