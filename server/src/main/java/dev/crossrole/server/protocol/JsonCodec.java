package dev.crossrole.server.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The awsJson protocols' framing: {@code X-Amz-Target: Prefix.Operation} names the operation, and errors are
 * {@code {"__type": code, "message": text}} with the code also in {@code X-Amzn-ErrorType}. Bodies are read and
 * written by the models ({@link JsonInput}, {@link JsonOutput}).
 */
public final class JsonCodec {
    public static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonCodec() {}

    /** The operation named by an {@code X-Amz-Target} header for the given target prefix, or {@code null}. */
    public static String operation(String target, String prefix) {
        if (target == null || !target.startsWith(prefix + ".")) {
            return null;
        }
        return target.substring(prefix.length() + 1);
    }

    public static byte[] error(AwsException error) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("__type", error.code());
        node.put("message", error.getMessage() == null ? "" : error.getMessage());
        error.members().forEach(node::put);
        error.extraMembers().forEach(node::set);
        return write(node);
    }

    private static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
