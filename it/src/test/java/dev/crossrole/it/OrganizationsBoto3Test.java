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
 * AWS Organizations through boto3: the structure, pagination, an SCP that denies a member account's request, and an
 * account created, tagged and closed.
 */
class OrganizationsBoto3Test {
    static TestCrossrole crossrole;
    static JsonNode out;

    @BeforeAll
    static void run() throws Exception {
        crossrole = new TestCrossrole();
        out = Boto3Script.run(crossrole, "/boto3/organizations.py", 90);
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    @Test
    void organizationsWorkThroughBoto3() {
        assertEquals("AWSOrganizationsNotInUseException", out.get("before").get("code").asText());
        assertEquals("Your account is not a member of an organization.", out.get("before").get("message").asText());
        assertEquals(SOURCE, out.get("organization").get("master").asText());
        assertEquals(out.get("organization").get("id").asText(), out.get("memberSees").asText());
        assertEquals("AccessDeniedException", out.get("memberManages").get("code").asText());
        assertEquals("DuplicateOrganizationalUnitException", out.get("duplicate").get("code").asText());
        assertEquals("ORGANIZATIONAL_UNIT", out.get("parents").get(0).get("Type").asText());
        assertEquals(SOURCE, out.get("accounts").get(0).asText());
        assertEquals(DESTINATION, out.get("accounts").get(1).asText());
        assertEquals(2, out.get("accounts").size());
        assertTrue(out.get("allowedBefore").asBoolean());
        assertEquals(403, out.get("denied").get("status").asInt());
        assertTrue(out.get("denied").get("message").asText().contains("explicit deny in a service control policy"),
                out.get("denied").toString());
        assertEquals("[\"DenyListUsers\",\"FullAWSAccess\"]", out.get("unitPolicies").toString());
        assertTrue(out.get("allowedAfter").asBoolean());
        assertEquals("SUCCEEDED", out.get("created").get("State").asText());
        assertEquals("dev", out.get("created").get("AccountName").asText());
        assertEquals("[{\"Key\":\"team\",\"Value\":\"data\"}]", out.get("createdTags").toString());
        assertEquals("[{\"Key\":\"env\",\"Value\":\"sandbox\"}]", out.get("unitTags").toString());
        assertEquals("[]", out.get("afterUntag").toString());
        assertEquals("SUSPENDED", out.get("closed").asText());
        assertEquals("AccountAlreadyClosedException", out.get("closedAgain").get("code").asText());
    }
}
