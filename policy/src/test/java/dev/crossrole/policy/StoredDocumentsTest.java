package dev.crossrole.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.policy.Explanation.Gate;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Documents accepted when they were written and read back later: rules added since must not stop them
 * loading, and what those rules forbid must never widen access.
 */
class StoredDocumentsTest {
    private static final String BUCKET_ALLOW_NOT_PRINCIPAL = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"EveryoneButAlice\","
            + "\"Effect\":\"Allow\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::111122223333:user/alice\"},"
            + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}";
    private static final String SID_WITH_SPACES = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Read the reports\","
            + "\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}";
    private static final String NULL_IF_EXISTS = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"NullIfExists\":{\"aws:SourceVpce\":\"false\"}}}]}";
    private static final PolicyEngine ENGINE = new PolicyEngine();

    private static Decision decide(String principal, PolicySet set) {
        return ENGINE.evaluate(new AuthorizationRequest(Principal.parse(principal), "s3:GetObject", "arn:aws:s3:::b/k",
                "111122223333", RequestContext.empty()), set);
    }

    @Test
    void documentsRefusedNowStillLoadWhenReadBack() throws InvalidPolicyException {
        assertThrows(InvalidPolicyException.class, () -> Policies.parse(BUCKET_ALLOW_NOT_PRINCIPAL, PolicyKind.RESOURCE, "b"));
        assertThrows(InvalidPolicyException.class, () -> Policies.parse(SID_WITH_SPACES, PolicyKind.INLINE, "i"));
        assertThrows(InvalidPolicyException.class, () -> Policies.parse(NULL_IF_EXISTS, PolicyKind.IDENTITY, "n"));

        assertEquals(1, Policies.parseStored(BUCKET_ALLOW_NOT_PRINCIPAL, PolicyKind.RESOURCE, "b").statementCount());
        assertEquals(1, Policies.parseStored(SID_WITH_SPACES, PolicyKind.INLINE, "i").statementCount());
        assertEquals(1, Policies.parseStored(NULL_IF_EXISTS, PolicyKind.IDENTITY, "n").statementCount());
        // Compiled on first use, as the store reads policies back at start: the first use does not throw.
        Policy lazy = Policies.parseValidLazily(SID_WITH_SPACES, PolicyKind.INLINE, "i");
        assertEquals(Outcome.ALLOW, decide("arn:aws:iam::111122223333:user/bob",
                PolicySet.builder().identity(List.of(lazy)).build()).outcome());
    }

    @Test
    void whatWasAlwaysRefusedIsStillRefusedWhenReadBack() {
        String trustNotPrincipal = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"NotPrincipal\":"
                + "{\"AWS\":\"111122223333\"},\"Action\":\"sts:AssumeRole\"}]}";
        String identityPrincipal = SID_WITH_SPACES.replace("\"Effect\"", "\"Principal\":\"*\",\"Effect\"");
        String unknownOperator = NULL_IF_EXISTS.replace("NullIfExists", "NulIfExists");
        assertEquals("Has prohibited field NotPrincipal", assertThrows(InvalidPolicyException.class,
                () -> Policies.parseStored(trustNotPrincipal, PolicyKind.TRUST, "t")).getMessage());
        assertEquals("Policy document should not specify a principal.", assertThrows(InvalidPolicyException.class,
                () -> Policies.parseStored(identityPrincipal, PolicyKind.IDENTITY, "p")).getMessage());
        assertEquals("Syntax errors in policy.", assertThrows(InvalidPolicyException.class,
                () -> Policies.parseStored(unknownOperator, PolicyKind.IDENTITY, "u")).getMessage());
        Policy broken = Policies.parseValidLazily("{\"Statement\":[]}", PolicyKind.INLINE, "broken");
        assertThrows(IllegalArgumentException.class, broken::statementCount);
    }

    @Test
    void theExplanationSaysWhyAnAllowWithNotPrincipalWasSkipped() throws InvalidPolicyException {
        Policy bucket = Policies.parseStored(BUCKET_ALLOW_NOT_PRINCIPAL, PolicyKind.RESOURCE, "bucket policy");
        for (String caller : List.of("arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/bob", "anonymous")) {
            Decision decision = decide(caller, PolicySet.builder().resource(bucket).build());
            assertEquals(Outcome.IMPLICIT_DENY, decision.outcome(), caller);
            Gate resource = decision.explanation().gates().stream().filter(g -> g.kind() == PolicyKind.RESOURCE)
                    .findFirst().orElseThrow();
            assertEquals("no Allow statement names this principal; bucket policy statement 0 (Sid EveryoneButAlice) was"
                    + " skipped: NotPrincipal is supported only with Deny", resource.note(), caller);
            assertTrue(decision.explanation().matchedStatements().isEmpty(), caller);
        }
    }

    @Test
    void anOperatorAwsRefusesNeverHoldsInAnAllow() throws InvalidPolicyException {
        Policy stored = Policies.parseStored(NULL_IF_EXISTS, PolicyKind.IDENTITY, "stored");
        Decision decision = decide("arn:aws:iam::111122223333:user/bob", PolicySet.builder().identity(List.of(stored)).build());
        assertEquals(Outcome.IMPLICIT_DENY, decision.outcome());
        Explanation.FailedCondition failed = decision.explanation().failedConditions().get(0);
        assertEquals("NullIfExists", failed.operator());
        assertEquals("aws:SourceVpce", failed.key());
    }
}
