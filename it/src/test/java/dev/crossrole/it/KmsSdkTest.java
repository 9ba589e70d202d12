package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static dev.crossrole.it.SdkErrors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

/** KMS through the SDK for Java v2: keys, key policies, aliases, tags, key states and encryption, across accounts. */
class KmsSdkTest {
    static TestCrossrole crossrole;
    static KmsClient kms;
    static KmsClient other;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        kms = client(crossrole.adminCredentials(SOURCE));
        other = client(crossrole.adminCredentials(DESTINATION));
    }

    @AfterAll
    static void stop() throws Exception {
        kms.close();
        other.close();
        crossrole.close();
    }

    static KmsClient client(AwsCredentialsProvider credentials) {
        return client(crossrole, credentials);
    }

    static KmsClient client(TestCrossrole crossrole, AwsCredentialsProvider credentials) {
        return KmsClient.builder().endpointOverride(URI.create(crossrole.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private static SdkBytes text(String value) {
        return SdkBytes.fromString(value, StandardCharsets.UTF_8);
    }

    @Test
    void aKeyEncryptsAndDecryptsWithItsContextAndDescribesItself() {
        KeyMetadata key = kms.createKey(r -> r.description("orders")).keyMetadata();
        assertEquals(SOURCE, key.awsAccountId());
        assertEquals("arn:aws:kms:us-east-1:" + SOURCE + ":key/" + key.keyId(), key.arn());
        assertEquals("Enabled", key.keyStateAsString());
        assertEquals("SYMMETRIC_DEFAULT", key.keySpecAsString());
        assertEquals("orders", kms.describeKey(r -> r.keyId(key.arn())).keyMetadata().description());

        var encrypted = kms.encrypt(r -> r.keyId(key.keyId()).plaintext(text("secret"))
                .encryptionContext(Map.of("order", "42")));
        assertEquals(key.arn(), encrypted.keyId());
        var decrypted = kms.decrypt(r -> r.ciphertextBlob(encrypted.ciphertextBlob())
                .encryptionContext(Map.of("order", "42")));
        assertEquals("secret", decrypted.plaintext().asUtf8String());
        assertEquals(key.arn(), decrypted.keyId());

        assertError(400, "InvalidCiphertextException", null, () -> kms.decrypt(r -> r
                .ciphertextBlob(encrypted.ciphertextBlob()).encryptionContext(Map.of("order", "43"))));
        assertError(400, "InvalidCiphertextException", null, () -> kms.decrypt(r -> r
                .ciphertextBlob(encrypted.ciphertextBlob())));
        byte[] tampered = encrypted.ciphertextBlob().asByteArray();
        tampered[tampered.length - 1] ^= 1;
        assertError(400, "InvalidCiphertextException", null, () -> kms.decrypt(r -> r
                .ciphertextBlob(SdkBytes.fromByteArray(tampered)).encryptionContext(Map.of("order", "42"))));
        KeyMetadata another = kms.createKey(r -> { }).keyMetadata();
        assertError(400, "IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform"
                + " this operation.", () -> kms.decrypt(r -> r.ciphertextBlob(encrypted.ciphertextBlob())
                .encryptionContext(Map.of("order", "42")).keyId(another.keyId())));
    }

    @Test
    void dataKeysReEncryptionAndRandomBytes() {
        String keyId = kms.createKey(r -> { }).keyMetadata().keyId();
        var dataKey = kms.generateDataKey(r -> r.keyId(keyId).keySpec("AES_256"));
        assertEquals(32, dataKey.plaintext().asByteArray().length);
        assertArrayEquals(dataKey.plaintext().asByteArray(), kms.decrypt(r -> r.ciphertextBlob(dataKey.ciphertextBlob()))
                .plaintext().asByteArray());
        var withoutPlaintext = kms.generateDataKeyWithoutPlaintext(r -> r.keyId(keyId).numberOfBytes(64));
        assertEquals(64, kms.decrypt(r -> r.ciphertextBlob(withoutPlaintext.ciphertextBlob())).plaintext()
                .asByteArray().length);
        assertError(400, "ValidationException", "Please specify either number of bytes or key spec.",
                () -> kms.generateDataKey(r -> r.keyId(keyId)));

        String target = kms.createKey(r -> { }).keyMetadata().keyId();
        var reEncrypted = kms.reEncrypt(r -> r.ciphertextBlob(withoutPlaintext.ciphertextBlob())
                .destinationKeyId(target).destinationEncryptionContext(Map.of("moved", "yes")));
        assertTrue(reEncrypted.keyId().endsWith(target));
        assertEquals(64, kms.decrypt(r -> r.ciphertextBlob(reEncrypted.ciphertextBlob())
                .encryptionContext(Map.of("moved", "yes"))).plaintext().asByteArray().length);

        byte[] first = kms.generateRandom(r -> r.numberOfBytes(32)).plaintext().asByteArray();
        byte[] second = kms.generateRandom(r -> r.numberOfBytes(32)).plaintext().asByteArray();
        assertEquals(32, first.length);
        assertFalse(Arrays.equals(first, second));
        assertError(400, "ValidationException", null, () -> kms.generateRandom(r -> r.numberOfBytes(1025)));
    }

    @Test
    void aliasesNameKeysAndAreListed() {
        String keyId = kms.createKey(r -> { }).keyMetadata().keyId();
        kms.createAlias(r -> r.aliasName("alias/payments").targetKeyId(keyId));
        assertEquals(keyId, kms.describeKey(r -> r.keyId("alias/payments")).keyMetadata().keyId());
        var encrypted = kms.encrypt(r -> r.keyId("arn:aws:kms:us-east-1:" + SOURCE + ":alias/payments")
                .plaintext(text("x")));
        assertTrue(encrypted.keyId().endsWith(keyId));
        assertError(400, "AlreadyExistsException", "An alias with the name arn:aws:kms:us-east-1:" + SOURCE
                + ":alias/payments already exists", () -> kms.createAlias(r -> r.aliasName("alias/payments")
                .targetKeyId(keyId)));
        assertError(400, "InvalidAliasNameException", "Alias must start with the prefix \"alias/\".",
                () -> kms.createAlias(r -> r.aliasName("payments").targetKeyId(keyId)));
        assertError(400, "NotAuthorizedException", null, () -> kms.createAlias(r -> r.aliasName("alias/aws/s3")
                .targetKeyId(keyId)));
        var listed = kms.listAliases(r -> r.keyId(keyId)).aliases();
        assertEquals(List.of("alias/payments"), listed.stream().map(a -> a.aliasName()).toList());
        String otherKey = kms.createKey(r -> { }).keyMetadata().keyId();
        kms.updateAlias(r -> r.aliasName("alias/payments").targetKeyId(otherKey));
        assertEquals(otherKey, kms.describeKey(r -> r.keyId("alias/payments")).keyMetadata().keyId());
        kms.deleteAlias(r -> r.aliasName("alias/payments"));
        assertError(400, "NotFoundException", "Alias 'arn:aws:kms:us-east-1:" + SOURCE + ":alias/payments' is not found.",
                () -> kms.describeKey(r -> r.keyId("alias/payments")));
    }

    @Test
    void keyStatesDisableAndScheduleDeletion() {
        String keyId = kms.createKey(r -> { }).keyMetadata().keyId();
        String arn = "arn:aws:kms:us-east-1:" + SOURCE + ":key/" + keyId;
        kms.disableKey(r -> r.keyId(keyId));
        assertError(400, "DisabledException", arn + " is disabled.", () -> kms.encrypt(r -> r.keyId(keyId)
                .plaintext(text("x"))));
        kms.enableKey(r -> r.keyId(keyId));
        var scheduled = kms.scheduleKeyDeletion(r -> r.keyId(keyId).pendingWindowInDays(7));
        assertEquals("PendingDeletion", scheduled.keyStateAsString());
        assertEquals(7, scheduled.pendingWindowInDays());
        assertError(400, "KMSInvalidStateException", arn + " is pending deletion.", () -> kms.encrypt(r -> r
                .keyId(keyId).plaintext(text("x"))));
        assertError(400, "ValidationException", null, () -> kms.scheduleKeyDeletion(r -> r.keyId(keyId)
                .pendingWindowInDays(6)));
        kms.cancelKeyDeletion(r -> r.keyId(keyId));
        assertEquals("Disabled", kms.describeKey(r -> r.keyId(keyId)).keyMetadata().keyStateAsString());
        assertNull(kms.describeKey(r -> r.keyId(keyId)).keyMetadata().deletionDate());
        assertError(400, "NotFoundException", "Key 'arn:aws:kms:us-east-1:" + SOURCE
                + ":key/00000000-0000-0000-0000-000000000000' does not exist", () -> kms.describeKey(r -> r
                .keyId("00000000-0000-0000-0000-000000000000")));
        assertError(400, "NotFoundException", "Invalid keyId not-a-key", () -> kms.describeKey(r -> r.keyId("not-a-key")));
    }

    @Test
    void theDefaultKeyPolicyDelegatesToTheAccountAndAPolicyMayNotLockItsCallerOut() {
        String keyId = kms.createKey(r -> { }).keyMetadata().keyId();
        String policy = kms.getKeyPolicy(r -> r.keyId(keyId)).policy();
        assertTrue(policy.contains("\"Sid\" : \"Enable IAM User Permissions\"") && policy.contains("\"AWS\" : \"arn:aws:iam::"
                + SOURCE + ":root\""), policy);
        assertEquals(List.of("default"), kms.listKeyPolicies(r -> r.keyId(keyId)).policyNames());
        String lockout = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::" + SOURCE + ":role/nobody\"},\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}]}";
        assertError(400, "MalformedPolicyDocumentException", "The new key policy will not allow you to update the key"
                + " policy in the future.", () -> kms.putKeyPolicy(r -> r.keyId(keyId).policy(lockout)));
        assertError(400, "MalformedPolicyDocumentException", null, () -> kms.putKeyPolicy(r -> r.keyId(keyId)
                .policy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\"}]}")));
        assertEquals(policy, kms.getKeyPolicy(r -> r.keyId(keyId)).policy(), "nothing changed");
        assertError(400, "MalformedPolicyDocumentException", "The new key policy will not allow you to update the key"
                + " policy in the future.", () -> kms.createKey(r -> r.policy(lockout)));
        kms.tagResource(r -> r.keyId(keyId).tags(t -> t.tagKey("team").tagValue("payments")));
        assertEquals("payments", kms.listResourceTags(r -> r.keyId(keyId)).tags().get(0).tagValue());
        kms.untagResource(r -> r.keyId(keyId).tagKeys("team"));
        assertEquals(List.of(), kms.listResourceTags(r -> r.keyId(keyId)).tags());
    }

    @Test
    void anotherAccountNeedsTheKeyPolicyAndItsOwnIdentityPolicy() throws Exception {
        KeyMetadata key = other.createKey(r -> { }).keyMetadata();
        var encrypted = other.encrypt(r -> r.keyId(key.keyId()).plaintext(text("shared")));
        String role = "arn:aws:iam::" + SOURCE + ":role/kms-reader";
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.createRole(r -> r.roleName("kms-reader").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                    + "\"Action\":\"sts:AssumeRole\"}]}"));
            iam.putRolePolicy(r -> r.roleName("kms-reader").policyName("decrypt").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\","
                            + "\"Resource\":\"" + key.arn() + "\"}]}"));
        }
        software.amazon.awssdk.services.sts.model.Credentials session;
        try (var sts = crossrole.sts(crossrole.adminCredentials(SOURCE))) {
            session = sts.assumeRole(r -> r.roleArn(role).roleSessionName("reader")).credentials();
        }
        try (KmsClient reader = client(TestCrossrole.session(session))) {
            // The key policy names only its own account: denied on the key's side.
            AwsServiceException denied = assertThrows(AwsServiceException.class, () -> reader.decrypt(r -> r
                    .ciphertextBlob(encrypted.ciphertextBlob())));
            assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
            assertEquals("User: arn:aws:sts::" + SOURCE + ":assumed-role/kms-reader/reader is not authorized to perform:"
                    + " kms:Decrypt on resource: " + key.arn() + " because no resource-based policy allows the kms:Decrypt"
                    + " action", denied.awsErrorDetails().errorMessage());
            other.putKeyPolicy(r -> r.keyId(key.keyId()).policy("{\"Version\":\"2012-10-17\",\"Statement\":["
                    + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + DESTINATION + ":root\"},"
                    + "\"Action\":\"kms:*\",\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                    + SOURCE + ":root\"},\"Action\":[\"kms:Decrypt\",\"kms:Encrypt\"],\"Resource\":\"*\"}]}"));
            assertEquals("shared", reader.decrypt(r -> r.ciphertextBlob(encrypted.ciphertextBlob())).plaintext()
                    .asUtf8String());
            // The key policy allows the account; the role's own policy does not allow Encrypt: denied on its side.
            AwsServiceException notOwnSide = assertThrows(AwsServiceException.class, () -> reader.encrypt(r -> r
                    .keyId(key.arn()).plaintext(text("x"))));
            assertTrue(notOwnSide.awsErrorDetails().errorMessage().endsWith("because no identity-based policy allows"
                    + " the kms:Encrypt action"), notOwnSide.awsErrorDetails().errorMessage());
            // A bare key id names a key of the caller's own account.
            assertError(400, "NotFoundException", null, () -> reader.describeKey(r -> r.keyId(key.keyId())));
        }
        assertEquals(List.of(), kms.listKeys().keys().stream().filter(k -> k.keyId().equals(key.keyId())).toList(),
                "another account's keys are not listed");
    }

    @Test
    void badInputIsRefusedWithKmsErrorsAndChangesNothing() {
        String keyId = kms.createKey(r -> { }).keyMetadata().keyId();
        assertError(400, "ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy"
                + " constraint: Member must have length less than or equal to 4096", () -> kms.encrypt(r -> r
                .keyId(keyId).plaintext(SdkBytes.fromByteArray(new byte[4097]))));
        assertError(400, "ValidationException", null, () -> kms.listKeys(r -> r.limit(0)));
        assertError(400, "InvalidMarkerException", null, () -> kms.listKeys(r -> r.marker("not-a-marker")));
        assertError(400, "InvalidKeyUsageException", null, () -> kms.encrypt(r -> r.keyId(keyId)
                .plaintext(text("x")).encryptionAlgorithm("RSAES_OAEP_SHA_256")));
        assertError(400, "ValidationException", null, () -> kms.createKey(r -> r.keySpec("RSA_2048")));
        assertError(400, "InvalidCiphertextException", null, () -> kms.decrypt(r -> r
                .ciphertextBlob(SdkBytes.fromByteArray(new byte[64]))));
        assertError(400, "MalformedPolicyDocumentException", null, () -> kms.putKeyPolicy(r -> r.keyId(keyId)
                .policy("not json")));
        assertError(400, "NotFoundException", null, () -> kms.getKeyPolicy(r -> r.keyId(keyId).policyName("other")));
        int before = kms.listKeys().keys().size();
        assertError(400, "ValidationException", null, () -> kms.createKey(r -> r.keyUsage("SIGN_VERIFY")));
        assertEquals(before, kms.listKeys().keys().size(), "no key was made");
    }

    @Test
    void keysSurviveARestart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String keyId;
        SdkBytes blob;
        try (var server = dev.crossrole.server.CrossroleServer.start(dev.crossrole.server.CrossroleServer.Options
                .defaults(dir).withPort(0)); KmsClient first = client(server)) {
            keyId = first.createKey(r -> r.description("kept")).keyMetadata().keyId();
            first.createAlias(r -> r.aliasName("alias/kept").targetKeyId(keyId));
            blob = first.encrypt(r -> r.keyId("alias/kept").plaintext(text("durable"))).ciphertextBlob();
        }
        try (var again = dev.crossrole.server.CrossroleServer.start(dev.crossrole.server.CrossroleServer.Options
                .defaults(dir).withPort(0)); KmsClient second = client(again)) {
            assertEquals("kept", second.describeKey(r -> r.keyId("alias/kept")).keyMetadata().description());
            assertEquals(keyId, second.describeKey(r -> r.keyId("alias/kept")).keyMetadata().keyId());
            assertEquals("durable", second.decrypt(r -> r.ciphertextBlob(blob)).plaintext().asUtf8String());
        }
    }

    private static KmsClient client(dev.crossrole.server.CrossroleServer server) {
        var admin = server.profiles().stream().filter(p -> p.account().id().equals(SOURCE)).findFirst().orElseThrow();
        return KmsClient.builder().endpointOverride(URI.create(server.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(admin.accessKeyId(),
                                admin.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }
}
