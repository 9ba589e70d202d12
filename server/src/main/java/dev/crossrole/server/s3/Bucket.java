package dev.crossrole.server.s3;

import dev.crossrole.policy.Policy;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A bucket: its global name, the owning account, its region, its policy (text as put, and compiled), its tags and
 * its default encryption.
 *
 * @param policyText the bucket policy as the owner put it, or {@code null}
 * @param policy the compiled policy, {@code null} when there is none
 * @param tags the bucket's tag set in the order it was put; empty when it has none (GetBucketTagging: NoSuchTagSet)
 * @param encryption the default encryption put with PutBucketEncryption, or {@code null} for S3's own (SSE-S3)
 * @param versioning {@code Enabled} or {@code Suspended} once PutBucketVersioning was called; {@code null} for a
 *     bucket that never had versioning (which it can never go back to)
 * @param ownership the Object Ownership setting ({@code BucketOwnerEnforced}, {@code BucketOwnerPreferred},
 *     {@code ObjectWriter}), or {@code null} once DeleteBucketOwnershipControls removed it (ACLs then apply as for
 *     {@code ObjectWriter}, as they did before ownership controls existed)
 * @param acl the bucket's grants; the owner's FULL_CONTROL when none were put
 * @param publicAccessBlock the bucket's Block Public Access configuration, or {@code null} when it has none
 * @param cors the CORS rules put with PutBucketCors, or {@code null} (GetBucketCors: NoSuchCORSConfiguration)
 * @param lifecycle the lifecycle rules put with PutBucketLifecycleConfiguration, or {@code null}
 * @param logging the server access logging put with PutBucketLogging ({@code LoggingEnabled}), or {@code null}
 * @param website the website configuration, or {@code null} (GetBucketWebsite: NoSuchWebsiteConfiguration)
 * @param notification the event notification configuration, or {@code null} for none
 */
public record Bucket(String name, String owner, String region, Instant created, String policyText, Policy policy,
                     Map<String, String> tags, BucketEncryption encryption, String versioning, String ownership,
                     List<AclGrant> acl, PublicAccessBlock publicAccessBlock, BucketCors cors,
                     BucketLifecycle lifecycle, BucketConfigs.Document logging, BucketConfigs.Document website,
                     BucketConfigs.Document notification) {
    static final String ENABLED = "Enabled";
    static final String SUSPENDED = "Suspended";
    /** S3's default Object Ownership of new buckets since April 2023: ACLs disabled. */
    static final String OWNER_ENFORCED = "BucketOwnerEnforced";

    public Bucket {
        tags = tags == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tags));
        acl = acl == null || acl.isEmpty() ? AclGrant.ownerOnly(owner) : List.copyOf(acl);
    }

    /**
     * A bucket as S3 creates it by default: ACLs disabled, the owner's grant, no Block Public Access stored, no CORS
     * or lifecycle rules.
     */
    public Bucket(String name, String owner, String region, Instant created, String policyText, Policy policy,
                  Map<String, String> tags, BucketEncryption encryption, String versioning) {
        this(name, owner, region, created, policyText, policy, tags, encryption, versioning, OWNER_ENFORCED, null,
                null, null, null, null, null, null);
    }

    /** A never-versioned bucket. */
    public Bucket(String name, String owner, String region, Instant created, String policyText, Policy policy,
                  Map<String, String> tags, BucketEncryption encryption) {
        this(name, owner, region, created, policyText, policy, tags, encryption, null);
    }

    /** A bucket with S3's default encryption. */
    public Bucket(String name, String owner, String region, Instant created, String policyText, Policy policy,
                  Map<String, String> tags) {
        this(name, owner, region, created, policyText, policy, tags, null);
    }

    /** A bucket without tags. */
    public Bucket(String name, String owner, String region, Instant created, String policyText, Policy policy) {
        this(name, owner, region, created, policyText, policy, Map.of());
    }

    public String arn() {
        return "arn:aws:s3:::" + name;
    }

    Bucket withPolicy(String text, Policy compiled) {
        return new Bucket(name, owner, region, created, text, compiled, tags, encryption, versioning, ownership, acl,
                publicAccessBlock, cors,
                lifecycle, logging, website, notification);
    }

    Bucket withTags(Map<String, String> newTags) {
        return new Bucket(name, owner, region, created, policyText, policy, newTags, encryption, versioning, ownership,
                acl, publicAccessBlock, cors,
                lifecycle, logging, website, notification);
    }

    Bucket withEncryption(BucketEncryption newEncryption) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, newEncryption, versioning, ownership,
                acl, publicAccessBlock, cors,
                lifecycle, logging, website, notification);
    }

    Bucket withVersioning(String status) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, status, ownership, acl,
                publicAccessBlock, cors,
                lifecycle, logging, website, notification);
    }

    Bucket withOwnership(String newOwnership) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, newOwnership,
                acl, publicAccessBlock, cors,
                lifecycle, logging, website, notification);
    }

    Bucket withAcl(List<AclGrant> newAcl) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                newAcl, publicAccessBlock, cors,
                lifecycle, logging, website, notification);
    }

    Bucket withPublicAccessBlock(PublicAccessBlock block) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                acl, block, cors,
                lifecycle, logging, website, notification);
    }

    Bucket withCors(BucketCors newCors) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                acl, publicAccessBlock, newCors, lifecycle, logging, website, notification);
    }

    Bucket withLifecycle(BucketLifecycle newLifecycle) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                acl, publicAccessBlock, cors, newLifecycle, logging, website, notification);
    }

    Bucket withLogging(BucketConfigs.Document newLogging) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                acl, publicAccessBlock, cors, lifecycle, newLogging, website, notification);
    }

    Bucket withWebsite(BucketConfigs.Document newWebsite) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                acl, publicAccessBlock, cors, lifecycle, logging, newWebsite, notification);
    }

    Bucket withNotification(BucketConfigs.Document newNotification) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                acl, publicAccessBlock, cors, lifecycle, logging, website, newNotification);
    }

    /** Whether ACLs are in force: every Object Ownership setting but {@code BucketOwnerEnforced}. */
    boolean aclsEnabled() {
        return !OWNER_ENFORCED.equals(ownership);
    }

    /** Whether writes make new versions (rather than replacing the null version). */
    boolean versioned() {
        return ENABLED.equals(versioning);
    }

    /** What a write naming no encryption gets: the configuration put, else SSE-S3. */
    BucketEncryption defaultEncryption() {
        return encryption == null ? BucketEncryption.SSE_S3 : encryption;
    }
}
