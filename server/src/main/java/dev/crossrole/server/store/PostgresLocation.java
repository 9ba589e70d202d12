package dev.crossrole.server.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;

/**
 * Where a PostgreSQL store is, as given to {@code --store}: {@code postgresql://user:password@host:port/database}
 * (libpq's URI, also as {@code postgres://}), or a JDBC URL {@code jdbc:postgresql://host:port/database?user=…}.
 * Query parameters (such as {@code sslmode}) are passed on to the driver. The password never appears in
 * {@link #toString} or in messages.
 *
 * @param jdbcUrl the URL given to the driver, without user or password
 * @param properties the driver properties: user, password and the query parameters
 */
record PostgresLocation(String host, int port, String database, String jdbcUrl, Properties properties) {
    private static final String USAGE = "use postgresql://user:password@host:port/database";

    static boolean isPostgres(String location) {
        String lower = location.toLowerCase(Locale.ROOT);
        return lower.startsWith("postgresql:") || lower.startsWith("postgres:") || lower.startsWith("jdbc:postgresql:");
    }

    /**
     * @throws IllegalArgumentException if the location is not a PostgreSQL URL this store can use, with a message
     *     for the user that does not repeat the password
     */
    static PostgresLocation parse(String location) {
        String lower = location.toLowerCase(Locale.ROOT);
        String uriText;
        if (lower.startsWith("jdbc:postgresql:")) {
            uriText = location.substring("jdbc:".length());
        } else if (lower.startsWith("postgresql:") || lower.startsWith("postgres:")) {
            uriText = location;
        } else {
            throw invalid(location, "it is not a PostgreSQL URL");
        }
        URI uri;
        try {
            uri = new URI(uriText);
        } catch (URISyntaxException e) {
            throw invalid(location, "it is not a valid URL (" + e.getReason() + ")");
        }
        if (uri.isOpaque() || uri.getRawAuthority() == null) {
            throw invalid(location, "it names no host");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            // A comma-separated host list or a malformed port leaves the authority unparsed.
            throw invalid(location, "its host and port must be host or host:port (one host, a numeric port)");
        }
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        if (port < 1 || port > 65535) {
            throw invalid(location, "port " + port + " is out of range");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = decode(path.startsWith("/") ? path.substring(1) : path);
        if (database.isEmpty()) {
            throw invalid(location, "it names no database");
        }
        if (database.contains("/")) {
            throw invalid(location, "'" + database + "' is not a database name");
        }
        Properties properties = new Properties();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals));
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                properties.setProperty(name, value);
            }
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            if (!user.isEmpty()) {
                properties.setProperty("user", user);
            }
            if (colon >= 0) {
                properties.setProperty("password", decode(userInfo.substring(colon + 1)));
            }
        }
        String hostInUrl = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        String jdbcUrl = "jdbc:postgresql://" + hostInUrl + ":" + port + "/" + encodePathSegment(database);
        return new PostgresLocation(host, port, database, jdbcUrl, properties);
    }

    String user() {
        return properties.getProperty("user", System.getProperty("user.name"));
    }

    /** What messages call the database: user, host, port and name, never the password. */
    @Override
    public String toString() {
        return "PostgreSQL database " + database + " at " + host + ":" + port + " (user " + user() + ")";
    }

    /** The location with any password replaced, for messages about a location that could not be used. */
    static String redact(String location) {
        return location.replaceAll("(//[^/@:]*:)[^/@]*@", "$1***@")
                .replaceAll("(?i)([?&]password=)[^&]*", "$1***");
    }

    private static IllegalArgumentException invalid(String location, String why) {
        return new IllegalArgumentException("--store " + redact(location) + " cannot be used: " + why + "; " + USAGE);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--store has a malformed %-escape in '" + redact(s) + "'; " + USAGE);
        }
    }

    private static String encodePathSegment(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
