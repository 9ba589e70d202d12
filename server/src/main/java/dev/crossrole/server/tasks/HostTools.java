package dev.crossrole.server.tasks;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Programs of this machine that the runtimes use, found the way a shell finds them: on crossrole's own PATH. */
record HostTools(String path) {

    static HostTools ofThisProcess() {
        String path = System.getenv("PATH");
        return new HostTools(path == null ? "" : path);
    }

    /** The absolute PATH entries, in order (a relative entry depends on the working directory: not used). */
    List<Path> directories() {
        List<Path> out = new ArrayList<>();
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isEmpty() && Path.of(entry).isAbsolute()) {
                out.add(Path.of(entry).normalize());
            }
        }
        return out;
    }

    /** The first executable file called {@code name} on the PATH. */
    Optional<Path> find(String name) {
        for (Path directory : directories()) {
            Path candidate = directory.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
