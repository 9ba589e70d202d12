package dev.crossrole.it;

import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.EncodingType;
import software.amazon.awssdk.services.iam.model.SSHPublicKey;
import software.amazon.awssdk.services.iam.model.SSHPublicKeyMetadata;
import software.amazon.awssdk.services.iam.model.ServiceSpecificCredential;
import software.amazon.awssdk.services.iam.model.ServiceSpecificCredentialMetadata;
import software.amazon.awssdk.services.iam.model.StatusType;

/**
 * SSH public keys and service-specific credentials of IAM users through the AWS SDK for Java v2: every operation,
 * fingerprints as {@code ssh-keygen -E md5 -l} prints them, both encodings, IAM's errors (those of service-specific
 * credentials as recorded from AWS), quotas, DeleteUser's refusal, and no reach into another account.
 */
class IamSshKeysAndServiceCredentialsSdkTest {
    static TestCrossrole crossrole;
    static IamClient iam;
    static IamClient otherAccount;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE));
        otherAccount = IamSdk.iam(crossrole, crossrole.adminCredentials(DESTINATION));
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
        otherAccount.close();
        crossrole.close();
    }

    /** An OpenSSH {@code ssh-rsa} line for a new key, written here from the SSH wire format (RFC 4253). */
    static String sshRsa(int bits) {
        RSAPublicKey key = (RSAPublicKey) TestCertificates.rsa(bits).getPublic();
        return "ssh-rsa " + Base64.getEncoder().encodeToString(wire(key)) + " someone@example";
    }

    static byte[] wire(RSAPublicKey key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] field : List.of("ssh-rsa".getBytes(StandardCharsets.US_ASCII), key.getPublicExponent().toByteArray(),
                key.getModulus().toByteArray())) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(field.length).array());
            out.writeBytes(field);
        }
        return out.toByteArray();
    }

    static String md5(byte[] bytes) throws Exception {
        return HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    @Test
    void anSshKeyLivesThroughEveryOperation() throws Exception {
        iam.createUser(r -> r.userName("git-user"));
        String line = sshRsa(2048);
        byte[] wire = Base64.getDecoder().decode(line.split(" ")[1]);
        SSHPublicKey uploaded = iam.uploadSSHPublicKey(r -> r.userName("git-user").sshPublicKeyBody(line)).sshPublicKey();
        assertEquals("git-user", uploaded.userName());
        assertTrue(uploaded.sshPublicKeyId().matches("APKA[A-Z2-7]{16}"), uploaded.sshPublicKeyId());
        assertEquals(md5(wire), uploaded.fingerprint());
        assertEquals(line, uploaded.sshPublicKeyBody());
        assertEquals(StatusType.ACTIVE, uploaded.status());
        String id = uploaded.sshPublicKeyId();

        SSHPublicKey asSsh = iam.getSSHPublicKey(r -> r.userName("git-user").sshPublicKeyId(id).encoding(EncodingType.SSH))
                .sshPublicKey();
        assertEquals(line, asSsh.sshPublicKeyBody());
        assertEquals(uploaded.fingerprint(), asSsh.fingerprint());
        String pem = iam.getSSHPublicKey(r -> r.userName("git-user").sshPublicKeyId(id).encoding(EncodingType.PEM))
                .sshPublicKey().sshPublicKeyBody();
        assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----\n"), pem);
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        RSAPublicKey fromPem = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        assertEquals(md5(wire), md5(wire(fromPem)), "the PEM form is the same key");

        // Uploaded as PEM, the key is the same key and is given back as ssh-rsa on request.
        String secondPem = sshRsaAsPem(sshRsa(3072));
        SSHPublicKey second = iam.uploadSSHPublicKey(r -> r.userName("git-user").sshPublicKeyBody(secondPem))
                .sshPublicKey();
        assertTrue(iam.getSSHPublicKey(r -> r.userName("git-user").sshPublicKeyId(second.sshPublicKeyId())
                .encoding(EncodingType.SSH)).sshPublicKey().sshPublicKeyBody().startsWith("ssh-rsa AAAA"));

        List<SSHPublicKeyMetadata> listed = iam.listSSHPublicKeys(r -> r.userName("git-user")).sshPublicKeys();
        assertEquals(listed.stream().map(SSHPublicKeyMetadata::sshPublicKeyId).sorted().toList(),
                listed.stream().map(SSHPublicKeyMetadata::sshPublicKeyId).toList(), "listed by key id, as IAM lists them");
        assertEquals(2, listed.size());

        iam.updateSSHPublicKey(r -> r.userName("git-user").sshPublicKeyId(id).status(StatusType.INACTIVE));
        assertEquals(StatusType.INACTIVE, iam.getSSHPublicKey(r -> r.userName("git-user").sshPublicKeyId(id)
                .encoding(EncodingType.SSH)).sshPublicKey().status());

        assertError(() -> iam.deleteUser(r -> r.userName("git-user")), 409, "DeleteConflict",
                "Cannot delete entity, must remove referenced objects first.");
        iam.deleteSSHPublicKey(r -> r.userName("git-user").sshPublicKeyId(id));
        iam.deleteSSHPublicKey(r -> r.userName("git-user").sshPublicKeyId(second.sshPublicKeyId()));
        assertError(() -> iam.getSSHPublicKey(r -> r.userName("git-user").sshPublicKeyId(id).encoding(EncodingType.SSH)),
                404, "NoSuchEntity", "The Public Key with id " + id + " cannot be found.");
        assertTrue(iam.listSSHPublicKeys(r -> r.userName("git-user")).sshPublicKeys().isEmpty());
        iam.deleteUser(r -> r.userName("git-user"));
    }

    private static String sshRsaAsPem(String line) throws Exception {
        byte[] wire = Base64.getDecoder().decode(line.split(" ")[1]);
        ByteBuffer in = ByteBuffer.wrap(wire);
        byte[][] fields = new byte[3][];
        for (int i = 0; i < 3; i++) {
            fields[i] = new byte[in.getInt()];
            in.get(fields[i]);
        }
        var spec = new java.security.spec.RSAPublicKeySpec(new java.math.BigInteger(fields[2]),
                new java.math.BigInteger(fields[1]));
        byte[] der = KeyFactory.getInstance("RSA").generatePublic(spec).getEncoded();
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END PUBLIC KEY-----\n";
    }

    @Test
    void sshKeysIamDoesNotTakeGetItsErrors() {
        iam.createUser(r -> r.userName("picky"));
        String line = sshRsa(2048);
        iam.uploadSSHPublicKey(r -> r.userName("picky").sshPublicKeyBody(line));
        IamSdk.assertError(IamSdk.fails(() -> iam.uploadSSHPublicKey(r -> r.userName("picky").sshPublicKeyBody(line))),
                400, "DuplicateSSHPublicKey", "The SSH public key is already associated with the user picky.");
        var shortKey = IamSdk.fails(() -> iam.uploadSSHPublicKey(r -> r.userName("picky").sshPublicKeyBody(sshRsa(1024))));
        assertEquals("InvalidPublicKey", shortKey.awsErrorDetails().errorCode());
        assertEquals(400, shortKey.statusCode());
        assertError(() -> iam.uploadSSHPublicKey(r -> r.userName("picky").sshPublicKeyBody(
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPilZvLIlUOtOZxwd1iXQVT1G9HXHVCzqJ3S5TZaV5SH me@host")), 400,
                "UnrecognizedPublicKeyEncoding", "The public key encoding format is unsupported or unrecognized. The"
                        + " public key must be encoded in ssh-rsa format or PEM format.");
        assertError(() -> iam.uploadSSHPublicKey(r -> r.userName("nobody").sshPublicKeyBody(line)), 404, "NoSuchEntity",
                "The user with name nobody cannot be found.");
        for (int i = 0; i < 4; i++) {
            String another = sshRsa(2048);
            iam.uploadSSHPublicKey(r -> r.userName("picky").sshPublicKeyBody(another));
        }
        assertError(() -> iam.uploadSSHPublicKey(r -> r.userName("picky").sshPublicKeyBody(sshRsa(2048))), 409,
                "LimitExceeded", "Cannot exceed quota for SSHPublicKeysPerUser: 5");
        assertEquals(5, iam.listSSHPublicKeys(r -> r.userName("picky")).sshPublicKeys().size(), "nothing refused was kept");
        assertError(() -> iam.updateSSHPublicKey(r -> r.userName("picky").sshPublicKeyId("APKAAAAAAAAAAAAAAAAA")
                .status(StatusType.INACTIVE)), 404, "NoSuchEntity", "The Public Key with id APKAAAAAAAAAAAAAAAAA cannot be found.");
    }

    @Test
    void aCodeCommitCredentialLivesAsAwsRecordedIt() {
        iam.createUser(r -> r.userName("committer"));
        ServiceSpecificCredential created = iam.createServiceSpecificCredential(r -> r.userName("committer")
                .serviceName("codecommit.amazonaws.com")).serviceSpecificCredential();
        assertEquals("codecommit.amazonaws.com", created.serviceName());
        assertEquals("committer-at-" + SOURCE, created.serviceUserName());
        assertEquals("committer", created.userName());
        assertEquals(StatusType.ACTIVE, created.status());
        assertTrue(created.serviceSpecificCredentialId().matches("ACCA[A-Z2-7]{17}"), created.serviceSpecificCredentialId());
        assertEquals(60, created.servicePassword().length());
        assertNull(created.expirationDate());
        assertNotNull(created.createDate());
        String id = created.serviceSpecificCredentialId();

        List<ServiceSpecificCredentialMetadata> listed = iam.listServiceSpecificCredentials(r -> r.userName("committer"))
                .serviceSpecificCredentials();
        assertEquals(1, listed.size());
        assertEquals("committer-at-" + SOURCE, listed.get(0).serviceUserName());
        assertEquals(id, listed.get(0).serviceSpecificCredentialId());

        iam.updateServiceSpecificCredential(r -> r.userName("committer").serviceSpecificCredentialId(id)
                .status(StatusType.INACTIVE));
        assertEquals(StatusType.INACTIVE, iam.listServiceSpecificCredentials(r -> r.userName("committer")
                .serviceName("codecommit.amazonaws.com")).serviceSpecificCredentials().get(0).status());
        ServiceSpecificCredential reset = iam.resetServiceSpecificCredential(r -> r.userName("committer")
                .serviceSpecificCredentialId(id)).serviceSpecificCredential();
        assertNotEquals(created.servicePassword(), reset.servicePassword());
        assertEquals(StatusType.INACTIVE, reset.status(), "a reset keeps the status");
        assertTrue(iam.listServiceSpecificCredentials(r -> r.userName("committer").serviceName("cassandra.amazonaws.com"))
                .serviceSpecificCredentials().isEmpty());

        assertError(() -> iam.deleteUser(r -> r.userName("committer")), 409, "DeleteConflict",
                "Cannot delete entity, must remove referenced objects first.");
        iam.deleteServiceSpecificCredential(r -> r.userName("committer").serviceSpecificCredentialId(id));
        assertTrue(iam.listServiceSpecificCredentials(r -> r.userName("committer")).serviceSpecificCredentials().isEmpty());
        iam.deleteUser(r -> r.userName("committer"));
    }

    @Test
    void serviceCredentialErrorsAreAwssRecordedOnes() {
        iam.createUser(r -> r.userName("keyspaces"));
        assertError(() -> iam.createServiceSpecificCredential(r -> r.userName("non-existent-user")
                .serviceName("nonexistentservice.amazonaws.com")), 404, "NoSuchEntity",
                "The user with name non-existent-user cannot be found.");
        for (String service : List.of("nonexistentservice.amazonaws.com", "o3on3n3onosneo", "lambda.amazonaws.com")) {
            assertError(() -> iam.createServiceSpecificCredential(r -> r.userName("keyspaces").serviceName(service)), 404,
                    "NoSuchEntity", "No such service " + service + " is supported for Service Specific Credentials");
        }
        assertError(() -> iam.listServiceSpecificCredentials(r -> r.userName("keyspaces")
                .serviceName("nonexistentservice.amazonaws.com")), 404, "NoSuchEntity",
                "No such service nonexistentservice.amazonaws.com is supported for Service Specific Credentials");
        String id = iam.createServiceSpecificCredential(r -> r.userName("keyspaces").serviceName("cassandra.amazonaws.com"))
                .serviceSpecificCredential().serviceSpecificCredentialId();
        assertError(() -> iam.updateServiceSpecificCredential(r -> r.userName("keyspaces")
                .serviceSpecificCredentialId("totally-wrong-credential-id-with-hyphens").status(StatusType.INACTIVE)), 400,
                "ValidationError", "1 validation error detected: Value at 'serviceSpecificCredentialId' failed to satisfy"
                        + " constraint: Member must satisfy regular expression pattern: [\\w]+");
        assertError(() -> iam.resetServiceSpecificCredential(r -> r.userName("keyspaces")
                .serviceSpecificCredentialId("satisfiesregexbutstillinvalid")), 404, "NoSuchEntity",
                "No such credential satisfiesregexbutstillinvalid exists");
        assertError(() -> iam.deleteServiceSpecificCredential(r -> r.userName("wrong-user-name")
                .serviceSpecificCredentialId(id)), 404, "NoSuchEntity", "The user with name wrong-user-name cannot be found.");
        iam.createServiceSpecificCredential(r -> r.userName("keyspaces").serviceName("cassandra.amazonaws.com"));
        assertError(() -> iam.createServiceSpecificCredential(r -> r.userName("keyspaces")
                .serviceName("cassandra.amazonaws.com")), 409, "LimitExceeded",
                "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2");
        assertError(() -> iam.createServiceSpecificCredential(r -> r.userName("keyspaces")
                .serviceName("codecommit.amazonaws.com").credentialAgeDays(30)), 400, "InvalidInput",
                "CredentialAgeDays is valid only for Bedrock and CloudWatch Logs API keys.");
        assertEquals(2, iam.listServiceSpecificCredentials(r -> r.userName("keyspaces")).serviceSpecificCredentials().size());
    }

    @Test
    void aBedrockApiKeyHasAnAliasASecretAndAnExpiry() {
        iam.createUser(r -> r.userName("model-user"));
        ServiceSpecificCredential key = iam.createServiceSpecificCredential(r -> r.userName("model-user")
                .serviceName("bedrock.amazonaws.com").credentialAgeDays(30)).serviceSpecificCredential();
        assertNotNull(key.serviceCredentialAlias());
        assertTrue(key.serviceCredentialAlias().startsWith("model-user"), key.serviceCredentialAlias());
        assertNotNull(key.serviceCredentialSecret());
        assertNull(key.servicePassword());
        assertEquals(Duration.ofDays(30), Duration.between(key.createDate(), key.expirationDate()));
        ServiceSpecificCredentialMetadata listed = iam.listServiceSpecificCredentials(r -> r.allUsers(true)
                .serviceName("bedrock.amazonaws.com")).serviceSpecificCredentials().get(0);
        assertEquals(key.serviceCredentialAlias(), listed.serviceCredentialAlias());
        assertEquals(key.expirationDate(), listed.expirationDate());
        assertError(() -> iam.listServiceSpecificCredentials(r -> r.allUsers(true).userName("model-user")), 400,
                "InvalidInput", "AllUsers cannot be specified together with UserName.");
    }

    @Test
    void anotherAccountReachesNoneOfThisAccountsKeysOrCredentials() {
        iam.createUser(r -> r.userName("owner"));
        String keyId = iam.uploadSSHPublicKey(r -> r.userName("owner").sshPublicKeyBody(sshRsa(2048))).sshPublicKey()
                .sshPublicKeyId();
        String credentialId = iam.createServiceSpecificCredential(r -> r.userName("owner")
                .serviceName("codecommit.amazonaws.com")).serviceSpecificCredential().serviceSpecificCredentialId();
        // The same user name in the other account is another user: the ids are not found under it.
        otherAccount.createUser(r -> r.userName("owner"));
        assertError(() -> otherAccount.getSSHPublicKey(r -> r.userName("owner").sshPublicKeyId(keyId)
                .encoding(EncodingType.SSH)), 404, "NoSuchEntity", "The Public Key with id " + keyId + " cannot be found.");
        assertError(() -> otherAccount.deleteSSHPublicKey(r -> r.userName("owner").sshPublicKeyId(keyId)), 404,
                "NoSuchEntity", "The Public Key with id " + keyId + " cannot be found.");
        assertError(() -> otherAccount.resetServiceSpecificCredential(r -> r.userName("owner")
                .serviceSpecificCredentialId(credentialId)), 404, "NoSuchEntity",
                "No such credential " + credentialId + " exists");
        assertTrue(otherAccount.listServiceSpecificCredentials(r -> r.allUsers(true)).serviceSpecificCredentials()
                .isEmpty());
        assertTrue(otherAccount.listSSHPublicKeys(r -> r.userName("owner")).sshPublicKeys().isEmpty());
        assertEquals(1, iam.listSSHPublicKeys(r -> r.userName("owner")).sshPublicKeys().size());

        // A user of this account without IAM permissions may not touch another user's keys.
        var stranger = crossrole.user(SOURCE, "stranger", Map.of());
        try (IamClient asStranger = IamSdk.iam(crossrole, TestCrossrole.credentials(stranger))) {
            var denied = IamSdk.fails(() -> asStranger.deleteSSHPublicKey(r -> r.userName("owner").sshPublicKeyId(keyId)));
            assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());
            var deniedList = IamSdk.fails(() -> asStranger.listServiceSpecificCredentials(r -> r.userName("owner")));
            assertEquals("AccessDenied", deniedList.awsErrorDetails().errorCode());
        }
        assertEquals(1, iam.listSSHPublicKeys(r -> r.userName("owner")).sshPublicKeys().size());
    }
}
