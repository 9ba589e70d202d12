package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DynamoDB with boto3 ({@code boto3/dynamodb.py}): the client and the resource layer's {@code Table} (its waiter,
 * batch writer, {@code Key}/{@code Attr} condition builders and Decimal numbers), botocore's paginator, DynamoDB's
 * errors as botocore reads them, and another account reaching a table through its resource policy.
 */
class DynamoDbBoto3Test {
    static TestCrossrole crossrole;
    static JsonNode out;

    @BeforeAll
    static void run() throws Exception {
        crossrole = new TestCrossrole();
        out = Boto3Script.run(crossrole, "/boto3/dynamodb.py", 120, DESTINATION);
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    @Test
    void theTableApiWithConditionsAndBatches() {
        assertEquals("ACTIVE", out.path("status").asText());
        assertEquals(30, out.path("count").asInt());
        assertEquals("[\"s13\",\"s16\",\"s19\"]", out.path("query").toString());
        assertEquals(6, out.path("byYear").asInt());
        assertEquals(30, out.path("scanned").asInt());
        assertEquals(1, out.path("updated").path("plays").asInt());
        assertEquals("[\"w\",\"x\",\"y\"]", out.path("updated").path("tags").toString());
        assertEquals("s03", out.path("deleted").asText());
        assertEquals("ResourceNotFoundException", out.path("gone").path("code").asText());
    }

    @Test
    void errorsAsBotocoreReadsThem() {
        assertEquals("ConditionalCheckFailedException", out.path("conditionFailed").path("code").asText());
        assertEquals("The provided key element does not match the schema", out.path("badKey").path("message")
                .asText());
        assertEquals("ValidationException", out.path("syntax").path("code").asText());
        assertTrue(out.path("syntax").path("message").asText().startsWith("Invalid KeyConditionExpression: Syntax"
                + " error;"), out.path("syntax").toString());
        assertEquals("Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}",
                out.path("unused").path("message").asText());
        assertEquals("ExpressionAttributeNames can only be specified when using expressions",
                out.path("namesWithoutExpression").path("message").asText());
        assertEquals("TransactionCanceledException", out.path("transaction").path("code").asText());
        assertEquals("Transaction cancelled, please refer cancellation reasons for specific reasons"
                + " [ConditionalCheckFailed, None]", out.path("transaction").path("message").asText());
        assertTrue(out.path("stillThere").asBoolean());
    }

    @Test
    void anotherAccountThroughTheTablePolicy() {
        assertEquals("AccessDeniedException", out.path("otherDenied").path("code").asText());
        assertEquals(400, out.path("otherDenied").path("status").asInt());
        assertEquals(10, out.path("otherQuery").asInt());
        assertEquals("AccessDeniedException", out.path("otherGetStillDenied").path("code").asText());
    }
}
