package dev.crossrole.server.sqs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message in a queue, with its receive state. Immutable.
 *
 * @param key its record's key: the queue's ARN, the send time and the message id, so a queue's messages are a key
 *     range in the order they were sent
 * @param attributes the message attributes as sent, by name
 * @param visibleAt when it can next be received (epoch milliseconds): after its delay, or after the visibility
 *     timeout of its last receive
 * @param receipt the nonce of the receipt handle of its last receive, or {@code null} when never received
 * @param fifo its group, deduplication id and sequence number in a FIFO queue, else {@code null}
 * @param deadLetterSource in a dead-letter queue, the ARN of the queue it was moved from (its
 *     {@code DeadLetterQueueSourceArn}, where a message move task returns it), else {@code null}
 */
record QueuedMessage(String key, String queueArn, String id, String body, Map<String, Attribute> attributes,
                     String senderId, long sent, long visibleAt, int receiveCount, long firstReceive, String receipt,
                     Fifo fifo, String deadLetterSource) {
    QueuedMessage {
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** A message attribute: its data type ({@code String}, {@code Number.int}, {@code Binary.gz}) and value. */
    record Attribute(String dataType, String stringValue, byte[] binaryValue) {}

    /** What a message of a FIFO queue carries besides: its group, deduplication id and sequence number. */
    record Fifo(String groupId, String deduplicationId, long sequence) {
        String sequenceNumber() {
            return String.format("%020d", sequence);
        }
    }

    QueuedMessage received(long now, long visibleUntil, String nonce) {
        return new QueuedMessage(key, queueArn, id, body, attributes, senderId, sent, visibleUntil, receiveCount + 1,
                firstReceive == 0 ? now : firstReceive, nonce, fifo, deadLetterSource);
    }

    QueuedMessage visibleAt(long when) {
        return new QueuedMessage(key, queueArn, id, body, attributes, senderId, sent, when, receiveCount, firstReceive,
                receipt, fifo, deadLetterSource);
    }
}
