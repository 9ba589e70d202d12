package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionRule;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Buckets, objects (metadata, tags), bucket policies, default encryption, multipart uploads in progress (with
 * their KMS keys), a bucket's versioning and its versions and delete markers, and Object Lock (the bucket's
 * configuration, each version's retention and legal hold, an upload's) survive a restart.
 */
class S3RestartTest {
    @TempDir
    Path dir;

    private static S3Client s3(CrossroleServer server, String account) {
        Bootstrap.Profile p = server.profiles().stream().filter(x -> x.account().id().equals(account)).findFirst()
                .orElseThrow();
        return S3Client.builder().endpointOverride(URI.create(server.endpoint())).region(Region.US_EAST_1)
                .forcePathStyle(true).httpClient(ApacheHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(),
                        p.secretAccessKey()))).build();
    }

    @Test
    void s3StateSurvivesARestart() throws Exception {
        Path data = dir.resolve("data");
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::kept/*\"}]}";
        String uploadId;
        String partEtag;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(server, "555566667777");
            s3.createBucket(b -> b.bucket("kept"));
            s3.putObject(b -> b.bucket("kept").key("a/b.txt").contentType("text/plain").metadata(Map.of("x", "1")),
                    RequestBody.fromString("persisted"));
            s3.putObjectTagging(b -> b.bucket("kept").key("a/b.txt").tagging(t -> t.tagSet(
                    Tag.builder().key("k").value("v").build())));
            s3.putBucketPolicy(b -> b.bucket("kept").policy(policy));
            uploadId = s3.createMultipartUpload(b -> b.bucket("kept").key("later")).uploadId();
            partEtag = s3.uploadPart(b -> b.bucket("kept").key("later").uploadId(uploadId).partNumber(1),
                    RequestBody.fromString("part one")).eTag();
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(again, "555566667777");
            var got = s3.getObjectAsBytes(b -> b.bucket("kept").key("a/b.txt"));
            assertEquals("persisted", got.asUtf8String());
            assertEquals("text/plain", got.response().contentType());
            assertEquals(Map.of("x", "1"), got.response().metadata());
            assertEquals(List.of(Tag.builder().key("k").value("v").build()),
                    s3.getObjectTagging(b -> b.bucket("kept").key("a/b.txt")).tagSet());
            assertEquals(policy, s3.getBucketPolicy(b -> b.bucket("kept")).policy());
            // The policy still decides: the other account reads through it, and still cannot write.
            S3Client source = s3(again, "111122223333");
            assertEquals("persisted", source.getObjectAsBytes(b -> b.bucket("kept").key("a/b.txt")).asUtf8String());
            S3Exception taken = assertThrows(S3Exception.class, () -> source.createBucket(b -> b.bucket("kept")));
            assertEquals("BucketAlreadyExists", taken.awsErrorDetails().errorCode());
            s3.completeMultipartUpload(b -> b.bucket("kept").key("later").uploadId(uploadId).multipartUpload(m -> m
                    .parts(CompletedPart.builder().partNumber(1).eTag(partEtag).build())));
            assertEquals("part one", s3.getObjectAsBytes(b -> b.bucket("kept").key("later")).asUtf8String());
            assertTrue(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("kept")));
        }
    }

    private static software.amazon.awssdk.services.kms.KmsClient kms(CrossroleServer server, String account) {
        Bootstrap.Profile p = server.profiles().stream().filter(x -> x.account().id().equals(account)).findFirst()
                .orElseThrow();
        return software.amazon.awssdk.services.kms.KmsClient.builder().endpointOverride(URI.create(server.endpoint()))
                .region(Region.US_EAST_1).httpClient(ApacheHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(),
                        p.secretAccessKey()))).build();
    }

    @Test
    void aBucketsDefaultEncryptionAndAnUploadsKeySurviveARestart() throws Exception {
        Path data = dir.resolve("data");
        String key;
        String uploadId;
        String partEtag;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(server, "555566667777");
            key = kms(server, "555566667777").createKey(r -> { }).keyMetadata().arn();
            s3.createBucket(b -> b.bucket("sealed"));
            s3.putBucketEncryption(b -> b.bucket("sealed").serverSideEncryptionConfiguration(c -> c.rules(
                    ServerSideEncryptionRule.builder().applyServerSideEncryptionByDefault(d -> d
                            .sseAlgorithm(ServerSideEncryption.AWS_KMS).kmsMasterKeyID(key)).bucketKeyEnabled(true)
                            .build())));
            uploadId = s3.createMultipartUpload(b -> b.bucket("sealed").key("later")).uploadId();
            // tags put afterwards keep the encryption in the bucket's record
            s3.putBucketTagging(b -> b.bucket("sealed").tagging(t -> t.tagSet(Tag.builder().key("k").value("v")
                    .build())));
            partEtag = s3.uploadPart(b -> b.bucket("sealed").key("later").uploadId(uploadId).partNumber(1),
                    RequestBody.fromString("part one")).eTag();
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(again, "555566667777");
            var rule = s3.getBucketEncryption(b -> b.bucket("sealed")).serverSideEncryptionConfiguration().rules()
                    .get(0);
            assertEquals(ServerSideEncryption.AWS_KMS, rule.applyServerSideEncryptionByDefault().sseAlgorithm());
            assertEquals(key, rule.applyServerSideEncryptionByDefault().kmsMasterKeyID());
            assertEquals(true, rule.bucketKeyEnabled());
            var put = s3.putObject(b -> b.bucket("sealed").key("new"), RequestBody.fromString("n"));
            assertEquals(key, put.ssekmsKeyId());
            assertEquals(true, put.bucketKeyEnabled());
            s3.deleteBucketEncryption(b -> b.bucket("sealed")); // the upload keeps the key it was created with
            var done = s3.completeMultipartUpload(b -> b.bucket("sealed").key("later").uploadId(uploadId)
                    .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(partEtag).build())));
            assertEquals(key, done.ssekmsKeyId());
            assertEquals(key, s3.headObject(b -> b.bucket("sealed").key("later")).ssekmsKeyId());
            assertEquals("part one", s3.getObjectAsBytes(b -> b.bucket("sealed").key("later")).asUtf8String());
        }
    }
    /** A completion's answer (for a retried CompleteMultipartUpload) and the parts' checksums are records too. */
    @Test
    void aCompletionsAnswerAndItsPartsChecksumsSurviveARestart() throws Exception {
        Path data = dir.resolve("data");
        String uploadId;
        software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse first;
        List<CompletedPart> parts = new java.util.ArrayList<>();
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(server, "555566667777");
            s3.createBucket(b -> b.bucket("retried"));
            uploadId = s3.createMultipartUpload(b -> b.bucket("retried").key("k")
                    .checksumAlgorithm(software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.SHA256)).uploadId();
            var part = s3.uploadPart(b -> b.bucket("retried").key("k").uploadId(uploadId).partNumber(1)
                    .checksumAlgorithm(software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.SHA256),
                    RequestBody.fromString("only part"));
            parts.add(CompletedPart.builder().partNumber(1).eTag(part.eTag()).checksumSHA256(part.checksumSHA256())
                    .build());
            first = s3.completeMultipartUpload(b -> b.bucket("retried").key("k").uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(again, "555566667777");
            var retried = s3.completeMultipartUpload(b -> b.bucket("retried").key("k").uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            assertEquals(first.eTag(), retried.eTag());
            assertEquals(first.checksumSHA256(), retried.checksumSHA256());
            var attributes = s3.getObjectAttributes(b -> b.bucket("retried").key("k").objectAttributes(
                    software.amazon.awssdk.services.s3.model.ObjectAttributes.OBJECT_PARTS));
            assertEquals(parts.get(0).checksumSHA256(), attributes.objectParts().parts().get(0).checksumSHA256());
        }
    }

    @Test
    void versionsAndDeleteMarkersSurviveARestart() throws Exception {
        Path data = dir.resolve("data");
        String v1;
        String v2;
        String marker;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(server, "555566667777");
            s3.createBucket(b -> b.bucket("versions"));
            s3.putBucketVersioning(b -> b.bucket("versions").versioningConfiguration(c -> c.status("Enabled")));
            v1 = s3.putObject(b -> b.bucket("versions").key("k").metadata(Map.of("v", "1")).tagging("t=1"),
                    RequestBody.fromString("one")).versionId();
            v2 = s3.putObject(b -> b.bucket("versions").key("k"), RequestBody.fromString("two")).versionId();
            marker = s3.deleteObject(b -> b.bucket("versions").key("k")).versionId();
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(again, "555566667777");
            assertEquals("Enabled", s3.getBucketVersioning(b -> b.bucket("versions")).statusAsString());
            assertThrows(software.amazon.awssdk.services.s3.model.NoSuchKeyException.class,
                    () -> s3.getObjectAsBytes(b -> b.bucket("versions").key("k")));
            var old = s3.getObjectAsBytes(b -> b.bucket("versions").key("k").versionId(v1));
            assertEquals("one", old.asUtf8String());
            assertEquals(Map.of("v", "1"), old.response().metadata());
            assertEquals(List.of(Tag.builder().key("t").value("1").build()), s3.getObjectTagging(b -> b
                    .bucket("versions").key("k").versionId(v1)).tagSet());
            var listed = s3.listObjectVersions(b -> b.bucket("versions"));
            assertEquals(List.of(v2, v1), listed.versions().stream().map(v -> v.versionId()).toList());
            assertEquals(marker, listed.deleteMarkers().get(0).versionId());
            // The order of versions survives too: removing the marker makes the newest version current.
            s3.deleteObject(b -> b.bucket("versions").key("k").versionId(marker));
            assertEquals("two", s3.getObjectAsBytes(b -> b.bucket("versions").key("k")).asUtf8String());
        }
    }

    @Test
    void objectLockSurvivesARestart() throws Exception {
        Path data = dir.resolve("lock-data");
        java.time.Instant until = java.time.Instant.now().plus(java.time.Duration.ofDays(5))
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String version;
        String uploadId;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(server, "555566667777");
            s3.createBucket(b -> b.bucket("locked").objectLockEnabledForBucket(true));
            s3.putObjectLockConfiguration(b -> b.bucket("locked").objectLockConfiguration(c -> c
                    .objectLockEnabled("Enabled").rule(r -> r.defaultRetention(d -> d.mode("GOVERNANCE").years(1)))));
            version = s3.putObject(b -> b.bucket("locked").key("k").objectLockMode("COMPLIANCE")
                    .objectLockRetainUntilDate(until), RequestBody.fromString("kept")).versionId();
            s3.putObjectLegalHold(b -> b.bucket("locked").key("k").legalHold(h -> h.status("ON")));
            uploadId = s3.createMultipartUpload(b -> b.bucket("locked").key("up").objectLockLegalHoldStatus("ON"))
                    .uploadId();
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(again, "555566667777");
            var rule = s3.getObjectLockConfiguration(b -> b.bucket("locked")).objectLockConfiguration().rule();
            assertEquals(1, rule.defaultRetention().years());
            var retention = s3.getObjectRetention(b -> b.bucket("locked").key("k")).retention();
            assertEquals("COMPLIANCE", retention.modeAsString());
            assertEquals(until, retention.retainUntilDate());
            assertEquals("ON", s3.getObjectLegalHold(b -> b.bucket("locked").key("k")).legalHold().statusAsString());
            S3Exception refused = assertThrows(S3Exception.class, () -> s3.deleteObject(b -> b.bucket("locked")
                    .key("k").versionId(version)));
            assertEquals(403, refused.statusCode());
            assertThrows(S3Exception.class, () -> s3.putBucketVersioning(b -> b.bucket("locked")
                    .versioningConfiguration(c -> c.status("Suspended"))));
            String etag = s3.uploadPart(b -> b.bucket("locked").key("up").uploadId(uploadId).partNumber(1),
                    RequestBody.fromString("part")).eTag();
            s3.completeMultipartUpload(b -> b.bucket("locked").key("up").uploadId(uploadId).multipartUpload(m -> m
                    .parts(software.amazon.awssdk.services.s3.model.CompletedPart.builder().partNumber(1).eTag(etag)
                            .build())));
            var head = s3.headObject(b -> b.bucket("locked").key("up"));
            assertEquals("ON", head.objectLockLegalHoldStatusAsString());
            // The upload asked for no retention: the bucket's default applies when it completes.
            assertEquals("GOVERNANCE", head.objectLockModeAsString());
        }
    }

    @Test
    void ownershipAclAndPublicAccessBlockSurviveARestart() throws Exception {
        Path data = dir.resolve("acl-data");
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(server, "555566667777");
            s3.createBucket(b -> b.bucket("acl-kept").objectOwnership("ObjectWriter"));
            s3.putPublicAccessBlock(b -> b.bucket("acl-kept").publicAccessBlockConfiguration(c -> c
                    .blockPublicPolicy(true)));
            s3.putBucketAcl(b -> b.bucket("acl-kept").acl("public-read"));
            s3.createBucket(b -> b.bucket("acl-unowned"));
            s3.deleteBucketOwnershipControls(b -> b.bucket("acl-unowned"));
            s3.deletePublicAccessBlock(b -> b.bucket("acl-unowned"));
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(again, "555566667777");
            assertEquals("ObjectWriter", s3.getBucketOwnershipControls(b -> b.bucket("acl-kept")).ownershipControls()
                    .rules().get(0).objectOwnershipAsString());
            var block = s3.getPublicAccessBlock(b -> b.bucket("acl-kept")).publicAccessBlockConfiguration();
            assertTrue(block.blockPublicPolicy());
            assertFalse(block.blockPublicAcls());
            var grants = s3.getBucketAcl(b -> b.bucket("acl-kept")).grants();
            assertEquals(2, grants.size());
            assertEquals("http://acs.amazonaws.com/groups/global/AllUsers", grants.get(1).grantee().uri());
            assertEquals("READ", grants.get(1).permissionAsString());
            assertThrows(software.amazon.awssdk.services.s3.model.S3Exception.class,
                    () -> s3.getBucketOwnershipControls(b -> b.bucket("acl-unowned")));
            assertThrows(software.amazon.awssdk.services.s3.model.S3Exception.class,
                    () -> s3.getPublicAccessBlock(b -> b.bucket("acl-unowned")));
        }
    }
    @Test
    void objectOwnersAclsAndBucketConfigurationsSurviveARestart() throws Exception {
        Path data = dir.resolve("object-acl-data");
        String uploadId;
        String ownerId;
        String writerId;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(server, "555566667777");
            S3Client writer = s3(server, "111122223333");
            ownerId = s3.listBuckets().owner().id();
            writerId = writer.listBuckets().owner().id();
            s3.createBucket(b -> b.bucket("oacl-kept").objectOwnership("ObjectWriter"));
            s3.putBucketAcl(b -> b.bucket("oacl-kept").grantFullControl("id=" + ownerId).grantWrite("id=" + writerId));
            writer.putObject(b -> b.bucket("oacl-kept").key("theirs").grantRead("id=" + ownerId)
                    .grantFullControl("id=" + writerId), RequestBody.fromString("theirs"));
            s3.putBucketVersioning(b -> b.bucket("oacl-kept").versioningConfiguration(v -> v.status("Enabled")));
            s3.putObject(b -> b.bucket("oacl-kept").key("v").grantReadACP("id=" + writerId),
                    RequestBody.fromString("1"));
            s3.putObject(b -> b.bucket("oacl-kept").key("v"), RequestBody.fromString("2"));
            uploadId = s3.createMultipartUpload(b -> b.bucket("oacl-kept").key("mp").grantRead("id=" + writerId))
                    .uploadId();
            s3.putBucketWebsite(b -> b.bucket("oacl-kept").websiteConfiguration(w -> w.indexDocument(i -> i
                    .suffix("index.html"))));
            s3.putBucketNotificationConfiguration(b -> b.bucket("oacl-kept").notificationConfiguration(n -> n
                    .eventBridgeConfiguration(e -> { })));
            s3.createBucket(b -> b.bucket("oacl-logs"));
            s3.putBucketPolicy(b -> b.bucket("oacl-logs").policy("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                    + "\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"logging.s3.amazonaws.com\"},"
                    + "\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::oacl-logs/*\"}]}"));
            s3.putBucketLogging(b -> b.bucket("oacl-kept").bucketLoggingStatus(l -> l.loggingEnabled(e -> e
                    .targetBucket("oacl-logs").targetPrefix("kept/"))));
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            S3Client s3 = s3(again, "555566667777");
            S3Client writer = s3(again, "111122223333");
            var acl = writer.getObjectAcl(b -> b.bucket("oacl-kept").key("theirs"));
            assertEquals(writerId, acl.owner().id());
            assertEquals(2, acl.grants().size());
            assertEquals("theirs", s3.getObjectAsBytes(b -> b.bucket("oacl-kept").key("theirs")).asUtf8String());
            assertEquals(writerId, s3.listObjectsV2(b -> b.bucket("oacl-kept").fetchOwner(true)).contents().stream()
                    .filter(o -> o.key().equals("theirs")).findFirst().orElseThrow().owner().id());
            String first = s3.listObjectVersions(b -> b.bucket("oacl-kept").prefix("v")).versions().stream()
                    .filter(v -> !v.isLatest()).findFirst().orElseThrow().versionId();
            assertEquals("READ_ACP", writer.getObjectAcl(b -> b.bucket("oacl-kept").key("v").versionId(first))
                    .grants().get(0).permissionAsString());
            String etag = s3.uploadPart(b -> b.bucket("oacl-kept").key("mp").uploadId(uploadId).partNumber(1),
                    RequestBody.fromString("multi")).eTag();
            s3.completeMultipartUpload(b -> b.bucket("oacl-kept").key("mp").uploadId(uploadId).multipartUpload(m -> m
                    .parts(p -> p.partNumber(1).eTag(etag))));
            assertEquals("multi", writer.getObjectAsBytes(b -> b.bucket("oacl-kept").key("mp")).asUtf8String());
            assertEquals("index.html", s3.getBucketWebsite(b -> b.bucket("oacl-kept")).indexDocument().suffix());
            assertTrue(s3.getBucketNotificationConfiguration(b -> b.bucket("oacl-kept")).eventBridgeConfiguration()
                    != null);
            assertEquals("kept/", s3.getBucketLogging(b -> b.bucket("oacl-kept")).loggingEnabled().targetPrefix());
        }
    }

    @Test
    void corsAndLifecycleRulesSurviveARestartAndStillApply() throws Exception {
        Path data = dir.resolve("data");
        // The real time but for the sweep: requests are never judged against a skewed clock.
        MutableClock clock = MutableClock.frozenNow();
        var cors = software.amazon.awssdk.services.s3.model.CORSRule.builder().id("web")
                .allowedOrigins("https://app.example.com").allowedMethods("GET").maxAgeSeconds(30).build();
        var expire = software.amazon.awssdk.services.s3.model.LifecycleRule.builder().id("tmp").status("Enabled")
                .filter(f -> f.prefix("tmp/")).expiration(e -> e.days(1)).build();
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0)
                .withClock(clock))) {
            S3Client s3 = s3(server, "555566667777");
            s3.createBucket(b -> b.bucket("rules"));
            s3.putBucketCors(b -> b.bucket("rules").corsConfiguration(c -> c.corsRules(cors)));
            s3.putBucketLifecycleConfiguration(b -> b.bucket("rules").lifecycleConfiguration(c -> c.rules(expire)));
            // tags put afterwards keep both configurations in the bucket's record
            s3.putBucketTagging(b -> b.bucket("rules").tagging(t -> t.tagSet(Tag.builder().key("k").value("v")
                    .build())));
            s3.putObject(b -> b.bucket("rules").key("tmp/x"), RequestBody.fromString("x"));
            s3.putObject(b -> b.bucket("rules").key("kept"), RequestBody.fromString("kept"));
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0)
                .withClock(clock))) {
            S3Client s3 = s3(again, "555566667777");
            assertEquals(List.of(cors), s3.getBucketCors(b -> b.bucket("rules")).corsRules());
            assertEquals(List.of(expire), s3.getBucketLifecycleConfiguration(b -> b.bucket("rules")).rules());
            clock.advance(java.time.Duration.ofDays(2));
            assertEquals(1, again.sweepS3Lifecycle());
            clock.set(java.time.Instant.ofEpochSecond(java.time.Instant.now().getEpochSecond()));
            assertEquals(List.of("kept"), s3.listObjectsV2(b -> b.bucket("rules")).contents().stream()
                    .map(o -> o.key()).toList());
            var got = s3.getObjectAsBytes(b -> b.bucket("rules").key("kept").overrideConfiguration(o -> o
                    .putHeader("Origin", "https://app.example.com")));
            assertEquals("https://app.example.com", got.response().sdkHttpResponse()
                    .firstMatchingHeader("Access-Control-Allow-Origin").orElseThrow());
        }
    }
}
