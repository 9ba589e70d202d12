package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SNS with boto3 ({@code boto3/sns.py}): botocore's Query protocol and its modelled exceptions, its paginator,
 * filter policies and raw delivery to SQS, batches, and another account's subscription decided by the topic's policy
 * with delivery decided by its queue's.
 */
class SnsBoto3Test {
    static TestCrossrole crossrole;
    static JsonNode out;

    @BeforeAll
    static void run() throws Exception {
        crossrole = new TestCrossrole();
        out = Boto3Script.run(crossrole, "/boto3/sns.py", 90, DESTINATION);
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    @Test
    void topicsAndTheirErrors() {
        String topic = "arn:aws:sns:us-east-1:" + SOURCE + ":boto3-topic";
        assertEquals(topic, out.path("topic").asText());
        assertEquals(topic, out.path("sameTopic").asText());
        assertEquals("InvalidParameter", out.path("badName").path("code").asText());
        assertEquals("Invalid parameter: Topic Name", out.path("badName").path("message").asText());
        assertEquals("NotFound", out.path("missing").path("code").asText());
        assertEquals(404, out.path("missing").path("status").asInt());
        assertTrue(out.path("missingModelled").asBoolean());
        assertEquals("Boto3", out.path("displayName").asText());
        assertEquals("[\"" + topic + "\"]", out.path("topics").toString());
        assertEquals("[{\"Key\":\"team\",\"Value\":\"shop\"}]", out.path("tags").toString());
        assertEquals("NotFound", out.path("deleted").path("code").asText());
    }

    @Test
    void filteredRawDeliveryAndBatches() {
        assertTrue(out.path("subscription").asText().startsWith("arn:aws:sns:us-east-1:" + SOURCE
                + ":boto3-topic:"));
        assertEquals("Invalid parameter: Attributes Reason: FilterPolicy: exists match pattern must be either true or"
                + " false.", out.path("badFilter").path("message").asText());
        assertEquals("[\"blue one\",\"cyan one\"]", out.path("received").toString());
        assertEquals("[\"a\"]", out.path("batch").path("ok").toString());
        assertEquals("[\"InvalidParameter\"]", out.path("batch").path("failed").toString());
        assertEquals("Invalid parameter: Empty message", out.path("emptyMessage").path("message").asText());
        assertEquals("[]", out.path("afterUnsubscribe").toString());
    }

    @Test
    void anotherAccountSubscribesByTheTopicPolicyAndReceivesByItsQueuePolicy() {
        assertEquals("AuthorizationError", out.path("deniedSubscribe").path("code").asText());
        assertEquals(403, out.path("deniedSubscribe").path("status").asInt());
        assertEquals("[\"across\"]", out.path("across").toString());
    }
}
