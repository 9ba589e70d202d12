package dev.crossrole.server.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.store.StateSync;
import dev.crossrole.server.store.Store;
import dev.crossrole.server.store.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory's items in the store: committed with the write that made them, put back when the write fails, read
 * back by another replica, and secondary indexes kept sparse and rebuilt from the items.
 */
class DynamoDirectoryTest {
    @TempDir
    Path dir;

    private static Table table() {
        Table table = new Table();
        table.account = "111122223333";
        table.region = "us-east-1";
        table.name = "t";
        table.arn = DynamoDbService.arn("us-east-1", "111122223333", "t");
        table.tableId = "id";
        table.hash = new Table.Key("pk", "S");
        table.range = new Table.Key("sk", "N");
        table.attributeDefinitions = new java.util.LinkedHashMap<>(Map.of("pk", "S", "sk", "N", "g", "S"));
        table.billingMode = "PAY_PER_REQUEST";
        table.indexes = new ArrayList<>(List.of(new Table.Index("byG", true, new Table.Key("g", "S"), null, "KEYS_ONLY",
                null, 0, 0)));
        return table;
    }

    private static Map<String, AttributeValue> item(String pk, int sk, String g) {
        Map<String, AttributeValue> item = new java.util.LinkedHashMap<>();
        item.put("pk", new AttributeValue.S(pk));
        item.put("sk", AttributeValue.N.of(String.valueOf(sk)));
        if (g != null) {
            item.put("g", new AttributeValue.S(g));
        }
        return item;
    }

    private static PrimaryKey key(String pk, int sk) {
        return new PrimaryKey(new AttributeValue.S(pk), AttributeValue.N.of(String.valueOf(sk)));
    }

    private static List<PrimaryKey> inIndex(DynamoDirectory directory, Table table) {
        return new ArrayList<>(directory.itemsOf(table.arn).index(table, table.index("byG")).values());
    }

    @Test
    void itemsAreCommittedRolledBackAndReadBackElsewhere() {
        Store store = Stores.embedded(dir);
        StateSync sync = new StateSync(store);
        DynamoDirectory directory = new DynamoDirectory(Clock.systemUTC());
        sync.register(directory);
        sync.load();
        Table table = table();
        sync.write(tx -> {
            directory.put(table);
            directory.write(table, key("a", 10), item("a", 10, "x"));
            directory.write(table, key("a", 9), item("a", 9, null));
            directory.write(table, key("b", 1), item("b", 1, "x"));
            return null;
        });
        // Numbers order numerically within a partition.
        assertEquals(List.of(key("a", 9), key("a", 10), key("b", 1)),
                new ArrayList<>(directory.itemsOf(table.arn).rows.keySet()));
        // The index holds only the items with its key.
        assertEquals(List.of(key("a", 10), key("b", 1)), inIndex(directory, table));

        // A write that fails leaves nothing behind, index included.
        assertThrows(IllegalStateException.class, () -> sync.write(tx -> {
            directory.write(table, key("c", 1), item("c", 1, "x"));
            directory.write(table, key("a", 10), null);
            throw new IllegalStateException("refused");
        }));
        assertNull(directory.item(table, key("c", 1)));
        assertEquals(item("a", 10, "x"), directory.item(table, key("a", 10)));
        assertEquals(List.of(key("a", 10), key("b", 1)), inIndex(directory, table));
        assertEquals(3L, directory.itemsOf(table.arn).count.get());

        // Another replica of the same store reads the same table, items and index.
        DynamoDirectory other = new DynamoDirectory(Clock.systemUTC());
        StateSync otherSync = new StateSync(store);
        otherSync.register(other);
        otherSync.load();
        Table read = other.table(table.arn).orElseThrow();
        assertEquals(table.indexes, read.indexes);
        assertEquals(new Table.Key("sk", "N"), read.range);
        assertEquals(item("a", 9, null), other.item(read, key("a", 9)));
        assertEquals(List.of(key("a", 10), key("b", 1)), inIndex(other, read));

        // Deleting the table deletes its items.
        sync.write(tx -> {
            directory.remove(table);
            return null;
        });
        DynamoDirectory third = new DynamoDirectory(Clock.systemUTC());
        StateSync thirdSync = new StateSync(store);
        thirdSync.register(third);
        thirdSync.load();
        assertEquals(java.util.Optional.empty(), third.table(table.arn));
        assertEquals(0L, third.itemsOf(table.arn).count.get());
    }

    @Test
    void transactionTokensAreForgottenOnceOld() {
        DynamoDirectory directory = new DynamoDirectory(Clock.systemUTC());
        directory.remember("a", new DynamoDirectory.Token("d1", 0), -1);
        directory.remember("b", new DynamoDirectory.Token("d2", 500_000), -1);
        // Ten minutes after the first: it goes, the second stays.
        directory.remember("c", new DynamoDirectory.Token("d3", 600_001), 1);
        assertEquals(java.util.Optional.empty(), directory.token("a"));
        assertEquals("d2", directory.token("b").orElseThrow().digest());
        assertEquals("d3", directory.token("c").orElseThrow().digest());
    }
}
