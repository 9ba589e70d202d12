package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.store.ServiceAccessRecords;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.EncodingType;
import software.amazon.awssdk.services.iam.model.GetServiceLastAccessedDetailsResponse;
import software.amazon.awssdk.services.iam.model.SSHPublicKey;
import software.amazon.awssdk.services.iam.model.ServerCertificate;
import software.amazon.awssdk.services.iam.model.ServiceLastAccessed;
import software.amazon.awssdk.services.iam.model.ServiceSpecificCredentialMetadata;
import software.amazon.awssdk.services.iam.model.SigningCertificate;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Server and signing certificates, SSH public keys, service-specific credentials, report jobs and last-access data
 * survive a restart on the same data directory; last-access data written by the background writer survives a crash.
 */
class IamCredentialsRestartTest {
    @TempDir
    Path dir;

    private static IamClient iam(CrossroleServer server) {
        Bootstrap.Profile p = server.profiles().get(0);
        return IamClient.builder().endpointOverride(URI.create(server.endpoint())).region(Region.AWS_GLOBAL)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(),
                        p.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static StsClient sts(CrossroleServer server, AccessKey key) {
        return StsClient.builder().endpointOverride(URI.create(server.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(),
                        key.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static ServiceLastAccessed sts(GetServiceLastAccessedDetailsResponse details) {
        return details.servicesLastAccessed().stream().filter(s -> s.serviceNamespace().equals("sts")).findFirst()
                .orElseThrow();
    }

    @Test
    void everythingUploadedOrCreatedIsThereAfterARestart() throws Exception {
        Path data = dir.resolve("data");
        TestCertificates.Issued root = TestCertificates.issue("Kept Root", null, true);
        TestCertificates.Issued leaf = TestCertificates.issue("kept.example.com", root, false);
        TestCertificates.Issued signing = TestCertificates.issue("kept-signing", null, false);
        String sshKey = IamSshKeysAndServiceCredentialsSdkTest.sshRsa(2048);
        ServerCertificate certificate;
        SSHPublicKey uploadedKey;
        String credentialId;
        String jobId;
        Instant lastSts;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
             IamClient iam = iam(server)) {
            iam.uploadServerCertificate(r -> r.serverCertificateName("kept").path("/elb/").certificateBody(leaf.pem())
                    .privateKey(leaf.privateKeyPem()).certificateChain(root.pem())
                    .tags(Tag.builder().key("env").value("prod").build()));
            certificate = iam.getServerCertificate(r -> r.serverCertificateName("kept")).serverCertificate();
            iam.createUser(r -> r.userName("kept-user"));
            iam.putUserPolicy(r -> r.userName("kept-user").policyName("whoami").policyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sts:GetCallerIdentity\",\"Resource\":\"*\"}}"));
            iam.uploadSigningCertificate(r -> r.userName("kept-user").certificateBody(signing.pem()));
            iam.updateSigningCertificate(r -> r.userName("kept-user")
                    .certificateId(TestCertificates.signingCertificateId(signing.certificate())).status(StatusType.INACTIVE));
            uploadedKey = iam.uploadSSHPublicKey(r -> r.userName("kept-user").sshPublicKeyBody(sshKey)).sshPublicKey();
            credentialId = iam.createServiceSpecificCredential(r -> r.userName("kept-user")
                    .serviceName("codecommit.amazonaws.com")).serviceSpecificCredential().serviceSpecificCredentialId();
            AccessKey key = iam.createAccessKey(r -> r.userName("kept-user")).accessKey();
            try (StsClient asUser = sts(server, key)) {
                asUser.getCallerIdentity();
            }
            jobId = iam.generateServiceLastAccessedDetails(r -> r.arn(TestCrossrole.userArn(TestCrossrole.SOURCE,
                    "kept-user"))).jobId();
            lastSts = sts(iam.getServiceLastAccessedDetails(r -> r.jobId(jobId))).lastAuthenticated();
            assertNotNull(lastSts);
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
             IamClient iam = iam(again)) {
            assertEquals(certificate, iam.getServerCertificate(r -> r.serverCertificateName("kept")).serverCertificate());
            List<SigningCertificate> signingCertificates = iam.listSigningCertificates(r -> r.userName("kept-user"))
                    .certificates();
            assertEquals(List.of(TestCertificates.signingCertificateId(signing.certificate())), signingCertificates.stream()
                    .map(SigningCertificate::certificateId).toList());
            assertEquals(StatusType.INACTIVE, signingCertificates.get(0).status());
            SSHPublicKey key = iam.getSSHPublicKey(r -> r.userName("kept-user")
                    .sshPublicKeyId(uploadedKey.sshPublicKeyId()).encoding(EncodingType.SSH)).sshPublicKey();
            assertEquals(uploadedKey, key);
            assertTrue(iam.getSSHPublicKey(r -> r.userName("kept-user").sshPublicKeyId(uploadedKey.sshPublicKeyId())
                    .encoding(EncodingType.PEM)).sshPublicKey().sshPublicKeyBody().startsWith("-----BEGIN PUBLIC KEY-----"));
            ServiceSpecificCredentialMetadata credential = iam.listServiceSpecificCredentials(r -> r.userName("kept-user"))
                    .serviceSpecificCredentials().get(0);
            assertEquals(credentialId, credential.serviceSpecificCredentialId());
            assertEquals("kept-user-at-" + TestCrossrole.SOURCE, credential.serviceUserName());
            // The job started before the restart is still there, and so is the attempt it reported.
            assertEquals(lastSts, sts(iam.getServiceLastAccessedDetails(r -> r.jobId(jobId))).lastAuthenticated());
            String newJob = iam.generateServiceLastAccessedDetails(r -> r.arn(TestCrossrole.userArn(TestCrossrole.SOURCE,
                    "kept-user"))).jobId();
            assertEquals(lastSts, sts(iam.getServiceLastAccessedDetails(r -> r.jobId(newJob))).lastAuthenticated());
        }
    }

    @Test
    void lastAccessIsWrittenInTheBackgroundAndSurvivesACrash() throws Exception {
        Path data = dir.resolve("crashing");
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0));
             IamClient iam = iam(server)) {
            iam.createUser(r -> r.userName("busy"));
            iam.putUserPolicy(r -> r.userName("busy").policyName("whoami").policyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sts:GetCallerIdentity\",\"Resource\":\"*\"}}"));
            AccessKey key = iam.createAccessKey(r -> r.userName("busy")).accessKey();
            try (StsClient asUser = sts(server, key)) {
                asUser.getCallerIdentity(); // a read: no commit carries its attempt, the background writer does
            }
            Thread.sleep(ServiceAccessRecords.WRITE_INTERVAL.toMillis() + 1500);
            // A crash leaves the data directory as it is: a second crossrole starts on a copy.
            Path copy = dir.resolve("copy");
            try (Stream<Path> files = Files.walk(data)) {
                for (Path p : files.toList()) {
                    Path target = copy.resolve(data.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        try (CrossroleServer second = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("copy"))
                .withPort(0)); IamClient iam = iam(second)) {
            String jobId = iam.generateServiceLastAccessedDetails(r -> r.arn(TestCrossrole.userArn(TestCrossrole.SOURCE,
                    "busy"))).jobId();
            ServiceLastAccessed sts = sts(iam.getServiceLastAccessedDetails(r -> r.jobId(jobId)));
            assertNotNull(sts.lastAuthenticated(), "the attempt was committed before the crash");
            assertEquals(1, sts.totalAuthenticatedEntities());
        }
    }
}
