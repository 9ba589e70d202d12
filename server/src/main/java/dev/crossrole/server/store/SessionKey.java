package dev.crossrole.server.store;

import java.security.SecureRandom;

/**
 * The 256-bit key that seals session tokens, kept in the store so that every node sharing it seals and
 * opens the same tokens; created by the first start.
 */
public final class SessionKey {
    static final String NAMESPACE = "secrets";
    static final String KEY = "session-token-key";
    static final int LENGTH = 32;

    private SessionKey() {}

    public static byte[] loadOrCreate(Store store, SecureRandom random) {
        byte[] key = store.write(tx -> {
            var saved = tx.get(NAMESPACE, KEY);
            if (saved.isPresent()) {
                return saved.get().value();
            }
            byte[] fresh = new byte[LENGTH];
            random.nextBytes(fresh);
            tx.put(NAMESPACE, KEY, fresh, 0);
            return fresh;
        });
        if (key.length != LENGTH) {
            throw new StoreException("the stored session-token key has " + key.length + " bytes, not " + LENGTH);
        }
        return key;
    }
}
