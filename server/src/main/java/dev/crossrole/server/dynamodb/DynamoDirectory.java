package dev.crossrole.server.dynamodb;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.store.RecordCache;
import dev.crossrole.server.store.Replica;
import dev.crossrole.server.store.StoreException;
import dev.crossrole.server.store.StoredRecord;
import dev.crossrole.server.store.Transaction;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * The tables of every account ({@code dynamodb.tables}, by ARN), their items ({@code dynamodb.items}, one record
 * each, keyed by table ARN and primary key) and the client request tokens of recent transactions
 * ({@code dynamodb.tokens}). Items are held per table in key order; secondary indexes are kept beside them as sorted
 * views, maintained on every write and rebuilt from the items when records arrive from the store.
 */
public final class DynamoDirectory implements Replica {
    static final String TABLES = "dynamodb.tables";
    static final String ITEMS = "dynamodb.items";
    static final String TOKENS = "dynamodb.tokens";
    private static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .setVisibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** A transaction's client request token: what the request was (a digest) and when it ran (epoch millis). */
    record Token(String digest, long at) {}

    private final Clock clock;
    private final RecordCache<Table> tables = new RecordCache<>(TABLES, DynamoDirectory::tableBytes,
            DynamoDirectory::table);
    private final RecordCache<Token> tokens = new RecordCache<>(TOKENS, DynamoDirectory::tokenBytes,
            DynamoDirectory::token);
    private final Map<String, TableItems> items = new ConcurrentHashMap<>();
    private final Set<String> touched = ConcurrentHashMap.newKeySet();
    private volatile List<String> inFlight = List.of();
    /** Resource policies parsed once per text. */
    private final Map<String, Policy> parsedPolicies = new ConcurrentHashMap<>();

    DynamoDirectory(Clock clock) {
        this.clock = clock;
    }

    Clock clock() {
        return clock;
    }

    // ---- tables -----------------------------------------------------------------------------------------

    Optional<Table> table(String arn) {
        return tables.get(arn);
    }

    List<Table> tables(String account, String region) {
        return tables.values().stream().filter(t -> t.account.equals(account) && t.region.equals(region))
                .sorted(Comparator.comparing(t -> t.name)).toList();
    }

    java.util.Collection<Table> allTables() {
        return tables.values();
    }

    void put(Table table) {
        Table before = tables.get(table.arn).orElse(null);
        tables.put(table.arn, table);
        if (before != null && !before.indexes.equals(table.indexes)) {
            itemsOf(table.arn).invalidateIndexes();
        }
    }

    /** Removes a table and all its items. */
    void remove(Table table) {
        tables.remove(table.arn);
        TableItems rows = items.remove(table.arn);
        if (rows != null) {
            for (PrimaryKey key : rows.rows.keySet()) {
                touched.add(recordKey(table.arn, key));
            }
        }
    }

    Policy policy(Table table) {
        if (table == null || table.policy == null) {
            return null;
        }
        return parsedPolicies.computeIfAbsent(table.policy, text -> {
            try {
                return parsePolicy(text, table.arn);
            } catch (InvalidPolicyException e) {
                throw new StoreException("the stored policy of " + table.arn + " does not parse", e);
            }
        });
    }

    static Policy parsePolicy(String text, String arn) throws InvalidPolicyException {
        return Policies.parse(text, PolicyKind.RESOURCE, "policy of " + arn);
    }

    // ---- items ------------------------------------------------------------------------------------------

    /** A table's items in key order, and the sorted views of its indexes. */
    static final class TableItems {
        final ConcurrentSkipListMap<PrimaryKey, Map<String, AttributeValue>> rows =
                new ConcurrentSkipListMap<>(PrimaryKey.ORDER);
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong count = new AtomicLong();
        /** Index name to its entries (index key, then the item's primary key), or absent until built. */
        private final Map<String, ConcurrentSkipListMap<IndexEntry, PrimaryKey>> indexes = new ConcurrentHashMap<>();
        private volatile boolean indexesValid = true;

        private synchronized void invalidateIndexes() {
            indexes.clear();
            indexesValid = false;
        }

        private void stored(PrimaryKey key, Map<String, AttributeValue> before, Map<String, AttributeValue> after) {
            if (before != null) {
                bytes.addAndGet(-AttributeValues.size(before));
                count.decrementAndGet();
            }
            if (after != null) {
                bytes.addAndGet(AttributeValues.size(after));
                count.incrementAndGet();
            }
        }

        /** An index's entries in order, built from the items when they are not maintained. */
        synchronized NavigableMap<IndexEntry, PrimaryKey> index(Table table, Table.Index index) {
            if (!indexesValid) {
                indexes.clear();
                indexesValid = true;
            }
            return indexes.computeIfAbsent(index.name(), name -> {
                ConcurrentSkipListMap<IndexEntry, PrimaryKey> entries = new ConcurrentSkipListMap<>(IndexEntry.ORDER);
                rows.forEach((key, item) -> {
                    IndexEntry entry = IndexEntry.of(index, key, item);
                    if (entry != null) {
                        entries.put(entry, key);
                    }
                });
                return entries;
            });
        }

        private synchronized void maintain(Table table, PrimaryKey key, Map<String, AttributeValue> before,
                                           Map<String, AttributeValue> after) {
            if (!indexesValid) {
                return;
            }
            for (Table.Index index : table.indexes) {
                ConcurrentSkipListMap<IndexEntry, PrimaryKey> entries = indexes.get(index.name());
                if (entries == null) {
                    continue;
                }
                if (before != null) {
                    IndexEntry old = IndexEntry.of(index, key, before);
                    if (old != null) {
                        entries.remove(old);
                    }
                }
                if (after != null) {
                    IndexEntry entry = IndexEntry.of(index, key, after);
                    if (entry != null) {
                        entries.put(entry, key);
                    }
                }
            }
        }
    }

    /** One item in an index: the index's key values, then the item's primary key (which orders equal index keys). */
    record IndexEntry(AttributeValue hash, AttributeValue range, PrimaryKey item) {
        static final Comparator<IndexEntry> ORDER = Comparator.comparing(IndexEntry::hash, PrimaryKey.VALUES)
                .thenComparing(IndexEntry::range, PrimaryKey.VALUES)
                .thenComparing(IndexEntry::item, Comparator.nullsFirst(PrimaryKey.ORDER));

        /** The entry of an item, or {@code null} when it lacks the index's key (indexes are sparse). */
        static IndexEntry of(Table.Index index, PrimaryKey key, Map<String, AttributeValue> item) {
            AttributeValue hash = item.get(index.hash().name());
            AttributeValue range = index.range() == null ? null : item.get(index.range().name());
            if (hash == null || !hash.type().equals(index.hash().type()) || index.range() != null
                    && (range == null || !range.type().equals(index.range().type()))) {
                return null;
            }
            return new IndexEntry(hash, range, key);
        }
    }

    TableItems itemsOf(String tableArn) {
        return items.computeIfAbsent(tableArn, arn -> new TableItems());
    }

    Map<String, AttributeValue> item(Table table, PrimaryKey key) {
        TableItems rows = items.get(table.arn);
        return rows == null ? null : rows.rows.get(key);
    }

    /** Puts (or with {@code null}, deletes) an item, keeping the table's indexes and counts. */
    void write(Table table, PrimaryKey key, Map<String, AttributeValue> item) {
        TableItems rows = itemsOf(table.arn);
        Map<String, AttributeValue> before = item == null ? rows.rows.remove(key) : rows.rows.put(key, item);
        rows.stored(key, before, item);
        rows.maintain(table, key, before, item);
        touched.add(recordKey(table.arn, key));
    }

    private static String recordKey(String tableArn, PrimaryKey key) {
        return tableArn + "|" + key.encoded();
    }

    // ---- tokens -----------------------------------------------------------------------------------------

    Optional<Token> token(String key) {
        return tokens.get(key);
    }

    /** Remembers a token, and forgets those older than {@code expiredBefore} (epoch millis): none is kept for ever. */
    void remember(String key, Token token, long expiredBefore) {
        List<String> expired = new ArrayList<>();
        for (String known : tokenKeys) {
            Token old = tokens.get(known).orElse(null);
            if (old == null || old.at() < expiredBefore) {
                expired.add(known);
            }
        }
        for (String known : expired) {
            tokens.remove(known);
            tokenKeys.remove(known);
        }
        tokens.put(key, token);
        tokenKeys.add(key);
    }

    /** The keys of the tokens remembered, by this node or read from the store. */
    private final Set<String> tokenKeys = ConcurrentHashMap.newKeySet();

    // ---- the replica ------------------------------------------------------------------------------------

    @Override
    public boolean owns(String namespace) {
        return namespace.equals(TABLES) || namespace.equals(ITEMS) || namespace.equals(TOKENS);
    }

    @Override
    public void apply(StoredRecord record) {
        switch (record.namespace()) {
            case TABLES -> tables.apply(record);
            case TOKENS -> {
                tokens.apply(record);
                if (record.live()) {
                    tokenKeys.add(record.key());
                } else {
                    tokenKeys.remove(record.key());
                }
            }
            default -> applyItem(record.key(), record.live() ? record.value() : null);
        }
    }

    private void applyItem(String recordKey, byte[] value) {
        int bar = recordKey.indexOf('|');
        String tableArn = recordKey.substring(0, bar);
        PrimaryKey key = PrimaryKey.decode(recordKey.substring(bar + 1));
        TableItems rows = itemsOf(tableArn);
        Map<String, AttributeValue> item = null;
        if (value != null) {
            try {
                item = AttributeValues.fromJson(JSON.readTree(value));
            } catch (IOException | RuntimeException e) {
                throw new StoreException("the item " + recordKey + " does not parse: " + e.getMessage(), e);
            }
        }
        Map<String, AttributeValue> before = item == null ? rows.rows.remove(key) : rows.rows.put(key, item);
        rows.stored(key, before, item);
        rows.invalidateIndexes();
    }

    @Override
    public boolean hasPendingChanges() {
        return tables.hasPendingChanges() || tokens.hasPendingChanges() || !touched.isEmpty();
    }

    @Override
    public void flush(Transaction transaction) {
        tables.flush(transaction);
        tokens.flush(transaction);
        List<String> keys = new ArrayList<>(new LinkedHashSet<>(touched));
        touched.removeAll(keys);
        inFlight = keys;
        for (String recordKey : keys) {
            int bar = recordKey.indexOf('|');
            TableItems rows = items.get(recordKey.substring(0, bar));
            Map<String, AttributeValue> item = rows == null ? null
                    : rows.rows.get(PrimaryKey.decode(recordKey.substring(bar + 1)));
            if (item == null) {
                transaction.delete(ITEMS, recordKey);
            } else {
                transaction.put(ITEMS, recordKey, AttributeValues.json(item).toString()
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    @Override
    public void discard(BiFunction<String, String, Optional<StoredRecord>> committed) {
        tables.discard(committed);
        tokens.discard(committed);
        List<String> keys = new ArrayList<>(inFlight);
        keys.addAll(touched);
        touched.clear();
        inFlight = List.of();
        for (String recordKey : keys) {
            Optional<StoredRecord> record = committed.apply(ITEMS, recordKey);
            applyItem(recordKey, record.isPresent() && record.get().live() ? record.get().value() : null);
        }
    }

    // ---- records ----------------------------------------------------------------------------------------

    private static byte[] tableBytes(Table table) {
        try {
            return JSON.writeValueAsBytes(table);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Table table(byte[] bytes) {
        try {
            return JSON.readValue(bytes, Table.class);
        } catch (IOException e) {
            throw new StoreException("a record of " + TABLES + " does not parse: " + e.getMessage(), e);
        }
    }

    private static byte[] tokenBytes(Token token) {
        return (token.digest() + " " + token.at()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Token token(byte[] bytes) {
        String[] parts = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split(" ");
        return new Token(parts[0], Long.parseLong(parts[1]));
    }
}
