package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which services a report lists: those the Allow statements of the entity's permissions policies name. */
class AccessAdvisorOperationsTest {
    private static String allow(String element, String actions) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"" + element + "\":" + actions
                + ",\"Resource\":\"*\"}]}";
    }

    @Test
    void actionsNameTheirServicesAndWildcardsMatchTheReferencesNamespaces() {
        assertEquals(Set.of("s3", "iam"), AccessAdvisorOperations.grantedServices(List.of(
                allow("Action", "[\"s3:GetObject\",\"IAM:List*\"]"))));
        assertEquals(Set.of("ec2", "ec2-instance-connect", "ec2messages", "ecr", "ecr-public", "ecs", "ecs-mcp"),
                AccessAdvisorOperations.grantedServices(List.of(allow("Action", "\"ec*:Describe*\""))));
        assertEquals(Set.of("ebs", "ecs", "eks", "evs"),
                AccessAdvisorOperations.grantedServices(List.of(allow("Action", "\"e?s:List*\""))));
        Set<String> all = AccessAdvisorOperations.grantedServices(List.of(allow("Action", "\"*\"")));
        assertTrue(all.size() > 400, "every namespace of the reference: " + all.size());
        assertEquals(all, ServiceNamespaces.all().keySet());
        // Deny statements add nothing.
        assertEquals(Set.of(), AccessAdvisorOperations.grantedServices(List.of(
                "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}}")));
    }

    @Test
    void notActionGrantsEveryServiceItDoesNotExcludeWhole() {
        Set<String> granted = AccessAdvisorOperations.grantedServices(List.of(
                allow("NotAction", "[\"iam:*\",\"organizations:*\",\"s3:DeleteBucket\"]")));
        assertFalse(granted.contains("iam"));
        assertFalse(granted.contains("organizations"));
        assertTrue(granted.contains("s3"), "only one action of S3 is excluded");
        assertTrue(granted.contains("sts"));
    }

    @Test
    void s3ObjectActionsAreNotTrackedOneByOne() {
        assertTrue(AccessAdvisorOperations.tracks("s3", "CreateBucket"));
        assertFalse(AccessAdvisorOperations.tracks("s3", "GetObject"));
        assertTrue(AccessAdvisorOperations.tracks("iam", "GetUser"));
        assertEquals("Amazon S3", ServiceNamespaces.name("s3"));
        assertEquals("made-up", ServiceNamespaces.name("made-up"));
    }
}
