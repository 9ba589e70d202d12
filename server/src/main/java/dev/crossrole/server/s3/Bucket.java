package dev.crossrole.server.s3;

import dev.crossrole.policy.Policy;
import java.time.Instant;
import java.util.Map;

/**
 * A bucket: its global name, the owning account, its region, its policy (text as put, and compiled) and its tags.
 *
 * @param policyText the bucket policy as the owner put it, or {@code null}
 * @param policy the compiled policy, {@code null} when there is none
 * @param tags the bucket's tag set in the order it was put; empty when it has none (GetBucketTagging: NoSuchTagSet)
 */
public record Bucket(String name, String owner, String region, Instant created, String policyText, Policy policy,
                     Map<String, String> tags) {

    public Bucket {
        tags = tags == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tags));
    }

    /** A bucket without tags. */
    public Bucket(String name, String owner, String region, Instant created, String policyText, Policy policy) {
        this(name, owner, region, created, policyText, policy, Map.of());
    }

    public String arn() {
        return "arn:aws:s3:::" + name;
    }

    Bucket withPolicy(String text, Policy compiled) {
        return new Bucket(name, owner, region, created, text, compiled, tags);
    }

    Bucket withTags(Map<String, String> newTags) {
        return new Bucket(name, owner, region, created, policyText, policy, newTags);
    }
}
