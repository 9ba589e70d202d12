package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.CrossroleServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Service control policies of the caller's account and resource control policies of the resource's
 * account, declared in the accounts file, take part in every decision.
 */
class OrganizationPoliciesTest {
    static CrossroleServer server;
    static Path dir;

    static final String ALLOW_ALL = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
            + "\"Resource\":\"*\"}]}";

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("crossrole-org");
        Path accounts = dir.resolve("accounts.json");
        // Source (in o-aaaaaaaaaa): its SCPs deny AssumeRole into account 444455556666.
        // Destination (in o-bbbbbbbbbb): its RCPs deny AssumeRole by principals from other organizations; RCPFullAWSAccess
        // is attached at every level without being declared, as on AWS.
        Files.writeString(accounts, "{\"accounts\":["
                + "{\"id\":\"111122223333\",\"alias\":\"source\",\"organizationId\":\"o-aaaaaaaaaa\","
                + "\"serviceControlPolicies\":[[" + ALLOW_ALL + "],[{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                + "\"Deny\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::444455556666:role/*\"}]}," + ALLOW_ALL
                + "]]},"
                + "{\"id\":\"555566667777\",\"alias\":\"destination\",\"organizationId\":\"o-bbbbbbbbbb\","
                + "\"resourceControlPolicies\":[[{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                + "\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\",\"Condition\":"
                + "{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"o-bbbbbbbbbb\"}}}]}]]},"
                + "{\"id\":\"444455556666\",\"alias\":\"other\"}]}");
        server = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("data")).withPort(0)
                .withAccountsConfig(accounts));
        String trustSource = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::111122223333:root\"},\"Action\":\"sts:AssumeRole\"}]}";
        server.iam().createRole("555566667777", "destination-account-role", "/", trustSource, 3600, Map.of());
        server.iam().createRole("444455556666", "other-role", "/", trustSource, 3600, Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static StsClient sourceAdmin() {
        var p = server.profiles().get(0);
        return StsClient.builder().endpointOverride(java.net.URI.create(server.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(),
                        p.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Test
    void serviceControlPolicyDenies() {
        StsException e = assertThrows(StsException.class, () -> sourceAdmin().assumeRole(r -> r
                .roleArn("arn:aws:iam::444455556666:role/other-role").roleSessionName("org-test")));
        assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
        assertEquals("User: arn:aws:iam::111122223333:user/admin is not authorized to perform: sts:AssumeRole on resource:"
                + " arn:aws:iam::444455556666:role/other-role with an explicit deny in a service control policy",
                e.awsErrorDetails().errorMessage());
    }

    @Test
    void resourceControlPolicyDeniesOtherOrganizations() {
        StsException e = assertThrows(StsException.class, () -> sourceAdmin().assumeRole(r -> r
                .roleArn("arn:aws:iam::555566667777:role/destination-account-role").roleSessionName("org-test")));
        assertEquals("User: arn:aws:iam::111122223333:user/admin is not authorized to perform: sts:AssumeRole on resource:"
                + " arn:aws:iam::555566667777:role/destination-account-role with an explicit deny in a resource control"
                + " policy", e.awsErrorDetails().errorMessage());
    }

    @Test
    void malformedControlPoliciesStopTheStart() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"accounts\":[{\"id\":\"111122223333\",\"organizationId\":\"o-aaaaaaaaaa\","
                + "\"serviceControlPolicies\":[[{\"Version\":\"2012-10-17\",\"Statement\":[]}]]}]}");
        var e = assertThrows(dev.crossrole.server.ConfigException.class, () -> CrossroleServer.start(
                CrossroleServer.Options.defaults(dir.resolve("bad-data")).withPort(0).withAccountsConfig(bad)));
        assertEquals(true, e.getMessage().contains("accounts[0].serviceControlPolicies[0][0] is not a valid scp"),
                e.getMessage());
    }
}
