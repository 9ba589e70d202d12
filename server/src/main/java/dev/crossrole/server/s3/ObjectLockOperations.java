package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Object Lock on object versions: the lock headers of PutObject, CopyObject and CreateMultipartUpload, the bucket's
 * default retention applied to writes, PutObjectRetention / GetObjectRetention ({@code s3:PutObjectRetention},
 * {@code s3:GetObjectRetention}), PutObjectLegalHold / GetObjectLegalHold ({@code s3:PutObjectLegalHold},
 * {@code s3:GetObjectLegalHold}), the lock headers of GetObject and HeadObject, and the refusal of deleting a locked
 * version.
 *
 * <p>A version under a legal hold, or under a retention whose date has not passed, cannot be deleted for good (a
 * delete without a version id still adds a delete marker, which hides it). A GOVERNANCE retention gives way to a
 * caller who sends {@code x-amz-bypass-governance-retention: true} and is allowed
 * {@code s3:BypassGovernanceRetention}; a COMPLIANCE retention to no one, and can only be extended.
 *
 * <p>S3's answers, as observed of it: a refused delete or change of retention is 403 AccessDenied "Access Denied
 * because object protected by object lock." (versity/versitygw#1330); a lock header in a bucket without Object Lock is
 * InvalidRequest "Bucket is missing ObjectLockConfiguration" on writes and "Bucket is missing Object Lock
 * Configuration" on the retention and legal hold operations (versity/versitygw#1751); only one of mode and date is
 * InvalidArgument "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"
 * (boto/s3transfer#224); a date not in the future is InvalidArgument "The retain until date must be in the future!"
 * (versity/versitygw#1734); a PutObject with lock settings (its own or the bucket's default retention) without
 * Content-MD5 or a flexible checksum is InvalidRequest (versity/versitygw#1776, aws/aws-sdk-php#1694); a version
 * without retention or legal hold is 404 NoSuchObjectLockConfiguration "The specified object does not have a
 * ObjectLock configuration" (noobaa/noobaa-core#9371). S3's wording for an unknown mode or legal hold status in a
 * header was not found: InvalidArgument naming the header, with words saying what is accepted.
 */
final class ObjectLockOperations {
    private final S3Repository repository;
    private final Clock clock;
    private final ObjectOperations objects;

    ObjectLockOperations(S3Repository repository, Clock clock, ObjectOperations objects) {
        this.repository = repository;
        this.clock = clock;
        this.objects = objects;
    }

    // ---- writes -------------------------------------------------------------------------------

    /**
     * The lock settings a write's headers ask for, checked as S3 checks them; {@code null} when it sends none. A
     * bucket without Object Lock refuses them.
     */
    static ObjectLock requested(S3Input input, Bucket bucket, Instant now) {
        String mode = input.string("ObjectLockMode");
        boolean dateSent = input.sent("ObjectLockRetainUntilDate");
        String legalHold = input.string("ObjectLockLegalHoldStatus");
        if (mode == null && !dateSent && legalHold == null) {
            return null;
        }
        if (bucket.objectLock() == null) {
            throw S3Exception.invalidRequest("Bucket is missing ObjectLockConfiguration");
        }
        if ((mode == null) != !dateSent) {
            throw new S3Exception("InvalidArgument", 400, "x-amz-object-lock-retain-until-date and"
                    + " x-amz-object-lock-mode must both be supplied").with("ArgumentName", mode == null
                    ? "x-amz-object-lock-mode" : "x-amz-object-lock-retain-until-date");
        }
        if (mode != null && !mode.equals(ObjectLock.GOVERNANCE) && !mode.equals(ObjectLock.COMPLIANCE)) {
            throw S3Exception.invalidArgument("Unknown object lock mode: it must be GOVERNANCE or COMPLIANCE",
                    input.wireName("ObjectLockMode"), mode);
        }
        if (legalHold != null && !legalHold.equals(ObjectLock.ON) && !legalHold.equals(ObjectLock.OFF)) {
            throw S3Exception.invalidArgument("Legal Hold must be either of 'ON' or 'OFF'",
                    input.wireName("ObjectLockLegalHoldStatus"), legalHold);
        }
        Instant until = null;
        if (mode != null) {
            until = input.timestamp("ObjectLockRetainUntilDate");
            if (!until.isAfter(now)) {
                throw S3Exception.invalidArgument("The retain until date must be in the future!",
                        input.wireName("ObjectLockRetainUntilDate"), input.sentValue("ObjectLockRetainUntilDate"));
            }
        }
        return ObjectLock.orNull(mode, until, legalHold);
    }

    /**
     * What a version written at {@code now} gets: the retention its request asked for, else the bucket's default
     * retention; with the legal hold its request asked for.
     */
    static ObjectLock forWrite(ObjectLock requested, Bucket bucket, Instant now) {
        if (requested != null && requested.hasRetention()) {
            return requested;
        }
        BucketObjectLock configuration = bucket.objectLock();
        Instant until = configuration == null ? null : configuration.defaultRetainUntil(now);
        String legalHold = requested == null ? null : requested.legalHold();
        return ObjectLock.orNull(until == null ? null : configuration.mode(), until, legalHold);
    }

    /**
     * S3 asks a PutObject that locks the version it writes (by its headers or the bucket's default retention) for the
     * integrity of its body: Content-MD5 or a flexible checksum.
     */
    static void requireIntegrity(S3Input input, ObjectLock requested, Bucket bucket) {
        boolean locks = requested != null || (bucket.objectLock() != null && bucket.objectLock().mode() != null);
        S3Request request = input.request();
        if (locks && request.header("Content-MD5") == null && ObjectOperations.requestedChecksum(request) == null) {
            throw S3Exception.invalidRequest("Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object"
                    + " requests with Object Lock parameters");
        }
    }

    /**
     * The Object Lock condition keys of a request that sets {@code lock}: {@code s3:object-lock-mode},
     * {@code s3:object-lock-retain-until-date}, {@code s3:object-lock-remaining-retention-days} and
     * {@code s3:object-lock-legal-hold}, each only when the request sets it.
     */
    static RequestContext.Builder conditionKeys(ObjectLock lock, Instant now, RequestContext.Builder context) {
        if (lock == null) {
            return context;
        }
        if (lock.hasRetention()) {
            context.single("s3:object-lock-mode", lock.mode());
            context.single("s3:object-lock-retain-until-date", ObjectLock.format(lock.retainUntil()));
            context.single("s3:object-lock-remaining-retention-days",
                    String.valueOf(ObjectLock.remainingDays(lock.retainUntil(), now)));
        }
        if (lock.legalHold() != null) {
            context.single("s3:object-lock-legal-hold", lock.legalHold());
        }
        return context;
    }

    // ---- reads --------------------------------------------------------------------------------

    /**
     * The lock headers of GetObject and HeadObject: the retention only to callers allowed
     * {@code s3:GetObjectRetention}, the legal hold only to those allowed {@code s3:GetObjectLegalHold}, as S3 shows
     * them (GetObject's API reference, {@code x-amz-object-lock-mode}).
     */
    static void headers(S3Response response, StoredObject object, Bucket bucket, AccessGate gate) {
        ObjectLock lock = object.lock();
        if (lock == null) {
            return;
        }
        if (lock.hasRetention() && gate.allows(S3Support.objectCheck("s3:GetObjectRetention", bucket, object.key(),
                RequestContext.empty()))) {
            response.header("x-amz-object-lock-mode", lock.mode());
            response.header("x-amz-object-lock-retain-until-date", ObjectLock.format(lock.retainUntil()));
        }
        if (lock.legalHold() != null && gate.allows(S3Support.objectCheck("s3:GetObjectLegalHold", bucket,
                object.key(), RequestContext.empty()))) {
            response.header("x-amz-object-lock-legal-hold", lock.legalHold());
        }
    }

    // ---- deletes ------------------------------------------------------------------------------

    /**
     * Whether a delete of {@code key}'s version {@code versionId} may lift a GOVERNANCE retention: it sent
     * {@code x-amz-bypass-governance-retention: true}, the version has such a retention, and the caller is allowed
     * {@code s3:BypassGovernanceRetention} (asked only then).
     */
    boolean bypass(boolean sent, Bucket bucket, String key, String versionId, AccessGate gate) {
        if (!sent) {
            return false;
        }
        StoredObject version = repository.version(bucket.name(), key, VersionIds.internal(versionId)).orElse(null);
        if (version == null || version.lock() == null || !version.lock().retained(clock.instant())
                || !ObjectLock.GOVERNANCE.equals(version.lock().mode())) {
            return false;
        }
        return gate.allows(S3Support.objectCheck("s3:BypassGovernanceRetention", bucket, key, RequestContext.empty()));
    }

    /** What refuses, in the deleting transaction, to delete a version its lock protects. */
    Consumer<StoredObject> deleteGuard(boolean bypass) {
        Instant now = clock.instant();
        return version -> {
            if (version.lock() != null && version.lock().protects(now, bypass)) {
                throw new S3Exception("AccessDenied", 403, ObjectLock.PROTECTED);
            }
        };
    }

    // ---- retention ----------------------------------------------------------------------------

    /** InvalidRequest for a retention or legal hold operation on a bucket without Object Lock. */
    private static void requireLock(Bucket bucket) {
        if (bucket.objectLock() == null) {
            throw S3Exception.invalidRequest("Bucket is missing Object Lock Configuration");
        }
    }

    /**
     * PutObjectRetention. The retention is read before the check, for its condition keys; a change that shortens or
     * removes a retention in force, or changes its mode, needs the bypass of a GOVERNANCE one, and is never allowed
     * of a COMPLIANCE one.
     */
    S3Call putRetention(S3Input input, Bucket bucket) throws java.io.IOException {
        String key = input.string("Key");
        requireLock(bucket);
        Input document = input.document();
        String mode = document == null ? null : document.string("Mode");
        Instant until = document == null ? null : document.timestamp("RetainUntilDate");
        if ((mode == null) != (until == null)) {
            throw S3Exception.malformedXml();
        }
        if (mode != null && !mode.equals(ObjectLock.GOVERNANCE) && !mode.equals(ObjectLock.COMPLIANCE)) {
            throw S3Exception.malformedXml();
        }
        Instant now = clock.instant();
        if (until != null && !until.isAfter(now)) {
            // S3's code and words, as for the header; which argument it names here was not found.
            throw new S3Exception("InvalidArgument", 400, "The retain until date must be in the future!");
        }
        ObjectOperations.Target target = objects.target(input, bucket, key);
        RequestContext.Builder context = conditionKeys(ObjectLock.orNull(mode, until, null), now,
                RequestContext.builder());
        boolean bypassSent = Boolean.TRUE.equals(input.bool("BypassGovernanceRetention"));
        return S3Call.of(S3Support.objectCheck("s3:PutObjectRetention", bucket, key, context.build()), findings -> {
            StoredObject version = objects.readable(target, bucket, key, findings, "PUT");
            ObjectLock before = version.lock();
            boolean bypass = bypassSent && before != null && ObjectLock.GOVERNANCE.equals(before.mode())
                    && before.retained(now) && findings.allows(S3Support.objectCheck("s3:BypassGovernanceRetention",
                            bucket, key, RequestContext.empty()));
            StoredObject changed = repository.updateVersion(bucket.name(), version, current -> {
                ObjectLock lock = current.lock();
                if (lock != null && lock.retained(now) && !extension(lock, mode, until)
                        && !(bypass && lock.mode().equals(ObjectLock.GOVERNANCE))) {
                    throw new S3Exception("AccessDenied", 403, ObjectLock.PROTECTED);
                }
                return current.withLock(lock == null ? ObjectLock.orNull(mode, until, null)
                        : lock.withRetention(mode, until));
            });
            if (changed == null) {
                throw target.versioned() ? S3Exception.noSuchVersion(key, target.versionId())
                        : S3Exception.noSuchKey(key);
            }
            return input.respond(Shape.of());
        });
    }

    /** Whether a new retention keeps the mode of one in force and does not shorten it. */
    private static boolean extension(ObjectLock lock, String mode, Instant until) {
        return mode != null && mode.equals(lock.mode()) && !until.isBefore(lock.retainUntil());
    }

    S3Call getRetention(S3Input input, Bucket bucket) {
        String key = input.string("Key");
        requireLock(bucket);
        ObjectOperations.Target target = objects.target(input, bucket, key);
        return S3Call.of(S3Support.objectCheck("s3:GetObjectRetention", bucket, key, RequestContext.empty()),
                findings -> {
                    StoredObject version = objects.readable(target, bucket, key, findings, "GET");
                    ObjectLock lock = version.lock();
                    if (lock == null || !lock.hasRetention()) {
                        throw noLock();
                    }
                    return input.respond(Shape.of().put("Retention", Shape.of().put("Mode", lock.mode())
                            .put("RetainUntilDate", lock.retainUntil())));
                });
    }

    // ---- legal hold ---------------------------------------------------------------------------

    S3Call putLegalHold(S3Input input, Bucket bucket) throws java.io.IOException {
        String key = input.string("Key");
        requireLock(bucket);
        Input document = input.document();
        String status = document == null ? null : document.string("Status");
        if (!ObjectLock.ON.equals(status) && !ObjectLock.OFF.equals(status)) {
            throw S3Exception.malformedXml();
        }
        ObjectOperations.Target target = objects.target(input, bucket, key);
        RequestContext context = RequestContext.builder().single("s3:object-lock-legal-hold", status).build();
        return S3Call.of(S3Support.objectCheck("s3:PutObjectLegalHold", bucket, key, context), findings -> {
            StoredObject version = objects.readable(target, bucket, key, findings, "PUT");
            StoredObject changed = repository.updateVersion(bucket.name(), version, current -> current.withLock(
                    current.lock() == null ? ObjectLock.orNull(null, null, status)
                            : current.lock().withLegalHold(status)));
            if (changed == null) {
                throw target.versioned() ? S3Exception.noSuchVersion(key, target.versionId())
                        : S3Exception.noSuchKey(key);
            }
            return input.respond(Shape.of());
        });
    }

    S3Call getLegalHold(S3Input input, Bucket bucket) {
        String key = input.string("Key");
        requireLock(bucket);
        ObjectOperations.Target target = objects.target(input, bucket, key);
        return S3Call.of(S3Support.objectCheck("s3:GetObjectLegalHold", bucket, key, RequestContext.empty()),
                findings -> {
                    StoredObject version = objects.readable(target, bucket, key, findings, "GET");
                    ObjectLock lock = version.lock();
                    if (lock == null || lock.legalHold() == null) {
                        throw noLock();
                    }
                    return input.respond(Shape.of().put("LegalHold", Shape.of().put("Status", lock.legalHold())));
                });
    }

    private static S3Exception noLock() {
        return new S3Exception("NoSuchObjectLockConfiguration", 404,
                "The specified object does not have a ObjectLock configuration");
    }
}
