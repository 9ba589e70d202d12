package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** S3's definition of a public bucket policy, and what RestrictPublicBuckets leaves of one. */
class PublicPoliciesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OWNER = "555566667777";

    private static String policy(String... statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
    }

    @Test
    void publicIsAnAllowToEveryoneThatNoFixedValueLimits() {
        assertTrue(PublicPolicies.isPublic(policy("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::b/*\"}")));
        assertTrue(PublicPolicies.isPublic(policy("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":"
                + "\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"StringLike\":{\"aws:SourceArn\":"
                + "\"arn:aws:*\"}}}")));
        assertFalse(PublicPolicies.isPublic(policy("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":"
                + "\"111122223333\"}}}")));
        assertFalse(PublicPolicies.isPublic(policy("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
                + "\"Resource\":\"arn:aws:s3:::b/*\"}")));
    }

    @Test
    void aPolicyThatIsNotPublicIsNotRestricted() {
        assertNull(PublicPolicies.restricted(policy("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}"),
                OWNER));
    }

    @Test
    void restrictingKeepsDeniesAndServicesAndLimitsEveryAllowToTheOwner() throws Exception {
        String text = policy(
                "{\"Sid\":\"Public\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                        + "\"Resource\":\"arn:aws:s3:::b/*\"}",
                "{\"Sid\":\"Partner\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
                        + "\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"StringEquals\":"
                        + "{\"s3:x-amz-acl\":\"bucket-owner-full-control\"}}}",
                "{\"Sid\":\"Logs\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"logging.s3.amazonaws.com\"},"
                        + "\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/logs/*\"}",
                "{\"Sid\":\"NotOurs\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:ListBucket\","
                        + "\"Resource\":\"arn:aws:s3:::b\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalAccount\":"
                        + "\"999988887777\"}}}",
                "{\"Sid\":\"NoDelete\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteObject\","
                        + "\"Resource\":\"arn:aws:s3:::b/*\"}");
        JsonNode statements = JSON.readTree(PublicPolicies.restricted(text, OWNER)).path("Statement");
        assertEquals(6, statements.size(), statements.toString());
        assertEquals("{\"Sid\":\"Public\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalAccount\":"
                + "\"555566667777\"}}}", statements.get(0).toString());
        assertEquals("PublicAwsServices", statements.get(1).path("Sid").asText());
        assertEquals("{\"aws:PrincipalIsAWSService\":\"true\"}", statements.get(1).path("Condition").path("Bool")
                .toString());
        // Delegation to another account is blocked as well, the statement's own conditions kept.
        assertEquals("{\"s3:x-amz-acl\":\"bucket-owner-full-control\",\"aws:PrincipalAccount\":\"555566667777\"}",
                statements.get(2).path("Condition").path("StringEquals").toString());
        assertEquals("Logs", statements.get(3).path("Sid").asText());
        assertFalse(statements.get(3).has("Condition"));
        // "NotOurs" could only ever apply to an account that is not the owner: no copy of it is left for principals;
        // its copy for AWS services remains.
        assertEquals("NotOursAwsServices", statements.get(4).path("Sid").asText());
        assertEquals("NoDelete", statements.get(5).path("Sid").asText());
        assertEquals("Deny", statements.get(5).path("Effect").asText());
    }
}
