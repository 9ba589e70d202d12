package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.iam.AccessReport;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IdGenerator;
import dev.crossrole.server.iam.ServerCertificate;
import dev.crossrole.server.iam.ServiceLastAccess;
import dev.crossrole.server.iam.ServiceSpecificCredential;
import dev.crossrole.server.iam.SigningCertificate;
import dev.crossrole.server.iam.SshPublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Certificates, SSH keys and service-specific credentials read back as written; last-access records merged action by
 * action (the later attempt wins, whichever node wrote it), and kept when a commit fails, while a report job whose
 * commit failed is forgotten.
 */
class CredentialRecordsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-11-01T10:00:00Z");

    private static Object roundTrip(String namespace, com.fasterxml.jackson.databind.JsonNode node) throws Exception {
        return IamRecords.decode(namespace, JSON.readTree(IamRecords.bytes(node)));
    }

    @Test
    void everyKindReadsBackAsWritten() throws Exception {
        Map<String, String> tags = new java.util.LinkedHashMap<>();
        tags.put("b", "2");
        tags.put("a", "1");
        ServerCertificate certificate = new ServerCertificate("111122223333", "web", "/elb/", "ASCAEXAMPLEEXAMPLE001",
                "-----BEGIN CERTIFICATE-----\n...", null, T.plusSeconds(86_400), T, tags);
        assertEquals(certificate, roundTrip(IamRecords.SERVER_CERTIFICATES, CredentialRecords.encode(certificate)));
        assertEquals(List.of("b", "a"), List.copyOf(((ServerCertificate) roundTrip(IamRecords.SERVER_CERTIFICATES,
                CredentialRecords.encode(certificate))).tags().keySet()), "tags keep their order");

        SigningCertificate root = new SigningCertificate("111122223333", null, "PBEX2T7R5DA3SVZHQDK2HQ2G3ZOP7SYA", "body",
                false, T);
        assertEquals(root, roundTrip(IamRecords.SIGNING_CERTIFICATES, CredentialRecords.encode(root)));

        SshPublicKey key = new SshPublicKey("111122223333", "AIDAEXAMPLE", "APKAEXAMPLEEXAMPLE01", "ssh-rsa AAAA",
                new byte[] {0, 0, 0, 7, 's', 's', 'h', '-', 'r', 's', 'a'}, "98:98", true, T);
        SshPublicKey read = (SshPublicKey) roundTrip(IamRecords.SSH_PUBLIC_KEYS, CredentialRecords.encode(key));
        assertArrayEquals(key.wire(), read.wire());
        assertEquals(key.fingerprint(), read.fingerprint());
        assertEquals(key.id(), read.id());

        ServiceSpecificCredential password = new ServiceSpecificCredential("111122223333", "AIDAEXAMPLE",
                "ACCAEXAMPLEEXAMPLE001", "codecommit.amazonaws.com", "bob-at-111122223333", "secret=", null, true, T, null);
        assertEquals(password, roundTrip(IamRecords.SERVICE_CREDENTIALS, CredentialRecords.encode(password)));
        ServiceSpecificCredential apiKey = new ServiceSpecificCredential("111122223333", "AIDAEXAMPLE",
                "ACCAEXAMPLEEXAMPLE002", "bedrock.amazonaws.com", null, "s3cret", "bob+1", false, T, T.plusSeconds(60));
        assertEquals(apiKey, roundTrip(IamRecords.SERVICE_CREDENTIALS, CredentialRecords.encode(apiKey)));
    }

    @Test
    void lastAccessMergesActionByActionAndOutlivesAFailedCommit() {
        IamDirectory iam = new IamDirectory(Clock.systemUTC(), new IdGenerator(new SecureRandom()));
        ServiceLastAccess access = iam.serviceLastAccess();
        access.record("111122223333", "AIDAUSER", "s3:ListAllMyBuckets", "eu-west-1", T);
        access.record("111122223333", "AIDAUSER", "s3:ListAllMyBuckets", "us-east-1", T.minusSeconds(5)); // older
        access.record("111122223333", "AIDAUSER", "iam:GetUser", "aws-global", T);
        assertEquals(new ServiceLastAccess.Use(T, "eu-west-1"), access.uses("AIDAUSER").get("s3:ListAllMyBuckets"));
        assertEquals("us-east-1", access.uses("AIDAUSER").get("iam:GetUser").region());

        // Another node wrote a later S3 attempt and an earlier IAM one.
        ServiceLastAccess.Uses stored = ServiceAccessRecords.decodeUses(ServiceAccessRecords.encode(
                new ServiceLastAccess.Uses("111122223333", Map.of(
                        "s3:ListAllMyBuckets", new ServiceLastAccess.Use(T.plusSeconds(10), "us-west-2"),
                        "iam:GetUser", new ServiceLastAccess.Use(T.minusSeconds(10), "us-east-1")))));
        access.merge("AIDAUSER", stored);
        assertEquals(new ServiceLastAccess.Use(T.plusSeconds(10), "us-west-2"), access.uses("AIDAUSER")
                .get("s3:ListAllMyBuckets"));
        assertEquals(T, access.uses("AIDAUSER").get("iam:GetUser").when());

        ServiceAccessRecords records = new ServiceAccessRecords(access, null);
        RecordingTransaction tx = new RecordingTransaction();
        AccessReport job = new AccessReport("11111111-2222-3333-4444-555555555555", "111122223333",
                "arn:aws:iam::111122223333:user/admin", "arn:aws:iam::111122223333:user/bob", "SERVICE_LEVEL", T, T,
                List.of(new AccessReport.Service("s3", "Amazon S3", T, "arn:aws:iam::111122223333:user/bob", "eu-west-1",
                        1, List.of(new AccessReport.TrackedAction("ListAllMyBuckets", "arn", T, "eu-west-1")),
                        List.of(new AccessReport.Entity("arn", "bob", "USER", "AIDAUSER", "/", T)))));
        access.putJob(job);
        records.flush(tx);
        assertTrue(tx.puts.contains(ServiceAccessRecords.LAST_ACCESS + "/AIDAUSER"), tx.puts.toString());
        assertTrue(tx.puts.contains(ServiceAccessRecords.REPORTS + "/" + job.jobId()));
        assertEquals(job, ServiceAccessRecords.decodeReport(ServiceAccessRecords.encode(job)));

        // The commit failed: the attempts are written next time; the job was never acknowledged.
        records.discard((namespace, key) -> Optional.empty());
        assertEquals(List.of("AIDAUSER"), access.takeChangedEntities());
        assertTrue(access.job(job.jobId()).isEmpty());
    }

    /** The keys a flush put or deleted. */
    static final class RecordingTransaction implements Transaction {
        final List<String> puts = new java.util.ArrayList<>();

        @Override
        public long baseRevision() {
            return 0;
        }

        @Override
        public Optional<StoredRecord> get(String namespace, String key) {
            return Optional.empty();
        }

        @Override
        public List<StoredRecord> scan(String namespace) {
            return List.of();
        }

        @Override
        public long put(String namespace, String key, byte[] value) {
            puts.add(namespace + "/" + key);
            return 1;
        }

        @Override
        public long put(String namespace, String key, byte[] value, long expectedVersion) {
            return put(namespace, key, value);
        }

        @Override
        public boolean hasChanges() {
            return !puts.isEmpty();
        }

        @Override
        public boolean delete(String namespace, String key) {
            puts.add("-" + namespace + "/" + key);
            return true;
        }
    }
}
