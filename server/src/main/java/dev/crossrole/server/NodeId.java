package dev.crossrole.server;

import dev.crossrole.server.store.DataDirectory;
import java.io.IOException;
import java.util.UUID;

/**
 * The stable identity of a crossrole node: created at its first start and kept in its data directory, so a
 * restarted node recognises the ECS tasks it ran before, while nodes sharing one store tell theirs apart.
 */
final class NodeId {
    static final String FILE = "node-id";

    private NodeId() {}

    /** The id in the data directory, or a new one written there. */
    static String loadOrCreate(DataDirectory data) throws IOException {
        String stored = data.read(FILE);
        if (stored != null && stored.strip().matches("[0-9a-f-]{36}")) {
            return stored.strip();
        }
        String id = UUID.randomUUID().toString();
        data.write(FILE, id + "\n");
        return id;
    }
}
