package dev.crossrole.server.sns;

import dev.crossrole.policy.Policy;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A topic: the attributes it was given or set (by their SNS names, as SNS keeps them; its {@code Policy} always, the
 * default one unless another was set), its tags and its policy parsed once. Immutable.
 *
 * @param sequence the sequence number of the last message published to a FIFO topic
 * @param deletedSubscriptions how many of its subscriptions were deleted (its {@code SubscriptionsDeleted})
 */
record Topic(String account, String region, String name, String arn, Map<String, String> attributes,
             Map<String, String> tags, Policy policy, long sequence, long deletedSubscriptions) {
    Topic {
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    String attribute(String name) {
        return attributes.get(name);
    }

    boolean fifo() {
        return "true".equals(attributes.get("FifoTopic"));
    }

    Topic withAttributes(Map<String, String> newAttributes, Policy newPolicy) {
        return new Topic(account, region, name, arn, newAttributes, tags, newPolicy, sequence, deletedSubscriptions);
    }

    Topic withTags(Map<String, String> newTags) {
        return new Topic(account, region, name, arn, attributes, newTags, policy, sequence, deletedSubscriptions);
    }

    Topic withSequence(long last) {
        return new Topic(account, region, name, arn, attributes, tags, policy, last, deletedSubscriptions);
    }

    Topic withSubscriptionDeleted() {
        return new Topic(account, region, name, arn, attributes, tags, policy, sequence, deletedSubscriptions + 1);
    }
}
