package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.service.SessionClaims;
import dev.crossrole.server.sts.SessionTokens;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessKeysTest {
    private final SecureRandom random = new SecureRandom();

    @Test
    void awsDocumentedExamplesDecode() {
        assertEquals("609629065308", AccessKeys.account("ASIAY34FZKBOKMUTVV7A"));
        assertEquals("999999999999", AccessKeys.account("AKIA6RVFFB77RE7OLMKI"));
        // Keys minted before the encoding carry no account.
        assertNull(AccessKeys.account("AKIAIOSFODNN7EXAMPLE"));
        assertNull(AccessKeys.account("short"));
    }

    @Test
    void mintedKeysEncodeTheirAccount() {
        for (String account : List.of("111122223333", "555566667777", "000000000001", "999999999999")) {
            String longTerm = AccessKeys.longTerm(account, random);
            String temporary = AccessKeys.temporary(account, random);
            assertTrue(longTerm.matches("AKIA[A-Z2-7]{16}"), longTerm);
            assertTrue(temporary.matches("ASIA[A-Z2-7]{16}"), temporary);
            assertEquals(account, AccessKeys.account(longTerm));
            assertEquals(account, AccessKeys.account(temporary));
        }
        assertTrue(AccessKeys.secret(random).matches("[A-Za-z0-9+/]{40}"));
    }

    @Test
    void sessionTokensCannotBeForgedOrAltered() {
        byte[] key = new byte[32];
        random.nextBytes(key);
        SessionTokens tokens = new SessionTokens(key, random);
        SessionClaims claims = new SessionClaims(SessionClaims.ROLE, "ASIAEXAMPLE", "secret", "111122223333",
                "my-ECS-task-role", "/", "AROAEXAMPLE", "abc", null, null, null, List.of(), Map.of("team", "blue"),
                List.of(), null, false, false, 1, 2, 0);
        String token = tokens.seal(claims);
        assertEquals(claims, tokens.open(token));
        // Flip one character anywhere: the token no longer opens.
        for (int i = 0; i < token.length() - 2; i += 7) {
            char c = token.charAt(i);
            String altered = token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
            assertNull(tokens.open(altered), "altered at " + i);
        }
        byte[] otherKey = new byte[32];
        random.nextBytes(otherKey);
        assertNull(new SessionTokens(otherKey, random).open(token), "another server key cannot open it");
        assertNull(tokens.open("not a token at all, just text that is long enough"));
        assertNotNull(tokens.open(tokens.seal(claims)));
    }
}
