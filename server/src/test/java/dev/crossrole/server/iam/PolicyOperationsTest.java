package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.policy.Policies;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.CrossroleServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Managed policies through the real HTTP pipeline: signed Query requests, authorization, XML responses. */
class PolicyOperationsTest {
    private static final String ACCOUNT = "111122223333";
    private static final String DOC = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
            + "\"Resource\":\"*\"}]}";
    private static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
    private static final String ECS_EXECUTION = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

    @TempDir
    static Path dir;
    static CrossroleServer server;
    static IamTestClient admin;

    @BeforeAll
    static void start() throws Exception {
        server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0));
        admin = IamTestClient.admin(server);
        assertEquals(ACCOUNT, server.profiles().get(0).account().id());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String arn(String pathAndName) {
        return "arn:aws:iam::" + ACCOUNT + ":policy/" + pathAndName;
    }

    private static IamTestClient.Response ok(IamTestClient.Response r) {
        assertEquals(200, r.status(), r.toString());
        return r;
    }

    private static void error(IamTestClient.Response r, int status, String code, String message) {
        assertEquals(status, r.status(), r.toString());
        assertEquals(code, r.errorCode(), r.toString());
        if (message != null) {
            assertEquals(message, r.errorMessage(), r.toString());
        }
    }

    private static IamTestClient.Response create(String name, String... more) {
        String[] params = new String[4 + more.length];
        params[0] = "PolicyName";
        params[1] = name;
        params[2] = "PolicyDocument";
        params[3] = DOC;
        System.arraycopy(more, 0, params, 4, more.length);
        return admin.call("CreatePolicy", params);
    }

    private static void createRole(String name) {
        ok(admin.call("CreateRole", "RoleName", name, "AssumeRolePolicyDocument", TRUST));
    }

    private static String decode(String encoded) {
        return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    }

    // ---- create, get, list ------------------------------------------------------------------

    @Test
    void createsAndGetsAPolicy() {
        IamTestClient.Response created = ok(create("reader", "Path", "/team/", "Description", "Reads objects",
                "Tags.member.1.Key", "owner", "Tags.member.1.Value", "alice"));
        assertEquals("reader", created.value("PolicyName"));
        assertEquals(arn("team/reader"), created.value("Arn"));
        assertEquals("/team/", created.value("Path"));
        assertEquals("v1", created.value("DefaultVersionId"));
        assertEquals("0", created.value("AttachmentCount"));
        assertEquals("0", created.value("PermissionsBoundaryUsageCount"));
        assertEquals("true", created.value("IsAttachable"));
        assertEquals("Reads objects", created.value("Description"));
        assertTrue(created.value("PolicyId").matches("ANPA[A-Z0-9]{17}"), created.value("PolicyId"));
        assertEquals(List.of("owner"), created.values("Key"));
        assertNotNull(created.value("CreateDate"));
        assertNotNull(created.value("UpdateDate"));

        IamTestClient.Response got = ok(admin.call("GetPolicy", "PolicyArn", arn("team/reader")));
        assertEquals(created.value("PolicyId"), got.value("PolicyId"));
        assertEquals("Reads objects", got.value("Description"));
        assertEquals("alice", got.value("Value"));

        IamTestClient.Response version = ok(admin.call("GetPolicyVersion", "PolicyArn", arn("team/reader"),
                "VersionId", "v1"));
        assertEquals(IamSupport.encodeDocument(DOC), version.value("Document"));
        assertEquals(DOC, decode(version.value("Document")));
        assertEquals("true", version.value("IsDefaultVersion"));

        error(admin.call("GetPolicy", "PolicyArn", arn("nope")), 404, "NoSuchEntity",
                "Policy " + arn("nope") + " was not found.");
        error(admin.call("GetPolicyVersion", "PolicyArn", arn("team/reader"), "VersionId", "v7"), 404, "NoSuchEntity",
                "Policy " + arn("team/reader") + " version v7 does not exist or is not attachable.");
    }

    @Test
    void listsByScopePathAndAttachment() {
        ok(create("listed-a", "Path", "/listing/"));
        ok(create("listed-b", "Path", "/listing/"));
        ok(create("listed-c", "Path", "/listing/deeper/"));
        createRole("listing-role");
        ok(admin.call("AttachRolePolicy", "RoleName", "listing-role", "PolicyArn", arn("listing/listed-b")));
        ok(admin.call("PutRolePermissionsBoundary", "RoleName", "listing-role", "PermissionsBoundary",
                arn("listing/deeper/listed-c")));

        IamTestClient.Response local = ok(admin.call("ListPolicies", "Scope", "Local", "PathPrefix", "/listing/"));
        assertEquals(List.of("listed-a", "listed-b", "listed-c"), local.values("PolicyName"));
        assertEquals("false", local.value("IsTruncated"));
        assertFalse(local.has("Description"), "ListPolicies leaves out descriptions");

        // Every AWS managed policy, a hundred per page as IAM pages them.
        List<String> awsNames = new java.util.ArrayList<>();
        String page = null;
        do {
            IamTestClient.Response aws = ok(page == null ? admin.call("ListPolicies", "Scope", "AWS")
                    : admin.call("ListPolicies", "Scope", "AWS", "Marker", page));
            assertTrue(aws.values("Arn").stream().allMatch(a -> a.startsWith("arn:aws:iam::aws:policy/")), aws.body());
            assertTrue(aws.values("PolicyName").size() <= 100);
            awsNames.addAll(aws.values("PolicyName"));
            page = "true".equals(aws.value("IsTruncated")) ? aws.value("Marker") : null;
        } while (page != null);
        assertEquals(1485, awsNames.size());
        assertTrue(awsNames.containsAll(List.of("AdministratorAccess", "AmazonECSTaskExecutionRolePolicy",
                "AmazonS3ReadOnlyAccess", "AmazonS3FullAccess", "PowerUserAccess", "IAMFullAccess", "IAMReadOnlyAccess",
                "AmazonEC2ContainerRegistryReadOnly", "ReadOnlyAccess", "AmazonECS_FullAccess")));

        IamTestClient.Response serviceRole = ok(admin.call("ListPolicies", "Scope", "AWS", "PathPrefix", "/service-role/",
                "MaxItems", "1000"));
        assertTrue(serviceRole.values("Arn").contains(ECS_EXECUTION), serviceRole.body());
        assertTrue(serviceRole.values("Arn").stream().allMatch(a -> a.startsWith("arn:aws:iam::aws:policy/service-role/")));

        IamTestClient.Response all = ok(admin.call("ListPolicies", "MaxItems", "1000"));
        assertTrue(all.values("PolicyName").contains("AdministratorAccess"), all.body());
        IamTestClient.Response allListing = ok(admin.call("ListPolicies", "PathPrefix", "/listing/"));
        assertEquals(List.of("listed-a", "listed-b", "listed-c"), allListing.values("PolicyName"));

        IamTestClient.Response attached = ok(admin.call("ListPolicies", "OnlyAttached", "true", "PathPrefix", "/listing/"));
        assertEquals(List.of("listed-b"), attached.values("PolicyName"));
        assertEquals("1", attached.value("AttachmentCount"));
        IamTestClient.Response boundaries = ok(admin.call("ListPolicies", "PolicyUsageFilter", "PermissionsBoundary",
                "PathPrefix", "/listing/"));
        assertEquals(List.of("listed-c"), boundaries.values("PolicyName"));
        assertEquals("1", boundaries.value("PermissionsBoundaryUsageCount"));
        IamTestClient.Response adminAttached = ok(admin.call("ListPolicies", "Scope", "AWS", "OnlyAttached", "true"));
        assertEquals(List.of("AdministratorAccess"), adminAttached.values("PolicyName"), "the bootstrap admin user's policy");

        IamTestClient.Response first = ok(admin.call("ListPolicies", "Scope", "Local", "PathPrefix", "/listing/",
                "MaxItems", "1"));
        assertEquals(List.of("listed-a"), first.values("PolicyName"));
        assertEquals("true", first.value("IsTruncated"));
        String marker = first.value("Marker");
        assertNotNull(marker);
        IamTestClient.Response second = ok(admin.call("ListPolicies", "Scope", "Local", "PathPrefix", "/listing/",
                "MaxItems", "2", "Marker", marker));
        assertEquals(List.of("listed-b", "listed-c"), second.values("PolicyName"));
        assertEquals("false", second.value("IsTruncated"));
        assertNull(second.value("Marker"));

        error(admin.call("ListPolicies", "Scope", "Mine"), 400, "ValidationError", "1 validation error detected: Value 'Mine'"
                + " at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]");
        error(admin.call("ListPolicies", "MaxItems", "0"), 400, "ValidationError", "1 validation error detected: Value '0'"
                + " at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1");
    }

    // ---- versions ---------------------------------------------------------------------------

    @Test
    void managesVersions() {
        ok(create("versioned"));
        String arn = arn("versioned");
        error(admin.call("CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument",
                "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"),
                400, "MalformedPolicyDocument", "Policy document must be version 2012-10-17 or greater.");
        for (int i = 2; i <= 5; i++) {
            String doc = DOC.replace("s3:GetObject", "s3:GetObject" + i);
            IamTestClient.Response v = ok(admin.call("CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", doc,
                    "SetAsDefault", i == 3 ? "true" : "false"));
            assertEquals("v" + i, v.value("VersionId"));
            assertEquals(String.valueOf(i == 3), v.value("IsDefaultVersion"));
        }
        error(admin.call("CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", DOC), 409, "LimitExceeded",
                "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing"
                        + " version.");

        IamTestClient.Response list = ok(admin.call("ListPolicyVersions", "PolicyArn", arn));
        assertEquals(List.of("v5", "v4", "v3", "v2", "v1"), list.values("VersionId"));
        assertEquals(List.of("false", "false", "true", "false", "false"), list.values("IsDefaultVersion"));
        assertEquals("v3", ok(admin.call("GetPolicy", "PolicyArn", arn)).value("DefaultVersionId"));
        IamTestClient.Response page = ok(admin.call("ListPolicyVersions", "PolicyArn", arn, "MaxItems", "2"));
        assertEquals(List.of("v5", "v4"), page.values("VersionId"));
        assertEquals("true", page.value("IsTruncated"));

        IamTestClient.Response v3 = ok(admin.call("GetPolicyVersion", "PolicyArn", arn, "VersionId", "v3"));
        assertEquals(DOC.replace("s3:GetObject", "s3:GetObject3"), decode(v3.value("Document")));

        ok(admin.call("SetDefaultPolicyVersion", "PolicyArn", arn, "VersionId", "v5"));
        assertEquals("v5", ok(admin.call("GetPolicy", "PolicyArn", arn)).value("DefaultVersionId"));
        error(admin.call("DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v5"), 409, "DeleteConflict",
                "Cannot delete the default version of a policy.");
        ok(admin.call("DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v2"));
        error(admin.call("GetPolicyVersion", "PolicyArn", arn, "VersionId", "v2"), 404, "NoSuchEntity", null);
        error(admin.call("SetDefaultPolicyVersion", "PolicyArn", arn, "VersionId", "v2"), 404, "NoSuchEntity", null);

        IamTestClient.Response v6 = ok(admin.call("CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", DOC));
        assertEquals("v6", v6.value("VersionId"), "version ids are never reused");
        assertEquals("false", v6.value("IsDefaultVersion"));

        error(admin.call("GetPolicyVersion", "PolicyArn", arn, "VersionId", "x1"), 400, "ValidationError",
                "1 validation error detected: Value 'x1' at 'versionId' failed to satisfy constraint: Member must satisfy"
                        + " regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?");
    }

    // ---- delete -----------------------------------------------------------------------------

    @Test
    void refusesToDeleteAttachedOrVersionedPolicies() {
        ok(create("doomed"));
        String arn = arn("doomed");
        createRole("doomed-role");
        ok(admin.call("AttachRolePolicy", "RoleName", "doomed-role", "PolicyArn", arn));
        assertEquals("1", ok(admin.call("GetPolicy", "PolicyArn", arn)).value("AttachmentCount"));
        error(admin.call("DeletePolicy", "PolicyArn", arn), 409, "DeleteConflict",
                "Cannot delete a policy attached to entities.");

        IamTestClient.Response entities = ok(admin.call("ListEntitiesForPolicy", "PolicyArn", arn));
        assertEquals(List.of("doomed-role"), entities.values("RoleName"));
        assertTrue(entities.values("UserName").isEmpty());
        assertTrue(entities.has("PolicyGroups") && entities.has("PolicyUsers") && entities.has("PolicyRoles"), entities.body());
        assertTrue(ok(admin.call("ListEntitiesForPolicy", "PolicyArn", arn, "EntityFilter", "User"))
                .values("RoleName").isEmpty());
        assertTrue(ok(admin.call("ListEntitiesForPolicy", "PolicyArn", arn, "PathPrefix", "/other/"))
                .values("RoleName").isEmpty());

        ok(admin.call("DetachRolePolicy", "RoleName", "doomed-role", "PolicyArn", arn));
        ok(admin.call("CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", DOC));
        error(admin.call("DeletePolicy", "PolicyArn", arn), 409, "DeleteConflict", "This policy has more than one version."
                + " Before you delete a policy, you must delete the policy's versions. The default version is deleted with"
                + " the policy.");
        ok(admin.call("DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v2"));
        ok(admin.call("DeletePolicy", "PolicyArn", arn));
        error(admin.call("GetPolicy", "PolicyArn", arn), 404, "NoSuchEntity", "Policy " + arn + " was not found.");
        error(admin.call("DeletePolicy", "PolicyArn", arn), 404, "NoSuchEntity", "Policy " + arn + " was not found.");
        ok(create("doomed")); // the name is free again
    }

    // ---- validation -------------------------------------------------------------------------

    @Test
    void validatesNamesPathsAndDocuments() {
        ok(create("unique"));
        error(create("unique"), 409, "EntityAlreadyExists",
                "A policy called unique already exists. Duplicate names are not allowed.");
        error(create("UNIQUE", "Path", "/elsewhere/"), 409, "EntityAlreadyExists",
                "A policy called UNIQUE already exists. Duplicate names are not allowed.");
        error(create("bad name!"), 400, "ValidationError", "The specified value for policyName is invalid. It must contain"
                + " only alphanumeric characters and/or the following: +=,.@_-");
        String longName = "p".repeat(129);
        error(create(longName), 400, "ValidationError", "1 validation error detected: Value '" + longName + "' at"
                + " 'policyName' failed to satisfy constraint: Member must have length less than or equal to 128");
        error(create("pathless", "Path", "no-slash"), 400, "ValidationError", "1 validation error detected: Value"
                + " 'no-slash' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern:"
                + " ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/");
        error(admin.call("CreatePolicy", "PolicyName", "nodoc"), 400, "ValidationError", "1 validation error detected:"
                + " Value null at 'policyDocument' failed to satisfy constraint: Member must not be null");

        error(admin.call("CreatePolicy", "PolicyName", "old", "PolicyDocument",
                "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"), 400,
                "MalformedPolicyDocument", "Policy document must be version 2012-10-17 or greater.");
        error(admin.call("CreatePolicy", "PolicyName", "principal", "PolicyDocument", "{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"), 400,
                "MalformedPolicyDocument", "Policy document should not specify a principal.");
        error(admin.call("CreatePolicy", "PolicyName", "broken", "PolicyDocument", "{\"Version\":"), 400,
                "MalformedPolicyDocument", "Syntax errors in policy.");
        StringBuilder actions = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            actions.append(i == 0 ? "" : ",").append("\"s3:GetObjectVersion").append(i).append('"');
        }
        String big = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[" + actions
                + "],\"Resource\":\"*\"}]}";
        assertTrue(big.length() > 6144);
        error(admin.call("CreatePolicy", "PolicyName", "huge", "PolicyDocument", big), 409, "LimitExceeded",
                "Cannot exceed quota for PolicySize: 6144");
        error(admin.call("GetPolicy", "PolicyName", "huge"), 400, "ValidationError", "1 validation error detected:"
                + " Value null at 'policyArn' failed to satisfy constraint: Member must not be null");
        error(admin.call("GetPolicy", "PolicyArn", "this-is-not-an-arn-at-all"), 400, "ValidationError",
                "Invalid ARN:  Could not be parsed!");
        error(admin.call("GetPolicy", "PolicyArn", "arn:aws:iam::" + ACCOUNT + ":role/not-a-policy"), 400, "InvalidInput",
                "ARN arn:aws:iam::" + ACCOUNT + ":role/not-a-policy is not valid.");
    }

    // ---- tags -------------------------------------------------------------------------------

    @Test
    void tagsPolicies() {
        ok(create("tagged"));
        String arn = arn("tagged");
        ok(admin.call("TagPolicy", "PolicyArn", arn, "Tags.member.1.Key", "team", "Tags.member.1.Value", "blue",
                "Tags.member.2.Key", "cost", "Tags.member.2.Value", "42"));
        IamTestClient.Response tags = ok(admin.call("ListPolicyTags", "PolicyArn", arn));
        assertEquals(List.of("cost", "team"), tags.values("Key"));
        ok(admin.call("TagPolicy", "PolicyArn", arn, "Tags.member.1.Key", "TEAM", "Tags.member.1.Value", "red"));
        ok(admin.call("UntagPolicy", "PolicyArn", arn, "TagKeys.member.1", "cost"));
        IamTestClient.Response after = ok(admin.call("ListPolicyTags", "PolicyArn", arn));
        assertEquals(List.of("TEAM"), after.values("Key"));
        assertEquals(List.of("red"), after.values("Value"));
        error(admin.call("TagPolicy", "PolicyArn", arn), 400, "ValidationError", "1 validation error detected: Value null"
                + " at 'tags' failed to satisfy constraint: Member must not be null");
    }

    // ---- AWS managed policies ---------------------------------------------------------------

    @Test
    void awsManagedPoliciesCanBeReadAndAttachedButNotChanged() {
        IamTestClient.Response got = ok(admin.call("GetPolicy", "PolicyArn", ECS_EXECUTION));
        assertEquals("AmazonECSTaskExecutionRolePolicy", got.value("PolicyName"));
        assertEquals("/service-role/", got.value("Path"));
        assertEquals("ANPAJG4T4G4PV56DE72PY", got.value("PolicyId"));
        assertEquals("v1", got.value("DefaultVersionId"));
        assertNotNull(got.value("Description"));

        String document = decode(ok(admin.call("GetPolicyVersion", "PolicyArn", ECS_EXECUTION, "VersionId", "v1"))
                .value("Document"));
        assertTrue(document.contains("ecr:GetAuthorizationToken"), document);
        Policies.parseValid(document, PolicyKind.IDENTITY, "round trip");
        assertEquals(List.of("v1"), ok(admin.call("ListPolicyVersions", "PolicyArn", ECS_EXECUTION)).values("VersionId"));
        assertEquals("v12", ok(admin.call("GetPolicy", "PolicyArn", "arn:aws:iam::aws:policy/PowerUserAccess"))
                .value("DefaultVersionId"));

        createRole("ecs-execution");
        ok(admin.call("AttachRolePolicy", "RoleName", "ecs-execution", "PolicyArn", ECS_EXECUTION));
        ok(admin.call("AttachRolePolicy", "RoleName", "ecs-execution", "PolicyArn",
                "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"));
        IamTestClient.Response attached = ok(admin.call("ListAttachedRolePolicies", "RoleName", "ecs-execution"));
        assertEquals(List.of("AmazonECSTaskExecutionRolePolicy", "AmazonEC2ContainerRegistryReadOnly"),
                attached.values("PolicyName"));
        assertEquals("1", ok(admin.call("GetPolicy", "PolicyArn", ECS_EXECUTION)).value("AttachmentCount"));
        assertEquals(List.of("ecs-execution"), ok(admin.call("ListEntitiesForPolicy", "PolicyArn", ECS_EXECUTION))
                .values("RoleName"));
        assertEquals(List.of("admin"), ok(admin.call("ListEntitiesForPolicy", "PolicyArn",
                IamDirectory.ADMINISTRATOR_ACCESS, "EntityFilter", "User")).values("UserName"));

        for (IamTestClient.Response denied : List.of(
                admin.call("DeletePolicy", "PolicyArn", ECS_EXECUTION),
                admin.call("CreatePolicyVersion", "PolicyArn", ECS_EXECUTION, "PolicyDocument", DOC),
                admin.call("SetDefaultPolicyVersion", "PolicyArn", ECS_EXECUTION, "VersionId", "v1"),
                admin.call("DeletePolicyVersion", "PolicyArn", ECS_EXECUTION, "VersionId", "v1"),
                admin.call("TagPolicy", "PolicyArn", ECS_EXECUTION, "Tags.member.1.Key", "k", "Tags.member.1.Value", "v"))) {
            error(denied, 400, "InvalidInput", null);
            assertTrue(denied.errorMessage().contains("AWS managed policy"), denied.toString());
        }
        assertTrue(ok(admin.call("ListPolicyTags", "PolicyArn", ECS_EXECUTION)).values("Key").isEmpty());
    }

    @Test
    void largeAwsManagedDocumentsComeBackWholeAndUrlEncoded() throws Exception {
        record Expected(String name, String id, String version, String file) {}
        for (Expected e : List.of(
                new Expected("ReadOnlyAccess", "ANPAILL3HVNFSB6DCOWYQ", "v182", "ReadOnlyAccess.json"),
                new Expected("AmazonECS_FullAccess", "ANPAJ7S7AN6YQPTJC7IFS", "v22", "AmazonECS_FullAccess.json"))) {
            String arn = "arn:aws:iam::aws:policy/" + e.name();
            IamTestClient.Response got = ok(admin.call("GetPolicy", "PolicyArn", arn));
            assertEquals(e.name(), got.value("PolicyName"));
            assertEquals("/", got.value("Path"));
            assertEquals(e.id(), got.value("PolicyId"));
            assertEquals(e.version(), got.value("DefaultVersionId"));
            assertEquals("true", got.value("IsAttachable"));

            IamTestClient.Response version = ok(admin.call("GetPolicyVersion", "PolicyArn", arn, "VersionId", e.version()));
            assertEquals(e.version(), version.value("VersionId"));
            assertEquals("true", version.value("IsDefaultVersion"));
            String encoded = version.value("Document");
            assertTrue(encoded.startsWith("%7B%0A%20%20%22Version%22%20%3A%20%222012-10-17%22"), encoded.substring(0, 80));
            assertFalse(encoded.contains("+") || encoded.contains(" ") || encoded.contains("\""), "RFC 3986 encoding");
            String published;
            try (var in = AwsManagedPolicies.class.getResourceAsStream("/aws-managed-policies/" + e.file())) {
                published = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertEquals(published, decode(encoded), "the document exactly as published");
            assertEquals(List.of(e.version()), ok(admin.call("ListPolicyVersions", "PolicyArn", arn)).values("VersionId"));
            error(admin.call("GetPolicyVersion", "PolicyArn", arn, "VersionId", "v1"), 404, "NoSuchEntity",
                    "Policy " + arn + " version v1 does not exist or is not attachable.");
        }
        // The same text submitted by a customer exceeds the quota, and nothing is created.
        String readOnly;
        try (var in = AwsManagedPolicies.class.getResourceAsStream("/aws-managed-policies/ReadOnlyAccess.json")) {
            readOnly = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        error(admin.call("CreatePolicy", "PolicyName", "my-read-only", "PolicyDocument", readOnly), 409, "LimitExceeded",
                "Cannot exceed quota for PolicySize: 6144");
        error(admin.call("GetPolicy", "PolicyArn", arn("my-read-only")), 404, "NoSuchEntity", null);
    }

    // ---- authorization ----------------------------------------------------------------------

    @Test
    void authorizesEachOperationOnThePolicyArn() throws Exception {
        server.iam().createUser(ACCOUNT, "policy-reader", Map.of("read-policies",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"iam:GetPolicy\","
                        + "\"iam:ListPolicies\"],\"Resource\":\"*\"}]}"));
        IamTestClient reader = IamTestClient.of(server, server.iam().createAccessKey(ACCOUNT, "policy-reader"));

        error(reader.call("CreatePolicy", "PolicyName", "forbidden", "PolicyDocument", DOC), 403, "AccessDenied",
                "User: arn:aws:iam::" + ACCOUNT + ":user/policy-reader is not authorized to perform: iam:CreatePolicy on"
                        + " resource: arn:aws:iam::" + ACCOUNT + ":policy/forbidden because no identity-based policy allows"
                        + " the iam:CreatePolicy action");
        assertEquals("AdministratorAccess", ok(reader.call("GetPolicy", "PolicyArn", IamDirectory.ADMINISTRATOR_ACCESS))
                .value("PolicyName"));
        ok(reader.call("ListPolicies", "Scope", "AWS"));
        error(reader.call("GetPolicyVersion", "PolicyArn", IamDirectory.ADMINISTRATOR_ACCESS, "VersionId", "v1"), 403,
                "AccessDenied", null);

        // Tag conditions: a user may only create policies that carry its team tag.
        server.iam().createUser(ACCOUNT, "tagged-creator", Map.of("create-tagged",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"iam:CreatePolicy\","
                        + "\"iam:TagPolicy\"],\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
                        + "{\"aws:RequestTag/team\":\"blue\"}}}]}"));
        IamTestClient creator = IamTestClient.of(server, server.iam().createAccessKey(ACCOUNT, "tagged-creator"));
        error(creator.call("CreatePolicy", "PolicyName", "untagged-one", "PolicyDocument", DOC), 403, "AccessDenied", null);
        ok(creator.call("CreatePolicy", "PolicyName", "tagged-one", "PolicyDocument", DOC, "Tags.member.1.Key", "team",
                "Tags.member.1.Value", "blue"));

        // Another account's customer-managed policy is out of reach even for this account's administrator.
        IamTestClient other = IamTestClient.of(server, server.profiles().get(1));
        String otherAccount = server.profiles().get(1).account().id();
        ok(other.call("CreatePolicy", "PolicyName", "theirs", "PolicyDocument", DOC));
        ok(other.call("GetPolicy", "PolicyArn", "arn:aws:iam::" + otherAccount + ":policy/theirs"));
        error(admin.call("GetPolicy", "PolicyArn", "arn:aws:iam::" + otherAccount + ":policy/theirs"), 403,
                "AccessDenied", null);
        assertFalse(ok(admin.call("ListPolicies", "Scope", "Local")).values("PolicyName").contains("theirs"));
    }
}
