package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PostgresLocationTest {
    @Test
    void aLibpqUrlGivesHostPortDatabaseAndCredentials() {
        PostgresLocation l = PostgresLocation.parse("postgresql://crossrole:s3cr%40t@db.example:6543/iam?sslmode=require");
        assertEquals("db.example", l.host());
        assertEquals(6543, l.port());
        assertEquals("iam", l.database());
        assertEquals("jdbc:postgresql://db.example:6543/iam", l.jdbcUrl());
        assertEquals("crossrole", l.properties().getProperty("user"));
        assertEquals("s3cr@t", l.properties().getProperty("password"));
        assertEquals("require", l.properties().getProperty("sslmode"));
        assertEquals("PostgreSQL database iam at db.example:6543 (user crossrole)", l.toString());
    }

    @Test
    void postgresSchemeDefaultPortAndJdbcUrlsAreAccepted() {
        PostgresLocation short_ = PostgresLocation.parse("postgres://u@localhost/db");
        assertEquals(5432, short_.port());
        assertNull(short_.properties().getProperty("password"));
        PostgresLocation jdbc = PostgresLocation.parse("jdbc:postgresql://127.0.0.1:5433/state?user=app&password=pw");
        assertEquals("127.0.0.1", jdbc.host());
        assertEquals(5433, jdbc.port());
        assertEquals("state", jdbc.database());
        assertEquals("app", jdbc.properties().getProperty("user"));
        assertEquals("pw", jdbc.properties().getProperty("password"));
        assertEquals("jdbc:postgresql://[::1]:5432/d", PostgresLocation.parse("postgresql://u@[::1]/d").jdbcUrl());
    }

    @Test
    void unusableLocationsAreRefusedWithAMessageThatHidesThePassword() {
        for (String bad : new String[] {"postgresql://", "postgresql://user:hunter2@host:5432/", "postgresql://user:hunter2@host:port/db",
                "postgresql://user:hunter2@host:99999/db", "postgresql:db", "jdbc:postgresql:db?password=hunter2",
                "postgresql://user:hunter2@h1:5432,h2:5432/db", "postgresql://user:hunter2@host/a/b", "postgresql://u:hunter2@host/%zz"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PostgresLocation.parse(bad), bad);
            assertTrue(e.getMessage().contains("postgresql://user:password@host:port/database"), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
    }

    @Test
    void storesRecognisesPostgresAndRefusesOtherSchemesWithoutThePassword() {
        assertTrue(PostgresLocation.isPostgres("PostgreSQL://x/y"));
        assertFalse(PostgresLocation.isPostgres("embedded"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Stores.open("mysql://root:hunter2@localhost/db", Path.of("unused")));
        assertEquals("unsupported --store 'mysql://root:***@localhost/db': use 'embedded' (the default) or"
                + " postgresql://user:password@host:port/database", e.getMessage());
    }

    @Test
    void anUnreachableDatabaseIsAStoreExceptionNamingItWithoutThePassword() {
        StoreException e = assertThrows(StoreException.class,
                () -> Stores.open("postgresql://app:hunter2@127.0.0.1:1/db", Path.of("unused")));
        assertTrue(e.getMessage().startsWith("cannot connect to PostgreSQL database db at 127.0.0.1:1 (user app): "),
                e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }
}
