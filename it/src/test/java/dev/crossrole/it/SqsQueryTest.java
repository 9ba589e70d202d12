package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.it.RawAws.Creds;
import dev.crossrole.it.RawAws.Req;
import dev.crossrole.it.RawAws.Res;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SQS over its Query protocol, as older clients speak it: form parameters with SQS's Query names
 * ({@code Attribute.1.Name}, {@code MessageAttribute.1.Value.StringValue}, {@code SendMessageBatchRequestEntry.1.Id})
 * and XML answers in SQS's namespace, with the same MD5s and errors (in their Query codes) as over JSON.
 */
class SqsQueryTest {
    static TestCrossrole crossrole;
    static RawAws raw;
    static Creds source;
    static Creds destination;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        raw = new RawAws(crossrole.endpoint());
        var s = crossrole.admin(SOURCE);
        source = new Creds(s.accessKeyId(), s.secretAccessKey(), null);
        var d = crossrole.admin(DESTINATION);
        destination = new Creds(d.accessKeyId(), d.secretAccessKey(), null);
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    private static Res call(Creds creds, String action, String... keyValues) throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Action", action);
        params.put("Version", "2012-11-05");
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put(keyValues[i], keyValues[i + 1]);
        }
        Req req = RawAws.query(action);
        req.body = RawAws.form(params);
        return raw.send(raw.sign(req, creds, Instant.now(), "us-east-1", "sqs"));
    }

    @Test
    void queuesAndMessagesOverQuery() throws Exception {
        Res created = call(source, "CreateQueue", "QueueName", "legacy", "Attribute.1.Name", "VisibilityTimeout",
                "Attribute.1.Value", "0", "Tag.1.Key", "team", "Tag.1.Value", "old");
        assertEquals(200, created.status(), created.toString());
        assertEquals("http://queue.amazonaws.com/doc/2012-11-05/", created.xmlRoot().getNamespaceURI());
        String url = created.xmlText("QueueUrl");
        assertEquals(crossrole.endpoint() + "/" + SOURCE + "/legacy", url);

        Res sent = call(source, "SendMessage", "QueueUrl", url, "MessageBody", "hello", "MessageAttribute.1.Name",
                "kind", "MessageAttribute.1.Value.DataType", "String", "MessageAttribute.1.Value.StringValue", "demo");
        assertEquals(200, sent.status(), sent.toString());
        assertEquals("5d41402abc4b2a76b9719d911017c592", sent.xmlText("MD5OfMessageBody"));
        // The digest SQS (and crossrole over JSON) computes for kind=String:demo.
        assertEquals("2413ac7284bdcece25dc751aea3b166f", sent.xmlText("MD5OfMessageAttributes"));

        Res received = call(source, "ReceiveMessage", "QueueUrl", url, "AttributeName.1", "All",
                "MessageAttributeName.1", "All", "MaxNumberOfMessages", "10");
        assertEquals(200, received.status(), received.toString());
        assertEquals("hello", received.xmlText("Body"));
        assertEquals(sent.xmlText("MessageId"), received.xmlText("MessageId"));
        assertTrue(received.body().contains("<MessageAttribute><Name>kind</Name><Value><DataType>String</DataType>"
                + "<StringValue>demo</StringValue></Value></MessageAttribute>"), received.body());
        assertTrue(received.body().contains("<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value>"
                + "</Attribute>"), received.body());

        Res attributes = call(source, "GetQueueAttributes", "QueueUrl", url, "AttributeName.1", "VisibilityTimeout");
        assertTrue(attributes.body().contains("<Attribute><Name>VisibilityTimeout</Name><Value>0</Value></Attribute>"),
                attributes.body());
        Res tags = call(source, "ListQueueTags", "QueueUrl", url);
        assertTrue(tags.body().contains("<Tag><Key>team</Key><Value>old</Value></Tag>"), tags.body());

        Res batch = call(source, "SendMessageBatch", "QueueUrl", url, "SendMessageBatchRequestEntry.1.Id", "a",
                "SendMessageBatchRequestEntry.1.MessageBody", "one", "SendMessageBatchRequestEntry.2.Id", "b",
                "SendMessageBatchRequestEntry.2.MessageBody", "two", "SendMessageBatchRequestEntry.2.DelaySeconds",
                "901");
        assertEquals(200, batch.status(), batch.toString());
        assertTrue(batch.body().contains("<SendMessageBatchResultEntry><Id>a</Id>"), batch.body());
        assertTrue(batch.body().contains("<BatchResultErrorEntry><Id>b</Id>"), batch.body());

        Res deleted = call(source, "DeleteMessage", "QueueUrl", url, "ReceiptHandle",
                received.xmlText("ReceiptHandle"));
        assertEquals(200, deleted.status(), deleted.toString());
        assertTrue(deleted.body().contains("<DeleteMessageResponse"), deleted.body());
        Res listed = call(source, "ListQueues", "QueueNamePrefix", "leg");
        assertEquals(url, listed.xmlText("QueueUrl"));
    }

    @Test
    void errorsCarryTheirQueryCodes() throws Exception {
        Res missing = call(source, "GetQueueUrl", "QueueName", "nothing-here");
        assertEquals(400, missing.status(), missing.toString());
        assertEquals("AWS.SimpleQueueService.NonExistentQueue", missing.xmlText("Code"));
        assertEquals("The specified queue does not exist.", missing.xmlText("Message"));

        String url = call(source, "CreateQueue", "QueueName", "guarded").xmlText("QueueUrl");
        Res denied = call(destination, "SendMessage", "QueueUrl", url, "MessageBody", "x");
        assertEquals(403, denied.status(), denied.toString());
        assertEquals("AccessDenied", denied.xmlText("Code"));
        Res invalid = call(source, "SetQueueAttributes", "QueueUrl", url, "Attribute.1.Name", "DelaySeconds",
                "Attribute.1.Value", "901");
        assertEquals(400, invalid.status(), invalid.toString());
        assertEquals("InvalidAttributeValue", invalid.xmlText("Code"));
    }
}
