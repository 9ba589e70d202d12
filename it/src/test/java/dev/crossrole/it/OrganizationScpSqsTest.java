package dev.crossrole.it;

import static dev.crossrole.it.OrganizationsApiTest.admin;
import static dev.crossrole.it.OrganizationsApiTest.json;
import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossrole.policy.PolicyKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Issue 18's proof: an organization built through the Organizations API, two accounts created in it, and an SCP
 * denying {@code sqs:*} attached to the OU of the walkthrough's source account — whose task role then may or may not
 * send to a queue of the destination account exactly when AWS would decide so, and {@code crossrole why} names the
 * SCP when it may not.
 */
class OrganizationScpSqsTest {
    private static final String DENY_SQS = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"NoQueues\","
            + "\"Effect\":\"Deny\",\"Action\":\"sqs:*\",\"Resource\":\"*\"}]}";

    @Test
    void anScpOnTheSourceAccountsOuDecidesWhetherItsTaskRoleReachesAQueueOfAnotherAccount() throws Exception {
        try (TestCrossrole crossrole = new TestCrossrole()) {
            // The destination account manages the organization; the source account joins it (crossrole's stand-in
            // for an accepted invitation), and two more accounts are created in it.
            OrganizationsApiTest.Orgs management = new OrganizationsApiTest.Orgs(crossrole.endpoint(),
                    admin(crossrole, DESTINATION));
            management.ok("CreateOrganization", json("FeatureSet", "ALL"));
            List<String> created = new ArrayList<>();
            for (String name : List.of("tooling", "sandbox")) {
                JsonNode status = management.ok("CreateAccount", json("Email", name + "@example.com", "AccountName",
                        name)).get("CreateAccountStatus");
                assertEquals("SUCCEEDED", status.get("State").asText(), status.toString());
                created.add(status.get("AccountId").asText());
            }
            List<String> members = OrganizationsApiTest.ids(management.ok("ListAccounts").get("Accounts"), "Id");
            assertTrue(members.containsAll(created) && members.contains(SOURCE) && members.contains(DESTINATION),
                    members.toString());
            String root = management.ok("ListRoots").get("Roots").get(0).get("Id").asText();
            String workloads = management.ok("CreateOrganizationalUnit", json("ParentId", root, "Name", "workloads"))
                    .get("OrganizationalUnit").get("Id").asText();
            management.ok("MoveAccount", json("AccountId", SOURCE, "SourceParentId", root, "DestinationParentId",
                    workloads));
            management.ok("EnablePolicyType", json("RootId", root, "PolicyType", "SERVICE_CONTROL_POLICY"));

            // The walkthrough's task role in the source account, allowed by its identity policy to send to the
            // destination's queue, whose queue policy names it.
            crossrole.role(SOURCE, "app-task", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},\"Action\":\"sts:AssumeRole\"}]}",
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:SendMessage\","
                            + "\"Resource\":\"arn:aws:sqs:us-east-1:" + DESTINATION + ":orders\"}]}");
            String queueArn = "arn:aws:sqs:us-east-1:" + DESTINATION + ":orders";
            String queuePolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{"
                    + "\"AWS\":\"" + TestCrossrole.roleArn(SOURCE, "app-task") + "\"},\"Action\":\"sqs:SendMessage\","
                    + "\"Resource\":\"" + queueArn + "\"}]}";
            String queueUrl;
            try (SqsClient owner = SqsSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION))) {
                queueUrl = owner.createQueue(r -> r.queueName("orders").attributes(java.util.Map.of(
                        software.amazon.awssdk.services.sqs.model.QueueAttributeName.POLICY, queuePolicy)))
                        .queueUrl();
            }
            AwsCredentialsProvider task;
            try (var sts = crossrole.sts(crossrole.adminCredentials(SOURCE))) {
                task = OrganizationsApiTest.session(sts.assumeRole(r -> r.roleArn(TestCrossrole.roleArn(SOURCE,
                        "app-task")).roleSessionName("task")).credentials());
            }
            try (SqsClient asTask = SqsSdkTest.client(crossrole.endpoint(), task)) {
                // FullAWSAccess alone on the OU: the hop works.
                asTask.sendMessage(r -> r.queueUrl(queueUrl).messageBody("first"));

                String scp = management.ok("CreatePolicy", json("Name", "NoQueues", "Description", "no SQS",
                        "Type", "SERVICE_CONTROL_POLICY", "Content", DENY_SQS)).get("Policy").get("PolicySummary")
                        .get("Id").asText();
                management.ok("AttachPolicy", json("PolicyId", scp, "TargetId", workloads));
                // The next request is denied on the caller's side, by the SCP of its account's OU.
                var denied = assertError(403, "AccessDenied", null,
                        () -> asTask.sendMessage(r -> r.queueUrl(queueUrl).messageBody("second")));
                var decision = crossrole.recorded(denied.requestId()).decision();
                assertEquals(PolicyKind.SCP, decision.decidedBy());
                String why = decision.explanation().toText(decision);
                assertTrue(why.contains("NoQueues") && why.contains(workloads), why);

                // The queue's own account is the management account, which SCPs do not bind.
                try (SqsClient owner = SqsSdkTest.client(crossrole.endpoint(),
                        crossrole.adminCredentials(DESTINATION))) {
                    owner.sendMessage(r -> r.queueUrl(queueUrl).messageBody("from the owner"));
                }

                // Out of the OU, the source account is bound by the root's FullAWSAccess alone again.
                management.ok("MoveAccount", json("AccountId", SOURCE, "SourceParentId", workloads,
                        "DestinationParentId", root));
                asTask.sendMessage(r -> r.queueUrl(queueUrl).messageBody("third"));
            }
        }
    }
}
