package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.iam.CredentialReport;
import dev.crossrole.server.iam.InstanceProfile;
import dev.crossrole.server.iam.ServiceLinkedRoleDeletion;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Instance profiles, service-linked role deletion tasks and credential reports read back as they were written. */
class IamRecordsProfilesAndReportsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Object roundTrip(String namespace, com.fasterxml.jackson.databind.node.ObjectNode node) throws Exception {
        return IamRecords.decode(namespace, JSON.readTree(IamRecords.bytes(node)));
    }

    @Test
    void eachReadsBackEqual() throws Exception {
        InstanceProfile profile = new InstanceProfile("111122223333", "web", "/apps/", "AIPAEXAMPLEPROFILE01",
                Instant.parse("2026-11-01T10:00:00.123Z"), List.of("AROAEXAMPLEROLEID001"),
                new java.util.LinkedHashMap<>(Map.of("team", "web")));
        assertEquals(profile, roundTrip(IamRecords.INSTANCE_PROFILES, IamRecords.instanceProfile(profile)));

        ServiceLinkedRoleDeletion deletion = new ServiceLinkedRoleDeletion("111122223333",
                "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/0f0e0d0c-0b0a-4908-8706-050403020100",
                "arn:aws:iam::111122223333:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", "SUCCEEDED",
                Instant.parse("2026-11-01T10:00:01Z"));
        assertEquals(deletion, roundTrip(IamRecords.ROLE_DELETIONS, IamRecords.roleDeletion(deletion)));

        CredentialReport report = new CredentialReport("111122223333", Instant.parse("2026-11-01T10:00:02Z"),
                "user,arn\n<root_account>,arn:aws:iam::111122223333:root\n\"a,b\",x");
        assertEquals(report, roundTrip(IamRecords.CREDENTIAL_REPORTS, IamRecords.credentialReport(report)));
    }

    @Test
    void aDamagedRecordIsReportedAsSuch() {
        assertThrows(StoreException.class, () -> IamRecords.decode(IamRecords.INSTANCE_PROFILES,
                JSON.readTree("{\"account\":\"111122223333\",\"name\":\"web\"}")));
    }
}
