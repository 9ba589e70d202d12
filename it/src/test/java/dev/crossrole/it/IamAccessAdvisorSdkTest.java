package dev.crossrole.it;

import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessAdvisorUsageGranularityType;
import software.amazon.awssdk.services.iam.model.EntityDetails;
import software.amazon.awssdk.services.iam.model.GetServiceLastAccessedDetailsResponse;
import software.amazon.awssdk.services.iam.model.JobStatusType;
import software.amazon.awssdk.services.iam.model.PolicyOwnerEntityType;
import software.amazon.awssdk.services.iam.model.ServiceLastAccessed;
import software.amazon.awssdk.services.iam.model.TrackedActionLastAccessed;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * IAM's access advisor through the AWS SDK for Java v2: reports for a user, a role, a group and a managed policy,
 * computed from the attempts crossrole recorded (allowed or denied, from the region each was signed for), at
 * service and action level, with the entities behind each service; the job belongs to whoever started it, and no
 * account reports on another's entities.
 */
class IamAccessAdvisorSdkTest {
    static final String ALLOW = "{\"Version\":\"2012-10-17\",\"Statement\":[";
    static TestCrossrole crossrole;
    static IamClient iam;
    static String readerArn;
    static String roleArn;
    static String policyArn;
    static Instant readersLastSts;
    static Instant rolesLastSts;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE));
        readerArn = TestCrossrole.userArn(SOURCE, "reader");
        roleArn = TestCrossrole.roleArn(SOURCE, "advised-role");
        iam.createRole(r -> r.roleName("advised-role").assumeRolePolicyDocument(ALLOW + "{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},\"Action\":\"sts:AssumeRole\"}]}"));
        iam.putRolePolicy(r -> r.roleName("advised-role").policyName("list").policyDocument(ALLOW
                + "{\"Effect\":\"Allow\",\"Action\":\"s3:ListAllMyBuckets\",\"Resource\":\"*\"}]}"));
        var readerKey = crossrole.user(SOURCE, "reader", Map.of("reader", ALLOW
                + "{\"Effect\":\"Allow\",\"Action\":[\"iam:GetUser\",\"iam:GetServiceLastAccessedDetails\","
                + "\"s3:ListAllMyBuckets\",\"ecs:ListClusters\"],\"Resource\":\"*\"},"
                + "{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"" + roleArn + "\"}]}"));
        crossrole.user(SOURCE, "idle", Map.of());
        iam.createGroup(r -> r.groupName("advised-group"));
        iam.addUserToGroup(r -> r.groupName("advised-group").userName("reader"));
        iam.addUserToGroup(r -> r.groupName("advised-group").userName("idle"));
        iam.putGroupPolicy(r -> r.groupName("advised-group").policyName("whoami").policyDocument(ALLOW
                + "{\"Effect\":\"Allow\",\"Action\":\"sts:GetCallerIdentity\",\"Resource\":\"*\"}]}"));
        policyArn = iam.createPolicy(r -> r.policyName("advised-policy").policyDocument(ALLOW
                + "{\"Effect\":\"Allow\",\"Action\":\"sts:*\",\"Resource\":\"*\"}]}")).policy().arn();
        iam.attachUserPolicy(r -> r.userName("reader").policyArn(policyArn));
        iam.attachRolePolicy(r -> r.roleName("advised-role").policyArn(policyArn));

        // What the reader does: STS and IAM in us-east-1, S3 from eu-west-1, an IAM call it is denied; then it
        // assumes the role, whose session asks who it is.
        try (StsClient sts = crossrole.sts(readerKey);
             IamClient asReader = IamSdk.iam(crossrole, TestCrossrole.credentials(readerKey));
             S3Client s3 = S3Sdk.pathStyle(crossrole, TestCrossrole.credentials(readerKey), Region.EU_WEST_1)) {
            sts.getCallerIdentity();
            asReader.getUser();
            s3.listBuckets();
            assertEquals("AccessDenied", IamSdk.fails(asReader::listUsers).awsErrorDetails().errorCode());
            Credentials session = sts.assumeRole(r -> r.roleArn(roleArn).roleSessionName("advised")).credentials();
            readersLastSts = Instant.now();
            try (StsClient asRole = crossrole.sts(session)) {
                asRole.getCallerIdentity();
            }
            rolesLastSts = Instant.now();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
        crossrole.close();
    }

    static GetServiceLastAccessedDetailsResponse report(IamClient client, String arn,
                                                        AccessAdvisorUsageGranularityType granularity) {
        String jobId = client.generateServiceLastAccessedDetails(r -> r.arn(arn).granularity(granularity)).jobId();
        assertEquals(36, jobId.length());
        GetServiceLastAccessedDetailsResponse details = client.getServiceLastAccessedDetails(r -> r.jobId(jobId));
        assertEquals(JobStatusType.COMPLETED, details.jobStatus());
        assertEquals(granularity, details.jobType());
        assertNotNull(details.jobCreationDate());
        assertNotNull(details.jobCompletionDate());
        return details;
    }

    static Map<String, ServiceLastAccessed> byNamespace(GetServiceLastAccessedDetailsResponse details) {
        return details.servicesLastAccessed().stream()
                .collect(Collectors.toMap(ServiceLastAccessed::serviceNamespace, Function.identity()));
    }

    @Test
    void policiesGrantingServiceAccessNameEachPolicyOfTheIdentityAndItsGroups() {
        var granting = iam.listPoliciesGrantingServiceAccess(r -> r.arn(readerArn).serviceNamespaces("s3", "sts", "kms"))
                .policiesGrantingServiceAccess();
        assertEquals(List.of("s3", "sts", "kms"), granting.stream()
                .map(software.amazon.awssdk.services.iam.model.ListPoliciesGrantingServiceAccessEntry::serviceNamespace)
                .toList());
        assertEquals(List.of("reader"), granting.get(0).policies().stream()
                .map(software.amazon.awssdk.services.iam.model.PolicyGrantingServiceAccess::policyName).toList());
        assertEquals(PolicyOwnerEntityType.USER, granting.get(0).policies().get(0).entityType());
        // sts: the user's own inline policy (AssumeRole), the group's (GetCallerIdentity) and the managed one (sts:*)
        var sts = granting.get(1).policies();
        assertEquals(List.of("reader", "advised-policy", "whoami"), sts.stream()
                .map(software.amazon.awssdk.services.iam.model.PolicyGrantingServiceAccess::policyName).toList());
        assertEquals(policyArn, sts.get(1).policyArn());
        assertEquals(PolicyOwnerEntityType.GROUP, sts.get(2).entityType());
        assertTrue(granting.get(2).policies().isEmpty());
        assertError(() -> iam.listPoliciesGrantingServiceAccess(r -> r.arn(TestCrossrole.userArn(SOURCE, "nobody"))
                .serviceNamespaces("s3")), 404, "NoSuchEntity", "The user with name nobody cannot be found.");
        assertError(() -> iam.listPoliciesGrantingServiceAccess(r -> r.arn(policyArn).serviceNamespaces("s3")), 400,
                "InvalidInput", "ARN " + policyArn + " is not valid.");
    }

    @Test
    void aUsersReportListsWhatItsPoliciesAllowAndWhenItTriedEach() {
        GetServiceLastAccessedDetailsResponse details = report(iam, readerArn, AccessAdvisorUsageGranularityType.SERVICE_LEVEL);
        // Its own policy, its group's and the managed policy attached to it.
        assertEquals(List.of("ecs", "iam", "s3", "sts"), details.servicesLastAccessed().stream()
                .map(ServiceLastAccessed::serviceNamespace).toList(), "by namespace");
        Map<String, ServiceLastAccessed> services = byNamespace(details);
        assertEquals("Amazon S3", services.get("s3").serviceName());
        assertEquals("AWS Security Token Service", services.get("sts").serviceName());
        for (String used : List.of("iam", "s3", "sts")) {
            ServiceLastAccessed s = services.get(used);
            assertNotNull(s.lastAuthenticated(), used);
            assertEquals(readerArn, s.lastAuthenticatedEntity(), used);
            assertEquals(1, s.totalAuthenticatedEntities(), used);
            assertFalse(s.hasTrackedActionsLastAccessed(), "service level");
        }
        assertEquals("eu-west-1", services.get("s3").lastAuthenticatedRegion(), "the region S3 was called in");
        assertEquals("us-east-1", services.get("sts").lastAuthenticatedRegion());
        assertTrue(!services.get("sts").lastAuthenticated().isAfter(readersLastSts), "its AssumeRole was its last");
        ServiceLastAccessed ecs = services.get("ecs");
        assertNull(ecs.lastAuthenticated(), "allowed, never tried");
        assertNull(ecs.lastAuthenticatedEntity());
        assertEquals(0, ecs.totalAuthenticatedEntities());
        assertEquals("Amazon Elastic Container Service", ecs.serviceName());

        GetServiceLastAccessedDetailsResponse firstPage = iam.getServiceLastAccessedDetails(r -> r
                .jobId(iam.generateServiceLastAccessedDetails(g -> g.arn(readerArn)).jobId()).maxItems(3));
        assertTrue(firstPage.isTruncated());
        assertEquals(3, firstPage.servicesLastAccessed().size());
        assertEquals(AccessAdvisorUsageGranularityType.SERVICE_LEVEL, firstPage.jobType(), "the default granularity");
    }

    @Test
    void anActionLevelReportTracksIamAndS3ActionsDeniedAttemptsIncluded() {
        Map<String, ServiceLastAccessed> services = byNamespace(report(iam, readerArn,
                AccessAdvisorUsageGranularityType.ACTION_LEVEL));
        Map<String, TrackedActionLastAccessed> iamActions = services.get("iam").trackedActionsLastAccessed().stream()
                .collect(Collectors.toMap(TrackedActionLastAccessed::actionName, Function.identity()));
        assertTrue(iamActions.containsKey("GetUser"), iamActions.keySet().toString());
        assertTrue(iamActions.containsKey("ListUsers"), "a denied attempt is an attempt: " + iamActions.keySet());
        assertEquals(readerArn, iamActions.get("GetUser").lastAccessedEntity());
        assertEquals("us-east-1", iamActions.get("GetUser").lastAccessedRegion());
        assertEquals(List.of("ListAllMyBuckets"), services.get("s3").trackedActionsLastAccessed().stream()
                .map(TrackedActionLastAccessed::actionName).toList());
        assertEquals("eu-west-1", services.get("s3").trackedActionsLastAccessed().get(0).lastAccessedRegion());
        assertFalse(services.get("sts").hasTrackedActionsLastAccessed(), "STS actions are not tracked one by one");
        assertFalse(services.get("ecs").hasTrackedActionsLastAccessed(), "never used");
    }

    @Test
    void aRolesReportCountsItsSessions() {
        Map<String, ServiceLastAccessed> services = byNamespace(report(iam, roleArn,
                AccessAdvisorUsageGranularityType.SERVICE_LEVEL));
        assertEquals(List.of("s3", "sts"), services.keySet().stream().sorted().toList());
        assertEquals(roleArn, services.get("sts").lastAuthenticatedEntity(), "the role, not its session");
        assertEquals(1, services.get("sts").totalAuthenticatedEntities());
        assertNull(services.get("s3").lastAuthenticated());
    }

    @Test
    void aGroupsReportNamesTheMemberWhoTriedAndListsEveryMember() {
        String groupArn = "arn:aws:iam::" + SOURCE + ":group/advised-group";
        String jobId = iam.generateServiceLastAccessedDetails(r -> r.arn(groupArn)).jobId();
        ServiceLastAccessed sts = byNamespace(iam.getServiceLastAccessedDetails(r -> r.jobId(jobId))).get("sts");
        assertEquals(readerArn, sts.lastAuthenticatedEntity());
        assertEquals(1, sts.totalAuthenticatedEntities());
        List<EntityDetails> entities = iam.getServiceLastAccessedDetailsWithEntities(r -> r.jobId(jobId)
                .serviceNamespace("sts")).entityDetailsList();
        assertEquals(List.of("reader", "idle"), entities.stream().map(e -> e.entityInfo().name()).toList(),
                "most recent first, then those who never tried");
        assertEquals(PolicyOwnerEntityType.USER, entities.get(0).entityInfo().type());
        assertEquals(readerArn, entities.get(0).entityInfo().arn());
        assertEquals("/", entities.get(0).entityInfo().path());
        assertTrue(entities.get(0).entityInfo().id().startsWith("AIDA"));
        assertEquals(sts.lastAuthenticated(), entities.get(0).lastAuthenticated());
        assertNull(entities.get(1).lastAuthenticated());
        assertTrue(iam.getServiceLastAccessedDetailsWithEntities(r -> r.jobId(jobId).serviceNamespace("ec2"))
                .entityDetailsList().isEmpty(), "a service the report does not list");
    }

    @Test
    void aPolicysReportCoversTheUsersAndRolesItIsAttachedTo() {
        String jobId = iam.generateServiceLastAccessedDetails(r -> r.arn(policyArn)).jobId();
        Map<String, ServiceLastAccessed> services = byNamespace(iam.getServiceLastAccessedDetails(r -> r.jobId(jobId)));
        assertEquals(List.of("sts"), List.copyOf(services.keySet()));
        assertEquals(2, services.get("sts").totalAuthenticatedEntities());
        assertEquals(roleArn, services.get("sts").lastAuthenticatedEntity(), "the role's session asked last");
        assertTrue(!services.get("sts").lastAuthenticated().isAfter(rolesLastSts));
        List<EntityDetails> entities = iam.getServiceLastAccessedDetailsWithEntities(r -> r.jobId(jobId)
                .serviceNamespace("sts")).entityDetailsList();
        assertEquals(List.of(PolicyOwnerEntityType.ROLE, PolicyOwnerEntityType.USER), entities.stream()
                .map(e -> e.entityInfo().type()).toList());
        // An AWS managed policy attached to nothing here: every service it allows, none tried.
        Map<String, ServiceLastAccessed> readOnly = byNamespace(report(iam, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                AccessAdvisorUsageGranularityType.SERVICE_LEVEL));
        assertTrue(readOnly.containsKey("s3"));
        assertEquals(0, readOnly.get("s3").totalAuthenticatedEntities());
    }

    @Test
    void jobsBelongToWhoeverStartedThemAndBadArnsGetIamsErrors() {
        String jobId = iam.generateServiceLastAccessedDetails(r -> r.arn(readerArn)).jobId();
        String unknown = "12345678-1234-1234-1234-123456789012";
        assertError(() -> iam.getServiceLastAccessedDetails(r -> r.jobId(unknown)), 404, "NoSuchEntity",
                "No report found for job id " + unknown + ".");
        var readerKey = crossrole.iam().createAccessKey(SOURCE, "reader");
        try (IamClient asReader = IamSdk.iam(crossrole, TestCrossrole.credentials(readerKey))) {
            assertError(() -> asReader.getServiceLastAccessedDetails(r -> r.jobId(jobId)), 404, "NoSuchEntity",
                    "No report found for job id " + jobId + ".");
        }
        assertError(() -> iam.generateServiceLastAccessedDetails(r -> r.arn("this-is-not-an-arn-at-all")), 400,
                "InvalidInput", "ARN this-is-not-an-arn-at-all is not valid.");
        assertError(() -> iam.generateServiceLastAccessedDetails(r -> r.arn("arn:aws:s3:::some-bucket-name")), 400,
                "InvalidInput", "ARN arn:aws:s3:::some-bucket-name is not valid: the report is made for an IAM user,"
                        + " group, role or managed policy.");
        assertError(() -> iam.generateServiceLastAccessedDetails(r -> r.arn(TestCrossrole.userArn(SOURCE, "ghost"))), 404,
                "NoSuchEntity", "The user with name ghost cannot be found.");
        assertError(() -> iam.generateServiceLastAccessedDetails(r -> r.arn(TestCrossrole.roleArn(SOURCE, "ghost"))), 404,
                "NoSuchEntity", "The role with name ghost cannot be found.");
    }

    @Test
    void noAccountReportsOnAnothersEntities() {
        String jobId = iam.generateServiceLastAccessedDetails(r -> r.arn(readerArn)).jobId();
        try (IamClient other = IamSdk.iam(crossrole, crossrole.adminCredentials(DESTINATION))) {
            var denied = IamSdk.fails(() -> other.generateServiceLastAccessedDetails(r -> r.arn(readerArn)));
            assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());
            assertEquals(403, denied.statusCode());
            assertError(() -> other.getServiceLastAccessedDetails(r -> r.jobId(jobId)), 404, "NoSuchEntity",
                    "No report found for job id " + jobId + ".");
            assertError(() -> other.getServiceLastAccessedDetailsWithEntities(r -> r.jobId(jobId).serviceNamespace("sts")),
                    404, "NoSuchEntity", "No report found for job id " + jobId + ".");
        }
    }
}
