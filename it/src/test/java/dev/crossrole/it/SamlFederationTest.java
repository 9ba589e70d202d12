package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithSamlResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.InvalidIdentityTokenException;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * A corporate SAML sign-in, played against crossrole: an IAM SAML provider in 111122223333 made (with the AWS CLI)
 * of the metadata of crossrole's built-in identity provider ({@code crossrole saml metadata}), a role there trusting
 * it for the company's users, a response from the built-in identity provider ({@code crossrole saml assertion}),
 * and the AWS CLI's {@code aws sts assume-role-with-saml} and the SDK for Java v2 assuming the role, then hopping to
 * a role in 555566667777. Responses for another user, tampered with, for a provider the account does not have, or
 * without the role are refused with STS's errors, encrypted assertions are decrypted with the provider's key, and
 * {@code crossrole why} explains a denial.
 */
class SamlFederationTest {
    static final String ISSUER = "idp.example.com";
    static final String PROVIDER = "arn:aws:iam::" + SOURCE + ":saml-provider/corp";
    static final String ENCRYPTED_PROVIDER = "arn:aws:iam::" + SOURCE + ":saml-provider/corp-encrypted";
    static final String ROLE = roleArn(SOURCE, "saml-engineers");
    static final String TARGET_ROLE = roleArn(DESTINATION, "saml-target");

    static TestCrossrole crossrole;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        work = Files.createTempDirectory("crossrole-saml");
        // The identity provider's metadata, as an administrator downloads it, then the provider made with the CLI.
        Files.writeString(work.resolve("metadata.xml"), crossroleCommand("saml", "metadata", "--issuer", ISSUER));
        JsonNode created = AwsCli.ok(cli("iam", "create-saml-provider", "--name", "corp",
                "--saml-metadata-document", "file://metadata.xml"));
        assertEquals(PROVIDER, created.path("SAMLProviderArn").asText());
        AwsCli.ok(cli("iam", "create-saml-provider", "--name", "corp-encrypted",
                "--saml-metadata-document", "file://metadata.xml"));
        // AWS's trust policy for SAML 2.0 federation, narrowed to the company's users.
        Files.writeString(work.resolve("trust.json"), "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"Federated\":[\"" + PROVIDER + "\",\"" + ENCRYPTED_PROVIDER + "\"]},"
                + "\"Action\":[\"sts:AssumeRoleWithSAML\",\"sts:TagSession\",\"sts:SetSourceIdentity\"],"
                + "\"Condition\":{\"StringEquals\":{\"SAML:aud\":\"https://signin.aws.amazon.com/saml\"},"
                + "\"StringLike\":{\"saml:sub\":\"*@example.com\"}}}]}");
        AwsCli.ok(cli("iam", "create-role", "--role-name", "saml-engineers", "--assume-role-policy-document",
                "file://trust.json"));
        crossrole.rolePolicy(SOURCE, "saml-engineers", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":\"sts:AssumeRole\",\"Resource\":\"" + TARGET_ROLE + "\"}]}");
        crossrole.role(DESTINATION, "saml-target", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"" + ROLE + "\"},\"Action\":\"sts:AssumeRole\"}]}");
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
        try (var files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Run cli(String... args) throws Exception {
        return AwsCli.run(crossrole, work, work, null, Map.of(), args);
    }

    static String crossroleCommand(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--endpoint", crossrole.endpoint()));
        Run run = CrossroleCommand.run(work, Map.of("CROSSROLE_ADMIN_TOKEN", crossrole.adminToken()),
                all.toArray(String[]::new));
        assertEquals(0, run.exit(), run.toString());
        return run.stdout();
    }

    /** A response of the built-in identity provider, through the command line as a user gets one. */
    static String assertion(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("saml", "assertion", "--issuer", ISSUER, "--role", ROLE));
        args.addAll(List.of(options));
        return crossroleCommand(args.toArray(String[]::new)).strip();
    }

    static String alice() throws Exception {
        return assertion("--provider", PROVIDER, "--sub", "alice@example.com", "--session-name", "alice");
    }

    static StsClient anonymousSts() {
        return StsClient.builder().endpointOverride(URI.create(crossrole.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();
    }

    @Test
    void theCliAssumesTheRoleWithAResponseAndUsesTheSession() throws Exception {
        Files.writeString(work.resolve("alice.saml"), alice());
        JsonNode assumed = AwsCli.ok(cli("sts", "assume-role-with-saml", "--role-arn", ROLE, "--principal-arn", PROVIDER,
                "--saml-assertion", "file://alice.saml"));
        assertEquals("arn:aws:sts::" + SOURCE + ":assumed-role/saml-engineers/alice",
                assumed.path("AssumedRoleUser").path("Arn").asText());
        assertEquals("alice@example.com", assumed.path("Subject").asText());
        assertEquals("persistent", assumed.path("SubjectType").asText());
        assertEquals("https://" + ISSUER, assumed.path("Issuer").asText());
        assertEquals("https://signin.aws.amazon.com/saml", assumed.path("Audience").asText());
        assertEquals(Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-1")
                .digest(("https://" + ISSUER + SOURCE + "/corp").getBytes(StandardCharsets.UTF_8))),
                assumed.path("NameQualifier").asText());
        JsonNode credentials = assumed.path("Credentials");
        JsonNode identity = AwsCli.ok(AwsCli.run(crossrole, work, work, null, Map.of(
                "AWS_SHARED_CREDENTIALS_FILE", work.resolve("none").toString(),
                "AWS_ACCESS_KEY_ID", credentials.path("AccessKeyId").asText(),
                "AWS_SECRET_ACCESS_KEY", credentials.path("SecretAccessKey").asText(),
                "AWS_SESSION_TOKEN", credentials.path("SessionToken").asText()), "sts", "get-caller-identity"));
        assertEquals("arn:aws:sts::" + SOURCE + ":assumed-role/saml-engineers/alice", identity.path("Arn").asText());
    }

    @Test
    void theJavaSdkAssumesTheRoleThenHopsToTheOtherAccount() throws Exception {
        String response = assertion("--provider", PROVIDER, "--sub", "bob@example.com", "--sub-type", "transient",
                "--attribute", "SessionDuration=1800", "--attribute", "PrincipalTag:team=platform",
                "--attribute", "SourceIdentity=bob");
        try (StsClient sts = anonymousSts()) {
            AssumeRoleWithSamlResponse assumed = sts.assumeRoleWithSAML(r -> r.roleArn(ROLE).principalArn(PROVIDER)
                    .samlAssertion(response));
            assertEquals("bob@example.com", assumed.subject());
            assertEquals("transient", assumed.subjectType());
            assertEquals("bob", assumed.sourceIdentity());
            assertEquals("arn:aws:sts::" + SOURCE + ":assumed-role/saml-engineers/bob@example.com",
                    assumed.assumedRoleUser().arn(), "the session is named by the subject when no name is given");
            Credentials session = assumed.credentials();
            long lifetime = session.expiration().getEpochSecond() - java.time.Instant.now().getEpochSecond();
            assertTrue(lifetime <= 1800 && lifetime > 1700, "SessionDuration shortens the session: " + lifetime);
            try (StsClient asFederated = crossrole.sts(TestCrossrole.session(session))) {
                Credentials target = asFederated.assumeRole(r -> r.roleArn(TARGET_ROLE).roleSessionName("hop"))
                        .credentials();
                try (StsClient inDestination = crossrole.sts(TestCrossrole.session(target))) {
                    var who = inDestination.getCallerIdentity();
                    assertEquals(DESTINATION, who.account());
                    assertEquals("arn:aws:sts::" + DESTINATION + ":assumed-role/saml-target/hop", who.arn());
                }
            }
        }
    }

    @Test
    void aResponseForAnotherUserIsDeniedAndExplained() throws Exception {
        String mallory = assertion("--provider", PROVIDER, "--sub", "mallory@evil.example", "--session-name", "mallory");
        try (StsClient sts = anonymousSts()) {
            StsException e = assertThrows(StsException.class, () -> sts.assumeRoleWithSAML(r -> r.roleArn(ROLE)
                    .principalArn(PROVIDER).samlAssertion(mallory)));
            assertEquals(403, e.statusCode());
            assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
            assertEquals("Not authorized to perform sts:AssumeRoleWithSAML", e.awsErrorDetails().errorMessage());
            Run why = CrossroleCommand.run(work, Map.of("CROSSROLE_ADMIN_TOKEN", crossrole.adminToken()), "why",
                    "--endpoint", crossrole.endpoint(), e.requestId());
            assertEquals(0, why.exit(), why.toString());
            assertTrue(why.stdout().contains(PROVIDER), why.stdout());
            assertTrue(why.stdout().contains("saml:sub"), why.stdout());
            assertTrue(why.stdout().contains("mallory@evil.example"), why.stdout());
        }
    }

    @Test
    void responsesTheAccountCannotTrustAreRefusedWithStsErrors() throws Exception {
        String good = alice();
        try (StsClient sts = anonymousSts()) {
            String xml = new String(Base64.getDecoder().decode(good), StandardCharsets.UTF_8);
            String tampered = Base64.getEncoder().encodeToString(xml.replace("alice@example.com", "alice@example.org")
                    .getBytes(StandardCharsets.UTF_8));
            InvalidIdentityTokenException signature = assertThrows(InvalidIdentityTokenException.class,
                    () -> sts.assumeRoleWithSAML(r -> r.roleArn(ROLE).principalArn(PROVIDER).samlAssertion(tampered)));
            assertEquals("Response signature invalid", signature.awsErrorDetails().errorMessage());
            assertEquals(400, signature.statusCode());

            String elsewhere = "arn:aws:iam::" + DESTINATION + ":saml-provider/corp";
            InvalidIdentityTokenException provider = assertThrows(InvalidIdentityTokenException.class,
                    () -> sts.assumeRoleWithSAML(r -> r.roleArn(ROLE).principalArn(elsewhere).samlAssertion(good)));
            assertEquals("Specified provider doesn't exist", provider.awsErrorDetails().errorMessage());

            String otherRole = roleArn(SOURCE, "other-role");
            InvalidIdentityTokenException role = assertThrows(InvalidIdentityTokenException.class,
                    () -> sts.assumeRoleWithSAML(r -> r.roleArn(otherRole).principalArn(PROVIDER).samlAssertion(good)));
            assertEquals("SAML Assertion doesn't contain the requested Role and Metadata in the attributes",
                    role.awsErrorDetails().errorMessage());

            InvalidIdentityTokenException base64 = assertThrows(InvalidIdentityTokenException.class,
                    () -> sts.assumeRoleWithSAML(r -> r.roleArn(ROLE).principalArn(PROVIDER).samlAssertion("%%%%")));
            assertEquals("Invalid base64 SAMLResponse", base64.awsErrorDetails().errorMessage());

            StsException malformed = assertThrows(StsException.class, () -> sts.assumeRoleWithSAML(r -> r.roleArn(ROLE)
                    .principalArn(PROVIDER).samlAssertion(good).policy("{\"Version\":\"2012-10-17\"}")));
            assertEquals("MalformedPolicyDocument", malformed.awsErrorDetails().errorCode());

            StsException tooLong = assertThrows(StsException.class, () -> sts.assumeRoleWithSAML(r -> r.roleArn(ROLE)
                    .principalArn(PROVIDER).samlAssertion(good).durationSeconds(7200)));
            assertEquals("ValidationError", tooLong.awsErrorDetails().errorCode());
            assertEquals("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                    tooLong.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void aSessionPolicyNarrowsTheSession() throws Exception {
        String response = assertion("--provider", PROVIDER, "--sub", "dave@example.com", "--session-name", "dave");
        try (StsClient sts = anonymousSts()) {
            AssumeRoleWithSamlResponse assumed = sts.assumeRoleWithSAML(r -> r.roleArn(ROLE).principalArn(PROVIDER)
                    .samlAssertion(response).policy("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                            + "\"Action\":\"sts:GetCallerIdentity\",\"Resource\":\"*\"}}"));
            assertTrue(assumed.packedPolicySize() > 0, assumed.toString());
            try (StsClient narrowed = crossrole.sts(TestCrossrole.session(assumed.credentials()))) {
                StsException denied = assertThrows(StsException.class, () -> narrowed.assumeRole(r -> r
                        .roleArn(TARGET_ROLE).roleSessionName("hop")));
                assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());
                assertEquals(SOURCE, narrowed.getCallerIdentity().account());
            }
        }
    }

    @Test
    void anEncryptedAssertionIsDecryptedWithTheProvidersKey() throws Exception {
        String key = IamSamlProvidersSdkTest.rsaPem();
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.updateSAMLProvider(r -> r.samlProviderArn(ENCRYPTED_PROVIDER).addPrivateKey(key)
                    .assertionEncryptionMode("Required"));
        }
        String encrypted = assertion("--provider", ENCRYPTED_PROVIDER, "--sub", "carol@example.com");
        assertTrue(new String(Base64.getDecoder().decode(encrypted), StandardCharsets.UTF_8)
                .contains("EncryptedAssertion"), "the IdP encrypts for the provider's key");
        try (StsClient sts = anonymousSts()) {
            assertEquals("carol@example.com", sts.assumeRoleWithSAML(r -> r.roleArn(ROLE)
                    .principalArn(ENCRYPTED_PROVIDER).samlAssertion(encrypted)).subject());
            String clear = assertion("--provider", ENCRYPTED_PROVIDER, "--sub", "carol@example.com", "--encrypt", "no");
            assertThrows(InvalidIdentityTokenException.class, () -> sts.assumeRoleWithSAML(r -> r.roleArn(ROLE)
                    .principalArn(ENCRYPTED_PROVIDER).samlAssertion(clear)));
        }
    }

    @Test
    void theMetadataIsPublicAndSigningIsTheAdministrators() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> metadata = http.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint()
                + "/_crossrole/saml/" + ISSUER + "/metadata")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metadata.statusCode(), metadata.body());
        assertTrue(metadata.body().contains("entityID=\"https://" + ISSUER + "\""), metadata.body());
        assertTrue(!metadata.body().contains("PRIVATE"), "the key is never published");
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint()
                + "/_crossrole/saml/" + ISSUER + "/assertion?role=" + ROLE + "&provider=" + PROVIDER + "&sub=x"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), anonymous.body());
    }
}
