package dev.crossrole.it;

import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.ListServerCertificatesResponse;
import software.amazon.awssdk.services.iam.model.ServerCertificateMetadata;
import software.amazon.awssdk.services.iam.model.SigningCertificate;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * IAM server certificates and users' signing certificates through the AWS SDK for Java v2: every operation, the
 * certificate, chain and key checks with IAM's errors, quotas, ids as IAM makes them, the private key never kept,
 * and no reach into another account.
 */
class IamCertificatesSdkTest {
    static TestCrossrole crossrole;
    static IamClient iam;
    static IamClient otherAccount;
    static TestCertificates.Issued root;
    static TestCertificates.Issued intermediate;
    static TestCertificates.Issued leaf;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE));
        otherAccount = IamSdk.iam(crossrole, crossrole.adminCredentials(DESTINATION));
        root = TestCertificates.issue("Test Root CA", null, true);
        intermediate = TestCertificates.issue("Test Intermediate CA", root, true);
        leaf = TestCertificates.issue("www.example.com", intermediate, false);
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
        otherAccount.close();
        crossrole.close();
    }

    static String chain() {
        return TestCertificates.pem(intermediate.certificate(), root.certificate());
    }

    private static void upload(IamClient client, String name) {
        client.uploadServerCertificate(r -> r.serverCertificateName(name).certificateBody(leaf.pem())
                .privateKey(leaf.privateKeyPem()));
    }

    @Test
    void aServerCertificateLivesThroughEveryOperation() {
        Instant before = Instant.now().minusSeconds(1);
        ServerCertificateMetadata uploaded = iam.uploadServerCertificate(r -> r.serverCertificateName("web")
                .path("/cloudfront/test/").certificateBody(leaf.pem()).privateKey(leaf.rsaPrivateKeyPem())
                .certificateChain(chain()).tags(Tag.builder().key("team").value("edge").build())).serverCertificateMetadata();
        assertEquals("arn:aws:iam::" + SOURCE + ":server-certificate/cloudfront/test/web", uploaded.arn());
        assertEquals("/cloudfront/test/", uploaded.path());
        assertTrue(uploaded.serverCertificateId().matches("ASCA[A-Z2-7]{17}"), uploaded.serverCertificateId());
        assertEquals(leaf.notAfter(), uploaded.expiration(), "the certificate's notAfter");
        assertTrue(!uploaded.uploadDate().isBefore(before) && !uploaded.uploadDate().isAfter(Instant.now()));

        var got = iam.getServerCertificate(r -> r.serverCertificateName("web")).serverCertificate();
        assertEquals(uploaded, got.serverCertificateMetadata());
        assertEquals(leaf.pem(), got.certificateBody());
        assertEquals(chain(), got.certificateChain());
        assertEquals(List.of(Tag.builder().key("team").value("edge").build()), got.tags());

        assertEquals(List.of("web"), names(iam.listServerCertificates(r -> r.pathPrefix("/cloudfront/"))));
        assertEquals(List.of(), names(iam.listServerCertificates(r -> r.pathPrefix("/elb/"))));

        iam.tagServerCertificate(r -> r.serverCertificateName("web").tags(Tag.builder().key("env").value("prod").build()));
        assertEquals(List.of("team", "env"), iam.listServerCertificateTags(r -> r.serverCertificateName("web")).tags()
                .stream().map(Tag::key).toList());
        iam.untagServerCertificate(r -> r.serverCertificateName("web").tagKeys("TEAM"));
        assertEquals(List.of("env"), iam.listServerCertificateTags(r -> r.serverCertificateName("web")).tags()
                .stream().map(Tag::key).toList());

        iam.updateServerCertificate(r -> r.serverCertificateName("web").newServerCertificateName("web-2026")
                .newPath("/elb/"));
        ServerCertificateMetadata moved = iam.getServerCertificate(r -> r.serverCertificateName("web-2026"))
                .serverCertificate().serverCertificateMetadata();
        assertEquals("arn:aws:iam::" + SOURCE + ":server-certificate/elb/web-2026", moved.arn());
        assertEquals(uploaded.serverCertificateId(), moved.serverCertificateId(), "a rename keeps the id");
        assertError(() -> iam.getServerCertificate(r -> r.serverCertificateName("web")), 404, "NoSuchEntity",
                "The Server Certificate with name web cannot be found.");

        iam.deleteServerCertificate(r -> r.serverCertificateName("web-2026"));
        assertError(() -> iam.getServerCertificate(r -> r.serverCertificateName("web-2026")), 404, "NoSuchEntity",
                "The Server Certificate with name web-2026 cannot be found.");
        assertError(() -> iam.deleteServerCertificate(r -> r.serverCertificateName("web-2026")), 404, "NoSuchEntity",
                "The Server Certificate with name web-2026 cannot be found.");
    }

    private static List<String> names(ListServerCertificatesResponse response) {
        return response.serverCertificateMetadataList().stream().map(ServerCertificateMetadata::serverCertificateName)
                .toList();
    }

    @Test
    void thePrivateKeyIsCheckedAndNeverKept() throws Exception {
        TestCertificates.Issued own = TestCertificates.issue("keep.example.com", null, false);
        iam.uploadServerCertificate(r -> r.serverCertificateName("kept-nowhere").certificateBody(own.pem())
                .privateKey(own.privateKeyPem()));
        // The key's base64 body appears in no file of the data directory (the store, its journal, its snapshots).
        String keyBody = own.privateKeyPem().lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        try (Stream<Path> files = Files.walk(crossrole.dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertFalse(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1)
                        .contains(keyBody), file + " holds the private key");
            }
        }
        iam.deleteServerCertificate(r -> r.serverCertificateName("kept-nowhere"));
    }

    @Test
    void badUploadsGetIamsErrorsAndCreateNothing() {
        TestCertificates.Issued other = TestCertificates.issue("other.example.com", null, false);
        Instant now = Instant.now();
        TestCertificates.Issued expired = TestCertificates.issue("old.example.com", TestCertificates.rsa(2048), null,
                false, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
        assertError(() -> iam.uploadServerCertificate(r -> r.serverCertificateName("bad").certificateBody("notacert")
                .privateKey(leaf.privateKeyPem())), 400, "MalformedCertificate",
                "Unable to parse certificate. Please ensure the certificate is in PEM format.");
        assertError(() -> iam.uploadServerCertificate(r -> r.serverCertificateName("bad").certificateBody(leaf.pem())
                .privateKey("notakey")), 400, "MalformedCertificate", "Invalid Private Key.");
        assertError(() -> iam.uploadServerCertificate(r -> r.serverCertificateName("bad").certificateBody(leaf.pem())
                .privateKey(other.privateKeyPem())), 400, "KeyPairMismatch",
                "The public key certificate and private key do not match.");
        assertError(() -> iam.uploadServerCertificate(r -> r.serverCertificateName("bad").certificateBody(leaf.pem())
                .privateKey(leaf.privateKeyPem()).certificateChain(TestCertificates.pem(root.certificate(),
                        intermediate.certificate()))), 400, "MalformedCertificate",
                "Unable to validate certificate chain. The certificate chain must start with the immediate signing"
                        + " certificate, followed by any intermediaries in order. The index within the chain of the"
                        + " invalid certificate is: 1");
        assertError(() -> iam.uploadServerCertificate(r -> r.serverCertificateName("bad").certificateBody(expired.pem())
                .privateKey(expired.privateKeyPem())), 400, "MalformedCertificate", "The certificate has expired.");
        assertError(() -> iam.uploadServerCertificate(r -> r.serverCertificateName("bad").certificateBody(leaf.pem())
                .privateKey(leaf.privateKeyPem()).tags(Tag.builder().key("k").value("1").build(),
                        Tag.builder().key("K").value("2").build())), 400, "InvalidInput",
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
        assertError(() -> iam.uploadServerCertificate(r -> r.serverCertificateName("has space").certificateBody(leaf.pem())
                .privateKey(leaf.privateKeyPem())), 400, "ValidationError", IamSdk.validation("has space",
                "serverCertificateName", "Member must satisfy regular expression pattern: [\\w+=,.@-]+"));
        assertError(() -> iam.getServerCertificate(r -> r.serverCertificateName("bad")), 404, "NoSuchEntity",
                "The Server Certificate with name bad cannot be found.");

        upload(iam, "twice");
        assertError(() -> upload(iam, "TWICE"), 409, "EntityAlreadyExists",
                "The Server Certificate with name TWICE already exists.");
        upload(iam, "third");
        assertError(() -> iam.updateServerCertificate(r -> r.serverCertificateName("third")
                .newServerCertificateName("Twice")), 409, "EntityAlreadyExists",
                "The Server Certificate with name Twice already exists.");
        assertError(() -> iam.updateServerCertificate(r -> r.serverCertificateName("absent")
                .newServerCertificateName("present")), 404, "NoSuchEntity",
                "The Server Certificate with name absent cannot be found.");
        iam.deleteServerCertificate(r -> r.serverCertificateName("twice"));
        iam.deleteServerCertificate(r -> r.serverCertificateName("third"));
    }

    @Test
    void anAccountHoldsTwentyServerCertificatesListedPageByPage() {
        // Its own account, so that the other tests' certificates do not count.
        try (TestCrossrole own = new TestCrossrole(); IamClient client = IamSdk.iam(own, own.adminCredentials(SOURCE))) {
            for (int i = 0; i < 20; i++) {
                upload(client, String.format("cert-%02d", i));
            }
            assertError(() -> upload(client, "cert-20"), 409, "LimitExceeded",
                    "Cannot exceed quota for ServerCertificatesPerAccount: 20");
            ListServerCertificatesResponse first = client.listServerCertificates(r -> r.maxItems(15));
            assertTrue(first.isTruncated());
            ListServerCertificatesResponse rest = client.listServerCertificates(r -> r.maxItems(15).marker(first.marker()));
            assertFalse(rest.isTruncated());
            assertEquals(20, names(first).size() + names(rest).size());
            assertEquals("cert-00", names(first).get(0));
            assertEquals(20, client.listServerCertificatesPaginator(r -> r.maxItems(7)).serverCertificateMetadataList()
                    .stream().count());
            assertEquals(20, client.getAccountSummary().summaryMapAsStrings().get("ServerCertificates"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void signingCertificatesOfAUserHaveIamsIdsAndAtMostTwo() {
        iam.createUser(r -> r.userName("signer"));
        TestCertificates.Issued first = TestCertificates.issue("signer-1", null, false);
        TestCertificates.Issued second = TestCertificates.issue("signer-2", null, false);
        SigningCertificate uploaded = iam.uploadSigningCertificate(r -> r.userName("signer")
                .certificateBody(first.pem())).certificate();
        assertEquals("signer", uploaded.userName());
        assertEquals(TestCertificates.signingCertificateId(first.certificate()), uploaded.certificateId());
        assertEquals(first.pem(), uploaded.certificateBody(), "as uploaded");
        assertEquals(StatusType.ACTIVE, uploaded.status());
        assertNotNull(uploaded.uploadDate());

        iam.updateSigningCertificate(r -> r.userName("signer").certificateId(uploaded.certificateId())
                .status(StatusType.INACTIVE));
        List<SigningCertificate> listed = iam.listSigningCertificates(r -> r.userName("signer")).certificates();
        assertEquals(1, listed.size());
        assertEquals(StatusType.INACTIVE, listed.get(0).status());
        assertEquals(first.pem(), listed.get(0).certificateBody());

        iam.createUser(r -> r.userName("other-signer"));
        assertError(() -> iam.uploadSigningCertificate(r -> r.userName("other-signer").certificateBody(first.pem())),
                409, "DuplicateCertificate", "The Certificate with id " + uploaded.certificateId()
                        + " already exists in this account.");
        iam.uploadSigningCertificate(r -> r.userName("signer").certificateBody(second.pem()));
        TestCertificates.Issued third = TestCertificates.issue("signer-3", null, false);
        assertError(() -> iam.uploadSigningCertificate(r -> r.userName("signer").certificateBody(third.pem())), 409,
                "LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2");
        assertError(() -> iam.uploadSigningCertificate(r -> r.userName("signer").certificateBody("notacert")), 400,
                "MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format.");
        assertError(() -> iam.uploadSigningCertificate(r -> r.userName("notauser").certificateBody(third.pem())), 404,
                "NoSuchEntity", "The user with name notauser cannot be found.");
        String unknown = "x".repeat(32);
        assertError(() -> iam.updateSigningCertificate(r -> r.userName("signer").certificateId(unknown)
                .status(StatusType.INACTIVE)), 404, "NoSuchEntity", "The Certificate with id " + unknown + " cannot be found.");
        // Another user's certificate is not found under this one.
        assertError(() -> iam.deleteSigningCertificate(r -> r.userName("other-signer")
                .certificateId(uploaded.certificateId())), 404, "NoSuchEntity",
                "The Certificate with id " + uploaded.certificateId() + " cannot be found.");
        assertError(() -> iam.deleteUser(r -> r.userName("signer")), 409, "DeleteConflict",
                "Cannot delete entity, must delete certificates first.");

        // A rename keeps the certificates; UserName is the new name.
        iam.updateUser(r -> r.userName("signer").newUserName("signer-renamed"));
        assertEquals(List.of("signer-renamed", "signer-renamed"), iam.listSigningCertificates(r -> r.userName(
                "signer-renamed")).certificates().stream().map(SigningCertificate::userName).toList());
        for (SigningCertificate c : iam.listSigningCertificates(r -> r.userName("signer-renamed")).certificates()) {
            iam.deleteSigningCertificate(r -> r.userName("signer-renamed").certificateId(c.certificateId()));
        }
        assertTrue(iam.listSigningCertificates(r -> r.userName("signer-renamed")).certificates().isEmpty());
        iam.deleteUser(r -> r.userName("signer-renamed"));
        iam.deleteUser(r -> r.userName("other-signer"));
    }

    @Test
    void withoutAUserNameTheCallerIsTheOwner() {
        TestCertificates.Issued own = TestCertificates.issue("admin-signing", null, false);
        SigningCertificate uploaded = iam.uploadSigningCertificate(r -> r.certificateBody(own.pem())).certificate();
        assertEquals("admin", uploaded.userName(), "the bootstrap administrator signed the call");
        assertEquals(List.of(uploaded.certificateId()), iam.listSigningCertificates(r -> { }).certificates().stream()
                .map(SigningCertificate::certificateId).toList());
        iam.deleteSigningCertificate(r -> r.certificateId(uploaded.certificateId()));
        assertTrue(iam.listSigningCertificates(r -> r.userName("admin")).certificates().isEmpty());
    }

    @Test
    void anotherAccountSeesNoneOfThisAccountsCertificates() {
        upload(iam, "private-cert");
        assertError(() -> otherAccount.getServerCertificate(r -> r.serverCertificateName("private-cert")), 404,
                "NoSuchEntity", "The Server Certificate with name private-cert cannot be found.");
        assertError(() -> otherAccount.deleteServerCertificate(r -> r.serverCertificateName("private-cert")), 404,
                "NoSuchEntity", "The Server Certificate with name private-cert cannot be found.");
        assertTrue(otherAccount.listServerCertificates().serverCertificateMetadataList().stream()
                .noneMatch(c -> c.serverCertificateName().equals("private-cert")));
        // Names are the account's own: the other account may use the same one.
        upload(otherAccount, "private-cert");
        assertTrue(otherAccount.getServerCertificate(r -> r.serverCertificateName("private-cert")).serverCertificate()
                .serverCertificateMetadata().arn().contains(DESTINATION));
        assertTrue(iam.getServerCertificate(r -> r.serverCertificateName("private-cert")).serverCertificate()
                .serverCertificateMetadata().arn().contains(SOURCE));

        // A user of this account whose policy allows reading one certificate reads that one only.
        var reader = crossrole.user(SOURCE, "cert-reader", Map.of("read", "{\"Version\":\"2012-10-17\",\"Statement\":{"
                + "\"Effect\":\"Allow\",\"Action\":\"iam:GetServerCertificate\",\"Resource\":\"arn:aws:iam::" + SOURCE
                + ":server-certificate/private-cert\"}}"));
        try (IamClient asReader = IamSdk.iam(crossrole, TestCrossrole.credentials(reader))) {
            assertEquals("private-cert", asReader.getServerCertificate(r -> r.serverCertificateName("private-cert"))
                    .serverCertificate().serverCertificateMetadata().serverCertificateName());
            var denied = IamSdk.fails(() -> asReader.deleteServerCertificate(r -> r.serverCertificateName("private-cert")));
            assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());
            assertEquals(403, denied.statusCode());
        }
        iam.deleteServerCertificate(r -> r.serverCertificateName("private-cert"));
        otherAccount.deleteServerCertificate(r -> r.serverCertificateName("private-cert"));
    }
}
