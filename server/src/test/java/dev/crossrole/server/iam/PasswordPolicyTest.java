package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which passwords a policy, or AWS's default policy, allows. */
class PasswordPolicyTest {
    private static PasswordPolicy policy(int length, boolean symbols, boolean numbers, boolean upper, boolean lower) {
        return new PasswordPolicy("111122223333", length, symbols, numbers, upper, lower, false, null, null, null);
    }

    @Test
    void theDefaultPolicyWantsEightCharactersOfThreeKinds() {
        assertTrue(PasswordPolicy.allows(null, "Abcdefg1"));
        assertTrue(PasswordPolicy.allows(null, "abcdef1!"));
        assertFalse(PasswordPolicy.allows(null, "Abcdef1"), "seven characters");
        assertFalse(PasswordPolicy.allows(null, "abcdefgh1"), "two kinds");
        assertFalse(PasswordPolicy.allows(null, "password"));
    }

    @Test
    void eachRequirementOfACustomPolicy() {
        assertTrue(PasswordPolicy.allows(policy(6, false, false, false, false), "aaaaaa"));
        assertFalse(PasswordPolicy.allows(policy(6, false, false, false, false), "aaaaa"));
        assertFalse(PasswordPolicy.allows(policy(6, true, false, false, false), "aaaaaa"));
        assertTrue(PasswordPolicy.allows(policy(6, true, false, false, false), "aaaaa'"));
        assertFalse(PasswordPolicy.allows(policy(6, true, false, false, false), "aaaaa~"), "~ is not one of IAM's symbols");
        assertFalse(PasswordPolicy.allows(policy(6, false, true, false, false), "aaaaaa"));
        assertTrue(PasswordPolicy.allows(policy(6, false, true, false, false), "aaaaa0"));
        assertFalse(PasswordPolicy.allows(policy(6, false, false, true, false), "aaaaaa"));
        assertFalse(PasswordPolicy.allows(policy(6, false, false, true, false), "aaaaaÄ"), "A to Z only");
        assertTrue(PasswordPolicy.allows(policy(6, false, false, true, false), "aaaaaZ"));
        assertFalse(PasswordPolicy.allows(policy(6, false, false, false, true), "AAAAAA"));
        assertTrue(PasswordPolicy.allows(policy(6, false, false, false, true), "AAAAAz"));
        assertTrue(PasswordPolicy.allows(policy(12, true, true, true, true), "Aa1!Aa1!Aa1!"));
    }
}
