package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** The store contract against PostgreSQL: every test in its own new database, a restart opens it again. */
class PostgresStoreContractTest extends StoreContractTest {
    private String location;

    @Override
    protected Store createStore() {
        location = TestPostgres.newDatabase();
        return Stores.open(location, null);
    }

    @Override
    protected Store reopen() {
        return Stores.open(location, null);
    }

    @Test
    void theRevisionIsTheDatabasesSoRequestsRunOnWorkers() {
        assertFalse(store.revisionInMemory());
    }
}
