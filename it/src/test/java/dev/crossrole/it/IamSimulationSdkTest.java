package dev.crossrole.it;

import static dev.crossrole.it.Docs.trustAws;
import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.IamSdk.notAuthorized;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.rootArn;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.ContextEntry;
import software.amazon.awssdk.services.iam.model.ContextKeyTypeEnum;
import software.amazon.awssdk.services.iam.model.EvaluationResult;
import software.amazon.awssdk.services.iam.model.PolicySourceType;
import software.amazon.awssdk.services.iam.model.Position;
import software.amazon.awssdk.services.iam.model.SimulatePrincipalPolicyResponse;
import software.amazon.awssdk.services.iam.model.Statement;

/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy through the SDK: the walkthrough's task role may
 * assume the destination role and nothing else; context entries and missing context keys; a resource
 * policy; errors and authorization.
 */
class IamSimulationSdkTest {
    static final String A = SOURCE;
    static final String B = DESTINATION;
    static final String TASK_ROLE = roleArn(A, "my-ECS-task-role");
    static final String DEST_ROLE = roleArn(B, "destination-account-role");
    /** The walkthrough's step-1 policy, as printed there. */
    static final String STEP1 = "{\n"
            + "  \"Version\": \"2012-10-17\",\n"
            + "  \"Statement\": {\n"
            + "    \"Effect\": \"Allow\",\n"
            + "    \"Action\": \"sts:AssumeRole\",\n"
            + "    \"Resource\": \"arn:aws:iam::555566667777:role/destination-account-role\"\n"
            + "  }\n"
            + "}\n";
    static final String IP_POLICY = "{\n"
            + "  \"Version\": \"2012-10-17\",\n"
            + "  \"Statement\": [\n"
            + "    {\n"
            + "      \"Effect\": \"Allow\",\n"
            + "      \"Action\": \"s3:GetObject\",\n"
            + "      \"Resource\": \"arn:aws:s3:::reports/*\",\n"
            + "      \"Condition\": {\"StringEquals\": {\"aws:SourceIp\": \"203.0.113.7\"}}\n"
            + "    }\n"
            + "  ]\n"
            + "}";

    static TestCrossrole crossrole;
    static IamClient iam;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(A));
        iam.createRole(r -> r.roleName("my-ECS-task-role").assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                        + "\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"));
        iam.putRolePolicy(r -> r.roleName("my-ECS-task-role").policyName("assume-destination-account-role")
                .policyDocument(STEP1));
        crossrole.role(B, "destination-account-role", trustAws(TASK_ROLE));
        crossrole.role(A, "ip-role", trustAws(rootArn(A)));
        iam.putRolePolicy(r -> r.roleName("ip-role").policyName("reports-from-the-office").policyDocument(IP_POLICY));
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
        crossrole.close();
    }

    /** The text between two 1-based positions of a document, both included. */
    static String between(String text, Position start, Position end) {
        String[] lines = text.split("\n", -1);
        int from = offset(lines, start.line(), start.column());
        int to = offset(lines, end.line(), end.column());
        return text.substring(from, Math.min(text.length(), to + 1));
    }

    private static int offset(String[] lines, int line, int column) {
        int offset = 0;
        for (int i = 0; i < line - 1; i++) {
            offset += lines[i].length() + 1;
        }
        return offset + column - 1;
    }

    @Test
    void taskRoleMayAssumeTheDestinationRole() {
        SimulatePrincipalPolicyResponse r = iam.simulatePrincipalPolicy(q -> q.policySourceArn(TASK_ROLE)
                .actionNames("sts:AssumeRole").resourceArns(DEST_ROLE));
        assertFalse(r.isTruncated());
        assertEquals(1, r.evaluationResults().size());
        EvaluationResult result = r.evaluationResults().get(0);
        assertAll(
                () -> assertEquals("sts:AssumeRole", result.evalActionName()),
                () -> assertEquals(DEST_ROLE, result.evalResourceName()),
                () -> assertEquals("allowed", result.evalDecisionAsString()),
                () -> assertEquals(1, result.matchedStatements().size(), result.toString()),
                () -> assertTrue(result.missingContextValues().isEmpty(), result.toString()));
        Statement matched = result.matchedStatements().get(0);
        assertEquals("assume-destination-account-role", matched.sourcePolicyId());
        assertEquals(PolicySourceType.ROLE, matched.sourcePolicyType());
        assertNotNull(matched.startPosition(), matched.toString());
        assertNotNull(matched.endPosition(), matched.toString());
        // The positions delimit the statement: from its opening to its closing brace.
        String statement = between(STEP1, matched.startPosition(), matched.endPosition());
        assertTrue(statement.startsWith("{") && statement.strip().endsWith("}") && statement.contains("\"Effect\"")
                && statement.contains("destination-account-role\""), "positions " + matched + " delimit: " + statement);
    }

    @Test
    void taskRoleMayDoNothingElse() {
        SimulatePrincipalPolicyResponse r = iam.simulatePrincipalPolicy(q -> q.policySourceArn(TASK_ROLE)
                .actionNames("s3:GetObject", "sts:AssumeRole").resourceArns("arn:aws:s3:::some-bucket/key",
                        roleArn(B, "some-other-role")));
        assertEquals(4, r.evaluationResults().size(), r.toString());
        for (EvaluationResult result : r.evaluationResults()) {
            assertEquals("implicitDeny", result.evalDecisionAsString(), result.toString());
            assertTrue(result.matchedStatements().isEmpty(), result.toString());
        }

        // Without ResourceArns the resource is "*", which the step-1 statement does not match.
        EvaluationResult star = iam.simulatePrincipalPolicy(q -> q.policySourceArn(TASK_ROLE).actionNames("s3:GetObject"))
                .evaluationResults().get(0);
        assertEquals("*", star.evalResourceName());
        assertEquals("implicitDeny", star.evalDecisionAsString());
    }

    @Test
    void contextEntriesFeedTheConditions() {
        String role = roleArn(A, "ip-role");
        String object = "arn:aws:s3:::reports/2026/q1.pdf";
        EvaluationResult office = iam.simulatePrincipalPolicy(q -> q.policySourceArn(role).actionNames("s3:GetObject")
                .resourceArns(object).contextEntries(ContextEntry.builder().contextKeyName("aws:SourceIp")
                        .contextKeyValues("203.0.113.7").contextKeyType(ContextKeyTypeEnum.STRING).build()))
                .evaluationResults().get(0);
        assertEquals("allowed", office.evalDecisionAsString(), office.toString());
        assertEquals("reports-from-the-office", office.matchedStatements().get(0).sourcePolicyId());
        assertTrue(office.missingContextValues().isEmpty(), office.toString());

        EvaluationResult elsewhere = iam.simulatePrincipalPolicy(q -> q.policySourceArn(role).actionNames("s3:GetObject")
                .resourceArns(object).contextEntries(ContextEntry.builder().contextKeyName("aws:SourceIp")
                        .contextKeyValues("198.51.100.1").contextKeyType(ContextKeyTypeEnum.STRING).build()))
                .evaluationResults().get(0);
        assertEquals("implicitDeny", elsewhere.evalDecisionAsString(), elsewhere.toString());
        assertTrue(elsewhere.missingContextValues().isEmpty(), elsewhere.toString());

        EvaluationResult unknown = iam.simulatePrincipalPolicy(q -> q.policySourceArn(role).actionNames("s3:GetObject")
                .resourceArns(object)).evaluationResults().get(0);
        assertEquals("implicitDeny", unknown.evalDecisionAsString(), unknown.toString());
        assertEquals(List.of("aws:SourceIp"), unknown.missingContextValues(),
                "the key the policy needs and the simulation was not given: " + unknown);
    }

    @Test
    void customPolicyWithAResourcePolicy() {
        String identity = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::shared/*\"}]}";
        String bucketPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Partner\",\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"" + userArn(A, "reader") + "\"},\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::shared/*\"}]}";
        var r = iam.simulateCustomPolicy(q -> q.policyInputList(identity).actionNames("s3:GetObject")
                .resourceArns("arn:aws:s3:::shared/doc.txt").resourcePolicy(bucketPolicy).callerArn(userArn(A, "reader")));
        EvaluationResult result = r.evaluationResults().get(0);
        assertEquals("allowed", result.evalDecisionAsString(), result.toString());
        assertTrue(result.hasEvalDecisionDetails() && !result.evalDecisionDetails().isEmpty(),
                "EvalDecisionDetails is present when a resource policy is simulated: " + result);
        assertTrue(Set.of("allowed", "implicitDeny", "explicitDeny").containsAll(
                result.evalDecisionDetailsAsStrings().values()), result.toString());
        assertTrue(result.matchedStatements().stream().anyMatch(s -> "PolicyInputList.1".equals(s.sourcePolicyId())),
                result.toString());

        // A custom policy alone, no resource policy: no EvalDecisionDetails, and an explicit deny wins.
        String deny = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:*\","
                + "\"Resource\":\"*\"}]}";
        EvaluationResult denied = iam.simulateCustomPolicy(q -> q.policyInputList(identity, deny)
                .actionNames("s3:GetObject").resourceArns("arn:aws:s3:::shared/doc.txt")).evaluationResults().get(0);
        assertEquals("explicitDeny", denied.evalDecisionAsString(), denied.toString());
        assertTrue(denied.matchedStatements().stream().anyMatch(s -> "PolicyInputList.2".equals(s.sourcePolicyId())),
                denied.toString());
    }

    @Test
    void sourcePolicyTypesOfAUser() {
        crossrole.user(A, "typed-user", Map.of("own-inline", Docs.allow("*", "s3:GetObject")));
        String managed = iam.createPolicy(q -> q.policyName("typed-managed").policyDocument(Docs.allow("*", "s3:PutObject")))
                .policy().arn();
        iam.attachUserPolicy(q -> q.userName("typed-user").policyArn(managed));
        iam.attachUserPolicy(q -> q.userName("typed-user").policyArn("arn:aws:iam::aws:policy/IAMReadOnlyAccess"));
        iam.createGroup(q -> q.groupName("typed-group"));
        iam.putGroupPolicy(q -> q.groupName("typed-group").policyName("group-inline")
                .policyDocument(Docs.allow("*", "s3:DeleteObject")));
        iam.addUserToGroup(q -> q.groupName("typed-group").userName("typed-user"));

        var results = iam.simulatePrincipalPolicy(q -> q.policySourceArn(userArn(A, "typed-user"))
                .actionNames("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "iam:GetRole")).evaluationResults();
        Map<String, EvaluationResult> byAction = new java.util.HashMap<>();
        results.forEach(e -> byAction.put(e.evalActionName(), e));
        assertAll(
                () -> assertType(byAction.get("s3:GetObject"), PolicySourceType.USER, "own-inline"),
                () -> assertType(byAction.get("s3:PutObject"), PolicySourceType.USER_MANAGED, "typed-managed"),
                () -> assertType(byAction.get("s3:DeleteObject"), PolicySourceType.GROUP, "group-inline"),
                () -> assertType(byAction.get("iam:GetRole"), PolicySourceType.AWS_MANAGED, "IAMReadOnlyAccess"));
    }

    static void assertType(EvaluationResult result, PolicySourceType type, String policyId) {
        assertEquals("allowed", result.evalDecisionAsString(), result.toString());
        assertEquals(1, result.matchedStatements().size(), result.toString());
        assertEquals(type, result.matchedStatements().get(0).sourcePolicyType(), result.toString());
        assertEquals(policyId, result.matchedStatements().get(0).sourcePolicyId(), result.toString());
    }

    @Test
    void unknownPolicySource() {
        assertError(() -> iam.simulatePrincipalPolicy(q -> q.policySourceArn(roleArn(A, "no-such-role"))
                .actionNames("s3:GetObject")), 404, "NoSuchEntity", "The role with name no-such-role cannot be found.");
        assertError(() -> iam.simulatePrincipalPolicy(q -> q.policySourceArn(userArn(A, "no-such-user"))
                .actionNames("s3:GetObject")), 404, "NoSuchEntity", "The user with name no-such-user cannot be found.");
    }

    @Test
    void simulationNeedsPermission() {
        try (IamClient nobody = IamSdk.iam(crossrole, TestCrossrole.credentials(crossrole.user(A, "no-sim", Map.of())))) {
            assertError(() -> nobody.simulatePrincipalPolicy(q -> q.policySourceArn(TASK_ROLE)
                    .actionNames("sts:AssumeRole")), 403, "AccessDenied",
                    notAuthorized(userArn(A, "no-sim"), "iam:SimulatePrincipalPolicy", TASK_ROLE));
        }
        String allowSim = Docs.allow(TASK_ROLE, "iam:SimulatePrincipalPolicy");
        try (IamClient simulator = IamSdk.iam(crossrole, TestCrossrole.credentials(
                crossrole.user(A, "simulator", Map.of("sim", allowSim))))) {
            assertEquals("allowed", simulator.simulatePrincipalPolicy(q -> q.policySourceArn(TASK_ROLE)
                    .actionNames("sts:AssumeRole").resourceArns(DEST_ROLE)).evaluationResults().get(0).evalDecisionAsString());
        }
    }
}
