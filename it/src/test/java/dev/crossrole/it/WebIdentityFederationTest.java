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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.ExpiredTokenException;
import software.amazon.awssdk.services.sts.model.InvalidIdentityTokenException;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * A GitHub Actions deployment, played against crossrole: an IAM OIDC provider for
 * {@code https://token.actions.githubusercontent.com} in 111122223333, a role there trusting it for one repository,
 * a token from crossrole's built-in issuer ({@code crossrole oidc token}), and the clients' own web-identity credential
 * providers (the AWS CLI's {@code web_identity_token_file} profile and {@code AWS_WEB_IDENTITY_TOKEN_FILE}, the SDK for
 * Java's provider) assuming the role, then hopping to a role in 555566667777. Tokens for another repository or
 * audience, expired, tampered with or from an issuer the account does not trust are refused with STS's errors, and
 * {@code crossrole why} explains the denial.
 */
class WebIdentityFederationTest {
    static final String ISSUER = "token.actions.githubusercontent.com";
    static final String PROVIDER = "arn:aws:iam::" + SOURCE + ":oidc-provider/" + ISSUER;
    static final String DEPLOY_ROLE = roleArn(SOURCE, "github-deploy");
    static final String TARGET_ROLE = roleArn(DESTINATION, "deploy-target");

    static TestCrossrole crossrole;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        work = Files.createTempDirectory("crossrole-oidc");
        // The provider and the roles as a setup script would make them: with the AWS CLI.
        JsonNode created = AwsCli.ok(cli(null, Map.of(), "iam", "create-open-id-connect-provider", "--url",
                "https://" + ISSUER, "--client-id-list", "sts.amazonaws.com", "--thumbprint-list",
                "6938FD4D98BAB03FAADB97B34396831E3780AEA1"));
        assertEquals(PROVIDER, created.path("OpenIDConnectProviderArn").asText());
        Files.writeString(work.resolve("trust.json"), "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"Federated\":\"" + PROVIDER + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\","
                + "\"Condition\":{\"StringEquals\":{\"" + ISSUER + ":aud\":\"sts.amazonaws.com\"},"
                + "\"StringLike\":{\"" + ISSUER + ":sub\":\"repo:example-org/app:*\"}}}]}");
        AwsCli.ok(cli(null, Map.of(), "iam", "create-role", "--role-name", "github-deploy",
                "--assume-role-policy-document", "file://trust.json"));
        crossrole.rolePolicy(SOURCE, "github-deploy", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":\"sts:AssumeRole\",\"Resource\":\"" + TARGET_ROLE + "\"}]}");
        crossrole.role(DESTINATION, "deploy-target", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"" + DEPLOY_ROLE + "\"},\"Action\":\"sts:AssumeRole\"}]}");
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
        try (var files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Run cli(Path config, Map<String, String> extra, String... args) throws Exception {
        return AwsCli.run(crossrole, work, work, config, extra, args);
    }

    /** A token of the built-in issuer, through the command line as a user gets one. */
    static String token(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("oidc", "token", "--endpoint", crossrole.endpoint()));
        args.addAll(List.of(options));
        Run run = CrossroleCommand.run(work, Map.of("CROSSROLE_ADMIN_TOKEN", crossrole.adminToken()),
                args.toArray(String[]::new));
        assertEquals(0, run.exit(), run.toString());
        return run.stdout().strip();
    }

    static String mainBranchToken() throws Exception {
        return token("--sub", "repo:example-org/app:ref:refs/heads/main", "--aud", "sts.amazonaws.com",
                "--claim", "repository=example-org/app");
    }

    static Path tokenFile(String name, String token) throws Exception {
        Path file = work.resolve(name);
        Files.writeString(file, token);
        return file;
    }

    static StsClient anonymousSts() {
        return StsClient.builder().endpointOverride(URI.create(crossrole.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();
    }

    @Test
    void theCliAssumesTheRoleFromATokenFileThenHopsToTheOtherAccount() throws Exception {
        Path tokenFile = tokenFile("gha-token", mainBranchToken());
        Path config = work.resolve("config-gha");
        Files.writeString(config, String.join("\n",
                "[profile github]",
                "role_arn = " + DEPLOY_ROLE,
                "web_identity_token_file = " + tokenFile,
                "role_session_name = gha-run-42",
                "region = us-east-1",
                "",
                "[profile deploy]",
                "role_arn = " + TARGET_ROLE,
                "source_profile = github",
                "region = us-east-1",
                ""));
        JsonNode github = AwsCli.ok(cli(config, Map.of(), "sts", "get-caller-identity", "--profile", "github"));
        assertEquals("arn:aws:sts::" + SOURCE + ":assumed-role/github-deploy/gha-run-42", github.path("Arn").asText());
        JsonNode deploy = AwsCli.ok(cli(config, Map.of(), "sts", "get-caller-identity", "--profile", "deploy"));
        assertEquals(DESTINATION, deploy.path("Account").asText());
        assertTrue(deploy.path("Arn").asText().startsWith("arn:aws:sts::" + DESTINATION + ":assumed-role/deploy-target/"),
                deploy.toString());
    }

    @Test
    void theEnvironmentVariablesOfAWebIdentityWork() throws Exception {
        Path tokenFile = tokenFile("env-token", mainBranchToken());
        JsonNode identity = AwsCli.ok(cli(null, Map.of("AWS_SHARED_CREDENTIALS_FILE", work.resolve("none").toString(),
                "AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile.toString(), "AWS_ROLE_ARN", DEPLOY_ROLE,
                "AWS_ROLE_SESSION_NAME", "from-env"), "sts", "get-caller-identity"));
        assertEquals("arn:aws:sts::" + SOURCE + ":assumed-role/github-deploy/from-env", identity.path("Arn").asText());
    }

    @Test
    void boto3sWebIdentityProviderAssumesTheRoleThenHops() throws Exception {
        Path tokenFile = tokenFile("boto3-token", mainBranchToken());
        Path home = Files.createTempDirectory(work, "boto3");
        // boto3's own credential chain finds the web identity in the environment; its session then hops accounts.
        String script = "import boto3, json\n"
                + "first = boto3.Session().client('sts').get_caller_identity()['Arn']\n"
                + "hop = boto3.Session().client('sts').assume_role(RoleArn='" + TARGET_ROLE + "', RoleSessionName='hop')\n"
                + "print(json.dumps({'first': first, 'hop': hop['AssumedRoleUser']['Arn']}))\n";
        ProcessBuilder pb = new ProcessBuilder("python3", "-c", script).directory(home.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(home.resolve("stdout").toFile()).redirectError(home.resolve("stderr").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("HOME", home.toString());
        env.put("AWS_ENDPOINT_URL", crossrole.endpoint());
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_CONFIG_FILE", home.resolve("none").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("none").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile.toString());
        env.put("AWS_ROLE_ARN", DEPLOY_ROLE);
        env.put("AWS_ROLE_SESSION_NAME", "boto3-run");
        Process p = pb.start();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "boto3 finished");
        String stdout = Files.readString(home.resolve("stdout"));
        assertEquals(0, p.exitValue(), stdout + Files.readString(home.resolve("stderr")));
        JsonNode out = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stdout);
        assertEquals("arn:aws:sts::" + SOURCE + ":assumed-role/github-deploy/boto3-run", out.path("first").asText());
        assertEquals("arn:aws:sts::" + DESTINATION + ":assumed-role/deploy-target/hop", out.path("hop").asText());
    }

    @Test
    void theJavaSdkProviderAssumesTheRoleAndReportsTheToken() throws Exception {
        String token = mainBranchToken();
        try (StsClient sts = anonymousSts()) {
            AssumeRoleWithWebIdentityResponse response = sts.assumeRoleWithWebIdentity(r -> r.roleArn(DEPLOY_ROLE)
                    .roleSessionName("java").webIdentityToken(token));
            assertEquals("repo:example-org/app:ref:refs/heads/main", response.subjectFromWebIdentityToken());
            assertEquals("https://" + ISSUER, response.provider());
            assertEquals("sts.amazonaws.com", response.audience());
            assertEquals("arn:aws:sts::" + SOURCE + ":assumed-role/github-deploy/java", response.assumedRoleUser().arn());
            try (StsAssumeRoleWithWebIdentityCredentialsProvider provider = StsAssumeRoleWithWebIdentityCredentialsProvider
                    .builder().stsClient(sts).refreshRequest(r -> r.roleArn(DEPLOY_ROLE).roleSessionName("java-provider")
                            .webIdentityToken(token)).build();
                 StsClient asRole = crossrole.sts(provider)) {
                assertEquals("arn:aws:sts::" + SOURCE + ":assumed-role/github-deploy/java-provider",
                        asRole.getCallerIdentity().arn());
            }
        }
    }

    @Test
    void theJavaSdkTokenFileProviderWorksFromItsSettings() throws Exception {
        Path tokenFile = tokenFile("java-token", mainBranchToken());
        // What AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME and AWS_ENDPOINT_URL set, as the SDK's
        // system properties (a test cannot change its own environment).
        Map<String, String> settings = Map.of("aws.webIdentityTokenFile", tokenFile.toString(), "aws.roleArn", DEPLOY_ROLE,
                "aws.roleSessionName", "java-token-file", "aws.endpointUrl", crossrole.endpoint(), "aws.region", "us-east-1");
        settings.forEach(System::setProperty);
        try (var provider = software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider.create();
             StsClient asRole = crossrole.sts(provider)) {
            assertEquals("arn:aws:sts::" + SOURCE + ":assumed-role/github-deploy/java-token-file",
                    asRole.getCallerIdentity().arn());
        } finally {
            settings.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void aTokenOfAnotherRepositoryIsDeniedAndExplained() throws Exception {
        String other = token("--sub", "repo:example-org/other:ref:refs/heads/main", "--aud", "sts.amazonaws.com");
        try (StsClient sts = anonymousSts()) {
            StsException e = assertThrows(StsException.class, () -> sts.assumeRoleWithWebIdentity(r -> r
                    .roleArn(DEPLOY_ROLE).roleSessionName("other").webIdentityToken(other)));
            assertEquals(403, e.statusCode());
            assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
            assertEquals("Not authorized to perform sts:AssumeRoleWithWebIdentity", e.awsErrorDetails().errorMessage());
            Run why = CrossroleCommand.run(work, Map.of("CROSSROLE_ADMIN_TOKEN", crossrole.adminToken()), "why",
                    "--endpoint", crossrole.endpoint(), e.requestId());
            assertEquals(0, why.exit(), why.toString());
            assertTrue(why.stdout().contains(PROVIDER), why.stdout());
            assertTrue(why.stdout().contains(ISSUER + ":sub"), why.stdout());
            assertTrue(why.stdout().contains("repo:example-org/other:ref:refs/heads/main"), why.stdout());
        }
    }

    @Test
    void tokensTheAccountCannotTrustAreRefusedWithStsErrors() throws Exception {
        try (StsClient sts = anonymousSts()) {
            String otherAudience = token("--sub", "repo:example-org/app:ref:refs/heads/main", "--aud", "api://other");
            InvalidIdentityTokenException audience = assertThrows(InvalidIdentityTokenException.class,
                    () -> sts.assumeRoleWithWebIdentity(r -> r.roleArn(DEPLOY_ROLE).roleSessionName("s1")
                            .webIdentityToken(otherAudience)));
            assertEquals("Incorrect token audience", audience.awsErrorDetails().errorMessage());

            String untrustedIssuer = token("--issuer", "gitlab.com", "--sub", "project_path:example-org/app:ref_type:branch",
                    "--aud", "sts.amazonaws.com");
            InvalidIdentityTokenException issuer = assertThrows(InvalidIdentityTokenException.class,
                    () -> sts.assumeRoleWithWebIdentity(r -> r.roleArn(DEPLOY_ROLE).roleSessionName("s1")
                            .webIdentityToken(untrustedIssuer)));
            assertEquals("No OpenIDConnect provider found in your account for https://gitlab.com",
                    issuer.awsErrorDetails().errorMessage());

            String good = mainBranchToken();
            String[] parts = good.split("\\.");
            String forgedClaims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                            .replace("example-org/app", "example-org/apq").getBytes(StandardCharsets.UTF_8));
            String forged = parts[0] + "." + forgedClaims + "." + parts[2];
            InvalidIdentityTokenException tampered = assertThrows(InvalidIdentityTokenException.class,
                    () -> sts.assumeRoleWithWebIdentity(r -> r.roleArn(DEPLOY_ROLE).roleSessionName("s1")
                            .webIdentityToken(forged)));
            assertEquals(400, tampered.statusCode());
            assertThrows(InvalidIdentityTokenException.class, () -> sts.assumeRoleWithWebIdentity(r -> r
                    .roleArn(DEPLOY_ROLE).roleSessionName("s1").webIdentityToken("not-a-jwt")));

            String shortLived = token("--sub", "repo:example-org/app:ref:refs/heads/main", "--aud", "sts.amazonaws.com",
                    "--ttl", "1");
            Thread.sleep(1_500);
            ExpiredTokenException expired = assertThrows(ExpiredTokenException.class,
                    () -> sts.assumeRoleWithWebIdentity(r -> r.roleArn(DEPLOY_ROLE).roleSessionName("s1")
                            .webIdentityToken(shortLived)));
            assertTrue(expired.awsErrorDetails().errorMessage().startsWith("Token expired: current date/time "),
                    expired.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void aTokensSessionTagsNeedTagSessionAndBecomePrincipalTags() throws Exception {
        crossrole.role(SOURCE, "github-tagged", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"Federated\":\"" + PROVIDER + "\"},\"Action\":[\"sts:AssumeRoleWithWebIdentity\","
                + "\"sts:TagSession\"],\"Condition\":{\"StringEquals\":{\"" + ISSUER + ":aud\":\"sts.amazonaws.com\"}}}]}",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:ListAllMyBuckets\","
                + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/team\":\"deploy\"}}}]}");
        String tagged = token("--sub", "repo:example-org/app:ref:refs/heads/main", "--aud", "sts.amazonaws.com",
                "--claim", "https://aws.amazon.com/tags={\"principal_tags\":{\"team\":[\"deploy\"]},"
                        + "\"transitive_tag_keys\":[\"team\"]}");
        try (StsClient sts = anonymousSts()) {
            var session = sts.assumeRoleWithWebIdentity(r -> r.roleArn(roleArn(SOURCE, "github-tagged"))
                    .roleSessionName("tagged").webIdentityToken(tagged)).credentials();
            try (var s3 = S3Sdk.pathStyle(crossrole, TestCrossrole.session(session))) {
                s3.listBuckets();
            }
            // The deploy role's trust policy allows no sts:TagSession: a token carrying tags is refused there.
            StsException refused = assertThrows(StsException.class, () -> sts.assumeRoleWithWebIdentity(r -> r
                    .roleArn(DEPLOY_ROLE).roleSessionName("tagged").webIdentityToken(tagged)));
            assertEquals(403, refused.statusCode());
            assertEquals("Not authorized to perform sts:TagSession", refused.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void theIssuerPublishesItsDiscoveryDocumentAndKeys() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> discovery = http.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint()
                + "/_crossrole/oidc/" + ISSUER + "/.well-known/openid-configuration")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, discovery.statusCode(), discovery.body());
        JsonNode document = new com.fasterxml.jackson.databind.ObjectMapper().readTree(discovery.body());
        assertEquals("https://" + ISSUER, document.path("issuer").asText());
        HttpResponse<String> keys = http.send(HttpRequest.newBuilder(URI.create(document.path("jwks_uri").asText()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, keys.statusCode(), keys.body());
        JsonNode key = new com.fasterxml.jackson.databind.ObjectMapper().readTree(keys.body()).path("keys").path(0);
        assertEquals("EC", key.path("kty").asText());
        assertTrue(key.path("d").isMissingNode(), "the private part is never published");

        // Minting is the administrator's: without the token, refused.
        HttpResponse<String> anonymousMint = http.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint()
                + "/_crossrole/oidc/" + ISSUER + "/token?sub=x&aud=sts.amazonaws.com")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymousMint.statusCode(), anonymousMint.body());
    }

    @Test
    void providersAndTheIssuersKeySurviveARestart(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        String token;
        HttpClient http = HttpClient.newHttpClient();
        try (var server = dev.crossrole.server.CrossroleServer.start(dev.crossrole.server.CrossroleServer.Options
                .defaults(data).withPort(0))) {
            var admin = server.profiles().get(0);
            try (var iam = software.amazon.awssdk.services.iam.IamClient.builder()
                    .endpointOverride(URI.create(server.endpoint())).region(Region.AWS_GLOBAL)
                    .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(admin.accessKeyId(),
                                    admin.secretAccessKey())))
                    .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
                iam.createOpenIDConnectProvider(r -> r.url("https://" + ISSUER).clientIDList("sts.amazonaws.com"));
                iam.createRole(r -> r.roleName("kept-deploy").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                        + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::"
                        + admin.account().id() + ":oidc-provider/" + ISSUER + "\"},"
                        + "\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}"));
            }
            HttpResponse<String> minted = http.send(HttpRequest.newBuilder(URI.create(server.endpoint()
                    + "/_crossrole/oidc/" + ISSUER + "/token?sub=kept&aud=sts.amazonaws.com"))
                    .header("Authorization", "Bearer " + Files.readString(server.adminTokenFile()).strip()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, minted.statusCode(), minted.body());
            token = new com.fasterxml.jackson.databind.ObjectMapper().readTree(minted.body()).path("token").asText();
        }
        try (var again = dev.crossrole.server.CrossroleServer.start(dev.crossrole.server.CrossroleServer.Options
                .defaults(data).withPort(0));
             StsClient sts = StsClient.builder().endpointOverride(URI.create(again.endpoint())).region(Region.US_EAST_1)
                     .credentialsProvider(AnonymousCredentialsProvider.create())
                     .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            String account = again.profiles().get(0).account().id();
            assertEquals("arn:aws:sts::" + account + ":assumed-role/kept-deploy/after-restart", sts.assumeRoleWithWebIdentity(
                    r -> r.roleArn("arn:aws:iam::" + account + ":role/kept-deploy").roleSessionName("after-restart")
                            .webIdentityToken(token)).assumedRoleUser().arn());
        }
    }

    @Test
    void onlyTheWebIdentityOperationsMayBeUnsigned() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> assumeRole = http.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("Action=AssumeRole&Version=2011-06-15&RoleArn=" + TARGET_ROLE
                        + "&RoleSessionName=x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, assumeRole.statusCode(), assumeRole.body());
        assertTrue(assumeRole.body().contains("MissingAuthenticationToken"), assumeRole.body());
    }
}
