package dev.crossrole.server.cloudtrail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.ShapeModel;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A call's parameters and answer as a CloudTrail event's {@code requestParameters} and {@code responseElements}:
 * members in lower camel case, every value whose model shape is {@code sensitive} (passwords, secret strings, private
 * keys, plaintexts), and every member known to carry a credential, written as {@value #HIDDEN}, as AWS writes them.
 * Binary values are left out (AWS does not log ciphertexts and blobs either). Nothing secret reaches the event.
 */
final class RequestParameters {
    static final String HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";
    /**
     * Members that carry a credential whether or not their model marks the shape sensitive (STS's session token,
     * ECR's authorization token, an exec session's token), by model name with its first letter capitalized.
     */
    static final Set<String> SECRET_MEMBERS = Set.of("SecretAccessKey", "SessionToken", "Password", "NewPassword",
            "OldPassword", "PrivateKey", "SecretString", "SecretBinary", "Plaintext", "AuthorizationToken",
            "TokenValue", "ServicePassword", "SAMLAssertion", "WebIdentityToken", "SecretKey", "ClientSecret");
    /** Past this many characters an event keeps no parameters (AWS drops those that are too large as well). */
    static final int MAX_CHARS = 100_000;

    private RequestParameters() {}

    /** The parameters of a call, or {@code null} when it had none. */
    static ObjectNode of(Input input) {
        if (input == null || input.values().isEmpty()) {
            return null;
        }
        return structure(input.shape(), input.values());
    }

    /** What a call answered, or {@code null} when it answered nothing. */
    static ObjectNode of(Shape output, ShapeModel shape) {
        if (output == null || shape == null || output.members().isEmpty()) {
            return null;
        }
        return structure(shape, output.members());
    }

    private static ObjectNode structure(ShapeModel shape, Map<String, ?> values) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, ?> entry : values.entrySet()) {
            MemberModel member = shape == null ? null : shape.member(entry.getKey());
            String name = member != null ? member.messageName() : lowerCamel(entry.getKey());
            if (secret(entry.getKey())) {
                out.put(name, HIDDEN);
                continue;
            }
            JsonNode value = value(member == null ? null : member.shape(), entry.getValue());
            if (value != null) {
                out.set(name, value);
            }
        }
        return out;
    }

    private static JsonNode value(ShapeModel shape, Object value) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        if (value == null) {
            return null;
        }
        if (shape != null && shape.sensitive()) {
            return json.textNode(HIDDEN);
        }
        if (value instanceof Input nested) {
            return structure(nested.shape(), nested.values());
        }
        if (value instanceof Shape nested) {
            return structure(shape, nested.members());
        }
        if (value instanceof String text) {
            return json.textNode(text);
        }
        if (value instanceof Boolean b) {
            return json.booleanNode(b);
        }
        if (value instanceof Integer i) {
            return json.numberNode(i);
        }
        if (value instanceof Long l) {
            return json.numberNode(l);
        }
        if (value instanceof Number n) {
            return json.numberNode(n.doubleValue());
        }
        if (value instanceof Instant instant) {
            return json.textNode(instant.toString());
        }
        if (value instanceof List<?> list) {
            ShapeModel member = shape != null && shape.member() != null ? shape.member().shape() : null;
            ArrayNode out = json.arrayNode();
            for (Object item : list) {
                JsonNode node = value(member, item);
                if (node != null) {
                    out.add(node);
                }
            }
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            ShapeModel valueShape = shape != null && shape.value() != null ? shape.value().shape() : null;
            ObjectNode out = json.objectNode();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                JsonNode node = value(valueShape, entry.getValue());
                if (node != null) {
                    out.set(String.valueOf(entry.getKey()), node);
                }
            }
            return out;
        }
        return null; // binary values, documents: not logged
    }

    /** Whether a member carries a credential by its name, however its model capitalizes it (ECR's are lower camel). */
    static boolean secret(String memberName) {
        return !memberName.isEmpty() && SECRET_MEMBERS.contains(Character.toUpperCase(memberName.charAt(0))
                + memberName.substring(1));
    }

    private static String lowerCamel(String name) {
        return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }
}
