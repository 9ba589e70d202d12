package dev.crossrole.server.dynamodb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.protocol.AwsException;
import java.util.List;
import java.util.Map;

/** DynamoDB's error vocabulary: codes, statuses and the messages DynamoDB answers with. */
final class DynamoErrors {
    private DynamoErrors() {}

    static AwsException validation(String message) {
        return new AwsException("ValidationException", 400, message);
    }

    static AwsException invalidParameters(String detail) {
        return validation("One or more parameter values were invalid: " + detail);
    }

    static AwsException notFound() {
        return new AwsException("ResourceNotFoundException", 400, "Requested resource not found");
    }

    static AwsException tableNotFound(String name) {
        return new AwsException("ResourceNotFoundException", 400, "Requested resource not found: Table: " + name
                + " not found");
    }

    static AwsException inUse(String message) {
        return new AwsException("ResourceInUseException", 400, message);
    }

    static AwsException keyMismatch() {
        return validation("The provided key element does not match the schema");
    }

    static AwsException notImplemented(String what) {
        return new AwsException("NotImplemented", 501, "crossrole does not implement " + what + " yet");
    }

    /** An error with members beside its message (the old item of a failed condition, a transaction's reasons). */
    static final class Detailed extends AwsException {
        private static final long serialVersionUID = 1L;
        private final transient Map<String, JsonNode> members;

        Detailed(String code, String message, Map<String, JsonNode> members) {
            super(code, 400, message);
            this.members = members;
        }

        @Override
        public Map<String, JsonNode> extraMembers() {
            return members;
        }
    }

    /** A failed condition; with ReturnValuesOnConditionCheckFailure ALL_OLD, the item as it was. */
    static AwsException conditionFailed(Map<String, AttributeValue> item) {
        Map<String, JsonNode> members = item == null ? Map.of() : Map.of("Item", AttributeValues.json(item));
        return new Detailed("ConditionalCheckFailedException", "The conditional request failed", members);
    }

    /** Why one action of a transaction failed; {@code code} "None" for the actions that did not. */
    record Reason(String code, String message, Map<String, AttributeValue> item) {
        static final Reason NONE = new Reason("None", null, null);
    }

    static AwsException transactionCanceled(List<Reason> reasons) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        StringBuilder codes = new StringBuilder();
        for (Reason reason : reasons) {
            ObjectNode node = array.addObject();
            node.put("Code", reason.code());
            if (reason.message() != null) {
                node.put("Message", reason.message());
            }
            if (reason.item() != null) {
                node.set("Item", AttributeValues.json(reason.item()));
            }
            codes.append(codes.length() == 0 ? "" : ", ").append(reason.code());
        }
        return new Detailed("TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons"
                + " for specific reasons [" + codes + "]", Map.of("CancellationReasons", array));
    }
}
