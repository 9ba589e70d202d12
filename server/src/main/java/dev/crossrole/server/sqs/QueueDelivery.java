package dev.crossrole.server.sqs;

import java.util.Map;

/**
 * How AWS services deliver to queues inside crossrole (SNS subscriptions, later S3 event notifications): a send to a
 * queue by a service principal, allowed only when the queue's policy lets that service send from that source
 * ({@code aws:SourceArn}, {@code aws:SourceAccount}), as SQS decides deliveries from other services.
 */
public interface QueueDelivery {

    /**
     * Sends a message to a queue on behalf of a service.
     *
     * @param servicePrincipal the service sending ({@code sns.amazonaws.com})
     * @param sourceArn the resource it sends for (the topic), the policy's {@code aws:SourceArn}
     * @param sourceAccount the account owning that resource, the policy's {@code aws:SourceAccount}
     * @param groupId the message group of a FIFO queue, else {@code null}
     * @param dedupId the deduplication id for a FIFO queue, or {@code null}
     */
    DeliveryResult deliver(String queueArn, String servicePrincipal, String sourceArn, String sourceAccount,
                           String body, Map<String, MessageAttributeValue> attributes, String groupId, String dedupId);

    /** A message attribute as SQS takes it: {@code String}, {@code Number} or {@code Binary} (with a custom suffix). */
    record MessageAttributeValue(String dataType, String stringValue, byte[] binaryValue) {}

    /**
     * What became of a delivery: the message's id (and sequence number in a FIFO queue), or SQS's error code and
     * message ({@code AccessDenied}, {@code AWS.SimpleQueueService.NonExistentQueue}, …).
     *
     * @param denial the policy engine's decision when it refused the delivery (its explanation says which policy),
     *     else {@code null}
     */
    record DeliveryResult(String messageId, String sequenceNumber, String errorCode, String errorMessage,
                          dev.crossrole.policy.Decision denial) {
        public DeliveryResult(String messageId, String sequenceNumber, String errorCode, String errorMessage) {
            this(messageId, sequenceNumber, errorCode, errorMessage, null);
        }

        public boolean delivered() {
            return errorCode == null;
        }

        static DeliveryResult failed(String code, String message) {
            return new DeliveryResult(null, null, code, message);
        }
    }
}
