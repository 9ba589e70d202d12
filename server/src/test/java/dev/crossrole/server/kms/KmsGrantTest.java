package dev.crossrole.server.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a grant covers, what a grant with CreateGrant lets its grantee create, its tokens, and its end with its key. */
class KmsGrantTest {
    private static final String GRANTEE = "arn:aws:iam::444455556666:role/reader";

    private static KmsGrant grant(List<String> operations, Map<String, String> subset, Map<String, String> equals) {
        return new KmsGrant(KmsGrant.newId(), "k", "arn:aws:kms:us-east-1:111122223333:key/k", null, GRANTEE, null,
                operations, subset, equals, "arn:aws:iam::111122223333:root", Instant.EPOCH);
    }

    @Test
    void aGrantCoversItsOperationsUnderItsConstraints() {
        KmsGrant subset = grant(List.of("Decrypt", "DescribeKey"), Map.of("dept", "finance"), null);
        assertNull(subset.notCovering("Decrypt", Map.of("dept", "finance", "other", "x")));
        assertTrue(subset.notCovering("Decrypt", Map.of("Dept", "finance")).contains("EncryptionContextSubset"));
        assertTrue(subset.notCovering("Encrypt", Map.of("dept", "finance")).contains("do not include Encrypt"));
        assertNull(subset.notCovering("DescribeKey", Map.of()), "constraints do not apply to DescribeKey");
        KmsGrant equals = grant(List.of("Decrypt"), null, Map.of("dept", "finance"));
        assertNull(equals.notCovering("Decrypt", Map.of("dept", "finance")));
        assertTrue(equals.notCovering("Decrypt", Map.of("dept", "finance", "other", "x"))
                .contains("EncryptionContextEquals"));
    }

    @Test
    void aGrantWithCreateGrantAllowsOnlyGrantsAsRestrictive() {
        KmsGrant parent = grant(List.of("Decrypt", "GenerateDataKey", "CreateGrant"), Map.of("dept", "finance"), null);
        assertNull(parent.notCoveringChild(grant(List.of("Decrypt"), Map.of("dept", "finance", "team", "a"), null)));
        assertNull(parent.notCoveringChild(grant(List.of("Decrypt"), null, Map.of("dept", "finance"))));
        assertTrue(parent.notCoveringChild(grant(List.of("Decrypt", "Encrypt"), Map.of("dept", "finance"), null))
                .contains("[Encrypt]"));
        assertTrue(parent.notCoveringChild(grant(List.of("Decrypt"), null, null)).contains("EncryptionContextSubset"));
        KmsGrant equalsParent = grant(List.of("Decrypt", "CreateGrant"), null, Map.of("dept", "finance"));
        assertTrue(equalsParent.notCoveringChild(grant(List.of("Decrypt"), Map.of("dept", "finance"), null))
                .contains("EncryptionContextEquals"));
        assertTrue(grant(List.of("Decrypt"), null, null).notCoveringChild(grant(List.of("Decrypt"), null, null))
                .contains("CreateGrant"));
    }

    @Test
    void everyTokenOfAGrantNamesItAndNothingElseDoes() {
        String id = KmsGrant.newId();
        assertEquals(64, id.length());
        String first = KmsGrant.token(id);
        String second = KmsGrant.token(id);
        assertNotEquals(first, second);
        assertEquals(id, KmsGrant.idOfToken(first));
        assertEquals(id, KmsGrant.idOfToken(second));
        assertNull(KmsGrant.idOfToken("not a token"));
        assertNull(KmsGrant.idOfToken(first.substring(2)));
    }

    @Test
    void grantsGoWhenTheirKeyIsDeleted() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        KmsDirectory kms = new KmsDirectory(Clock.fixed(now, ZoneOffset.UTC));
        KmsKey key = new KmsKey(UUID.randomUUID().toString(), "111122223333", "us-east-1", "", now, KmsKey.ENABLED,
                null, 0, "{}", null, Ciphertexts.newKeyMaterial(), Map.of(), false);
        kms.put(key.withState(KmsKey.PENDING_DELETION, now.minus(1, ChronoUnit.DAYS), 7));
        KmsGrant grant = new KmsGrant(KmsGrant.newId(), key.id(), key.arn(), null, GRANTEE, null, List.of("Decrypt"),
                null, null, "arn:aws:iam::111122223333:root", now);
        kms.put(grant);
        assertEquals(List.of(grant), kms.grants(key.id()));
        kms.sweep();
        assertEquals(List.of(), kms.grants(key.id()));
        assertTrue(kms.grant(grant.id()).isEmpty());
    }
}
