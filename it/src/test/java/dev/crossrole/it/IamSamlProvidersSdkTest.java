package dev.crossrole.it;

import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.GetSamlProviderResponse;
import software.amazon.awssdk.services.iam.model.SAMLProviderListEntry;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * IAM SAML providers through the AWS SDK for Java v2: every operation of the model, IAM's answers to bad metadata,
 * names, private keys and encryption modes, quotas and duplicates, no reach into another account's providers, and
 * providers that survive a restart.
 */
class IamSamlProvidersSdkTest {
    static TestCrossrole crossrole;
    static IamClient iam;
    static IamClient otherAccount;
    static String metadata;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE));
        otherAccount = IamSdk.iam(crossrole, crossrole.adminCredentials(DESTINATION));
        metadata = metadata(crossrole.endpoint(), "idp.example.com");
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
        otherAccount.close();
        crossrole.close();
    }

    /** The built-in identity provider's metadata, fetched as anyone fetches an IdP's metadata (no token). */
    static String metadata(String endpoint, String issuer) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(endpoint + "/_crossrole/saml/" + issuer + "/metadata")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    static String arn(String name) {
        return "arn:aws:iam::" + SOURCE + ":saml-provider/" + name;
    }

    static String rsaPem() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new JcaPKCS8Generator(generator.generateKeyPair().getPrivate(), null));
        }
        return out.toString();
    }

    @Test
    void aProviderLivesThroughEveryOperation() throws Exception {
        Instant before = Instant.now().minusSeconds(5);
        String arn = iam.createSAMLProvider(r -> r.name("Okta").samlMetadataDocument(metadata)
                .tags(Tag.builder().key("team").value("identity").build())).samlProviderArn();
        assertEquals(arn("Okta"), arn);

        GetSamlProviderResponse got = iam.getSAMLProvider(r -> r.samlProviderArn(arn));
        assertEquals(metadata, got.samlMetadataDocument(), "the document as uploaded");
        assertTrue(got.samlProviderUUID().matches("[A-Z0-9]{22,64}"), got.samlProviderUUID());
        assertTrue(!got.createDate().isBefore(before), got.createDate().toString());
        assertTrue(got.validUntil().isAfter(got.createDate().plus(Duration.ofDays(365 * 99))),
                "a document without validUntil: a hundred years");
        assertEquals("Allowed", got.assertionEncryptionModeAsString());
        assertEquals(List.of(), got.privateKeyList());
        assertEquals("identity", got.tags().get(0).value());
        // IAM names are unique without regard to case: the ARN finds the provider in any case.
        assertEquals(got.samlProviderUUID(), iam.getSAMLProvider(r -> r.samlProviderArn(arn("OKTA")))
                .samlProviderUUID());

        SAMLProviderListEntry listed = iam.listSAMLProviders().samlProviderList().stream()
                .filter(p -> p.arn().equals(arn)).findFirst().orElseThrow();
        assertEquals(got.createDate(), listed.createDate());
        assertEquals(got.validUntil(), listed.validUntil());

        String other = metadata(crossrole.endpoint(), "other.example.com");
        assertEquals(arn, iam.updateSAMLProvider(r -> r.samlProviderArn(arn).samlMetadataDocument(other))
                .samlProviderArn());
        assertEquals(other, iam.getSAMLProvider(r -> r.samlProviderArn(arn)).samlMetadataDocument());

        // Private keys for encrypted assertions: their ids and upload times are shown, never the keys.
        iam.updateSAMLProvider(r -> r.samlProviderArn(arn).addPrivateKey(pem()).assertionEncryptionMode("Required"));
        GetSamlProviderResponse encrypted = iam.getSAMLProvider(r -> r.samlProviderArn(arn));
        assertEquals("Required", encrypted.assertionEncryptionModeAsString());
        assertEquals(1, encrypted.privateKeyList().size());
        String keyId = encrypted.privateKeyList().get(0).keyId();
        assertTrue(keyId.matches("[A-Z0-9]{22,64}"), keyId);
        assertNotNull(encrypted.privateKeyList().get(0).timestamp());
        assertError(() -> iam.updateSAMLProvider(r -> r.samlProviderArn(arn).removePrivateKey(keyId)), 400,
                "InvalidInput", "Failed to remove private key.");
        iam.updateSAMLProvider(r -> r.samlProviderArn(arn).assertionEncryptionMode("Allowed"));
        iam.updateSAMLProvider(r -> r.samlProviderArn(arn).removePrivateKey(keyId));
        assertEquals(List.of(), iam.getSAMLProvider(r -> r.samlProviderArn(arn)).privateKeyList());

        iam.tagSAMLProvider(r -> r.samlProviderArn(arn).tags(Tag.builder().key("env").value("ci").build()));
        assertEquals(2, iam.listSAMLProviderTags(r -> r.samlProviderArn(arn)).tags().size());
        iam.untagSAMLProvider(r -> r.samlProviderArn(arn).tagKeys("TEAM"));
        assertEquals(List.of("env"), iam.listSAMLProviderTags(r -> r.samlProviderArn(arn)).tags().stream()
                .map(Tag::key).toList());

        iam.deleteSAMLProvider(r -> r.samlProviderArn(arn));
        String missing = "Manifest not found for arn " + arn;
        assertError(() -> iam.getSAMLProvider(r -> r.samlProviderArn(arn)), 404, "NoSuchEntity", missing);
        assertError(() -> iam.deleteSAMLProvider(r -> r.samlProviderArn(arn)), 404, "NoSuchEntity", missing);
        assertError(() -> iam.tagSAMLProvider(r -> r.samlProviderArn(arn).tags(Tag.builder().key("k").value("v")
                .build())), 404, "NoSuchEntity", missing);
        assertFalse(iam.listSAMLProviders().samlProviderList().stream().anyMatch(p -> p.arn().equals(arn)));
    }

    private static String pem() {
        try {
            return rsaPem();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void badInputGetsIamsErrorsAndChangesNothing() throws Exception {
        String notMetadata = "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"x\">"
                + "<!-- " + "padding ".repeat(130) + " --></md:EntityDescriptor>";
        assertError(() -> iam.createSAMLProvider(r -> r.name("bad").samlMetadataDocument(notMetadata)), 400,
                "InvalidInput", "Could not parse metadata.");
        assertError(() -> iam.createSAMLProvider(r -> r.name("bad").samlMetadataDocument("x".repeat(1000))), 400,
                "InvalidInput", "Could not parse metadata.");
        assertError(() -> iam.createSAMLProvider(r -> r.name("bad").samlMetadataDocument("<short/>")), 400,
                "ValidationError", IamSdk.validation("<short/>", "sAMLMetadataDocument",
                        "Member must have length greater than or equal to 1000"));
        IamSdk.assertError(IamSdk.fails(() -> iam.createSAMLProvider(r -> r.name("has space")
                .samlMetadataDocument(metadata))), 400, "ValidationError", IamSdk.validation("has space", "name",
                "Member must satisfy regular expression pattern: [\\w._-]+"));
        assertError(() -> iam.createSAMLProvider(r -> r.name("bad").samlMetadataDocument(metadata)
                .assertionEncryptionMode("Required")), 400, "InvalidInput",
                "Unable to set assertion encryption mode to Required because no private key is provided.");
        assertError(() -> iam.createSAMLProvider(r -> r.name("bad").samlMetadataDocument(metadata)
                .addPrivateKey("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")), 400,
                "InvalidInput", "Invalid private key.");
        assertError(() -> iam.createSAMLProvider(r -> r.name("bad").samlMetadataDocument(metadata).tags(
                Tag.builder().key("k").value("1").build(), Tag.builder().key("K").value("2").build())),
                400, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
        assertFalse(iam.listSAMLProviders().samlProviderList().stream().anyMatch(p -> p.arn().endsWith("/bad")),
                "nothing refused was created");

        String arn = iam.createSAMLProvider(r -> r.name("Twice").samlMetadataDocument(metadata)).samlProviderArn();
        IamSdk.assertError(IamSdk.fails(() -> iam.createSAMLProvider(r -> r.name("TWICE").samlMetadataDocument(metadata))),
                409, "EntityAlreadyExists", "SAMLProvider TWICE already exists.");

        assertError(() -> iam.updateSAMLProvider(r -> r.samlProviderArn(arn)), 400, "InvalidInput",
                "Unable to update identity provider. No updates are defined for metadata or encryption assertion.");
        assertError(() -> iam.updateSAMLProvider(r -> r.samlProviderArn(arn).addPrivateKey(pem())
                .removePrivateKey("A".repeat(22))), 400, "InvalidInput", "Unable to add and remove private keys in the"
                + " same request. Set a value for only one of the two parameters.");
        assertError(() -> iam.updateSAMLProvider(r -> r.samlProviderArn(arn).removePrivateKey("A".repeat(22))), 400,
                "InvalidInput", "Failed to remove private key because the Key ID does not match a private key.");
        assertError(() -> iam.updateSAMLProvider(r -> r.samlProviderArn(arn).samlMetadataDocument("y".repeat(1200))),
                400, "InvalidInput", "Could not parse metadata.");
        assertError(() -> iam.updateSAMLProvider(r -> r.samlProviderArn(arn).assertionEncryptionMode("Required")),
                400, "InvalidInput",
                "Unable to set assertion encryption mode to Required because no private key is provided.");
        iam.updateSAMLProvider(r -> r.samlProviderArn(arn).addPrivateKey(pem()));
        iam.updateSAMLProvider(r -> r.samlProviderArn(arn).addPrivateKey(pem()));
        assertError(() -> iam.updateSAMLProvider(r -> r.samlProviderArn(arn).addPrivateKey(pem())), 409,
                "LimitExceeded", "Private key limit of 2 is reached.");
        GetSamlProviderResponse kept = iam.getSAMLProvider(r -> r.samlProviderArn(arn));
        assertEquals(metadata, kept.samlMetadataDocument(), "a refused update changes nothing");
        assertEquals(2, kept.privateKeyList().size());
        assertEquals("Allowed", kept.assertionEncryptionModeAsString());

        assertError(() -> iam.getSAMLProvider(r -> r.samlProviderArn("not-an-arn-at-all-here")), 400,
                "ValidationError", "Invalid ARN:  Could not be parsed!");
        assertError(() -> iam.getSAMLProvider(r -> r.samlProviderArn("arn:aws:iam::" + SOURCE + ":role/Twice")), 400,
                "InvalidInput", "ARN arn:aws:iam::" + SOURCE + ":role/Twice is not valid.");
    }

    @Test
    void anotherAccountsProviderIsOutOfReach() {
        String arn = iam.createSAMLProvider(r -> r.name("Private").samlMetadataDocument(metadata)
                .tags(Tag.builder().key("owner").value("source").build())).samlProviderArn();
        for (var call : List.<org.junit.jupiter.api.function.Executable>of(
                () -> otherAccount.getSAMLProvider(r -> r.samlProviderArn(arn)),
                () -> otherAccount.updateSAMLProvider(r -> r.samlProviderArn(arn).addPrivateKey(pem())),
                () -> otherAccount.tagSAMLProvider(r -> r.samlProviderArn(arn).tags(Tag.builder().key("owner")
                        .value("mallory").build())),
                () -> otherAccount.untagSAMLProvider(r -> r.samlProviderArn(arn).tagKeys("owner")),
                () -> otherAccount.listSAMLProviderTags(r -> r.samlProviderArn(arn)),
                () -> otherAccount.deleteSAMLProvider(r -> r.samlProviderArn(arn)))) {
            assertEquals(403, IamSdk.fails(call).statusCode());
        }
        assertTrue(otherAccount.listSAMLProviders().samlProviderList().stream().noneMatch(p -> p.arn().equals(arn)));
        GetSamlProviderResponse mine = iam.getSAMLProvider(r -> r.samlProviderArn(arn));
        assertEquals(List.of(), mine.privateKeyList());
        assertEquals("source", mine.tags().get(0).value());
        // The same name in the other account is another provider.
        String theirs = otherAccount.createSAMLProvider(r -> r.name("Private").samlMetadataDocument(metadata))
                .samlProviderArn();
        assertEquals("arn:aws:iam::" + DESTINATION + ":saml-provider/Private", theirs);
    }

    @Test
    void providersAndTheIdentityProvidersKeySurviveARestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        String before;
        String keyId;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
             IamClient client = iam(server)) {
            before = metadata(server.endpoint(), "idp.example.com");
            client.createSAMLProvider(r -> r.name("Kept").samlMetadataDocument(before)
                    .tags(Tag.builder().key("k").value("v").build()));
            client.updateSAMLProvider(r -> r.samlProviderArn(accountArn(server, "Kept")).addPrivateKey(pem())
                    .assertionEncryptionMode("Required"));
            keyId = client.getSAMLProvider(r -> r.samlProviderArn(accountArn(server, "Kept"))).privateKeyList().get(0)
                    .keyId();
            client.createSAMLProvider(r -> r.name("Gone").samlMetadataDocument(before));
            client.deleteSAMLProvider(r -> r.samlProviderArn(accountArn(server, "Gone")));
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
             IamClient client = iam(again)) {
            assertEquals(before, metadata(again.endpoint(), "idp.example.com"), "the identity provider keeps its key");
            GetSamlProviderResponse kept = client.getSAMLProvider(r -> r.samlProviderArn(accountArn(again, "Kept")));
            assertEquals(before, kept.samlMetadataDocument());
            assertEquals("Required", kept.assertionEncryptionModeAsString());
            assertEquals(keyId, kept.privateKeyList().get(0).keyId());
            assertEquals("v", kept.tags().get(0).value());
            assertEquals(List.of(accountArn(again, "Kept")), client.listSAMLProviders().samlProviderList().stream()
                    .map(SAMLProviderListEntry::arn).toList());
        }
    }

    private static String accountArn(CrossroleServer server, String name) {
        return "arn:aws:iam::" + server.profiles().get(0).account().id() + ":saml-provider/" + name;
    }

    private static IamClient iam(CrossroleServer server) {
        Bootstrap.Profile p = server.profiles().get(0);
        return IamClient.builder().endpointOverride(URI.create(server.endpoint()))
                .region(software.amazon.awssdk.regions.Region.AWS_GLOBAL)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(),
                        p.secretAccessKey())))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();
    }
}
