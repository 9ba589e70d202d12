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
 * @param objectLock the Object Lock configuration of a bucket that has Object Lock enabled (which it then keeps for
 *     good), or {@code null} for a bucket without it (GetObjectLockConfiguration: ObjectLockConfigurationNotFoundError)
 * @param logging the server access logging put with PutBucketLogging ({@code LoggingEnabled}), or {@code null}
 * @param website the website configuration, or {@code null} (GetBucketWebsite: NoSuchWebsiteConfiguration)
 * @param notification the event notification configuration, or {@code null} for none
 * @param accountPublicAccessBlock the owner account's Block Public Access configuration (S3 Control), or
 *     {@code null}: not the bucket's own, so never stored with it; the repository fills it in when it hands the
 *     bucket out
 */
public record Bucket(String name, String owner, String region, Instant created, String policyText, Policy policy,
                     Map<String, String> tags, BucketEncryption encryption, String versioning, String ownership,
                     List<AclGrant> acl, PublicAccessBlock publicAccessBlock, BucketCors cors,
                     BucketLifecycle lifecycle, BucketObjectLock objectLock, BucketConfigs.Document logging,
                     BucketConfigs.Document website, BucketConfigs.Document notification,
                     PublicAccessBlock accountPublicAccessBlock) {
    static final String ENABLED = "Enabled";
    static final String SUSPENDED = "Suspended";
    /** S3's default Object Ownership of new buckets since April 2023: ACLs disabled. */
    static final String OWNER_ENFORCED = "BucketOwnerEnforced";

    /** A bucket as stored: without its owner account's Block Public Access configuration. */
    public Bucket(String name, String owner, String region, Instant created, String policyText, Policy policy,
                  Map<String, String> tags, BucketEncryption encryption, String versioning, String ownership,
                  List<AclGrant> acl, PublicAccessBlock publicAccessBlock, BucketCors cors, BucketLifecycle lifecycle,
                  BucketObjectLock objectLock, BucketConfigs.Document logging, BucketConfigs.Document website,
                  BucketConfigs.Document notification) {
        this(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership, acl,
                publicAccessBlock, cors, lifecycle, objectLock, logging, website, notification, null);
    }

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
                null, null, null, null, null, null, null);
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
                publicAccessBlock, cors, lifecycle, objectLock, logging, website, notification,
                accountPublicAccessBlock);
    }

    Bucket withTags(Map<String, String> newTags) {
        return new Bucket(name, owner, region, created, policyText, policy, newTags, encryption, versioning,
                ownership, acl, publicAccessBlock, cors, lifecycle, objectLock, logging, website, notification,
                accountPublicAccessBlock);
    }

    Bucket withEncryption(BucketEncryption newEncryption) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, newEncryption, versioning,
                ownership, acl, publicAccessBlock, cors, lifecycle, objectLock, logging, website, notification,
                accountPublicAccessBlock);
    }

    Bucket withVersioning(String status) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, status, ownership, acl,
                publicAccessBlock, cors, lifecycle, objectLock, logging, website, notification,
                accountPublicAccessBlock);
    }

    Bucket withOwnership(String newOwnership) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning,
                newOwnership, acl, publicAccessBlock, cors, lifecycle, objectLock, logging, website, notification,
                accountPublicAccessBlock);
    }

    Bucket withAcl(List<AclGrant> newAcl) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                newAcl, publicAccessBlock, cors, lifecycle, objectLock, logging, website, notification,
                accountPublicAccessBlock);
    }

    Bucket withPublicAccessBlock(PublicAccessBlock block) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                acl, block, cors, lifecycle, objectLock, logging, website, notification, accountPublicAccessBlock);
    }

    Bucket withCors(BucketCors newCors) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                acl, publicAccessBlock, newCors, lifecycle, objectLock, logging, website, notification,
                accountPublicAccessBlock);
    }

    Bucket withLifecycle(BucketLifecycle newLifecycle) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                acl, publicAccessBlock, cors, newLifecycle, objectLock, logging, website, notification,
                accountPublicAccessBlock);
    }

    Bucket withObjectLock(BucketObjectLock newObjectLock) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                acl, publicAccessBlock, cors, lifecycle, newObjectLock, logging, website, notification,
                accountPublicAccessBlock);
    }

    Bucket withLogging(BucketConfigs.Document newLogging) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                acl, publicAccessBlock, cors, lifecycle, objectLock, newLogging, website, notification,
                accountPublicAccessBlock);
    }

    Bucket withWebsite(BucketConfigs.Document newWebsite) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                acl, publicAccessBlock, cors, lifecycle, objectLock, logging, newWebsite, notification,
                accountPublicAccessBlock);
    }

    Bucket withNotification(BucketConfigs.Document newNotification) {
        return new Bucket(name, owner, region, created, policyText, policy, tags, encryption, versioning, ownership,
                acl, publicAccessBlock, cors, lifecycle, objectLock, logging, website, newNotification,
                accountPublicAccessBlock);
    }

    /** The same bucket as its owner account's Block Public Access configuration {@code block} leaves it. */
    Bucket withAccountPublicAccessBlock(PublicAccessBlock block) {
        return block == accountPublicAccessBlock ? this : new Bucket(name, owner, region, created, policyText, policy,
                tags, encryption, versioning, ownership, acl, publicAccessBlock, cors, lifecycle, objectLock, logging,
                website, notification, block);
    }

    /**
     * What Block Public Access enforces for this bucket: each setting on when the bucket's or its owner account's
     * configuration has it on (S3 applies the most restrictive combination of the two); {@code null} when neither
     * has a configuration.
     */
    PublicAccessBlock blocking() {
        return PublicAccessBlock.combined(publicAccessBlock, accountPublicAccessBlock);
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
