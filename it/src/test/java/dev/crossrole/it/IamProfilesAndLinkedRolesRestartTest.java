package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AttachedPolicy;
import software.amazon.awssdk.services.iam.model.InstanceProfile;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * Instance profiles (with their role and tags), service-linked roles, their deletion tasks and the credential
 * report survive a restart on the same data directory, and what was deleted stays deleted.
 */
class IamProfilesAndLinkedRolesRestartTest {
    static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

    @TempDir
    Path dir;

    private static IamClient iam(CrossroleServer server) {
        Bootstrap.Profile p = server.profiles().get(0);
        return IamClient.builder().endpointOverride(URI.create(server.endpoint())).region(Region.AWS_GLOBAL)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(),
                        p.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Test
    void profilesLinkedRolesTasksAndTheReportAreKept() throws Exception {
        Path data = dir.resolve("data");
        InstanceProfile before;
        String task;
        String report;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
             IamClient iam = iam(server)) {
            iam.createRole(r -> r.roleName("kept-ec2-role").assumeRolePolicyDocument(TRUST));
            before = iam.createInstanceProfile(r -> r.instanceProfileName("kept-profile").path("/kept/")
                    .tags(Tag.builder().key("team").value("ops").build())).instanceProfile();
            iam.addRoleToInstanceProfile(r -> r.instanceProfileName("kept-profile").roleName("kept-ec2-role"));
            iam.createInstanceProfile(r -> r.instanceProfileName("gone-profile"));
            iam.deleteInstanceProfile(r -> r.instanceProfileName("gone-profile"));
            iam.createServiceLinkedRole(r -> r.awsServiceName("ecs.amazonaws.com"));
            iam.createServiceLinkedRole(r -> r.awsServiceName("batch.amazonaws.com"));
            task = iam.deleteServiceLinkedRole(r -> r.roleName("AWSServiceRoleForBatch")).deletionTaskId();
            assertEquals("STARTED", iam.generateCredentialReport().stateAsString());
            report = iam.getCredentialReport().content().asString(StandardCharsets.UTF_8);
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
             IamClient iam = iam(again)) {
            InstanceProfile after = iam.getInstanceProfile(r -> r.instanceProfileName("kept-profile")).instanceProfile();
            assertEquals(before.arn(), after.arn());
            assertEquals(before.instanceProfileId(), after.instanceProfileId());
            assertEquals(before.createDate(), after.createDate());
            assertEquals(List.of("kept-ec2-role"), after.roles().stream().map(r -> r.roleName()).toList());
            assertEquals("ops", after.tags().get(0).value());
            assertEquals(List.of("kept-profile"), iam.listInstanceProfilesForRole(r -> r.roleName("kept-ec2-role"))
                    .instanceProfiles().stream().map(InstanceProfile::instanceProfileName).toList());
            IamSdk.assertError(() -> iam.getInstanceProfile(r -> r.instanceProfileName("gone-profile")), 404,
                    "NoSuchEntity", "Instance Profile gone-profile cannot be found.");
            // The role is still held, so still cannot be deleted.
            IamSdk.assertError(() -> iam.deleteRole(r -> r.roleName("kept-ec2-role")), 409, "DeleteConflict",
                    "Cannot delete entity, must remove roles from instance profile first.");

            assertEquals("/aws-service-role/ecs.amazonaws.com/",
                    iam.getRole(r -> r.roleName("AWSServiceRoleForECS")).role().path());
            assertEquals(List.of("AmazonECSServiceRolePolicy"), iam.listAttachedRolePolicies(
                    r -> r.roleName("AWSServiceRoleForECS")).attachedPolicies().stream()
                    .map(AttachedPolicy::policyName).toList());
            IamSdk.assertError(() -> iam.deleteRole(r -> r.roleName("AWSServiceRoleForECS")), 400,
                    "UnmodifiableEntity", "Cannot perform the operation on the protected role 'AWSServiceRoleForECS'"
                            + " - this role is only modifiable by AWS");
            assertEquals("SUCCEEDED", iam.getServiceLinkedRoleDeletionStatus(r -> r.deletionTaskId(task))
                    .statusAsString());
            IamSdk.assertError(() -> iam.getRole(r -> r.roleName("AWSServiceRoleForBatch")), 404, "NoSuchEntity",
                    "The role with name AWSServiceRoleForBatch cannot be found.");

            assertEquals(report, iam.getCredentialReport().content().asString(StandardCharsets.UTF_8));
            assertEquals("COMPLETE", iam.generateCredentialReport().stateAsString());
        }
    }
}
