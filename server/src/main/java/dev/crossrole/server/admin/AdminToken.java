package dev.crossrole.server.admin;

import dev.crossrole.server.store.DataDirectory;
import dev.crossrole.server.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The administrator's token: the bearer secret every {@code /_crossrole/*} route but the health check asks
 * for. It is created at the first start and kept in the store, so every node sharing a PostgreSQL store
 * accepts the same token; each node writes it to {@code <data-dir>/admin-token} (mode 0600), where the
 * {@code crossrole} CLI finds it.
 */
public final class AdminToken {
    /** The file in the data directory, and the record's key in the store's secrets. */
    public static final String FILE = "admin-token";
    /** The environment variable the CLI reads before the file. */
    public static final String ENVIRONMENT_VARIABLE = "CROSSROLE_ADMIN_TOKEN";
    static final String NAMESPACE = "secrets";
    static final String KEY = "admin-token";
    private static final int RANDOM_BYTES = 32;

    private final byte[] token;
    private final String file;

    private AdminToken(String token, String file) {
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        this.file = file;
    }

    /** The store's token (made on the first start), also written to the data directory's file when that differs. */
    public static AdminToken loadOrCreate(Store store, DataDirectory data, SecureRandom random) throws IOException {
        byte[] value = store.write(tx -> {
            var saved = tx.get(NAMESPACE, KEY);
            if (saved.isPresent()) {
                return saved.get().value();
            }
            byte[] secret = new byte[RANDOM_BYTES];
            random.nextBytes(secret);
            byte[] fresh = Base64.getUrlEncoder().withoutPadding().encode(secret);
            tx.put(NAMESPACE, KEY, fresh, 0);
            return fresh;
        });
        String token = new String(value, StandardCharsets.US_ASCII);
        String written = data.read(FILE);
        if (written == null || !written.strip().equals(token)) {
            data.writeSecret(FILE, token + "\n");
        }
        return new AdminToken(token, data.resolve(FILE).toString());
    }

    /** Whether an {@code Authorization} header carries this token; compared in constant time. */
    boolean accepts(String authorization) {
        String presented = bearer(authorization);
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.US_ASCII));
    }

    /** The credentials of a {@code Bearer} authorization, or {@code null} for another scheme. */
    static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.strip();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return value.substring(7).strip();
    }

    /** Where the token's file is, for the message that tells a caller how to get it. */
    String file() {
        return file;
    }
}
