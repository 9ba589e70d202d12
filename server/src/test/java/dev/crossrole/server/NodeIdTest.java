package dev.crossrole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.store.DataDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node keeps its id across restarts in its data directory; each data directory has its own. */
class NodeIdTest {
    @TempDir
    Path dir;

    @Test
    void theIdIsCreatedOnceAndReadBackAfterwards() throws Exception {
        DataDirectory data = new DataDirectory(dir.resolve("a"));
        String first = NodeId.loadOrCreate(data);
        assertTrue(first.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), first);
        assertEquals(first + "\n", Files.readString(data.resolve(NodeId.FILE)));
        assertEquals(first, NodeId.loadOrCreate(new DataDirectory(dir.resolve("a"))));
        assertNotEquals(first, NodeId.loadOrCreate(new DataDirectory(dir.resolve("b"))));
    }

    @Test
    void aDamagedFileIsReplacedByANewId() throws Exception {
        DataDirectory data = new DataDirectory(dir);
        Files.writeString(data.resolve(NodeId.FILE), "not an id\n");
        String id = NodeId.loadOrCreate(data);
        assertNotEquals("not an id", id);
        assertEquals(id, NodeId.loadOrCreate(data));
    }
}
