package dev.crossrole.server.sns;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A subscription of an endpoint to a topic. Immutable.
 *
 * @param owner the account that subscribed (its {@code Owner})
 * @param principal the ARN of the caller that subscribed (its {@code SubscriptionPrincipal})
 * @param attributes the settable attributes given or set ({@code RawMessageDelivery}, {@code FilterPolicy}, …)
 * @param pending whether it waits for its endpoint's confirmation
 * @param token the confirmation token sent to the endpoint, or {@code null} once none is expected
 * @param authenticated whether it was confirmed by a signed call asking for authenticated unsubscribes
 */
record Subscription(String arn, String topicArn, String owner, String principal, String protocol, String endpoint,
                    Map<String, String> attributes, boolean pending, String token, boolean authenticated) {
    Subscription {
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    String attribute(String name) {
        return attributes.get(name);
    }

    boolean raw() {
        return "true".equals(attributes.get("RawMessageDelivery"));
    }

    Subscription withAttributes(Map<String, String> newAttributes) {
        return new Subscription(arn, topicArn, owner, principal, protocol, endpoint, newAttributes, pending, token,
                authenticated);
    }

    Subscription confirmed(boolean authenticatedUnsubscribe) {
        return new Subscription(arn, topicArn, owner, principal, protocol, endpoint, attributes, false, token,
                authenticatedUnsubscribe);
    }
}
