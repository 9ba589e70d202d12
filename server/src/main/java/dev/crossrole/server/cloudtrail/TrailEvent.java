package dev.crossrole.server.cloudtrail;

import java.util.List;

/**
 * One CloudTrail event as one account's event history holds it: the fields LookupEvents filters on and answers with,
 * and the event's whole record as AWS writes it ({@code CloudTrailEvent}, JSON). A call that involved two accounts
 * is two events, one per recipient, each with its own id.
 *
 * @param recipient the account whose history holds the event ({@code recipientAccountId})
 * @param time the event's time, in epoch milliseconds
 * @param username who called as LookupEvents names them (a user's name, a role session's name, {@code root}), or
 *     {@code null}
 * @param readOnly whether the call only read
 * @param cloudTrailEvent the event's record, JSON, secrets already hidden
 */
record TrailEvent(String recipient, long time, String eventId, String eventName, String eventSource, String region,
                  boolean readOnly, String accessKeyId, String username, List<Resource> resources,
                  String cloudTrailEvent) {
    TrailEvent {
        resources = List.copyOf(resources);
    }

    /** A resource the call named: its CloudFormation-style type ({@code AWS::SQS::Queue}) and its ARN. */
    record Resource(String type, String name) {}

    /** Newest first; the event id breaks ties so that a page boundary is exact. */
    static int newestFirst(TrailEvent a, TrailEvent b) {
        int byTime = Long.compare(b.time, a.time);
        return byTime != 0 ? byTime : b.eventId.compareTo(a.eventId);
    }

    /** A rough size in memory, for the bounds on what is kept decoded. */
    long bytes() {
        return 200L + 2L * cloudTrailEvent.length();
    }
}
