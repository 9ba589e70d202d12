package dev.crossrole.server.dynamodb;

import static dev.crossrole.server.dynamodb.DynamoErrors.invalidParameters;
import static dev.crossrole.server.dynamodb.DynamoErrors.keyMismatch;
import static dev.crossrole.server.dynamodb.DynamoErrors.notFound;
import static dev.crossrole.server.dynamodb.DynamoErrors.validation;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;

/**
 * DynamoDB's item operations: single-item reads and writes with condition, update and projection expressions, Query
 * and Scan with filters and pages, batches, and transactions. Every write runs inside the pipeline's store
 * transaction, so a request's writes are committed together or not at all.
 */
final class ItemCalls {
    static final int MAX_ITEM_BYTES = 400 * 1024;
    private static final int PAGE_BYTES = 1024 * 1024;
    private static final long TOKEN_MILLIS = 10 * 60 * 1000L;
    private static final List<String> LEGACY = List.of("Expected", "AttributesToGet", "KeyConditions", "QueryFilter",
            "ScanFilter", "ConditionalOperator", "AttributeUpdates");

    private final DynamoDirectory tables;

    ItemCalls(DynamoDirectory tables) {
        this.tables = tables;
    }

    // ---- requests' parts --------------------------------------------------------------------------------

    @FunctionalInterface
    interface Parse<T> {
        T run() throws ExpressionException;
    }

    /** An expression step; its {@link ExpressionException} is DynamoDB's ValidationException. */
    static <T> T expression(Parse<T> step) {
        try {
            return step.run();
        } catch (ExpressionException e) {
            throw validation(e.getMessage());
        }
    }

    private static final List<String> EXPRESSIONS = List.of("ConditionExpression", "UpdateExpression",
            "ProjectionExpression", "KeyConditionExpression", "FilterExpression");

    /** DynamoDB refuses a request that mixes legacy parameters with expressions. */
    private static void refuseMixed(Input input) {
        List<String> legacy = new ArrayList<>();
        for (String member : LEGACY) {
            if (input.has(member)) {
                legacy.add(member);
            }
        }
        List<String> expressions = new ArrayList<>();
        for (String member : EXPRESSIONS) {
            if (input.has(member)) {
                expressions.add(member);
            }
        }
        expression(() -> {
            LegacyParameters.checkNotMixed(legacy, expressions);
            return null;
        });
    }

    private static List<AttributeValue> values(List<Input> wire) {
        if (wire == null) {
            return null;
        }
        List<AttributeValue> values = new ArrayList<>();
        for (Input value : wire) {
            values.add(AttributeValues.value(value));
        }
        return values;
    }

    private static Map<String, LegacyParameters.LegacyCondition> legacyConditions(Map<String, Input> wire) {
        Map<String, LegacyParameters.LegacyCondition> conditions = new LinkedHashMap<>();
        wire.forEach((name, condition) -> conditions.put(name, new LegacyParameters.LegacyCondition(
                condition.string("ComparisonOperator"), values(condition.list("AttributeValueList")))));
        return conditions;
    }

    /** A write's condition: its ConditionExpression, or the legacy Expected with its ConditionalOperator. */
    private static ConditionExpression writeCondition(Input input, ExpressionAttributes attributes) {
        Map<String, Input> expected = input.map("Expected");
        if (expected == null) {
            return condition(input, attributes, "ConditionExpression");
        }
        Map<String, LegacyParameters.ExpectedValue> converted = new LinkedHashMap<>();
        expected.forEach((name, value) -> converted.put(name, new LegacyParameters.ExpectedValue(
                value.struct("Value") == null ? null : AttributeValues.value(value.struct("Value")),
                value.bool("Exists"), value.string("ComparisonOperator"), values(value.list("AttributeValueList")))));
        return expression(() -> LegacyParameters.expected(converted, input.string("ConditionalOperator")));
    }

    /** A read's filter: its FilterExpression, or the legacy QueryFilter/ScanFilter with its ConditionalOperator. */
    private static ConditionExpression filter(Input input, ExpressionAttributes attributes, String legacyMember) {
        Map<String, Input> legacy = input.map(legacyMember);
        if (legacy == null) {
            return condition(input, attributes, "FilterExpression");
        }
        Map<String, LegacyParameters.LegacyCondition> conditions = legacyConditions(legacy);
        return expression(() -> LegacyParameters.filter(conditions, input.string("ConditionalOperator")));
    }

    static ExpressionAttributes attributes(Input input) {
        Map<String, String> names = input.map("ExpressionAttributeNames");
        Map<String, Input> values = input.map("ExpressionAttributeValues");
        Map<String, AttributeValue> converted = null;
        if (values != null) {
            converted = new LinkedHashMap<>();
            for (Map.Entry<String, Input> value : values.entrySet()) {
                try {
                    converted.put(value.getKey(), AttributeValues.value(value.getValue()));
                } catch (AwsException e) {
                    throw validation("ExpressionAttributeValues contains invalid value: " + e.getMessage()
                            + " for key " + value.getKey());
                }
            }
        }
        return new ExpressionAttributes(names, converted);
    }

    private static ConditionExpression condition(Input input, ExpressionAttributes attributes, String member) {
        String text = input.string(member);
        return text == null ? null : expression(() -> ConditionExpression.parse(text, attributes, member));
    }

    private static ProjectionExpression projection(Input input, ExpressionAttributes attributes) {
        List<String> legacy = input.list("AttributesToGet");
        if (legacy != null) {
            return ProjectionExpression.ofAttributes(legacy);
        }
        String text = input.string("ProjectionExpression");
        return text == null ? null : expression(() -> ProjectionExpression.parse(text, attributes));
    }

    private static String returnValues(Input input, Set<String> allowed) {
        String value = input.string("ReturnValues");
        if (value == null) {
            return "NONE";
        }
        if (!allowed.contains(value)) {
            throw validation("Return values set to invalid value");
        }
        return value;
    }

    private static boolean oldOnFailure(Input input) {
        return "ALL_OLD".equals(input.string("ReturnValuesOnConditionCheckFailure"));
    }

    private static Map<String, AttributeValue> item(Input input, String member) {
        Map<String, Input> wire = input.map(member);
        return AttributeValues.item(wire);
    }

    // ---- keys and items checked against a table ----------------------------------------------------------

    /** The key of a {@code Key} member: exactly the table's key attributes, of their declared types. */
    static PrimaryKey keyOf(Table table, Map<String, AttributeValue> given) {
        if (given.size() != (table.range == null ? 1 : 2)) {
            throw keyMismatch();
        }
        AttributeValue hash = keyValue(table.hash, given);
        AttributeValue range = table.range == null ? null : keyValue(table.range, given);
        return new PrimaryKey(hash, range);
    }

    private static AttributeValue keyValue(Table.Key key, Map<String, AttributeValue> given) {
        AttributeValue value = given.get(key.name());
        if (value == null || !value.type().equals(key.type())) {
            throw keyMismatch();
        }
        notEmpty(key.name(), value);
        return value;
    }

    private static void notEmpty(String name, AttributeValue value) {
        if (value instanceof AttributeValue.S s && s.value().isEmpty()) {
            throw validation("One or more parameter values are not valid. The AttributeValue for a key attribute"
                    + " cannot contain an empty string value. Key: " + name);
        }
        if (value instanceof AttributeValue.B b && b.value().length() == 0) {
            throw validation("One or more parameter values are not valid. The AttributeValue for a key attribute"
                    + " cannot contain an empty binary value. Key: " + name);
        }
    }

    /**
     * The key of a whole item (PutItem, an update's result), checking what DynamoDB checks of an item: its key
     * attributes present and typed as declared, index keys typed as declared and not empty, and its size.
     */
    static PrimaryKey itemKey(Table table, Map<String, AttributeValue> item) {
        AttributeValue hash = itemKeyValue(table.hash, item);
        AttributeValue range = table.range == null ? null : itemKeyValue(table.range, item);
        if (hash.size() > 2048) {
            throw invalidParameters("Size of hashkey has exceeded the maximum size limit of2048 bytes");
        }
        if (range != null && range.size() > 1024) {
            throw invalidParameters("Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
        }
        for (Table.Index index : table.indexes) {
            for (Table.Key key : index.range() == null ? List.of(index.hash()) : List.of(index.hash(), index.range())) {
                AttributeValue value = item.get(key.name());
                if (value == null) {
                    continue;
                }
                if (!value.type().equals(key.type())) {
                    throw invalidParameters("Type mismatch for Index Key " + key.name() + " Expected: " + key.type()
                            + " Actual: " + value.type() + " IndexName: " + index.name());
                }
                if (value instanceof AttributeValue.S s && s.value().isEmpty()
                        || value instanceof AttributeValue.B b && b.value().length() == 0) {
                    throw validation("One or more parameter values are not valid. A value specified for a secondary"
                            + " index key is not supported. The AttributeValue for a key attribute cannot contain an"
                            + " empty " + (value instanceof AttributeValue.S ? "string" : "binary") + " value."
                            + " IndexName: " + index.name() + ", IndexKey: " + key.name());
                }
            }
        }
        if (AttributeValues.size(item) > MAX_ITEM_BYTES) {
            throw validation("Item size has exceeded the maximum allowed size");
        }
        return new PrimaryKey(hash, range);
    }

    private static AttributeValue itemKeyValue(Table.Key key, Map<String, AttributeValue> item) {
        AttributeValue value = item.get(key.name());
        if (value == null) {
            throw invalidParameters("Missing the key " + key.name() + " in the item");
        }
        if (!value.type().equals(key.type())) {
            throw invalidParameters("Type mismatch for key " + key.name() + " expected: " + key.type() + " actual: "
                    + value.type());
        }
        notEmpty(key.name(), value);
        return value;
    }

    /** The attributes of a key as a map, as DynamoDB answers keys. */
    static Map<String, AttributeValue> keyMap(Table table, PrimaryKey key) {
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        map.put(table.hash.name(), key.hash());
        if (table.range != null) {
            map.put(table.range.name(), key.range());
        }
        return map;
    }

    /** What an index holds of an item: the table's and the index's keys and the projected attributes. */
    static Map<String, AttributeValue> projected(Table table, Table.Index index, Map<String, AttributeValue> item) {
        if (index.projectionType().equals("ALL")) {
            return item;
        }
        Set<String> kept = new HashSet<>(index.nonKeyAttributes());
        kept.add(table.hash.name());
        if (table.range != null) {
            kept.add(table.range.name());
        }
        kept.add(index.hash().name());
        if (index.range() != null) {
            kept.add(index.range().name());
        }
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        item.forEach((name, value) -> {
            if (kept.contains(name)) {
                out.put(name, value);
            }
        });
        return out;
    }

    // ---- authorization ----------------------------------------------------------------------------------

    static String leadingKey(AttributeValue value) {
        if (value instanceof AttributeValue.S s) {
            return s.value();
        }
        if (value instanceof AttributeValue.N n) {
            return n.text();
        }
        return value instanceof AttributeValue.B b ? Base64.getEncoder().encodeToString(b.value().bytes())
                : String.valueOf(value);
    }

    /** The condition keys of an item request: its leading keys, the attributes it names, and its options. */
    private static RequestContext.Builder itemContext(DynamoDbService.Target target, List<AttributeValue> leading,
                                                      Set<String> attributes, Input input, String select) {
        RequestContext.Builder context = DynamoDbService.tagContext(target.table());
        List<String> keys = new ArrayList<>();
        for (AttributeValue value : leading) {
            if (value != null) {
                keys.add(leadingKey(value));
            }
        }
        if (!keys.isEmpty()) {
            context.multi("dynamodb:LeadingKeys", keys);
        }
        if (attributes != null && !attributes.isEmpty()) {
            context.multi("dynamodb:Attributes", new ArrayList<>(attributes));
        }
        if (input.string("ReturnValues") != null) {
            context.single("dynamodb:ReturnValues", input.string("ReturnValues"));
        }
        if (input.string("ReturnConsumedCapacity") != null) {
            context.single("dynamodb:ReturnConsumedCapacity", input.string("ReturnConsumedCapacity"));
        }
        if (select != null) {
            context.single("dynamodb:Select", select);
        }
        return context;
    }

    private AccessCheck check(String action, DynamoDbService.Target target, String resource,
                              RequestContext.Builder context) {
        return DynamoDbService.onTable(tables, action, resource, target, context);
    }

    private static AttributeValue leading(DynamoDbService.Target target, Map<String, AttributeValue> keyOrItem) {
        return target.table() == null ? null : keyOrItem.get(target.table().hash.name());
    }

    private static Set<String> withKeys(DynamoDbService.Target target, Set<String> names) {
        if (names == null) {
            return null;
        }
        Set<String> all = new LinkedHashSet<>(names);
        if (target.table() != null) {
            all.add(target.table().hash.name());
            if (target.table().range != null) {
                all.add(target.table().range.name());
            }
        }
        return all;
    }

    /**
     * The table a call runs on. A table that did not exist when the call was authorized is not found even if it
     * exists now: the call's condition keys (its leading keys) were worked out without its key schema.
     */
    private Table current(DynamoDbService.Target target) {
        if (target.table() == null) {
            throw notFound();
        }
        return tables.table(target.arn()).orElseThrow(DynamoErrors::notFound);
    }

    // ---- capacity -----------------------------------------------------------------------------------------

    /** Capacity units one request consumed on one table and its indexes, as ReturnConsumedCapacity shows them. */
    static final class Consumed {
        final Table table;
        double tableUnits;
        final Map<String, Double> indexUnits = new LinkedHashMap<>();

        Consumed(Table table) {
            this.table = table;
        }

        void index(String name, double units) {
            indexUnits.merge(name, units, Double::sum);
        }

        Shape shape(String mode) {
            if (mode == null || mode.equals("NONE")) {
                return null;
            }
            double total = tableUnits;
            for (double units : indexUnits.values()) {
                total += units;
            }
            Shape out = Shape.of().put("TableName", table.name).put("CapacityUnits", total);
            if (mode.equals("INDEXES")) {
                out.put("Table", Shape.of().put("CapacityUnits", tableUnits));
                Map<String, Shape> globals = new LinkedHashMap<>();
                Map<String, Shape> locals = new LinkedHashMap<>();
                indexUnits.forEach((name, units) -> {
                    Table.Index index = table.index(name);
                    (index != null && index.global() ? globals : locals).put(name, Shape.of()
                            .put("CapacityUnits", units));
                });
                out.put("GlobalSecondaryIndexes", globals.isEmpty() ? null : globals)
                        .put("LocalSecondaryIndexes", locals.isEmpty() ? null : locals);
            }
            return out;
        }
    }

    static double readUnits(long bytes, boolean consistent) {
        double units = Math.max(1, (bytes + 4095) / 4096);
        return consistent ? units : units / 2;
    }

    static double writeUnits(long bytes) {
        return Math.max(1, (bytes + 1023) / 1024);
    }

    /** A write's units: the larger of the item's sizes before and after, and each index entry written or removed. */
    static Consumed writeCapacity(Table table, PrimaryKey key, Map<String, AttributeValue> before,
                                  Map<String, AttributeValue> after) {
        Consumed consumed = new Consumed(table);
        long size = Math.max(before == null ? 0 : AttributeValues.size(before),
                after == null ? 0 : AttributeValues.size(after));
        consumed.tableUnits = writeUnits(size);
        for (Table.Index index : table.indexes) {
            DynamoDirectory.IndexEntry old = before == null ? null : DynamoDirectory.IndexEntry.of(index, key, before);
            DynamoDirectory.IndexEntry now = after == null ? null : DynamoDirectory.IndexEntry.of(index, key, after);
            double units = 0;
            if (old != null && now != null && old.equals(now)) {
                units = writeUnits(AttributeValues.size(projected(table, index, after)));
            } else {
                if (old != null) {
                    units += writeUnits(AttributeValues.size(projected(table, index, before)));
                }
                if (now != null) {
                    units += writeUnits(AttributeValues.size(projected(table, index, after)));
                }
            }
            if (units > 0) {
                consumed.index(index.name(), units);
            }
        }
        return consumed;
    }

    private static Map<String, AttributeValue> project(ProjectionExpression projection,
                                                       Map<String, AttributeValue> item) {
        return projection == null ? item : projection.project(item);
    }

    // ---- single items -----------------------------------------------------------------------------------

    PreparedCall putItem(Call call, Input input) {
        DynamoDbService.Target target = targetOf(call, input);
        refuseMixed(input);
        Map<String, AttributeValue> item = item(input, "Item");
        String returnValues = returnValues(input, Set.of("NONE", "ALL_OLD"));
        ExpressionAttributes attributes = attributes(input);
        ConditionExpression condition = writeCondition(input, attributes);
        expression(() -> {
            attributes.checkAllUsed();
            return null;
        });
        boolean oldOnFailure = oldOnFailure(input);
        String capacityMode = input.string("ReturnConsumedCapacity");
        RequestContext.Builder context = itemContext(target, java.util.Arrays.asList(leadingOrNull(target, item)), item.keySet(),
                input, null);
        return PreparedCall.of(List.of(check("PutItem", target, target.arn(), context)), () -> {
            Table table = current(target);
            PrimaryKey key = itemKey(table, item);
            Map<String, AttributeValue> before = tables.item(table, key);
            if (condition != null && !condition.test(before == null ? Map.of() : before)) {
                throw DynamoErrors.conditionFailed(oldOnFailure ? before : null);
            }
            tables.write(table, key, item);
            return Shape.of().put("Attributes", returnValues.equals("ALL_OLD") && before != null
                    ? AttributeValues.output(before) : null)
                    .put("ConsumedCapacity", writeCapacity(table, key, before, item).shape(capacityMode));
        });
    }

    private static AttributeValue leadingOrNull(DynamoDbService.Target target, Map<String, AttributeValue> item) {
        return leading(target, item);
    }

    private DynamoDbService.Target targetOf(Call call, Input input) {
        return DynamoDbService.target(tables, call, input.string("TableName"), "tableName");
    }

    PreparedCall getItem(Call call, Input input) {
        DynamoDbService.Target target = targetOf(call, input);
        refuseMixed(input);
        Map<String, AttributeValue> given = item(input, "Key");
        ExpressionAttributes attributes = attributes(input);
        ProjectionExpression projection = projection(input, attributes);
        expression(() -> {
            attributes.checkAllUsed();
            return null;
        });
        boolean consistent = input.bool("ConsistentRead", false);
        String capacityMode = input.string("ReturnConsumedCapacity");
        RequestContext.Builder context = itemContext(target, java.util.Arrays.asList(leadingOrNull(target, given)),
                projection == null ? null : withKeys(target, projection.topLevelAttributes()), input,
                projection == null ? "ALL_ATTRIBUTES" : "SPECIFIC_ATTRIBUTES");
        return PreparedCall.of(List.of(check("GetItem", target, target.arn(), context)), () -> {
            Table table = current(target);
            PrimaryKey key = keyOf(table, given);
            Map<String, AttributeValue> item = tables.item(table, key);
            Consumed consumed = new Consumed(table);
            consumed.tableUnits = readUnits(item == null ? 0 : AttributeValues.size(item), consistent);
            return Shape.of().put("Item", item == null ? null : AttributeValues.output(project(projection, item)))
                    .put("ConsumedCapacity", consumed.shape(capacityMode));
        });
    }

    PreparedCall updateItem(Call call, Input input) {
        DynamoDbService.Target target = targetOf(call, input);
        refuseMixed(input);
        Map<String, AttributeValue> given = item(input, "Key");
        String returnValues = returnValues(input, Set.of("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"));
        ExpressionAttributes attributes = attributes(input);
        String updateText = input.string("UpdateExpression");
        Map<String, Input> attributeUpdates = input.map("AttributeUpdates");
        UpdateExpression update = attributeUpdates != null ? legacyUpdates(attributeUpdates) : updateText == null
                ? null : expression(() -> UpdateExpression.parse(updateText, attributes));
        ConditionExpression condition = writeCondition(input, attributes);
        expression(() -> {
            attributes.checkAllUsed();
            return null;
        });
        boolean oldOnFailure = oldOnFailure(input);
        String capacityMode = input.string("ReturnConsumedCapacity");
        RequestContext.Builder context = itemContext(target, java.util.Arrays.asList(leadingOrNull(target, given)),
                withKeys(target, update == null ? Set.of() : update.topLevelAttributes()), input, null);
        return PreparedCall.of(List.of(check("UpdateItem", target, target.arn(), context)), () -> {
            Table table = current(target);
            PrimaryKey key = keyOf(table, given);
            Map<String, AttributeValue> before = tables.item(table, key);
            if (condition != null && !condition.test(before == null ? Map.of() : before)) {
                throw DynamoErrors.conditionFailed(oldOnFailure ? before : null);
            }
            Map<String, AttributeValue> after = updated(table, key, given, before, update);
            tables.write(table, key, after);
            Map<String, AttributeValue> shown = switch (returnValues) {
                case "ALL_OLD" -> before;
                case "ALL_NEW" -> after;
                case "UPDATED_OLD" -> changed(update, before, after, before);
                case "UPDATED_NEW" -> changed(update, before, after, after);
                default -> null;
            };
            return Shape.of().put("Attributes", shown == null || shown.isEmpty() && !returnValues.startsWith("ALL")
                    ? null : AttributeValues.output(shown))
                    .put("ConsumedCapacity", writeCapacity(table, key, before, after).shape(capacityMode));
        });
    }

    private static UpdateExpression legacyUpdates(Map<String, Input> wire) {
        Map<String, LegacyParameters.AttributeUpdate> updates = new LinkedHashMap<>();
        wire.forEach((name, update) -> updates.put(name, new LegacyParameters.AttributeUpdate(update.string("Action"),
                update.struct("Value") == null ? null : AttributeValues.value(update.struct("Value")))));
        return expression(() -> LegacyParameters.attributeUpdates(updates));
    }

    /** An item after an update expression: key attributes untouchable, the result checked as a whole item. */
    static Map<String, AttributeValue> updated(Table table, PrimaryKey key, Map<String, AttributeValue> given,
                                               Map<String, AttributeValue> before, UpdateExpression update) {
        if (update != null) {
            for (String name : update.topLevelAttributes()) {
                if (name.equals(table.hash.name()) || table.range != null && name.equals(table.range.name())) {
                    throw invalidParameters("Cannot update attribute " + name + ". This attribute is part of the key");
                }
            }
        }
        Map<String, AttributeValue> base = before == null ? given : before;
        Map<String, AttributeValue> after = update == null ? new LinkedHashMap<>(base)
                : expression(() -> update.apply(base));
        itemKey(table, after);
        return after;
    }

    /** UPDATED_OLD/UPDATED_NEW: the top-level attributes the update named, as they were or are. */
    private static Map<String, AttributeValue> changed(UpdateExpression update, Map<String, AttributeValue> before,
                                                      Map<String, AttributeValue> after,
                                                      Map<String, AttributeValue> from) {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        if (update == null || from == null) {
            return out;
        }
        for (String name : update.topLevelAttributes()) {
            AttributeValue value = from.get(name);
            if (value != null) {
                out.put(name, value);
            }
        }
        return out;
    }

    PreparedCall deleteItem(Call call, Input input) {
        DynamoDbService.Target target = targetOf(call, input);
        refuseMixed(input);
        Map<String, AttributeValue> given = item(input, "Key");
        String returnValues = returnValues(input, Set.of("NONE", "ALL_OLD"));
        ExpressionAttributes attributes = attributes(input);
        ConditionExpression condition = writeCondition(input, attributes);
        expression(() -> {
            attributes.checkAllUsed();
            return null;
        });
        boolean oldOnFailure = oldOnFailure(input);
        String capacityMode = input.string("ReturnConsumedCapacity");
        RequestContext.Builder context = itemContext(target, java.util.Arrays.asList(leadingOrNull(target, given)), null, input,
                null);
        return PreparedCall.of(List.of(check("DeleteItem", target, target.arn(), context)), () -> {
            Table table = current(target);
            PrimaryKey key = keyOf(table, given);
            Map<String, AttributeValue> before = tables.item(table, key);
            if (condition != null && !condition.test(before == null ? Map.of() : before)) {
                throw DynamoErrors.conditionFailed(oldOnFailure ? before : null);
            }
            if (before != null) {
                tables.write(table, key, null);
            }
            return Shape.of().put("Attributes", returnValues.equals("ALL_OLD") && before != null
                    ? AttributeValues.output(before) : null)
                    .put("ConsumedCapacity", writeCapacity(table, key, before, null).shape(capacityMode));
        });
    }

    // ---- Query and Scan ---------------------------------------------------------------------------------

    /** What a Query or Scan reads: the table or one of its indexes, and the options that shape the answer. */
    private record Read(Table table, Table.Index index, String select, ProjectionExpression projection,
                        ConditionExpression filter, Integer limit, boolean consistent, String capacityMode) {}

    private static String select(Input input, ProjectionExpression projection, String indexName) {
        String select = input.string("Select");
        if (select == null) {
            return projection != null ? "SPECIFIC_ATTRIBUTES" : indexName != null ? "ALL_PROJECTED_ATTRIBUTES"
                    : "ALL_ATTRIBUTES";
        }
        if (projection != null && !select.equals("SPECIFIC_ATTRIBUTES")) {
            throw validation("Can not use both expression and non-expression parameters in the same request:"
                    + " Select " + select + " and ProjectionExpression");
        }
        if (select.equals("SPECIFIC_ATTRIBUTES") && projection == null) {
            throw validation("Select type SPECIFIC_ATTRIBUTES requires a ProjectionExpression");
        }
        if (select.equals("ALL_PROJECTED_ATTRIBUTES") && indexName == null) {
            throw validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
        }
        return select;
    }

    private Read read(DynamoDbService.Target target, Input input, String select, ProjectionExpression projection,
                      ConditionExpression filter) {
        Table table = current(target);
        Table.Index index = null;
        String indexName = input.string("IndexName");
        boolean consistent = input.bool("ConsistentRead", false);
        if (indexName != null) {
            index = table.index(indexName);
            if (index == null) {
                throw validation("The table does not have the specified index: " + indexName);
            }
            if (index.global() && consistent) {
                throw validation("Consistent reads are not supported on global secondary indexes");
            }
            if (index.global() && select.equals("ALL_ATTRIBUTES") && !index.projectionType().equals("ALL")) {
                throw invalidParameters("Select type ALL_ATTRIBUTES is not supported for global secondary index "
                        + indexName + " because its projection type is not ALL");
            }
        }
        return new Read(table, index, select, projection, filter, input.integer("Limit"), consistent,
                input.string("ReturnConsumedCapacity"));
    }

    /** An ExclusiveStartKey checked: the key of the table (and, reading an index, the index's key too). */
    private static PrimaryKey startKey(Read read, Map<String, AttributeValue> start) {
        Table table = read.table();
        Map<String, AttributeValue> tableKey = new LinkedHashMap<>();
        tableKey.put(table.hash.name(), start.get(table.hash.name()));
        if (table.range != null) {
            tableKey.put(table.range.name(), start.get(table.range.name()));
        }
        Set<String> names = new HashSet<>(tableKey.keySet());
        if (read.index() != null) {
            names.add(read.index().hash().name());
            if (read.index().range() != null) {
                names.add(read.index().range().name());
            }
        }
        if (tableKey.containsValue(null) || !names.equals(start.keySet())) {
            throw validation("The provided starting key is invalid: The provided key element does not match the"
                    + " schema");
        }
        try {
            return keyOf(table, tableKey);
        } catch (AwsException e) {
            throw validation("The provided starting key is invalid: " + e.getMessage());
        }
    }

    /** The items a read goes through, in order: from the table, or through an index's entries. */
    private Iterator<Map.Entry<PrimaryKey, Map<String, AttributeValue>>> source(Read read, AttributeValue partition,
                                                                             Map<String, AttributeValue> start,
                                                                             boolean forward) {
        DynamoDirectory.TableItems rows = tables.itemsOf(read.table().arn);
        if (read.index() == null) {
            NavigableMap<PrimaryKey, Map<String, AttributeValue>> range = partition == null ? rows.rows
                    : rows.rows.subMap(new PrimaryKey(partition, null), true,
                            new PrimaryKey(partition, PrimaryKey.HIGHEST), false);
            if (start != null) {
                PrimaryKey after = startKey(read, start);
                range = forward ? range.tailMap(after, false) : range.headMap(after, false);
            }
            return (forward ? range : range.descendingMap()).entrySet().iterator();
        }
        NavigableMap<DynamoDirectory.IndexEntry, PrimaryKey> entries = rows.index(read.table(), read.index());
        if (partition != null) {
            entries = entries.subMap(new DynamoDirectory.IndexEntry(partition, null, null), true,
                    new DynamoDirectory.IndexEntry(partition, PrimaryKey.HIGHEST, null), false);
        }
        if (start != null) {
            PrimaryKey tableKey = startKey(read, start);
            DynamoDirectory.IndexEntry after = new DynamoDirectory.IndexEntry(start.get(read.index().hash().name()),
                    read.index().range() == null ? null : start.get(read.index().range().name()), tableKey);
            entries = forward ? entries.tailMap(after, false) : entries.headMap(after, false);
        }
        Iterator<PrimaryKey> keys = (forward ? entries : entries.descendingMap()).values().iterator();
        return new Iterator<>() {
            private Map.Entry<PrimaryKey, Map<String, AttributeValue>> next = advance();

            private Map.Entry<PrimaryKey, Map<String, AttributeValue>> advance() {
                while (keys.hasNext()) {
                    PrimaryKey key = keys.next();
                    Map<String, AttributeValue> item = rows.rows.get(key);
                    if (item != null) {
                        return Map.entry(key, item);
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Map.Entry<PrimaryKey, Map<String, AttributeValue>> next() {
                Map.Entry<PrimaryKey, Map<String, AttributeValue>> current = next;
                next = advance();
                return current;
            }
        };
    }

    /** Reads one page: up to Limit items evaluated or 1 MB read, filtered, projected, with the key to go on from. */
    private Shape page(Read read, Iterator<Map.Entry<PrimaryKey, Map<String, AttributeValue>>> source,
                       java.util.function.Predicate<Map.Entry<PrimaryKey, Map<String, AttributeValue>>> inRange) {
        List<Object> out = new ArrayList<>();
        int count = 0;
        int scanned = 0;
        long bytes = 0;
        Map<String, AttributeValue> last = null;
        boolean stopped = false;
        while (source.hasNext()) {
            Map.Entry<PrimaryKey, Map<String, AttributeValue>> entry = source.next();
            if (!inRange.test(entry)) {
                continue;
            }
            Map<String, AttributeValue> item = entry.getValue();
            Map<String, AttributeValue> seen = read.index() != null && (read.index().global()
                    || !read.select().equals("ALL_ATTRIBUTES")) ? projected(read.table(), read.index(), item) : item;
            scanned++;
            bytes += AttributeValues.size(seen);
            if (read.filter() == null || read.filter().test(seen)) {
                count++;
                if (!read.select().equals("COUNT")) {
                    out.add(AttributeValues.output(project(read.projection(), seen)));
                }
            }
            last = lastKey(read, entry.getKey(), item);
            if (read.limit() != null && scanned >= read.limit() || bytes >= PAGE_BYTES) {
                stopped = true;
                break;
            }
        }
        Consumed consumed = new Consumed(read.table());
        double units = readUnits(bytes, read.consistent());
        if (read.index() == null) {
            consumed.tableUnits = units;
        } else {
            consumed.index(read.index().name(), units);
        }
        return Shape.of().put("Items", read.select().equals("COUNT") ? null : out).put("Count", count)
                .put("ScannedCount", scanned).put("LastEvaluatedKey", stopped && last != null
                        ? AttributeValues.output(last) : null)
                .put("ConsumedCapacity", consumed.shape(read.capacityMode()));
    }

    private static Map<String, AttributeValue> lastKey(Read read, PrimaryKey key, Map<String, AttributeValue> item) {
        Map<String, AttributeValue> last = keyMap(read.table(), key);
        if (read.index() != null) {
            last.put(read.index().hash().name(), item.get(read.index().hash().name()));
            if (read.index().range() != null) {
                last.put(read.index().range().name(), item.get(read.index().range().name()));
            }
        }
        return last;
    }

    private Set<String> readAttributes(DynamoDbService.Target target, ProjectionExpression projection) {
        return projection == null ? null : withKeys(target, projection.topLevelAttributes());
    }

    PreparedCall query(Call call, Input input) {
        DynamoDbService.Target target = targetOf(call, input);
        refuseMixed(input);
        String keyText = input.string("KeyConditionExpression");
        Map<String, Input> keyConditions = input.map("KeyConditions");
        if (keyText == null && keyConditions == null) {
            throw validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the"
                    + " request.");
        }
        ExpressionAttributes attributes = attributes(input);
        KeyConditionExpression keyCondition = keyConditions != null
                ? expression(() -> LegacyParameters.keyConditions(legacyConditions(keyConditions)))
                : expression(() -> KeyConditionExpression.parse(keyText, attributes));
        ConditionExpression filter = filter(input, attributes, "QueryFilter");
        ProjectionExpression projection = projection(input, attributes);
        expression(() -> {
            attributes.checkAllUsed();
            return null;
        });
        String indexName = input.string("IndexName");
        String select = select(input, projection, indexName);
        Map<String, AttributeValue> start = input.has("ExclusiveStartKey") ? item(input, "ExclusiveStartKey") : null;
        boolean forward = input.bool("ScanIndexForward", true);
        // The partition value is known once the condition is held against the key schema: do that now, so that the
        // leading key is among the condition keys the call is authorized with.
        AttributeValue partition = target.table() == null ? null : checkedPartition(target.table(), indexName,
                keyCondition);
        RequestContext.Builder context = itemContext(target, java.util.Arrays.asList(partition),
                readAttributes(target, projection), input, select);
        String resource = indexName == null ? target.arn() : target.arn() + "/index/" + indexName;
        return PreparedCall.of(List.of(check("Query", target, resource, context)), () -> {
            Read read = read(target, input, select, projection, filter);
            Table.Key hash = read.index() == null ? read.table().hash : read.index().hash();
            Table.Key range = read.index() == null ? read.table().range : read.index().range();
            expression(() -> {
                keyCondition.check(hash.name(), hash.type(), range == null ? null : range.name(),
                        range == null ? null : range.type());
                return null;
            });
            if (filter != null) {
                for (String name : filter.topLevelAttributes()) {
                    if (name.equals(hash.name()) || range != null && name.equals(range.name())) {
                        throw validation("Filter Expression can only contain non-primary key attributes: Primary key"
                                + " attribute: " + name);
                    }
                }
            }
            AttributeValue value = keyCondition.partitionValue();
            if (start != null) {
                startKey(read, start);
            }
            if (start != null && !value.equals(start.get(hash.name()))) {
                throw validation("The provided starting key is outside query boundaries based on provided"
                        + " conditions");
            }
            return page(read, source(read, value, start, forward), entry -> range == null
                    || keyCondition.sortKeyMatches(entry.getValue().get(range.name())));
        });
    }

    /** A key condition held against the key schema of the table or the named index: its partition value. */
    private static AttributeValue checkedPartition(Table table, String indexName, KeyConditionExpression condition) {
        Table.Index index = indexName == null ? null : table.index(indexName);
        if (indexName != null && index == null) {
            throw validation("The table does not have the specified index: " + indexName);
        }
        Table.Key hash = index == null ? table.hash : index.hash();
        Table.Key range = index == null ? table.range : index.range();
        expression(() -> {
            condition.check(hash.name(), hash.type(), range == null ? null : range.name(),
                    range == null ? null : range.type());
            return null;
        });
        return condition.partitionValue();
    }

    PreparedCall scan(Call call, Input input) {
        DynamoDbService.Target target = targetOf(call, input);
        refuseMixed(input);
        ExpressionAttributes attributes = attributes(input);
        ConditionExpression filter = filter(input, attributes, "ScanFilter");
        ProjectionExpression projection = projection(input, attributes);
        expression(() -> {
            attributes.checkAllUsed();
            return null;
        });
        String indexName = input.string("IndexName");
        String select = select(input, projection, indexName);
        Integer segment = input.integer("Segment");
        Integer total = input.integer("TotalSegments");
        if (segment != null && total == null) {
            throw validation("The TotalSegments parameter is required but was not present in the request when"
                    + " Segment parameter is present");
        }
        if (total != null && segment == null) {
            throw validation("The Segment parameter is required but was not present in the request when parameter"
                    + " TotalSegments is present");
        }
        if (total != null && segment >= total) {
            throw validation("The Segment parameter is zero-based and must be less than parameter TotalSegments:"
                    + " Segment: " + segment + " is not less than TotalSegments: " + total);
        }
        Map<String, AttributeValue> start = input.has("ExclusiveStartKey") ? item(input, "ExclusiveStartKey") : null;
        RequestContext.Builder context = itemContext(target, List.of(), readAttributes(target, projection), input,
                select);
        String resource = indexName == null ? target.arn() : target.arn() + "/index/" + indexName;
        return PreparedCall.of(List.of(check("Scan", target, resource, context)), () -> {
            Read read = read(target, input, select, projection, filter);
            return page(read, source(read, null, start, true), entry -> total == null
                    || Math.floorMod(entry.getKey().hash().hashCode(), total) == segment);
        });
    }

    // ---- batches ----------------------------------------------------------------------------------------

    PreparedCall batchGetItem(Call call, Input input) {
        Map<String, Input> requests = input.map("RequestItems");
        int keys = 0;
        for (Input request : requests.values()) {
            refuseMixed(request);
            keys += request.listOrEmpty("Keys").size();
        }
        if (keys > 100) {
            throw validation("Too many items requested for the BatchGetItem call");
        }
        String capacityMode = input.string("ReturnConsumedCapacity");
        record TableRead(String given, DynamoDbService.Target target, List<Map<String, AttributeValue>> keys,
                         ProjectionExpression projection, boolean consistent) {}
        List<TableRead> reads = new ArrayList<>();
        List<AccessCheck> checks = new ArrayList<>();
        for (Map.Entry<String, Input> request : requests.entrySet()) {
            DynamoDbService.Target target = DynamoDbService.target(tables, call, request.getKey(),
                    "requestItems");
            Input spec = request.getValue();
            List<Map<String, AttributeValue>> given = new ArrayList<>();
            for (Map<String, Input> key : spec.<Map<String, Input>>listOrEmpty("Keys")) {
                given.add(AttributeValues.item(key));
            }
            if (new HashSet<>(given).size() != given.size()) {
                throw validation("Provided list of item keys contains duplicates");
            }
            ExpressionAttributes attributes = attributes(spec);
            ProjectionExpression projection = projection(spec, attributes);
            expression(() -> {
                attributes.checkAllUsed();
                return null;
            });
            List<AttributeValue> leading = new ArrayList<>();
            given.forEach(key -> leading.add(leading(target, key)));
            checks.add(check("BatchGetItem", target, target.arn(), itemContext(target, leading,
                    readAttributes(target, projection), input, projection == null ? "ALL_ATTRIBUTES"
                            : "SPECIFIC_ATTRIBUTES")));
            reads.add(new TableRead(request.getKey(), target, given, projection, spec.bool("ConsistentRead", false)));
        }
        return PreparedCall.of(checks, () -> {
            Map<String, Object> responses = new LinkedHashMap<>();
            List<Shape> capacity = new ArrayList<>();
            long total = 0;
            for (TableRead read : reads) {
                Table table = current(read.target());
                List<PrimaryKey> primaryKeys = new ArrayList<>();
                for (Map<String, AttributeValue> key : read.keys()) {
                    primaryKeys.add(keyOf(table, key));
                }
                List<Object> found = new ArrayList<>();
                Consumed consumed = new Consumed(table);
                for (PrimaryKey key : primaryKeys) {
                    Map<String, AttributeValue> item = tables.item(table, key);
                    long size = item == null ? 0 : AttributeValues.size(item);
                    consumed.tableUnits += readUnits(size, read.consistent());
                    total += size;
                    if (item != null) {
                        found.add(AttributeValues.output(project(read.projection(), item)));
                    }
                }
                if (total > 16L * 1024 * 1024) {
                    // DynamoDB would return the rest as UnprocessedKeys; crossrole answers at most 100 keys at once.
                    throw validation("Too many items requested for the BatchGetItem call");
                }
                responses.put(read.given(), found);
                Shape shape = consumed.shape(capacityMode);
                if (shape != null) {
                    capacity.add(shape);
                }
            }
            return Shape.of().put("Responses", responses).put("UnprocessedKeys", Map.of())
                    .put("ConsumedCapacity", capacity.isEmpty() ? null : capacity);
        });
    }

    PreparedCall batchWriteItem(Call call, Input input) {
        Map<String, List<Input>> requests = input.map("RequestItems");
        int count = 0;
        for (List<Input> writes : requests.values()) {
            count += writes.size();
        }
        if (count > 25) {
            throw validation("Too many items requested for the BatchWriteItem call");
        }
        String capacityMode = input.string("ReturnConsumedCapacity");
        // One put (the item) or delete (the key).
        record Write(boolean put, Map<String, AttributeValue> attributes) {}
        record TableWrites(DynamoDbService.Target target, List<Write> writes) {}
        List<TableWrites> all = new ArrayList<>();
        List<AccessCheck> checks = new ArrayList<>();
        for (Map.Entry<String, List<Input>> request : requests.entrySet()) {
            DynamoDbService.Target target = DynamoDbService.target(tables, call, request.getKey(),
                    "requestItems");
            List<Write> writes = new ArrayList<>();
            List<AttributeValue> leading = new ArrayList<>();
            Set<String> names = new LinkedHashSet<>();
            for (Input write : request.getValue()) {
                Input put = write.struct("PutRequest");
                Input delete = write.struct("DeleteRequest");
                if ((put == null) == (delete == null)) {
                    throw validation("Supplied WriteRequest must contain exactly one of PutRequest or"
                            + " DeleteRequest");
                }
                Write parsed = put != null ? new Write(true, item(put, "Item"))
                        : new Write(false, item(delete, "Key"));
                writes.add(parsed);
                leading.add(leading(target, parsed.attributes()));
                if (parsed.put()) {
                    names.addAll(parsed.attributes().keySet());
                }
            }
            checks.add(check("BatchWriteItem", target, target.arn(), itemContext(target, leading, names, input,
                    null)));
            all.add(new TableWrites(target, writes));
        }
        return PreparedCall.of(checks, () -> {
            record Checked(Table table, PrimaryKey key, Map<String, AttributeValue> item) {}
            List<Checked> checked = new ArrayList<>();
            for (TableWrites writes : all) {
                Table table = current(writes.target());
                Set<PrimaryKey> seen = new HashSet<>();
                for (Write write : writes.writes()) {
                    PrimaryKey key = write.put() ? itemKey(table, write.attributes())
                            : keyOf(table, write.attributes());
                    if (!seen.add(key)) {
                        throw validation("Provided list of item keys contains duplicates");
                    }
                    checked.add(new Checked(table, key, write.put() ? write.attributes() : null));
                }
            }
            Map<String, Consumed> consumed = new LinkedHashMap<>();
            for (Checked write : checked) {
                Map<String, AttributeValue> before = tables.item(write.table(), write.key());
                Consumed units = writeCapacity(write.table(), write.key(), before, write.item());
                Consumed sum = consumed.computeIfAbsent(write.table().arn, arn -> new Consumed(write.table()));
                sum.tableUnits += units.tableUnits;
                units.indexUnits.forEach(sum::index);
                if (write.item() != null || before != null) {
                    tables.write(write.table(), write.key(), write.item());
                }
            }
            List<Shape> capacity = new ArrayList<>();
            for (Consumed sum : consumed.values()) {
                Shape shape = sum.shape(capacityMode);
                if (shape != null) {
                    capacity.add(shape);
                }
            }
            return Shape.of().put("UnprocessedItems", Map.of())
                    .put("ConsumedCapacity", capacity.isEmpty() ? null : capacity);
        });
    }

    // ---- transactions -----------------------------------------------------------------------------------

    /** One action of TransactWriteItems, parsed. */
    private record Action(String kind, DynamoDbService.Target target, Map<String, AttributeValue> attributes,
                          ConditionExpression condition, UpdateExpression update, boolean oldOnFailure) {}

    PreparedCall transactWriteItems(Call call, Input input) {
        List<Input> given = input.list("TransactItems");
        String token = input.string("ClientRequestToken");
        String capacityMode = input.string("ReturnConsumedCapacity");
        List<Action> actions = new ArrayList<>();
        List<AccessCheck> checks = new ArrayList<>();
        for (Input transactItem : given) {
            List<String> kinds = new ArrayList<>();
            for (String kind : List.of("ConditionCheck", "Put", "Delete", "Update")) {
                if (transactItem.struct(kind) != null) {
                    kinds.add(kind);
                }
            }
            if (kinds.size() != 1) {
                throw validation("TransactItems can only contain one of Check, Put, Update or Delete");
            }
            String kind = kinds.get(0);
            Input spec = transactItem.struct(kind);
            DynamoDbService.Target target = DynamoDbService.target(tables, call, spec.string("TableName"),
                    "transactItems");
            Map<String, AttributeValue> attributes = item(spec, kind.equals("Put") ? "Item" : "Key");
            ExpressionAttributes expressionAttributes = attributes(spec);
            UpdateExpression update = kind.equals("Update")
                    ? expression(() -> UpdateExpression.parse(spec.string("UpdateExpression"), expressionAttributes))
                    : null;
            ConditionExpression condition = condition(spec, expressionAttributes, "ConditionExpression");
            if (kind.equals("ConditionCheck") && condition == null) {
                throw validation("ConditionExpression is required for ConditionCheck");
            }
            expression(() -> {
                expressionAttributes.checkAllUsed();
                return null;
            });
            actions.add(new Action(kind, target, attributes, condition, update, oldOnFailure(spec)));
            String action = switch (kind) {
                case "Put" -> "PutItem";
                case "Delete" -> "DeleteItem";
                case "Update" -> "UpdateItem";
                default -> "ConditionCheckItem";
            };
            Set<String> names = kind.equals("Put") ? attributes.keySet()
                    : update != null ? withKeys(target, update.topLevelAttributes()) : null;
            checks.add(check(action, target, target.arn(), itemContext(target, java.util.Arrays.asList(leadingOrNull(target,
                    attributes)), names, spec, null)));
        }
        String digest = token == null ? null : digest(input);
        String tokenKey = token == null ? null : call.caller().account() + "|" + call.region() + "|" + token;
        return PreparedCall.of(checks, () -> {
            long now = tables.clock().millis();
            if (tokenKey != null) {
                DynamoDirectory.Token seen = tables.token(tokenKey).orElse(null);
                if (seen != null && now - seen.at() < TOKEN_MILLIS) {
                    if (!seen.digest().equals(digest)) {
                        throw new AwsException("IdempotentParameterMismatchException", 400, "Request parameters"
                                + " are different from the ones of the original request with this client token");
                    }
                    return Shape.of();
                }
            }
            record Checked(Action action, Table table, PrimaryKey key) {}
            List<Checked> checked = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (Action action : actions) {
                Table table = current(action.target());
                PrimaryKey key = action.kind().equals("Put") ? itemKey(table, action.attributes())
                        : keyOf(table, action.attributes());
                if (!seen.add(table.arn + "|" + key.encoded())) {
                    throw validation("Transaction request cannot include multiple operations on one item");
                }
                checked.add(new Checked(action, table, key));
            }
            List<DynamoErrors.Reason> reasons = new ArrayList<>();
            List<Map<String, AttributeValue>> results = new ArrayList<>();
            boolean failed = false;
            for (Checked one : checked) {
                Action action = one.action();
                Map<String, AttributeValue> before = tables.item(one.table(), one.key());
                Map<String, AttributeValue> after = null;
                DynamoErrors.Reason reason = DynamoErrors.Reason.NONE;
                if (action.condition() != null && !action.condition().test(before == null ? Map.of() : before)) {
                    reason = new DynamoErrors.Reason("ConditionalCheckFailed", "The conditional request failed",
                            action.oldOnFailure() ? before : null);
                } else {
                    try {
                        after = switch (action.kind()) {
                            case "Put" -> action.attributes();
                            case "Update" -> updated(one.table(), one.key(), action.attributes(), before,
                                    action.update());
                            case "Delete" -> null;
                            default -> before;
                        };
                    } catch (AwsException e) {
                        reason = new DynamoErrors.Reason("ValidationError", e.getMessage(), null);
                    }
                }
                failed |= reason != DynamoErrors.Reason.NONE;
                reasons.add(reason);
                results.add(after);
            }
            if (failed) {
                throw DynamoErrors.transactionCanceled(reasons);
            }
            Map<String, Consumed> consumed = new LinkedHashMap<>();
            for (int i = 0; i < checked.size(); i++) {
                Checked one = checked.get(i);
                Map<String, AttributeValue> before = tables.item(one.table(), one.key());
                Map<String, AttributeValue> after = results.get(i);
                Consumed sum = consumed.computeIfAbsent(one.table().arn, arn -> new Consumed(one.table()));
                if (one.action().kind().equals("ConditionCheck")) {
                    sum.tableUnits += 2 * readUnits(before == null ? 0 : AttributeValues.size(before), true);
                    continue;
                }
                Consumed units = writeCapacity(one.table(), one.key(), before, after);
                sum.tableUnits += 2 * units.tableUnits;
                units.indexUnits.forEach((name, u) -> sum.index(name, 2 * u));
                if (after != null || before != null) {
                    tables.write(one.table(), one.key(), after);
                }
            }
            if (tokenKey != null) {
                tables.remember(tokenKey, new DynamoDirectory.Token(digest, now), now - TOKEN_MILLIS);
            }
            List<Shape> capacity = new ArrayList<>();
            for (Consumed sum : consumed.values()) {
                Shape shape = sum.shape(capacityMode);
                if (shape != null) {
                    capacity.add(shape);
                }
            }
            return Shape.of().put("ConsumedCapacity", capacity.isEmpty() ? null : capacity);
        });
    }

    /** A digest of a request's members, to tell a retry (same token, same request) from a different request. */
    private static String digest(Input input) {
        StringBuilder text = new StringBuilder();
        canonical(input, text);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.toString()
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void canonical(Object value, StringBuilder out) {
        if (value instanceof Input input) {
            canonical(new java.util.TreeMap<>(input.values()), out);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            new java.util.TreeMap<>(map).forEach((k, v) -> {
                out.append(k).append('=');
                canonical(v, out);
                out.append(',');
            });
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            list.forEach(v -> {
                canonical(v, out);
                out.append(',');
            });
            out.append(']');
        } else if (value instanceof byte[] bytes) {
            out.append(Base64.getEncoder().encodeToString(bytes));
        } else {
            out.append(value);
        }
    }

    PreparedCall transactGetItems(Call call, Input input) {
        List<Input> given = input.list("TransactItems");
        String capacityMode = input.string("ReturnConsumedCapacity");
        record Get(DynamoDbService.Target target, Map<String, AttributeValue> key, ProjectionExpression projection) {}
        List<Get> gets = new ArrayList<>();
        List<AccessCheck> checks = new ArrayList<>();
        for (Input transactItem : given) {
            Input spec = transactItem.struct("Get");
            DynamoDbService.Target target = DynamoDbService.target(tables, call, spec.string("TableName"),
                    "transactItems");
            Map<String, AttributeValue> key = item(spec, "Key");
            ExpressionAttributes attributes = attributes(spec);
            ProjectionExpression projection = projection(spec, attributes);
            expression(() -> {
                attributes.checkAllUsed();
                return null;
            });
            gets.add(new Get(target, key, projection));
            checks.add(check("GetItem", target, target.arn(), itemContext(target, java.util.Arrays.asList(leadingOrNull(target, key)),
                    readAttributes(target, projection), input, projection == null ? "ALL_ATTRIBUTES"
                            : "SPECIFIC_ATTRIBUTES")));
        }
        return PreparedCall.of(checks, () -> {
            List<Shape> responses = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            Map<String, Consumed> consumed = new LinkedHashMap<>();
            List<Object[]> found = new ArrayList<>();
            for (Get get : gets) {
                Table table = current(get.target());
                PrimaryKey key = keyOf(table, get.key());
                if (!seen.add(table.arn + "|" + key.encoded())) {
                    throw validation("Transaction request cannot include multiple operations on one item");
                }
                found.add(new Object[] {table, key, get});
            }
            for (Object[] one : found) {
                Table table = (Table) one[0];
                Get get = (Get) one[2];
                Map<String, AttributeValue> item = tables.item(table, (PrimaryKey) one[1]);
                consumed.computeIfAbsent(table.arn, arn -> new Consumed(table)).tableUnits +=
                        2 * readUnits(item == null ? 0 : AttributeValues.size(item), true);
                responses.add(Shape.of().put("Item", item == null ? null
                        : AttributeValues.output(project(get.projection(), item))));
            }
            List<Shape> capacity = new ArrayList<>();
            for (Consumed sum : consumed.values()) {
                Shape shape = sum.shape(capacityMode);
                if (shape != null) {
                    capacity.add(shape);
                }
            }
            return Shape.of().put("Responses", responses).put("ConsumedCapacity", capacity.isEmpty() ? null
                    : capacity);
        });
    }
}
