package dev.crossrole.server.s3;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One pass of the lifecycle rules over every bucket that has them, at the server's clock's time: current versions
 * past their expiration are deleted (a delete marker in a bucket that has versioning, as a DeleteObject would),
 * noncurrent versions past {@code NoncurrentDays} beyond the {@code NewerNoncurrentVersions} kept are deleted for
 * good, a delete marker left alone is removed where {@code ExpiredObjectDeleteMarker} says so, and multipart uploads
 * older than {@code DaysAfterInitiation} are aborted. Transitions are not applied. A version its Object Lock protects
 * (retention in force, or legal hold) is never deleted.
 *
 * <p>Every change goes through the store as any write does, and each is conditional on what the pass saw (the current
 * version's ETag; a version by its id; an upload by its id), so a pass is idempotent: nodes sharing a PostgreSQL
 * store may each run it, and the second to reach an object finds it already gone and changes nothing.
 */
final class LifecycleSweep {
    private static final Logger LOG = Logger.getLogger(LifecycleSweep.class.getName());

    private LifecycleSweep() {}

    /**
     * Applies every enabled rule as of {@code now}; returns how many objects, versions and uploads it removed, each
     * removal also told to {@code events} as S3's {@code LifecycleExpiration} event.
     */
    static int run(S3Repository repository, Instant now, Consumer<ObjectEvent> events) {
        int removed = 0;
        for (Bucket bucket : repository.buckets()) {
            BucketLifecycle lifecycle = bucket.lifecycle();
            if (lifecycle == null || lifecycle.rules().stream().noneMatch(BucketLifecycle.Rule::enabled)) {
                continue;
            }
            try {
                removed += expireCurrent(repository, bucket, lifecycle, now, events);
                removed += expireNoncurrent(repository, bucket, lifecycle, now, events);
                removed += removeLoneDeleteMarkers(repository, bucket, lifecycle, events);
                removed += abortUploads(repository, bucket, lifecycle, now);
            } catch (IOException | RuntimeException e) {
                // The bucket went meanwhile, or the store failed: the next pass tries again.
                LOG.log(Level.FINE, "lifecycle of bucket " + bucket.name() + " not applied this pass", e);
            }
        }
        return removed;
    }

    private static int expireCurrent(S3Repository repository, Bucket bucket, BucketLifecycle lifecycle, Instant now,
                                     Consumer<ObjectEvent> events) throws IOException {
        int removed = 0;
        for (StoredObject object : List.copyOf(repository.objects(bucket.name()).values())) {
            Instant expiry = null;
            for (BucketLifecycle.Rule rule : lifecycle.rules()) {
                Instant by = rule.expiry(object);
                if (by != null && (expiry == null || by.isBefore(expiry))) {
                    expiry = by;
                }
            }
            if (expiry == null || now.isBefore(expiry)) {
                continue;
            }
            try {
                // Only the version this pass judged: a newer write under the key is not expired by it.
                StoredObject marker = repository.deleteObject(bucket.name(), object.key(),
                        new WriteCondition(object.etag(), false), now);
                removed++;
                events.accept(marker == null ? ObjectEvent.of(bucket.name(), "LifecycleExpiration:Delete", object)
                        : ObjectEvent.of(bucket.name(), "LifecycleExpiration:DeleteMarkerCreated", marker));
            } catch (S3Exception changed) {
                // Replaced or deleted meanwhile (another node's pass, or a client's write).
            }
        }
        return removed;
    }

    /**
     * Noncurrent versions: a version is noncurrent from the moment the version after it was written, and the first
     * {@code NewerNoncurrentVersions} noncurrent versions (newest first) are kept whatever their age.
     */
    private static int expireNoncurrent(S3Repository repository, Bucket bucket, BucketLifecycle lifecycle,
                                        Instant now, Consumer<ObjectEvent> events) throws IOException {
        int removed = 0;
        for (Map.Entry<String, List<StoredObject>> entry : List.copyOf(repository.versions(bucket.name()).entrySet())) {
            String key = entry.getKey();
            List<StoredObject> chain = new ArrayList<>();
            StoredObject current = repository.objects(bucket.name()).get(key);
            if (current != null) {
                chain.add(current);
            }
            chain.addAll(entry.getValue());
            for (int i = 1; i < chain.size(); i++) {
                StoredObject version = chain.get(i);
                Instant noncurrentSince = chain.get(i - 1).lastModified();
                for (BucketLifecycle.Rule rule : lifecycle.rules()) {
                    if (!rule.enabled() || rule.noncurrentDays() == null || !rule.filter().matches(version)
                            && !(version.deleteMarker() && rule.filter().matchesKey(key))) {
                        continue;
                    }
                    boolean kept = rule.newerNoncurrentVersions() != null && i <= rule.newerNoncurrentVersions();
                    // A version its Object Lock protects is kept, as S3's lifecycle keeps it, until the lock ends.
                    boolean locked = version.lock() != null && version.lock().protects(now, false);
                    if (!kept && !locked
                            && !now.isBefore(BucketLifecycle.afterDays(noncurrentSince, rule.noncurrentDays()))) {
                        if (repository.deleteVersion(bucket.name(), key, version.versionId(), WriteCondition.NONE)
                                .isPresent()) {
                            removed++;
                            events.accept(ObjectEvent.of(bucket.name(), "LifecycleExpiration:Delete", version));
                        }
                        break;
                    }
                }
            }
        }
        return removed;
    }

    /** A delete marker that is a key's only version, where a rule with {@code ExpiredObjectDeleteMarker} covers it. */
    private static int removeLoneDeleteMarkers(S3Repository repository, Bucket bucket, BucketLifecycle lifecycle,
                                               Consumer<ObjectEvent> events) throws IOException {
        int removed = 0;
        for (Map.Entry<String, List<StoredObject>> entry : List.copyOf(repository.versions(bucket.name()).entrySet())) {
            List<StoredObject> versions = entry.getValue();
            if (versions.size() != 1 || !versions.get(0).deleteMarker()
                    || repository.objects(bucket.name()).containsKey(entry.getKey())) {
                continue;
            }
            for (BucketLifecycle.Rule rule : lifecycle.rules()) {
                if (rule.enabled() && Boolean.TRUE.equals(rule.expiredObjectDeleteMarker())
                        && rule.filter().matchesKey(entry.getKey())) {
                    if (repository.deleteVersion(bucket.name(), entry.getKey(), versions.get(0).versionId(),
                            WriteCondition.NONE).isPresent()) {
                        removed++;
                        events.accept(ObjectEvent.of(bucket.name(), "LifecycleExpiration:Delete", versions.get(0)));
                    }
                    break;
                }
            }
        }
        return removed;
    }

    private static int abortUploads(S3Repository repository, Bucket bucket, BucketLifecycle lifecycle, Instant now)
            throws IOException {
        int removed = 0;
        for (MultipartUpload upload : repository.uploads(bucket.name())) {
            for (BucketLifecycle.Rule rule : lifecycle.rules()) {
                if (rule.enabled() && rule.abortDays() != null && rule.filter().matchesKey(upload.key())
                        && !now.isBefore(BucketLifecycle.afterDays(upload.initiated(), rule.abortDays()))) {
                    if (repository.upload(bucket.name(), upload.uploadId()).isPresent()) {
                        repository.deleteUpload(upload);
                        removed++;
                    }
                    break;
                }
            }
        }
        return removed;
    }
}
