package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.CrossroleServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.IamException;

/**
 * AWS Organizations over its JSON wire, signed with SigV4 (the SDK for Java v2 has no Organizations client in the
 * registry this build reaches): the organization's structure and its errors, pagination, and service control
 * policies that change the next request of a member account's role, explained by {@code crossrole why}, and that
 * outlive a restart. IAM and STS calls go through the SDK.
 */
class OrganizationsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATTERN = "You provided a value that does not match the required pattern.";
    private static final String DENY_LIST_USERS = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
            + "\"Action\":\"iam:ListUsers\",\"Resource\":\"*\"}]}";

    /** One answer of Organizations. */
    record Answer(int status, JsonNode body, String requestId) {
        String code() {
            String type = body.path("__type").asText();
            return type.substring(type.indexOf('#') + 1);
        }

        String message() {
            return body.has("message") ? body.get("message").asText() : body.path("Message").asText(null);
        }
    }

    /** Organizations as one account's administrator (or any credentials). */
    static final class Orgs {
        private final RawAws raw;
        private final RawAws.Creds creds;

        Orgs(String endpoint, RawAws.Creds creds) {
            this.raw = new RawAws(endpoint);
            this.creds = creds;
        }

        Answer call(String operation, String body) throws Exception {
            RawAws.Req req = new RawAws.Req().header("Content-Type", "application/x-amz-json-1.1")
                    .header("X-Amz-Target", "AWSOrganizationsV20161128." + operation);
            req.body = body;
            RawAws.Res res = raw.send(raw.sign(req, creds, Instant.now(), "us-east-1", "organizations"));
            JsonNode json = res.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(res.body());
            return new Answer(res.status(), json, res.header("x-amzn-RequestId"));
        }

        JsonNode ok(String operation, String body) throws Exception {
            Answer answer = call(operation, body);
            assertEquals(200, answer.status(), operation + ": " + answer.body());
            return answer.body();
        }

        JsonNode ok(String operation) throws Exception {
            return ok(operation, "{}");
        }

        void fails(String code, String message, String operation, String body) throws Exception {
            Answer answer = call(operation, body);
            assertEquals(400, answer.status(), operation + ": " + answer.body());
            assertEquals(code, answer.code(), operation + ": " + answer.body());
            if (message != null) {
                assertEquals(message, answer.message(), operation);
            }
        }
    }

    static RawAws.Creds admin(TestCrossrole crossrole, String account) {
        var p = crossrole.admin(account);
        return new RawAws.Creds(p.accessKeyId(), p.secretAccessKey(), null);
    }

    static String json(Object... keyValues) throws Exception {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return JSON.writeValueAsString(map);
    }

    static List<String> ids(JsonNode list, String field) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }

    @Test
    void theOrganizationsStructureAndItsErrors() throws Exception {
        try (TestCrossrole crossrole = new TestCrossrole()) {
            Orgs source = new Orgs(crossrole.endpoint(), admin(crossrole, SOURCE));
            Orgs destination = new Orgs(crossrole.endpoint(), admin(crossrole, DESTINATION));
            destination.fails("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.",
                    "DescribeOrganization", "{}");
            source.fails("AWSOrganizationsNotInUseException", null, "ListRoots", "{}");
            // Invitations are not crossrole's: their operations answer as every unimplemented one does.
            Answer invite = source.call("InviteAccountToOrganization", json("Target", Map.of("Id", DESTINATION,
                    "Type", "ACCOUNT")));
            assertEquals(501, invite.status(), invite.body().toString());

            JsonNode org = source.ok("CreateOrganization", json("FeatureSet", "ALL")).get("Organization");
            String orgId = org.get("Id").asText();
            assertTrue(orgId.matches("o-[a-z0-9]{10}"), orgId);
            assertEquals(SOURCE, org.get("MasterAccountId").asText());
            assertEquals("arn:aws:organizations::" + SOURCE + ":organization/" + orgId, org.get("Arn").asText());
            assertEquals("ALL", org.get("FeatureSet").asText());
            source.fails("AlreadyInOrganizationException", "The AWS account is already a member of an organization.",
                    "CreateOrganization", "{}");
            // The other account joined as a member: it sees the organization and may not manage it.
            destination.fails("AlreadyInOrganizationException", null, "CreateOrganization", "{}");
            assertEquals(orgId, destination.ok("DescribeOrganization").get("Organization").get("Id").asText());
            destination.fails("AccessDeniedException", "You don't have permissions to access this resource.",
                    "ListAccounts", "{}");

            JsonNode roots = source.ok("ListRoots").get("Roots");
            assertEquals(1, roots.size());
            String root = roots.get(0).get("Id").asText();
            assertTrue(root.matches("r-[a-z0-9]{4}"), root);
            assertEquals("Root", roots.get(0).get("Name").asText());
            JsonNode accounts = source.ok("ListAccounts").get("Accounts");
            assertEquals(List.of(SOURCE, DESTINATION), ids(accounts, "Id"));
            assertEquals("CREATED", accounts.get(0).get("JoinedMethod").asText());
            assertEquals("INVITED", accounts.get(1).get("JoinedMethod").asText());

            JsonNode prod = source.ok("CreateOrganizationalUnit", json("ParentId", root, "Name", "prod"))
                    .get("OrganizationalUnit");
            String prodId = prod.get("Id").asText();
            assertTrue(prodId.matches("ou-" + root.substring(2) + "-[a-z0-9]{8}"), prodId);
            assertEquals("arn:aws:organizations::" + SOURCE + ":ou/" + orgId + "/" + prodId, prod.get("Arn").asText());
            source.fails("DuplicateOrganizationalUnitException", "An OU with the same name already exists.",
                    "CreateOrganizationalUnit", json("ParentId", root, "Name", "prod"));
            source.fails("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.",
                    "CreateOrganizationalUnit", json("ParentId", "ou-zzzz-12345678", "Name", "x"));
            source.fails("InvalidInputException", PATTERN, "CreateOrganizationalUnit", json("ParentId", "nope",
                    "Name", "x"));
            String teamId = source.ok("CreateOrganizationalUnit", json("ParentId", prodId, "Name", "team"))
                    .get("OrganizationalUnit").get("Id").asText();
            assertEquals(List.of(prodId), ids(source.ok("ListOrganizationalUnitsForParent", json("ParentId", root))
                    .get("OrganizationalUnits"), "Id"));
            assertEquals(List.of(teamId), ids(source.ok("ListChildren", json("ParentId", prodId, "ChildType",
                    "ORGANIZATIONAL_UNIT")).get("Children"), "Id"));
            assertEquals(List.of(SOURCE, DESTINATION), ids(source.ok("ListChildren", json("ParentId", root,
                    "ChildType", "ACCOUNT")).get("Children"), "Id"));

            source.ok("MoveAccount", json("AccountId", DESTINATION, "SourceParentId", root, "DestinationParentId",
                    teamId));
            source.fails("DuplicateAccountException", "That account is already present in the specified destination.",
                    "MoveAccount", json("AccountId", DESTINATION, "SourceParentId", teamId, "DestinationParentId",
                            teamId));
            source.fails("AccountNotFoundException", null, "MoveAccount", json("AccountId", DESTINATION,
                    "SourceParentId", root, "DestinationParentId", prodId));
            source.fails("DestinationParentNotFoundException", null, "MoveAccount", json("AccountId", DESTINATION,
                    "SourceParentId", teamId, "DestinationParentId", "ou-zzzz-12345678"));
            JsonNode parents = source.ok("ListParents", json("ChildId", DESTINATION)).get("Parents");
            assertEquals(teamId, parents.get(0).get("Id").asText());
            assertEquals("ORGANIZATIONAL_UNIT", parents.get(0).get("Type").asText());
            assertEquals("ROOT", source.ok("ListParents", json("ChildId", prodId)).get("Parents").get(0).get("Type")
                    .asText());
            source.fails("ChildNotFoundException", null, "ListParents", json("ChildId", "999999999999"));
            assertEquals(List.of(DESTINATION), ids(source.ok("ListAccountsForParent", json("ParentId", teamId))
                    .get("Accounts"), "Id"));
            JsonNode described = source.ok("DescribeAccount", json("AccountId", DESTINATION)).get("Account");
            assertEquals(orgId + "/" + root + "/" + prodId + "/" + teamId + "/" + DESTINATION + "/",
                    described.get("Paths").get(0).asText());
            assertEquals("ACTIVE", described.get("Status").asText());
            source.fails("AccountNotFoundException", null, "DescribeAccount", json("AccountId", "999999999999"));

            source.fails("OrganizationalUnitNotEmptyException", "The specified OU is not empty. Move all accounts to"
                    + " another root or to other OUs, remove all child OUs, and try the operation again.",
                    "DeleteOrganizationalUnit", json("OrganizationalUnitId", prodId));
            source.ok("UpdateOrganizationalUnit", json("OrganizationalUnitId", teamId, "Name", "platform"));
            assertEquals("platform", source.ok("DescribeOrganizationalUnit", json("OrganizationalUnitId", teamId))
                    .get("OrganizationalUnit").get("Name").asText());
            source.fails("OrganizationalUnitNotFoundException", null, "DescribeOrganizationalUnit",
                    json("OrganizationalUnitId", "ou-zzzz-12345678"));

            JsonNode first = source.ok("ListAccounts", json("MaxResults", 1));
            assertEquals(List.of(SOURCE), ids(first.get("Accounts"), "Id"));
            JsonNode second = source.ok("ListAccounts", json("MaxResults", 1, "NextToken",
                    first.get("NextToken").asText()));
            assertEquals(List.of(DESTINATION), ids(second.get("Accounts"), "Id"));
            assertFalse(second.has("NextToken"));
            source.fails("InvalidInputException", null, "ListAccounts", json("NextToken", "garbage"));

            source.fails("OrganizationNotEmptyException", null, "DeleteOrganization", "{}");
            source.fails("MasterCannotLeaveOrganizationException", null, "RemoveAccountFromOrganization",
                    json("AccountId", SOURCE));
            source.ok("RemoveAccountFromOrganization", json("AccountId", DESTINATION));
            destination.fails("AWSOrganizationsNotInUseException", null, "DescribeOrganization", "{}");
            assertEquals(null, crossrole.iam().account(DESTINATION).orElseThrow().organizationId());
            source.ok("DeleteOrganizationalUnit", json("OrganizationalUnitId", teamId));
            source.ok("DeleteOrganizationalUnit", json("OrganizationalUnitId", prodId));
            source.ok("DeleteOrganization");
            source.fails("AWSOrganizationsNotInUseException", null, "DescribeOrganization", "{}");
            assertNull(crossrole.iam().account(SOURCE).orElseThrow().organizationId());
        }
    }

    static AwsCredentialsProvider session(software.amazon.awssdk.services.sts.model.Credentials c) {
        return StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(),
                c.sessionToken()));
    }

    /** A role of the member account allowed everything by IAM, assumed by that account's administrator. */
    static AwsCredentialsProvider worker(TestCrossrole crossrole) {
        crossrole.role(DESTINATION, "worker", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + DESTINATION + ":root\"},\"Action\":\"sts:AssumeRole\"}]}",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}");
        try (var sts = crossrole.sts(crossrole.adminCredentials(DESTINATION))) {
            return session(sts.assumeRole(r -> r.roleArn(TestCrossrole.roleArn(DESTINATION, "worker"))
                    .roleSessionName("worker")).credentials());
        }
    }

    @Test
    void anScpOnAnOuDeniesItsMembersNextRequestAndWhyNamesIt() throws Exception {
        try (TestCrossrole crossrole = new TestCrossrole()) {
            Orgs source = new Orgs(crossrole.endpoint(), admin(crossrole, SOURCE));
            AwsCredentialsProvider worker = worker(crossrole);
            source.ok("CreateOrganization", json("FeatureSet", "ALL"));
            String root = source.ok("ListRoots").get("Roots").get(0).get("Id").asText();
            String sandbox = source.ok("CreateOrganizationalUnit", json("ParentId", root, "Name", "sandbox"))
                    .get("OrganizationalUnit").get("Id").asText();
            source.ok("MoveAccount", json("AccountId", DESTINATION, "SourceParentId", root, "DestinationParentId",
                    sandbox));
            source.fails("PolicyTypeNotEnabledException", null, "AttachPolicy", json("PolicyId", "p-FullAWSAccess",
                    "TargetId", sandbox));
            JsonNode enabled = source.ok("EnablePolicyType", json("RootId", root, "PolicyType",
                    "SERVICE_CONTROL_POLICY")).get("Root");
            assertEquals("ENABLED", enabled.get("PolicyTypes").get(0).get("Status").asText());
            source.fails("PolicyTypeAlreadyEnabledException", null, "EnablePolicyType", json("RootId", root,
                    "PolicyType", "SERVICE_CONTROL_POLICY"));
            // FullAWSAccess is attached everywhere once SCPs are enabled.
            JsonNode full = source.ok("ListPoliciesForTarget", json("TargetId", sandbox, "Filter",
                    "SERVICE_CONTROL_POLICY")).get("Policies");
            assertEquals(List.of("p-FullAWSAccess"), ids(full, "Id"));
            assertEquals("arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
                    full.get(0).get("Arn").asText());
            assertTrue(full.get(0).get("AwsManaged").asBoolean());
            source.fails("ConstraintViolationException", null, "DetachPolicy", json("PolicyId", "p-FullAWSAccess",
                    "TargetId", DESTINATION));
            // The error's Reason member, which the SDKs read as the exception's reason.
            assertEquals("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", source.call("DetachPolicy", json("PolicyId",
                    "p-FullAWSAccess", "TargetId", DESTINATION)).body().path("Reason").asText());

            source.fails("MalformedPolicyDocumentException", "The provided policy document doesn't meet the"
                    + " requirements of the specified policy type.", "CreatePolicy", json("Name", "bad",
                    "Description", "", "Type", "SERVICE_CONTROL_POLICY", "Content", "{\"Statement\":[]"));
            source.fails("MalformedPolicyDocumentException", null, "CreatePolicy", json("Name", "principal",
                    "Description", "", "Type", "SERVICE_CONTROL_POLICY", "Content", "{\"Version\":\"2012-10-17\","
                            + "\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
                            + "\"Resource\":\"*\"}]}"));
            JsonNode created = source.ok("CreatePolicy", json("Name", "DenyListUsers", "Description", "no listing",
                    "Type", "SERVICE_CONTROL_POLICY", "Content", DENY_LIST_USERS)).get("Policy");
            String policy = created.get("PolicySummary").get("Id").asText();
            assertTrue(policy.matches("p-[a-z0-9]{8}"), policy);
            assertTrue(created.get("PolicySummary").get("Arn").asText().endsWith(":policy/" + source.ok(
                    "DescribeOrganization").get("Organization").get("Id").asText() + "/service_control_policy/"
                    + policy));
            source.fails("DuplicatePolicyException", null, "CreatePolicy", json("Name", "DenyListUsers",
                    "Description", "", "Type", "SERVICE_CONTROL_POLICY", "Content", DENY_LIST_USERS));

            try (IamClient asWorker = IamSdk.iam(crossrole, worker);
                 IamClient management = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
                asWorker.listUsers();
                source.ok("AttachPolicy", json("PolicyId", policy, "TargetId", sandbox));
                source.fails("DuplicatePolicyAttachmentException", null, "AttachPolicy", json("PolicyId", policy,
                        "TargetId", sandbox));
                IamException denied = assertThrows(IamException.class, asWorker::listUsers);
                assertEquals(403, denied.statusCode());
                assertTrue(denied.awsErrorDetails().errorMessage().contains(
                        "with an explicit deny in a service control policy"), denied.awsErrorDetails().errorMessage());
                Path work = Files.createTempDirectory("crossrole-why");
                Run why = CrossroleCommand.run(work, Map.of("CROSSROLE_ADMIN_TOKEN", crossrole.adminToken()), "why",
                        "--endpoint", crossrole.endpoint(), denied.requestId());
                assertEquals(0, why.exit(), why.toString());
                assertTrue(why.stdout().contains("DenyListUsers"), why.stdout());
                assertEquals(List.of(sandbox), ids(source.ok("ListTargetsForPolicy", json("PolicyId", policy))
                        .get("Targets"), "TargetId"));
                source.fails("PolicyInUseException", null, "DeletePolicy", json("PolicyId", policy));

                source.ok("DetachPolicy", json("PolicyId", policy, "TargetId", sandbox));
                asWorker.listUsers();
                // On the root it reaches every member, but never the management account.
                source.ok("AttachPolicy", json("PolicyId", policy, "TargetId", root));
                assertThrows(IamException.class, asWorker::listUsers);
                management.listUsers();
                // A policy's new content applies at once.
                source.ok("UpdatePolicy", json("PolicyId", policy, "Content", DENY_LIST_USERS.replace(
                        "iam:ListUsers", "iam:ListGroups")));
                asWorker.listUsers();
                assertThrows(IamException.class, asWorker::listGroups);
                source.ok("DisablePolicyType", json("RootId", root, "PolicyType", "SERVICE_CONTROL_POLICY"));
                asWorker.listGroups();
                source.ok("DeletePolicy", json("PolicyId", policy));
                source.fails("PolicyNotFoundException", null, "DescribePolicy", json("PolicyId", policy));
            }
        }
    }

    @Test
    void principalOrgPathsFollowTheAccountThroughTheTree() throws Exception {
        try (TestCrossrole crossrole = new TestCrossrole()) {
            Orgs source = new Orgs(crossrole.endpoint(), admin(crossrole, SOURCE));
            AwsCredentialsProvider worker = worker(crossrole);
            String orgId = source.ok("CreateOrganization", json("FeatureSet", "ALL")).get("Organization").get("Id")
                    .asText();
            String root = source.ok("ListRoots").get("Roots").get(0).get("Id").asText();
            String sandbox = source.ok("CreateOrganizationalUnit", json("ParentId", root, "Name", "sandbox"))
                    .get("OrganizationalUnit").get("Id").asText();
            source.ok("EnablePolicyType", json("RootId", root, "PolicyType", "SERVICE_CONTROL_POLICY"));
            String policy = source.ok("CreatePolicy", json("Name", "SandboxCannotList", "Description", "", "Type",
                    "SERVICE_CONTROL_POLICY", "Content", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                            + "\"Deny\",\"Action\":\"iam:ListUsers\",\"Resource\":\"*\",\"Condition\":{"
                            + "\"ForAnyValue:StringLike\":{\"aws:PrincipalOrgPaths\":[\"" + orgId + "/" + root + "/"
                            + sandbox + "/*\"]}}}]}")).get("Policy").get("PolicySummary").get("Id").asText();
            source.ok("AttachPolicy", json("PolicyId", policy, "TargetId", root));
            try (IamClient asWorker = IamSdk.iam(crossrole, worker)) {
                asWorker.listUsers();
                source.ok("MoveAccount", json("AccountId", DESTINATION, "SourceParentId", root,
                        "DestinationParentId", sandbox));
                assertThrows(IamException.class, asWorker::listUsers);
                assertEquals(orgId + "/" + root + "/" + sandbox + "/", crossrole.iam().account(DESTINATION)
                        .orElseThrow().organizationPath());
            }
        }
    }

    @Test
    void createAccountMakesAnAccountTheManagementAccountCanUse() throws Exception {
        try (TestCrossrole crossrole = new TestCrossrole()) {
            Orgs source = new Orgs(crossrole.endpoint(), admin(crossrole, SOURCE));
            source.ok("CreateOrganization", json("FeatureSet", "ALL"));
            String root = source.ok("ListRoots").get("Roots").get(0).get("Id").asText();
            source.ok("EnablePolicyType", json("RootId", root, "PolicyType", "SERVICE_CONTROL_POLICY"));
            JsonNode status = source.ok("CreateAccount", json("Email", "dev@example.com", "AccountName", "dev",
                    "Tags", List.of(Map.of("Key", "team", "Value", "data")))).get("CreateAccountStatus");
            assertEquals("SUCCEEDED", status.get("State").asText());
            assertTrue(status.get("Id").asText().matches("car-[a-z0-9]{32}"), status.toString());
            String account = status.get("AccountId").asText();
            assertTrue(account.matches("\\d{12}"), account);
            assertEquals(account, source.ok("DescribeCreateAccountStatus", json("CreateAccountRequestId",
                    status.get("Id").asText())).get("CreateAccountStatus").get("AccountId").asText());
            source.fails("CreateAccountStatusNotFoundException", null, "DescribeCreateAccountStatus",
                    json("CreateAccountRequestId", "car-" + "0".repeat(32)));
            JsonNode again = source.ok("CreateAccount", json("Email", "dev@example.com", "AccountName", "dev2"))
                    .get("CreateAccountStatus");
            assertEquals("FAILED", again.get("State").asText());
            assertEquals("EMAIL_ALREADY_EXISTS", again.get("FailureReason").asText());
            assertEquals(1, source.ok("ListCreateAccountStatus", json("States", List.of("SUCCEEDED")))
                    .get("CreateAccountStatuses").size());
            JsonNode described = source.ok("DescribeAccount", json("AccountId", account)).get("Account");
            assertEquals("CREATED", described.get("JoinedMethod").asText());
            assertEquals("dev@example.com", described.get("Email").asText());
            assertEquals(List.of("p-FullAWSAccess"), ids(source.ok("ListPoliciesForTarget", json("TargetId", account,
                    "Filter", "SERVICE_CONTROL_POLICY")).get("Policies"), "Id"));
            assertEquals("data", source.ok("ListTagsForResource", json("ResourceId", account)).get("Tags").get(0)
                    .get("Value").asText());

            // The management account assumes OrganizationAccountAccessRole; the account's administrator has a profile.
            AwsCredentialsProvider role;
            try (var sts = crossrole.sts(crossrole.adminCredentials(SOURCE))) {
                role = session(sts.assumeRole(r -> r.roleArn(TestCrossrole.roleArn(account,
                        "OrganizationAccountAccessRole")).roleSessionName("ops")).credentials());
            }
            try (IamClient asRole = IamSdk.iam(crossrole, role)) {
                assertEquals(List.of("admin"), asRole.listUsers().users().stream().map(u -> u.userName()).toList());
                assertTrue(Files.readString(crossrole.server.credentialsFile()).contains("[account-" + account + "]"));
                assertTrue(crossrole.adminGet("/_crossrole/accounts").body().contains(account));
                try (IamClient asAdmin = IamSdk.iam(crossrole, crossrole.adminCredentials(account))) {
                    asAdmin.listRoles();
                }
                source.ok("CloseAccount", json("AccountId", account));
                assertThrows(IamException.class, asRole::listUsers);
                assertEquals("SUSPENDED", source.ok("DescribeAccount", json("AccountId", account)).get("Account")
                        .get("Status").asText());
                source.fails("AccountAlreadyClosedException", "You attempted to close an account that is already"
                        + " closed.", "CloseAccount", json("AccountId", account));
                source.fails("ConstraintViolationException", null, "CloseAccount", json("AccountId", SOURCE));
            }
        }
    }

    @Test
    void trustedServicesAndDelegatedAdministrators() throws Exception {
        try (TestCrossrole crossrole = new TestCrossrole()) {
            Orgs source = new Orgs(crossrole.endpoint(), admin(crossrole, SOURCE));
            Orgs destination = new Orgs(crossrole.endpoint(), admin(crossrole, DESTINATION));
            source.fails("AWSOrganizationsNotInUseException", null, "EnableAWSServiceAccess",
                    json("ServicePrincipal", "guardduty.amazonaws.com"));
            source.ok("CreateOrganization", json("FeatureSet", "ALL"));

            source.ok("EnableAWSServiceAccess", json("ServicePrincipal", "guardduty.amazonaws.com"));
            source.ok("EnableAWSServiceAccess", json("ServicePrincipal", "guardduty.amazonaws.com"));
            source.ok("EnableAWSServiceAccess", json("ServicePrincipal", "access-analyzer.amazonaws.com"));
            JsonNode trusted = source.ok("ListAWSServiceAccessForOrganization", "{}").get("EnabledServicePrincipals");
            assertEquals(List.of("access-analyzer.amazonaws.com", "guardduty.amazonaws.com"), ids(trusted,
                    "ServicePrincipal"));
            assertTrue(trusted.get(0).has("DateEnabled"));
            source.ok("DisableAWSServiceAccess", json("ServicePrincipal", "access-analyzer.amazonaws.com"));
            assertEquals(List.of("guardduty.amazonaws.com"), ids(source.ok("ListAWSServiceAccessForOrganization",
                    "{}").get("EnabledServicePrincipals"), "ServicePrincipal"));

            // A member is no reader of the organization until it is a delegated administrator.
            destination.fails("AccessDeniedException", "You don't have permissions to access this resource.",
                    "ListAccounts", "{}");
            destination.fails("AccessDeniedException", null, "RegisterDelegatedAdministrator", json("AccountId",
                    DESTINATION, "ServicePrincipal", "guardduty.amazonaws.com"));
            source.ok("RegisterDelegatedAdministrator", json("AccountId", DESTINATION, "ServicePrincipal",
                    "guardduty.amazonaws.com"));
            source.fails("AccountAlreadyRegisteredException", "The provided account is already a delegated"
                    + " administrator for your organization.", "RegisterDelegatedAdministrator", json("AccountId",
                    DESTINATION, "ServicePrincipal", "guardduty.amazonaws.com"));
            Answer management = source.call("RegisterDelegatedAdministrator", json("AccountId", SOURCE,
                    "ServicePrincipal", "guardduty.amazonaws.com"));
            assertEquals("ConstraintViolationException", management.code());
            assertEquals("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", management.body().path("Reason")
                    .asText());
            source.fails("AccountNotFoundException", null, "RegisterDelegatedAdministrator", json("AccountId",
                    "999988887777", "ServicePrincipal", "guardduty.amazonaws.com"));
            source.fails("InvalidInputException", null, "RegisterDelegatedAdministrator", json("AccountId",
                    DESTINATION, "ServicePrincipal", "not a principal!"));
            source.ok("RegisterDelegatedAdministrator", json("AccountId", DESTINATION, "ServicePrincipal",
                    "securityhub.amazonaws.com"));

            JsonNode admins = source.ok("ListDelegatedAdministrators", "{}").get("DelegatedAdministrators");
            assertEquals(List.of(DESTINATION), ids(admins, "Id"));
            assertTrue(admins.get(0).has("DelegationEnabledDate"));
            assertEquals(0, source.ok("ListDelegatedAdministrators", json("ServicePrincipal",
                    "config.amazonaws.com")).get("DelegatedAdministrators").size());
            // The delegated administrator now reads the organization: its accounts, its services, its delegations.
            assertEquals(2, destination.ok("ListAccounts", "{}").get("Accounts").size());
            assertEquals(List.of("guardduty.amazonaws.com", "securityhub.amazonaws.com"), ids(destination.ok(
                    "ListDelegatedServicesForAccount", json("AccountId", DESTINATION)).get("DelegatedServices"),
                    "ServicePrincipal"));
            // … but still may not change it.
            destination.fails("AccessDeniedException", null, "CreateOrganizationalUnit", json("ParentId",
                    ids(destination.ok("ListRoots", "{}").get("Roots"), "Id").get(0), "Name", "mine"));
            source.fails("AccountNotRegisteredException", "The provided account is not a registered delegated"
                    + " administrator for your organization.", "ListDelegatedServicesForAccount", json("AccountId",
                    SOURCE));

            source.ok("DeregisterDelegatedAdministrator", json("AccountId", DESTINATION, "ServicePrincipal",
                    "guardduty.amazonaws.com"));
            source.fails("AccountNotRegisteredException", null, "DeregisterDelegatedAdministrator", json("AccountId",
                    DESTINATION, "ServicePrincipal", "guardduty.amazonaws.com"));
            // Still the delegated administrator of one service: still a reader.
            assertEquals(2, destination.ok("ListAccounts", "{}").get("Accounts").size());
            source.ok("DeregisterDelegatedAdministrator", json("AccountId", DESTINATION, "ServicePrincipal",
                    "securityhub.amazonaws.com"));
            destination.fails("AccessDeniedException", null, "ListAccounts", "{}");
        }
    }

    @Test
    void tagsOfOusRootsAndPolicies() throws Exception {
        try (TestCrossrole crossrole = new TestCrossrole()) {
            Orgs source = new Orgs(crossrole.endpoint(), admin(crossrole, SOURCE));
            source.ok("CreateOrganization", json("FeatureSet", "ALL"));
            String root = source.ok("ListRoots").get("Roots").get(0).get("Id").asText();
            String ou = source.ok("CreateOrganizationalUnit", json("ParentId", root, "Name", "tagged", "Tags",
                    List.of(Map.of("Key", "a", "Value", "1")))).get("OrganizationalUnit").get("Id").asText();
            source.ok("TagResource", json("ResourceId", ou, "Tags", List.of(Map.of("Key", "b", "Value", "2"))));
            source.ok("TagResource", json("ResourceId", root, "Tags", List.of(Map.of("Key", "c", "Value", "3"))));
            assertEquals(List.of("a", "b"), ids(source.ok("ListTagsForResource", json("ResourceId", ou)).get("Tags"),
                    "Key"));
            source.ok("UntagResource", json("ResourceId", ou, "TagKeys", List.of("a")));
            assertEquals(List.of("b"), ids(source.ok("ListTagsForResource", json("ResourceId", ou)).get("Tags"),
                    "Key"));
            assertEquals(List.of("c"), ids(source.ok("ListTagsForResource", json("ResourceId", root)).get("Tags"),
                    "Key"));
            source.fails("TargetNotFoundException", null, "TagResource", json("ResourceId", "ou-zzzz-12345678",
                    "Tags", List.of(Map.of("Key", "b", "Value", "2"))));
            source.fails("InvalidInputException", PATTERN, "ListTagsForResource", json("ResourceId", "nope"));
        }
    }

    @Test
    void resourceControlPoliciesDenyOnTheResourcesSideAndKeepTheirFullAccessPolicy() throws Exception {
        try (TestCrossrole crossrole = new TestCrossrole()) {
            Orgs source = new Orgs(crossrole.endpoint(), admin(crossrole, SOURCE));
            source.ok("CreateOrganization", json("FeatureSet", "ALL"));
            String root = source.ok("ListRoots").get("Roots").get(0).get("Id").asText();
            source.ok("EnablePolicyType", json("RootId", root, "PolicyType", "RESOURCE_CONTROL_POLICY"));
            assertEquals(List.of("p-RCPFullAWSAccess"), ids(source.ok("ListPolicies", json("Filter",
                    "RESOURCE_CONTROL_POLICY")).get("Policies"), "Id"));
            source.fails("ConstraintViolationException", null, "DetachPolicy", json("PolicyId", "p-RCPFullAWSAccess",
                    "TargetId", root));
            source.fails("InvalidInputException", null, "EnablePolicyType", json("RootId", root, "PolicyType",
                    "TAG_POLICY"));
            source.fails("RootNotFoundException", null, "EnablePolicyType", json("RootId", "r-zzzz", "PolicyType",
                    "SERVICE_CONTROL_POLICY"));
            // The root and the account: a level each.
            assertEquals(2, crossrole.iam().account(DESTINATION).orElseThrow().resourceControlPolicies().size());

            // An RCP on the member account denies its roles' assumption, whoever asks.
            worker(crossrole); // the role exists, and its assumption works before the RCP
            String rcp = source.ok("CreatePolicy", json("Name", "NoAssumeRole", "Description", "", "Type",
                    "RESOURCE_CONTROL_POLICY", "Content", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                            + "\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}"))
                    .get("Policy").get("PolicySummary").get("Id").asText();
            source.ok("AttachPolicy", json("PolicyId", rcp, "TargetId", DESTINATION));
            try (var sts = crossrole.sts(crossrole.adminCredentials(DESTINATION))) {
                var denied = assertThrows(software.amazon.awssdk.services.sts.model.StsException.class,
                        () -> sts.assumeRole(r -> r.roleArn(TestCrossrole.roleArn(DESTINATION, "worker"))
                                .roleSessionName("again")));
                assertTrue(denied.awsErrorDetails().errorMessage().contains("resource control policy"),
                        denied.awsErrorDetails().errorMessage());
            }
            source.ok("DetachPolicy", json("PolicyId", rcp, "TargetId", DESTINATION));
            try (var sts = crossrole.sts(crossrole.adminCredentials(DESTINATION))) {
                sts.assumeRole(r -> r.roleArn(TestCrossrole.roleArn(DESTINATION, "worker")).roleSessionName("again"));
            }
        }
    }

    @Test
    void theOrganizationAndItsPoliciesOutliveARestart() throws Exception {
        Path data = Files.createTempDirectory("crossrole-orgs");
        String sandbox;
        String created;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            Orgs source = new Orgs(server.endpoint(), creds(server, SOURCE));
            source.ok("CreateOrganization", json("FeatureSet", "ALL"));
            String root = source.ok("ListRoots").get("Roots").get(0).get("Id").asText();
            sandbox = source.ok("CreateOrganizationalUnit", json("ParentId", root, "Name", "sandbox"))
                    .get("OrganizationalUnit").get("Id").asText();
            source.ok("MoveAccount", json("AccountId", DESTINATION, "SourceParentId", root, "DestinationParentId",
                    sandbox));
            source.ok("EnablePolicyType", json("RootId", root, "PolicyType", "SERVICE_CONTROL_POLICY"));
            String policy = source.ok("CreatePolicy", json("Name", "DenyListUsers", "Description", "", "Type",
                    "SERVICE_CONTROL_POLICY", "Content", DENY_LIST_USERS)).get("Policy").get("PolicySummary")
                    .get("Id").asText();
            source.ok("AttachPolicy", json("PolicyId", policy, "TargetId", sandbox));
            created = source.ok("CreateAccount", json("Email", "ops@example.com", "AccountName", "ops"))
                    .get("CreateAccountStatus").get("AccountId").asText();
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            Orgs source = new Orgs(again.endpoint(), creds(again, SOURCE));
            assertEquals(List.of(DESTINATION), ids(source.ok("ListAccountsForParent", json("ParentId", sandbox))
                    .get("Accounts"), "Id"));
            var destination = again.iam().account(DESTINATION).orElseThrow();
            assertTrue(destination.organizationId().startsWith("o-"));
            // Root, sandbox and the account: the policy on the sandbox is in force again.
            assertEquals(3, destination.serviceControlPolicies().size());
            assertEquals(2, destination.serviceControlPolicies().get(1).size());
            Orgs member = new Orgs(again.endpoint(), creds(again, DESTINATION));
            member.fails("AccessDeniedException", null, "ListRoots", "{}");
            // The created account is served again, its administrator's key unchanged and in the credentials file.
            Orgs ops = new Orgs(again.endpoint(), creds(again, created));
            assertEquals(SOURCE, ops.ok("DescribeOrganization").get("Organization").get("MasterAccountId").asText());
            assertTrue(Files.readString(again.credentialsFile()).contains("[account-" + created + "]"));
            assertEquals(1, source.ok("ListCreateAccountStatus").get("CreateAccountStatuses").size());
        } finally {
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theOrganizationMovesWithStateExportAndImport() throws Exception {
        Path dir = Files.createTempDirectory("crossrole-orgs-state");
        Path source = dir.resolve("source");
        String ou;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(source).withPort(0))) {
            Orgs orgs = new Orgs(server.endpoint(), creds(server, SOURCE));
            orgs.ok("CreateOrganization", json("FeatureSet", "ALL"));
            String root = orgs.ok("ListRoots").get("Roots").get(0).get("Id").asText();
            ou = orgs.ok("CreateOrganizationalUnit", json("ParentId", root, "Name", "moved")).get("OrganizationalUnit")
                    .get("Id").asText();
            orgs.ok("MoveAccount", json("AccountId", DESTINATION, "SourceParentId", root, "DestinationParentId", ou));
            orgs.ok("EnablePolicyType", json("RootId", root, "PolicyType", "SERVICE_CONTROL_POLICY"));
        }
        try {
            Path document = dir.resolve("state.json");
            Run exported = CrossroleCommand.run(dir, "state", "export", "--data-dir", source.toString(),
                    document.toString());
            assertEquals(0, exported.exit(), exported.toString());
            assertTrue(Files.readString(document).contains("organizations.units"));
            Path target = dir.resolve("target");
            Run imported = CrossroleCommand.run(dir, "state", "import", "--data-dir", target.toString(),
                    document.toString());
            assertEquals(0, imported.exit(), imported.toString());
            try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(target)
                    .withPort(0))) {
                Orgs orgs = new Orgs(server.endpoint(), creds(server, SOURCE));
                assertEquals(List.of(DESTINATION), ids(orgs.ok("ListAccountsForParent", json("ParentId", ou))
                        .get("Accounts"), "Id"));
                // Root, OU and account: the levels are in force on the new data directory.
                assertEquals(3, server.iam().account(DESTINATION).orElseThrow().serviceControlPolicies().size());
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static RawAws.Creds creds(CrossroleServer server, String account) {
        var p = server.profiles().stream().filter(x -> x.account().id().equals(account)).findFirst().orElseThrow();
        return new RawAws.Creds(p.accessKeyId(), p.secretAccessKey(), null);
    }
}
