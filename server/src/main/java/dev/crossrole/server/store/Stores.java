package dev.crossrole.server.store;

import java.nio.file.Path;

/** Opens the store a server or command is configured with. */
public final class Stores {
    private Stores() {}

    /** The embedded store in {@code dataDir/store}: a journal of commits and a snapshot, fsynced before each acknowledgement. */
    public static Store embedded(Path dataDir) {
        return JournalStore.open(dataDir.toAbsolutePath().resolve(JournalStore.DIRECTORY));
    }

    /**
     * The store a {@code --store} option names: {@code null}, empty or {@code embedded} for the embedded store
     * in the data directory.
     *
     * @throws IllegalArgumentException for a location this build cannot open, with a message for the user
     */
    public static Store open(String location, Path dataDir) {
        if (location == null || location.isBlank() || location.equals("embedded")) {
            return embedded(dataDir);
        }
        throw new IllegalArgumentException("unsupported --store '" + location + "': use 'embedded' (the default)");
    }
}
