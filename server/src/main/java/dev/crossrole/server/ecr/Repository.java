package dev.crossrole.server.ecr;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A repository of a registry (an account in a region). Immutable; stored as JSON, so times are epoch milliseconds.
 *
 * @param tagMutability {@code MUTABLE}, {@code IMMUTABLE} or one of them {@code _WITH_EXCLUSION}
 * @param mutabilityExclusions the wildcard filters of tags excepted from {@code tagMutability}
 * @param policyText the repository policy as set, or {@code null}
 * @param lifecyclePolicyText the lifecycle policy as put, or {@code null}
 */
record Repository(String account, String region, String name, long createdAt, String tagMutability,
                  List<String> mutabilityExclusions, boolean scanOnPush, String encryptionType,
                  Map<String, String> tags, String policyText, String lifecyclePolicyText, long lifecycleUpdatedAt) {

    Repository {
        mutabilityExclusions = List.copyOf(mutabilityExclusions);
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    static String arn(String account, String region, String name) {
        return "arn:aws:ecr:" + region + ":" + account + ":repository/" + name;
    }

    String arn() {
        return arn(account, region, name);
    }

    /** Where Docker finds the repository in AWS (crossrole does not serve the registry's own endpoint). */
    String uri() {
        return account + ".dkr.ecr." + region + ".amazonaws.com/" + name;
    }

    /**
     * Whether a tag already on an image may be moved to another one: a mutable repository's tags may, unless an
     * exclusion matches; an immutable repository's may not, unless an exclusion matches.
     */
    boolean tagMovable(String tag) {
        boolean excluded = mutabilityExclusions.stream().anyMatch(filter -> wildcard(filter, tag));
        return tagMutability.startsWith("MUTABLE") != excluded;
    }

    private static boolean wildcard(String filter, String tag) {
        StringBuilder regex = new StringBuilder();
        for (char c : filter.toCharArray()) {
            regex.append(c == '*' ? ".*" : java.util.regex.Pattern.quote(String.valueOf(c)));
        }
        return tag.matches(regex.toString());
    }

    Repository withTagMutability(String mutability, List<String> exclusions) {
        return new Repository(account, region, name, createdAt, mutability, exclusions, scanOnPush, encryptionType,
                tags, policyText, lifecyclePolicyText, lifecycleUpdatedAt);
    }

    Repository withScanOnPush(boolean scan) {
        return new Repository(account, region, name, createdAt, tagMutability, mutabilityExclusions, scan,
                encryptionType, tags, policyText, lifecyclePolicyText, lifecycleUpdatedAt);
    }

    Repository withTags(Map<String, String> newTags) {
        return new Repository(account, region, name, createdAt, tagMutability, mutabilityExclusions, scanOnPush,
                encryptionType, newTags, policyText, lifecyclePolicyText, lifecycleUpdatedAt);
    }

    Repository withPolicy(String text) {
        return new Repository(account, region, name, createdAt, tagMutability, mutabilityExclusions, scanOnPush,
                encryptionType, tags, text, lifecyclePolicyText, lifecycleUpdatedAt);
    }

    Repository withLifecyclePolicy(String text, long updatedAt) {
        return new Repository(account, region, name, createdAt, tagMutability, mutabilityExclusions, scanOnPush,
                encryptionType, tags, policyText, text, updatedAt);
    }
}
