package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.ObjectLockConfiguration;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;

/**
 * S3 Object Lock through the SDK for Java v2: buckets created with it (versioning for good), the configuration and
 * its default retention, retention and legal hold per version (on writes and put later), the deletes they refuse and
 * the GOVERNANCE bypass, the lock headers of reads and who sees them, and S3's answers to bad input, which change
 * nothing.
 */
class S3ObjectLockSdkTest {
    static TestCrossrole crossrole;
    static S3Client owner;
    /**
     * A role of the bucket owner's account allowed everything in S3 but the GOVERNANCE bypass, reading locks, a
     * retention of more than 30 days, and writing COMPLIANCE versions.
     */
    static S3Client limited;
    static final String PROTECTED = "Access Denied because object protected by object lock.";

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(DESTINATION))) {
            iam.createRole(r -> r.roleName("lock-limited").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + DESTINATION
                    + ":root\"},\"Action\":\"sts:AssumeRole\"}]}"));
            iam.putRolePolicy(r -> r.roleName("lock-limited").policyName("s3").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                            + "\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Action\":[\"s3:BypassGovernanceRetention\","
                            + "\"s3:GetObjectRetention\",\"s3:GetObjectLegalHold\"],\"Resource\":\"*\"},"
                            + "{\"Effect\":\"Deny\",\"Action\":\"s3:PutObjectRetention\",\"Resource\":\"*\","
                            + "\"Condition\":{\"NumericGreaterThan\":{\"s3:object-lock-remaining-retention-days\":"
                            + "\"30\"}}},{\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\","
                            + "\"Condition\":{\"StringEquals\":{\"s3:object-lock-mode\":\"COMPLIANCE\"}}}]}"));
        }
        software.amazon.awssdk.services.sts.model.Credentials session;
        try (var sts = crossrole.sts(crossrole.adminCredentials(DESTINATION))) {
            session = sts.assumeRole(r -> r.roleArn("arn:aws:iam::" + DESTINATION + ":role/lock-limited")
                    .roleSessionName("limited")).credentials();
        }
        limited = S3Sdk.pathStyle(crossrole, TestCrossrole.session(session));
    }

    @AfterAll
    static void stop() throws Exception {
        limited.close();
        owner.close();
        crossrole.close();
    }

    private static void locked(String bucket) {
        owner.createBucket(r -> r.bucket(bucket).objectLockEnabledForBucket(true));
    }

    private static String put(String bucket, String key, String body) {
        return owner.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromString(body)).versionId();
    }

    private static Instant inDays(long days) {
        return Instant.now().plus(Duration.ofDays(days)).truncatedTo(ChronoUnit.SECONDS);
    }

    @Test
    void aBucketCreatedWithObjectLockIsVersionedForGood() {
        locked("lock-new");
        assertEquals("Enabled", owner.getBucketVersioning(r -> r.bucket("lock-new")).statusAsString());
        ObjectLockConfiguration configuration = owner.getObjectLockConfiguration(r -> r.bucket("lock-new"))
                .objectLockConfiguration();
        assertEquals("Enabled", configuration.objectLockEnabledAsString());
        assertNull(configuration.rule());
        assertError(409, "InvalidBucketState", "An Object Lock configuration is present on this bucket, so the"
                + " versioning state cannot be changed.", () -> owner.putBucketVersioning(r -> r.bucket("lock-new")
                .versioningConfiguration(c -> c.status("Suspended"))));
        // Enabled again is no change, and allowed.
        owner.putBucketVersioning(r -> r.bucket("lock-new").versioningConfiguration(c -> c.status("Enabled")));
        assertEquals("Enabled", owner.getBucketVersioning(r -> r.bucket("lock-new")).statusAsString());

        owner.createBucket(r -> r.bucket("lock-none"));
        assertError(404, "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this"
                + " bucket", () -> owner.getObjectLockConfiguration(r -> r.bucket("lock-none")));
    }

    @Test
    void theConfigurationIsPutOnVersionedBucketsAndRefusedWhenBad() {
        owner.createBucket(r -> r.bucket("lock-later"));
        assertError(409, "InvalidBucketState", null, () -> owner.putObjectLockConfiguration(r -> r.bucket("lock-later")
                .objectLockConfiguration(c -> c.objectLockEnabled("Enabled"))));
        assertThrows(software.amazon.awssdk.services.s3.model.S3Exception.class,
                () -> owner.getObjectLockConfiguration(r -> r.bucket("lock-later")));
        owner.putBucketVersioning(r -> r.bucket("lock-later").versioningConfiguration(c -> c.status("Enabled")));
        owner.putObjectLockConfiguration(r -> r.bucket("lock-later").objectLockConfiguration(c -> c
                .objectLockEnabled("Enabled").rule(u -> u.defaultRetention(d -> d.mode("GOVERNANCE").days(3)))));
        var rule = owner.getObjectLockConfiguration(r -> r.bucket("lock-later")).objectLockConfiguration().rule();
        assertEquals(ObjectLockRetentionMode.GOVERNANCE, rule.defaultRetention().mode());
        assertEquals(3, rule.defaultRetention().days());
        assertNull(rule.defaultRetention().years());

        assertError(400, "MalformedXML", null, () -> owner.putObjectLockConfiguration(r -> r.bucket("lock-later")
                .objectLockConfiguration(c -> c.objectLockEnabled("Enabled").rule(u -> u.defaultRetention(d -> d
                        .mode("GOVERNANCE").days(1).years(1))))));
        assertError(400, "MalformedXML", null, () -> owner.putObjectLockConfiguration(r -> r.bucket("lock-later")
                .objectLockConfiguration(c -> c.objectLockEnabled("Enabled").rule(u -> u.defaultRetention(d -> d
                        .mode("FOREVER").days(1))))));
        assertError(400, "MalformedXML", null, () -> owner.putObjectLockConfiguration(r -> r.bucket("lock-later")
                .objectLockConfiguration(c -> c.objectLockEnabled("Enabled").rule(u -> u.defaultRetention(d -> d
                        .mode("COMPLIANCE"))))));
        assertError(400, "InvalidArgument", "Default retention period must be a positive integer value.",
                () -> owner.putObjectLockConfiguration(r -> r.bucket("lock-later").objectLockConfiguration(c -> c
                        .objectLockEnabled("Enabled").rule(u -> u.defaultRetention(d -> d.mode("COMPLIANCE")
                                .days(0))))));
        // None of them changed the rule.
        assertEquals(3, owner.getObjectLockConfiguration(r -> r.bucket("lock-later")).objectLockConfiguration()
                .rule().defaultRetention().days());

        // The default retention applies to what is written from then on.
        String version = put("lock-later", "k", "kept");
        var retention = owner.getObjectRetention(r -> r.bucket("lock-later").key("k").versionId(version)).retention();
        assertEquals(ObjectLockRetentionMode.GOVERNANCE, retention.mode());
        long hours = Duration.between(Instant.now(), retention.retainUntilDate()).toHours();
        assertTrue(hours >= 71 && hours < 72, retention.toString());

        // A configuration without a rule removes the default, not Object Lock.
        owner.putObjectLockConfiguration(r -> r.bucket("lock-later").objectLockConfiguration(c -> c
                .objectLockEnabled("Enabled")));
        assertNull(owner.getObjectLockConfiguration(r -> r.bucket("lock-later")).objectLockConfiguration().rule());
        String free = put("lock-later", "k", "free");
        assertError(404, "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock"
                + " configuration", () -> owner.getObjectRetention(r -> r.bucket("lock-later").key("k")
                .versionId(free)));
    }

    @Test
    void writesSetRetentionAndLegalHoldAndReadsShowThem() {
        locked("lock-writes");
        Instant until = inDays(10);
        String version = owner.putObject(r -> r.bucket("lock-writes").key("doc")
                .objectLockMode(ObjectLockMode.COMPLIANCE).objectLockRetainUntilDate(until)
                .objectLockLegalHoldStatus(ObjectLockLegalHoldStatus.ON),
                RequestBody.fromString("doc")).versionId();
        HeadObjectResponse head = owner.headObject(r -> r.bucket("lock-writes").key("doc"));
        assertEquals(ObjectLockMode.COMPLIANCE, head.objectLockMode());
        assertEquals(until, head.objectLockRetainUntilDate());
        assertEquals(ObjectLockLegalHoldStatus.ON, head.objectLockLegalHoldStatus());
        var got = owner.getObjectAsBytes(r -> r.bucket("lock-writes").key("doc").versionId(version)).response();
        assertEquals(ObjectLockMode.COMPLIANCE, got.objectLockMode());
        assertEquals(ObjectLockLegalHoldStatus.ON, owner.getObjectLegalHold(r -> r.bucket("lock-writes").key("doc"))
                .legalHold().status());
        // The lock a write asks for is a condition key of its s3:PutObject.
        assertError(403, "AccessDenied", null, () -> limited.putObject(r -> r.bucket("lock-writes").key("doc")
                .objectLockMode(ObjectLockMode.COMPLIANCE).objectLockRetainUntilDate(until),
                RequestBody.fromString("x")));
        limited.putObject(r -> r.bucket("lock-writes").key("governed").objectLockMode(ObjectLockMode.GOVERNANCE)
                .objectLockRetainUntilDate(until), RequestBody.fromString("x"));
        // A caller not allowed to read the lock reads the object without it.
        HeadObjectResponse unseen = limited.headObject(r -> r.bucket("lock-writes").key("doc"));
        assertNull(unseen.objectLockMode());
        assertNull(unseen.objectLockRetainUntilDate());
        assertNull(unseen.objectLockLegalHoldStatus());

        // A copy gets the lock its request asks for, never its source's.
        owner.copyObject(r -> r.sourceBucket("lock-writes").sourceKey("doc").destinationBucket("lock-writes")
                .destinationKey("copy"));
        assertNull(owner.headObject(r -> r.bucket("lock-writes").key("copy")).objectLockMode());
        owner.copyObject(r -> r.sourceBucket("lock-writes").sourceKey("doc").destinationBucket("lock-writes")
                .destinationKey("copy2").objectLockMode(ObjectLockMode.GOVERNANCE).objectLockRetainUntilDate(until));
        assertEquals(ObjectLockMode.GOVERNANCE, owner.headObject(r -> r.bucket("lock-writes").key("copy2"))
                .objectLockMode());

        // A multipart upload's lock goes to the object it completes into.
        String uploadId = owner.createMultipartUpload(r -> r.bucket("lock-writes").key("parts")
                .objectLockMode(ObjectLockMode.GOVERNANCE).objectLockRetainUntilDate(until)).uploadId();
        String etag = owner.uploadPart(r -> r.bucket("lock-writes").key("parts").uploadId(uploadId).partNumber(1),
                RequestBody.fromString("part")).eTag();
        owner.completeMultipartUpload(r -> r.bucket("lock-writes").key("parts").uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
        var retention = owner.getObjectRetention(r -> r.bucket("lock-writes").key("parts")).retention();
        assertEquals(ObjectLockRetentionMode.GOVERNANCE, retention.mode());
        assertEquals(until, retention.retainUntilDate());

        // Version listing is as it was.
        assertEquals(List.of("copy", "copy2", "doc", "governed", "parts"), owner.listObjectVersions(r -> r
                .bucket("lock-writes")).versions().stream().map(v -> v.key()).toList());
    }

    @Test
    void badLockHeadersAreRefusedAndWriteNothing() {
        locked("lock-bad");
        owner.createBucket(r -> r.bucket("lock-plain"));
        assertError(400, "InvalidRequest", "Bucket is missing ObjectLockConfiguration", () -> owner.putObject(r -> r
                .bucket("lock-plain").key("k").objectLockMode(ObjectLockMode.GOVERNANCE)
                .objectLockRetainUntilDate(inDays(1)), RequestBody.fromString("x")));
        assertError(400, "InvalidArgument", "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both"
                + " be supplied", () -> owner.putObject(r -> r.bucket("lock-bad").key("k")
                .objectLockMode(ObjectLockMode.GOVERNANCE), RequestBody.fromString("x")));
        assertError(400, "InvalidArgument", "The retain until date must be in the future!", () -> owner.putObject(r -> r
                .bucket("lock-bad").key("k").objectLockMode(ObjectLockMode.GOVERNANCE)
                .objectLockRetainUntilDate(Instant.now().minusSeconds(60)), RequestBody.fromString("x")));
        assertError(400, "InvalidArgument", null, () -> owner.putObject(r -> r.bucket("lock-bad").key("k")
                .objectLockMode("FOREVER").objectLockRetainUntilDate(inDays(1)), RequestBody.fromString("x")));
        assertError(400, "InvalidArgument", null, () -> owner.putObject(r -> r.bucket("lock-bad").key("k")
                .objectLockLegalHoldStatus("MAYBE"), RequestBody.fromString("x")));
        assertTrue(owner.listObjectVersions(r -> r.bucket("lock-bad")).versions().isEmpty());
        assertTrue(owner.listObjectVersions(r -> r.bucket("lock-plain")).versions().isEmpty());

        put("lock-plain", "k", "x");
        assertError(400, "InvalidRequest", "Bucket is missing Object Lock Configuration", () -> owner
                .putObjectRetention(r -> r.bucket("lock-plain").key("k").retention(t -> t.mode("GOVERNANCE")
                        .retainUntilDate(inDays(1)))));
        assertError(400, "InvalidRequest", "Bucket is missing Object Lock Configuration", () -> owner
                .getObjectLegalHold(r -> r.bucket("lock-plain").key("k")));
        put("lock-bad", "k", "x");
        assertError(400, "MalformedXML", null, () -> owner.putObjectRetention(r -> r.bucket("lock-bad").key("k")
                .retention(t -> t.mode("FOREVER").retainUntilDate(inDays(1)))));
        assertError(400, "MalformedXML", null, () -> owner.putObjectLegalHold(r -> r.bucket("lock-bad").key("k")
                .legalHold(h -> h.status("MAYBE"))));
        assertError(404, "NoSuchObjectLockConfiguration", null, () -> owner.getObjectRetention(r -> r
                .bucket("lock-bad").key("k")));
        assertError(404, "NoSuchObjectLockConfiguration", null, () -> owner.getObjectLegalHold(r -> r
                .bucket("lock-bad").key("k")));
        assertError(404, "NoSuchKey", null, () -> owner.putObjectLegalHold(r -> r.bucket("lock-bad").key("missing")
                .legalHold(h -> h.status("ON"))));
        assertThrows(NoSuchBucketException.class, () -> owner.getObjectLockConfiguration(r -> r.bucket("lock-gone")));
    }

    @Test
    void aLockedVersionIsNotDeletedButAKeyStillGetsADeleteMarker() {
        locked("lock-delete");
        String governed = owner.putObject(r -> r.bucket("lock-delete").key("g")
                .objectLockMode(ObjectLockMode.GOVERNANCE).objectLockRetainUntilDate(inDays(5)),
                RequestBody.fromString("g")).versionId();
        String complied = owner.putObject(r -> r.bucket("lock-delete").key("c")
                .objectLockMode(ObjectLockMode.COMPLIANCE).objectLockRetainUntilDate(inDays(5)),
                RequestBody.fromString("c")).versionId();

        assertError(403, "AccessDenied", PROTECTED, () -> owner.deleteObject(r -> r.bucket("lock-delete").key("g")
                .versionId(governed)));
        assertError(403, "AccessDenied", PROTECTED, () -> owner.deleteObject(r -> r.bucket("lock-delete").key("c")
                .versionId(complied).bypassGovernanceRetention(true)));
        // Without the permission, the bypass header lifts nothing.
        assertError(403, "AccessDenied", PROTECTED, () -> limited.deleteObject(r -> r.bucket("lock-delete").key("g")
                .versionId(governed).bypassGovernanceRetention(true)));
        DeleteObjectsResponse batch = owner.deleteObjects(r -> r.bucket("lock-delete").delete(d -> d.objects(
                o -> o.key("g").versionId(governed), o -> o.key("c").versionId(complied))));
        assertEquals(2, batch.errors().size(), batch.toString());
        assertEquals("AccessDenied", batch.errors().get(0).code());
        assertEquals(PROTECTED, batch.errors().get(0).message());

        // A delete without a version id hides the key behind a delete marker; the locked version stays.
        var marker = owner.deleteObject(r -> r.bucket("lock-delete").key("g"));
        assertTrue(marker.deleteMarker());
        assertEquals("g", owner.getObjectAsBytes(r -> r.bucket("lock-delete").key("g").versionId(governed))
                .asUtf8String());

        // The owner may lift GOVERNANCE with the header; COMPLIANCE stays.
        owner.deleteObject(r -> r.bucket("lock-delete").key("g").versionId(governed).bypassGovernanceRetention(true));
        assertThrows(software.amazon.awssdk.services.s3.model.S3Exception.class, () -> owner.headObject(r -> r
                .bucket("lock-delete").key("g").versionId(governed)));
        batch = owner.deleteObjects(r -> r.bucket("lock-delete").bypassGovernanceRetention(true).delete(d -> d
                .objects(o -> o.key("c").versionId(complied))));
        assertEquals(PROTECTED, batch.errors().get(0).message());

        // A legal hold refuses the delete whatever the retention, until it is taken off.
        String held = put("lock-delete", "h", "h");
        owner.putObjectLegalHold(r -> r.bucket("lock-delete").key("h").versionId(held).legalHold(h -> h.status("ON")));
        assertError(403, "AccessDenied", PROTECTED, () -> owner.deleteObject(r -> r.bucket("lock-delete").key("h")
                .versionId(held).bypassGovernanceRetention(true)));
        owner.putObjectLegalHold(r -> r.bucket("lock-delete").key("h").versionId(held).legalHold(h -> h.status("OFF")));
        assertEquals("OFF", owner.getObjectLegalHold(r -> r.bucket("lock-delete").key("h").versionId(held))
                .legalHold().statusAsString());
        owner.deleteObject(r -> r.bucket("lock-delete").key("h").versionId(held));
        assertTrue(owner.listObjectVersions(r -> r.bucket("lock-delete").prefix("h")).versions().isEmpty());
    }

    @Test
    void retentionIsExtendedFreelyAndShortenedOnlyAsS3Allows() {
        locked("lock-retention");
        String version = put("lock-retention", "k", "x");
        owner.putObjectRetention(r -> r.bucket("lock-retention").key("k").retention(t -> t.mode("GOVERNANCE")
                .retainUntilDate(inDays(10))));
        // Extending a GOVERNANCE retention needs nothing more.
        owner.putObjectRetention(r -> r.bucket("lock-retention").key("k").retention(t -> t.mode("GOVERNANCE")
                .retainUntilDate(inDays(20))));
        assertError(403, "AccessDenied", PROTECTED, () -> owner.putObjectRetention(r -> r.bucket("lock-retention")
                .key("k").retention(t -> t.mode("GOVERNANCE").retainUntilDate(inDays(2)))));
        assertError(403, "AccessDenied", PROTECTED, () -> limited.putObjectRetention(r -> r.bucket("lock-retention")
                .key("k").bypassGovernanceRetention(true).retention(t -> t.mode("GOVERNANCE")
                        .retainUntilDate(inDays(2)))));
        assertEquals(inDays(20).truncatedTo(ChronoUnit.DAYS), owner.getObjectRetention(r -> r.bucket("lock-retention")
                .key("k").versionId(version)).retention().retainUntilDate().truncatedTo(ChronoUnit.DAYS));
        owner.putObjectRetention(r -> r.bucket("lock-retention").key("k").bypassGovernanceRetention(true)
                .retention(t -> t.mode("GOVERNANCE").retainUntilDate(inDays(2))));
        // The policy's condition on the days a retention keeps an object decides too.
        limited.putObjectRetention(r -> r.bucket("lock-retention").key("k").retention(t -> t.mode("GOVERNANCE")
                .retainUntilDate(inDays(3))));
        assertError(403, "AccessDenied", null, () -> limited.putObjectRetention(r -> r
                .bucket("lock-retention").key("k").retention(t -> t.mode("GOVERNANCE").retainUntilDate(inDays(40)))));
        // GOVERNANCE becomes COMPLIANCE only with the bypass; COMPLIANCE then only grows, whatever the header.
        assertError(403, "AccessDenied", PROTECTED, () -> limited.putObjectRetention(r -> r.bucket("lock-retention")
                .key("k").retention(t -> t.mode("COMPLIANCE").retainUntilDate(inDays(9)))));
        owner.putObjectRetention(r -> r.bucket("lock-retention").key("k").bypassGovernanceRetention(true)
                .retention(t -> t.mode("COMPLIANCE").retainUntilDate(inDays(9))));
        assertError(403, "AccessDenied", PROTECTED, () -> owner.putObjectRetention(r -> r.bucket("lock-retention")
                .key("k").bypassGovernanceRetention(true).retention(t -> t.mode("COMPLIANCE")
                        .retainUntilDate(inDays(1)))));
        assertError(403, "AccessDenied", PROTECTED, () -> owner.putObjectRetention(r -> r.bucket("lock-retention")
                .key("k").bypassGovernanceRetention(true).retention(t -> t.mode("GOVERNANCE")
                        .retainUntilDate(inDays(12)))));
        owner.putObjectRetention(r -> r.bucket("lock-retention").key("k").retention(t -> t.mode("COMPLIANCE")
                .retainUntilDate(inDays(12))));
        var retention = owner.getObjectRetention(r -> r.bucket("lock-retention").key("k")).retention();
        assertEquals(ObjectLockRetentionMode.COMPLIANCE, retention.mode());
        assertError(400, "InvalidArgument", null, () -> owner.putObjectRetention(r -> r.bucket("lock-retention")
                .key("k").retention(t -> t.mode("COMPLIANCE").retainUntilDate(Instant.now().minusSeconds(5)))));
    }
}
