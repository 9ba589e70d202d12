package dev.crossrole.server.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The PostgreSQL store's schema, built by numbered SQL files ({@code postgres/V<n>__<name>.sql} beside this
 * class) applied in order, each in its own transaction together with its row in
 * {@code crossrole.schema_version}. Everything lives in the schema {@code crossrole}, so the database can be
 * shared with other applications. Nodes starting at the same time take turns through an advisory lock;
 * a migration already applied is never applied again, and a node refuses a database whose schema is newer
 * than the newest migration it knows (it was written by a later crossrole).
 */
final class PostgresMigrations {
    /** In order; the version of each is its position, from 1. Append only: never change or reorder a published one. */
    static final List<String> FILES = List.of("V1__records.sql", "V2__s3_blobs.sql");
    /** Arbitrary, fixed: the advisory lock that serializes migrations of one database. */
    private static final long MIGRATION_LOCK = 0x63726f73_73726f6cL; // "crossrol"

    private PostgresMigrations() {}

    static int latestVersion() {
        return FILES.size();
    }

    /** Brings the schema to {@link #latestVersion}; returns how many migrations were applied. */
    static int migrate(Connection connection, String where) throws SQLException {
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
            try {
                statement.execute("CREATE SCHEMA IF NOT EXISTS crossrole");
                statement.execute("CREATE TABLE IF NOT EXISTS crossrole.schema_version ("
                        + "version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
                int current = currentVersion(connection);
                if (current > latestVersion()) {
                    throw new StoreException(where + " has crossrole schema version " + current
                            + ", newer than this crossrole knows (" + latestVersion() + "): it was used by a newer"
                            + " crossrole; run that version, or a new empty database");
                }
                for (int version = current + 1; version <= latestVersion(); version++) {
                    apply(connection, version, FILES.get(version - 1));
                }
                return latestVersion() - current;
            } finally {
                statement.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
            }
        }
    }

    static int currentVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT coalesce(max(version), 0) FROM crossrole.schema_version")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static void apply(Connection connection, int version, String file) throws SQLException {
        String sql = read(file);
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement();
             PreparedStatement record = connection.prepareStatement(
                     "INSERT INTO crossrole.schema_version (version, name) VALUES (?, ?)")) {
            statement.execute(sql);
            record.setInt(1, version);
            record.setString(2, file);
            record.executeUpdate();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static String read(String file) {
        try (InputStream in = PostgresMigrations.class.getResourceAsStream("postgres/" + file)) {
            if (in == null) {
                throw new IllegalStateException("migration " + file + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + file, e);
        }
    }
}
