package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GrantListEntry;
import software.amazon.awssdk.services.kms.model.GrantOperation;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

/**
 * KMS grants through the SDK for Java v2: a grant lets its grantee, of the key's account or another, use the key
 * without any policy naming it, within its operations and encryption context constraints; CreateGrant's validation,
 * name idempotency and condition keys; listing, retiring and revoking; grants across a restart.
 */
class KmsGrantsSdkTest {
    static TestCrossrole crossrole;
    static KmsClient owner;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        owner = KmsSdkTest.client(crossrole, crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        owner.close();
        crossrole.close();
    }

    private static SdkBytes text(String value) {
        return SdkBytes.fromString(value, StandardCharsets.UTF_8);
    }

    /** A client of a new user with no policy at all (or the given inline policies). */
    private static KmsClient userClient(String account, String name, Map<String, String> policies) {
        return KmsSdkTest.client(crossrole, TestCrossrole.credentials(crossrole.user(account, name, policies)));
    }

    private static String allow(String action, String resource) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"" + action
                + "\",\"Resource\":\"" + resource + "\"}]}";
    }

    private String why(AwsServiceException e) throws Exception {
        return crossrole.adminGet("/_crossrole/requests/" + e.requestId() + "?format=text").body();
    }

    @Test
    void aGrantLetsAnotherAccountsUserWithoutAnyPolicyUseTheKeyWithinItsOperationsAndConstraints() throws Exception {
        KeyMetadata key = owner.createKey(r -> r.description("shared by grant")).keyMetadata();
        SdkBytes finance = owner.encrypt(r -> r.keyId(key.keyId()).plaintext(text("ledger"))
                .encryptionContext(Map.of("dept", "finance"))).ciphertextBlob();
        SdkBytes sales = owner.encrypt(r -> r.keyId(key.keyId()).plaintext(text("leads"))
                .encryptionContext(Map.of("dept", "sales"))).ciphertextBlob();
        String reader = userArn(DESTINATION, "grant-reader");
        try (KmsClient client = userClient(DESTINATION, "grant-reader", Map.of())) {
            AwsServiceException before = assertError(400, "AccessDeniedException", null, () -> client.decrypt(r -> r
                    .ciphertextBlob(finance).encryptionContext(Map.of("dept", "finance"))));
            assertTrue(before.awsErrorDetails().errorMessage().startsWith("User: " + reader + " is not authorized to"
                    + " perform: kms:Decrypt on resource: " + key.arn()), before.awsErrorDetails().errorMessage());

            var created = owner.createGrant(r -> r.keyId(key.keyId()).granteePrincipal(reader)
                    .operations(GrantOperation.DECRYPT, GrantOperation.DESCRIBE_KEY)
                    .constraints(c -> c.encryptionContextSubset(Map.of("dept", "finance"))));
            assertEquals(64, created.grantId().length());
            assertEquals("ledger", client.decrypt(r -> r.ciphertextBlob(finance)
                    .encryptionContext(Map.of("dept", "finance"))).plaintext().asUtf8String());
            assertEquals("shared by grant", client.describeKey(r -> r.keyId(key.arn())).keyMetadata().description());

            // Outside the constraint, or an operation the grant does not include: denied, and explained.
            AwsServiceException outside = assertError(400, "AccessDeniedException", null, () -> client.decrypt(r -> r
                    .ciphertextBlob(sales).encryptionContext(Map.of("dept", "sales"))));
            assertTrue(why(outside).contains("KMS grant " + created.grantId() + " names the caller, but its"
                    + " EncryptionContextSubset constraint"), why(outside));
            assertError(400, "AccessDeniedException", null, () -> client.encrypt(r -> r.keyId(key.arn())
                    .plaintext(text("x")).encryptionContext(Map.of("dept", "finance"))));
            // Another account's key is named by its ARN.
            assertError(400, "NotFoundException", null, () -> client.describeKey(r -> r.keyId(key.keyId())));

            owner.revokeGrant(r -> r.keyId(key.keyId()).grantId(created.grantId()));
            assertError(400, "AccessDeniedException", null, () -> client.decrypt(r -> r.ciphertextBlob(finance)
                    .encryptionContext(Map.of("dept", "finance"))));
        }
    }

    @Test
    void createGrantValidatesKeepsNamesIdempotentAndListsWithFiltersAndPages() {
        String keyId = owner.createKey(r -> { }).keyMetadata().keyId();
        String grantee = userArn(SOURCE, "named-grantee");
        var first = owner.createGrant(r -> r.keyId(keyId).name("orders-app").granteePrincipal(grantee)
                .operations(GrantOperation.ENCRYPT, GrantOperation.DECRYPT));
        var retried = owner.createGrant(r -> r.keyId(keyId).name("orders-app").granteePrincipal(grantee)
                .operations(GrantOperation.DECRYPT, GrantOperation.ENCRYPT).grantTokens(first.grantToken()));
        assertEquals(first.grantId(), retried.grantId(), "same name and parameters: the same grant");
        assertNotEquals(first.grantToken(), retried.grantToken(), "a new token every time");
        var other = owner.createGrant(r -> r.keyId(keyId).name("orders-app").granteePrincipal(grantee)
                .operations(GrantOperation.DECRYPT));
        assertNotEquals(first.grantId(), other.grantId(), "other parameters: another grant");
        owner.createGrant(r -> r.keyId(keyId).granteePrincipal(userArn(SOURCE, "someone-else"))
                .operations(GrantOperation.DESCRIBE_KEY).retiringPrincipal(TestCrossrole.rootArn(SOURCE)));

        List<GrantListEntry> all = owner.listGrants(r -> r.keyId(keyId)).grants();
        assertEquals(3, all.size());
        GrantListEntry listed = all.get(0);
        assertEquals(first.grantId(), listed.grantId());
        assertEquals("orders-app", listed.name());
        assertEquals("arn:aws:kms:us-east-1:" + SOURCE + ":key/" + keyId, listed.keyId());
        assertEquals("arn:aws:iam::" + SOURCE + ":root", listed.issuingAccount());
        assertEquals(List.of(GrantOperation.ENCRYPT, GrantOperation.DECRYPT), listed.operations());
        assertEquals(2, owner.listGrants(r -> r.keyId(keyId).granteePrincipal(grantee)).grants().size());
        assertEquals(List.of(other.grantId()), owner.listGrants(r -> r.keyId(keyId).grantId(other.grantId())).grants()
                .stream().map(GrantListEntry::grantId).toList());
        var page = owner.listGrants(r -> r.keyId(keyId).limit(2));
        assertTrue(page.truncated());
        assertEquals(1, owner.listGrants(r -> r.keyId(keyId).limit(2).marker(page.nextMarker())).grants().size());

        // Refused requests change nothing.
        assertError(400, "ValidationException", "Grant operations [Sign] are not valid for a KMS key with key spec"
                + " SYMMETRIC_DEFAULT and key usage ENCRYPT_DECRYPT.", () -> owner.createGrant(r -> r.keyId(keyId)
                .granteePrincipal(grantee).operations(GrantOperation.SIGN)));
        assertError(400, "InvalidArnException", null, () -> owner.createGrant(r -> r.keyId(keyId)
                .granteePrincipal("not-a-principal").operations(GrantOperation.DECRYPT)));
        assertError(412, "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.",
                () -> owner.createGrant(r -> r.keyId(keyId).granteePrincipal(grantee)
                        .operations(GrantOperation.DECRYPT).dryRun(true)));
        assertError(400, "ValidationException", null, () -> owner.createGrant(r -> r.keyId(keyId)
                .granteePrincipal(grantee).operations(GrantOperation.DECRYPT).constraints(c -> c
                        .encryptionContextSubset(Map.of("1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f",
                                "7", "g", "8", "h", "9", "i")))));
        assertEquals(3, owner.listGrants(r -> r.keyId(keyId)).grants().size());
        assertError(400, "InvalidGrantIdException", null, () -> owner.listGrants(r -> r.keyId(keyId)
                .grantId("0".repeat(64))));
        assertError(400, "InvalidGrantIdException", null, () -> owner.revokeGrant(r -> r.keyId(keyId)
                .grantId("0".repeat(64))));
        // Grants name their key by key id or key ARN, not by an alias.
        owner.createAlias(r -> r.aliasName("alias/granted").targetKeyId(keyId));
        assertError(400, "NotFoundException", "Invalid keyId alias/granted", () -> owner.createGrant(r -> r
                .keyId("alias/granted").granteePrincipal(grantee).operations(GrantOperation.DECRYPT)));
    }

    @Test
    void theRetiringPrincipalTheGranteeWithRetireGrantAndTheIssuingAccountRetireGrantsOthersDoNot() {
        KeyMetadata key = owner.createKey(r -> { }).keyMetadata();
        String retirer = userArn(SOURCE, "retirer");
        String grantee = userArn(DESTINATION, "retiring-grantee");
        var byRetirer = owner.createGrant(r -> r.keyId(key.keyId()).granteePrincipal(grantee).retiringPrincipal(retirer)
                .operations(GrantOperation.DECRYPT));
        var byGrantee = owner.createGrant(r -> r.keyId(key.keyId()).granteePrincipal(grantee)
                .operations(GrantOperation.DECRYPT, GrantOperation.RETIRE_GRANT));
        var notRetirable = owner.createGrant(r -> r.keyId(key.keyId()).granteePrincipal(grantee)
                .operations(GrantOperation.DECRYPT));
        try (KmsClient retiring = userClient(SOURCE, "retirer", Map.of("list", allow("kms:ListRetirableGrants", "*")));
             KmsClient granteeClient = userClient(DESTINATION, "retiring-grantee", Map.of())) {
            assertEquals(List.of(byRetirer.grantId()), retiring.listRetirableGrants(r -> r.retiringPrincipal(retirer))
                    .grants().stream().map(GrantListEntry::grantId).toList());
            retiring.retireGrant(r -> r.keyId(key.arn()).grantId(byRetirer.grantId()));
            granteeClient.retireGrant(r -> r.grantToken(byGrantee.grantToken()));
            AwsServiceException denied = assertError(400, "AccessDeniedException", null, () -> granteeClient
                    .retireGrant(r -> r.keyId(key.arn()).grantId(notRetirable.grantId())));
            assertTrue(denied.awsErrorDetails().errorMessage().contains("kms:RetireGrant"));
            assertError(400, "InvalidGrantTokenException", null, () -> granteeClient.retireGrant(r -> r
                    .grantToken("not-a-token")));
            assertError(400, "ValidationException", "Grant token OR (grant ID, key ID) must be specified",
                    () -> granteeClient.retireGrant(r -> r.grantId(notRetirable.grantId())));
        }
        owner.retireGrant(r -> r.keyId(key.keyId()).grantId(notRetirable.grantId()));
        assertEquals(List.of(), owner.listGrants(r -> r.keyId(key.keyId())).grants());
    }

    @Test
    void aGrantWithCreateGrantLetsItsGranteeGrantNoMoreThanItHas() {
        KeyMetadata key = owner.createKey(r -> { }).keyMetadata();
        String delegate = userArn(DESTINATION, "delegate");
        owner.createGrant(r -> r.keyId(key.keyId()).granteePrincipal(delegate)
                .operations(GrantOperation.DECRYPT, GrantOperation.ENCRYPT, GrantOperation.CREATE_GRANT)
                .constraints(c -> c.encryptionContextSubset(Map.of("app", "orders"))));
        try (KmsClient client = userClient(DESTINATION, "delegate", Map.of())) {
            String narrower = client.createGrant(r -> r.keyId(key.arn()).granteePrincipal(userArn(DESTINATION, "app"))
                    .operations(GrantOperation.DECRYPT)
                    .constraints(c -> c.encryptionContextEquals(Map.of("app", "orders", "env", "prod")))).grantId();
            assertEquals(64, narrower.length());
            assertError(400, "AccessDeniedException", null, () -> client.createGrant(r -> r.keyId(key.arn())
                    .granteePrincipal(userArn(DESTINATION, "app")).operations(GrantOperation.DECRYPT,
                            GrantOperation.GENERATE_DATA_KEY)
                    .constraints(c -> c.encryptionContextSubset(Map.of("app", "orders")))));
            assertError(400, "AccessDeniedException", null, () -> client.createGrant(r -> r.keyId(key.arn())
                    .granteePrincipal(userArn(DESTINATION, "app")).operations(GrantOperation.DECRYPT)));
            // Another account's key is named by its ARN.
            assertError(400, "NotFoundException", null, () -> client.createGrant(r -> r.keyId(key.keyId())
                    .granteePrincipal(userArn(DESTINATION, "app")).operations(GrantOperation.DECRYPT)));
        }
        assertEquals(2, owner.listGrants(r -> r.keyId(key.keyId())).grants().size());
    }

    @Test
    void theKeyPolicyDecidesCreateGrantWithTheGrantConditionKeys() {
        String admin = userArn(SOURCE, "grant-admin");
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                + TestCrossrole.rootArn(SOURCE) + "\"},\"Action\":\"kms:*\",\"Resource\":\"*\"},{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"" + admin + "\"},\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\","
                + "\"Condition\":{\"ForAllValues:StringEquals\":{\"kms:GrantOperations\":[\"Decrypt\"]},"
                + "\"Bool\":{\"kms:GrantIsForAWSResource\":\"false\"},\"StringLike\":{\"kms:GranteePrincipal\":"
                + "\"arn:aws:iam::" + SOURCE + ":user/app-*\"}}}]}";
        String keyId = owner.createKey(r -> r.policy(policy)).keyMetadata().keyId();
        try (KmsClient client = userClient(SOURCE, "grant-admin", Map.of())) {
            client.createGrant(r -> r.keyId(keyId).granteePrincipal(userArn(SOURCE, "app-one"))
                    .operations(GrantOperation.DECRYPT));
            assertError(400, "AccessDeniedException", null, () -> client.createGrant(r -> r.keyId(keyId)
                    .granteePrincipal(userArn(SOURCE, "app-one")).operations(GrantOperation.ENCRYPT)));
            assertError(400, "AccessDeniedException", null, () -> client.createGrant(r -> r.keyId(keyId)
                    .granteePrincipal(userArn(SOURCE, "other")).operations(GrantOperation.DECRYPT)));
        }
    }

    @Test
    void grantsSurviveARestart(@TempDir Path dir) throws Exception {
        String keyId;
        String grantId;
        try (var server = dev.crossrole.server.CrossroleServer.start(dev.crossrole.server.CrossroleServer.Options
                .defaults(dir).withPort(0)); KmsClient first = client(server)) {
            keyId = first.createKey(r -> { }).keyMetadata().keyId();
            grantId = first.createGrant(r -> r.keyId(keyId).name("kept").granteePrincipal(userArn(SOURCE, "app"))
                    .operations(GrantOperation.DECRYPT).constraints(c -> c
                            .encryptionContextEquals(Map.of("a", "1")))).grantId();
        }
        try (var again = dev.crossrole.server.CrossroleServer.start(dev.crossrole.server.CrossroleServer.Options
                .defaults(dir).withPort(0)); KmsClient second = client(again)) {
            GrantListEntry grant = second.listGrants(r -> r.keyId(keyId)).grants().get(0);
            assertEquals(grantId, grant.grantId());
            assertEquals("kept", grant.name());
            assertEquals(Map.of("a", "1"), grant.constraints().encryptionContextEquals());
        }
    }

    private static KmsClient client(dev.crossrole.server.CrossroleServer server) {
        var admin = server.profiles().stream().filter(p -> p.account().id().equals(SOURCE)).findFirst().orElseThrow();
        return KmsClient.builder().endpointOverride(URI.create(server.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(admin.accessKeyId(),
                        admin.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }
}
