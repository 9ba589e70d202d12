package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.policy.Policies;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every AWS managed policy resolves by its ARN and is a valid identity policy; they are compiled on first use, so
 * their validity is checked here instead of at start.
 */
class AwsManagedPoliciesTest {
    @Test
    void everyPublishedPolicyIsAValidIdentityPolicy() throws Exception {
        List<ManagedPolicy> policies = AwsManagedPolicies.all();
        assertEquals(1485, policies.size());
        List<String> invalid = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (ManagedPolicy p : policies) {
            assertTrue(p.awsManaged(), p.arn());
            assertTrue(ids.add(p.policyId()), "policy ids are unique: " + p.policyId());
            assertTrue(p.policyId().matches("ANPA[A-Z0-9]{17}"), p.policyId());
            try {
                Policies.parseAwsManaged(p.document().text(), p.arn());
            } catch (Exception e) {
                invalid.add(p.arn() + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), invalid);
    }

    @Test
    void theRecordedOnesKeepTheirIdsAndVersions() {
        ManagedPolicy admin = AwsManagedPolicies.byArn("arn:aws:iam::aws:policy/AdministratorAccess").orElseThrow();
        assertEquals("ANPAIWMBCKSKIEE64ZLYK", admin.policyId());
        assertEquals("Provides full access to AWS services and resources.", admin.description());
        ManagedPolicy ecs = AwsManagedPolicies.byArn("arn:aws:iam::aws:policy/AmazonECS_FullAccess").orElseThrow();
        assertEquals("v22", ecs.defaultVersionId());
        ManagedPolicy execution = AwsManagedPolicies
                .byArn("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy").orElseThrow();
        assertEquals("/service-role/", execution.path());
        ManagedPolicy linked = AwsManagedPolicies
                .byArn("arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy").orElseThrow();
        assertEquals("/aws-service-role/", linked.path());
        assertEquals(AwsManagedPolicies.syntheticId(linked.arn()), linked.policyId(), "the same on every start");
        assertTrue(AwsManagedPolicies.all().contains(admin), "the recorded one is the one listed");
        assertTrue(AwsManagedPolicies.byArn("arn:aws:iam::aws:policy/NoSuchPolicy").isEmpty());
        assertTrue(AwsManagedPolicies.byArn("arn:aws:iam::aws:policy/AmazonECSServiceRolePolicy").isEmpty(),
                "the path is part of the ARN");
    }
}
