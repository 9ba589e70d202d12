package dev.crossrole.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** A stored policy compiled on first use decides exactly as one compiled up front. */
class LazyPolicyTest {
    private static final PolicyEngine ENGINE = new PolicyEngine(Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC));
    private static final String TEXT = "{\"Version\":\"2012-10-17\",\"Id\":\"p1\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bucket/*\"},{\"Effect\":\"Deny\","
            + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bucket/secret/*\"}]}";

    private static Outcome decide(Policy identity, String key) {
        AuthorizationRequest request = new AuthorizationRequest(Principal.parse("arn:aws:iam::111122223333:user/alice"),
                "s3:GetObject", "arn:aws:s3:::bucket/" + key);
        return ENGINE.evaluate(request, PolicySet.builder().identity(identity).build()).outcome();
    }

    @Test
    void decidesAndDescribesItselfAsTheEagerForm() throws InvalidPolicyException {
        Policy eager = Policies.parse(TEXT, PolicyKind.IDENTITY, "read");
        Policy lazy = Policies.parseValidLazily(TEXT, PolicyKind.IDENTITY, "read");
        for (String key : new String[] {"a.txt", "secret/b.txt"}) {
            assertEquals(decide(eager, key), decide(lazy, key), key);
        }
        assertEquals(Outcome.ALLOW, decide(lazy, "a.txt"));
        assertEquals(Outcome.EXPLICIT_DENY, decide(lazy, "secret/b.txt"));
        Policy renamed = Policies.parseValidLazily(TEXT, PolicyKind.IDENTITY, "read").withName("other");
        assertEquals("other", renamed.name());
        assertEquals("2012-10-17", renamed.version());
        assertEquals("p1", renamed.id());
        assertEquals(2, renamed.statementCount());
        assertEquals(TEXT, renamed.text());
    }

    @Test
    void anInvalidStoredDocumentFailsOnFirstUseNotBefore() {
        Policy broken = Policies.parseValidLazily("{\"Statement\":[]}", PolicyKind.IDENTITY, "broken");
        assertEquals("broken", broken.name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, broken::statementCount);
        assertTrue(e.getMessage().startsWith("broken: "), e.getMessage());
    }
}
