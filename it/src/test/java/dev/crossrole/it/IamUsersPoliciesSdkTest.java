package dev.crossrole.it;

import static dev.crossrole.it.Docs.allow;
import static dev.crossrole.it.Docs.trustAws;
import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.IamSdk.decode;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.rootArn;
import static dev.crossrole.it.TestCrossrole.sessionArn;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.iam.IamUser;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.EntityType;
import software.amazon.awssdk.services.iam.model.GetAccountAuthorizationDetailsResponse;
import software.amazon.awssdk.services.iam.model.Policy;
import software.amazon.awssdk.services.iam.model.PolicyScopeType;
import software.amazon.awssdk.services.iam.model.PolicyVersion;
import software.amazon.awssdk.services.iam.model.RoleDetail;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.User;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Users and access keys, managed policies and their versions, groups, and GetAccountAuthorizationDetails
 * through the AWS SDK for Java v2, with AWS's errors; changes take effect on the next request.
 */
class IamUsersPoliciesSdkTest {
    static final String A = SOURCE;
    static final String B = DESTINATION;

    static TestCrossrole crossrole;
    static IamClient iam;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(A));
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
        crossrole.close();
    }

    static StsClient sts(software.amazon.awssdk.services.iam.model.AccessKey key) {
        return crossrole.sts(StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(),
                key.secretAccessKey())));
    }

    static String policyArn(String name) {
        return "arn:aws:iam::" + A + ":policy/" + name;
    }

    /** Attaches a managed policy to a user directly in the directory (the user API has its own tests). */
    static void attachToUser(String userName, String arn) {
        IamUser u = crossrole.iam().user(A, userName).orElseThrow();
        List<String> attached = new java.util.ArrayList<>(u.attachedPolicyArns());
        attached.add(arn);
        crossrole.iam().putUser(u.withAttachedPolicies(attached));
    }

    // ---- users and access keys ----------------------------------------------------------------

    @Test
    void createGetListAndDeleteUsers() {
        Instant before = Instant.now().minusSeconds(2);
        User created = iam.createUser(r -> r.userName("carol").path("/staff/")).user();
        assertAll(
                () -> assertEquals("carol", created.userName()),
                () -> assertEquals("/staff/", created.path()),
                () -> assertEquals("arn:aws:iam::" + A + ":user/staff/carol", created.arn()),
                () -> assertTrue(created.userId().matches("AIDA[A-Z0-9]{17}"), created.userId()),
                () -> assertTrue(created.createDate().isAfter(before), created.createDate().toString()));

        User got = iam.getUser(r -> r.userName("carol")).user();
        assertEquals(created.userId(), got.userId());
        assertEquals(created.arn(), got.arn());

        // GetUser without a name describes the caller.
        assertEquals(userArn(A, "admin"), iam.getUser().user().arn());

        List<String> names = iam.listUsers().users().stream().map(User::userName).toList();
        assertTrue(names.contains("carol") && names.contains("admin"), names.toString());
        assertEquals(List.of("carol"), iam.listUsers(r -> r.pathPrefix("/staff/")).users().stream()
                .map(User::userName).toList());

        assertError(() -> iam.createUser(r -> r.userName("carol")), 409, "EntityAlreadyExists",
                "User with name carol already exists.");

        iam.deleteUser(r -> r.userName("carol"));
        assertError(() -> iam.getUser(r -> r.userName("carol")), 404, "NoSuchEntity",
                "The user with name carol cannot be found.");
        assertError(() -> iam.deleteUser(r -> r.userName("carol")), 404, "NoSuchEntity",
                "The user with name carol cannot be found.");
    }

    @Test
    void accessKeysLifecycle() {
        iam.createUser(r -> r.userName("dave"));
        var first = iam.createAccessKey(r -> r.userName("dave")).accessKey();
        assertAll(
                () -> assertEquals("dave", first.userName()),
                () -> assertTrue(first.accessKeyId().matches("AKIA[A-Z0-9]{16}"), first.accessKeyId()),
                () -> assertEquals(40, first.secretAccessKey().length()),
                () -> assertEquals(StatusType.ACTIVE, first.status()),
                () -> assertNotNull(first.createDate()));

        // The key works at once.
        assertEquals(userArn(A, "dave"), sts(first).getCallerIdentity().arn());

        var second = iam.createAccessKey(r -> r.userName("dave")).accessKey();
        assertError(() -> iam.createAccessKey(r -> r.userName("dave")), 409, "LimitExceeded",
                "Cannot exceed quota for AccessKeysPerUser: 2");
        var listed = iam.listAccessKeys(r -> r.userName("dave")).accessKeyMetadata();
        assertEquals(2, listed.size());
        assertTrue(listed.stream().allMatch(k -> k.status() == StatusType.ACTIVE), listed.toString());

        // An inactive key is refused, like an unknown one.
        iam.updateAccessKey(r -> r.userName("dave").accessKeyId(first.accessKeyId()).status(StatusType.INACTIVE));
        StsException refused = assertThrows(StsException.class, () -> sts(first).getCallerIdentity());
        assertError(refused, 403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        assertEquals(userArn(A, "dave"), sts(second).getCallerIdentity().arn());
        iam.updateAccessKey(r -> r.userName("dave").accessKeyId(first.accessKeyId()).status(StatusType.ACTIVE));
        assertEquals(userArn(A, "dave"), sts(first).getCallerIdentity().arn());

        assertError(() -> iam.deleteUser(r -> r.userName("dave")), 409, "DeleteConflict",
                "Cannot delete entity, must delete access keys first.");

        iam.deleteAccessKey(r -> r.userName("dave").accessKeyId(first.accessKeyId()));
        iam.deleteAccessKey(r -> r.userName("dave").accessKeyId(second.accessKeyId()));
        assertTrue(iam.listAccessKeys(r -> r.userName("dave")).accessKeyMetadata().isEmpty());
        assertThrows(StsException.class, () -> sts(second).getCallerIdentity());
        iam.deleteUser(r -> r.userName("dave"));
    }

    @Test
    void inlineUserPolicyBlocksDeletion() {
        iam.createUser(r -> r.userName("erin"));
        iam.putUserPolicy(r -> r.userName("erin").policyName("p").policyDocument(allow("*", "s3:GetObject")));
        assertError(() -> iam.deleteUser(r -> r.userName("erin")), 409, "DeleteConflict",
                "Cannot delete entity, must delete policies first.");
        assertEquals(allow("*", "s3:GetObject"), decode(iam.getUserPolicy(r -> r.userName("erin").policyName("p"))
                .policyDocument()));
    }

    @Test
    void userDeletionConflictsAndMissingEntities() {
        iam.createUser(r -> r.userName("frank"));
        iam.createGroup(r -> r.groupName("franks-group"));
        iam.addUserToGroup(r -> r.groupName("franks-group").userName("frank"));
        assertError(() -> iam.deleteUser(r -> r.userName("frank")), 409, "DeleteConflict",
                "Cannot delete entity, must remove users from group first.");
        assertError(() -> iam.deleteGroup(r -> r.groupName("franks-group")), 409, "DeleteConflict",
                "Cannot delete entity, must remove users from group first.");
        iam.removeUserFromGroup(r -> r.groupName("franks-group").userName("frank"));

        iam.attachUserPolicy(r -> r.userName("frank").policyArn("arn:aws:iam::aws:policy/IAMReadOnlyAccess"));
        assertError(() -> iam.deleteUser(r -> r.userName("frank")), 409, "DeleteConflict",
                "Cannot delete entity, must detach all policies first.");
        iam.detachUserPolicy(r -> r.userName("frank").policyArn("arn:aws:iam::aws:policy/IAMReadOnlyAccess"));
        iam.deleteUser(r -> r.userName("frank"));

        assertError(() -> iam.createAccessKey(r -> r.userName("ghost")), 404, "NoSuchEntity",
                "The user with name ghost cannot be found.");
        iam.createUser(r -> r.userName("keyless"));
        String unknown = "AKIAIOSFODNN7EXAMPLE";
        assertError(() -> iam.updateAccessKey(r -> r.userName("keyless").accessKeyId(unknown).status(StatusType.INACTIVE)),
                404, "NoSuchEntity", "The Access Key with id " + unknown + " cannot be found.");
        assertError(() -> iam.deleteAccessKey(r -> r.userName("keyless").accessKeyId(unknown)), 404, "NoSuchEntity",
                "The Access Key with id " + unknown + " cannot be found.");
    }

    @Test
    void accessKeyNeverUsed() {
        iam.createUser(r -> r.userName("idle"));
        String id = iam.createAccessKey(r -> r.userName("idle")).accessKey().accessKeyId();
        var used = iam.getAccessKeyLastUsed(r -> r.accessKeyId(id));
        assertEquals("idle", used.userName());
        assertEquals("N/A", used.accessKeyLastUsed().serviceName());
        assertEquals("N/A", used.accessKeyLastUsed().region());
        assertEquals(null, used.accessKeyLastUsed().lastUsedDate());
    }

    // ---- managed policies -----------------------------------------------------------------------

    @Test
    void policiesWithPathsAndTheirEntities() {
        Policy created = iam.createPolicy(r -> r.policyName("pathed-policy").path("/team/")
                .policyDocument(allow("*", "s3:ListAllMyBuckets"))).policy();
        assertEquals("arn:aws:iam::" + A + ":policy/team/pathed-policy", created.arn());
        assertEquals("/team/", created.path());
        assertEquals(List.of(created.arn()), iam.listPolicies(r -> r.scope(PolicyScopeType.LOCAL).pathPrefix("/team/"))
                .policies().stream().map(Policy::arn).toList());

        crossrole.role(A, "pathed-user-role", trustAws(rootArn(A)));
        iam.attachRolePolicy(r -> r.roleName("pathed-user-role").policyArn(created.arn()));
        var entities = iam.listEntitiesForPolicy(r -> r.policyArn(created.arn()));
        assertEquals(List.of("pathed-user-role"), entities.policyRoles().stream().map(x -> x.roleName()).toList());
        assertTrue(entities.policyUsers().isEmpty() && entities.policyGroups().isEmpty(), entities.toString());
    }

    @Test
    void policyWithSeveralVersionsCannotBeDeletedAtOnce() {
        String arn = iam.createPolicy(r -> r.policyName("two-versions").policyDocument(allow("*", "s3:ListBucket")))
                .policy().arn();
        iam.createPolicyVersion(r -> r.policyArn(arn).policyDocument(allow("*", "s3:GetObject")));
        assertError(() -> iam.deletePolicy(r -> r.policyArn(arn)), 409, "DeleteConflict",
                "This policy has more than one version. Before you delete a policy, you must delete the policy's"
                        + " versions. The default version is deleted with the policy.");
        iam.deletePolicyVersion(r -> r.policyArn(arn).versionId("v2"));
        iam.deletePolicy(r -> r.policyArn(arn));
    }

    @Test
    void createGetAndListPolicies() {
        String doc = allow("arn:aws:s3:::reports/*", "s3:GetObject");
        Policy created = iam.createPolicy(r -> r.policyName("read-reports").policyDocument(doc)
                .description("Read the reports")).policy();
        assertAll(
                () -> assertEquals("read-reports", created.policyName()),
                () -> assertEquals(policyArn("read-reports"), created.arn()),
                () -> assertTrue(created.policyId().matches("ANPA[A-Z0-9]{17}"), created.policyId()),
                () -> assertEquals("/", created.path()),
                () -> assertEquals("v1", created.defaultVersionId()),
                () -> assertEquals(0, created.attachmentCount()),
                () -> assertEquals(0, created.permissionsBoundaryUsageCount()),
                () -> assertTrue(created.isAttachable()),
                () -> assertNotNull(created.createDate()),
                () -> assertNotNull(created.updateDate()));

        Policy got = iam.getPolicy(r -> r.policyArn(policyArn("read-reports"))).policy();
        assertEquals(created.policyId(), got.policyId());
        assertEquals("Read the reports", got.description());
        PolicyVersion v1 = iam.getPolicyVersion(r -> r.policyArn(policyArn("read-reports")).versionId("v1")).policyVersion();
        assertEquals(doc, decode(v1.document()));
        assertTrue(v1.isDefaultVersion());

        assertError(() -> iam.createPolicy(r -> r.policyName("read-reports").policyDocument(doc)), 409,
                "EntityAlreadyExists", "A policy called read-reports already exists. Duplicate names are not allowed.");
        assertError(() -> iam.getPolicy(r -> r.policyArn(policyArn("nope"))), 404, "NoSuchEntity",
                "Policy " + policyArn("nope") + " was not found.");

        List<String> local = iam.listPoliciesPaginator(r -> r.scope(PolicyScopeType.LOCAL)).policies().stream()
                .map(Policy::arn).toList();
        assertTrue(local.contains(policyArn("read-reports")), local.toString());
        assertTrue(local.stream().noneMatch(a -> a.startsWith("arn:aws:iam::aws:")), local.toString());
        List<String> aws = iam.listPoliciesPaginator(r -> r.scope(PolicyScopeType.AWS)).policies().stream()
                .map(Policy::arn).toList();
        assertTrue(aws.contains("arn:aws:iam::aws:policy/AdministratorAccess"), aws.toString());
        assertFalse(aws.contains(policyArn("read-reports")), aws.toString());

        // OnlyAttached: listed once attached somewhere.
        assertFalse(iam.listPolicies(r -> r.scope(PolicyScopeType.LOCAL).onlyAttached(true)).policies().stream()
                .anyMatch(p -> p.policyName().equals("read-reports")));
        crossrole.role(A, "reports-role", trustAws(rootArn(A)));
        iam.attachRolePolicy(r -> r.roleName("reports-role").policyArn(policyArn("read-reports")));
        var attached = iam.listPolicies(r -> r.scope(PolicyScopeType.LOCAL).onlyAttached(true)).policies();
        assertTrue(attached.stream().anyMatch(p -> p.policyName().equals("read-reports")), attached.toString());
        assertEquals(1, iam.getPolicy(r -> r.policyArn(policyArn("read-reports"))).policy().attachmentCount());
    }

    @Test
    void policyValidationAndQuota() {
        assertError(() -> iam.createPolicy(r -> r.policyName("bad-json").policyDocument("{nope")), 400,
                "MalformedPolicyDocument", "Syntax errors in policy.");
        assertError(() -> iam.createPolicy(r -> r.policyName("lower-effect").policyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"allow\",\"Action\":\"s3:GetObject\","
                        + "\"Resource\":\"*\"}]}")), 400, "MalformedPolicyDocument", "The policy failed legacy parsing");
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            big.append(i == 0 ? "" : ",").append("\"arn:aws:s3:::bucket-").append(i).append("/*\"");
        }
        String tooBig = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":[" + big + "]}]}";
        assertError(() -> iam.createPolicy(r -> r.policyName("too-big").policyDocument(tooBig)), 409, "LimitExceeded",
                "Cannot exceed quota for PolicySize: 6144");
    }

    @Test
    void policyVersionsUpToFive() {
        String arn = iam.createPolicy(r -> r.policyName("versioned").policyDocument(allow("*", "s3:ListBucket")))
                .policy().arn();
        for (int v = 2; v <= 5; v++) {
            PolicyVersion created = iam.createPolicyVersion(r -> r.policyArn(arn)
                    .policyDocument(allow("*", "s3:ListBucket"))).policyVersion();
            assertEquals("v" + v, created.versionId());
            assertFalse(created.isDefaultVersion());
        }
        assertError(() -> iam.createPolicyVersion(r -> r.policyArn(arn).policyDocument(allow("*", "s3:ListBucket"))),
                409, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version,"
                        + " you must delete an existing version.");
        assertEquals(5, iam.listPolicyVersions(r -> r.policyArn(arn)).versions().size());

        // The default version cannot be deleted; others can, and numbers are not reused.
        assertError(() -> iam.deletePolicyVersion(r -> r.policyArn(arn).versionId("v1")), 409, "DeleteConflict",
                "Cannot delete the default version of a policy.");
        iam.deletePolicyVersion(r -> r.policyArn(arn).versionId("v3"));
        assertEquals("v6", iam.createPolicyVersion(r -> r.policyArn(arn).policyDocument(allow("*", "s3:ListBucket"))
                .setAsDefault(true)).policyVersion().versionId());
        assertEquals("v6", iam.getPolicy(r -> r.policyArn(arn)).policy().defaultVersionId());
    }

    @Test
    void setDefaultPolicyVersionChangesPermissionsOnTheNextRequest() {
        AccessKey key = crossrole.user(A, "versioned-user", Map.of());
        crossrole.role(B, "target-one", trustAws(rootArn(A)));
        crossrole.role(B, "target-two", trustAws(rootArn(A)));
        String one = roleArn(B, "target-one");
        String two = roleArn(B, "target-two");
        String arn = iam.createPolicy(r -> r.policyName("which-target").policyDocument(allow(one, "sts:AssumeRole")))
                .policy().arn();
        iam.createPolicyVersion(r -> r.policyArn(arn).policyDocument(allow(two, "sts:AssumeRole")));
        attachToUser("versioned-user", arn);
        StsClient sts = crossrole.sts(key);

        sts.assumeRole(r -> r.roleArn(one).roleSessionName("v1-one"));
        assertThrows(StsException.class, () -> sts.assumeRole(r -> r.roleArn(two).roleSessionName("v1-two")));

        iam.setDefaultPolicyVersion(r -> r.policyArn(arn).versionId("v2"));
        assertEquals(sessionArn(B, "target-two", "v2-two"),
                sts.assumeRole(r -> r.roleArn(two).roleSessionName("v2-two")).assumedRoleUser().arn());
        StsException e = assertThrows(StsException.class, () -> sts.assumeRole(r -> r.roleArn(one).roleSessionName("v2-one")));
        assertError(e, 403, "AccessDenied", "User: " + userArn(A, "versioned-user")
                + " is not authorized to perform: sts:AssumeRole on resource: " + one
                + " because no identity-based policy allows the sts:AssumeRole action");
    }

    @Test
    void deletingAnAttachedPolicyIsAConflict() {
        String arn = iam.createPolicy(r -> r.policyName("in-use").policyDocument(allow("*", "s3:ListBucket")))
                .policy().arn();
        crossrole.role(A, "uses-policy", trustAws(rootArn(A)));
        iam.attachRolePolicy(r -> r.roleName("uses-policy").policyArn(arn));
        assertError(() -> iam.deletePolicy(r -> r.policyArn(arn)), 409, "DeleteConflict",
                "Cannot delete a policy attached to entities.");

        iam.detachRolePolicy(r -> r.roleName("uses-policy").policyArn(arn));
        iam.deletePolicy(r -> r.policyArn(arn));
        assertError(() -> iam.getPolicy(r -> r.policyArn(arn)), 404, "NoSuchEntity", "Policy " + arn + " was not found.");
    }

    // ---- groups -----------------------------------------------------------------------------------

    @Test
    void groupPolicyAppliesToItsMembers() {
        AccessKey key = crossrole.user(A, "grouped", Map.of());
        crossrole.role(B, "group-target", trustAws(rootArn(A)));
        String target = roleArn(B, "group-target");
        StsClient sts = crossrole.sts(key);
        assertThrows(StsException.class, () -> sts.assumeRole(r -> r.roleArn(target).roleSessionName("before")));

        var group = iam.createGroup(r -> r.groupName("deployers")).group();
        assertEquals("arn:aws:iam::" + A + ":group/deployers", group.arn());
        assertTrue(group.groupId().matches("AGPA[A-Z0-9]{17}"), group.groupId());
        iam.addUserToGroup(r -> r.groupName("deployers").userName("grouped"));
        String arn = iam.createPolicy(r -> r.policyName("deploy").policyDocument(allow(target, "sts:AssumeRole")))
                .policy().arn();
        iam.attachGroupPolicy(r -> r.groupName("deployers").policyArn(arn));

        assertEquals(sessionArn(B, "group-target", "after"),
                sts.assumeRole(r -> r.roleArn(target).roleSessionName("after")).assumedRoleUser().arn());
        assertEquals(List.of("grouped"), iam.getGroup(r -> r.groupName("deployers")).users().stream()
                .map(User::userName).toList());
        assertEquals(List.of("deployers"), iam.listGroupsForUser(r -> r.userName("grouped")).groups().stream()
                .map(g -> g.groupName()).toList());

        iam.removeUserFromGroup(r -> r.groupName("deployers").userName("grouped"));
        assertThrows(StsException.class, () -> sts.assumeRole(r -> r.roleArn(target).roleSessionName("removed")));

        assertError(() -> iam.deleteGroup(r -> r.groupName("deployers")), 409, "DeleteConflict",
                "Cannot delete entity, must detach all policies first.");
        iam.detachGroupPolicy(r -> r.groupName("deployers").policyArn(arn));
        iam.deleteGroup(r -> r.groupName("deployers"));
        assertError(() -> iam.getGroup(r -> r.groupName("deployers")), 404, "NoSuchEntity",
                "The group with name deployers cannot be found.");
    }

    // ---- account authorization details --------------------------------------------------------------

    @Test
    void accountAuthorizationDetailsListRolesWithEncodedDocuments() {
        String trust = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Principal\":"
                + " {\"Service\": \"ecs-tasks.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]\n}";
        String inline = allow(roleArn(B, "destination-account-role"), "sts:AssumeRole");
        iam.createRole(r -> r.roleName("details-role").path("/details/").assumeRolePolicyDocument(trust));
        iam.putRolePolicy(r -> r.roleName("details-role").policyName("hop").policyDocument(inline));
        iam.attachRolePolicy(r -> r.roleName("details-role").policyArn("arn:aws:iam::aws:policy/AdministratorAccess"));

        GetAccountAuthorizationDetailsResponse details = iam.getAccountAuthorizationDetails(
                r -> r.filter(EntityType.ROLE));
        RoleDetail role = details.roleDetailList().stream().filter(d -> d.roleName().equals("details-role")).findFirst()
                .orElseThrow(() -> new AssertionError("details-role is not listed: " + details));
        assertAll(
                () -> assertEquals("arn:aws:iam::" + A + ":role/details/details-role", role.arn()),
                () -> assertEquals("/details/", role.path()),
                () -> assertTrue(role.roleId().startsWith("AROA"), role.roleId()),
                () -> assertFalse(role.assumeRolePolicyDocument().contains("{"), "URL-encoded: " + role),
                () -> assertEquals(trust, decode(role.assumeRolePolicyDocument())),
                () -> assertEquals(1, role.rolePolicyList().size(), role.toString()),
                () -> assertEquals("hop", role.rolePolicyList().get(0).policyName()),
                () -> assertEquals(inline, decode(role.rolePolicyList().get(0).policyDocument())),
                () -> assertEquals(List.of("arn:aws:iam::aws:policy/AdministratorAccess"),
                        role.attachedManagedPolicies().stream().map(p -> p.policyArn()).toList()));
        // Only roles were asked for.
        assertTrue(details.userDetailList().isEmpty(), details.userDetailList().toString());
        assertTrue(details.groupDetailList().isEmpty(), details.groupDetailList().toString());
        // Only this account's roles.
        assertTrue(details.roleDetailList().stream().allMatch(d -> d.arn().startsWith("arn:aws:iam::" + A + ":")));
    }
}
