package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.policy.Outcome;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.requestlog.RecordedRequest;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * DynamoDB through the SDK for Java v2: tables with keys and indexes, items with condition, update and projection
 * expressions, queries and scans in pages, batches and transactions, TTL, tags, resource policies deciding another
 * account's access, fine-grained access by leading keys, and tables that survive a restart.
 */
class DynamoDbSdkTest {
    static MutableClock clock = MutableClock.frozenNow();
    static TestCrossrole crossrole;
    static DynamoDbClient ddb;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole(clock);
        ddb = client(crossrole.endpoint(), crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        ddb.close();
        crossrole.close();
    }

    static DynamoDbClient client(String endpoint, AwsCredentialsProvider credentials) {
        return DynamoDbClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }

    static AttributeValue n(String value) {
        return AttributeValue.builder().n(value).build();
    }

    /** A table keyed by pk (S) and sk (N), on demand. */
    static TableDescription table(String name) {
        return ddb.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(def("pk", ScalarAttributeType.S), def("sk", ScalarAttributeType.N))
                .keySchema(key("pk", KeyType.HASH), key("sk", KeyType.RANGE))).tableDescription();
    }

    static AttributeDefinition def(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
    }

    static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    static Map<String, AttributeValue> item(Object... pairs) {
        Map<String, AttributeValue> item = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            Object value = pairs[i + 1];
            item.put((String) pairs[i], value instanceof AttributeValue v ? v : value instanceof Number
                    ? n(value.toString()) : s(value.toString()));
        }
        return item;
    }

    @Test
    void tablesTheirKeysIndexesAndSettings() {
        TableDescription created = ddb.createTable(r -> r.tableName("orders")
                .attributeDefinitions(def("customer", ScalarAttributeType.S), def("placed", ScalarAttributeType.N),
                        def("status", ScalarAttributeType.S), def("total", ScalarAttributeType.N))
                .keySchema(key("customer", KeyType.HASH), key("placed", KeyType.RANGE))
                .provisionedThroughput(t -> t.readCapacityUnits(5L).writeCapacityUnits(5L))
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName("byStatus")
                        .keySchema(key("status", KeyType.HASH), key("placed", KeyType.RANGE))
                        .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build())
                        .provisionedThroughput(t -> t.readCapacityUnits(1L).writeCapacityUnits(1L)).build())
                .localSecondaryIndexes(LocalSecondaryIndex.builder().indexName("byTotal")
                        .keySchema(key("customer", KeyType.HASH), key("total", KeyType.RANGE))
                        .projection(Projection.builder().projectionType(ProjectionType.INCLUDE)
                                .nonKeyAttributes("note").build()).build())
                .tags(t -> t.key("team").value("shop")).deletionProtectionEnabled(true)).tableDescription();
        assertEquals("arn:aws:dynamodb:us-east-1:" + SOURCE + ":table/orders", created.tableArn());
        assertEquals("ACTIVE", created.tableStatusAsString());
        TableDescription described = ddb.describeTable(r -> r.tableName("orders")).table();
        assertEquals(5L, described.provisionedThroughput().readCapacityUnits());
        assertEquals("byStatus", described.globalSecondaryIndexes().get(0).indexName());
        assertEquals(created.tableArn() + "/index/byStatus", described.globalSecondaryIndexes().get(0).indexArn());
        assertEquals(List.of("note"), described.localSecondaryIndexes().get(0).projection().nonKeyAttributes());
        assertEquals(0L, described.itemCount());
        AwsServiceException exists = assertError(400, "ResourceInUseException", "Table already exists: orders",
                () -> table("orders"));
        assertInstanceOf(ResourceInUseException.class, exists);

        // Bad definitions are refused with DynamoDB's messages, creating nothing.
        assertError(400, "ValidationException", "One or more parameter values were invalid: Some index key attributes"
                + " are not defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [other]",
                () -> ddb.createTable(r -> r.tableName("bad").billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(def("other", ScalarAttributeType.S))
                        .keySchema(key("id", KeyType.HASH))));
        assertError(400, "ValidationException", "One or more parameter values were invalid: Number of attributes in"
                + " KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
                () -> ddb.createTable(r -> r.tableName("bad").billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(def("id", ScalarAttributeType.S), def("x", ScalarAttributeType.S))
                        .keySchema(key("id", KeyType.HASH))));
        assertError(400, "ValidationException", "Invalid KeySchema: The first KeySchemaElement is not a HASH key"
                + " type", () -> ddb.createTable(r -> r.tableName("bad").billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(def("id", ScalarAttributeType.S))
                        .keySchema(key("id", KeyType.RANGE))));
        assertError(400, "ValidationException", "One or more parameter values were invalid: ReadCapacityUnits and"
                + " WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
                () -> ddb.createTable(r -> r.tableName("bad").attributeDefinitions(def("id", ScalarAttributeType.S))
                        .keySchema(key("id", KeyType.HASH))));
        assertError(400, "ValidationException", null, () -> ddb.createTable(r -> r.tableName("x")
                .billingMode(BillingMode.PAY_PER_REQUEST).attributeDefinitions(def("id", ScalarAttributeType.S))
                .keySchema(key("id", KeyType.HASH))));
        assertFalse(ddb.listTables().tableNames().contains("bad"));

        AwsServiceException missing = assertError(400, "ResourceNotFoundException",
                "Requested resource not found: Table: nothing not found", () -> ddb.describeTable(r -> r
                        .tableName("nothing")));
        assertInstanceOf(ResourceNotFoundException.class, missing);

        // Listing pages by name.
        for (String name : List.of("list-a", "list-b", "list-c")) {
            table(name);
        }
        var page = ddb.listTables(r -> r.exclusiveStartTableName("list-").limit(2));
        assertEquals(List.of("list-a", "list-b"), page.tableNames());
        assertEquals("list-b", page.lastEvaluatedTableName());
        var next = ddb.listTables(r -> r.exclusiveStartTableName("list-b").limit(2));
        assertEquals("list-c", next.tableNames().get(0));

        // Updates: billing, a new index (filled from the items), deletion protection.
        ddb.putItem(r -> r.tableName("orders").item(item("customer", "c1", "placed", 1, "status", "open",
                "total", 10)));
        TableDescription updated = ddb.updateTable(r -> r.tableName("orders").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(def("total", ScalarAttributeType.N))
                .globalSecondaryIndexUpdates(u -> u.create(c -> c.indexName("byTotal2")
                        .keySchema(key("total", KeyType.HASH)).projection(p -> p.projectionType(ProjectionType.ALL)))))
                .tableDescription();
        assertEquals(BillingMode.PAY_PER_REQUEST, updated.billingModeSummary().billingMode());
        assertEquals(1, ddb.query(r -> r.tableName("orders").indexName("byTotal2")
                .keyConditionExpression("#t = :t").expressionAttributeNames(Map.of("#t", "total"))
                .expressionAttributeValues(Map.of(":t", n("10")))).count());
        assertError(400, "ValidationException", "Resource cannot be deleted as it is currently protected against"
                + " deletion. Disable deletion protection first.", () -> ddb.deleteTable(r -> r.tableName("orders")));
        ddb.updateTable(r -> r.tableName("orders").deletionProtectionEnabled(false));
        assertEquals("DELETING", ddb.deleteTable(r -> r.tableName("orders")).tableDescription()
                .tableStatusAsString());
        assertError(400, "ResourceNotFoundException", null, () -> ddb.describeTable(r -> r.tableName("orders")));
    }

    @Test
    void itemsWrittenAndReadWithExpressions() {
        table("items");
        Map<String, AttributeValue> first = item("pk", "a", "sk", 1, "name", "first", "count", 1);
        var put = ddb.putItem(r -> r.tableName("items").item(first)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        assertEquals(1.0, put.consumedCapacity().capacityUnits());
        assertEquals(first, ddb.getItem(r -> r.tableName("items").key(item("pk", "a", "sk", 1))
                .consistentRead(true)).item());
        // A condition that fails changes nothing, and can hand back the item as it is.
        AwsServiceException failed = assertError(400, "ConditionalCheckFailedException",
                "The conditional request failed", () -> ddb.putItem(r -> r.tableName("items")
                        .item(item("pk", "a", "sk", 1, "name", "second")).conditionExpression("attribute_not_exists(pk)")
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));
        assertEquals(first, ((ConditionalCheckFailedException) failed).item());
        // Updates: arithmetic, new attributes, return values.
        var updated = ddb.updateItem(r -> r.tableName("items").key(item("pk", "a", "sk", 1))
                .updateExpression("SET #c = #c + :one, tags = :tags REMOVE #n")
                .conditionExpression("#c = :one").expressionAttributeNames(Map.of("#c", "count", "#n", "name"))
                .expressionAttributeValues(Map.of(":one", n("1"), ":tags", AttributeValue.builder().ss("x", "y")
                        .build())).returnValues(ReturnValue.ALL_NEW));
        assertEquals(n("2"), updated.attributes().get("count"));
        assertNull(updated.attributes().get("name"));
        assertEquals(item("count", 2), ddb.getItem(r -> r.tableName("items").key(item("pk", "a", "sk", 1))
                .projectionExpression("#c").expressionAttributeNames(Map.of("#c", "count"))).item());
        // UpdateItem on a missing key creates the item.
        ddb.updateItem(r -> r.tableName("items").key(item("pk", "b", "sk", 2)).updateExpression("SET v = :v")
                .expressionAttributeValues(Map.of(":v", s("new"))));
        assertEquals(s("new"), ddb.getItem(r -> r.tableName("items").key(item("pk", "b", "sk", 2))).item().get("v"));
        // Key attributes cannot be updated.
        assertError(400, "ValidationException", "One or more parameter values were invalid: Cannot update attribute"
                + " sk. This attribute is part of the key", () -> ddb.updateItem(r -> r.tableName("items")
                        .key(item("pk", "b", "sk", 2)).updateExpression("SET sk = :v")
                        .expressionAttributeValues(Map.of(":v", n("3")))));
        // Keys must match the schema.
        assertError(400, "ValidationException", "The provided key element does not match the schema",
                () -> ddb.getItem(r -> r.tableName("items").key(item("pk", "a"))));
        assertError(400, "ValidationException", "The provided key element does not match the schema",
                () -> ddb.getItem(r -> r.tableName("items").key(item("pk", "a", "sk", "1"))));
        assertError(400, "ValidationException", "One or more parameter values were invalid: Missing the key sk in"
                + " the item", () -> ddb.putItem(r -> r.tableName("items").item(item("pk", "a"))));
        assertError(400, "ValidationException", "One or more parameter values were invalid: Type mismatch for key pk"
                + " expected: S actual: N", () -> ddb.putItem(r -> r.tableName("items").item(item("pk", 1, "sk", 1))));
        assertError(400, "ValidationException", "One or more parameter values are not valid. The AttributeValue for a"
                + " key attribute cannot contain an empty string value. Key: pk", () -> ddb.putItem(r -> r
                        .tableName("items").item(item("pk", "", "sk", 1))));
        // Values DynamoDB cannot store.
        assertError(400, "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the"
                + " supported datatypes", () -> ddb.putItem(r -> r.tableName("items").item(item("pk", "c", "sk", 1,
                        "x", AttributeValue.builder().build()))));
        assertError(400, "ValidationException", "One or more parameter values were invalid: Input collection [a, a]"
                + " contains duplicates.", () -> ddb.putItem(r -> r.tableName("items").item(item("pk", "c", "sk", 1,
                        "x", AttributeValue.builder().ss("a", "a").build()))));
        assertError(400, "ValidationException", "Number overflow. Attempting to store a number with magnitude larger"
                + " than supported range", () -> ddb.putItem(r -> r.tableName("items").item(item("pk", "c", "sk",
                        1, "x", n("1E+126")))));
        assertError(400, "ValidationException", "Item size has exceeded the maximum allowed size",
                () -> ddb.putItem(r -> r.tableName("items").item(item("pk", "c", "sk", 1, "x", "a".repeat(410_000)))));
        assertFalse(ddb.getItem(r -> r.tableName("items").key(item("pk", "c", "sk", 1))).hasItem());
        // Deletes, with their old item.
        assertEquals(n("2"), ddb.deleteItem(r -> r.tableName("items").key(item("pk", "a", "sk", 1))
                .returnValues(ReturnValue.ALL_OLD)).attributes().get("count"));
        assertFalse(ddb.getItem(r -> r.tableName("items").key(item("pk", "a", "sk", 1))).hasItem());
        assertError(400, "ResourceNotFoundException", "Requested resource not found", () -> ddb.getItem(r -> r
                .tableName("nothing").key(item("pk", "a", "sk", 1))));
        assertError(400, "ValidationException", "Return values set to invalid value", () -> ddb.putItem(r -> r
                .tableName("items").item(item("pk", "d", "sk", 1)).returnValues(ReturnValue.ALL_NEW)));
    }

    @Test
    void queriesAndScansInPages() {
        ddb.createTable(r -> r.tableName("events").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(def("pk", ScalarAttributeType.S), def("sk", ScalarAttributeType.N),
                        def("kind", ScalarAttributeType.S))
                .keySchema(key("pk", KeyType.HASH), key("sk", KeyType.RANGE))
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName("byKind")
                        .keySchema(key("kind", KeyType.HASH), key("sk", KeyType.RANGE))
                        .projection(p -> p.projectionType(ProjectionType.ALL)).build()));
        List<WriteRequest> writes = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            Map<String, AttributeValue> event = item("pk", "p", "sk", i, "size", i * 10);
            if (i % 3 == 0) {
                event.put("kind", s("third"));
            }
            writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(event).build()).build());
        }
        ddb.batchWriteItem(r -> r.requestItems(Map.of("events", writes)));
        ddb.putItem(r -> r.tableName("events").item(item("pk", "q", "sk", 100)));

        // Numbers sort numerically (10 after 9); a page of 5 gives the key to go on from.
        QueryResponse first = ddb.query(r -> r.tableName("events").keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", s("p"))).limit(5));
        assertEquals(List.of("1", "2", "3", "4", "5"), first.items().stream().map(i -> i.get("sk").n()).toList());
        assertEquals(item("pk", "p", "sk", 5), first.lastEvaluatedKey());
        QueryResponse rest = ddb.query(r -> r.tableName("events").keyConditionExpression("pk = :p AND sk > :from")
                .expressionAttributeValues(Map.of(":p", s("p"), ":from", n("3"))).exclusiveStartKey(
                        first.lastEvaluatedKey()).scanIndexForward(false));
        // Backwards from 5, only 4 is above 3.
        assertEquals(List.of("4"), rest.items().stream().map(i -> i.get("sk").n()).toList());
        QueryResponse after = ddb.query(r -> r.tableName("events").keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", s("p"))).exclusiveStartKey(first.lastEvaluatedKey()));
        assertEquals(7, after.count());
        assertFalse(after.hasLastEvaluatedKey());
        // Filters count after reading: ScannedCount is what was read.
        QueryResponse filtered = ddb.query(r -> r.tableName("events")
                .keyConditionExpression("pk = :p AND sk BETWEEN :a AND :b").filterExpression("#s >= :min")
                .expressionAttributeNames(Map.of("#s", "size")).expressionAttributeValues(Map.of(":p", s("p"),
                        ":a", n("2"), ":b", n("10"), ":min", n("50"))).select(Select.COUNT));
        assertEquals(6, filtered.count());
        assertEquals(9, filtered.scannedCount());
        // The index holds only the items that have its key (sparse).
        QueryResponse thirds = ddb.query(r -> r.tableName("events").indexName("byKind")
                .keyConditionExpression("kind = :k").expressionAttributeValues(Map.of(":k", s("third")))
                .scanIndexForward(false));
        assertEquals(List.of("12", "9", "6", "3"), thirds.items().stream().map(i -> i.get("sk").n()).toList());
        // An index's pages go on from a key of the index and the table.
        QueryResponse firstThirds = ddb.query(r -> r.tableName("events").indexName("byKind").limit(2)
                .keyConditionExpression("kind = :k").expressionAttributeValues(Map.of(":k", s("third"))));
        assertEquals(item("kind", "third", "pk", "p", "sk", 6), firstThirds.lastEvaluatedKey());
        QueryResponse nextThirds = ddb.query(r -> r.tableName("events").indexName("byKind")
                .exclusiveStartKey(firstThirds.lastEvaluatedKey()).keyConditionExpression("kind = :k")
                .expressionAttributeValues(Map.of(":k", s("third"))));
        assertEquals(List.of("9", "12"), nextThirds.items().stream().map(i -> i.get("sk").n()).toList());
        assertError(400, "ValidationException", "The provided starting key is invalid: The provided key element does"
                + " not match the schema", () -> ddb.query(r -> r.tableName("events").indexName("byKind")
                        .exclusiveStartKey(item("pk", "p", "sk", 6)).keyConditionExpression("kind = :k")
                        .expressionAttributeValues(Map.of(":k", s("third")))));
        assertError(400, "ValidationException", "Consistent reads are not supported on global secondary indexes",
                () -> ddb.query(r -> r.tableName("events").indexName("byKind").consistentRead(true)
                        .keyConditionExpression("kind = :k").expressionAttributeValues(Map.of(":k", s("third")))));
        assertError(400, "ValidationException", "The table does not have the specified index: nope",
                () -> ddb.query(r -> r.tableName("events").indexName("nope")
                        .keyConditionExpression("kind = :k").expressionAttributeValues(Map.of(":k", s("third")))));
        // Scans: everything, in pages, and in segments that add up to the whole.
        assertEquals(13, ddb.scan(r -> r.tableName("events")).count());
        int paged = 0;
        for (var page : ddb.scanPaginator(r -> r.tableName("events").limit(4))) {
            paged += page.count();
        }
        assertEquals(13, paged);
        int segments = 0;
        for (int segment = 0; segment < 3; segment++) {
            int s = segment;
            segments += ddb.scan(r -> r.tableName("events").segment(s).totalSegments(3)).count();
        }
        assertEquals(13, segments);
        assertEquals(4, ddb.scan(r -> r.tableName("events").indexName("byKind")).count());
        assertError(400, "ValidationException", null, () -> ddb.scan(r -> r.tableName("events").segment(1)));
    }

    @Test
    void legacyParametersStillWork() {
        table("legacy");
        ddb.putItem(r -> r.tableName("legacy").item(item("pk", "a", "sk", 1, "v", "one", "n", 5)));
        ddb.putItem(r -> r.tableName("legacy").item(item("pk", "a", "sk", 2, "v", "two", "n", 50)));
        // Expected, AttributesToGet, AttributeUpdates, KeyConditions with QueryFilter, ScanFilter.
        assertError(400, "ConditionalCheckFailedException", "The conditional request failed", () -> ddb.putItem(r -> r
                .tableName("legacy").item(item("pk", "a", "sk", 1)).expected(Map.of("pk",
                        software.amazon.awssdk.services.dynamodb.model.ExpectedAttributeValue.builder().exists(false)
                                .build()))));
        assertEquals(item("v", "one"), ddb.getItem(r -> r.tableName("legacy").key(item("pk", "a", "sk", 1))
                .attributesToGet("v")).item());
        ddb.updateItem(r -> r.tableName("legacy").key(item("pk", "a", "sk", 1)).attributeUpdates(Map.of("n",
                software.amazon.awssdk.services.dynamodb.model.AttributeValueUpdate.builder().action("ADD")
                        .value(n("1")).build())));
        assertEquals(n("6"), ddb.getItem(r -> r.tableName("legacy").key(item("pk", "a", "sk", 1))).item().get("n"));
        var legacyQuery = ddb.query(r -> r.tableName("legacy").keyConditions(Map.of("pk",
                software.amazon.awssdk.services.dynamodb.model.Condition.builder().comparisonOperator("EQ")
                        .attributeValueList(s("a")).build())).queryFilter(Map.of("n",
                software.amazon.awssdk.services.dynamodb.model.Condition.builder().comparisonOperator("GT")
                        .attributeValueList(n("10")).build())));
        assertEquals(1, legacyQuery.count());
        assertEquals(2, legacyQuery.scannedCount());
        assertEquals(1, ddb.scan(r -> r.tableName("legacy").scanFilter(Map.of("v",
                software.amazon.awssdk.services.dynamodb.model.Condition.builder().comparisonOperator("BEGINS_WITH")
                        .attributeValueList(s("tw")).build()))).count());
        assertError(400, "ValidationException", "Can not use both expression and non-expression parameters in the"
                + " same request: Non-expression parameters: {AttributesToGet} Expression parameters:"
                + " {ProjectionExpression}", () -> ddb.getItem(r -> r.tableName("legacy")
                        .key(item("pk", "a", "sk", 1)).attributesToGet("v").projectionExpression("v")));
        assertError(400, "ValidationException", "Filter Expression can only contain non-primary key attributes:"
                + " Primary key attribute: sk", () -> ddb.query(r -> r.tableName("legacy")
                        .keyConditionExpression("pk = :p").filterExpression("sk > :s")
                        .expressionAttributeValues(Map.of(":p", s("a"), ":s", n("1")))));
    }

    @Test
    void batchesAndTransactions() {
        table("bank");
        ddb.batchWriteItem(r -> r.requestItems(Map.of("bank", List.of(
                WriteRequest.builder().putRequest(p -> p.item(item("pk", "alice", "sk", 0, "balance", 100))).build(),
                WriteRequest.builder().putRequest(p -> p.item(item("pk", "bob", "sk", 0, "balance", 5))).build()))));
        var got = ddb.batchGetItem(r -> r.requestItems(Map.of("bank", software.amazon.awssdk.services.dynamodb.model
                .KeysAndAttributes.builder().keys(item("pk", "alice", "sk", 0), item("pk", "bob", "sk", 0),
                        item("pk", "carol", "sk", 0)).build())));
        assertEquals(2, got.responses().get("bank").size());
        assertTrue(got.unprocessedKeys().isEmpty());
        assertError(400, "ValidationException", "Provided list of item keys contains duplicates",
                () -> ddb.batchGetItem(r -> r.requestItems(Map.of("bank", software.amazon.awssdk.services.dynamodb
                        .model.KeysAndAttributes.builder().keys(item("pk", "alice", "sk", 0),
                                item("pk", "alice", "sk", 0)).build()))));

        TransactWriteItem debit = TransactWriteItem.builder().update(u -> u.tableName("bank")
                .key(item("pk", "bob", "sk", 0)).updateExpression("SET balance = balance - :a")
                .conditionExpression("balance >= :a").expressionAttributeValues(Map.of(":a", n("10")))).build();
        TransactWriteItem credit = TransactWriteItem.builder().update(u -> u.tableName("bank")
                .key(item("pk", "alice", "sk", 0)).updateExpression("SET balance = balance + :a")
                .expressionAttributeValues(Map.of(":a", n("10")))).build();
        AwsServiceException canceled = assertError(400, "TransactionCanceledException", "Transaction cancelled,"
                + " please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",
                () -> ddb.transactWriteItems(r -> r.transactItems(credit, debit)));
        List<CancellationReason> reasons = ((TransactionCanceledException) canceled).cancellationReasons();
        assertEquals(List.of("None", "ConditionalCheckFailed"), reasons.stream().map(CancellationReason::code).toList());
        // Nothing moved.
        assertEquals(n("100"), ddb.getItem(r -> r.tableName("bank").key(item("pk", "alice", "sk", 0))).item()
                .get("balance"));

        TransactWriteItem debitAlice = TransactWriteItem.builder().update(u -> u.tableName("bank")
                .key(item("pk", "alice", "sk", 0)).updateExpression("SET balance = balance - :a")
                .conditionExpression("balance >= :a").expressionAttributeValues(Map.of(":a", n("30")))).build();
        TransactWriteItem creditBob = TransactWriteItem.builder().update(u -> u.tableName("bank")
                .key(item("pk", "bob", "sk", 0)).updateExpression("SET balance = balance + :a")
                .expressionAttributeValues(Map.of(":a", n("30")))).build();
        ddb.transactWriteItems(r -> r.transactItems(debitAlice, creditBob).clientRequestToken("move-30"));
        // The same token and request within ten minutes is the same transaction: it does not run twice.
        ddb.transactWriteItems(r -> r.transactItems(debitAlice, creditBob).clientRequestToken("move-30"));
        var balances = ddb.transactGetItems(r -> r.transactItems(
                t -> t.get(g -> g.tableName("bank").key(item("pk", "alice", "sk", 0))),
                t -> t.get(g -> g.tableName("bank").key(item("pk", "bob", "sk", 0))))).responses();
        assertEquals(n("70"), balances.get(0).item().get("balance"));
        assertEquals(n("35"), balances.get(1).item().get("balance"));
        assertError(400, "IdempotentParameterMismatchException", null, () -> ddb.transactWriteItems(r -> r
                .transactItems(debitAlice).clientRequestToken("move-30")));
        assertError(400, "ValidationException", "Transaction request cannot include multiple operations on one item",
                () -> ddb.transactWriteItems(r -> r.transactItems(debitAlice, credit)));
        var capacity = ddb.transactWriteItems(r -> r.transactItems(TransactWriteItem.builder().put(p -> p
                .tableName("bank").item(item("pk", "dave", "sk", 0))).build())
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).consumedCapacity();
        assertEquals(List.of(2.0), capacity.stream().map(ConsumedCapacity::capacityUnits).toList());
    }

    @Test
    void ttlTagsAndResourcePolicies() throws Exception {
        String arn = table("shared").tableArn();
        ddb.updateTimeToLive(r -> r.tableName("shared").timeToLiveSpecification(t -> t.enabled(true)
                .attributeName("expires")));
        assertEquals("ENABLED", ddb.describeTimeToLive(r -> r.tableName("shared")).timeToLiveDescription()
                .timeToLiveStatusAsString());
        assertError(400, "ValidationException", "TimeToLive is already enabled", () -> ddb.updateTimeToLive(r -> r
                .tableName("shared").timeToLiveSpecification(t -> t.enabled(true).attributeName("expires"))));
        ddb.tagResource(r -> r.resourceArn(arn).tags(t -> t.key("env").value("test")));
        assertEquals("test", ddb.listTagsOfResource(r -> r.resourceArn(arn)).tags().get(0).value());
        ddb.untagResource(r -> r.resourceArn(arn).tagKeys("env"));
        assertTrue(ddb.listTagsOfResource(r -> r.resourceArn(arn)).tags().isEmpty());
        ddb.putItem(r -> r.tableName("shared").item(item("pk", "x", "sk", 1)));

        assertError(400, "PolicyNotFoundException", null, () -> ddb.getResourcePolicy(r -> r.resourceArn(arn)));
        try (DynamoDbClient other = client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION))) {
            // Another account addresses the table by ARN; without a policy granting it, it is denied and told why.
            AwsServiceException denied = assertError(400, "AccessDeniedException", null, () -> other.getItem(r -> r
                    .tableName(arn).key(item("pk", "x", "sk", 1))));
            RecordedRequest record = crossrole.recorded(denied.requestId());
            assertEquals("dynamodb:GetItem", record.action());
            assertEquals(arn, record.resource());
            assertEquals(Outcome.IMPLICIT_DENY, record.decision().outcome());
            assertTrue(denied.awsErrorDetails().errorMessage().contains("dynamodb:GetItem"),
                    denied.awsErrorDetails().errorMessage());
            Run why = CrossroleCommand.run(crossrole.dataDir, "why", "--data-dir", crossrole.dataDir.toString(),
                    "--endpoint", crossrole.endpoint(), denied.requestId());
            assertEquals(0, why.exit(), why.toString());
            assertTrue(why.stdout().contains("dynamodb GetItem"), why.stdout());

            String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                    + "\"arn:aws:iam::" + DESTINATION + ":root\"},\"Action\":[\"dynamodb:GetItem\",\"dynamodb:Query\"],"
                    + "\"Resource\":[\"" + arn + "\",\"" + arn + "/index/*\"]}]}";
            String revision = ddb.putResourcePolicy(r -> r.resourceArn(arn).policy(policy)).revisionId();
            assertEquals(revision, ddb.getResourcePolicy(r -> r.resourceArn(arn)).revisionId());
            assertEquals(item("pk", "x", "sk", 1), other.getItem(r -> r.tableName(arn).key(item("pk", "x", "sk", 1)))
                    .item());
            // The policy lets it read, not write; nor may it change the policy.
            assertError(400, "AccessDeniedException", null, () -> other.putItem(r -> r.tableName(arn)
                    .item(item("pk", "y", "sk", 1))));
            assertError(400, "AccessDeniedException", null, () -> other.deleteResourcePolicy(r -> r
                    .resourceArn(arn)));
            assertError(400, "PolicyNotFoundException", null, () -> ddb.deleteResourcePolicy(r -> r.resourceArn(arn)
                    .expectedRevisionId("1")));
            ddb.deleteResourcePolicy(r -> r.resourceArn(arn).expectedRevisionId(revision));
            assertError(400, "AccessDeniedException", null, () -> other.getItem(r -> r.tableName(arn)
                    .key(item("pk", "x", "sk", 1))));
        }
        assertError(400, "ValidationException", null, () -> ddb.putResourcePolicy(r -> r.resourceArn(arn)
                .policy("{not json")));
    }

    @Test
    void badInputChangesNothing() {
        String arn = table("strict").tableArn();
        String missingArn = arn.replace("strict", "absent");
        assertEquals(80000L, ddb.describeLimits(r -> { }).accountMaxReadCapacityUnits());
        assertError(400, "ValidationException", "At least one of ProvisionedThroughput, BillingMode,"
                + " UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is"
                + " required", () -> ddb.updateTable(r -> r.tableName("strict")));
        assertError(400, "ValidationException", "One or more parameter values were invalid: Neither ReadCapacityUnits"
                + " nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
                () -> ddb.updateTable(r -> r.tableName("strict").provisionedThroughput(t -> t.readCapacityUnits(1L)
                        .writeCapacityUnits(1L))));
        assertError(400, "ResourceNotFoundException", null, () -> ddb.updateTable(r -> r.tableName("absent")
                .deletionProtectionEnabled(true)));
        assertError(400, "ResourceNotFoundException", null, () -> ddb.deleteTable(r -> r.tableName("absent")));
        assertError(400, "ResourceNotFoundException", null, () -> ddb.describeTimeToLive(r -> r.tableName("absent")));
        assertError(400, "ResourceNotFoundException", null, () -> ddb.updateTimeToLive(r -> r.tableName("absent")
                .timeToLiveSpecification(t -> t.enabled(true).attributeName("x"))));
        assertError(400, "ValidationException", "TimeToLive is already disabled", () -> ddb.updateTimeToLive(r -> r
                .tableName("strict").timeToLiveSpecification(t -> t.enabled(false).attributeName("x"))));
        assertError(400, "ValidationException", "Invalid TableArn: Invalid ResourceArn provided as input not-an-arn",
                () -> ddb.tagResource(r -> r.resourceArn("not-an-arn").tags(t -> t.key("k").value("v"))));
        assertError(400, "ResourceNotFoundException", null, () -> ddb.tagResource(r -> r.resourceArn(missingArn)
                .tags(t -> t.key("k").value("v"))));
        assertError(400, "ResourceNotFoundException", null, () -> ddb.untagResource(r -> r.resourceArn(missingArn)
                .tagKeys("k")));
        assertError(400, "ResourceNotFoundException", null, () -> ddb.listTagsOfResource(r -> r
                .resourceArn(missingArn)));
        assertError(400, "ResourceNotFoundException", null, () -> ddb.getResourcePolicy(r -> r
                .resourceArn(missingArn)));
        assertError(400, "PolicyNotFoundException", null, () -> ddb.deleteResourcePolicy(r -> r.resourceArn(arn)));
        assertError(400, "ResourceNotFoundException", null, () -> ddb.putResourcePolicy(r -> r.resourceArn(missingArn)
                .policy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                        + "\"" + SOURCE + "\"},\"Action\":\"dynamodb:GetItem\",\"Resource\":\"" + missingArn + "\"}]}")));
        List<WriteRequest> many = new ArrayList<>();
        for (int i = 0; i < 26; i++) {
            int k = i;
            many.add(WriteRequest.builder().putRequest(p -> p.item(item("pk", "k" + k, "sk", 1))).build());
        }
        assertError(400, "ValidationException", null, () -> ddb.batchWriteItem(r -> r.requestItems(Map.of("strict",
                many))));
        assertError(400, "ValidationException", "Provided list of item keys contains duplicates",
                () -> ddb.batchWriteItem(r -> r.requestItems(Map.of("strict", List.of(many.get(0), many.get(0))))));
        assertError(400, "ResourceNotFoundException", null, () -> ddb.batchWriteItem(r -> r.requestItems(Map.of(
                "absent", List.of(many.get(0))))));
        assertError(400, "ValidationException", "Transaction request cannot include multiple operations on one item",
                () -> ddb.transactGetItems(r -> r.transactItems(
                        t -> t.get(g -> g.tableName("strict").key(item("pk", "a", "sk", 1))),
                        t -> t.get(g -> g.tableName("strict").key(item("pk", "a", "sk", 1))))));
        assertError(400, "ValidationException", "The provided starting key is invalid: The provided key element does"
                + " not match the schema", () -> ddb.scan(r -> r.tableName("strict").exclusiveStartKey(
                        item("pk", "a"))));
        assertError(400, "ValidationException", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near:"
                + " \"SET\"", () -> ddb.updateItem(r -> r.tableName("strict").key(item("pk", "a", "sk", 1))
                        .updateExpression("SET")));
        assertError(400, "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions:"
                + " keys: {:unused}", () -> ddb.deleteItem(r -> r.tableName("strict").key(item("pk", "a", "sk", 1))
                        .conditionExpression("attribute_exists(pk)").expressionAttributeValues(Map.of(":unused",
                                s("x")))));
        assertEquals(0, ddb.scan(r -> r.tableName("strict")).count());
    }

    @Test
    void itemsPastTheirTimeToLiveAreDeletedOnTheServersClock() {
        table("sessions");
        long now = clock.instant().getEpochSecond();
        ddb.putItem(r -> r.tableName("sessions").item(item("pk", "old", "sk", 1, "expires", now - 10)));
        ddb.putItem(r -> r.tableName("sessions").item(item("pk", "soon", "sk", 1, "expires", now + 60)));
        ddb.putItem(r -> r.tableName("sessions").item(item("pk", "ancient", "sk", 1, "expires", now - 6L * 366 * 86400)));
        ddb.putItem(r -> r.tableName("sessions").item(item("pk", "text", "sk", 1, "expires", "not a number")));
        // Nothing expires before TTL is enabled.
        assertEquals(0, crossrole.server.sweepExpiredItems());
        ddb.updateTimeToLive(r -> r.tableName("sessions").timeToLiveSpecification(t -> t.enabled(true)
                .attributeName("expires")));
        assertEquals(1, crossrole.server.sweepExpiredItems());
        assertFalse(ddb.getItem(r -> r.tableName("sessions").key(item("pk", "old", "sk", 1))).hasItem());
        clock.advance(java.time.Duration.ofSeconds(61));
        assertEquals(1, crossrole.server.sweepExpiredItems());
        // Left: the item whose time is more than five years past (DynamoDB leaves those) and the one without a number.
        assertEquals(2, ddb.scan(r -> r.tableName("sessions")).count());
    }

    @Test
    void leadingKeysLimitAUserToItsOwnItems() {
        table("profiles");
        var key = crossrole.user(SOURCE, "tenant", Map.of("own", "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Allow\",\"Action\":[\"dynamodb:GetItem\",\"dynamodb:PutItem\",\"dynamodb:Query\"],"
                + "\"Resource\":\"arn:aws:dynamodb:us-east-1:" + SOURCE + ":table/profiles\",\"Condition\":{"
                + "\"ForAllValues:StringEquals\":{\"dynamodb:LeadingKeys\":[\"${aws:userid}\"]}}}]}"));
        // The user's unique id (AIDA…), which ${aws:userid} stands for, is its partition.
        String own = crossrole.iam().user(SOURCE, "tenant").orElseThrow().userId();
        try (DynamoDbClient tenant = client(crossrole.endpoint(), TestCrossrole.credentials(key))) {
            tenant.putItem(r -> r.tableName("profiles").item(item("pk", own, "sk", 1, "bio", "mine")));
            assertEquals(s("mine"), tenant.getItem(r -> r.tableName("profiles").key(item("pk", own, "sk", 1)))
                    .item().get("bio"));
            assertError(400, "AccessDeniedException", null, () -> tenant.putItem(r -> r.tableName("profiles")
                    .item(item("pk", "someone-else", "sk", 1))));
            assertError(400, "AccessDeniedException", null, () -> tenant.query(r -> r.tableName("profiles")
                    .keyConditionExpression("pk = :p").expressionAttributeValues(Map.of(":p", s("someone-else")))));
            assertEquals(1, tenant.query(r -> r.tableName("profiles").keyConditionExpression("pk = :p")
                    .expressionAttributeValues(Map.of(":p", s(own)))).count());
        }
    }

    @Test
    void tablesAndItemsSurviveARestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (var server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
                DynamoDbClient first = client(server.endpoint(), credentials(server))) {
            first.createTable(r -> r.tableName("durable").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(def("pk", ScalarAttributeType.S), def("g", ScalarAttributeType.S))
                    .keySchema(key("pk", KeyType.HASH)).globalSecondaryIndexes(GlobalSecondaryIndex.builder()
                            .indexName("byG").keySchema(key("g", KeyType.HASH))
                            .projection(p -> p.projectionType(ProjectionType.ALL)).build()));
            first.putItem(r -> r.tableName("durable").item(item("pk", "kept", "g", "group", "b",
                    AttributeValue.builder().b(SdkBytes.fromByteArray(new byte[] {0, 1, (byte) 255})).build())));
            first.putItem(r -> r.tableName("durable").item(item("pk", "gone")));
            first.deleteItem(r -> r.tableName("durable").key(item("pk", "gone")));
        }
        try (var again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
                DynamoDbClient second = client(again.endpoint(), credentials(again))) {
            assertEquals(1L, second.describeTable(r -> r.tableName("durable")).table().itemCount());
            var kept = second.getItem(r -> r.tableName("durable").key(item("pk", "kept"))).item();
            assertEquals(SdkBytes.fromByteArray(new byte[] {0, 1, (byte) 255}), kept.get("b").b());
            assertEquals(1, second.query(r -> r.tableName("durable").indexName("byG").keyConditionExpression("g = :g")
                    .expressionAttributeValues(Map.of(":g", s("group")))).count());
            assertFalse(second.getItem(r -> r.tableName("durable").key(item("pk", "gone"))).hasItem());
        }
    }

    private static AwsCredentialsProvider credentials(CrossroleServer server) {
        var profile = server.profiles().stream().filter(p -> p.account().id().equals(SOURCE)).findFirst()
                .orElseThrow();
        return software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(profile.accessKeyId(),
                        profile.secretAccessKey()));
    }
}
