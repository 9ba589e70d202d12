package dev.crossrole.it;

import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.IamSdk.notAuthorized;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.InstanceProfile;
import software.amazon.awssdk.services.iam.model.ListInstanceProfilesResponse;
import software.amazon.awssdk.services.iam.model.RoleDetail;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * IAM instance profiles through the AWS SDK for Java v2: every operation of the model, the one-role quota, the
 * conflicts that keep a profile's role and a profile with a role from being deleted, iam:PassRole for the role
 * added, IAM's answers to bad input (which change nothing), and no reach into another account's profiles.
 */
class IamInstanceProfilesSdkTest {
    static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

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

    static String profileArn(String account, String pathAndName) {
        return "arn:aws:iam::" + account + ":instance-profile" + pathAndName;
    }

    @Test
    void aProfileLivesThroughEveryOperation() {
        InstanceProfile created = iam.createInstanceProfile(r -> r.instanceProfileName("web").path("/apps/")
                .tags(Tag.builder().key("team").value("web").build())).instanceProfile();
        assertEquals("web", created.instanceProfileName());
        assertEquals("/apps/", created.path());
        assertEquals(profileArn(SOURCE, "/apps/web"), created.arn());
        assertTrue(created.instanceProfileId().matches("AIPA[A-Z2-7]{17}"), created.instanceProfileId());
        assertEquals(List.of(), created.roles());
        assertEquals("web", created.tags().get(0).value());

        iam.createRole(r -> r.roleName("web-role").assumeRolePolicyDocument(TRUST));
        iam.addRoleToInstanceProfile(r -> r.instanceProfileName("web").roleName("web-role"));
        InstanceProfile got = iam.getInstanceProfile(r -> r.instanceProfileName("WEB")).instanceProfile();
        assertEquals(created.instanceProfileId(), got.instanceProfileId(), "names are case-insensitive");
        assertEquals(created.createDate(), got.createDate());
        assertEquals(List.of("web-role"), got.roles().stream().map(r -> r.roleName()).toList());
        assertEquals(TestCrossrole.roleArn(SOURCE, "web-role"), got.roles().get(0).arn());
        assertEquals("ec2.amazonaws.com", IamSdk.decode(got.roles().get(0).assumeRolePolicyDocument())
                .replaceAll(".*\"Service\":\"([^\"]+)\".*", "$1"));
        assertEquals(List.of("web"), iam.listInstanceProfilesForRole(r -> r.roleName("web-role")).instanceProfiles()
                .stream().map(InstanceProfile::instanceProfileName).toList());

        // One role per profile, even the same one again.
        iam.createRole(r -> r.roleName("other-role").assumeRolePolicyDocument(TRUST));
        assertError(() -> iam.addRoleToInstanceProfile(r -> r.instanceProfileName("web").roleName("other-role")), 409,
                "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
        assertError(() -> iam.addRoleToInstanceProfile(r -> r.instanceProfileName("web").roleName("web-role")), 409,
                "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
        // Neither the profile nor its role can go while they are together.
        assertError(() -> iam.deleteInstanceProfile(r -> r.instanceProfileName("web")), 409, "DeleteConflict",
                "Cannot delete entity, must remove roles from instance profile first.");
        assertError(() -> iam.deleteRole(r -> r.roleName("web-role")), 409, "DeleteConflict",
                "Cannot delete entity, must remove roles from instance profile first.");

        RoleDetail detail = iam.getAccountAuthorizationDetails(r -> r.filterWithStrings("Role")).roleDetailList()
                .stream().filter(d -> d.roleName().equals("web-role")).findFirst().orElseThrow();
        assertEquals(List.of(profileArn(SOURCE, "/apps/web")), detail.instanceProfileList().stream()
                .map(InstanceProfile::arn).toList());
        assertEquals(List.of("web-role"), detail.instanceProfileList().get(0).roles().stream().map(r -> r.roleName())
                .toList());
        assertEquals(Integer.valueOf(iam.listInstanceProfiles().instanceProfiles().size()),
                iam.getAccountSummary().summaryMapAsStrings().get("InstanceProfiles"));

        iam.tagInstanceProfile(r -> r.instanceProfileName("web").tags(Tag.builder().key("env").value("prod").build(),
                Tag.builder().key("TEAM").value("platform").build()));
        assertEquals(Map.of("TEAM", "platform", "env", "prod"), tags("web"), "a key of another case replaces the tag");
        iam.untagInstanceProfile(r -> r.instanceProfileName("web").tagKeys("team", "absent"));
        assertEquals(Map.of("env", "prod"), tags("web"));

        iam.removeRoleFromInstanceProfile(r -> r.instanceProfileName("web").roleName("web-role"));
        assertEquals(List.of(), iam.getInstanceProfile(r -> r.instanceProfileName("web")).instanceProfile().roles());
        assertEquals(List.of(), iam.listInstanceProfilesForRole(r -> r.roleName("web-role")).instanceProfiles());
        assertError(() -> iam.removeRoleFromInstanceProfile(r -> r.instanceProfileName("web").roleName("web-role")),
                404, "NoSuchEntity", "The role with name web-role cannot be found in instance profile web.");
        iam.deleteRole(r -> r.roleName("web-role"));
        iam.deleteInstanceProfile(r -> r.instanceProfileName("web"));
        assertError(() -> iam.getInstanceProfile(r -> r.instanceProfileName("web")), 404, "NoSuchEntity",
                "Instance Profile web cannot be found.");
        assertError(() -> iam.deleteInstanceProfile(r -> r.instanceProfileName("web")), 404, "NoSuchEntity",
                "Instance Profile web cannot be found.");
        assertError(() -> iam.listInstanceProfileTags(r -> r.instanceProfileName("web")), 404, "NoSuchEntity",
                "Instance Profile web cannot be found.");
        iam.deleteRole(r -> r.roleName("other-role"));
    }

    private static Map<String, String> tags(String profile) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        iam.listInstanceProfileTags(r -> r.instanceProfileName(profile)).tags().forEach(t -> out.put(t.key(), t.value()));
        return out;
    }

    @Test
    void listsFilterByPathAndPage() {
        for (String name : List.of("list-a", "list-b", "list-c")) {
            iam.createInstanceProfile(r -> r.instanceProfileName(name).path("/listing/"));
        }
        iam.createInstanceProfile(r -> r.instanceProfileName("list-elsewhere").path("/other/"));
        ListInstanceProfilesResponse first = iam.listInstanceProfiles(r -> r.pathPrefix("/listing/").maxItems(2));
        assertTrue(first.isTruncated());
        assertEquals(List.of("list-a", "list-b"), first.instanceProfiles().stream()
                .map(InstanceProfile::instanceProfileName).toList());
        ListInstanceProfilesResponse rest = iam.listInstanceProfiles(r -> r.pathPrefix("/listing/").maxItems(2)
                .marker(first.marker()));
        assertFalse(rest.isTruncated());
        assertEquals(List.of("list-c"), rest.instanceProfiles().stream().map(InstanceProfile::instanceProfileName).toList());
        assertTrue(iam.listInstanceProfiles().instanceProfiles().stream()
                .anyMatch(p -> p.instanceProfileName().equals("list-elsewhere")));
        // The paginator of the SDK follows the markers.
        assertEquals(3, iam.listInstanceProfilesPaginator(r -> r.pathPrefix("/listing/").maxItems(1)).instanceProfiles()
                .stream().count());
    }

    @Test
    void badInputGetsIamsErrorsAndChangesNothing() {
        assertError(() -> iam.createInstanceProfile(r -> r.instanceProfileName("bad name")), 400, "ValidationError",
                "The specified value for instanceProfileName is invalid. It must contain only alphanumeric characters"
                        + " and/or the following: +=,.@_-");
        assertError(() -> iam.createInstanceProfile(r -> r.instanceProfileName("p").path("no-slashes")), 400,
                "ValidationError", "The specified value for path is invalid. It must begin and end with / and contain"
                        + " only alphanumeric characters and/or / characters.");
        assertError(() -> iam.createInstanceProfile(r -> r.instanceProfileName("dup-tags").tags(
                Tag.builder().key("k").value("1").build(), Tag.builder().key("K").value("2").build())), 400,
                "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
        assertError(() -> iam.getInstanceProfile(r -> r.instanceProfileName("dup-tags")), 404, "NoSuchEntity",
                "Instance Profile dup-tags cannot be found.");

        iam.createInstanceProfile(r -> r.instanceProfileName("twice"));
        assertError(() -> iam.createInstanceProfile(r -> r.instanceProfileName("TWICE")), 409, "EntityAlreadyExists",
                "Instance Profile TWICE already exists.");
        assertError(() -> iam.addRoleToInstanceProfile(r -> r.instanceProfileName("twice").roleName("no-such-role")),
                404, "NoSuchEntity", "The role with name no-such-role cannot be found.");
        assertError(() -> iam.addRoleToInstanceProfile(r -> r.instanceProfileName("no-such-profile")
                .roleName("no-such-role")), 404, "NoSuchEntity", "Instance Profile no-such-profile cannot be found.");
        assertError(() -> iam.listInstanceProfilesForRole(r -> r.roleName("no-such-role")), 404, "NoSuchEntity",
                "The role with name no-such-role cannot be found.");
        List<Tag> fiftyOne = java.util.stream.IntStream.range(0, 51)
                .mapToObj(i -> Tag.builder().key("k" + i).value("v").build()).toList();
        IamSdk.fails(() -> iam.tagInstanceProfile(r -> r.instanceProfileName("twice").tags(fiftyOne)));
        assertEquals(List.of(), iam.listInstanceProfileTags(r -> r.instanceProfileName("twice")).tags());
        assertEquals(List.of(), iam.getInstanceProfile(r -> r.instanceProfileName("twice")).instanceProfile().roles());
    }

    @Test
    void addingARoleNeedsPassRoleOnIt() {
        iam.createRole(r -> r.roleName("passed-role").assumeRolePolicyDocument(TRUST));
        iam.createInstanceProfile(r -> r.instanceProfileName("pass-profile"));
        var operator = crossrole.user(SOURCE, "profile-operator", Map.of("profiles", "{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:*InstanceProfile*\",\"Resource\":\"*\"}]}"));
        try (IamClient asOperator = IamSdk.iam(crossrole, TestCrossrole.credentials(operator))) {
            assertError(() -> asOperator.addRoleToInstanceProfile(r -> r.instanceProfileName("pass-profile")
                    .roleName("passed-role")), 403, "AccessDenied",
                    notAuthorized(userArn(SOURCE, "profile-operator"), "iam:PassRole", "role passed-role"));
            assertEquals(List.of(), iam.getInstanceProfile(r -> r.instanceProfileName("pass-profile"))
                    .instanceProfile().roles());
            iam.putUserPolicy(r -> r.userName("profile-operator").policyName("pass").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\","
                            + "\"Resource\":\"" + TestCrossrole.roleArn(SOURCE, "passed-role") + "\",\"Condition\":"
                            + "{\"ArnLike\":{\"iam:AssociatedResourceArn\":\"arn:aws:ec2:*:" + SOURCE + ":instance/*\"}}}]}"));
            asOperator.addRoleToInstanceProfile(r -> r.instanceProfileName("pass-profile").roleName("passed-role"));
        }
        assertEquals(List.of("passed-role"), iam.getInstanceProfile(r -> r.instanceProfileName("pass-profile"))
                .instanceProfile().roles().stream().map(r -> r.roleName()).toList());
    }

    @Test
    void anotherAccountsProfilesAreOutOfReach() {
        iam.createInstanceProfile(r -> r.instanceProfileName("private-profile")
                .tags(Tag.builder().key("owner").value("source").build()));
        // Names are looked up in the caller's own account: the other account sees no such profile.
        assertError(() -> otherAccount.getInstanceProfile(r -> r.instanceProfileName("private-profile")), 404,
                "NoSuchEntity", "Instance Profile private-profile cannot be found.");
        assertError(() -> otherAccount.deleteInstanceProfile(r -> r.instanceProfileName("private-profile")), 404,
                "NoSuchEntity", "Instance Profile private-profile cannot be found.");
        IamSdk.fails(() -> otherAccount.tagInstanceProfile(r -> r.instanceProfileName("private-profile")
                .tags(Tag.builder().key("owner").value("destination").build())));
        assertTrue(otherAccount.listInstanceProfiles().instanceProfiles().stream()
                .noneMatch(p -> p.instanceProfileName().equals("private-profile")));
        // A profile of the same name in the other account is its own.
        otherAccount.createInstanceProfile(r -> r.instanceProfileName("private-profile"));
        assertEquals(profileArn(DESTINATION, "/private-profile"),
                otherAccount.getInstanceProfile(r -> r.instanceProfileName("private-profile")).instanceProfile().arn());
        assertEquals(Map.of("owner", "source"), tags("private-profile"));
    }
}
