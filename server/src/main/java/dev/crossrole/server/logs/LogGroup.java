package dev.crossrole.server.logs;

import java.util.Map;

/**
 * A log group.
 *
 * @param created milliseconds since the epoch, as CloudWatch Logs reports times
 * @param retentionDays how long its events are kept, or {@code null} for ever
 */
record LogGroup(String account, String region, String name, long created, Integer retentionDays, String kmsKeyId,
                String logGroupClass, Map<String, String> tags) {
    LogGroup {
        tags = Map.copyOf(tags);
    }

    /** Its ARN as tagging and {@code logGroupIdentifier} use it. */
    String arn() {
        return arn(account, region, name);
    }

    static String arn(String account, String region, String name) {
        return "arn:aws:logs:" + region + ":" + account + ":log-group:" + name;
    }

    LogGroup withRetention(Integer days) {
        return new LogGroup(account, region, name, created, days, kmsKeyId, logGroupClass, tags);
    }

    LogGroup withKey(String keyArn) {
        return new LogGroup(account, region, name, created, retentionDays, keyArn, logGroupClass, tags);
    }

    LogGroup withTags(Map<String, String> newTags) {
        return new LogGroup(account, region, name, created, retentionDays, kmsKeyId, logGroupClass, newTags);
    }
}
