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
     * in the data directory; {@code postgresql://user:password@host:port/database} (or {@code postgres://…}, or
     * {@code jdbc:postgresql://…}) for a PostgreSQL database, which several nodes may share.
     *
     * @throws IllegalArgumentException for a location this build cannot open, with a message for the user
     * @throws StoreException if the store cannot be opened (an unreachable database, a newer schema)
     */
    public static Store open(String location, Path dataDir) {
        if (location == null || location.isBlank() || location.equals("embedded")) {
            return embedded(dataDir);
        }
        if (PostgresLocation.isPostgres(location)) {
            return PostgresStore.open(PostgresLocation.parse(location));
        }
        throw new IllegalArgumentException("unsupported --store '" + PostgresLocation.redact(location)
                + "': use 'embedded' (the default) or postgresql://user:password@host:port/database");
    }
}
