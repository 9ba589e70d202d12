package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.SdkErrors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Parameter;

/** Parameter Store through the SDK for Java v2: types, hierarchies, versions and labels, SecureStrings and KMS. */
class SsmParameterSdkTest {
    static TestCrossrole crossrole;
    static SsmClient ssm;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        ssm = client(crossrole, crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        ssm.close();
        crossrole.close();
    }

    static SsmClient client(TestCrossrole crossrole, AwsCredentialsProvider credentials) {
        return SsmClient.builder().endpointOverride(URI.create(crossrole.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    @Test
    void parametersHaveVersionsLabelsAndHierarchies() {
        assertEquals(1L, ssm.putParameter(r -> r.name("/app/prod/db/host").value("db1").type("String")).version());
        ssm.putParameter(r -> r.name("/app/prod/db/port").value("5432").type("String"));
        ssm.putParameter(r -> r.name("/app/prod/hosts").value("a,b").type("StringList"));
        ssm.putParameter(r -> r.name("/app/dev/db/host").value("dbdev").type("String"));
        assertError(400, "ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the"
                + " overwrite option in the request to true.", () -> ssm.putParameter(r -> r.name("/app/prod/db/host")
                .value("db2").type("String")));
        assertEquals(2L, ssm.putParameter(r -> r.name("/app/prod/db/host").value("db2").overwrite(true)).version());

        Parameter latest = ssm.getParameter(r -> r.name("/app/prod/db/host")).parameter();
        assertEquals("db2", latest.value());
        assertEquals(2L, latest.version());
        assertEquals("arn:aws:ssm:us-east-1:" + SOURCE + ":parameter/app/prod/db/host", latest.arn());
        assertEquals("db1", ssm.getParameter(r -> r.name("/app/prod/db/host:1")).parameter().value());
        ssm.labelParameterVersion(r -> r.name("/app/prod/db/host").parameterVersion(1L).labels("stable"));
        assertEquals("db1", ssm.getParameter(r -> r.name("/app/prod/db/host:stable")).parameter().value());
        assertEquals(List.of("stable"), ssm.getParameterHistory(r -> r.name("/app/prod/db/host")).parameters().get(0)
                .labels());

        assertEquals(List.of("/app/prod/db/host", "/app/prod/db/port"), ssm.getParametersByPath(r -> r
                .path("/app/prod/db")).parameters().stream().map(Parameter::name).toList());
        assertEquals(4, ssm.getParametersByPath(r -> r.path("/app").recursive(true)).parameters().size());
        assertEquals(List.of("/app/prod/hosts"), ssm.getParametersByPath(r -> r.path("/app/prod")).parameters()
                .stream().map(Parameter::name).toList());
        var both = ssm.getParameters(r -> r.names("/app/prod/db/port", "/app/none"));
        assertEquals(List.of("/app/none"), both.invalidParameters());
        assertEquals("5432", both.parameters().get(0).value());
        assertEquals(2, ssm.describeParameters(r -> r.parameterFilters(f -> f.key("Path").option("Recursive")
                .values("/app/prod/db"))).parameters().size());

        ssm.addTagsToResource(r -> r.resourceType("Parameter").resourceId("/app/prod/db/host")
                .tags(t -> t.key("team").value("data")));
        assertEquals("data", ssm.listTagsForResource(r -> r.resourceType("Parameter").resourceId("/app/prod/db/host"))
                .tagList().get(0).value());
        ssm.deleteParameter(r -> r.name("/app/dev/db/host"));
        assertError(400, "ParameterNotFound", null, () -> ssm.getParameter(r -> r.name("/app/dev/db/host")));
        assertError(400, "ParameterVersionNotFound", null, () -> ssm.getParameter(r -> r.name("/app/prod/db/host:9")));
    }

    @Test
    void badNamesAndValuesAreRefused() {
        String rule = "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a"
                + " path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of"
                + " letters, numbers and the following 3 symbols .-_";
        assertError(400, "ValidationException", rule, () -> ssm.putParameter(r -> r.name("/aws/x").value("v")
                .type("String")));
        assertError(400, "ValidationException", rule, () -> ssm.putParameter(r -> r.name("/a b").value("v")
                .type("String")));
        assertError(400, "HierarchyLevelLimitExceededException", null, () -> ssm.putParameter(r -> r
                .name("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16").value("v").type("String")));
        assertError(400, "ParameterPatternMismatchException", null, () -> ssm.putParameter(r -> r.name("/digits")
                .value("abc").type("String").allowedPattern("^[0-9]+$")));
        assertError(400, "ValidationException", null, () -> ssm.putParameter(r -> r.name("/big").value("x".repeat(4097))
                .type("String")));
        assertError(400, "ValidationException", null, () -> ssm.putParameter(r -> r.name("/typeless").value("v")));
        assertError(400, "ParameterNotFound", null, () -> ssm.getParameter(r -> r.name("/typeless")));
    }

    @Test
    void aSecureStringIsEncryptedAndItsReaderNeedsTheKey() throws Exception {
        ssm.putParameter(r -> r.name("/app/secret").value("hunter2").type("SecureString"));
        Parameter encrypted = ssm.getParameter(r -> r.name("/app/secret")).parameter();
        assertNotEquals("hunter2", encrypted.value(), "without decryption the value stays encrypted");
        assertEquals("hunter2", ssm.getParameter(r -> r.name("/app/secret").withDecryption(true)).parameter().value());

        String role = "arn:aws:iam::" + SOURCE + ":role/parameter-reader";
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.createRole(r -> r.roleName("parameter-reader").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                    + "\"Action\":\"sts:AssumeRole\"}]}"));
            iam.putRolePolicy(r -> r.roleName("parameter-reader").policyName("read").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ssm:GetParameter\","
                            + "\"Resource\":\"*\"}]}"));
        }
        software.amazon.awssdk.services.sts.model.Credentials session;
        try (var sts = crossrole.sts(crossrole.adminCredentials(SOURCE))) {
            session = sts.assumeRole(r -> r.roleArn(role).roleSessionName("reader")).credentials();
        }
        try (SsmClient reader = client(crossrole, TestCrossrole.session(session))) {
            // The account's aws/ssm key lets the account's principals decrypt through SSM.
            assertEquals("hunter2", reader.getParameter(r -> r.name("/app/secret").withDecryption(true)).parameter()
                    .value());
        }
        String keyArn;
        try (var kms = KmsSdkTest.client(crossrole, crossrole.adminCredentials(SOURCE))) {
            keyArn = kms.createKey(r -> { }).keyMetadata().arn();
        }
        ssm.putParameter(r -> r.name("/app/customer-key").value("s3cr3t").type("SecureString").keyId(keyArn));
        try (SsmClient reader = client(crossrole, TestCrossrole.session(session))) {
            // A customer key's default policy delegates to IAM, and the role may not kms:Decrypt.
            assertError(400, "AccessDeniedException", "The ciphertext refers to a customer master key that does not"
                    + " exist, does not exist in this region, or you are not allowed to access.", () -> reader
                    .getParameter(r -> r.name("/app/customer-key").withDecryption(true)));
            assertTrue(!reader.getParameter(r -> r.name("/app/customer-key")).parameter().value().equals("s3cr3t"));
        }
        // Another account's parameter: Parameter Store has no resource policies (AWS shares parameters only
        // through RAM), so the owner's side never allows.
        try (SsmClient otherAccount = client(crossrole, crossrole.adminCredentials(DESTINATION))) {
            AwsServiceException denied = assertThrows(AwsServiceException.class, () -> otherAccount.getParameter(r -> r
                    .name("arn:aws:ssm:us-east-1:" + SOURCE + ":parameter/app/secret")));
            assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
            assertTrue(denied.awsErrorDetails().errorMessage().endsWith("because no resource-based policy allows the"
                    + " ssm:GetParameter action"), denied.awsErrorDetails().errorMessage());
        }
    }
}
