package dev.crossrole.it;

import static dev.crossrole.it.Docs.allow;
import static dev.crossrole.it.Docs.trustAws;
import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.IamSdk.decode;
import static dev.crossrole.it.IamSdk.validation;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.rootArn;
import static dev.crossrole.it.TestCrossrole.sessionArn;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.iam.AccessKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AttachedPolicy;
import software.amazon.awssdk.services.iam.model.CreateRoleResponse;
import software.amazon.awssdk.services.iam.model.ListRolesResponse;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Role operations of the IAM API through the AWS SDK for Java v2: shapes, URL-encoded documents,
 * pagination, and AWS's error codes, statuses and messages; trust policies that resolve principals to
 * unique ids.
 */
class IamRolesSdkTest {
    static final String A = SOURCE;
    static final String B = DESTINATION;
    static final String ADMIN_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess";
    static final String TRUST_A = trustAws(rootArn(A));

    static TestCrossrole crossrole;
    static IamClient iam;     // administrator of A
    static IamClient iamB;    // administrator of B

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(A));
        iamB = IamSdk.iam(crossrole, crossrole.adminCredentials(B));
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
        iamB.close();
        crossrole.close();
    }

    static Role create(String name) {
        return iam.createRole(r -> r.roleName(name).assumeRolePolicyDocument(TRUST_A)).role();
    }

    static Role get(String name) {
        return iam.getRole(r -> r.roleName(name)).role();
    }

    // ---- create, get, list ----------------------------------------------------------------------

    @Test
    void createRoleReturnsTheRoleWithTheDocumentUrlEncoded() {
        // Pretty-printed, with characters that must be escaped: the document comes back exactly as sent.
        String trust = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"TrustA\",\n"
                + "      \"Effect\": \"Allow\",\n      \"Principal\": {\"AWS\": \"" + rootArn(A) + "\"},\n"
                + "      \"Action\": \"sts:AssumeRole\",\n      \"Condition\": {\"StringLike\": {\"sts:ExternalId\":"
                + " \"a+b %20&=?#/*\"}}\n    }\n  ]\n}\n";
        Instant before = Instant.now().minusSeconds(2);
        CreateRoleResponse created = iam.createRole(r -> r.roleName("shape-role").path("/team/app/")
                .assumeRolePolicyDocument(trust).description("The role of the shape test").maxSessionDuration(7200)
                .tags(Tag.builder().key("team").value("blue").build()));
        Role role = created.role();
        assertAll(
                () -> assertEquals("shape-role", role.roleName()),
                () -> assertEquals("/team/app/", role.path()),
                () -> assertEquals("arn:aws:iam::" + A + ":role/team/app/shape-role", role.arn()),
                () -> assertTrue(role.roleId().matches("AROA[A-Z0-9]{17}"), role.roleId()),
                () -> assertTrue(!role.createDate().isBefore(before) && role.createDate().isBefore(Instant.now()
                        .plusSeconds(2)), "CreateDate " + role.createDate()),
                () -> assertEquals(trust, decode(role.assumeRolePolicyDocument())),
                () -> assertFalse(role.assumeRolePolicyDocument().contains("{"), "URL-encoded: "
                        + role.assumeRolePolicyDocument()),
                () -> assertEquals("The role of the shape test", role.description()),
                () -> assertEquals(7200, role.maxSessionDuration()),
                () -> assertEquals(List.of(Tag.builder().key("team").value("blue").build()), role.tags()));

        Role got = iam.getRole(r -> r.roleName("shape-role")).role();
        assertAll(
                () -> assertEquals(role.roleId(), got.roleId()),
                () -> assertEquals(role.arn(), got.arn()),
                () -> assertEquals(role.createDate(), got.createDate()),
                () -> assertEquals(trust, decode(got.assumeRolePolicyDocument())),
                () -> assertEquals(7200, got.maxSessionDuration()),
                () -> assertEquals("The role of the shape test", got.description()),
                () -> assertEquals(role.tags(), got.tags()),
                () -> assertNotNull(got.roleLastUsed(), "GetRole includes RoleLastUsed"),
                () -> assertNull(got.permissionsBoundary()));

        // Role names are case-insensitive for lookups.
        assertEquals(role.roleId(), iam.getRole(r -> r.roleName("SHAPE-ROLE")).role().roleId());
    }

    @Test
    void listRolesPagesWithMaxItemsAndMarker() {
        for (String name : List.of("page-1", "page-2", "page-3")) {
            iam.createRole(r -> r.roleName(name).path("/paging/").assumeRolePolicyDocument(TRUST_A)
                    .tags(Tag.builder().key("k").value("v").build()));
        }
        ListRolesResponse first = iam.listRoles(r -> r.pathPrefix("/paging/").maxItems(1));
        assertEquals(1, first.roles().size(), first.toString());
        assertTrue(first.isTruncated(), first.toString());
        assertNotNull(first.marker(), first.toString());

        List<String> names = new ArrayList<>();
        ListRolesResponse page = first;
        names.add(page.roles().get(0).roleName());
        while (page.isTruncated()) {
            String marker = page.marker();
            page = iam.listRoles(r -> r.pathPrefix("/paging/").maxItems(1).marker(marker));
            page.roles().forEach(r -> names.add(r.roleName()));
        }
        assertEquals(List.of("page-1", "page-2", "page-3"), names);
        assertNull(page.marker(), "no Marker on the last page");

        ListRolesResponse all = iam.listRoles(r -> r.pathPrefix("/paging/"));
        assertFalse(all.isTruncated());
        assertEquals(3, all.roles().size());
        Role listed = all.roles().get(0);
        assertEquals(TRUST_A, decode(listed.assumeRolePolicyDocument()));
        // ListRoles leaves out tags, boundary and last use.
        assertTrue(listed.tags().isEmpty(), listed.toString());
        assertNull(listed.roleLastUsed(), listed.toString());

        // The paginator follows the markers too, over every role of the account only.
        List<String> everything = iam.listRolesPaginator(r -> r.maxItems(2)).roles().stream().map(Role::arn).toList();
        assertTrue(everything.contains("arn:aws:iam::" + A + ":role/paging/page-1"), everything.toString());
        assertTrue(everything.stream().allMatch(arn -> arn.startsWith("arn:aws:iam::" + A + ":role/")), everything.toString());
    }

    // ---- updates ------------------------------------------------------------------------------

    @Test
    void updateRoleAndUpdateRoleDescription() {
        create("update-me");
        iam.updateRole(r -> r.roleName("update-me").description("first").maxSessionDuration(43200));
        Role updated = get("update-me");
        assertEquals("first", updated.description());
        assertEquals(43200, updated.maxSessionDuration());

        String special = "second <b> & \"quoted\" caf\u00e9";
        Role returned = iam.updateRoleDescription(r -> r.roleName("update-me").description(special)).role();
        assertEquals(special, returned.description());
        assertEquals(43200, returned.maxSessionDuration());
        assertEquals(special, get("update-me").description());
    }

    @Test
    void updateAssumeRolePolicyReplacesTheTrustPolicy() {
        create("retrust-me");
        String trust = trustAws(rootArn(B));
        iam.updateAssumeRolePolicy(r -> r.roleName("retrust-me").policyDocument(trust));
        assertEquals(trust, decode(get("retrust-me").assumeRolePolicyDocument()));
    }

    @Test
    void tagUntagAndListRoleTags() {
        create("tag-me");
        iam.tagRole(r -> r.roleName("tag-me").tags(Tag.builder().key("team").value("blue").build(),
                Tag.builder().key("env").value("dev").build()));
        iam.tagRole(r -> r.roleName("tag-me").tags(Tag.builder().key("team").value("red").build()));
        Map<String, String> tags = iam.listRoleTags(r -> r.roleName("tag-me")).tags().stream()
                .collect(Collectors.toMap(Tag::key, Tag::value));
        assertEquals(Map.of("team", "red", "env", "dev"), tags);

        var page = iam.listRoleTags(r -> r.roleName("tag-me").maxItems(1));
        assertEquals(1, page.tags().size());
        assertTrue(page.isTruncated());
        assertNotNull(page.marker());

        iam.untagRole(r -> r.roleName("tag-me").tagKeys("env"));
        assertEquals(List.of(Tag.builder().key("team").value("red").build()),
                iam.listRoleTags(r -> r.roleName("tag-me")).tags());
        assertEquals(List.of(Tag.builder().key("team").value("red").build()), get("tag-me").tags());
    }

    @Test
    void permissionsBoundaryPutAndDelete() {
        create("bounded-role");
        String boundary = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
        iam.putRolePermissionsBoundary(r -> r.roleName("bounded-role").permissionsBoundary(boundary));
        Role role = get("bounded-role");
        assertNotNull(role.permissionsBoundary(), role.toString());
        assertEquals(boundary, role.permissionsBoundary().permissionsBoundaryArn());
        // The model says PermissionsBoundaryPolicy; AWS sends "Policy".
        assertEquals("Policy", role.permissionsBoundary().permissionsBoundaryTypeAsString());
        assertTrue(iam.listRoles(r -> r.pathPrefix("/")).roles().stream().filter(r -> r.roleName().equals("bounded-role"))
                .allMatch(r -> r.permissionsBoundary() == null), "ListRoles leaves the boundary out");

        iam.deleteRolePermissionsBoundary(r -> r.roleName("bounded-role"));
        assertNull(get("bounded-role").permissionsBoundary());
        // A boundary does not block deletion.
        iam.putRolePermissionsBoundary(r -> r.roleName("bounded-role").permissionsBoundary(boundary));
        iam.deleteRole(r -> r.roleName("bounded-role"));
        assertError(() -> get("bounded-role"), 404, "NoSuchEntity", "The role with name bounded-role cannot be found.");
    }

    @Test
    void boundaryThatDoesNotExist() {
        create("bad-boundary-role");
        String missing = "arn:aws:iam::" + A + ":policy/NoSuchBoundary";
        // IAM calls the boundary the "scope" here.
        String message = "Scope ARN: " + missing + " does not exist or is not attachable.";
        assertError(() -> iam.putRolePermissionsBoundary(r -> r.roleName("bad-boundary-role")
                .permissionsBoundary(missing)), 404, "NoSuchEntity", message);
        assertError(() -> iam.createRole(r -> r.roleName("bad-boundary-new").assumeRolePolicyDocument(TRUST_A)
                .permissionsBoundary(missing)), 404, "NoSuchEntity", message);
        assertError(() -> get("bad-boundary-new"), 404, "NoSuchEntity", "The role with name bad-boundary-new cannot be found.");
    }

    // ---- inline policies ---------------------------------------------------------------------

    @Test
    void inlinePoliciesComeBackExactlyAsSubmitted() {
        create("inline-role");
        String doc = "{\n\t\"Version\": \"2012-10-17\",\n\t\"Statement\": [{\"Sid\": \"ReadBucket\", \"Effect\": \"Allow\","
                + " \"Action\": [\"s3:GetObject\", \"s3:ListBucket\"],\n\t  \"Resource\": [\"arn:aws:s3:::my-bucket\","
                + " \"arn:aws:s3:::my-bucket/a b+c/*\", \"arn:aws:s3:::my-bucket/caf\u00e9/<&>/*\"]}]\n}";
        iam.putRolePolicy(r -> r.roleName("inline-role").policyName("read-bucket").policyDocument(doc));
        var got = iam.getRolePolicy(r -> r.roleName("inline-role").policyName("read-bucket"));
        assertEquals("inline-role", got.roleName());
        assertEquals("read-bucket", got.policyName());
        assertEquals(doc, decode(got.policyDocument()));
        assertFalse(got.policyDocument().contains(" "), "URL-encoded: " + got.policyDocument());
        assertFalse(got.policyDocument().contains("+"), "spaces are %20, '+' is %2B: " + got.policyDocument());

        // Put replaces.
        String replaced = allow("arn:aws:s3:::other-bucket/*", "s3:GetObject");
        iam.putRolePolicy(r -> r.roleName("inline-role").policyName("read-bucket").policyDocument(replaced));
        assertEquals(replaced, decode(iam.getRolePolicy(r -> r.roleName("inline-role").policyName("read-bucket"))
                .policyDocument()));

        iam.putRolePolicy(r -> r.roleName("inline-role").policyName("another").policyDocument(replaced));
        iam.putRolePolicy(r -> r.roleName("inline-role").policyName("third").policyDocument(replaced));
        assertEquals(List.of("another", "read-bucket", "third"),
                iam.listRolePolicies(r -> r.roleName("inline-role")).policyNames());
        var page = iam.listRolePolicies(r -> r.roleName("inline-role").maxItems(2));
        assertEquals(2, page.policyNames().size());
        assertTrue(page.isTruncated());
        var rest = iam.listRolePolicies(r -> r.roleName("inline-role").maxItems(2).marker(page.marker()));
        assertEquals(1, rest.policyNames().size());
        assertFalse(rest.isTruncated());

        iam.deleteRolePolicy(r -> r.roleName("inline-role").policyName("another"));
        assertEquals(List.of("read-bucket", "third"), iam.listRolePolicies(r -> r.roleName("inline-role")).policyNames());
        assertError(() -> iam.getRolePolicy(r -> r.roleName("inline-role").policyName("another")), 404, "NoSuchEntity",
                "The role policy with name another cannot be found.");
        assertError(() -> iam.deleteRolePolicy(r -> r.roleName("inline-role").policyName("another")), 404, "NoSuchEntity",
                "The role policy with name another cannot be found.");
    }

    // ---- attached policies -------------------------------------------------------------------

    @Test
    void attachListAndDetachAnAwsManagedPolicy() {
        create("attach-role");
        iam.attachRolePolicy(r -> r.roleName("attach-role").policyArn(ADMIN_ACCESS));
        iam.attachRolePolicy(r -> r.roleName("attach-role").policyArn(ADMIN_ACCESS)); // idempotent
        List<AttachedPolicy> attached = iam.listAttachedRolePolicies(r -> r.roleName("attach-role")).attachedPolicies();
        assertEquals(List.of(AttachedPolicy.builder().policyName("AdministratorAccess").policyArn(ADMIN_ACCESS).build()),
                attached);

        iam.detachRolePolicy(r -> r.roleName("attach-role").policyArn(ADMIN_ACCESS));
        assertTrue(iam.listAttachedRolePolicies(r -> r.roleName("attach-role")).attachedPolicies().isEmpty());
        assertError(() -> iam.detachRolePolicy(r -> r.roleName("attach-role").policyArn(ADMIN_ACCESS)), 404,
                "NoSuchEntity", "Policy " + ADMIN_ACCESS + " was not found.");
    }

    @Test
    void commonAwsManagedPoliciesCanBeAttached() {
        create("readonly-role");
        // The AWS managed policies crossrole carries with their published documents.
        List<String> carried = List.of("AmazonS3ReadOnlyAccess", "IAMReadOnlyAccess", "PowerUserAccess",
                "AmazonEC2ContainerRegistryReadOnly", "AmazonECSTaskExecutionRolePolicy", "ReadOnlyAccess",
                "AmazonECS_FullAccess");
        List<String> listed = iam.listPoliciesPaginator(r -> r.scope("AWS")).policies().stream()
                .map(software.amazon.awssdk.services.iam.model.Policy::policyName).toList();
        assertTrue(listed.containsAll(carried), listed.toString());
        assertEquals(1485, listed.size(), "every AWS managed policy, page by page");
        for (String name : carried) {
            String arn = "arn:aws:iam::aws:policy/" + (name.equals("AmazonECSTaskExecutionRolePolicy") ? "service-role/" : "")
                    + name;
            iam.attachRolePolicy(r -> r.roleName("readonly-role").policyArn(arn));
        }
        assertEquals(carried.stream().sorted().toList(), iam.listAttachedRolePolicies(r -> r.roleName("readonly-role"))
                .attachedPolicies().stream().map(AttachedPolicy::policyName).sorted().toList());
    }

    @Test
    void anyAwsManagedPolicyResolvesAndDecides() {
        String arn = "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess";
        var policy = iam.getPolicy(r -> r.policyArn(arn)).policy();
        assertEquals("AmazonSQSReadOnlyAccess", policy.policyName());
        assertEquals("/", policy.path());
        assertTrue(policy.policyId().startsWith("ANPA"), policy.policyId());
        String document = IamSdk.decode(iam.getPolicyVersion(r -> r.policyArn(arn).versionId(policy.defaultVersionId()))
                .policyVersion().document());
        assertTrue(document.contains("sqs:ListQueues"), document);
        String linked = "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy";
        assertEquals("/aws-service-role/", iam.getPolicy(r -> r.policyArn(linked)).policy().path());

        create("sqs-reader");
        iam.attachRolePolicy(r -> r.roleName("sqs-reader").policyArn(arn));
        var results = iam.simulatePrincipalPolicy(r -> r.policySourceArn(roleArn(A, "sqs-reader"))
                .actionNames("sqs:ListQueues", "sqs:DeleteQueue")).evaluationResults();
        assertEquals("allowed", results.get(0).evalDecisionAsString());
        assertEquals("implicitDeny", results.get(1).evalDecisionAsString());
        assertEquals(1, iam.listEntitiesForPolicy(r -> r.policyArn(arn)).policyRoles().size());
    }

    /** A session of a role of account A that only has the AWS managed policy {@code policy} attached. */
    static Credentials sessionWith(String roleName, String policy) {
        create(roleName);
        iam.attachRolePolicy(r -> r.roleName(roleName).policyArn(policy));
        try (var sts = crossrole.sts(crossrole.adminCredentials(A))) {
            return sts.assumeRole(r -> r.roleArn(roleArn(A, roleName)).roleSessionName("managed-policy-test"))
                    .credentials();
        }
    }

    @Test
    void readOnlyAccessReadsEverythingAndChangesNothing() {
        String readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess";
        var policy = iam.getPolicy(r -> r.policyArn(readOnly)).policy();
        assertEquals("ANPAILL3HVNFSB6DCOWYQ", policy.policyId());
        assertEquals("v182", policy.defaultVersionId());
        assertEquals("Provides read-only access to AWS services and resources.", policy.description());
        var version = iam.getPolicyVersion(r -> r.policyArn(readOnly).versionId("v182")).policyVersion();
        assertTrue(version.isDefaultVersion());
        String document = decode(version.document());
        assertEquals(110_561, document.length(), "the whole published document, far over the customer quota");
        assertTrue(document.contains("\"xray:StartTraceRetrieval\""), "the last action of the first statement");
        assertTrue(document.contains("\"s3express:SessionMode\" : \"ReadOnly\""), document.substring(document.length() - 300));

        Credentials session = sessionWith("read-only-role", readOnly);
        String caller = sessionArn(A, "read-only-role", "managed-policy-test");
        try (IamClient asReader = IamSdk.iam(crossrole, TestCrossrole.session(session));
             var asReaderEcs = EcsSdk.ecs(crossrole, TestCrossrole.session(session))) {
            assertEquals("read-only-role", asReader.getRole(r -> r.roleName("read-only-role")).role().roleName());
            assertTrue(asReader.listAttachedRolePolicies(r -> r.roleName("read-only-role")).attachedPolicies().stream()
                    .anyMatch(p -> p.policyArn().equals(readOnly)));
            var clusters = asReaderEcs.describeClusters(r -> r.clusters("no-such-cluster"));
            assertEquals("MISSING", clusters.failures().get(0).reason());

            assertError(() -> asReader.createRole(r -> r.roleName("written-by-reader").assumeRolePolicyDocument(TRUST_A)),
                    403, "AccessDenied", IamSdk.notAuthorized(caller, "iam:CreateRole", roleArn(A, "written-by-reader")));
            assertError(() -> asReader.attachRolePolicy(r -> r.roleName("read-only-role").policyArn(ADMIN_ACCESS)),
                    403, "AccessDenied", IamSdk.notAuthorized(caller, "iam:AttachRolePolicy", "role read-only-role"));
            var denied = assertThrows(software.amazon.awssdk.services.ecs.model.AccessDeniedException.class,
                    () -> asReaderEcs.createCluster(r -> r.clusterName("written-by-reader")));
            assertEquals(IamSdk.notAuthorized(caller, "ecs:CreateCluster",
                    "arn:aws:ecs:us-east-1:" + A + ":cluster/written-by-reader"), denied.awsErrorDetails().errorMessage());
        }

        // As a session policy (AssumeRole PolicyArns) it narrows an administrator role to reading.
        create("admin-narrowed-role");
        iam.attachRolePolicy(r -> r.roleName("admin-narrowed-role").policyArn(ADMIN_ACCESS));
        Credentials narrowed;
        try (var sts = crossrole.sts(crossrole.adminCredentials(A))) {
            narrowed = sts.assumeRole(r -> r.roleArn(roleArn(A, "admin-narrowed-role")).roleSessionName("narrowed")
                    .policyArns(p -> p.arn(readOnly))).credentials();
        }
        try (IamClient asNarrowed = IamSdk.iam(crossrole, TestCrossrole.session(narrowed))) {
            assertEquals("read-only-role", asNarrowed.getRole(r -> r.roleName("read-only-role")).role().roleName());
            assertError(() -> asNarrowed.createRole(r -> r.roleName("written-when-narrowed").assumeRolePolicyDocument(TRUST_A)),
                    403, "AccessDenied", "User: " + sessionArn(A, "admin-narrowed-role", "narrowed") + " is not authorized"
                            + " to perform: iam:CreateRole on resource: " + roleArn(A, "written-when-narrowed")
                            + " because no session policy allows the iam:CreateRole action");
        }
    }

    @Test
    void ecsFullAccessRunsTasksAndPassesRolesOnlyAsItsDocumentSays() throws Exception {
        String ecsFull = "arn:aws:iam::aws:policy/AmazonECS_FullAccess";
        var policy = iam.getPolicy(r -> r.policyArn(ecsFull)).policy();
        assertEquals("ANPAJ7S7AN6YQPTJC7IFS", policy.policyId());
        assertEquals("v22", policy.defaultVersionId());
        String document = decode(iam.getPolicyVersion(r -> r.policyArn(ecsFull).versionId("v22")).policyVersion()
                .document());
        assertTrue(document.contains("\"Sid\" : \"TasksPassRolePolicy\""), document);
        assertTrue(document.contains("\"Sid\" : \"CloudFormationTagOnCreate\""), document);

        String ecsTrust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                + "{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
        iam.createRole(r -> r.roleName("ecs-full-app-role").assumeRolePolicyDocument(ecsTrust));
        String appRole = roleArn(A, "ecs-full-app-role");
        Credentials session = sessionWith("ecs-full-role", ecsFull);
        String caller = sessionArn(A, "ecs-full-role", "managed-policy-test");
        try (var asOperator = EcsSdk.ecs(crossrole, TestCrossrole.session(session));
             IamClient asOperatorIam = IamSdk.iam(crossrole, TestCrossrole.session(session))) {
            // ecs:* and iam:PassRole of any role to ecs-tasks.amazonaws.com (TasksPassRolePolicy).
            asOperator.createCluster(r -> r.clusterName("ecs-full-cluster"));
            asOperator.registerTaskDefinition(r -> r.family("ecs-full-app").taskRoleArn(appRole)
                    .containerDefinitions(c -> c.name("app").image("local/app").memory(128)));
            var run = asOperator.runTask(r -> r.cluster("ecs-full-cluster").taskDefinition("ecs-full-app"));
            assertEquals(List.of(), run.failures(), run.toString());
            String taskArn = run.tasks().get(0).taskArn();
            asOperator.stopTask(r -> r.cluster("ecs-full-cluster").task(taskArn));
            EcsSdk.awaitStopped(asOperator, "ecs-full-cluster", taskArn);

            // The policy lists iam:ListRoles but grants no IAM writes.
            assertTrue(asOperatorIam.listRoles().roles().stream().anyMatch(r -> r.roleName().equals("ecs-full-app-role")));
            assertError(() -> asOperatorIam.createRole(r -> r.roleName("written-by-operator").assumeRolePolicyDocument(TRUST_A)),
                    403, "AccessDenied", IamSdk.notAuthorized(caller, "iam:CreateRole", roleArn(A, "written-by-operator")));
        }

        // The other side of each PassRole statement: iam:PassedToService decides.
        String roleSource = roleArn(A, "ecs-full-role");
        record Case(String service, String role, String decision) {}
        for (Case c : List.of(
                new Case("ecs-tasks.amazonaws.com", appRole, "allowed"),
                new Case("lambda.amazonaws.com", appRole, "implicitDeny"),
                new Case("ec2.amazonaws.com", appRole, "implicitDeny"),
                new Case("ec2.amazonaws.com", roleArn(A, "ecsInstanceRole"), "allowed"),
                new Case("ecs.amazonaws.com", roleArn(A, "ecsInfrastructureRole"), "allowed"),
                new Case("ecs.amazonaws.com", roleArn(A, "ecsInfrastructureRole2"), "implicitDeny"),
                new Case("application-autoscaling.amazonaws.com", roleArn(A, "ecsAutoscaleRole-x"), "allowed"))) {
            var result = iam.simulatePrincipalPolicy(r -> r.policySourceArn(roleSource).actionNames("iam:PassRole")
                    .resourceArns(c.role()).contextEntries(e -> e.contextKeyName("iam:PassedToService")
                            .contextKeyType("string").contextKeyValues(c.service())));
            assertEquals(c.decision(), result.evaluationResults().get(0).evalDecisionAsString(), c.toString());
        }
    }

    @Test
    void attachingSomethingThatIsNotAnArn() {
        create("attach-garbage-role");
        assertError(() -> iam.attachRolePolicy(r -> r.roleName("attach-garbage-role").policyArn("this-is-not-an-arn-at-all")),
                400, "InvalidInput", "ARN this-is-not-an-arn-at-all is not valid.");
    }

    @Test
    void listAttachedRolePoliciesByPathPrefix() {
        create("prefix-role");
        String execution = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
        iam.attachRolePolicy(r -> r.roleName("prefix-role").policyArn(execution));
        iam.attachRolePolicy(r -> r.roleName("prefix-role").policyArn(ADMIN_ACCESS));
        assertEquals(List.of(execution), iam.listAttachedRolePolicies(r -> r.roleName("prefix-role")
                .pathPrefix("/service-role/")).attachedPolicies().stream().map(AttachedPolicy::policyArn).toList());
        assertEquals(2, iam.listAttachedRolePolicies(r -> r.roleName("prefix-role")).attachedPolicies().size());
    }

    @Test
    void attachingAPolicyThatDoesNotExist() {
        create("attach-missing-role");
        String missing = "arn:aws:iam::" + A + ":policy/not-there";
        assertError(() -> iam.attachRolePolicy(r -> r.roleName("attach-missing-role").policyArn(missing)), 404,
                "NoSuchEntity", "Policy " + missing + " does not exist or is not attachable.");
    }

    @Test
    void eleventhAttachedPolicyExceedsTheQuota() {
        create("quota-role");
        List<String> arns = new ArrayList<>();
        for (int i = 1; i <= 11; i++) {
            String name = "quota-policy-" + i;
            arns.add(iam.createPolicy(r -> r.policyName(name).policyDocument(allow("*", "s3:ListAllMyBuckets")))
                    .policy().arn());
        }
        for (int i = 0; i < 10; i++) {
            String arn = arns.get(i);
            iam.attachRolePolicy(r -> r.roleName("quota-role").policyArn(arn));
        }
        assertError(() -> iam.attachRolePolicy(r -> r.roleName("quota-role").policyArn(arns.get(10))), 409,
                "LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10");
        assertEquals(10, iam.listAttachedRolePolicies(r -> r.roleName("quota-role")).attachedPolicies().size());
    }

    // ---- errors ---------------------------------------------------------------------------------

    @Test
    void roleThatExistsAlready() {
        create("twice");
        assertError(() -> create("twice"), 409, "EntityAlreadyExists", "Role with name twice already exists.");
        // Names are unique case-insensitively.
        assertError(() -> create("TWICE"), 409, "EntityAlreadyExists", "Role with name TWICE already exists.");
    }

    @Test
    void roleThatDoesNotExist() {
        String message = "The role with name nowhere cannot be found.";
        assertError(() -> get("nowhere"), 404, "NoSuchEntity", message);
        assertError(() -> iam.deleteRole(r -> r.roleName("nowhere")), 404, "NoSuchEntity", message);
        assertError(() -> iam.updateRole(r -> r.roleName("nowhere").description("x")), 404, "NoSuchEntity", message);
        assertError(() -> iam.updateAssumeRolePolicy(r -> r.roleName("nowhere").policyDocument(TRUST_A)), 404,
                "NoSuchEntity", message);
        assertError(() -> iam.putRolePolicy(r -> r.roleName("nowhere").policyName("p")
                .policyDocument(allow("*", "s3:GetObject"))), 404, "NoSuchEntity", message);
        assertError(() -> iam.listRolePolicies(r -> r.roleName("nowhere")), 404, "NoSuchEntity", message);
        assertError(() -> iam.attachRolePolicy(r -> r.roleName("nowhere").policyArn(ADMIN_ACCESS)), 404,
                "NoSuchEntity", message);
        assertError(() -> iam.tagRole(r -> r.roleName("nowhere").tags(Tag.builder().key("a").value("b").build())), 404,
                "NoSuchEntity", message);
    }

    @Test
    void deleteConflicts() {
        create("conflict-inline");
        iam.putRolePolicy(r -> r.roleName("conflict-inline").policyName("p").policyDocument(allow("*", "s3:GetObject")));
        assertError(() -> iam.deleteRole(r -> r.roleName("conflict-inline")), 409, "DeleteConflict",
                "Cannot delete entity, must delete policies first.");

        create("conflict-attached");
        iam.attachRolePolicy(r -> r.roleName("conflict-attached").policyArn(ADMIN_ACCESS));
        assertError(() -> iam.deleteRole(r -> r.roleName("conflict-attached")), 409, "DeleteConflict",
                "Cannot delete entity, must detach all policies first.");

        iam.deleteRolePolicy(r -> r.roleName("conflict-inline").policyName("p"));
        iam.deleteRole(r -> r.roleName("conflict-inline"));
        iam.detachRolePolicy(r -> r.roleName("conflict-attached").policyArn(ADMIN_ACCESS));
        iam.deleteRole(r -> r.roleName("conflict-attached"));
        assertError(() -> get("conflict-attached"), 404, "NoSuchEntity",
                "The role with name conflict-attached cannot be found.");
    }

    @Test
    void trustPolicyOverTheSizeQuota() {
        // 2048 characters without whitespace is the default ACLSizePerRole quota.
        String big = Docs.doc(Docs.trustStmt("Allow", Docs.aws(rootArn(A)), Docs.actions("sts:AssumeRole"),
                Docs.cond("StringEquals", "sts:ExternalId", "x".repeat(2000))));
        assertError(() -> iam.createRole(r -> r.roleName("too-big").assumeRolePolicyDocument(big)), 409,
                "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048");
        create("grows-too-big");
        assertError(() -> iam.updateAssumeRolePolicy(r -> r.roleName("grows-too-big").policyDocument(big)), 409,
                "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048");
    }

    @Test
    void inlinePoliciesOverTheAggregateQuota() {
        create("fat-role");
        // About 6,000 characters each: one fits, two exceed 10,240.
        List<String> buckets = new ArrayList<>();
        for (int i = 0; i < 170; i++) {
            buckets.add("arn:aws:s3:::bucket-number-" + i + "/*");
        }
        String fat = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":" + Docs.arr(buckets.toArray(String[]::new)) + "}]}";
        assertTrue(fat.length() > 5200 && fat.length() < 6144, "size " + fat.length());
        iam.putRolePolicy(r -> r.roleName("fat-role").policyName("first").policyDocument(fat));
        assertError(() -> iam.putRolePolicy(r -> r.roleName("fat-role").policyName("second").policyDocument(fat)), 409,
                "LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role fat-role");
        assertEquals(List.of("first"), iam.listRolePolicies(r -> r.roleName("fat-role")).policyNames());
    }

    @Test
    void trustPolicyMayNameAnyAccountAndServices() {
        String anyAccount = trustAws(rootArn("999999999999"));
        iam.createRole(r -> r.roleName("trusts-stranger").assumeRolePolicyDocument(anyAccount));
        assertEquals(anyAccount, decode(get("trusts-stranger").assumeRolePolicyDocument()));
        String byId = trustAws("999999999999");
        iam.updateAssumeRolePolicy(r -> r.roleName("trusts-stranger").policyDocument(byId));
        assertEquals(byId, decode(get("trusts-stranger").assumeRolePolicyDocument()), "account ids are not rewritten");
        String ecs = Docs.doc(Docs.trustStmt("Allow", "{\"Service\":\"ecs-tasks.amazonaws.com\"}",
                Docs.actions("sts:AssumeRole"), null));
        iam.updateAssumeRolePolicy(r -> r.roleName("trusts-stranger").policyDocument(ecs));
        assertEquals(ecs, decode(get("trusts-stranger").assumeRolePolicyDocument()));
    }

    @Test
    void malformedTrustPolicies() {
        String withResource = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                + rootArn(A) + "\"},\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}";
        assertError(() -> iam.createRole(r -> r.roleName("m1").assumeRolePolicyDocument(withResource)), 400,
                "MalformedPolicyDocument", "Has prohibited field Resource");

        String missing = roleArn(A, "missing");
        assertError(() -> iam.createRole(r -> r.roleName("m2").assumeRolePolicyDocument(trustAws(missing))), 400,
                "MalformedPolicyDocument", "Invalid principal in policy: \"AWS\":\"" + missing + "\"");
        String missingUser = userArn(B, "ghost");
        assertError(() -> iam.createRole(r -> r.roleName("m2b").assumeRolePolicyDocument(trustAws(missingUser))), 400,
                "MalformedPolicyDocument", "Invalid principal in policy: \"AWS\":\"" + missingUser + "\"");

        String s3Action = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                + rootArn(A) + "\"},\"Action\":\"s3:GetObject\"}]}";
        assertError(() -> iam.createRole(r -> r.roleName("m3").assumeRolePolicyDocument(s3Action)), 400,
                "MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions.");

        assertError(() -> iam.createRole(r -> r.roleName("m4").assumeRolePolicyDocument("{not json")), 400,
                "MalformedPolicyDocument", "This policy contains invalid Json");

        String noPrincipal = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}]}";
        assertError(() -> iam.createRole(r -> r.roleName("m4b").assumeRolePolicyDocument(noPrincipal)), 400,
                "MalformedPolicyDocument", "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException:"
                        + " The passed in policy has a statement with no principals!");

        create("m5");
        assertError(() -> iam.updateAssumeRolePolicy(r -> r.roleName("m5").policyDocument(withResource)), 400,
                "MalformedPolicyDocument", "Has prohibited field Resource");
        assertEquals(TRUST_A, decode(get("m5").assumeRolePolicyDocument()), "a refused update changes nothing");

        assertTrue(iam.listRoles().roles().stream().noneMatch(r -> r.roleName().matches("m[1-4]b?")),
                "no role was created by a refused CreateRole");
    }

    @Test
    void malformedIdentityPolicies() {
        create("malformed-inline");
        String withPrincipal = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                + rootArn(A) + "\"},\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
        assertError(() -> iam.putRolePolicy(r -> r.roleName("malformed-inline").policyName("p")
                .policyDocument(withPrincipal)), 400, "MalformedPolicyDocument",
                "Policy document should not specify a principal.");
        assertError(() -> iam.putRolePolicy(r -> r.roleName("malformed-inline").policyName("p")
                .policyDocument("[]")), 400, "MalformedPolicyDocument", "Syntax errors in policy.");
        assertTrue(iam.listRolePolicies(r -> r.roleName("malformed-inline")).policyNames().isEmpty());
    }

    // IAM words a name or path that breaks the character rules its own way (as captured from AWS, e.g.
    // `aws iam delete-group-policy --policy-name arn:...` and `rosa create account-roles --prefix ^^^^`);
    // lengths and ranges get the generic "1 validation error detected" wording.

    @Test
    void roleNameWithInvalidCharacters() {
        String badName = "The specified value for roleName is invalid. It must contain only alphanumeric characters"
                + " and/or the following: +=,.@_-";
        assertError(() -> iam.createRole(r -> r.roleName("bad name!").assumeRolePolicyDocument(TRUST_A)), 400,
                "ValidationError", badName);
        assertError(() -> get("service-role/bad"), 400, "ValidationError", badName);
    }

    @Test
    void roleNameTooLong() {
        String tooLong = "r".repeat(65);
        assertError(() -> iam.createRole(r -> r.roleName(tooLong).assumeRolePolicyDocument(TRUST_A)), 400,
                "ValidationError", validation(tooLong, "roleName", "Member must have length less than or equal to 64"));
    }

    @Test
    void pathWithoutSlashes() {
        assertError(() -> iam.createRole(r -> r.roleName("pathless").path("no-slashes").assumeRolePolicyDocument(TRUST_A)),
                400, "ValidationError", "The specified value for path is invalid. It must begin and end with / and"
                        + " contain only alphanumeric characters and/or / characters.");
    }

    @Test
    void maxSessionDurationOutOfRange() {
        assertError(() -> iam.createRole(r -> r.roleName("short").maxSessionDuration(100).assumeRolePolicyDocument(TRUST_A)),
                400, "ValidationError", validation("100", "maxSessionDuration",
                        "Member must have value greater than or equal to 3600"));
        assertError(() -> iam.createRole(r -> r.roleName("long").maxSessionDuration(50000).assumeRolePolicyDocument(TRUST_A)),
                400, "ValidationError", validation("50000", "maxSessionDuration",
                        "Member must have value less than or equal to 43200"));
        create("valid-duration");
        assertError(() -> iam.updateRole(r -> r.roleName("valid-duration").maxSessionDuration(3599)), 400,
                "ValidationError", validation("3599", "maxSessionDuration",
                        "Member must have value greater than or equal to 3600"));
        assertTrue(iam.listRoles().roles().stream().noneMatch(r -> List.of("short", "long").contains(r.roleName())),
                "nothing was created");
    }

    @Test
    void policyNameWithInvalidCharacters() {
        create("valid-name");
        assertError(() -> iam.putRolePolicy(r -> r.roleName("valid-name").policyName("bad policy")
                .policyDocument(allow("*", "s3:GetObject"))), 400, "ValidationError",
                "The specified value for policyName is invalid. It must contain only alphanumeric characters and/or the"
                        + " following: +=,.@_-");
    }

    @Test
    void maxItemsOutOfRange() {
        assertError(() -> iam.listRoles(r -> r.maxItems(0)), 400, "ValidationError",
                validation("0", "maxItems", "Member must have value greater than or equal to 1"));
    }

    // ---- trust policies hold unique ids ----------------------------------------------------------

    @Test
    void trustPolicyNamesTheRoleByItsUniqueId() {
        // R in A, assumed by user uid-caller; R may assume T in B; T trusts R by ARN.
        AccessKey caller = crossrole.user(A, "uid-caller", Map.of());
        String rArn = roleArn(A, "uid-r");
        String tArn = roleArn(B, "uid-t");
        String rTrust = trustAws(userArn(A, "uid-caller"));
        String rPolicy = allow(tArn, "sts:AssumeRole");
        Role r1 = iam.createRole(r -> r.roleName("uid-r").assumeRolePolicyDocument(rTrust)).role();
        iam.putRolePolicy(r -> r.roleName("uid-r").policyName("hop").policyDocument(rPolicy));
        String tTrust = trustAws(rArn);
        iamB.createRole(r -> r.roleName("uid-t").assumeRolePolicyDocument(tTrust));
        assertEquals(tTrust, decode(iamB.getRole(r -> r.roleName("uid-t")).role().assumeRolePolicyDocument()));

        Credentials before = crossrole.sts(caller).assumeRole(r -> r.roleArn(rArn).roleSessionName("before")).credentials();
        crossrole.sts(before).assumeRole(r -> r.roleArn(tArn).roleSessionName("hop-before"));

        // Delete R: T's trust policy now shows R's unique id.
        iam.deleteRolePolicy(r -> r.roleName("uid-r").policyName("hop"));
        iam.deleteRole(r -> r.roleName("uid-r"));
        String orphaned = decode(iamB.getRole(r -> r.roleName("uid-t")).role().assumeRolePolicyDocument());
        assertEquals(tTrust.replace(rArn, r1.roleId()), orphaned);

        // Recreate R: a new id, and T does not trust it.
        Role r2 = iam.createRole(r -> r.roleName("uid-r").assumeRolePolicyDocument(rTrust)).role();
        iam.putRolePolicy(r -> r.roleName("uid-r").policyName("hop").policyDocument(rPolicy));
        assertNotEquals(r1.roleId(), r2.roleId());
        assertEquals(orphaned, decode(iamB.getRole(r -> r.roleName("uid-t")).role().assumeRolePolicyDocument()),
                "the new role does not take over the old one's place in the trust policy");
        Credentials after = crossrole.sts(caller).assumeRole(r -> r.roleArn(rArn).roleSessionName("after")).credentials();
        StsException denied = assertThrows(StsException.class, () -> crossrole.sts(after).assumeRole(
                r -> r.roleArn(tArn).roleSessionName("hop-after")));
        assertError(denied, 403, "AccessDenied", "User: " + sessionArn(A, "uid-r", "after")
                + " is not authorized to perform: sts:AssumeRole on resource: " + tArn);

        // Saving the trust policy with the ARN again resolves it to the new role.
        iamB.updateAssumeRolePolicy(r -> r.roleName("uid-t").policyDocument(tTrust));
        assertEquals(tTrust, decode(iamB.getRole(r -> r.roleName("uid-t")).role().assumeRolePolicyDocument()));
        var hop = crossrole.sts(after).assumeRole(r -> r.roleArn(tArn).roleSessionName("hop-again"));
        assertEquals(sessionArn(B, "uid-t", "hop-again"), hop.assumedRoleUser().arn());
    }

    @Test
    void trustPolicyNamingADeletedUserShowsItsUniqueId() {
        iam.createUser(r -> r.userName("uid-user"));
        String userId = iam.getUser(r -> r.userName("uid-user")).user().userId();
        String trust = trustAws(userArn(A, "uid-user"));
        iam.createRole(r -> r.roleName("trusts-uid-user").assumeRolePolicyDocument(trust));
        assertEquals(trust, decode(get("trusts-uid-user").assumeRolePolicyDocument()));

        iam.deleteUser(r -> r.userName("uid-user"));
        assertEquals(trust.replace(userArn(A, "uid-user"), userId), decode(get("trusts-uid-user").assumeRolePolicyDocument()));
        // A user of the same name is someone else.
        iam.createUser(r -> r.userName("uid-user"));
        assertEquals(trust.replace(userArn(A, "uid-user"), userId), decode(get("trusts-uid-user").assumeRolePolicyDocument()));
    }

    @Test
    void newRoleCanBeAssumedOnTheNextRequest() {
        AccessKey user = crossrole.user(A, "fresh-caller", Map.of());
        iam.createRole(r -> r.roleName("fresh-role").assumeRolePolicyDocument(trustAws(userArn(A, "fresh-caller")))
                .maxSessionDuration(7200));
        Instant before = Instant.now();
        var session = crossrole.sts(user).assumeRole(r -> r.roleArn(roleArn(A, "fresh-role")).roleSessionName("s1")
                .durationSeconds(7200));
        assertTrue(Duration.between(before, session.credentials().expiration()).toSeconds() > 7100,
                "MaxSessionDuration set by CreateRole applies: " + session.credentials().expiration());
        assertEquals(sessionArn(A, "fresh-role", "s1"), session.assumedRoleUser().arn());
    }

    @Test
    void rolesOfOneAccountAreInvisibleToAnother() {
        create("only-in-a");
        assertError(() -> iamB.getRole(r -> r.roleName("only-in-a")), 404, "NoSuchEntity",
                "The role with name only-in-a cannot be found.");
        assertTrue(iamB.listRoles().roles().stream().noneMatch(r -> r.roleName().equals("only-in-a")));
        // The same name can exist in both accounts.
        Role inB = iamB.createRole(r -> r.roleName("only-in-a").assumeRolePolicyDocument(TRUST_A)).role();
        assertEquals(roleArn(B, "only-in-a"), inB.arn());
    }
}
