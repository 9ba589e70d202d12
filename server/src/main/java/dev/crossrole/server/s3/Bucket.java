package dev.crossrole.server.s3;

import dev.crossrole.policy.Policy;
import java.time.Instant;

/**
 * A bucket: its global name, the owning account, its region, and its policy (text as put, and compiled).
 *
 * @param policyText the bucket policy as the owner put it, or {@code null}
 * @param policy the compiled policy, {@code null} when there is none
 */
public record Bucket(String name, String owner, String region, Instant created, String policyText, Policy policy) {

    public String arn() {
        return "arn:aws:s3:::" + name;
    }

    Bucket withPolicy(String text, Policy compiled) {
        return new Bucket(name, owner, region, created, text, compiled);
    }
}
