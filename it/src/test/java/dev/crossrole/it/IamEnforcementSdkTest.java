package dev.crossrole.it;

import static dev.crossrole.it.Docs.allow;
import static dev.crossrole.it.Docs.trustAws;
import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.IamSdk.notAuthorized;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.rootArn;
import static dev.crossrole.it.TestCrossrole.sessionArn;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.iam.AccessKey;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Every IAM call is authorized like any other AWS request: as {@code iam:<Operation>} on the entity's ARN,
 * with IAM's condition keys ({@code iam:PermissionsBoundary}, {@code iam:PolicyARN},
 * {@code iam:ResourceTag/*}, {@code aws:RequestTag/*}, {@code aws:TagKeys}). Changes take effect on the
 * next request. IAM calls act in the caller's own account.
 */
class IamEnforcementSdkTest {
    static final String A = SOURCE;
    static final String B = DESTINATION;
    static final String TRUST_A = trustAws(rootArn(A));
    static final String BOUNDARY = "arn:aws:iam::" + A + ":policy/Boundary";

    static TestCrossrole crossrole;
    static IamClient admin;
    static IamClient adminB;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        admin = IamSdk.iam(crossrole, crossrole.adminCredentials(A));
        adminB = IamSdk.iam(crossrole, crossrole.adminCredentials(B));
        crossrole.managedPolicy(A, "Boundary", allow("*", "s3:GetObject"));
    }

    @AfterAll
    static void stop() throws Exception {
        admin.close();
        adminB.close();
        crossrole.close();
    }

    static IamClient as(AccessKey key) {
        return IamSdk.iam(crossrole, TestCrossrole.credentials(key));
    }

    static String policy(String statementJson) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + statementJson + "]}";
    }

    @Test
    void userWithoutIamPermissionsIsDenied() {
        try (IamClient nobody = as(crossrole.user(A, "nobody", Map.of()))) {
            assertError(() -> nobody.createRole(r -> r.roleName("nobodys-role").assumeRolePolicyDocument(TRUST_A)), 403,
                    "AccessDenied", notAuthorized(userArn(A, "nobody"), "iam:CreateRole", roleArn(A, "nobodys-role")));
            // For an existing-role operation IAM names the resource "role <name>", not its ARN (as seen in AWS's
            // own docs, e.g. DAX "...iam:AttachRolePolicy on resource: role daxServiceRole", and in many reports).
            assertError(() -> nobody.getRole(r -> r.roleName("nobodys-role")), 403, "AccessDenied",
                    notAuthorized(userArn(A, "nobody"), "iam:GetRole", "role nobodys-role"));
        }
        // Nothing was created.
        assertError(() -> admin.getRole(r -> r.roleName("nobodys-role")), 404, "NoSuchEntity",
                "The role with name nobodys-role cannot be found.");
    }

    @Test
    void listCallsNameTheAccountsNamespace() {
        try (IamClient nobody = as(crossrole.user(A, "nobody-lists", Map.of()))) {
            assertError(() -> nobody.listRoles(), 403, "AccessDenied",
                    notAuthorized(userArn(A, "nobody-lists"), "iam:ListRoles", "arn:aws:iam::" + A + ":role/"));
        }
    }

    @Test
    void createRoleOnlyWithTheRequiredPermissionsBoundary() {
        String statement = "{\"Effect\":\"Allow\",\"Action\":\"iam:CreateRole\",\"Resource\":\"*\",\"Condition\":"
                + "{\"StringEquals\":{\"iam:PermissionsBoundary\":\"" + BOUNDARY + "\"}}}";
        try (IamClient creator = as(crossrole.user(A, "bounded-creator", Map.of("p", policy(statement))))) {
            var created = creator.createRole(r -> r.roleName("with-boundary").assumeRolePolicyDocument(TRUST_A)
                    .permissionsBoundary(BOUNDARY)).role();
            assertEquals(BOUNDARY, created.permissionsBoundary().permissionsBoundaryArn());

            assertError(() -> creator.createRole(r -> r.roleName("without-boundary").assumeRolePolicyDocument(TRUST_A)),
                    403, "AccessDenied", notAuthorized(userArn(A, "bounded-creator"), "iam:CreateRole",
                            roleArn(A, "without-boundary")));
            String other = "arn:aws:iam::aws:policy/AdministratorAccess";
            assertError(() -> creator.createRole(r -> r.roleName("other-boundary").assumeRolePolicyDocument(TRUST_A)
                    .permissionsBoundary(other)), 403, "AccessDenied", notAuthorized(userArn(A, "bounded-creator"),
                    "iam:CreateRole", roleArn(A, "other-boundary")));
        }
    }

    @Test
    void attachRolePolicyLimitedByPolicyArn() {
        crossrole.role(A, "attach-target", TRUST_A);
        String allowed = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
        String statement = "{\"Effect\":\"Allow\",\"Action\":\"iam:AttachRolePolicy\",\"Resource\":\"arn:aws:iam::" + A
                + ":role/*\",\"Condition\":{\"ArnEquals\":{\"iam:PolicyARN\":\"" + allowed + "\"}}}";
        try (IamClient attacher = as(crossrole.user(A, "attacher", Map.of("p", policy(statement))))) {
            attacher.attachRolePolicy(r -> r.roleName("attach-target").policyArn(allowed));
            assertError(() -> attacher.attachRolePolicy(r -> r.roleName("attach-target")
                    .policyArn("arn:aws:iam::aws:policy/AdministratorAccess")), 403, "AccessDenied",
                    notAuthorized(userArn(A, "attacher"), "iam:AttachRolePolicy", "role attach-target"));
        }
        assertEquals(1, admin.listAttachedRolePolicies(r -> r.roleName("attach-target")).attachedPolicies().size());
    }

    @Test
    void createRoleWithTagsNeedsMatchingRequestTagsAndTagRole() {
        String conditions = "\"Condition\":{\"StringEquals\":{\"aws:RequestTag/team\":\"blue\"},"
                + "\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"team\"]}}";
        String both = "{\"Effect\":\"Allow\",\"Action\":[\"iam:CreateRole\",\"iam:TagRole\"],\"Resource\":\"*\","
                + conditions + "}";
        Tag blue = Tag.builder().key("team").value("blue").build();
        try (IamClient tagger = as(crossrole.user(A, "tagger", Map.of("p", policy(both))))) {
            var role = tagger.createRole(r -> r.roleName("blue-role").assumeRolePolicyDocument(TRUST_A).tags(blue)).role();
            assertEquals(java.util.List.of(blue), role.tags());

            assertError(() -> tagger.createRole(r -> r.roleName("red-role").assumeRolePolicyDocument(TRUST_A)
                    .tags(Tag.builder().key("team").value("red").build())), 403, "AccessDenied",
                    notAuthorized(userArn(A, "tagger"), "iam:CreateRole", roleArn(A, "red-role")));
            assertError(() -> tagger.createRole(r -> r.roleName("extra-tag-role").assumeRolePolicyDocument(TRUST_A)
                    .tags(blue, Tag.builder().key("cost").value("1").build())), 403, "AccessDenied",
                    notAuthorized(userArn(A, "tagger"), "iam:CreateRole", roleArn(A, "extra-tag-role")));
            assertError(() -> tagger.createRole(r -> r.roleName("untagged-role").assumeRolePolicyDocument(TRUST_A)),
                    403, "AccessDenied", notAuthorized(userArn(A, "tagger"), "iam:CreateRole", roleArn(A, "untagged-role")));
        }

        // iam:CreateRole alone is not enough to create a role with tags: iam:TagRole is checked too.
        String createOnly = "{\"Effect\":\"Allow\",\"Action\":\"iam:CreateRole\",\"Resource\":\"*\"," + conditions + "}";
        try (IamClient creator = as(crossrole.user(A, "create-only", Map.of("p", policy(createOnly))))) {
            assertError(() -> creator.createRole(r -> r.roleName("needs-tagrole").assumeRolePolicyDocument(TRUST_A)
                    .tags(blue)), 403, "AccessDenied",
                    notAuthorized(userArn(A, "create-only"), "iam:TagRole", roleArn(A, "needs-tagrole")));
        }
        assertError(() -> admin.getRole(r -> r.roleName("needs-tagrole")), 404, "NoSuchEntity",
                "The role with name needs-tagrole cannot be found.");
    }

    @Test
    void putRolePolicyLimitedByTheRolesTags() {
        crossrole.role(A, "tagged-blue", "/", TRUST_A, 3600, Map.of("team", "blue"));
        crossrole.role(A, "tagged-red", "/", TRUST_A, 3600, Map.of("team", "red"));
        String statement = "{\"Effect\":\"Allow\",\"Action\":\"iam:PutRolePolicy\",\"Resource\":\"*\",\"Condition\":"
                + "{\"StringEquals\":{\"iam:ResourceTag/team\":\"blue\"}}}";
        String doc = allow("*", "s3:GetObject");
        try (IamClient editor = as(crossrole.user(A, "blue-editor", Map.of("p", policy(statement))))) {
            editor.putRolePolicy(r -> r.roleName("tagged-blue").policyName("p").policyDocument(doc));
            assertError(() -> editor.putRolePolicy(r -> r.roleName("tagged-red").policyName("p").policyDocument(doc)),
                    403, "AccessDenied", notAuthorized(userArn(A, "blue-editor"), "iam:PutRolePolicy", "role tagged-red"));
        }
        assertEquals(java.util.List.of("p"), admin.listRolePolicies(r -> r.roleName("tagged-blue")).policyNames());
        assertEquals(java.util.List.of(), admin.listRolePolicies(r -> r.roleName("tagged-red")).policyNames());
    }

    @Test
    void attachedPolicyTakesEffectOnTheNextRequest() {
        AccessKey caller = crossrole.user(A, "late-caller", Map.of());
        crossrole.role(A, "late-role", trustAws(userArn(A, "late-caller")));
        crossrole.role(B, "late-target", TRUST_A);
        String target = roleArn(B, "late-target");
        Credentials session = crossrole.sts(caller).assumeRole(r -> r.roleArn(roleArn(A, "late-role"))
                .roleSessionName("late")).credentials();

        StsException denied = assertThrows(StsException.class, () -> crossrole.sts(session).assumeRole(
                r -> r.roleArn(target).roleSessionName("too-early")));
        assertError(denied, 403, "AccessDenied", notAuthorized(sessionArn(A, "late-role", "late"), "sts:AssumeRole",
                target));

        String granted = admin.createPolicy(r -> r.policyName("assume-late-target")
                .policyDocument(allow(target, "sts:AssumeRole"))).policy().arn();
        admin.attachRolePolicy(r -> r.roleName("late-role").policyArn(granted));
        assertEquals(sessionArn(B, "late-target", "in-time"), crossrole.sts(session).assumeRole(
                r -> r.roleArn(target).roleSessionName("in-time")).assumedRoleUser().arn());

        admin.detachRolePolicy(r -> r.roleName("late-role").policyArn(granted));
        assertThrows(StsException.class, () -> crossrole.sts(session).assumeRole(
                r -> r.roleArn(target).roleSessionName("too-late")));
    }

    @Test
    void newRoleTakesEffectOnTheNextRequest() {
        AccessKey caller = crossrole.user(A, "eager-caller", Map.of());
        String trust = trustAws(userArn(A, "eager-caller"));
        admin.createRole(r -> r.roleName("brand-new").assumeRolePolicyDocument(trust));
        assertEquals(sessionArn(A, "brand-new", "first"), crossrole.sts(caller).assumeRole(
                r -> r.roleArn(roleArn(A, "brand-new")).roleSessionName("first")).assumedRoleUser().arn());
    }

    @Test
    void roleSessionsAreAuthorizedByTheRolesPolicies() {
        AccessKey caller = crossrole.user(A, "session-maker", Map.of());
        crossrole.role(A, "reader-role", trustAws(userArn(A, "session-maker")),
                allow("arn:aws:iam::" + A + ":role/*", "iam:GetRole", "iam:ListRoles"));
        Credentials session = crossrole.sts(caller).assumeRole(r -> r.roleArn(roleArn(A, "reader-role"))
                .roleSessionName("reader")).credentials();
        try (IamClient reader = IamSdk.iam(crossrole, TestCrossrole.session(session))) {
            assertEquals(roleArn(A, "reader-role"), reader.getRole(r -> r.roleName("reader-role")).role().arn());
            assertError(() -> reader.deleteRole(r -> r.roleName("reader-role")), 403, "AccessDenied",
                    notAuthorized(sessionArn(A, "reader-role", "reader"), "iam:DeleteRole", "role reader-role"));
        }
    }

    @Test
    void sessionsOfADeletedRoleAreDenied() {
        AccessKey caller = crossrole.user(A, "orphan-maker", Map.of());
        crossrole.role(A, "doomed-role", trustAws(userArn(A, "orphan-maker")), allow("*", "iam:GetRole"));
        Credentials session = crossrole.sts(caller).assumeRole(r -> r.roleArn(roleArn(A, "doomed-role"))
                .roleSessionName("orphan")).credentials();
        try (IamClient orphan = IamSdk.iam(crossrole, TestCrossrole.session(session))) {
            assertEquals(roleArn(A, "doomed-role"), orphan.getRole(r -> r.roleName("doomed-role")).role().arn());
            admin.deleteRolePolicy(r -> r.roleName("doomed-role").policyName("inline"));
            admin.deleteRole(r -> r.roleName("doomed-role"));
            var e = IamSdk.fails(() -> orphan.getRole(r -> r.roleName("admin-visible")));
            assertEquals(403, e.statusCode(), e.toString());
            assertEquals("AccessDenied", e.awsErrorDetails().errorCode(), e.toString());
        }
    }

    @Test
    void iamCallsActInTheCallersOwnAccount() {
        crossrole.role(A, "source-only-role", TRUST_A);
        // The destination's administrator may do anything, but only in its own account.
        assertError(() -> adminB.getRole(r -> r.roleName("source-only-role")), 404, "NoSuchEntity",
                "The role with name source-only-role cannot be found.");
        assertError(() -> adminB.deleteRole(r -> r.roleName("source-only-role")), 404, "NoSuchEntity",
                "The role with name source-only-role cannot be found.");
        assertEquals(roleArn(A, "source-only-role"), admin.getRole(r -> r.roleName("source-only-role")).role().arn());
    }

    @Test
    void explicitDenyOnIamActions() {
        String statements = "{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":\"*\"},"
                + "{\"Effect\":\"Deny\",\"Action\":\"iam:DeleteRole\",\"Resource\":\"arn:aws:iam::" + A + ":role/protected-*\"}";
        crossrole.role(A, "protected-role", TRUST_A);
        try (IamClient almostAdmin = as(crossrole.user(A, "almost-admin", Map.of("p", policy(statements))))) {
            assertError(() -> almostAdmin.deleteRole(r -> r.roleName("protected-role")), 403, "AccessDenied",
                    "User: " + userArn(A, "almost-admin") + " is not authorized to perform: iam:DeleteRole on resource:"
                            + " role protected-role with an explicit deny in an identity-based policy");
            assertEquals(roleArn(A, "protected-role"), almostAdmin.getRole(r -> r.roleName("protected-role")).role().arn());
        }
    }
}
