package dev.crossrole.server.sns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.store.RecordCache;
import dev.crossrole.server.store.RecordCacheReplica;
import dev.crossrole.server.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The topics of every account ({@code sns.topics}, by ARN), their subscriptions ({@code sns.subscriptions}, by ARN,
 * which begins with the topic's), FIFO publishes remembered for deduplication ({@code sns.deduplication}) and the key
 * notifications are signed with ({@code sns.signing}, one for every node sharing the store).
 */
public final class TopicDirectory extends RecordCacheReplica {
    static final String TOPICS = "sns.topics";
    static final String SUBSCRIPTIONS = "sns.subscriptions";
    static final String DEDUPLICATION = "sns.deduplication";
    static final String SIGNING = "sns.signing";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final RecordCache<Topic> topics = RecordCache.sorted(TOPICS, TopicDirectory::topicBytes,
            bytes -> topic(parse(bytes, TOPICS)));
    private final RecordCache<Subscription> subscriptions = RecordCache.sorted(SUBSCRIPTIONS,
            TopicDirectory::subscriptionBytes, bytes -> subscription(parse(bytes, SUBSCRIPTIONS)));
    /** FIFO publishes by topic and deduplication id: the message id and sequence number they got, and when. */
    private final RecordCache<Published> deduplication = new RecordCache<>(DEDUPLICATION,
            p -> (p.messageId() + " " + p.sequenceNumber() + " " + p.at()).getBytes(StandardCharsets.UTF_8),
            bytes -> {
                String[] parts = new String(bytes, StandardCharsets.UTF_8).split(" ");
                return new Published(parts[0], parts[1], Long.parseLong(parts[2]));
            });
    private final RecordCache<byte[]> signing = new RecordCache<>(SIGNING, bytes -> bytes, bytes -> bytes);

    /** A FIFO publish remembered: its message id, sequence number and time (epoch milliseconds). */
    record Published(String messageId, String sequenceNumber, long at) {}

    public TopicDirectory(Clock clock) {
        this.clock = clock;
    }

    @Override
    protected List<RecordCache<?>> caches() {
        return List.of(topics, subscriptions, deduplication, signing);
    }

    Clock clock() {
        return clock;
    }

    Optional<Topic> topic(String arn) {
        return topics.get(arn);
    }

    /** The topics of an account and region, by ARN. */
    List<Topic> topics(String account, String region) {
        return topics.values().stream().filter(t -> t.account().equals(account) && t.region().equals(region))
                .sorted(Comparator.comparing(Topic::arn)).toList();
    }

    void put(Topic topic) {
        topics.put(topic.arn(), topic);
    }

    /** Removes a topic with its subscriptions. */
    void remove(Topic topic) {
        topics.remove(topic.arn());
        for (Subscription subscription : subscriptionsOf(topic.arn())) {
            subscriptions.remove(subscription.arn());
        }
    }

    Optional<Subscription> subscription(String arn) {
        return subscriptions.get(arn);
    }

    /** A topic's subscriptions, by ARN. */
    List<Subscription> subscriptionsOf(String topicArn) {
        return List.copyOf(subscriptions.withPrefix(topicArn + ":"));
    }

    /** The subscriptions an account made in a region, by ARN. */
    List<Subscription> subscriptionsBy(String account, String region) {
        return subscriptions.values().stream().filter(s -> s.owner().equals(account)
                && s.arn().split(":")[3].equals(region)).sorted(Comparator.comparing(Subscription::arn)).toList();
    }

    void put(Subscription subscription) {
        subscriptions.put(subscription.arn(), subscription);
    }

    void remove(Subscription subscription) {
        subscriptions.remove(subscription.arn());
    }

    Optional<Published> published(String key) {
        return deduplication.get(key);
    }

    void remember(String key, Published published) {
        deduplication.put(key, published);
    }

    Optional<byte[]> signingKey() {
        return signing.get("rsa");
    }

    /** Keeps the signing key; call inside a store write. */
    void signingKey(byte[] encoded) {
        signing.put("rsa", encoded);
    }

    // ---- records ---------------------------------------------------------------------------------------

    private static byte[] topicBytes(Topic t) {
        ObjectNode n = JSON.createObjectNode().put("account", t.account()).put("region", t.region())
                .put("name", t.name()).put("arn", t.arn()).put("sequence", t.sequence())
                .put("deletedSubscriptions", t.deletedSubscriptions());
        ObjectNode attributes = n.putObject("attributes");
        t.attributes().forEach(attributes::put);
        ObjectNode tags = n.putObject("tags");
        t.tags().forEach(tags::put);
        return write(n);
    }

    private static byte[] subscriptionBytes(Subscription s) {
        ObjectNode n = JSON.createObjectNode().put("arn", s.arn()).put("topicArn", s.topicArn())
                .put("owner", s.owner()).put("principal", s.principal()).put("protocol", s.protocol())
                .put("endpoint", s.endpoint()).put("pending", s.pending()).put("token", s.token())
                .put("authenticated", s.authenticated());
        ObjectNode attributes = n.putObject("attributes");
        s.attributes().forEach(attributes::put);
        return write(n);
    }

    private static byte[] write(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> values = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        return values;
    }

    private static Topic topic(JsonNode n) {
        Map<String, String> attributes = strings(n.path("attributes"));
        String arn = n.get("arn").asText();
        return new Topic(n.get("account").asText(), n.get("region").asText(), n.get("name").asText(), arn,
                attributes, strings(n.path("tags")), storedPolicy(attributes.get("Policy"), arn),
                n.path("sequence").asLong(0), n.path("deletedSubscriptions").asLong(0));
    }

    private static Subscription subscription(JsonNode n) {
        return new Subscription(n.get("arn").asText(), n.get("topicArn").asText(), n.get("owner").asText(),
                n.hasNonNull("principal") ? n.get("principal").asText() : null, n.get("protocol").asText(),
                n.get("endpoint").asText(), strings(n.path("attributes")), n.path("pending").asBoolean(),
                n.hasNonNull("token") ? n.get("token").asText() : null, n.path("authenticated").asBoolean());
    }

    private static Policy storedPolicy(String text, String arn) {
        try {
            return policy(text, arn);
        } catch (InvalidPolicyException e) {
            throw new StoreException("the stored policy of " + arn + " does not parse: " + e.getMessage(), e);
        }
    }

    /** A topic's policy parsed, as the service checked it when it was set. */
    static Policy policy(String text, String arn) throws InvalidPolicyException {
        return text == null || text.isEmpty() ? null : Policies.parse(text, PolicyKind.RESOURCE, "policy of " + arn);
    }

    private static JsonNode parse(byte[] bytes, String namespace) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new StoreException("a record of " + namespace + " is not JSON: " + e.getMessage(), e);
        }
    }
}
