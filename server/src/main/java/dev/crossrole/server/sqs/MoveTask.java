package dev.crossrole.server.sqs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A message move task: moving a dead-letter queue's messages to another queue, or back to the queues they came from.
 * Immutable; the mover replaces it as it goes.
 *
 * @param destinationArn the queue to move to, or {@code null} for each message's own source queue
 * @param maxPerSecond the rate asked for, or {@code null} for as fast as the server goes
 * @param status {@code RUNNING}, {@code CANCELLING}, {@code CANCELLED}, {@code COMPLETED} or {@code FAILED}
 * @param started when it started (epoch milliseconds)
 */
record MoveTask(String taskId, String sourceArn, String destinationArn, Integer maxPerSecond, String status,
                long moved, long toMove, String failureReason, long started) {
    private static final ObjectMapper JSON = new ObjectMapper();

    boolean active() {
        return status.equals("RUNNING") || status.equals("CANCELLING");
    }

    /** SQS's task handle: its task id and source queue, as base64 JSON. */
    String handle() {
        ObjectNode handle = JSON.createObjectNode().put("taskId", taskId).put("sourceArn", sourceArn);
        return Base64.getEncoder().encodeToString(handle.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The task id a handle names, or {@code null} when it is not one. */
    static String taskIdOf(String handle) {
        try {
            return JSON.readTree(Base64.getDecoder().decode(handle)).path("taskId").textValue();
        } catch (IllegalArgumentException | java.io.IOException e) {
            return null;
        }
    }

    MoveTask progressed(String newStatus, long newMoved, String failure) {
        return new MoveTask(taskId, sourceArn, destinationArn, maxPerSecond, newStatus, newMoved, toMove, failure,
                started);
    }

    ObjectNode toJson() {
        return JSON.createObjectNode().put("taskId", taskId).put("sourceArn", sourceArn)
                .put("destinationArn", destinationArn).put("maxPerSecond", maxPerSecond).put("status", status)
                .put("moved", moved).put("toMove", toMove).put("failureReason", failureReason)
                .put("started", started);
    }

    static MoveTask fromJson(com.fasterxml.jackson.databind.JsonNode n) {
        return new MoveTask(n.get("taskId").asText(), n.get("sourceArn").asText(),
                n.hasNonNull("destinationArn") ? n.get("destinationArn").asText() : null,
                n.hasNonNull("maxPerSecond") ? n.get("maxPerSecond").asInt() : null, n.get("status").asText(),
                n.get("moved").asLong(), n.get("toMove").asLong(),
                n.hasNonNull("failureReason") ? n.get("failureReason").asText() : null, n.get("started").asLong());
    }
}
