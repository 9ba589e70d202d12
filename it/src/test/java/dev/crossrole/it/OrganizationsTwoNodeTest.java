package dev.crossrole.it;

import static dev.crossrole.it.OrganizationsApiTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * An organization managed through one node and enforced by another, both on one PostgreSQL: an SCP attached at one
 * node decides the member's very next request at the other, and detaching it there too; a delegated administrator
 * registered at one node reads the organization at the other.
 */
class OrganizationsTwoNodeTest {
    private static final String SOURCE = TestCrossrole.SOURCE;
    private static final String DESTINATION = TestCrossrole.DESTINATION;
    private SharedPostgres.Database database;
    private final List<CrossroleServer> nodes = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeEach
    void newDatabase() throws Exception {
        database = SharedPostgres.newDatabase("crossrole_orgs");
    }

    @AfterEach
    void stopNodes() throws Exception {
        nodes.forEach(CrossroleServer::close);
        database.close();
    }

    private CrossroleServer node(String name) throws Exception {
        CrossroleServer node = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve(name)).withPort(0)
                .withStore(database.store()));
        nodes.add(node);
        return node;
    }

    private static Bootstrap.Profile admin(CrossroleServer node, String account) {
        return node.profiles().stream().filter(p -> p.account().id().equals(account)).findFirst().orElseThrow();
    }

    private static OrganizationsApiTest.Orgs orgs(CrossroleServer node, String account) {
        Bootstrap.Profile p = admin(node, account);
        return new OrganizationsApiTest.Orgs(node.endpoint(), new RawAws.Creds(p.accessKeyId(), p.secretAccessKey(),
                null));
    }

    private static SqsClient sqs(CrossroleServer node, String account) {
        Bootstrap.Profile p = admin(node, account);
        return SqsClient.builder().endpointOverride(URI.create(node.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(),
                        p.secretAccessKey())))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(
                        software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry())).build();
    }

    @Test
    void anScpAttachedAtOneNodeDecidesTheNextRequestAtTheOther() throws Exception {
        CrossroleServer first = node("first");
        CrossroleServer second = node("second");
        OrganizationsApiTest.Orgs management = orgs(first, SOURCE);
        management.ok("CreateOrganization", json("FeatureSet", "ALL"));
        String root = management.ok("ListRoots").get("Roots").get(0).get("Id").asText();
        management.ok("EnablePolicyType", json("RootId", root, "PolicyType", "SERVICE_CONTROL_POLICY"));
        String deny = management.ok("CreatePolicy", json("Name", "no-queues", "Description", "", "Type",
                "SERVICE_CONTROL_POLICY", "Content", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                        + "\"Deny\",\"Action\":\"sqs:*\",\"Resource\":\"*\"}]}")).get("Policy").get("PolicySummary")
                .get("Id").asText();

        try (SqsClient member = sqs(second, DESTINATION)) {
            member.listQueues();
            management.ok("AttachPolicy", json("PolicyId", deny, "TargetId", DESTINATION));
            SdkErrors.assertError(403, "AccessDenied", null, member::listQueues);
            // Detached through the other node: the member is allowed again at once, at either node.
            orgs(second, SOURCE).ok("DetachPolicy", json("PolicyId", deny, "TargetId", DESTINATION));
            member.listQueues();
            try (SqsClient atFirst = sqs(first, DESTINATION)) {
                atFirst.listQueues();
            }
        }

        // A delegated administrator registered at one node reads the organization at the other.
        OrganizationsApiTest.Orgs delegate = orgs(second, DESTINATION);
        delegate.fails("AccessDeniedException", null, "ListAccounts", "{}");
        management.ok("RegisterDelegatedAdministrator", json("AccountId", DESTINATION, "ServicePrincipal",
                "guardduty.amazonaws.com"));
        assertEquals(2, delegate.ok("ListAccounts", "{}").get("Accounts").size());
    }
}
