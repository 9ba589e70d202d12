package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.CrossroleServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the SDK tests cannot reach: the service-linked role table against the AWS managed policies, a credential
 * report that has expired, and the Query XML of the new outputs.
 */
class ProfilesLinkedRolesAndReportsTest {
    @TempDir
    static Path dir;
    static CrossroleServer server;
    static IamTestClient admin;

    @BeforeAll
    static void start() throws Exception {
        server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0));
        admin = IamTestClient.admin(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyServiceLinkedRoleHasItsPolicy() {
        Set<String> names = new HashSet<>();
        for (ServiceLinkedRoles.Template t : ServiceLinkedRoles.templates()) {
            assertTrue(t.roleName().startsWith("AWSServiceRoleFor"), t.toString());
            assertTrue(names.add(t.roleName()), "one service per role name: " + t);
            ManagedPolicy policy = AwsManagedPolicies.byArn(t.policyArn()).orElse(null);
            assertNotNull(policy, t.policyArn() + " is not an AWS managed policy");
            assertEquals("/aws-service-role/", policy.path(), t.policyArn());
        }
        assertTrue(names.size() >= 70, "the recorded services: " + names.size());
        assertEquals("AWSServiceRoleForECS", ServiceLinkedRoles.of("ecs.amazonaws.com").orElseThrow().roleName());
    }

    @Test
    void anExpiredReportIsNotServedAndANewOneIsMade() {
        String account = server.profiles().get(0).account().id();
        IamDirectory iam = server.iam();
        assertEquals("STARTED", admin.call("GenerateCredentialReport").value("State"));
        CredentialReport fresh = iam.credentialReport(account).orElseThrow();
        // Four hours later it has expired.
        iam.putCredentialReport(new CredentialReport(account, fresh.generated().minus(Duration.ofHours(4)), fresh.csv()));
        IamTestClient.Response expired = admin.call("GetCredentialReport");
        assertEquals(410, expired.status(), expired.toString());
        assertEquals("ReportExpired", expired.errorCode());
        assertEquals("Credential report has expired. Use GenerateCredentialReport to generate a new one.",
                expired.errorMessage());
        // A minute short of four hours it had not.
        iam.putCredentialReport(new CredentialReport(account, Instant.now().minus(Duration.ofMinutes(239)), fresh.csv()));
        assertEquals(200, admin.call("GetCredentialReport").status());
        assertEquals("COMPLETE", admin.call("GenerateCredentialReport").value("State"));

        iam.putCredentialReport(new CredentialReport(account, fresh.generated().minus(Duration.ofHours(5)), fresh.csv()));
        IamTestClient.Response again = admin.call("GenerateCredentialReport");
        assertEquals("STARTED", again.value("State"), again.toString());
        IamTestClient.Response report = admin.call("GetCredentialReport");
        assertEquals("text/csv", report.value("ReportFormat"));
        String csv = new String(Base64.getDecoder().decode(report.value("Content")), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(csv.startsWith(CredentialReportOperations.COLUMNS + "\n<root_account>,arn:aws:iam::" + account
                + ":root,"), csv);
        assertTrue(!csv.endsWith("\n"), "rows are separated, not terminated");
    }

    @Test
    void contextKeysAndDeletionTasksInQueryXml() {
        IamTestClient.Response keys = admin.call("GetContextKeysForCustomPolicy", "PolicyInputList.member.1",
                "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":"
                        + "\"arn:aws:s3:::b/${aws:username}\"}}");
        assertEquals(200, keys.status(), keys.toString());
        assertTrue(keys.body().contains("<GetContextKeysForCustomPolicyResult><ContextKeyNames><member>aws:username"
                + "</member></ContextKeyNames></GetContextKeysForCustomPolicyResult>"), keys.body());

        assertEquals(200, admin.call("CreateServiceLinkedRole", "AWSServiceName", "acm.amazonaws.com").status());
        IamTestClient.Response deleted = admin.call("DeleteServiceLinkedRole", "RoleName",
                "AWSServiceRoleForCertificateManager");
        String task = deleted.value("DeletionTaskId");
        assertTrue(task.startsWith("task/aws-service-role/acm.amazonaws.com/AWSServiceRoleForCertificateManager/"), task);
        IamTestClient.Response status = admin.call("GetServiceLinkedRoleDeletionStatus", "DeletionTaskId", task);
        assertEquals("SUCCEEDED", status.value("Status"), status.toString());
    }
}
