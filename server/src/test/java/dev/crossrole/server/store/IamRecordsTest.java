package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.policy.Policies;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.iam.LoginProfile;
import dev.crossrole.server.iam.PasswordPolicy;
import dev.crossrole.server.iam.Role;
import dev.crossrole.server.iam.VirtualMfaDevice;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Roles read back in bulk (streaming, policies compiled on first use) are the roles that were written. */
class IamRecordsTest {
    private static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
            + "\"Principal\":{\"AWS\":\"AIDAEXAMPLEUSERID001\"},\"Action\":\"sts:AssumeRole\"}}";
    private static final String TRUST_TEXT = TRUST.replace("AIDAEXAMPLEUSERID001", "arn:aws:iam::111122223333:user/bob");
    private static final String POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
            + "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}";

    @Test
    void aRoleReadInBulkEqualsTheRoleWritten() throws Exception {
        Role role = new Role("111122223333", "deploy", "/ci/", "AROAEXAMPLEROLEID001", Instant.parse("2026-11-01T10:00:00.123Z"),
                "deploys things", Policies.parse(TRUST, PolicyKind.TRUST, "trust policy of role deploy"), TRUST_TEXT,
                Map.of("arn:aws:iam::111122223333:user/bob", "AIDAEXAMPLEUSERID001"), 7200, Map.of("team", "ci", "env", "dev"),
                Map.of("read", Policies.parse(POLICY, PolicyKind.INLINE, "read")),
                List.of("arn:aws:iam::aws:policy/ReadOnlyAccess"), "arn:aws:iam::111122223333:policy/boundary", null, null);
        byte[] stored = IamRecords.bytes(IamRecords.role(role));
        StoredRecord record = new StoredRecord(IamRecords.ROLES, role.roleId(), stored, 1, 1);
        Role streamed = IamRecords.decodeRole(record, new IamRecords.PolicyCache());
        Role tree = (Role) IamRecords.decode(IamRecords.ROLES, new com.fasterxml.jackson.databind.ObjectMapper().readTree(stored));
        for (Role read : List.of(streamed, tree)) {
            assertEquals(role.arn(), read.arn());
            assertEquals(role.roleId(), read.roleId());
            assertEquals(role.created(), read.created());
            assertEquals(role.description(), read.description());
            assertEquals(role.trustPolicyText(), read.trustPolicyText());
            assertEquals(role.trustPolicy().text(), read.trustPolicy().text());
            assertEquals("trust policy of role deploy", read.trustPolicy().name());
            assertEquals(1, read.trustPolicy().statementCount());
            assertEquals(role.trustPrincipals(), read.trustPrincipals());
            assertEquals(role.maxSessionDuration(), read.maxSessionDuration());
            assertEquals(List.copyOf(role.tags().entrySet()), List.copyOf(read.tags().entrySet()), "tags keep their order");
            assertEquals(POLICY, read.inlinePolicies().get("read").text());
            assertEquals(role.attachedPolicyArns(), read.attachedPolicyArns());
            assertEquals(role.permissionsBoundaryArn(), read.permissionsBoundaryArn());
        }
    }

    @Test
    void policiesAcceptedBeforeLaterRulesAreReadBack() throws Exception {
        // Accepted by an earlier crossrole, refused at write time now: a Sid with spaces, a NullIfExists condition.
        String inline = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Read the reports\",\"Effect\":\"Allow\","
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\","
                + "\"Resource\":\"*\",\"Condition\":{\"NullIfExists\":{\"aws:SourceIp\":\"true\"}}}]}";
        Role role = new Role("111122223333", "legacy", "/", "AROAEXAMPLEROLEID002", Instant.parse("2026-11-01T10:00:00Z"),
                null, Policies.parse(TRUST, PolicyKind.TRUST, "trust policy of role legacy"), TRUST_TEXT,
                Map.of("arn:aws:iam::111122223333:user/bob", "AIDAEXAMPLEUSERID001"), 3600, Map.of(),
                Map.of("read", Policies.parseStored(inline, PolicyKind.INLINE, "read")), List.of(), null, null, null);
        byte[] stored = IamRecords.bytes(IamRecords.role(role));
        Role streamed = IamRecords.decodeRole(new StoredRecord(IamRecords.ROLES, role.roleId(), stored, 1, 1),
                new IamRecords.PolicyCache());
        Role tree = (Role) IamRecords.decode(IamRecords.ROLES, new com.fasterxml.jackson.databind.ObjectMapper().readTree(stored));
        for (Role read : List.of(streamed, tree)) {
            assertEquals(inline, read.inlinePolicies().get("read").text());
            assertEquals(2, read.inlinePolicies().get("read").statementCount(), "compiles on first use, without an error");
        }
    }

    @Test
    void signInEntitiesReadBackAsWritten() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String hash = dev.crossrole.server.iam.PasswordHash.hash("Some-Passw0rd", new java.security.SecureRandom());
        LoginProfile profile = new LoginProfile("111122223333", "AIDAEXAMPLEUSERID001", hash,
                Instant.parse("2026-11-01T10:00:00Z"), true, List.of(hash));
        assertEquals(profile, IamRecords.decode(IamRecords.LOGIN_PROFILES,
                json.readTree(IamRecords.bytes(IamRecords.loginProfile(profile)))));
        PasswordPolicy policy = new PasswordPolicy("111122223333", 12, true, false, true, false, true, 90, null, false);
        assertEquals(policy, IamRecords.decode(IamRecords.PASSWORD_POLICIES,
                json.readTree(IamRecords.bytes(IamRecords.passwordPolicy(policy)))));
        VirtualMfaDevice device = new VirtualMfaDevice("111122223333", "/team/", "phone", "JBSWY3DPEHPK3PXP",
                Map.of("k", "v"), Instant.parse("2026-11-01T10:00:00Z"), "AIDAEXAMPLEUSERID001",
                Instant.parse("2026-11-01T10:01:00Z"), 59_000_000L);
        assertEquals(device, IamRecords.decode(IamRecords.MFA_DEVICES,
                json.readTree(IamRecords.bytes(IamRecords.mfaDevice(device)))));
        VirtualMfaDevice unassigned = new VirtualMfaDevice("111122223333", "/", "spare", "JBSWY3DPEHPK3PXP", Map.of(),
                Instant.parse("2026-11-01T10:00:00Z"), null, null, -1);
        assertEquals(unassigned, IamRecords.decode(IamRecords.MFA_DEVICES,
                json.readTree(IamRecords.bytes(IamRecords.mfaDevice(unassigned)))));
        // A record holding a password rather than a hash is not read back.
        var plain = IamRecords.loginProfile(profile).put("passwordHash", "Some-Passw0rd");
        assertThrows(StoreException.class, () -> IamRecords.decode(IamRecords.LOGIN_PROFILES, plain));
    }

    @Test
    void instantsAreReadAsInstantParseReadsThem() {
        for (String text : List.of("2026-11-27T23:47:32.714645363Z", "2026-11-27T23:47:32Z", "2026-11-27T23:47:32.100Z",
                "2024-02-29T00:00:00.000001Z", "1970-01-01T00:00:00Z", "+12026-01-01T00:00:00Z", "2026-11-27T23:47:32.5Z")) {
            assertEquals(Instant.parse(text), IamRecords.instant(text), text);
        }
        Instant now = Instant.now();
        assertEquals(now, IamRecords.instant(now.toString()));
        // Odd texts get Instant.parse's own answer: an error, or (for 24:00) its lenient reading.
        for (String odd : List.of("2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-27T24:00:00Z",
                "2026-11-27T23:47:32.Z", "2026-11-27 23:47:32Z", "yesterday")) {
            Object expected;
            try {
                expected = Instant.parse(odd);
            } catch (java.time.format.DateTimeParseException e) {
                expected = "DateTimeParseException";
            }
            Object actual;
            try {
                actual = IamRecords.instant(odd);
            } catch (java.time.format.DateTimeParseException e) {
                actual = "DateTimeParseException";
            }
            assertEquals(expected, actual, odd);
        }
    }

    @Test
    void aDamagedRoleRecordIsReportedAsSuch() {
        for (String damaged : List.of("[]", "{\"name\":\"x\"}", "{not json", "{\"account\":\"1\",\"name\":\"n\",\"path\":\"/\","
                + "\"id\":\"AROA1\",\"created\":\"yesterday\",\"trustText\":\"{}\",\"trustCompiled\":\"{}\"}")) {
            StoredRecord record = new StoredRecord(IamRecords.ROLES, "AROA1", damaged.getBytes(StandardCharsets.UTF_8), 1, 1);
            StoreException e = assertThrows(StoreException.class, () -> IamRecords.decodeRole(record, new IamRecords.PolicyCache()));
            assertTrue(e.getMessage().startsWith("a stored iam.roles entity cannot be read back"), e.getMessage());
        }
    }
}
