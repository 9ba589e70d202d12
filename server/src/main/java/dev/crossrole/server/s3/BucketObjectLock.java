package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * A bucket's Object Lock configuration, and PutObjectLockConfiguration / GetObjectLockConfiguration
 * ({@code s3:PutBucketObjectLockConfiguration}, {@code s3:GetBucketObjectLockConfiguration} on the bucket). A bucket
 * gets Object Lock when it is created with {@code x-amz-bucket-object-lock-enabled: true}, or, as S3 allows since
 * November 2023 (User Guide, "Enabling Object Lock on an existing bucket"), by PutObjectLockConfiguration on a bucket
 * whose versioning is Enabled; it never loses it, and its versioning can then not be suspended.
 *
 * <p>S3's answers to a configuration it refuses, as observed of it: an {@code ObjectLockEnabled} other than
 * {@code Enabled}, a Mode other than GOVERNANCE or COMPLIANCE, both or neither of Days and Years: MalformedXML
 * (versity/versitygw#556, #558; aws/aws-sdk-js#2747); a period that is not positive: InvalidArgument "Default
 * retention period must be a positive integer value." naming Days or Years (versity/versitygw#1738). Periods above
 * 36,500 days or 100 years are InvalidArgument (versity/versitygw#2195); S3's words for those were not found, these
 * say what is refused. A bucket whose versioning is not Enabled is 409 InvalidBucketState (storj/edge#509); S3's
 * message for that case was not found either.
 *
 * @param mode the default retention's mode, {@code null} when the configuration has no rule
 * @param days the default retention period in days, or {@code null}
 * @param years the default retention period in years, or {@code null}
 */
public record BucketObjectLock(String mode, Integer days, Integer years) {
    /** Object Lock enabled, without a default retention. */
    static final BucketObjectLock ENABLED = new BucketObjectLock(null, null, null);
    private static final int MAX_DAYS = 36_500;
    private static final int MAX_YEARS = 100;

    /** The retain-until date the default retention gives a version written at {@code now}; {@code null} if none. */
    Instant defaultRetainUntil(Instant now) {
        if (mode == null) {
            return null;
        }
        return days != null ? now.plus(java.time.Duration.ofDays(days))
                : now.atZone(ZoneOffset.UTC).plusYears(years).toInstant();
    }

    static S3Call put(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketObjectLockConfiguration", bucket, RequestContext.empty()),
                findings -> {
                    BucketObjectLock configuration = read(input.document());
                    repository.updateBucket(bucket.name(), current -> {
                        if (current.objectLock() == null && !current.versioned()) {
                            throw new S3Exception("InvalidBucketState", 409, "Versioning must be 'Enabled' on the"
                                    + " bucket to apply a Object Lock configuration");
                        }
                        return current.withObjectLock(configuration);
                    });
                    return input.respond(Shape.of());
                });
    }

    static S3Call get(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetBucketObjectLockConfiguration", bucket, RequestContext.empty()),
                findings -> {
                    BucketObjectLock lock = bucket.objectLock();
                    if (lock == null) {
                        throw notFound(bucket);
                    }
                    Shape configuration = Shape.of().put("ObjectLockEnabled", "Enabled");
                    if (lock.mode() != null) {
                        configuration.put("Rule", Shape.of().put("DefaultRetention", Shape.of().put("Mode", lock.mode())
                                .put("Days", lock.days()).put("Years", lock.years())));
                    }
                    return input.respond(Shape.of().put("ObjectLockConfiguration", configuration));
                });
    }

    /** GetObjectLockConfiguration's answer for a bucket without Object Lock (versity/versitygw#2071). */
    static S3Exception notFound(Bucket bucket) {
        return new S3Exception("ObjectLockConfigurationNotFoundError", 404,
                "Object Lock configuration does not exist for this bucket").with("BucketName", bucket.name());
    }

    /** A PutObjectLockConfiguration document, checked as S3 checks it (see the class comment). */
    static BucketObjectLock read(Input document) {
        if (document == null || !"Enabled".equals(document.string("ObjectLockEnabled"))) {
            throw S3Exception.malformedXml();
        }
        Input rule = document.struct("Rule");
        if (rule == null) {
            return ENABLED;
        }
        Input retention = rule.struct("DefaultRetention");
        if (retention == null) {
            throw S3Exception.malformedXml();
        }
        String mode = retention.string("Mode");
        if (!ObjectLock.GOVERNANCE.equals(mode) && !ObjectLock.COMPLIANCE.equals(mode)) {
            throw S3Exception.malformedXml();
        }
        Integer days = retention.integer("Days");
        Integer years = retention.integer("Years");
        if ((days == null) == (years == null)) {
            throw S3Exception.malformedXml();
        }
        String element = days != null ? "Days" : "Years";
        int period = days != null ? days : years;
        if (period <= 0) {
            throw new S3Exception("InvalidArgument", 400, "Default retention period must be a positive integer value.")
                    .with("ArgumentName", element);
        }
        if (period > (days != null ? MAX_DAYS : MAX_YEARS)) {
            throw new S3Exception("InvalidArgument", 400, "Default retention period is too large: at most "
                    + (days != null ? MAX_DAYS + " days" : MAX_YEARS + " years")).with("ArgumentName", element);
        }
        return new BucketObjectLock(mode, days, years);
    }
}
