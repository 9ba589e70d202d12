package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DynamoDB through the AWS CLI v1 ({@code aws} on PATH, pointed at crossrole by {@code AWS_ENDPOINT_URL}). */
class DynamoDbCliTest {
    static TestCrossrole crossrole;
    static Path work;
    static Path config;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        work = Files.createTempDirectory("crossrole-dynamodb-cli");
        config = work.resolve("config");
        Files.writeString(config, "[default]\nregion = us-east-1\noutput = json\n");
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Run aws(String... args) throws Exception {
        return AwsCli.run(crossrole, work, work, config, Map.of("AWS_PROFILE", "source"), args);
    }

    @Test
    void tablesItemsAndErrors() throws Exception {
        JsonNode created = AwsCli.ok(aws("dynamodb", "create-table", "--table-name", "cli-notes",
                "--attribute-definitions", "AttributeName=id,AttributeType=S", "--key-schema",
                "AttributeName=id,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST"));
        assertEquals("ACTIVE", created.path("TableDescription").path("TableStatus").asText());
        AwsCli.ok(aws("dynamodb", "wait", "table-exists", "--table-name", "cli-notes"));
        AwsCli.ok(aws("dynamodb", "put-item", "--table-name", "cli-notes", "--item",
                "{\"id\":{\"S\":\"n1\"},\"text\":{\"S\":\"hello\"},\"n\":{\"N\":\"1.50\"}}"));
        JsonNode item = AwsCli.ok(aws("dynamodb", "get-item", "--table-name", "cli-notes", "--key",
                "{\"id\":{\"S\":\"n1\"}}")).path("Item");
        assertEquals("hello", item.path("text").path("S").asText());
        // Numbers come back as DynamoDB keeps them: without trailing zeros.
        assertEquals("1.5", item.path("n").path("N").asText());
        JsonNode updated = AwsCli.ok(aws("dynamodb", "update-item", "--table-name", "cli-notes", "--key",
                "{\"id\":{\"S\":\"n1\"}}", "--update-expression", "SET n = n + :d", "--expression-attribute-values",
                "{\":d\":{\"N\":\"1\"}}", "--return-values", "UPDATED_NEW"));
        assertEquals("2.5", updated.path("Attributes").path("n").path("N").asText());
        JsonNode scanned = AwsCli.ok(aws("dynamodb", "scan", "--table-name", "cli-notes"));
        assertEquals(1, scanned.path("Count").asInt());

        Run failed = aws("dynamodb", "put-item", "--table-name", "cli-notes", "--item", "{\"id\":{\"S\":\"n1\"}}",
                "--condition-expression", "attribute_not_exists(id)");
        assertTrue(failed.exit() == 254 || failed.exit() == 255, failed.toString());
        assertTrue(failed.stderr().contains("(ConditionalCheckFailedException) when calling the PutItem operation:"
                + " The conditional request failed"), failed.stderr());
        Run missing = aws("dynamodb", "describe-table", "--table-name", "cli-none");
        assertTrue(missing.stderr().contains("(ResourceNotFoundException) when calling the DescribeTable operation:"
                + " Requested resource not found: Table: cli-none not found"), missing.stderr());
        AwsCli.ok(aws("dynamodb", "delete-table", "--table-name", "cli-notes"));
        assertEquals(0, AwsCli.ok(aws("dynamodb", "list-tables")).path("TableNames").size());
    }
}
