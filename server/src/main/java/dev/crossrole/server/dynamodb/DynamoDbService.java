package dev.crossrole.server.dynamodb;

import static dev.crossrole.server.dynamodb.DynamoErrors.inUse;
import static dev.crossrole.server.dynamodb.DynamoErrors.invalidParameters;
import static dev.crossrole.server.dynamodb.DynamoErrors.tableNotFound;
import static dev.crossrole.server.dynamodb.DynamoErrors.validation;

import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.PreparedCall;
import dev.crossrole.server.service.ServiceProvider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Amazon DynamoDB ({@code dynamodb/2012-08-10}, JSON 1.0): tables with their keys, secondary indexes, billing modes,
 * tags, TTL setting and resource policies; items read and written with DynamoDB's expressions ({@link ItemCalls}),
 * queries, scans, batches and transactions. A table's resource policy is handed to the policy engine, so another
 * account (naming the table by its ARN) reaches it only when the policy and its own identity policies both allow.
 */
public final class DynamoDbService implements ServiceProvider {
    static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
    private static final Pattern TABLE_ARN = Pattern.compile(
            "arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):([0-9]{12}):table/([a-zA-Z0-9_.-]{3,255})(/index/[a-zA-Z0-9_.-]+)?");

    private final DynamoDirectory tables;
    private final ItemCalls items;

    public DynamoDbService(DynamoDirectory directory) {
        this.tables = directory;
        this.items = new ItemCalls(directory);
    }

    /** The state of the service, to register with the store. */
    public static DynamoDirectory directory(java.time.Clock clock) {
        return new DynamoDirectory(clock);
    }

    @Override
    public String modelId() {
        return "dynamodb";
    }

    @Override
    public String accessDeniedCode() {
        return "AccessDeniedException";
    }

    @Override
    public String validationErrorCode() {
        return "ValidationException";
    }

    @Override
    public void register(OperationTable ops) {
        String tag = "aws:ResourceTag/${TagKey}";
        String[] itemKeys = {"dynamodb:Attributes", "dynamodb:LeadingKeys", "dynamodb:ReturnConsumedCapacity"};
        ops.on("CreateTable", this::createTable, Authorization.of("dynamodb:CreateTable").on("table", "TableName")
                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys"));
        ops.on("DescribeTable", this::describeTable, Authorization.of("dynamodb:DescribeTable")
                .on("table", "TableName").keys(tag));
        ops.on("ListTables", this::listTables, Authorization.of("dynamodb:ListTables"));
        ops.on("UpdateTable", this::updateTable, Authorization.of("dynamodb:UpdateTable").on("table", "TableName")
                .keys(tag));
        ops.on("DeleteTable", this::deleteTable, Authorization.of("dynamodb:DeleteTable").on("table", "TableName")
                .keys(tag));
        ops.on("DescribeLimits", this::describeLimits, Authorization.of("dynamodb:DescribeLimits"));
        ops.on("UpdateTimeToLive", this::updateTimeToLive, Authorization.of("dynamodb:UpdateTimeToLive")
                .on("table", "TableName").keys(tag));
        ops.on("DescribeTimeToLive", this::describeTimeToLive, Authorization.of("dynamodb:DescribeTimeToLive")
                .on("table", "TableName").keys(tag));
        ops.on("TagResource", this::tagResource, Authorization.of("dynamodb:TagResource").on("table", "ResourceArn")
                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys", tag));
        ops.on("UntagResource", this::untagResource, Authorization.of("dynamodb:UntagResource")
                .on("table", "ResourceArn").keys("aws:TagKeys", tag));
        ops.on("ListTagsOfResource", this::listTagsOfResource, Authorization.of("dynamodb:ListTagsOfResource")
                .on("table", "ResourceArn").keys(tag));
        ops.on("PutResourcePolicy", this::putResourcePolicy, Authorization.of("dynamodb:PutResourcePolicy")
                .on("table", "ResourceArn").keys(tag));
        ops.on("GetResourcePolicy", this::getResourcePolicy, Authorization.of("dynamodb:GetResourcePolicy")
                .on("table", "ResourceArn").keys(tag));
        ops.on("DeleteResourcePolicy", this::deleteResourcePolicy, Authorization.of("dynamodb:DeleteResourcePolicy")
                .on("table", "ResourceArn").keys(tag));
        ops.on("PutItem", items::putItem, Authorization.of("dynamodb:PutItem").on("table", "TableName")
                .keys(itemKeys).keys("dynamodb:ReturnValues", tag));
        ops.on("GetItem", items::getItem, Authorization.of("dynamodb:GetItem").on("table", "TableName")
                .keys(itemKeys).keys("dynamodb:Select", tag));
        ops.on("UpdateItem", items::updateItem, Authorization.of("dynamodb:UpdateItem").on("table", "TableName")
                .keys(itemKeys).keys("dynamodb:ReturnValues", tag));
        ops.on("DeleteItem", items::deleteItem, Authorization.of("dynamodb:DeleteItem").on("table", "TableName")
                .keys(itemKeys).keys("dynamodb:ReturnValues", tag));
        ops.on("Query", items::query, Authorization.of("dynamodb:Query").on("table", "TableName").keys(itemKeys)
                .keys("dynamodb:Select", tag), Authorization.of("dynamodb:Query").on("index", "TableName", "IndexName")
                .keys(itemKeys).keys("dynamodb:Select", tag));
        ops.on("Scan", items::scan, Authorization.of("dynamodb:Scan").on("table", "TableName")
                .keys("dynamodb:Attributes", "dynamodb:ReturnConsumedCapacity", "dynamodb:Select", tag),
                Authorization.of("dynamodb:Scan").on("index", "TableName", "IndexName").keys("dynamodb:Attributes",
                        "dynamodb:ReturnConsumedCapacity", "dynamodb:Select", tag));
        ops.on("BatchGetItem", items::batchGetItem, Authorization.of("dynamodb:BatchGetItem")
                .on("table", "RequestItems").keys(itemKeys).keys("dynamodb:Select", tag));
        ops.on("BatchWriteItem", items::batchWriteItem, Authorization.of("dynamodb:BatchWriteItem")
                .on("table", "RequestItems").keys(itemKeys).keys(tag));
        ops.on("TransactGetItems", items::transactGetItems, Authorization.of("dynamodb:GetItem")
                .on("table", "TransactItems").keys(itemKeys).keys("dynamodb:Select", tag));
        ops.on("TransactWriteItems", items::transactWriteItems,
                Authorization.of("dynamodb:PutItem").on("table", "TransactItems").keys(itemKeys)
                        .keys("dynamodb:ReturnValues", tag),
                Authorization.of("dynamodb:UpdateItem").on("table", "TransactItems").keys(itemKeys)
                        .keys("dynamodb:ReturnValues", tag),
                Authorization.of("dynamodb:DeleteItem").on("table", "TransactItems").keys(itemKeys)
                        .keys("dynamodb:ReturnValues", tag),
                Authorization.of("dynamodb:ConditionCheckItem").on("table", "TransactItems").keys(itemKeys)
                        .keys("dynamodb:ReturnValues", tag));
    }

    // ---- names, ARNs and access -------------------------------------------------------------------------

    static String arn(String region, String account, String name) {
        return "arn:aws:dynamodb:" + region + ":" + account + ":table/" + name;
    }

    /** A table named by name (the caller's account) or by ARN (any account, in the call's region). */
    record Target(String arn, String name, String account, Table table) {}

    /**
     * The table a {@code TableName} member names. A name must be DynamoDB's table name; an ARN of another region is
     * a table this endpoint does not have.
     */
    static String tableArn(Call call, String nameOrArn, String member) {
        if (nameOrArn.startsWith("arn:")) {
            java.util.regex.Matcher m = TABLE_ARN.matcher(nameOrArn);
            if (!m.matches() || m.group(4) != null) {
                throw validation("Invalid TableArn: Invalid ResourceArn provided as input " + nameOrArn);
            }
            return arn(m.group(1), m.group(2), m.group(3));
        }
        checkName(nameOrArn, member);
        return arn(call.region(), call.caller().account(), nameOrArn);
    }

    static void checkName(String name, String member) {
        List<String> failures = new ArrayList<>();
        if (name.length() < 3) {
            failures.add("Value '" + name + "' at '" + member + "' failed to satisfy constraint: Member must have"
                    + " length greater than or equal to 3");
        }
        if (name.length() > 255) {
            failures.add("Value '" + name + "' at '" + member + "' failed to satisfy constraint: Member must have"
                    + " length less than or equal to 255");
        }
        if (!TABLE_NAME.matcher(name).matches()) {
            failures.add("Value '" + name + "' at '" + member + "' failed to satisfy constraint: Member must satisfy"
                    + " regular expression pattern: [a-zA-Z0-9_.-]+");
        }
        if (!failures.isEmpty()) {
            throw validation(failures.size() + " validation error" + (failures.size() > 1 ? "s" : "")
                    + " detected: " + String.join("; ", failures));
        }
    }

    static String accountOf(String arn) {
        return arn.split(":")[4];
    }

    static String nameOf(String arn) {
        return arn.substring(arn.indexOf(":table/") + 7);
    }

    /** The region part of an ARN, which must be the call's: a table elsewhere is not found here. */
    static boolean inRegion(Call call, String arn) {
        return arn.split(":")[3].equals(call.region());
    }

    static Target target(DynamoDirectory tables, Call call, String nameOrArn, String member) {
        String arn = tableArn(call, nameOrArn, member);
        Table table = inRegion(call, arn) ? tables.table(arn).orElse(null) : null;
        return new Target(arn, nameOf(arn), accountOf(arn), table);
    }

    /** The target of a {@code ResourceArn} member (tags, policies): an ARN of a table (or one of its indexes). */
    Target resource(Call call, String resourceArn) {
        java.util.regex.Matcher m = TABLE_ARN.matcher(resourceArn);
        if (!m.matches()) {
            throw validation("Invalid TableArn: Invalid ResourceArn provided as input " + resourceArn);
        }
        String arn = arn(m.group(1), m.group(2), m.group(3));
        Table table = inRegion(call, arn) ? tables.table(arn).orElse(null) : null;
        return new Target(arn, m.group(3), m.group(2), table);
    }

    static RequestContext.Builder tagContext(Table table) {
        RequestContext.Builder context = RequestContext.builder();
        if (table != null) {
            table.tags.forEach((k, v) -> context.single("aws:ResourceTag/" + k, v));
        }
        return context;
    }

    /** The permission an action on a table (or its index) needs, decided with the table's resource policy. */
    static AccessCheck onTable(DynamoDirectory directory, String action, String resourceArn, Target target,
                               RequestContext.Builder context) {
        return new AccessCheck("dynamodb:" + action, resourceArn, target.account(), directory.policy(target.table()),
                context.build());
    }

    private AccessCheck onTable(String action, Target target) {
        return onTable(tables, action, target.arn(), target, tagContext(target.table()));
    }

    private Table current(Target target) {
        return tables.table(target.arn()).orElseThrow(() -> tableNotFound(target.name()));
    }

    // ---- table descriptions -----------------------------------------------------------------------------

    private static List<Shape> keySchema(Table.Key hash, Table.Key range) {
        List<Shape> schema = new ArrayList<>();
        schema.add(Shape.of().put("AttributeName", hash.name()).put("KeyType", "HASH"));
        if (range != null) {
            schema.add(Shape.of().put("AttributeName", range.name()).put("KeyType", "RANGE"));
        }
        return schema;
    }

    private static Shape projection(Table.Index index) {
        return Shape.of().put("ProjectionType", index.projectionType()).put("NonKeyAttributes",
                index.nonKeyAttributes().isEmpty() ? null : index.nonKeyAttributes());
    }

    private static Shape throughput(long read, long write) {
        return Shape.of().put("NumberOfDecreasesToday", 0L).put("ReadCapacityUnits", read)
                .put("WriteCapacityUnits", write);
    }

    Shape description(Table table, String status) {
        Shape out = Shape.of();
        List<Shape> definitions = new ArrayList<>();
        table.attributeDefinitions.forEach((name, type) -> definitions.add(Shape.of().put("AttributeName", name)
                .put("AttributeType", type)));
        DynamoDirectory.TableItems rows = tables.itemsOf(table.arn);
        out.put("AttributeDefinitions", definitions).put("TableName", table.name)
                .put("KeySchema", keySchema(table.hash, table.range)).put("TableStatus", status)
                .put("CreationDateTime", Instant.ofEpochMilli(table.createdMillis))
                .put("ProvisionedThroughput", throughput(table.readCapacity, table.writeCapacity))
                .put("TableSizeBytes", rows.bytes.get()).put("ItemCount", rows.count.get())
                .put("TableArn", table.arn).put("TableId", table.tableId);
        if ("PAY_PER_REQUEST".equals(table.billingMode) || table.billingModeChangedMillis != 0) {
            out.put("BillingModeSummary", Shape.of().put("BillingMode", table.billingMode)
                    .put("LastUpdateToPayPerRequestDateTime", Instant.ofEpochMilli(
                            table.billingModeChangedMillis == 0 ? table.createdMillis : table.billingModeChangedMillis)));
        }
        List<Shape> locals = new ArrayList<>();
        List<Shape> globals = new ArrayList<>();
        for (Table.Index index : table.indexes) {
            long count = 0;
            long bytes = 0;
            if (!"DELETING".equals(status)) {
                NavigableMap<DynamoDirectory.IndexEntry, PrimaryKey> entries = rows.index(table, index);
                for (PrimaryKey key : entries.values()) {
                    Map<String, AttributeValue> item = rows.rows.get(key);
                    if (item != null) {
                        count++;
                        bytes += AttributeValues.size(ItemCalls.projected(table, index, item));
                    }
                }
            }
            Shape described = Shape.of().put("IndexName", index.name()).put("KeySchema", keySchema(index.hash(),
                    index.range())).put("Projection", projection(index));
            if (index.global()) {
                described.put("IndexStatus", "ACTIVE").put("ProvisionedThroughput", throughput(index.readCapacity(),
                        index.writeCapacity()));
            }
            described.put("IndexSizeBytes", bytes).put("ItemCount", count).put("IndexArn",
                    table.indexArn(index.name()));
            (index.global() ? globals : locals).add(described);
        }
        out.put("LocalSecondaryIndexes", locals.isEmpty() ? null : locals)
                .put("GlobalSecondaryIndexes", globals.isEmpty() ? null : globals);
        if (table.streamEnabled || table.streamLabel != null) {
            out.put("StreamSpecification", Shape.of().put("StreamEnabled", table.streamEnabled)
                    .put("StreamViewType", table.streamEnabled ? table.streamViewType : null));
            out.put("LatestStreamLabel", table.streamLabel).put("LatestStreamArn", table.arn + "/stream/"
                    + table.streamLabel);
        }
        if (table.sseEnabled) {
            out.put("SSEDescription", Shape.of().put("Status", "ENABLED").put("SSEType", "KMS")
                    .put("KMSMasterKeyArn", table.kmsKeyArn));
        }
        if (table.tableClass != null) {
            out.put("TableClassSummary", Shape.of().put("TableClass", table.tableClass));
        }
        out.put("DeletionProtectionEnabled", table.deletionProtection);
        return out;
    }

    // ---- tables -----------------------------------------------------------------------------------------

    private static Map<String, String> attributeDefinitions(Input input) {
        Map<String, String> definitions = new LinkedHashMap<>();
        for (Input definition : input.<Input>listOrEmpty("AttributeDefinitions")) {
            String name = definition.string("AttributeName");
            if (definitions.put(name, definition.string("AttributeType")) != null) {
                throw invalidParameters("Duplicate AttributeName in AttributeDefinitions: " + name);
            }
        }
        return definitions;
    }

    /** A key schema (the table's or an index's): a HASH key, then perhaps a RANGE key, both defined. */
    private static Table.Key[] keys(List<Input> schema, Map<String, String> definitions, String indexName) {
        if (schema == null || schema.isEmpty()) {
            throw invalidParameters(indexName == null ? "KeySchema is required"
                    : "KeySchema is required for index: " + indexName);
        }
        if (schema.size() > 2) {
            throw validation("1 validation error detected: Value '" + schema.size() + " elements' at 'keySchema'"
                    + " failed to satisfy constraint: Member must have length less than or equal to 2");
        }
        String prefix = indexName == null ? "Invalid KeySchema: " : "Invalid KeySchema for index " + indexName + ": ";
        if (!"HASH".equals(schema.get(0).string("KeyType"))) {
            throw validation(prefix + "The first KeySchemaElement is not a HASH key type");
        }
        if (schema.size() == 2 && !"RANGE".equals(schema.get(1).string("KeyType"))) {
            throw validation(prefix + "The second KeySchemaElement is not a RANGE key type");
        }
        if (schema.size() == 2 && schema.get(0).string("AttributeName").equals(schema.get(1).string("AttributeName"))) {
            throw validation("Both the Hash Key and the Range Key element in the KeySchema have the same name");
        }
        Table.Key[] keys = new Table.Key[2];
        for (int i = 0; i < schema.size(); i++) {
            String name = schema.get(i).string("AttributeName");
            String type = definitions.get(name);
            if (type == null) {
                throw invalidParameters("Some index key attributes are not defined in AttributeDefinitions. Keys: "
                        + schema.stream().map(k -> k.string("AttributeName")).toList() + ", AttributeDefinitions: "
                        + List.copyOf(definitions.keySet()));
            }
            keys[i] = new Table.Key(name, type);
        }
        return keys;
    }

    private static long[] throughput(Input given, boolean provisioned, String indexName) {
        if (!provisioned) {
            if (given != null) {
                throw invalidParameters("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when"
                        + " BillingMode is PAY_PER_REQUEST");
            }
            return new long[] {0, 0};
        }
        if (given == null) {
            throw invalidParameters(indexName == null ? "ReadCapacityUnits and WriteCapacityUnits must both be"
                    + " specified when BillingMode is PROVISIONED" : "ProvisionedThroughput is not specified for"
                    + " index: " + indexName);
        }
        return new long[] {given.longValue("ReadCapacityUnits"), given.longValue("WriteCapacityUnits")};
    }

    private static Table.Index index(Input given, boolean global, Map<String, String> definitions, Table.Key tableHash,
                                     boolean provisioned) {
        String name = given.string("IndexName");
        Table.Key[] keys = keys(given.list("KeySchema"), definitions, name);
        if (!global && (keys[1] == null)) {
            throw invalidParameters("Index KeySchema for index " + name + " must have a RANGE key");
        }
        if (!global && !keys[0].name().equals(tableHash.name())) {
            throw invalidParameters("Index KeySchema does not have the same leading hash key as table KeySchema for"
                    + " index: " + name + ". index hash key: " + keys[0].name() + ", table hash key: "
                    + tableHash.name());
        }
        Input projection = given.struct("Projection");
        String type = projection == null || projection.string("ProjectionType") == null ? null
                : projection.string("ProjectionType");
        if (type == null) {
            throw invalidParameters("Unknown ProjectionType: null");
        }
        List<String> nonKey = projection.list("NonKeyAttributes");
        if (type.equals("INCLUDE") && (nonKey == null || nonKey.isEmpty())) {
            throw invalidParameters("ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
        }
        if (!type.equals("INCLUDE") && nonKey != null) {
            throw invalidParameters("ProjectionType is " + type + ", but NonKeyAttributes is specified");
        }
        long[] capacity = global ? throughput(given.struct("ProvisionedThroughput"), provisioned, name)
                : new long[] {0, 0};
        return new Table.Index(name, global, keys[0], keys[1], type, nonKey, capacity[0], capacity[1]);
    }

    private static Map<String, String> tags(List<Input> given) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Input tag : given == null ? List.<Input>of() : given) {
            tags.put(tag.string("Key"), tag.string("Value"));
        }
        return tags;
    }

    private static RequestContext.Builder requestTags(Map<String, String> tags) {
        RequestContext.Builder context = RequestContext.builder();
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        if (!tags.isEmpty()) {
            context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        }
        return context;
    }

    private void stream(Table table, Input spec, long now) {
        if (spec == null) {
            return;
        }
        boolean enabled = spec.bool("StreamEnabled", false);
        String view = spec.string("StreamViewType");
        if (enabled && view == null) {
            throw validation("StreamSpecification: StreamViewType is required when StreamEnabled is true");
        }
        if (!enabled && view != null) {
            throw validation("StreamSpecification: StreamViewType cannot be specified when StreamEnabled is false");
        }
        if (enabled && !table.streamEnabled) {
            table.streamLabel = Instant.ofEpochMilli(now).toString().replace("Z", "");
        }
        table.streamEnabled = enabled;
        table.streamViewType = enabled ? view : null;
    }

    private static void sse(Table table, Input spec) {
        if (spec == null) {
            return;
        }
        boolean enabled = spec.bool("Enabled", false);
        table.sseEnabled = enabled;
        if (enabled) {
            String key = spec.string("KMSMasterKeyId");
            // DynamoDB's own key for a table without a key of the customer's: the account's aws/dynamodb key.
            table.kmsKeyArn = key == null ? "arn:aws:kms:" + table.region + ":" + table.account
                    + ":key/alias/aws/dynamodb" : key.startsWith("arn:") ? key : "arn:aws:kms:" + table.region + ":"
                    + table.account + ":key/" + key;
        } else {
            table.kmsKeyArn = null;
        }
    }

    private PreparedCall createTable(Call call, Input input) {
        String name = input.string("TableName");
        String arn = tableArn(call, name, "tableName");
        if (!accountOf(arn).equals(call.caller().account()) || !inRegion(call, arn)) {
            throw validation("Invalid TableArn: the table must be created in the caller's account and region");
        }
        String tableName = nameOf(arn);
        if (input.has("GlobalTableSourceArn")) {
            throw DynamoErrors.notImplemented("CreateTable's GlobalTableSourceArn");
        }
        Map<String, String> definitions = attributeDefinitions(input);
        Table.Key[] keys = keys(input.list("KeySchema"), definitions, null);
        String billing = input.string("BillingMode") == null ? "PROVISIONED" : input.string("BillingMode");
        boolean provisioned = billing.equals("PROVISIONED");
        long[] capacity = throughput(input.struct("ProvisionedThroughput"), provisioned, null);
        List<Table.Index> indexes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> used = new HashSet<>();
        used.add(keys[0].name());
        if (keys[1] != null) {
            used.add(keys[1].name());
        }
        List<Input> locals = input.list("LocalSecondaryIndexes");
        if (locals != null && keys[1] == null) {
            throw invalidParameters("Table KeySchema does not have a range key, which is required when specifying a"
                    + " LocalSecondaryIndex");
        }
        for (Input local : locals == null ? List.<Input>of() : locals) {
            indexes.add(index(local, false, definitions, keys[0], provisioned));
        }
        for (Input global : input.<Input>listOrEmpty("GlobalSecondaryIndexes")) {
            indexes.add(index(global, true, definitions, keys[0], provisioned));
        }
        for (Table.Index index : indexes) {
            if (!names.add(index.name())) {
                throw invalidParameters("Duplicate index name: " + index.name());
            }
            used.add(index.hash().name());
            if (index.range() != null) {
                used.add(index.range().name());
            }
        }
        if (!used.equals(definitions.keySet())) {
            throw invalidParameters("Number of attributes in KeySchema does not exactly match number of attributes"
                    + " defined in AttributeDefinitions");
        }
        Map<String, String> tags = tags(input.list("Tags"));
        String policyText = input.string("ResourcePolicy");
        if (policyText != null) {
            checkedPolicy(policyText, arn);
        }
        return PreparedCall.of(List.of(new AccessCheck("dynamodb:CreateTable", arn, accountOf(arn), null,
                requestTags(tags).build())), () -> {
                    if (tables.table(arn).isPresent()) {
                        throw inUse("Table already exists: " + tableName);
                    }
                    long now = tables.clock().millis();
                    Table table = new Table();
                    table.account = accountOf(arn);
                    table.region = call.region();
                    table.name = tableName;
                    table.arn = arn;
                    table.tableId = UUID.randomUUID().toString();
                    table.createdMillis = now;
                    table.hash = keys[0];
                    table.range = keys[1];
                    table.attributeDefinitions = definitions;
                    table.billingMode = billing;
                    table.readCapacity = capacity[0];
                    table.writeCapacity = capacity[1];
                    table.indexes = indexes;
                    stream(table, input.struct("StreamSpecification"), now);
                    sse(table, input.struct("SSESpecification"));
                    table.deletionProtection = input.bool("DeletionProtectionEnabled", false);
                    table.tableClass = input.string("TableClass");
                    table.tags = tags;
                    if (policyText != null) {
                        table.policy = policyText;
                        table.policyRevision = String.valueOf(now);
                    }
                    tables.put(table);
                    return Shape.of().put("TableDescription", description(table, "ACTIVE"));
                });
    }

    private PreparedCall describeTable(Call call, Input input) {
        Target target = target(tables, call, input.string("TableName"), "tableName");
        return PreparedCall.of(List.of(onTable("DescribeTable", target)),
                () -> Shape.of().put("Table", description(current(target), "ACTIVE")));
    }

    private PreparedCall listTables(Call call, Input input) {
        String start = input.string("ExclusiveStartTableName");
        Integer limit = input.integer("Limit");
        return PreparedCall.of(List.of(AccessCheck.of("dynamodb:ListTables", "*")), () -> {
            List<String> names = new ArrayList<>();
            String last = null;
            boolean more = false;
            int max = limit == null ? 100 : limit;
            for (Table table : tables.tables(call.caller().account(), call.region())) {
                if (start != null && table.name.compareTo(start) <= 0) {
                    continue;
                }
                if (names.size() == max) {
                    more = true;
                    break;
                }
                names.add(table.name);
                last = table.name;
            }
            return Shape.of().put("TableNames", names).put("LastEvaluatedTableName", more ? last : null);
        });
    }

    private PreparedCall updateTable(Call call, Input input) {
        Target target = target(tables, call, input.string("TableName"), "tableName");
        for (String unsupported : List.of("ReplicaUpdates", "OnDemandThroughput", "WarmThroughput",
                "MultiRegionConsistency", "GlobalTableWitnessUpdates")) {
            if (input.has(unsupported)) {
                throw DynamoErrors.notImplemented("UpdateTable's " + unsupported);
            }
        }
        boolean any = false;
        for (String member : List.of("BillingMode", "ProvisionedThroughput", "GlobalSecondaryIndexUpdates",
                "StreamSpecification", "SSESpecification", "DeletionProtectionEnabled", "TableClass")) {
            any |= input.has(member);
        }
        if (!any) {
            throw validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled,"
                    + " GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
        }
        return PreparedCall.of(List.of(onTable("UpdateTable", target)), () -> {
            Table table = current(target).copy();
            long now = tables.clock().millis();
            if (input.has("BillingMode") && !input.string("BillingMode").equals(table.billingMode)) {
                table.billingMode = input.string("BillingMode");
                table.billingModeChangedMillis = now;
            }
            boolean provisioned = table.billingMode.equals("PROVISIONED");
            Input capacity = input.struct("ProvisionedThroughput");
            if (provisioned && capacity != null) {
                table.readCapacity = capacity.longValue("ReadCapacityUnits");
                table.writeCapacity = capacity.longValue("WriteCapacityUnits");
            } else if (provisioned && input.has("BillingMode") && table.readCapacity == 0) {
                throw invalidParameters("ReadCapacityUnits and WriteCapacityUnits must both be specified when"
                        + " BillingMode is PROVISIONED");
            } else if (!provisioned) {
                if (capacity != null) {
                    throw invalidParameters("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when"
                            + " BillingMode is PAY_PER_REQUEST");
                }
                table.readCapacity = 0;
                table.writeCapacity = 0;
                List<Table.Index> unprovisioned = new ArrayList<>();
                for (Table.Index index : table.indexes) {
                    unprovisioned.add(index.global() ? new Table.Index(index.name(), true, index.hash(), index.range(),
                            index.projectionType(), index.nonKeyAttributes(), 0, 0) : index);
                }
                table.indexes = unprovisioned;
            }
            Map<String, String> definitions = new LinkedHashMap<>(table.attributeDefinitions);
            attributeDefinitions(input).forEach((name, type) -> {
                String had = definitions.putIfAbsent(name, type);
                if (had != null && !had.equals(type)) {
                    throw invalidParameters("Cannot change the type of the attribute " + name + " (" + had + ")");
                }
            });
            for (Input update : input.<Input>listOrEmpty("GlobalSecondaryIndexUpdates")) {
                if (update.struct("Create") != null) {
                    Table.Index created = index(update.struct("Create"), true, definitions, table.hash, provisioned);
                    if (table.index(created.name()) != null) {
                        throw invalidParameters("Index with name " + created.name() + " already exists");
                    }
                    table.indexes.add(created);
                } else if (update.struct("Delete") != null) {
                    String name = update.struct("Delete").string("IndexName");
                    Table.Index index = table.index(name);
                    if (index == null || !index.global()) {
                        throw new AwsException("ResourceNotFoundException", 400, "Requested resource not found:"
                                + " Index: " + name + " not found");
                    }
                    table.indexes.remove(index);
                } else if (update.struct("Update") != null) {
                    Input change = update.struct("Update");
                    Table.Index index = table.index(change.string("IndexName"));
                    if (index == null || !index.global()) {
                        throw new AwsException("ResourceNotFoundException", 400, "Requested resource not found:"
                                + " Index: " + change.string("IndexName") + " not found");
                    }
                    long[] units = throughput(change.struct("ProvisionedThroughput"), provisioned, index.name());
                    table.indexes.set(table.indexes.indexOf(index), new Table.Index(index.name(), true, index.hash(),
                            index.range(), index.projectionType(), index.nonKeyAttributes(), units[0], units[1]));
                }
            }
            // Attributes no key uses any more are dropped from the definitions, as DynamoDB does.
            table.attributeDefinitions = definitions;
            Set<String> keyNames = table.keyAttributes();
            table.attributeDefinitions.keySet().retainAll(keyNames);
            if (!table.attributeDefinitions.keySet().containsAll(keyNames)) {
                throw invalidParameters("Some index key attributes are not defined in AttributeDefinitions");
            }
            if (input.struct("StreamSpecification") != null) {
                Input spec = input.struct("StreamSpecification");
                if (spec.bool("StreamEnabled", false) && table.streamEnabled) {
                    throw validation("Table already has an enabled stream: " + table.arn + "/stream/"
                            + table.streamLabel);
                }
                stream(table, spec, now);
            }
            sse(table, input.struct("SSESpecification"));
            if (input.has("DeletionProtectionEnabled")) {
                table.deletionProtection = input.bool("DeletionProtectionEnabled");
            }
            if (input.has("TableClass")) {
                table.tableClass = input.string("TableClass");
            }
            tables.put(table);
            return Shape.of().put("TableDescription", description(table, "ACTIVE"));
        });
    }

    private PreparedCall deleteTable(Call call, Input input) {
        Target target = target(tables, call, input.string("TableName"), "tableName");
        return PreparedCall.of(List.of(onTable("DeleteTable", target)), () -> {
            Table table = current(target);
            if (table.deletionProtection) {
                throw validation("Resource cannot be deleted as it is currently protected against deletion. Disable"
                        + " deletion protection first.");
            }
            Shape description = description(table, "DELETING");
            tables.remove(table);
            return Shape.of().put("TableDescription", description);
        });
    }

    private PreparedCall describeLimits(Call call, Input input) {
        return PreparedCall.of(List.of(AccessCheck.of("dynamodb:DescribeLimits", "*")), () -> Shape.of()
                .put("AccountMaxReadCapacityUnits", 80000L).put("AccountMaxWriteCapacityUnits", 80000L)
                .put("TableMaxReadCapacityUnits", 40000L).put("TableMaxWriteCapacityUnits", 40000L));
    }

    // ---- TTL --------------------------------------------------------------------------------------------

    private PreparedCall updateTimeToLive(Call call, Input input) {
        Target target = target(tables, call, input.string("TableName"), "tableName");
        Input spec = input.struct("TimeToLiveSpecification");
        boolean enabled = spec.bool("Enabled");
        String attribute = spec.string("AttributeName");
        return PreparedCall.of(List.of(onTable("UpdateTimeToLive", target)), () -> {
            Table table = current(target).copy();
            if (enabled && table.ttlEnabled) {
                throw validation("TimeToLive is already enabled");
            }
            if (!enabled && !table.ttlEnabled) {
                throw validation("TimeToLive is already disabled");
            }
            if (!enabled && !attribute.equals(table.ttlAttribute)) {
                throw validation("The attribute name provided does not match the TimeToLive attribute name of the"
                        + " table: " + table.ttlAttribute);
            }
            table.ttlEnabled = enabled;
            table.ttlAttribute = enabled ? attribute : null;
            tables.put(table);
            return Shape.of().put("TimeToLiveSpecification", Shape.of().put("Enabled", enabled)
                    .put("AttributeName", attribute));
        });
    }

    private PreparedCall describeTimeToLive(Call call, Input input) {
        Target target = target(tables, call, input.string("TableName"), "tableName");
        return PreparedCall.of(List.of(onTable("DescribeTimeToLive", target)), () -> {
            Table table = current(target);
            return Shape.of().put("TimeToLiveDescription", Shape.of().put("TimeToLiveStatus",
                    table.ttlEnabled ? "ENABLED" : "DISABLED").put("AttributeName", table.ttlAttribute));
        });
    }

    // ---- tags -------------------------------------------------------------------------------------------

    private Table taggedTable(Target target) {
        return tables.table(target.arn()).orElseThrow(() -> new AwsException("ResourceNotFoundException", 400,
                "Requested resource not found: ResourcArn: " + target.arn() + " not found"));
    }

    private PreparedCall tagResource(Call call, Input input) {
        Target target = resource(call, input.string("ResourceArn"));
        Map<String, String> given = tags(input.list("Tags"));
        RequestContext.Builder context = tagContext(target.table());
        given.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        context.multi("aws:TagKeys", new ArrayList<>(given.keySet()));
        return PreparedCall.of(List.of(onTable(tables, "TagResource", target.arn(), target, context)), () -> {
            Table table = taggedTable(target).copy();
            table.tags.putAll(given);
            if (table.tags.size() > 50) {
                throw validation("One or more parameter values were invalid: The number of tags exceeds the limit"
                        + " of 50");
            }
            tables.put(table);
            return null;
        });
    }

    private PreparedCall untagResource(Call call, Input input) {
        Target target = resource(call, input.string("ResourceArn"));
        List<String> keys = input.list("TagKeys");
        RequestContext.Builder context = tagContext(target.table());
        context.multi("aws:TagKeys", keys);
        return PreparedCall.of(List.of(onTable(tables, "UntagResource", target.arn(), target, context)), () -> {
            Table table = taggedTable(target).copy();
            keys.forEach(table.tags::remove);
            tables.put(table);
            return null;
        });
    }

    private PreparedCall listTagsOfResource(Call call, Input input) {
        Target target = resource(call, input.string("ResourceArn"));
        return PreparedCall.of(List.of(onTable("ListTagsOfResource", target)), () -> {
            List<Shape> tags = new ArrayList<>();
            taggedTable(target).tags.forEach((k, v) -> tags.add(Shape.of().put("Key", k).put("Value", v)));
            return Shape.of().put("Tags", tags);
        });
    }

    // ---- resource policies ------------------------------------------------------------------------------

    private static void checkedPolicy(String text, String arn) {
        if (text.length() > 20 * 1024) {
            throw validation("Resource-based policy size exceeds the maximum allowed size of 20 KB");
        }
        try {
            DynamoDirectory.parsePolicy(text, arn);
        } catch (InvalidPolicyException e) {
            throw validation("Invalid policy document: " + e.getMessage());
        }
    }

    private static AwsException noPolicy(String arn) {
        return new AwsException("PolicyNotFoundException", 400, "Resource-based policy not found for the provided"
                + " ResourceArn: " + arn);
    }

    private static void expectRevision(Table table, String expected) {
        if (expected != null && !expected.equals(table.policyRevision)) {
            throw new AwsException("PolicyNotFoundException", 400, "Resource-based policy not found for the provided"
                    + " ResourceArn: Requested update for policy with revision id " + expected + ", but the policy"
                    + " associated to target table " + table.name + " has revision id " + table.policyRevision
                    + ".");
        }
    }

    private String nextRevision(Table table) {
        long now = tables.clock().millis();
        long previous = table.policyRevision == null ? 0 : Long.parseLong(table.policyRevision);
        return String.valueOf(Math.max(now, previous + 1));
    }

    private PreparedCall putResourcePolicy(Call call, Input input) {
        Target target = resource(call, input.string("ResourceArn"));
        if (input.string("ResourceArn").contains("/stream/") || input.string("ResourceArn").contains("/index/")) {
            throw validation("Invalid TableArn: Invalid ResourceArn provided as input " + input.string("ResourceArn"));
        }
        String text = input.string("Policy");
        checkedPolicy(text, target.arn());
        String expected = input.string("ExpectedRevisionId");
        return PreparedCall.of(List.of(onTable("PutResourcePolicy", target)), () -> {
            Table table = taggedTable(target).copy();
            if (expected != null && table.policy == null) {
                throw noPolicy(input.string("ResourceArn"));
            }
            expectRevision(table, expected);
            table.policy = text;
            table.policyRevision = nextRevision(table);
            tables.put(table);
            return Shape.of().put("RevisionId", table.policyRevision);
        });
    }

    private PreparedCall getResourcePolicy(Call call, Input input) {
        Target target = resource(call, input.string("ResourceArn"));
        return PreparedCall.of(List.of(onTable("GetResourcePolicy", target)), () -> {
            Table table = taggedTable(target);
            if (table.policy == null) {
                throw noPolicy(input.string("ResourceArn"));
            }
            return Shape.of().put("Policy", table.policy).put("RevisionId", table.policyRevision);
        });
    }

    private PreparedCall deleteResourcePolicy(Call call, Input input) {
        Target target = resource(call, input.string("ResourceArn"));
        String expected = input.string("ExpectedRevisionId");
        return PreparedCall.of(List.of(onTable("DeleteResourcePolicy", target)), () -> {
            Table table = taggedTable(target).copy();
            if (table.policy == null) {
                throw noPolicy(input.string("ResourceArn"));
            }
            expectRevision(table, expected);
            String revision = table.policyRevision;
            table.policy = null;
            table.policyRevision = null;
            tables.put(table);
            return Shape.of().put("RevisionId", revision);
        });
    }

    // ---- TTL expiry -------------------------------------------------------------------------------------

    /**
     * Deletes, in one store transaction, the items of TTL-enabled tables whose TTL attribute (a number of epoch
     * seconds) is at or before the directory's clock, as DynamoDB's background deletion does (it takes its time; this
     * runs when called). Items whose time is more than five years past are left, as DynamoDB leaves them. Returns how
     * many it deleted.
     */
    public int sweepExpired(dev.crossrole.server.store.StateSync sync) {
        sync.refresh();
        long now = tables.clock().instant().getEpochSecond();
        java.math.BigDecimal latest = java.math.BigDecimal.valueOf(now);
        java.math.BigDecimal earliest = java.math.BigDecimal.valueOf(now - 5L * 366 * 24 * 3600);
        boolean any = tables.allTables().stream().anyMatch(t -> t.ttlEnabled);
        if (!any) {
            return 0;
        }
        return sync.write(tx -> {
            int deleted = 0;
            for (Table table : tables.allTables()) {
                if (!table.ttlEnabled) {
                    continue;
                }
                List<PrimaryKey> expired = new ArrayList<>();
                tables.itemsOf(table.arn).rows.forEach((key, item) -> {
                    if (item.get(table.ttlAttribute) instanceof AttributeValue.N n && n.value().compareTo(latest) <= 0
                            && n.value().compareTo(earliest) >= 0) {
                        expired.add(key);
                    }
                });
                for (PrimaryKey key : expired) {
                    tables.write(table, key, null);
                    deleted++;
                }
            }
            return deleted;
        });
    }
}
