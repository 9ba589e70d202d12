package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.policy.Policies;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bundled AWS managed policies are compiled on first use, so their validity is checked here instead of at start. */
class AwsManagedPoliciesTest {
    @Test
    void everyBundledPolicyIsAValidIdentityPolicy() throws Exception {
        List<ManagedPolicy> policies = AwsManagedPolicies.load(Instant.parse("2026-11-28T00:00:00Z"));
        assertTrue(policies.size() >= 10, policies.toString());
        for (ManagedPolicy p : policies) {
            assertTrue(p.awsManaged(), p.arn());
            String text = p.document().text();
            assertEquals(Policies.parseAwsManaged(text, p.arn()).statementCount(), p.document().statementCount(),
                    p.arn());
        }
    }
}
