package dev.crossrole.server.logs;

/**
 * A log stream of a group: what DescribeLogStreams tells of it, and how many event batches it has taken.
 *
 * @param firstEvent the earliest event's timestamp, or {@code null} before the first event
 * @param batches the number of PutLogEvents batches stored, which numbers the next one
 */
record LogStream(String groupArn, String name, long created, Long firstEvent, Long lastEvent, Long lastIngestion,
                 long storedBytes, long batches) {

    String arn() {
        return groupArn + ":log-stream:" + name;
    }

    LogStream withBatch(long first, long last, long ingestion, long bytes) {
        return new LogStream(groupArn, name, created, firstEvent == null ? first : Math.min(firstEvent, first),
                lastEvent == null ? last : Math.max(lastEvent, last), ingestion, storedBytes + bytes, batches + 1);
    }
}
