package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.GetBucketLifecycleConfigurationResponse;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.TransitionStorageClass;

/**
 * S3 lifecycle through the SDK for Java v2: the configuration and what S3 refuses of it (a refusal changes nothing),
 * its authorization, the {@code x-amz-expiration} header, and the rules applied by the sweep as the server's clock
 * (a test's {@link MutableClock}) moves: current versions expired (deleted, or a delete marker where versioning is
 * on), noncurrent versions past their days beyond the newer ones kept, lone delete markers removed, and incomplete
 * multipart uploads aborted.
 */
class S3LifecycleSdkTest {
    /**
     * The server's clock: the real time, except during a sweep, which runs at the day the test asks for. Requests are
     * always signed and judged at the real time, so the SDK never sees a skewed clock (its correction of one is global
     * to the JVM and would reach other tests).
     */
    static final MutableClock CLOCK = MutableClock.frozenNow();
    static TestCrossrole crossrole;
    static S3Client owner;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole(CLOCK);
        owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
    }

    @AfterAll
    static void stop() throws Exception {
        owner.close();
        crossrole.close();
    }

    /** One sweep as of {@code at}, then the clock back to the real time. */
    private static int sweepAt(Instant at) {
        CLOCK.set(at);
        try {
            return crossrole.server.sweepS3Lifecycle();
        } finally {
            CLOCK.set(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
        }
    }

    private static LifecycleRule.Builder rule(String id, String prefix) {
        return LifecycleRule.builder().id(id).status(ExpirationStatus.ENABLED).filter(f -> f.prefix(prefix));
    }

    private static void put(String bucket, LifecycleRule... rules) {
        owner.putBucketLifecycleConfiguration(r -> r.bucket(bucket).lifecycleConfiguration(c -> c.rules(rules)));
    }

    private static void refused(String bucket, String code, String message, LifecycleRule... rules) {
        assertError(400, code, message, () -> put(bucket, rules));
    }

    private static boolean exists(String bucket, String key) {
        try {
            owner.headObject(r -> r.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    @Test
    void configurationIsPutReadAndDeleted() {
        owner.createBucket(r -> r.bucket("lc-config"));
        assertError(404, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist",
                () -> owner.getBucketLifecycleConfiguration(r -> r.bucket("lc-config")));
        put("lc-config",
                rule("logs", "logs/").expiration(e -> e.days(30)).transitions(t -> t.days(10)
                        .storageClass(TransitionStorageClass.STANDARD_IA)).build(),
                LifecycleRule.builder().id("tagged").status(ExpirationStatus.DISABLED).filter(f -> f.and(a -> a
                        .prefix("tmp/").tags(Tag.builder().key("kind").value("scratch").build())
                        .objectSizeGreaterThan(10L))).noncurrentVersionExpiration(n -> n.noncurrentDays(7)
                        .newerNoncurrentVersions(2)).build(),
                rule("uploads", "").abortIncompleteMultipartUpload(a -> a.daysAfterInitiation(3))
                        .expiration(e -> e.expiredObjectDeleteMarker(true)).build());
        GetBucketLifecycleConfigurationResponse read = owner.getBucketLifecycleConfiguration(r -> r
                .bucket("lc-config"));
        assertEquals(3, read.rules().size());
        LifecycleRule logs = read.rules().get(0);
        assertEquals("logs", logs.id());
        assertEquals("logs/", logs.filter().prefix());
        assertEquals(30, logs.expiration().days());
        assertEquals(10, logs.transitions().get(0).days());
        assertEquals(TransitionStorageClass.STANDARD_IA, logs.transitions().get(0).storageClass());
        LifecycleRule tagged = read.rules().get(1);
        assertEquals(ExpirationStatus.DISABLED, tagged.status());
        assertEquals("tmp/", tagged.filter().and().prefix());
        assertEquals(List.of(Tag.builder().key("kind").value("scratch").build()), tagged.filter().and().tags());
        assertEquals(10L, tagged.filter().and().objectSizeGreaterThan());
        assertEquals(7, tagged.noncurrentVersionExpiration().noncurrentDays());
        assertEquals(2, tagged.noncurrentVersionExpiration().newerNoncurrentVersions());
        LifecycleRule uploads = read.rules().get(2);
        assertEquals(3, uploads.abortIncompleteMultipartUpload().daysAfterInitiation());
        assertTrue(uploads.expiration().expiredObjectDeleteMarker());

        owner.deleteBucketLifecycle(r -> r.bucket("lc-config"));
        assertError(404, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist",
                () -> owner.getBucketLifecycleConfiguration(r -> r.bucket("lc-config")));
    }

    @Test
    void badConfigurationsAreRefusedAndChangeNothing() {
        owner.createBucket(r -> r.bucket("lc-bad"));
        put("lc-bad", rule("kept", "a/").expiration(e -> e.days(5)).build());
        String malformed = "The XML you provided was not well-formed or did not validate against our published schema";
        refused("lc-bad", "InvalidArgument", "'Days' for Expiration action must be a positive integer",
                rule("zero", "a/").expiration(e -> e.days(0)).build());
        refused("lc-bad", "InvalidArgument", "'NoncurrentDays' for NoncurrentVersionExpiration action must be a"
                + " positive integer", rule("nc", "a/").noncurrentVersionExpiration(n -> n.noncurrentDays(0)).build());
        refused("lc-bad", "InvalidArgument", "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be"
                + " a positive integer", rule("mpu", "a/").abortIncompleteMultipartUpload(a -> a
                        .daysAfterInitiation(-1)).build());
        refused("lc-bad", "InvalidRequest", "At least one action needs to be specified in a rule",
                rule("idle", "a/").build());
        refused("lc-bad", "InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule",
                rule("twice", "a/").expiration(e -> e.days(1)).build(),
                rule("twice", "b/").expiration(e -> e.days(1)).build());
        refused("lc-bad", "MalformedXML", malformed,
                rule("both", "a/").expiration(e -> e.days(1).expiredObjectDeleteMarker(true)).build());
        refused("lc-bad", "MalformedXML", malformed, LifecycleRule.builder().id("no-filter")
                .status(ExpirationStatus.ENABLED).expiration(e -> e.days(1)).build());
        refused("lc-bad", "MalformedXML", malformed, LifecycleRule.builder().id("on").status("On")
                .filter(f -> f.prefix("a/")).expiration(e -> e.days(1)).build());
        refused("lc-bad", "MalformedXML", malformed, LifecycleRule.builder().id("two-conditions")
                .status(ExpirationStatus.ENABLED).filter(f -> f.prefix("a/").objectSizeLessThan(5L))
                .expiration(e -> e.days(1)).build());
        refused("lc-bad", "InvalidArgument", "'Date' must be at midnight GMT", rule("noon", "a/")
                .expiration(e -> e.date(Instant.parse("2027-01-01T12:00:00Z"))).build());
        GetBucketLifecycleConfigurationResponse kept = owner.getBucketLifecycleConfiguration(r -> r.bucket("lc-bad"));
        assertEquals(1, kept.rules().size());
        assertEquals("kept", kept.rules().get(0).id());
    }

    @Test
    void configurationIsAuthorizedAsS3AuthorizesIt() {
        owner.createBucket(r -> r.bucket("lc-authz"));
        var key = crossrole.user(DESTINATION, "lc-reader", Map.of("read", "{\"Version\":\"2012-10-17\",\"Statement\":"
                + "[{\"Effect\":\"Allow\",\"Action\":\"s3:GetLifecycleConfiguration\",\"Resource\":"
                + "\"arn:aws:s3:::lc-authz\"}]}"));
        try (S3Client reader = S3Sdk.pathStyle(crossrole, TestCrossrole.credentials(key))) {
            var denied = assertError(403, "AccessDenied", null, () -> reader.putBucketLifecycleConfiguration(r -> r
                    .bucket("lc-authz").lifecycleConfiguration(c -> c.rules(rule("x", "").expiration(e -> e.days(1))
                            .build()))));
            assertTrue(denied.getMessage().contains("s3:PutLifecycleConfiguration"), denied.getMessage());
            assertError(404, "NoSuchLifecycleConfiguration", null,
                    () -> reader.getBucketLifecycleConfiguration(r -> r.bucket("lc-authz")));
            assertError(403, "AccessDenied", null, () -> reader.deleteBucketLifecycle(r -> r.bucket("lc-authz")));
        }
    }

    @Test
    void currentObjectsExpireWhenTheirDayComes() {
        CLOCK.set(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
        Instant written = CLOCK.instant();
        // Two days after it was written, rounded up to the next midnight UTC.
        Instant expiry = written.plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1));
        owner.createBucket(r -> r.bucket("lc-expire"));
        put("lc-expire", rule("old-logs", "logs/").expiration(e -> e.days(2)).build());
        var put = owner.putObject(r -> r.bucket("lc-expire").key("logs/a"), RequestBody.fromString("a"));
        String header = "expiry-date=\"" + DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
                .withZone(ZoneOffset.UTC).format(expiry) + "\", rule-id=\"old-logs\"";
        assertEquals(header, put.expiration());
        assertEquals(header, owner.headObject(r -> r.bucket("lc-expire").key("logs/a")).expiration());
        assertEquals(header, owner.getObjectAsBytes(r -> r.bucket("lc-expire").key("logs/a")).response()
                .expiration());
        owner.putObject(r -> r.bucket("lc-expire").key("keep/b"), RequestBody.fromString("b"));
        assertNull(owner.headObject(r -> r.bucket("lc-expire").key("keep/b")).expiration());

        sweepAt(expiry.minusSeconds(1));
        assertTrue(exists("lc-expire", "logs/a"), "not before midnight after the second day");
        assertTrue(sweepAt(expiry) >= 1);
        assertTrue(!exists("lc-expire", "logs/a"));
        assertTrue(exists("lc-expire", "keep/b"));
        assertEquals(0, sweepAt(expiry), "a second pass finds nothing more to do");
    }

    @Test
    void versionsAreExpiredKeptAndCleanedUp() {
        owner.createBucket(r -> r.bucket("lc-versions"));
        owner.putBucketVersioning(r -> r.bucket("lc-versions").versioningConfiguration(c -> c
                .status(BucketVersioningStatus.ENABLED)));
        put("lc-versions",
                rule("age", "doc").expiration(e -> e.days(1)).noncurrentVersionExpiration(n -> n.noncurrentDays(1))
                        .build(),
                rule("markers", "doc").expiration(e -> e.expiredObjectDeleteMarker(true)).build(),
                rule("history", "kept").noncurrentVersionExpiration(n -> n.noncurrentDays(1)
                        .newerNoncurrentVersions(1)).build());
        owner.putObject(r -> r.bucket("lc-versions").key("doc"), RequestBody.fromString("one"));
        owner.putObject(r -> r.bucket("lc-versions").key("doc"), RequestBody.fromString("two"));
        for (String body : List.of("k1", "k2", "k3")) {
            owner.putObject(r -> r.bucket("lc-versions").key("kept"), RequestBody.fromString(body));
        }

        Instant written = CLOCK.instant();
        sweepAt(written.plus(Duration.ofDays(3)));
        // "doc": "two" expired into a delete marker; "one" (noncurrent a day and more) gone for good; "two" is now
        // noncurrent. "kept": k3 current, k2 kept as the one newer noncurrent version, k1 gone.
        ListObjectVersionsResponse after = owner.listObjectVersions(r -> r.bucket("lc-versions"));
        assertEquals(List.of("two"), after.versions().stream().filter(v -> v.key().equals("doc"))
                .map(v -> owner.getObjectAsBytes(g -> g.bucket("lc-versions").key("doc").versionId(v.versionId()))
                        .asUtf8String()).toList());
        assertEquals(1, after.deleteMarkers().size());
        assertEquals(List.of("k3", "k2"), after.versions().stream().filter(v -> v.key().equals("kept"))
                .map(v -> owner.getObjectAsBytes(g -> g.bucket("lc-versions").key("kept").versionId(v.versionId()))
                        .asUtf8String()).toList());

        sweepAt(written.plus(Duration.ofDays(5)));
        // "two" went as noncurrent, leaving the delete marker alone, which ExpiredObjectDeleteMarker removes.
        ListObjectVersionsResponse last = owner.listObjectVersions(r -> r.bucket("lc-versions").prefix("doc"));
        assertTrue(last.versions().isEmpty(), last.toString());
        assertTrue(last.deleteMarkers().isEmpty(), last.toString());
    }

    @Test
    void versionsObjectLockProtectsAreKeptUntilTheLockEnds() {
        owner.createBucket(r -> r.bucket("lc-locked").objectLockEnabledForBucket(true));
        put("lc-locked", rule("old", "").noncurrentVersionExpiration(n -> n.noncurrentDays(1)).build());
        Instant written = CLOCK.instant();
        owner.putObject(r -> r.bucket("lc-locked").key("retained").objectLockMode(ObjectLockMode.GOVERNANCE)
                .objectLockRetainUntilDate(written.plus(Duration.ofDays(10))), RequestBody.fromString("one"));
        owner.putObject(r -> r.bucket("lc-locked").key("held")
                .objectLockLegalHoldStatus(ObjectLockLegalHoldStatus.ON), RequestBody.fromString("one"));
        for (String key : List.of("retained", "held")) {
            owner.putObject(r -> r.bucket("lc-locked").key(key), RequestBody.fromString("two"));
        }
        sweepAt(written.plus(Duration.ofDays(3)));
        assertEquals(4, owner.listObjectVersions(r -> r.bucket("lc-locked")).versions().size(),
                "noncurrent, but locked");
        sweepAt(written.plus(Duration.ofDays(11)));
        // The retention ended; the legal hold has no end.
        assertEquals(List.of("held", "held", "retained"), owner.listObjectVersions(r -> r.bucket("lc-locked"))
                .versions().stream().map(v -> v.key()).toList());
    }

    @Test
    void incompleteUploadsAreAborted() {
        owner.createBucket(r -> r.bucket("lc-uploads"));
        put("lc-uploads", rule("abort", "big/").abortIncompleteMultipartUpload(a -> a.daysAfterInitiation(1)).build());
        owner.createMultipartUpload(r -> r.bucket("lc-uploads").key("big/file"));
        owner.createMultipartUpload(r -> r.bucket("lc-uploads").key("other/file"));
        sweepAt(CLOCK.instant().plus(Duration.ofDays(2)));
        assertEquals(List.of("other/file"), owner.listMultipartUploads(r -> r.bucket("lc-uploads")).uploads().stream()
                .map(u -> u.key()).toList());
    }
}
