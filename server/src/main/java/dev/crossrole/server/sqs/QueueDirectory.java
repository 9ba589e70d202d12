package dev.crossrole.server.sqs;

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
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The queues of every account ({@code sqs.queues}, by ARN), their messages ({@code sqs.messages}, one record each, so
 * that a send the client saw acknowledged is in the store) and the names of queues deleted in the last minute
 * ({@code sqs.deleted}: SQS refuses to reuse a name that soon).
 */
public final class QueueDirectory extends RecordCacheReplica {
    static final String QUEUES = "sqs.queues";
    static final String MESSAGES = "sqs.messages";
    static final String DELETED = "sqs.deleted";
    static final String DEDUPLICATION = "sqs.deduplication";
    static final String MOVE_TASKS = "sqs.move-tasks";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final RecordCache<Queue> queues = new RecordCache<>(QUEUES, QueueDirectory::bytes,
            bytes -> queue(parse(bytes, QUEUES)));
    private final RecordCache<QueuedMessage> messages = RecordCache.sorted(MESSAGES, QueueDirectory::bytes,
            bytes -> message(parse(bytes, MESSAGES)));
    private final RecordCache<Instant> deleted = new RecordCache<>(DELETED,
            when -> when.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
            bytes -> Instant.parse(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)));

    /** FIFO sends by deduplication id: the message id and sequence number they got, and when (for 5 minutes). */
    private final RecordCache<Sent> deduplication = new RecordCache<>(DEDUPLICATION,
            sent -> (sent.messageId() + " " + sent.sequence() + " " + sent.at()).getBytes(
                    java.nio.charset.StandardCharsets.UTF_8),
            bytes -> {
                String[] parts = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split(" ");
                return new Sent(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]));
            });

    /** Message move tasks by task id. */
    private final RecordCache<MoveTask> moveTasks = new RecordCache<>(MOVE_TASKS, task -> task.toJson().toString()
            .getBytes(java.nio.charset.StandardCharsets.UTF_8), bytes -> MoveTask.fromJson(parse(bytes, MOVE_TASKS)));

    Optional<MoveTask> moveTask(String taskId) {
        return moveTasks.get(taskId);
    }

    /** A source queue's move tasks, the latest first. */
    List<MoveTask> moveTasks(String sourceArn) {
        return moveTasks.values().stream().filter(t -> t.sourceArn().equals(sourceArn))
                .sorted(Comparator.comparingLong(MoveTask::started).reversed()).toList();
    }

    /** The tasks still moving or being cancelled. */
    List<MoveTask> activeMoveTasks() {
        return moveTasks.values().stream().filter(MoveTask::active).toList();
    }

    void put(MoveTask task) {
        moveTasks.put(task.taskId(), task);
    }

    /** A FIFO send remembered for deduplication: its message id, sequence number and time (epoch milliseconds). */
    record Sent(String messageId, long sequence, long at) {}

    Optional<Sent> deduplicated(String key) {
        return deduplication.get(key);
    }

    void remember(String key, Sent sent) {
        deduplication.put(key, sent);
    }

    public QueueDirectory(Clock clock) {
        this.clock = clock;
    }

    @Override
    protected List<RecordCache<?>> caches() {
        return List.of(queues, messages, deleted, deduplication, moveTasks);
    }

    Clock clock() {
        return clock;
    }

    Optional<Queue> byArn(String arn) {
        return queues.get(arn);
    }

    /** The queues of an account and region, by name. */
    List<Queue> queues(String account, String region) {
        return queues.values().stream().filter(q -> q.account().equals(account) && q.region().equals(region))
                .sorted(Comparator.comparing(Queue::name)).toList();
    }

    void put(Queue queue) {
        queues.put(queue.arn(), queue);
        deleted.remove(queue.arn());
    }

    /** Removes a queue and its messages, remembering when (SQS keeps the name for 60 seconds). */
    void remove(Queue queue, Instant when) {
        queues.remove(queue.arn());
        for (QueuedMessage message : List.copyOf(messages(queue.arn()))) {
            messages.remove(message.key());
        }
        deleted.put(queue.arn(), when);
    }

    /** When a queue of this ARN was deleted, if that was recent enough to be remembered. */
    Optional<Instant> deletedAt(String arn) {
        return deleted.get(arn);
    }

    /** A queue's messages in the order they were sent. */
    Collection<QueuedMessage> messages(String queueArn) {
        return messages.withPrefix(queueArn + "|");
    }

    Optional<QueuedMessage> message(String key) {
        return messages.get(key);
    }

    void put(QueuedMessage message) {
        messages.put(message.key(), message);
        signal();
    }

    /** Counts the puts of messages, so that a long poll can tell whether one happened since it looked. */
    private long puts;

    private synchronized void signal() {
        puts++;
        notifyAll();
    }

    synchronized long puts() {
        return puts;
    }

    /**
     * Waits until a message is put after {@code seen} puts, or for at most {@code nanos}. A message put by another
     * node, or one whose delay or visibility timeout ends, wakes nobody: the caller looks again at least every second.
     */
    synchronized void awaitPut(long seen, long nanos) throws InterruptedException {
        long until = System.nanoTime() + nanos;
        while (puts == seen) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    void remove(QueuedMessage message) {
        messages.remove(message.key());
    }

    /** A message's key: in a standard queue by send time, in a FIFO queue by sequence number, so keys sort in order. */
    static String messageKey(String queueArn, long sent, String id) {
        return queueArn + "|" + String.format("%020d", sent) + "|" + id;
    }

    // ---- records ---------------------------------------------------------------------------------------

    private static byte[] bytes(Object entity) {
        try {
            return JSON.writeValueAsBytes(entity instanceof Queue q ? toJson(q) : toJson((QueuedMessage) entity));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode toJson(Queue q) {
        ObjectNode n = JSON.createObjectNode().put("account", q.account()).put("region", q.region())
                .put("name", q.name()).put("arn", q.arn()).put("created", q.created().toString())
                .put("modified", q.modified().toString()).put("purged", q.purged() == null ? null
                        : q.purged().toString()).put("sequence", q.sequence());
        ObjectNode attributes = n.putObject("attributes");
        q.attributes().forEach(attributes::put);
        ObjectNode tags = n.putObject("tags");
        q.tags().forEach(tags::put);
        return n;
    }

    private static ObjectNode toJson(QueuedMessage m) {
        ObjectNode n = JSON.createObjectNode().put("key", m.key()).put("queueArn", m.queueArn()).put("id", m.id())
                .put("body", m.body()).put("senderId", m.senderId()).put("sent", m.sent())
                .put("visibleAt", m.visibleAt()).put("receiveCount", m.receiveCount())
                .put("firstReceive", m.firstReceive()).put("receipt", m.receipt())
                .put("deadLetterSource", m.deadLetterSource());
        if (m.fifo() != null) {
            n.putObject("fifo").put("groupId", m.fifo().groupId()).put("deduplicationId", m.fifo().deduplicationId())
                    .put("sequence", m.fifo().sequence());
        }
        ObjectNode attributes = n.putObject("attributes");
        m.attributes().forEach((name, a) -> attributes.putObject(name).put("dataType", a.dataType())
                .put("stringValue", a.stringValue()).put("binaryValue", a.binaryValue() == null ? null
                        : Base64.getEncoder().encodeToString(a.binaryValue())));
        return n;
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Queue queue(JsonNode n) {
        Map<String, String> attributes = new LinkedHashMap<>();
        n.path("attributes").fields().forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
        Map<String, String> tags = new LinkedHashMap<>();
        n.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        String arn = n.get("arn").asText();
        return new Queue(n.get("account").asText(), n.get("region").asText(), n.get("name").asText(), arn, attributes,
                tags, Instant.parse(n.get("created").asText()), Instant.parse(n.get("modified").asText()),
                n.hasNonNull("purged") ? Instant.parse(n.get("purged").asText()) : null,
                storedPolicy(attributes.get("Policy"), arn), n.path("sequence").asLong(0));
    }

    private static Policy storedPolicy(String text, String arn) {
        try {
            return policy(text, arn);
        } catch (InvalidPolicyException e) {
            throw new StoreException("the stored policy of " + arn + " does not parse: " + e.getMessage(), e);
        }
    }

    /** A queue's policy parsed, as the service checked it when it was set. */
    static Policy policy(String text, String arn) throws InvalidPolicyException {
        return text == null ? null : Policies.parse(text, PolicyKind.RESOURCE, "policy of " + arn);
    }

    private static QueuedMessage message(JsonNode n) {
        Map<String, QueuedMessage.Attribute> attributes = new LinkedHashMap<>();
        n.path("attributes").fields().forEachRemaining(e -> attributes.put(e.getKey(), new QueuedMessage.Attribute(
                text(e.getValue(), "dataType"), text(e.getValue(), "stringValue"),
                e.getValue().hasNonNull("binaryValue")
                        ? Base64.getDecoder().decode(e.getValue().get("binaryValue").asText()) : null)));
        return new QueuedMessage(n.get("key").asText(), n.get("queueArn").asText(), n.get("id").asText(),
                n.get("body").asText(), attributes, text(n, "senderId"), n.get("sent").asLong(),
                n.get("visibleAt").asLong(), n.get("receiveCount").asInt(), n.get("firstReceive").asLong(),
                text(n, "receipt"), n.hasNonNull("fifo") ? new QueuedMessage.Fifo(text(n.get("fifo"), "groupId"),
                        text(n.get("fifo"), "deduplicationId"), n.get("fifo").get("sequence").asLong()) : null,
                text(n, "deadLetterSource"));
    }

    private static JsonNode parse(byte[] bytes, String namespace) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new StoreException("a record of " + namespace + " is not JSON: " + e.getMessage(), e);
        }
    }
}
