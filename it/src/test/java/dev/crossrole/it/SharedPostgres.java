package dev.crossrole.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL for the whole test JVM (each start costs seconds); every test takes a database of its
 * own from it, so tests never see each other's state.
 */
final class SharedPostgres {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private SharedPostgres() {}

    /** An empty database; closing it drops it. */
    record Database(String name) implements AutoCloseable {
        /** Its location for {@code crossrole serve --store}. */
        String store() {
            return "postgresql://postgres@localhost:" + server().getPort() + "/" + name;
        }

        Connection connect() throws SQLException {
            return server().getDatabase("postgres", name).getConnection();
        }

        @Override
        public void close() throws SQLException {
            superuser("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    static Database newDatabase(String prefix) throws SQLException {
        Database database = new Database(prefix + "_" + DATABASES.incrementAndGet());
        superuser("CREATE DATABASE " + database.name());
        return database;
    }

    /** Runs {@code sql} as the server's superuser, outside any test database. */
    static void superuser(String sql) throws SQLException {
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static synchronized EmbeddedPostgres server() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.start();
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start", e);
            }
            EmbeddedPostgres started = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    // the JVM is ending; the temporary cluster goes with it
                }
            }, "embedded-postgres-stop"));
        }
        return postgres;
    }
}
