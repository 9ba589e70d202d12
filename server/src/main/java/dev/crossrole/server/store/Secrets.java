package dev.crossrole.server.store;

import java.util.function.Supplier;

/**
 * Secrets crossrole makes for itself and keeps in the store, so that every node sharing the store uses the same
 * ones and a restart keeps them: each is created by the first start that needs it.
 */
public final class Secrets {
    private Secrets() {}

    /** The secret stored under {@code key}, if one is; never writes (safe under the store's write lock). */
    public static java.util.Optional<byte[]> load(Store store, String key) {
        return store.read(SessionKey.NAMESPACE, key).filter(StoredRecord::live).map(StoredRecord::value);
    }

    /** The secret stored under {@code key}, or {@code fresh}'s, stored, when there is none yet. */
    public static byte[] loadOrCreate(Store store, String key, Supplier<byte[]> fresh) {
        return store.write(tx -> {
            var saved = tx.get(SessionKey.NAMESPACE, key);
            if (saved.isPresent()) {
                return saved.get().value();
            }
            byte[] created = fresh.get();
            tx.put(SessionKey.NAMESPACE, key, created, 0);
            return created;
        });
    }
}
