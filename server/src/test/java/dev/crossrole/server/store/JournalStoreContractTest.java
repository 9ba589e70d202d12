package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract against the embedded journal store. */
class JournalStoreContractTest extends StoreContractTest {
    @TempDir
    Path dataDir;

    @Override
    protected Store createStore() {
        return Stores.embedded(dataDir);
    }

    @Override
    protected Store reopen() {
        return Stores.embedded(dataDir);
    }

    @Test
    void theRevisionIsInMemorySoReadsMayBeAnsweredWhereTheyAreRead() {
        assertTrue(store.revisionInMemory());
    }
}
