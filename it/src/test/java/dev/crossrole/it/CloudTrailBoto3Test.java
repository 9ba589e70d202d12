package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CloudTrail's event history with boto3 ({@code boto3/cloudtrail.py}): botocore's JSON 1.1 protocol, its paginator
 * over LookupEvents' tokens, timestamps it parses, a role session's identity, and CloudTrail's error codes.
 */
class CloudTrailBoto3Test {
    static TestCrossrole crossrole;
    static JsonNode out;

    @BeforeAll
    static void run() throws Exception {
        crossrole = new TestCrossrole();
        crossrole.role(SOURCE, "boto3-trail-role", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},\"Action\":\"sts:AssumeRole\"}]}",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:*\","
                        + "\"Resource\":\"*\"}]}");
        out = Boto3Script.run(crossrole, "/boto3/cloudtrail.py", 90,
                TestCrossrole.roleArn(SOURCE, "boto3-trail-role"));
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    @Test
    void managementEventsPageByPageNewestFirst() {
        assertEquals("[2,1]", out.path("pageSizes").toString());
        assertEquals("[\"boto3-trail-c\",\"boto3-trail-b\",\"boto3-trail-a\"]", out.path("queues").toString());
        assertTrue(out.path("eventTimeIsDate").asBoolean());
        assertEquals("[\"admin\"]", out.path("usernames").toString());
        assertEquals(0, out.path("sendMessage").asInt());
    }

    @Test
    void aRoleSessionsCallShowsItsIssuerAndNoSecret() {
        JsonNode session = out.path("session");
        assertEquals("[\"ListQueues\"]", session.path("names").toString());
        assertEquals("AssumedRole", session.path("type").asText());
        assertEquals(TestCrossrole.roleArn(SOURCE, "boto3-trail-role"), session.path("issuer").asText());
        assertTrue(session.path("keyId").asBoolean());
        assertFalse(out.path("secretInTrail").asBoolean());
    }

    @Test
    void cloudTrailsErrors() {
        assertEquals("InvalidTimeRangeException", out.path("timeRange").path("code").asText());
        assertEquals(400, out.path("timeRange").path("status").asInt());
        assertEquals("InvalidNextTokenException", out.path("badToken").path("code").asText());
        assertEquals("InvalidLookupAttributesException", out.path("badReadOnly").path("code").asText());
        assertEquals("ValidationException", out.path("tooMany").path("code").asText());
        assertEquals("[]", out.path("insights").toString());
    }
}
