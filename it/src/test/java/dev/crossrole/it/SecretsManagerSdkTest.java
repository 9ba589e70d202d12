package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.SdkErrors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
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
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** Secrets Manager through the SDK for Java v2: versions and stages, deletion, and reading across accounts with KMS. */
class SecretsManagerSdkTest {
    static TestCrossrole crossrole;
    static SecretsManagerClient secrets;
    static SecretsManagerClient other;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        secrets = client(crossrole.adminCredentials(SOURCE));
        other = client(crossrole.adminCredentials(DESTINATION));
    }

    @AfterAll
    static void stop() throws Exception {
        secrets.close();
        other.close();
        crossrole.close();
    }

    static SecretsManagerClient client(AwsCredentialsProvider credentials) {
        return client(crossrole, credentials);
    }

    static SecretsManagerClient client(TestCrossrole crossrole, AwsCredentialsProvider credentials) {
        return SecretsManagerClient.builder().endpointOverride(URI.create(crossrole.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    @Test
    void versionsMoveTheirStagesAndAValueIsReadByNameOrArn() {
        var created = secrets.createSecret(r -> r.name("app/db").secretString("one").description("database"));
        assertTrue(created.arn().matches("arn:aws:secretsmanager:us-east-1:" + SOURCE + ":secret:app/db-[A-Za-z0-9]{6}"),
                created.arn());
        assertEquals("one", secrets.getSecretValue(r -> r.secretId("app/db")).secretString());
        var second = secrets.putSecretValue(r -> r.secretId(created.arn()).secretString("two"));
        assertEquals(List.of("AWSCURRENT"), second.versionStages());
        assertEquals("two", secrets.getSecretValue(r -> r.secretId("app/db")).secretString());
        assertEquals("one", secrets.getSecretValue(r -> r.secretId("app/db").versionStage("AWSPREVIOUS")).secretString());
        assertEquals("one", secrets.getSecretValue(r -> r.secretId("app/db").versionId(created.versionId())).secretString());
        var described = secrets.describeSecret(r -> r.secretId("app/db"));
        assertEquals(Map.of(created.versionId(), List.of("AWSPREVIOUS"), second.versionId(), List.of("AWSCURRENT")),
                described.versionIdsToStages());
        assertEquals("database", described.description());
        // A repeated request token with the same value is the same version; with another value it is refused.
        secrets.putSecretValue(r -> r.secretId("app/db").secretString("two").clientRequestToken(second.versionId()));
        assertError(400, "ResourceExistsException", "You can't modify an existing version, you can only create a new"
                + " version.", () -> secrets.putSecretValue(r -> r.secretId("app/db").secretString("three")
                .clientRequestToken(second.versionId())));
        var binary = secrets.createSecret(r -> r.name("app/cert").secretBinary(SdkBytes.fromUtf8String("bytes")));
        assertEquals("bytes", secrets.getSecretValue(r -> r.secretId(binary.arn())).secretBinary().asUtf8String());
        assertError(400, "ResourceExistsException", "The operation failed because the secret app/db already exists.",
                () -> secrets.createSecret(r -> r.name("app/db").secretString("x")));
        assertError(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.",
                () -> secrets.getSecretValue(r -> r.secretId("app/none")));
        assertError(400, "InvalidParameterException", null, () -> secrets.createSecret(r -> r.name("both")
                .secretString("a").secretBinary(SdkBytes.fromUtf8String("b"))));
    }

    @Test
    void aDeletedSecretWaitsOutItsRecoveryWindowAndCanBeRestored() {
        secrets.createSecret(r -> r.name("to-delete").secretString("v"));
        var deleted = secrets.deleteSecret(r -> r.secretId("to-delete").recoveryWindowInDays(7L));
        assertNotNull(deleted.deletionDate());
        assertError(400, "InvalidRequestException", "You can't perform this operation on the secret because it was"
                + " marked for deletion.", () -> secrets.getSecretValue(r -> r.secretId("to-delete")));
        assertError(400, "InvalidRequestException", "You can't create this secret because a secret with this name is"
                + " already scheduled for deletion.", () -> secrets.createSecret(r -> r.name("to-delete").secretString("v")));
        assertTrue(secrets.listSecrets().secretList().stream().noneMatch(s -> s.name().equals("to-delete")));
        assertTrue(secrets.listSecrets(r -> r.includePlannedDeletion(true)).secretList().stream()
                .anyMatch(s -> s.name().equals("to-delete")));
        secrets.restoreSecret(r -> r.secretId("to-delete"));
        assertEquals("v", secrets.getSecretValue(r -> r.secretId("to-delete")).secretString());
        assertError(400, "InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with"
                + " RecoveryWindowInDays.", () -> secrets.deleteSecret(r -> r.secretId("to-delete")
                .recoveryWindowInDays(7L).forceDeleteWithoutRecovery(true)));
        assertError(400, "InvalidParameterException", null, () -> secrets.deleteSecret(r -> r.secretId("to-delete")
                .recoveryWindowInDays(31L)));
        secrets.deleteSecret(r -> r.secretId("to-delete").forceDeleteWithoutRecovery(true));
        assertError(400, "ResourceNotFoundException", null, () -> secrets.describeSecret(r -> r.secretId("to-delete")));
        secrets.createSecret(r -> r.name("to-delete").secretString("again"));
    }

    @Test
    void anotherAccountReadsOnlyWithTheSecretPolicyItsIdentityPolicyAndACustomerKey() throws Exception {
        String reader = "arn:aws:iam::" + SOURCE + ":role/secret-reader";
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.createRole(r -> r.roleName("secret-reader").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                    + "\"Action\":\"sts:AssumeRole\"}]}"));
            iam.putRolePolicy(r -> r.roleName("secret-reader").policyName("read").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                            + "[\"secretsmanager:GetSecretValue\",\"kms:Decrypt\"],\"Resource\":\"*\"}]}"));
        }
        String keyArn;
        try (KmsClient kms = KmsSdkTest.client(crossrole, crossrole.adminCredentials(DESTINATION))) {
            keyArn = kms.createKey(r -> r.policy("{\"Version\":\"2012-10-17\",\"Statement\":["
                    + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + DESTINATION + ":root\"},"
                    + "\"Action\":\"kms:*\",\"Resource\":\"*\"},"
                    + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + reader + "\"},\"Action\":\"kms:Decrypt\","
                    + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:ViaService\":"
                    + "\"secretsmanager.us-east-1.amazonaws.com\"}}}]}")).keyMetadata().arn();
        }
        String withCustomerKey = other.createSecret(r -> r.name("shared/api").secretString("s3cr3t").kmsKeyId(keyArn)).arn();
        String withDefaultKey = other.createSecret(r -> r.name("shared/default").secretString("plain")).arn();
        String grant = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                + reader + "\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}";
        software.amazon.awssdk.services.sts.model.Credentials session;
        try (var sts = crossrole.sts(crossrole.adminCredentials(SOURCE))) {
            session = sts.assumeRole(r -> r.roleArn(reader).roleSessionName("reader")).credentials();
        }
        try (SecretsManagerClient asReader = client(TestCrossrole.session(session))) {
            // No secret policy yet: denied on the secret's side.
            AwsServiceException noPolicy = assertThrows(AwsServiceException.class, () -> asReader.getSecretValue(r -> r
                    .secretId(withCustomerKey)));
            assertEquals("AccessDeniedException", noPolicy.awsErrorDetails().errorCode());
            assertTrue(noPolicy.awsErrorDetails().errorMessage().endsWith("because no resource-based policy allows the"
                    + " secretsmanager:GetSecretValue action"), noPolicy.awsErrorDetails().errorMessage());
            other.putResourcePolicy(r -> r.secretId(withCustomerKey).resourcePolicy(grant).blockPublicPolicy(true));
            other.putResourcePolicy(r -> r.secretId(withDefaultKey).resourcePolicy(grant));
            assertEquals("s3cr3t", asReader.getSecretValue(r -> r.secretId(withCustomerKey)).secretString());
            // The AWS managed key aws/secretsmanager serves only its own account's callers.
            assertError(400, "AccessDeniedException", "Access to KMS is not allowed",
                    () -> asReader.getSecretValue(r -> r.secretId(withDefaultKey)));
            // A bare name is the caller's own account.
            assertError(400, "ResourceNotFoundException", null, () -> asReader.getSecretValue(r -> r
                    .secretId("shared/api")));
        }
        assertError(400, "PublicPolicyException", null, () -> other.putResourcePolicy(r -> r.secretId(withCustomerKey)
                .blockPublicPolicy(true).resourcePolicy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                        + "\"Allow\",\"Principal\":\"*\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":"
                        + "\"*\"}]}")));
        assertError(400, "MalformedPolicyDocumentException", null, () -> other.putResourcePolicy(r -> r
                .secretId(withCustomerKey).resourcePolicy("{\"Statement\":[]}")));
        var validation = other.validateResourcePolicy(r -> r.resourcePolicy(grant));
        assertTrue(validation.policyValidationPassed(), validation.toString());
        assertEquals(grant, other.getResourcePolicy(r -> r.secretId(withCustomerKey)).resourcePolicy());
    }

    @Test
    void tagsAndVersionListing() {
        String arn = secrets.createSecret(r -> r.name("tagged").secretString("a").tags(t -> t.key("team").value("x")))
                .arn();
        secrets.putSecretValue(r -> r.secretId(arn).secretString("b"));
        secrets.putSecretValue(r -> r.secretId(arn).secretString("c"));
        assertEquals(2, secrets.listSecretVersionIds(r -> r.secretId(arn)).versions().size(),
                "the oldest has lost its stages (deprecated)");
        assertEquals(3, secrets.listSecretVersionIds(r -> r.secretId(arn).includeDeprecated(true)).versions().size());
        secrets.tagResource(r -> r.secretId(arn).tags(t -> t.key("env").value("dev")));
        assertEquals(2, secrets.describeSecret(r -> r.secretId(arn)).tags().size());
        secrets.untagResource(r -> r.secretId(arn).tagKeys("team"));
        assertEquals("env", secrets.describeSecret(r -> r.secretId(arn)).tags().get(0).key());
    }

    @Test
    void stagesMoveBetweenVersionsAndRandomPasswordsFollowTheirRules() {
        var first = secrets.createSecret(r -> r.name("staged").secretString("one"));
        var second = secrets.putSecretValue(r -> r.secretId("staged").secretString("two"));
        assertError(400, "InvalidParameterException", "The staging label AWSCURRENT is currently attached to version "
                + second.versionId() + ", so you must explicitly reference that version in RemoveFromVersionId.",
                () -> secrets.updateSecretVersionStage(r -> r.secretId("staged").versionStage("AWSCURRENT")
                        .moveToVersionId(first.versionId())));
        secrets.updateSecretVersionStage(r -> r.secretId("staged").versionStage("AWSCURRENT")
                .removeFromVersionId(second.versionId()).moveToVersionId(first.versionId()));
        assertEquals("one", secrets.getSecretValue(r -> r.secretId("staged")).secretString(), "rolled back");
        assertEquals(Map.of(first.versionId(), List.of("AWSCURRENT"), second.versionId(), List.of("AWSPREVIOUS")),
                secrets.describeSecret(r -> r.secretId("staged")).versionIdsToStages());
        secrets.updateSecretVersionStage(r -> r.secretId("staged").versionStage("blue").moveToVersionId(second.versionId()));
        assertEquals("two", secrets.getSecretValue(r -> r.secretId("staged").versionStage("blue")).secretString());
        secrets.updateSecretVersionStage(r -> r.secretId("staged").versionStage("blue")
                .removeFromVersionId(second.versionId()));
        assertError(400, "ResourceNotFoundException", null, () -> secrets.getSecretValue(r -> r.secretId("staged")
                .versionStage("blue")));

        String password = secrets.getRandomPassword(r -> r.passwordLength(20L).excludePunctuation(true)
                .excludeCharacters("abc")).randomPassword();
        assertEquals(20, password.length());
        assertTrue(password.matches("[A-Za-z0-9]+") && password.chars().noneMatch(c -> "abc".indexOf(c) >= 0), password);
        assertTrue(password.matches(".*[A-Z].*") && password.matches(".*[0-9].*") && password.matches(".*[d-z].*"),
                password);
        assertEquals(32, secrets.getRandomPassword(r -> { }).randomPassword().length());
        assertError(400, "InvalidParameterException", null, () -> secrets.getRandomPassword(r -> r.excludeLowercase(true)
                .excludeUppercase(true).excludeNumbers(true).excludePunctuation(true)));
    }

    @Test
    void batchGetSecretValueAnswersEachSecretOnItsOwn() throws Exception {
        String first = secrets.createSecret(r -> r.name("batch/one").secretString("1").tags(t -> t.key("tier")
                .value("gold"))).arn();
        secrets.createSecret(r -> r.name("batch/two").secretString("2").description("second"));
        String gone = secrets.createSecret(r -> r.name("batch/gone").secretString("x")).arn();
        secrets.deleteSecret(r -> r.secretId(gone));

        var named = secrets.batchGetSecretValue(r -> r.secretIdList("batch/one", "batch/two", "batch/none", gone));
        assertEquals(List.of("1", "2"), named.secretValues().stream().map(v -> v.secretString()).toList());
        assertEquals(first, named.secretValues().get(0).arn());
        assertEquals(List.of("ResourceNotFoundException", "InvalidRequestException"), named.errors().stream()
                .map(e -> e.errorCode()).toList());
        assertEquals("batch/none", named.errors().get(0).secretId());

        // Filters: prefixes without regard to case, "!" to exclude, pages of MaxResults.
        assertEquals(List.of("batch/one", "batch/two"), secrets.batchGetSecretValue(r -> r.filters(
                f -> f.key("name").values("BATCH/"))).secretValues().stream().map(v -> v.name()).sorted().toList());
        assertEquals(List.of("batch/one"), secrets.batchGetSecretValue(r -> r.filters(f -> f.key("tag-value")
                .values("gold"))).secretValues().stream().map(v -> v.name()).toList());
        assertEquals(List.of("batch/two"), secrets.batchGetSecretValue(r -> r.filters(f -> f.key("name")
                .values("batch/"), f -> f.key("all").values("!gold"))).secretValues().stream().map(v -> v.name())
                .toList());
        var page = secrets.batchGetSecretValue(r -> r.filters(f -> f.key("name").values("batch/")).maxResults(1));
        assertEquals(1, page.secretValues().size());
        assertEquals(1, secrets.batchGetSecretValue(r -> r.filters(f -> f.key("name").values("batch/")).maxResults(1)
                .nextToken(page.nextToken())).secretValues().size());
        assertEquals(List.of("batch/one"), secrets.listSecrets(r -> r.filters(f -> f.key("tag-key").values("tier")))
                .secretList().stream().map(e -> e.name()).toList());

        assertError(400, "InvalidParameterException", "Either SecretIdList or Filters must be specified, but not both.",
                () -> secrets.batchGetSecretValue(r -> r.secretIdList("batch/one").filters(f -> f.key("name")
                        .values("b"))));
        assertError(400, "ValidationException", null, () -> secrets.batchGetSecretValue(r -> r.filters(f -> f
                .key("colour").values("b"))));
        assertError(400, "InvalidParameterException", "Filter name needs at least one value.",
                () -> secrets.batchGetSecretValue(r -> r.filters(f -> f.key("name"))));

        // A role that may read only one secret gets the other as an error, not a failed call.
        String role = "arn:aws:iam::" + SOURCE + ":role/batch-reader";
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.createRole(r -> r.roleName("batch-reader").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE
                    + ":root\"},\"Action\":\"sts:AssumeRole\"}]}"));
            iam.putRolePolicy(r -> r.roleName("batch-reader").policyName("read").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                            + "\"secretsmanager:BatchGetSecretValue\",\"Resource\":\"*\"},{\"Effect\":\"Allow\","
                            + "\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"" + first + "\"}]}"));
        }
        software.amazon.awssdk.services.sts.model.Credentials session;
        try (var sts = crossrole.sts(crossrole.adminCredentials(SOURCE))) {
            session = sts.assumeRole(r -> r.roleArn(role).roleSessionName("batch")).credentials();
        }
        try (SecretsManagerClient reader = client(TestCrossrole.session(session))) {
            var read = reader.batchGetSecretValue(r -> r.secretIdList("batch/one", "batch/two"));
            assertEquals(List.of("1"), read.secretValues().stream().map(v -> v.secretString()).toList());
            assertEquals("AccessDeniedException", read.errors().get(0).errorCode());
            assertEquals("batch/two", read.errors().get(0).secretId());
            // Filters need secretsmanager:ListSecrets too.
            assertError(400, "AccessDeniedException", null, () -> reader.batchGetSecretValue(r -> r.filters(f -> f
                    .key("name").values("batch/"))));
        }
    }
}
