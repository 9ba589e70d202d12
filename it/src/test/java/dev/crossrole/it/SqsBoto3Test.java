package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SQS with boto3 ({@code boto3/sqs.py}): botocore's JSON protocol, its MD5 checks of bodies and attributes, the
 * Query codes it reads from {@code x-amzn-query-error}, its paginator, and another account's sends decided by the
 * queue's policy.
 */
class SqsBoto3Test {
    static TestCrossrole crossrole;
    static JsonNode out;

    @BeforeAll
    static void run() throws Exception {
        crossrole = new TestCrossrole();
        out = Boto3Script.run(crossrole, "/boto3/sqs.py", 90, DESTINATION);
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    @Test
    void queuesAndTheirErrors() {
        String url = crossrole.endpoint() + "/" + SOURCE + "/boto3-jobs";
        assertEquals(url, out.path("url").asText());
        assertEquals(url, out.path("sameQueue").asText());
        assertEquals("QueueAlreadyExists", out.path("exists").path("code").asText());
        assertEquals("AWS.SimpleQueueService.NonExistentQueue", out.path("missing").path("code").asText());
        assertEquals(400, out.path("missing").path("status").asInt());
        assertTrue(out.path("missingModelled").asBoolean());
        assertEquals(List.of(url), List.of(out.path("queues").get(0).asText()));
    }

    @Test
    void messagesTheirAttributesAndBatches() {
        JsonNode received = out.path("received");
        assertTrue(received.path("id").asBoolean());
        assertEquals("from boto3", received.path("body").asText());
        assertEquals("7", received.path("n").asText());
        assertEquals("[0,1]", received.path("b").toString());
        assertEquals("1", received.path("count").asText());
        assertEquals("[\"ok\"]", out.path("batch").path("ok").toString());
        assertEquals("[\"InvalidParameterValue\"]", out.path("batch").path("failed").toString());
        assertEquals("ReceiptHandleIsInvalid", out.path("invalidHandle").path("code").asText());
    }

    @Test
    void aMessageReceivedTooOftenMovesToTheDeadLetterQueue() {
        assertEquals(0, out.path("afterRedrive").asInt());
        assertEquals("[\"poison\"]", out.path("inDlq").toString());
        assertEquals("[\"" + crossrole.endpoint() + "/" + SOURCE + "/boto3-src\"]", out.path("sources").toString());
    }

    @Test
    void fifoQueuesDeduplicateAndKeepOrder() {
        assertTrue(out.path("fifo").path("deduplicated").asBoolean());
        assertEquals(20, out.path("fifo").path("sequence").asInt());
        assertEquals("[\"one\",\"two\"]", out.path("fifo").path("bodies").toString());
    }

    @Test
    void sseKmsWithTheAwsManagedKeyServesItsAccountOnly() {
        assertEquals("sealed", out.path("sseKms").path("body").asText());
        assertEquals("alias/aws/sqs", out.path("sseKms").path("key").asText());
        assertEquals("AccessDenied", out.path("sseKms").path("otherAccount").path("code").asText());
        // The queue's policy lets the other account send, but the AWS managed key serves its own account only.
        assertEquals("KMS.AccessDeniedException", out.path("sseKms").path("otherAccountWithPolicy").path("code")
                .asText());
    }

    @Test
    void anEmptyLongPollWaitsItsTime() {
        assertEquals(0, out.path("longPoll").path("messages").asInt());
        assertTrue(out.path("longPoll").path("waited").asBoolean());
    }

    @Test
    void theQueuePolicyDecidesAnotherAccountsSends() {
        assertEquals("AccessDenied", out.path("deniedSend").path("code").asText());
        assertEquals(403, out.path("deniedSend").path("status").asInt());
        assertTrue(out.path("allowedSend").asBoolean());
    }

    @Test
    void addPermissionLetsAnotherAccountReceiveUntilRemoved() {
        assertEquals("AccessDenied", out.path("deniedReceive").path("code").asText());
        assertTrue(out.path("allowedReceive").asBoolean());
        assertEquals("AccessDenied", out.path("deniedAgain").path("code").asText());
    }
}
