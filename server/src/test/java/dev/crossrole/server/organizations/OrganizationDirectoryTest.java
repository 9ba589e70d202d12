package dev.crossrole.server.organizations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.crossrole.server.iam.Account;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IdGenerator;
import dev.crossrole.server.store.StoredRecord;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What another node's commits do here: each organization record applied from the store recomputes the members' IAM
 * accounts, so this node's next decision follows them; the accounts file's organizations are left alone.
 */
class OrganizationDirectoryTest {
    private static final String MANAGEMENT = "111122223333";
    private static final String MEMBER = "555566667777";
    private static final String FILE_DEFINED = "444455556666";

    private static StoredRecord record(String namespace, String key, String json, long revision) {
        return new StoredRecord(namespace, key, json.getBytes(StandardCharsets.UTF_8), 1, revision);
    }

    @Test
    void replicatedRecordsAreEnforcedAtOnce() {
        IamDirectory iam = new IamDirectory(Clock.systemUTC(), new IdGenerator(new SecureRandom()));
        iam.putAccount(new Account(MANAGEMENT, "source"));
        iam.putAccount(new Account(MEMBER, "destination"));
        iam.putAccount(new Account(FILE_DEFINED, null, "o-fromthefile", java.util.List.of(), java.util.List.of()));
        OrganizationDirectory orgs = new OrganizationDirectory(Clock.systemUTC());
        orgs.enforceOn(iam, Set.of(FILE_DEFINED));

        orgs.apply(record(OrganizationDirectory.ORGS, "o-abcdefghij", "{\"id\":\"o-abcdefghij\",\"managementAccount\":\""
                + MANAGEMENT + "\",\"created\":\"2026-01-01T00:00:00Z\",\"rootId\":\"r-ab12\",\"enabledTypes\":"
                + "[\"SERVICE_CONTROL_POLICY\"]}", 1));
        orgs.apply(record(OrganizationDirectory.UNITS, "ou-ab12-11111111", "{\"id\":\"ou-ab12-11111111\",\"orgId\":"
                + "\"o-abcdefghij\",\"name\":\"sandbox\",\"parentId\":\"r-ab12\"}", 2));
        for (String account : new String[] {MANAGEMENT, MEMBER, FILE_DEFINED}) {
            orgs.apply(record(OrganizationDirectory.MEMBERS, account, "{\"accountId\":\"" + account + "\",\"orgId\":"
                    + "\"o-abcdefghij\",\"parentId\":\"" + (account.equals(MEMBER) ? "ou-ab12-11111111" : "r-ab12")
                    + "\",\"name\":\"n\",\"email\":\"e@x.invalid\",\"joinedMethod\":\"INVITED\",\"joined\":"
                    + "\"2026-01-01T00:00:00Z\",\"status\":\"ACTIVE\"}", 3));
        }
        orgs.apply(record(OrganizationDirectory.ATTACHMENTS, "p-FullAWSAccess|ou-ab12-11111111", "{\"policyId\":"
                + "\"p-FullAWSAccess\",\"targetId\":\"ou-ab12-11111111\",\"orgId\":\"o-abcdefghij\"}", 4));

        Account member = iam.account(MEMBER).orElseThrow();
        assertEquals("o-abcdefghij", member.organizationId());
        assertEquals("destination", member.alias());
        assertEquals("o-abcdefghij/r-ab12/ou-ab12-11111111/", member.organizationPath());
        // Root (nothing attached there yet), the OU with FullAWSAccess, the account.
        assertEquals(3, member.serviceControlPolicies().size());
        assertEquals(1, member.serviceControlPolicies().get(1).size());
        Account management = iam.account(MANAGEMENT).orElseThrow();
        assertEquals("o-abcdefghij", management.organizationId());
        assertEquals(0, management.serviceControlPolicies().size());
        assertEquals("o-fromthefile", iam.account(FILE_DEFINED).orElseThrow().organizationId());

        // The member leaves on the other node: its record's deletion takes the organization away here.
        orgs.apply(new StoredRecord(OrganizationDirectory.MEMBERS, MEMBER, null, 2, 5));
        assertNull(iam.account(MEMBER).orElseThrow().organizationId());
        assertEquals("destination", iam.account(MEMBER).orElseThrow().alias());
        assertEquals(0, iam.account(MEMBER).orElseThrow().serviceControlPolicies().size());
    }
}
