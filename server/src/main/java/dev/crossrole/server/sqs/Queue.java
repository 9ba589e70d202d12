package dev.crossrole.server.sqs;

import dev.crossrole.policy.Policy;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A queue: the attributes it was given or set (by their SQS names, as strings, as SQS keeps them), its tags, and its
 * policy parsed once. Immutable.
 *
 * @param attributes the settable attributes that differ from nothing: defaults are filled in by {@link SqsService}
 * @param policy the {@code Policy} attribute parsed, or {@code null}
 * @param purged when the queue was last purged (PurgeQueue's 60-second rule), or {@code null}
 * @param sequence the sequence number of the last message sent to a FIFO queue
 */
record Queue(String account, String region, String name, String arn, Map<String, String> attributes,
             Map<String, String> tags, Instant created, Instant modified, Instant purged, Policy policy,
             long sequence) {
    Queue {
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    String attribute(String name) {
        return attributes.get(name);
    }

    int intAttribute(String name) {
        return Integer.parseInt(attributes.get(name));
    }

    Queue withAttributes(Map<String, String> newAttributes, Policy newPolicy, Instant now) {
        return new Queue(account, region, name, arn, newAttributes, tags, created, now, purged, newPolicy, sequence);
    }

    Queue withTags(Map<String, String> newTags) {
        return new Queue(account, region, name, arn, attributes, newTags, created, modified, purged, policy, sequence);
    }

    boolean fifo() {
        return "true".equals(attributes.get("FifoQueue"));
    }

    Queue withSequence(long last) {
        return new Queue(account, region, name, arn, attributes, tags, created, modified, purged, policy, last);
    }

    Queue purgedAt(Instant when) {
        return new Queue(account, region, name, arn, attributes, tags, created, modified, when, policy, sequence);
    }
}
