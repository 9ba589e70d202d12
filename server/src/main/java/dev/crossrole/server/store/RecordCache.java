package dev.crossrole.server.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One namespace of a service's state as a cache of its records, for a {@link Replica}: entities by key, and what
 * changed since the last flush, so that the replica's flush writes them and its discard puts back their committed
 * state. A replica of several namespaces holds one cache for each.
 *
 * @param <T> the entity
 */
public final class RecordCache<T> {
    private final String namespace;
    private final Function<T, byte[]> encode;
    private final Function<byte[], T> decode;
    private final Map<String, T> byKey;
    private final Set<String> touched = ConcurrentHashMap.newKeySet();
    private volatile List<String> inFlight = List.of();

    /**
     * @param encode an entity as its record's bytes
     * @param decode a record's bytes as the entity (throws {@link StoreException} for bytes it cannot read)
     */
    public RecordCache(String namespace, Function<T, byte[]> encode, Function<byte[], T> decode) {
        this(namespace, encode, decode, new ConcurrentHashMap<>());
    }

    private RecordCache(String namespace, Function<T, byte[]> encode, Function<byte[], T> decode, Map<String, T> byKey) {
        this.byKey = byKey;
        this.namespace = namespace;
        this.encode = encode;
        this.decode = decode;
    }

    /** A cache kept in key order, for entities read by key ranges ({@link #range}). */
    public static <T> RecordCache<T> sorted(String namespace, Function<T, byte[]> encode, Function<byte[], T> decode) {
        return new RecordCache<>(namespace, encode, decode, new ConcurrentSkipListMap<>());
    }

    /** The entities whose keys start with {@code prefix}, in key order; only for a {@link #sorted} cache. */
    public Collection<T> withPrefix(String prefix) {
        if (!(byKey instanceof NavigableMap<String, T> sortedKeys)) {
            throw new IllegalStateException(namespace + " is not kept in key order");
        }
        return sortedKeys.subMap(prefix, true, prefix + Character.MAX_VALUE, false).values();
    }

    public String namespace() {
        return namespace;
    }

    public Optional<T> get(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    public Collection<T> values() {
        return byKey.values();
    }

    /** Puts an entity, to be written by the next flush. */
    public void put(String key, T value) {
        byKey.put(key, value);
        touched.add(key);
    }

    /** Removes an entity, to be deleted by the next flush. */
    public void remove(String key) {
        byKey.remove(key);
        touched.add(key);
    }

    /** Brings the cache to a record's committed state. */
    public void apply(StoredRecord record) {
        if (record.live()) {
            byKey.put(record.key(), decode.apply(record.value()));
        } else {
            byKey.remove(record.key());
        }
    }

    public boolean hasPendingChanges() {
        return !touched.isEmpty();
    }

    /** Writes what changed since the last flush. */
    public void flush(Transaction transaction) {
        List<String> keys = new ArrayList<>(new LinkedHashSet<>(touched));
        touched.removeAll(keys);
        inFlight = keys;
        for (String key : keys) {
            T value = byKey.get(key);
            if (value == null) {
                transaction.delete(namespace, key);
            } else {
                transaction.put(namespace, key, encode.apply(value));
            }
        }
    }

    /** Puts back the committed state of what changed since, and in, the last flush. */
    public void discard(BiFunction<String, String, Optional<StoredRecord>> committed) {
        List<String> keys = new ArrayList<>(inFlight);
        keys.addAll(touched);
        touched.clear();
        inFlight = List.of();
        for (String key : keys) {
            apply(committed.apply(namespace, key).orElse(new StoredRecord(namespace, key, null, 0, 0)));
        }
    }
}
