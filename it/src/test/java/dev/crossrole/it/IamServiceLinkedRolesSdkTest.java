package dev.crossrole.it;

import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AttachedPolicy;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * Service-linked roles through the AWS SDK for Java v2: the role IAM makes for a service (name, path, trust policy,
 * the service's managed policy), custom suffixes where IAM takes them, the ordinary role operations refused on it,
 * its deletion task, and IAM's answers for unknown services, duplicates and another account's tasks.
 */
class IamServiceLinkedRolesSdkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PROTECTED = "Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - this"
            + " role is only modifiable by AWS";

    static TestCrossrole crossrole;
    static IamClient iam;
    static IamClient otherAccount;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE));
        otherAccount = IamSdk.iam(crossrole, crossrole.adminCredentials(DESTINATION));
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
        otherAccount.close();
        crossrole.close();
    }

    private static List<String> attached(String role) {
        return iam.listAttachedRolePolicies(r -> r.roleName(role)).attachedPolicies().stream()
                .map(AttachedPolicy::policyArn).toList();
    }

    private static JsonNode trust(Role role) throws Exception {
        return JSON.readTree(IamSdk.decode(role.assumeRolePolicyDocument()));
    }

    @Test
    void ecsGetsItsRoleWhichOnlyItsOwnOperationsMayChange() throws Exception {
        Role role = iam.createServiceLinkedRole(r -> r.awsServiceName("ecs.amazonaws.com")).role();
        assertEquals("AWSServiceRoleForECS", role.roleName());
        assertEquals("/aws-service-role/ecs.amazonaws.com/", role.path());
        assertEquals("arn:aws:iam::" + SOURCE + ":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
                role.arn());
        assertTrue(role.roleId().startsWith("AROA"), role.roleId());
        assertEquals(3600, role.maxSessionDuration());
        assertNull(role.description(), "IAM gives the ECS role no description");
        JsonNode statement = trust(role).get("Statement").get(0);
        assertEquals("Allow", statement.get("Effect").asText());
        assertEquals("ecs.amazonaws.com", statement.get("Principal").get("Service").asText());
        assertEquals("sts:AssumeRole", statement.get("Action").asText());
        assertEquals(List.of("arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"),
                attached("AWSServiceRoleForECS"));
        assertEquals(List.of(), iam.listRolePolicies(r -> r.roleName("AWSServiceRoleForECS")).policyNames());
        assertEquals(role.arn(), iam.getRole(r -> r.roleName("AWSServiceRoleForECS")).role().arn());
        assertTrue(iam.listRoles(r -> r.pathPrefix("/aws-service-role/")).roles().stream()
                .anyMatch(r -> r.roleName().equals("AWSServiceRoleForECS")));

        assertError(() -> iam.createServiceLinkedRole(r -> r.awsServiceName("ecs.amazonaws.com")), 400, "InvalidInput",
                "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.");
        assertError(() -> iam.createServiceLinkedRole(r -> r.awsServiceName("ecs.amazonaws.com").customSuffix("x")),
                400, "InvalidInput", "Custom suffix is not allowed for ecs.amazonaws.com");

        String inline = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                + "\"Resource\":\"*\"}}";
        for (Executable refused : List.<Executable>of(
                () -> iam.deleteRole(r -> r.roleName("AWSServiceRoleForECS")),
                () -> iam.putRolePolicy(r -> r.roleName("AWSServiceRoleForECS").policyName("p").policyDocument(inline)),
                () -> iam.deleteRolePolicy(r -> r.roleName("AWSServiceRoleForECS").policyName("p")),
                () -> iam.attachRolePolicy(r -> r.roleName("AWSServiceRoleForECS")
                        .policyArn("arn:aws:iam::aws:policy/ReadOnlyAccess")),
                () -> iam.detachRolePolicy(r -> r.roleName("AWSServiceRoleForECS")
                        .policyArn("arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy")),
                () -> iam.updateAssumeRolePolicy(r -> r.roleName("AWSServiceRoleForECS").policyDocument(
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                                + TestCrossrole.rootArn(SOURCE) + "\"},\"Action\":\"sts:AssumeRole\"}]}")),
                () -> iam.putRolePermissionsBoundary(r -> r.roleName("AWSServiceRoleForECS")
                        .permissionsBoundary("arn:aws:iam::aws:policy/ReadOnlyAccess")),
                () -> iam.deleteRolePermissionsBoundary(r -> r.roleName("AWSServiceRoleForECS")),
                () -> iam.updateRole(r -> r.roleName("AWSServiceRoleForECS").maxSessionDuration(7200)))) {
            assertError(refused, 400, "UnmodifiableEntity", PROTECTED);
        }
        Role unchanged = iam.getRole(r -> r.roleName("AWSServiceRoleForECS")).role();
        assertEquals("ecs.amazonaws.com", trust(unchanged).get("Statement").get(0).get("Principal").get("Service")
                .asText());
        assertEquals(3600, unchanged.maxSessionDuration());
        assertEquals(List.of("arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"),
                attached("AWSServiceRoleForECS"));
        assertEquals(List.of(), iam.listRolePolicies(r -> r.roleName("AWSServiceRoleForECS")).policyNames());

        // Its description and tags are the account's to change.
        iam.updateRoleDescription(r -> r.roleName("AWSServiceRoleForECS").description("ECS on our behalf"));
        iam.tagRole(r -> r.roleName("AWSServiceRoleForECS").tags(Tag.builder().key("k").value("v").build()));
        Role described = iam.getRole(r -> r.roleName("AWSServiceRoleForECS")).role();
        assertEquals("ECS on our behalf", described.description());
        assertEquals("v", described.tags().get(0).value());

        // No instance profile may hold it.
        iam.createInstanceProfile(r -> r.instanceProfileName("linked-profile"));
        assertError(() -> iam.addRoleToInstanceProfile(r -> r.instanceProfileName("linked-profile")
                .roleName("AWSServiceRoleForECS")), 400, "UnmodifiableEntity", PROTECTED);

        String task = iam.deleteServiceLinkedRole(r -> r.roleName("AWSServiceRoleForECS")).deletionTaskId();
        assertTrue(task.matches("task/aws-service-role/ecs\\.amazonaws\\.com/AWSServiceRoleForECS/"
                + "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), task);
        assertEquals("SUCCEEDED", iam.getServiceLinkedRoleDeletionStatus(r -> r.deletionTaskId(task)).statusAsString());
        assertError(() -> iam.getRole(r -> r.roleName("AWSServiceRoleForECS")), 404, "NoSuchEntity",
                "The role with name AWSServiceRoleForECS cannot be found.");
        // The task is the account's: another account asking for it finds none.
        assertError(() -> otherAccount.getServiceLinkedRoleDeletionStatus(r -> r.deletionTaskId(task)), 404,
                "NoSuchEntity", "Deletion task " + task + " cannot be found.");
        // Once deleted, the service may have it made again.
        assertEquals("AWSServiceRoleForECS", iam.createServiceLinkedRole(r -> r.awsServiceName("ecs.amazonaws.com"))
                .role().roleName());
    }

    @Test
    void organizationsAndSuffixesAsIamNamesThem() throws Exception {
        Role org = iam.createServiceLinkedRole(r -> r.awsServiceName("organizations.amazonaws.com")).role();
        assertEquals("AWSServiceRoleForOrganizations", org.roleName());
        assertEquals("/aws-service-role/organizations.amazonaws.com/", org.path());
        assertEquals("Service-linked role used by AWS Organizations to enable integration of other AWS services with"
                + " Organizations.", org.description());
        assertEquals("organizations.amazonaws.com", trust(org).get("Statement").get(0).get("Principal").get("Service")
                .asText());
        assertEquals(List.of("arn:aws:iam::aws:policy/aws-service-role/AWSOrganizationsServiceTrustPolicy"),
                attached("AWSServiceRoleForOrganizations"));

        Role scaling = iam.createServiceLinkedRole(r -> r.awsServiceName("autoscaling.amazonaws.com")
                .customSuffix("suffix").description("mine")).role();
        assertEquals("AWSServiceRoleForAutoScaling_suffix", scaling.roleName());
        assertEquals("/aws-service-role/autoscaling.amazonaws.com/", scaling.path());
        assertEquals("mine", scaling.description());
        assertEquals(List.of("arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"),
                attached("AWSServiceRoleForAutoScaling_suffix"));
        // Without the suffix the service's own name is still free.
        assertEquals("AWSServiceRoleForAutoScaling", iam.createServiceLinkedRole(r -> r.awsServiceName(
                "autoscaling.amazonaws.com")).role().roleName());

        assertEquals("Allows Amazon RDS to manage AWS resources on your behalf", iam.createServiceLinkedRole(
                r -> r.awsServiceName("rds.amazonaws.com")).role().description());
    }

    @Test
    void badInputGetsIamsErrors() {
        assertError(() -> iam.createServiceLinkedRole(r -> r.awsServiceName("nothing.amazonaws.com")), 403,
                "AccessDenied", "Cannot find Service Linked Role template for nothing.amazonaws.com");
        assertError(() -> iam.createServiceLinkedRole(r -> r.awsServiceName("ECS.amazonaws.com")), 403,
                "AccessDenied", "Cannot find Service Linked Role template for ECS.amazonaws.com");
        // CreateRole may not use the service-linked roles' path.
        assertError(() -> iam.createRole(r -> r.roleName("AWSServiceRoleForECS").path("/aws-service-role/ecs.amazonaws.com/")
                .assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                        + "\"Principal\":{\"Service\":\"ecs.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}")),
                400, "InvalidInput", "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles");
        assertTrue(iam.listRoles(r -> r.pathPrefix("/aws-service-role/nothing.amazonaws.com/")).roles().isEmpty());

        iam.createRole(r -> r.roleName("ordinary").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs.amazonaws.com\"},"
                + "\"Action\":\"sts:AssumeRole\"}]}"));
        assertError(() -> iam.deleteServiceLinkedRole(r -> r.roleName("ordinary")), 404, "NoSuchEntity",
                "The service-linked role with name ordinary cannot be found.");
        assertEquals("ordinary", iam.getRole(r -> r.roleName("ordinary")).role().roleName());
        assertError(() -> iam.deleteServiceLinkedRole(r -> r.roleName("absent")), 404, "NoSuchEntity",
                "The role with name absent cannot be found.");
        assertError(() -> iam.getServiceLinkedRoleDeletionStatus(r -> r.deletionTaskId("not-a-task")), 400,
                "InvalidInput", "Invalid deletion task id: not-a-task");
        String unknown = "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/00000000-0000-0000-0000-000000000000";
        assertError(() -> iam.getServiceLinkedRoleDeletionStatus(r -> r.deletionTaskId(unknown)), 404, "NoSuchEntity",
                "Deletion task " + unknown + " cannot be found.");
    }

    @Test
    void anotherAccountsServiceLinkedRoleIsOutOfReach() {
        iam.createServiceLinkedRole(r -> r.awsServiceName("batch.amazonaws.com"));
        // Role names are looked up in the caller's own account.
        assertError(() -> otherAccount.deleteServiceLinkedRole(r -> r.roleName("AWSServiceRoleForBatch")), 404,
                "NoSuchEntity", "The role with name AWSServiceRoleForBatch cannot be found.");
        // The other account has a role of its own for the same service.
        assertEquals("arn:aws:iam::" + DESTINATION + ":role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
                otherAccount.createServiceLinkedRole(r -> r.awsServiceName("batch.amazonaws.com")).role().arn());
        otherAccount.deleteServiceLinkedRole(r -> r.roleName("AWSServiceRoleForBatch"));
        assertEquals("arn:aws:iam::" + SOURCE + ":role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
                iam.getRole(r -> r.roleName("AWSServiceRoleForBatch")).role().arn());
    }
}
