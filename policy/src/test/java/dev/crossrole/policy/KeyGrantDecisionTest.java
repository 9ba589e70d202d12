package dev.crossrole.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * KMS grants next to the key policy: a covering grant allows its grantee, of the key's account or another, without
 * the key policy or an identity policy; it never overrides an explicit deny; a grant naming an account delegates to
 * the account's identity policies (AWS KMS Developer Guide, "Grants in AWS KMS" and "Allowing users in other accounts
 * to use a KMS key").
 */
class KeyGrantDecisionTest {
    private static final String KEY_ACCOUNT = "111122223333";
    private static final String OTHER_ACCOUNT = "444455556666";
    private static final String KEY = "arn:aws:kms:us-east-1:" + KEY_ACCOUNT + ":key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private static final PolicyEngine ENGINE = new PolicyEngine();
    /** The key's own account only: nobody of another account, and only by identity policies in this one. */
    private static final Policy KEY_POLICY = Policies.parseValid("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
            + "\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + KEY_ACCOUNT + ":root\"},\"Action\":\"kms:*\","
            + "\"Resource\":\"*\"}]}", PolicyKind.KEY, "key policy");

    private static Principal.RoleSession session(String account, String role) {
        return new Principal.RoleSession("arn:aws:sts::" + account + ":assumed-role/" + role + "/s", account, role, "s",
                "arn:aws:iam::" + account + ":role/" + role, null);
    }

    private static Decision decide(Principal principal, List<Policy> identity, Policy keyPolicy, KeyGrant... grants) {
        PolicySet.Builder set = PolicySet.builder().identity(identity).resource(keyPolicy).grants(List.of(grants));
        return ENGINE.evaluate(new AuthorizationRequest(principal, "kms:Decrypt", KEY, KEY_ACCOUNT,
                RequestContext.empty()), set.build());
    }

    private static Policy identity(String effect) {
        return Policies.parseValid("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"" + effect + "\",\"Action\":"
                + "\"kms:Decrypt\",\"Resource\":\"*\"}]}", PolicyKind.IDENTITY, "identity " + effect);
    }

    @Test
    void aCoveringGrantAllowsItsGranteeOfAnotherAccountWithoutAnyPolicy() {
        Principal reader = session(OTHER_ACCOUNT, "reader");
        assertEquals(Outcome.IMPLICIT_DENY, decide(reader, List.of(), KEY_POLICY).outcome());
        Decision granted = decide(reader, List.of(), KEY_POLICY, new KeyGrant("g1", "arn:aws:iam::" + OTHER_ACCOUNT
                + ":role/reader", null));
        assertTrue(granted.allowed());
        Explanation.Gate gate = granted.explanation().gates().get(granted.explanation().gates().size() - 1);
        assertEquals(Explanation.GateOutcome.ALLOW, gate.outcome());
        assertTrue(gate.note().startsWith("KMS grant g1 allows kms:Decrypt"), gate.note());
    }

    @Test
    void aGrantForAnotherPrincipalOrNotCoveringTheRequestAllowsNothingAndSaysWhy() {
        Principal reader = session(OTHER_ACCOUNT, "reader");
        Decision other = decide(reader, List.of(), KEY_POLICY, new KeyGrant("g1", "arn:aws:iam::" + OTHER_ACCOUNT
                + ":role/writer", null));
        assertEquals(Outcome.IMPLICIT_DENY, other.outcome());
        Decision uncovered = decide(reader, List.of(), KEY_POLICY, new KeyGrant("g2", "arn:aws:iam::" + OTHER_ACCOUNT
                + ":role/reader", "its operations do not include Decrypt"));
        assertEquals(Outcome.IMPLICIT_DENY, uncovered.outcome());
        assertTrue(uncovered.explanation().fix().endsWith("KMS grant g2 names the caller, but its operations do not"
                + " include Decrypt."), uncovered.explanation().fix());
    }

    @Test
    void anExplicitDenyWinsOverAGrant() {
        Principal reader = session(KEY_ACCOUNT, "reader");
        Decision denied = decide(reader, List.of(identity("Deny")), KEY_POLICY, new KeyGrant("g1", "arn:aws:iam::"
                + KEY_ACCOUNT + ":role/reader", null));
        assertEquals(Outcome.EXPLICIT_DENY, denied.outcome());
        assertEquals(PolicyKind.IDENTITY, denied.decidedBy());
    }

    @Test
    void aGrantToAnAccountDelegatesToItsIdentityPolicies() {
        Principal reader = session(OTHER_ACCOUNT, "reader");
        KeyGrant toAccount = new KeyGrant("g1", "arn:aws:iam::" + OTHER_ACCOUNT + ":root", null);
        assertEquals(Outcome.IMPLICIT_DENY, decide(reader, List.of(), KEY_POLICY, toAccount).outcome());
        assertTrue(decide(reader, List.of(identity("Allow")), KEY_POLICY, toAccount).allowed());
        assertTrue(decide(new Principal.AccountRoot(OTHER_ACCOUNT), List.of(), KEY_POLICY, toAccount).allowed());
    }

    @Test
    void aGrantNamingOneSessionOrUserAllowsThatOneOnly() {
        KeyGrant toSession = new KeyGrant("g1", "arn:aws:sts::" + OTHER_ACCOUNT + ":assumed-role/reader/s", null);
        assertTrue(decide(session(OTHER_ACCOUNT, "reader"), List.of(), KEY_POLICY, toSession).allowed());
        KeyGrant toUser = new KeyGrant("g2", "arn:aws:iam::" + KEY_ACCOUNT + ":user/alice", null);
        Principal alice = new Principal.IamUser("arn:aws:iam::" + KEY_ACCOUNT + ":user/alice", KEY_ACCOUNT, "alice",
                "AIDAEXAMPLEEXAMPLE01");
        Principal bob = new Principal.IamUser("arn:aws:iam::" + KEY_ACCOUNT + ":user/bob", KEY_ACCOUNT, "bob",
                "AIDAEXAMPLEEXAMPLE02");
        assertTrue(decide(alice, List.of(), KEY_POLICY, toUser).allowed());
        assertEquals(Outcome.IMPLICIT_DENY, decide(bob, List.of(), KEY_POLICY, toUser).outcome());
    }
}
