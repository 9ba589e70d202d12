package dev.crossrole.server.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.kms.KmsKeys;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.PreparedCall;
import dev.crossrole.server.service.ServiceProvider;
import dev.crossrole.server.service.WaitForChange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Amazon SQS on the model-driven layer ({@code sqs/2012-11-05}, the JSON protocol): standard queues, their
 * attributes and tags, messages with delays, visibility timeouts, message attributes and the MD5 digests clients
 * verify, and queue policies decided by the policy engine, so another account reaches a queue only when the queue's
 * policy and its own identity policies both allow it.
 *
 * <p>A queue's URL is built from the {@code Host} the client sent ({@code http://localhost:4566/111122223333/q}), and
 * a URL is read back by its last two path segments, account and name, whatever its host.
 */
public final class SqsService implements ServiceProvider {
    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,80}");
    private static final Pattern BATCH_ID = Pattern.compile("[A-Za-z0-9_-]{1,80}");
    /** The attributes a queue has unless given others: SQS's defaults. */
    private static final Map<String, String> DEFAULTS = defaults();
    /** The settable attributes with a numeric range: name to {minimum, maximum}. */
    private static final Map<String, int[]> RANGES = Map.of("DelaySeconds", new int[] {0, 900},
            "MaximumMessageSize", new int[] {1024, 1_048_576}, "MessageRetentionPeriod", new int[] {60, 1_209_600},
            "KmsDataKeyReusePeriodSeconds", new int[] {60, 86_400},
            "ReceiveMessageWaitTimeSeconds", new int[] {0, 20}, "VisibilityTimeout", new int[] {0, 43_200});
    /** Attributes SQS has that crossrole does not yet: refused as not implemented rather than ignored. */
    private static final Set<String> NOT_YET = Set.of();
    /** The attributes of FIFO queues only. */
    private static final Set<String> FIFO_ONLY = Set.of("FifoQueue", "ContentBasedDeduplication",
            "DeduplicationScope", "FifoThroughputLimit");
    private static final Set<String> COMPUTED = Set.of("QueueArn", "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp",
            "LastModifiedTimestamp");
    /** The JSON error codes (shape names) whose Query codes differ, from SQS's Smithy model ({@code awsQueryError}). */
    private static final Map<String, String> QUERY_CODES = Map.ofEntries(
            Map.entry("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"),
            Map.entry("QueueNameExists", "QueueAlreadyExists"),
            Map.entry("QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently"),
            Map.entry("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress"),
            Map.entry("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight"),
            Map.entry("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
            Map.entry("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest"),
            Map.entry("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId"),
            Map.entry("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
            Map.entry("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong"),
            Map.entry("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation"),
            Map.entry("AccessDeniedException", "AccessDenied"),
            Map.entry("KmsAccessDenied", "KMS.AccessDeniedException"),
            Map.entry("KmsNotFound", "KMS.NotFoundException"),
            Map.entry("KmsDisabled", "KMS.DisabledException"),
            Map.entry("KmsInvalidState", "KMS.KMSInvalidStateException"));

    private final QueueDirectory queues;
    private final KmsKeys keys;

    public SqsService(QueueDirectory queues, KmsKeys keys) {
        this.queues = queues;
        this.keys = keys;
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("VisibilityTimeout", "30");
        d.put("MaximumMessageSize", "1048576");
        d.put("MessageRetentionPeriod", "345600");
        d.put("DelaySeconds", "0");
        d.put("ReceiveMessageWaitTimeSeconds", "0");
        d.put("SqsManagedSseEnabled", "true");
        return d;
    }

    @Override
    public String modelId() {
        return "sqs";
    }

    @Override
    public String accessDeniedCode() {
        return "AccessDeniedException";
    }

    /**
     * ReceiveMessage's deprecated {@code AttributeNames} is modelled as a list of queue attribute names, but SQS takes
     * the message system attribute names there ({@code SenderId}, {@code SentTimestamp}, …), as clients still send.
     */
    @Override
    public boolean checksEnum(String path, dev.crossrole.server.model.ShapeModel shape) {
        return !path.equalsIgnoreCase("attributeNames") && !path.startsWith("AttributeName.")
                && !path.startsWith("attributeNames[");
    }

    @Override
    public QueryCompatibility queryCompatibility() {
        return new SqsQuery();
    }

    @Override
    public int jsonAccessDeniedStatus() {
        return 403;
    }

    @Override
    public String validationErrorCode() {
        return "InvalidParameterValue";
    }

    @Override
    public String queryErrorCode(AwsException error) {
        return QUERY_CODES.getOrDefault(error.code(), error.code());
    }

    @Override
    public void register(OperationTable ops) {
        String tag = "aws:ResourceTag/${TagKey}";
        ops.on("CreateQueue", this::createQueue, Authorization.of("sqs:CreateQueue").on("queue", "QueueName")
                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys"));
        ops.on("GetQueueUrl", this::getQueueUrl, Authorization.of("sqs:GetQueueUrl").on("queue", "QueueName")
                .keys(tag));
        ops.on("ListQueues", this::listQueues, Authorization.of("sqs:ListQueues"));
        ops.on("DeleteQueue", this::deleteQueue, Authorization.of("sqs:DeleteQueue").on("queue", "QueueUrl").keys(tag));
        ops.on("GetQueueAttributes", this::getQueueAttributes, Authorization.of("sqs:GetQueueAttributes")
                .on("queue", "QueueUrl").keys(tag));
        ops.on("SetQueueAttributes", this::setQueueAttributes, Authorization.of("sqs:SetQueueAttributes")
                .on("queue", "QueueUrl").keys(tag));
        ops.on("PurgeQueue", this::purgeQueue, Authorization.of("sqs:PurgeQueue").on("queue", "QueueUrl").keys(tag));
        String[] via = {"kms:CallerAccount", "kms:ViaService", "kms:EncryptionContext:${EncryptionContextKey}",
            "kms:EncryptionContextKeys", "kms:EncryptionAlgorithm"};
        ops.on("SendMessage", this::sendMessage, Authorization.of("sqs:SendMessage").on("queue", "QueueUrl").keys(tag),
                Authorization.of("kms:GenerateDataKey").on("key").keys(via));
        ops.on("SendMessageBatch", this::sendMessageBatch, Authorization.of("sqs:SendMessage").on("queue", "QueueUrl")
                .keys(tag), Authorization.of("kms:GenerateDataKey").on("key").keys(via));
        ops.on("ReceiveMessage", this::receiveMessage, Authorization.of("sqs:ReceiveMessage").on("queue", "QueueUrl")
                .keys(tag), Authorization.of("kms:Decrypt").on("key").keys(via));
        ops.on("DeleteMessage", this::deleteMessage, Authorization.of("sqs:DeleteMessage").on("queue", "QueueUrl")
                .keys(tag));
        ops.on("DeleteMessageBatch", this::deleteMessageBatch, Authorization.of("sqs:DeleteMessage")
                .on("queue", "QueueUrl").keys(tag));
        ops.on("ChangeMessageVisibility", this::changeMessageVisibility,
                Authorization.of("sqs:ChangeMessageVisibility").on("queue", "QueueUrl").keys(tag));
        ops.on("ChangeMessageVisibilityBatch", this::changeMessageVisibilityBatch,
                Authorization.of("sqs:ChangeMessageVisibility").on("queue", "QueueUrl").keys(tag));
        ops.on("AddPermission", this::addPermission, Authorization.of("sqs:AddPermission").on("queue", "QueueUrl")
                .keys(tag));
        ops.on("RemovePermission", this::removePermission, Authorization.of("sqs:RemovePermission")
                .on("queue", "QueueUrl").keys(tag));
        ops.on("ListDeadLetterSourceQueues", this::listDeadLetterSourceQueues,
                Authorization.of("sqs:ListDeadLetterSourceQueues").on("queue", "QueueUrl").keys(tag));
        ops.on("StartMessageMoveTask", this::startMessageMoveTask,
                Authorization.of("sqs:StartMessageMoveTask").on("queue", "SourceArn").keys(tag),
                Authorization.of("sqs:ReceiveMessage").on("queue", "SourceArn").keys(tag),
                Authorization.of("sqs:DeleteMessage").on("queue", "SourceArn").keys(tag),
                Authorization.of("sqs:GetQueueAttributes").on("queue", "SourceArn").keys(tag),
                Authorization.of("sqs:SendMessage").on("queue", "DestinationArn").keys(tag));
        ops.on("ListMessageMoveTasks", this::listMessageMoveTasks,
                Authorization.of("sqs:ListMessageMoveTasks").on("queue", "SourceArn").keys(tag));
        ops.on("CancelMessageMoveTask", this::cancelMessageMoveTask,
                Authorization.of("sqs:CancelMessageMoveTask").on("queue").keys(tag));
        ops.on("TagQueue", this::tagQueue, Authorization.of("sqs:TagQueue").on("queue", "QueueUrl")
                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys", tag));
        ops.on("UntagQueue", this::untagQueue, Authorization.of("sqs:UntagQueue").on("queue", "QueueUrl")
                .keys("aws:TagKeys", tag));
        ops.on("ListQueueTags", this::listQueueTags, Authorization.of("sqs:ListQueueTags").on("queue", "QueueUrl")
                .keys(tag));
    }

    // ---- errors, names and URLs ------------------------------------------------------------------------

    private static AwsException error(String code, String message) {
        return new AwsException(code, 400, message);
    }

    private static AwsException noQueue() {
        return error("QueueDoesNotExist", "The specified queue does not exist.");
    }

    private static AwsException invalidParameter(String message) {
        return error("InvalidParameterValue", message);
    }

    static String arn(String region, String account, String name) {
        return "arn:aws:sqs:" + region + ":" + account + ":" + name;
    }

    private static String url(Call call, Queue queue) {
        String host = call.info().host() == null ? "localhost" : call.info().host();
        return (call.info().secureTransport() ? "https" : "http") + "://" + host + "/" + queue.account() + "/"
                + queue.name();
    }

    /** The ARN a queue URL names: its last two path segments are the owner's account and the queue's name. */
    private static String arnOfUrl(Call call, String url) {
        String path = url;
        int scheme = path.indexOf("://");
        if (scheme >= 0) {
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "" : path.substring(slash);
        }
        String[] segments = path.replaceAll("^/+|/+$", "").split("/");
        if (segments.length < 2 || !segments[segments.length - 2].matches("[0-9]{12}")) {
            // SQS's InvalidAddress for a URL it cannot read; its exact wording is not documented.
            throw error("InvalidAddress", "The address " + url + " is not valid for this endpoint.");
        }
        return arn(call.region(), segments[segments.length - 2], segments[segments.length - 1]);
    }

    private static String accountOf(String arn) {
        return arn.split(":")[4];
    }

    private static RequestContext.Builder tagContext(Queue queue) {
        RequestContext.Builder context = RequestContext.builder();
        if (queue != null) {
            queue.tags().forEach((k, v) -> context.single("aws:ResourceTag/" + k, v));
        }
        return context;
    }

    /** The permission an action on a queue needs: decided with the queue's policy, as its owner's account's. */
    private static AccessCheck onQueue(String action, String arn, Queue queue) {
        return new AccessCheck("sqs:" + action, arn, accountOf(arn), queue == null ? null : queue.policy(),
                tagContext(queue).build());
    }

    /** A queue named by URL, and how it is authorized; a queue that does not exist is found missing when it runs. */
    private record Target(String arn, Queue queue) {}

    private Target target(Call call, Input input) {
        String arn = arnOfUrl(call, input.string("QueueUrl"));
        return new Target(arn, queues.byArn(arn).orElse(null));
    }

    private Queue current(String arn) {
        return queues.byArn(arn).orElseThrow(SqsService::noQueue);
    }

    private long now() {
        return queues.clock().millis();
    }

    // ---- queues ----------------------------------------------------------------------------------------

    private static String checkedName(String name, boolean fifo) {
        String base = fifo && name.endsWith(".fifo") ? name.substring(0, name.length() - 5) : name;
        if (fifo != name.endsWith(".fifo") || !QUEUE_NAME.matcher(base).matches() || name.length() > 80) {
            if (fifo || name.endsWith(".fifo")) {
                throw invalidParameter("The name of a FIFO queue can only include alphanumeric characters, hyphens,"
                        + " or underscores, must end with .fifo suffix and be 1 to 80 in length.");
            }
            throw invalidParameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in"
                    + " length");
        }
        return name;
    }

    /**
     * Attributes given to CreateQueue or SetQueueAttributes, checked: the names SQS has, the values in their ranges.
     * SQS's wordings for these errors are not in its API reference; these follow answers it has been seen to give.
     */
    private static Map<String, String> checkedAttributes(Map<String, String> given, String arn, boolean fifo) {
        Map<String, String> checked = new LinkedHashMap<>();
        if (given == null) {
            return checked;
        }
        for (Map.Entry<String, String> attribute : given.entrySet()) {
            String name = attribute.getKey();
            String value = attribute.getValue();
            if (NOT_YET.contains(name)) {
                throw new AwsException("NotImplemented", 501, "crossrole does not implement the SQS queue attribute "
                        + name + " yet");
            }
            if (!DEFAULTS.containsKey(name) && !name.equals("Policy") && !name.equals("RedrivePolicy")
                    && !name.equals("RedriveAllowPolicy") && !name.equals("KmsMasterKeyId")
                    && !name.equals("KmsDataKeyReusePeriodSeconds") && !(fifo && FIFO_ONLY.contains(name))) {
                throw error("InvalidAttributeName", "Unknown Attribute " + name + ".");
            }
            Set<String> allowed = switch (name) {
                case "FifoQueue", "ContentBasedDeduplication" -> Set.of("true", "false");
                case "DeduplicationScope" -> Set.of("messageGroup", "queue");
                case "FifoThroughputLimit" -> Set.of("perQueue", "perMessageGroupId");
                default -> null;
            };
            if (allowed != null && !allowed.contains(value)) {
                throw error("InvalidAttributeValue", "Invalid value for the parameter " + name + ".");
            }
            int[] range = RANGES.get(name);
            if (range != null) {
                try {
                    int number = Integer.parseInt(value.trim());
                    if (number < range[0] || number > range[1]) {
                        throw new NumberFormatException();
                    }
                    value = String.valueOf(number);
                } catch (NumberFormatException e) {
                    throw error("InvalidAttributeValue", "Invalid value for the parameter " + name + ".");
                }
            } else if (name.equals("SqsManagedSseEnabled")) {
                if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                    throw error("InvalidAttributeValue", "Invalid value for the parameter " + name + ".");
                }
                value = value.toLowerCase(java.util.Locale.ROOT);
            } else if (name.equals("RedrivePolicy") && !value.isEmpty()) {
                value = redrivePolicy(value);
            } else if (name.equals("RedriveAllowPolicy") && !value.isEmpty()) {
                value = redriveAllowPolicy(value);
            } else if (name.equals("Policy") && !value.isEmpty()) {
                try {
                    QueueDirectory.policy(value, arn);
                } catch (InvalidPolicyException e) {
                    throw error("InvalidAttributeValue", "Invalid value for the parameter Policy.");
                }
            }
            checked.put(name, value);
        }
        return checked;
    }

    private static Policy parsedPolicy(Map<String, String> attributes, String arn) {
        try {
            String text = attributes.get("Policy");
            return text == null || text.isEmpty() ? null : QueueDirectory.policy(text, arn);
        } catch (InvalidPolicyException e) {
            throw error("InvalidAttributeValue", "Invalid value for the parameter Policy.");
        }
    }

    /**
     * A RedrivePolicy checked and written as SQS answers it ({@code {"deadLetterTargetArn":…,"maxReceiveCount":N}}).
     * SQS's API reference gives the rules (an ARN, 1 to 1000 receives) but not the wording of these errors.
     */
    private static String redrivePolicy(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (java.io.IOException e) {
            node = null;
        }
        String reason = null;
        if (node == null || !node.isObject() || !node.path("deadLetterTargetArn").isTextual()) {
            reason = "Redrive policy is not a valid JSON map with deadLetterTargetArn and maxReceiveCount.";
        } else {
            JsonNode count = node.path("maxReceiveCount");
            int receives = count.isInt() ? count.asInt() : count.isTextual() && count.asText().matches("[0-9]{1,4}")
                    ? Integer.parseInt(count.asText()) : -1;
            if (receives < 1 || receives > 1000) {
                reason = "Invalid value for maxReceiveCount: " + count + ", valid values are from 1 to 1000 both"
                        + " inclusive.";
            } else {
                return JSON.createObjectNode().put("deadLetterTargetArn", node.get("deadLetterTargetArn").asText())
                        .put("maxReceiveCount", receives).toString();
            }
        }
        throw invalidParameter("Value " + text + " for parameter RedrivePolicy is invalid. Reason: " + reason);
    }

    /** A RedriveAllowPolicy checked: {@code allowAll}, {@code denyAll}, or {@code byQueue} with 1 to 10 ARNs. */
    private static String redriveAllowPolicy(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            String permission = node.path("redrivePermission").asText("");
            int sources = node.path("sourceQueueArns").size();
            boolean byQueue = permission.equals("byQueue") && sources >= 1 && sources <= 10;
            if (byQueue || (permission.equals("allowAll") || permission.equals("denyAll")) && sources == 0) {
                return node.toString();
            }
        } catch (java.io.IOException e) {
            // reported below
        }
        throw invalidParameter("Value " + text + " for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS"
                + " can't create the redrive allow policy, as it's in an unsupported format.");
    }

    /** The dead-letter queue a redrive policy names, which must exist in the source's account and region. */
    private void checkDeadLetterTarget(Map<String, String> attributes, String sourceArn) {
        String redrive = attributes.get("RedrivePolicy");
        if (redrive == null || redrive.isEmpty()) {
            return;
        }
        String target = deadLetterTarget(redrive);
        Queue dlq = queues.byArn(target).orElse(null);
        if (dlq == null || !accountOf(target).equals(accountOf(sourceArn))) {
            throw invalidParameter("Value " + redrive + " for parameter RedrivePolicy is invalid. Reason: Dead letter"
                    + " target does not exist.");
        }
        String allow = dlq.attribute("RedriveAllowPolicy");
        if (allow != null) {
            try {
                JsonNode node = JSON.readTree(allow);
                String permission = node.path("redrivePermission").asText();
                boolean allowed = permission.equals("allowAll") || permission.equals("byQueue")
                        && node.path("sourceQueueArns").toString().contains("\"" + sourceArn + "\"");
                if (!allowed) {
                    throw invalidParameter("Value " + redrive + " for parameter RedrivePolicy is invalid. Reason:"
                            + " Queue " + target + " does not allow this queue as a dead-letter queue source.");
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException("a RedriveAllowPolicy is checked when it is set", e);
            }
        }
    }

    private static String deadLetterTarget(String redrive) {
        try {
            return JSON.readTree(redrive).path("deadLetterTargetArn").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a RedrivePolicy is checked when it is set", e);
        }
    }

    private static int maxReceiveCount(String redrive) {
        try {
            return JSON.readTree(redrive).path("maxReceiveCount").asInt();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a RedrivePolicy is checked when it is set", e);
        }
    }

    /**
     * SSE-KMS and SSE-SQS exclude each other: a queue given a KMS key stops using SSE-SQS (and reuses data keys for
     * 300 seconds unless told otherwise); one given SSE-SQS loses its key.
     */
    private static void sse(Map<String, String> all, Map<String, String> given) {
        if (given.containsKey("KmsMasterKeyId") && all.containsKey("KmsMasterKeyId")) {
            all.put("SqsManagedSseEnabled", "false");
            all.putIfAbsent("KmsDataKeyReusePeriodSeconds", "300");
        } else if ("true".equals(given.get("SqsManagedSseEnabled")) || !all.containsKey("KmsMasterKeyId")) {
            all.remove("KmsMasterKeyId");
            all.remove("KmsDataKeyReusePeriodSeconds");
        }
    }

    // The wording of SQS's KMS errors is not in its API reference; KMS's own messages are passed on, as SQS does.
    private static final String KMS_DENIED = "The ciphertext refers to a customer master key that does not exist,"
            + " does not exist in this region, or you are not allowed to access.";

    /**
     * The KMS permission a send or receive needs on an SSE-KMS queue, asked as the caller through SQS, with SQS's
     * encryption context ({@code aws:sqs:arn}); {@code null} for a queue without a KMS key.
     */
    private AccessCheck kmsCheck(String action, Queue queue, Call call) {
        String keyId = queue.attribute("KmsMasterKeyId");
        if (keyId == null) {
            return null;
        }
        KmsKeys.KeyReference key = keyId.equals("alias/aws/sqs")
                ? keys.managedKey(queue.account(), queue.region(), "sqs")
                : keys.find(queue.account(), queue.region(), keyId).orElseThrow(() -> error("KmsNotFound",
                        "Invalid keyId " + keyId));
        return keys.viaService(action, key, call.caller().account(), "sqs", queue.region(),
                Map.of("aws:sqs:arn", queue.arn()), KMS_DENIED);
    }

    private void requireKms(String action, Queue queue, Call call, PreparedCall.Permissions permissions) {
        AccessCheck check = kmsCheck(action, queue, call);
        if (check != null && !permissions.allows(check)) {
            throw error("KmsAccessDenied", KMS_DENIED);
        }
    }

    private static Map<String, String> tagsOf(Map<String, String> given) {
        return given == null ? Map.of() : given;
    }

    private PreparedCall createQueue(Call call, Input input) {
        Map<String, String> given = input.map("Attributes");
        boolean fifo = given != null && "true".equals(given.get("FifoQueue"));
        String name = checkedName(input.string("QueueName"), fifo);
        String account = call.caller().account();
        String arn = arn(call.region(), account, name);
        Map<String, String> attributes = checkedAttributes(given, arn, fifo);
        Map<String, String> tags = new LinkedHashMap<>(tagsOf(input.map("tags")));
        RequestContext.Builder context = RequestContext.builder();
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        if (!tags.isEmpty()) {
            context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        }
        return PreparedCall.of(List.of(new AccessCheck("sqs:CreateQueue", arn, account, null, context.build())), () -> {
            Queue existing = queues.byArn(arn).orElse(null);
            if (existing != null) {
                for (Map.Entry<String, String> attribute : attributes.entrySet()) {
                    String has = existing.attribute(attribute.getKey());
                    if (!attribute.getValue().equals(has == null ? "" : has)) {
                        throw error("QueueNameExists", "A queue already exists with the same name and a different"
                                + " value for attribute " + attribute.getKey());
                    }
                }
                return Shape.of().put("QueueUrl", url(call, existing));
            }
            Instant deleted = queues.deletedAt(arn).orElse(null);
            Instant now = queues.clock().instant();
            if (deleted != null && deleted.plusSeconds(60).isAfter(now)) {
                throw error("QueueDeletedRecently", "You must wait 60 seconds after deleting a queue before you can"
                        + " create another with the same name.");
            }
            checkDeadLetterTarget(attributes, arn);
            Map<String, String> all = new LinkedHashMap<>(DEFAULTS);
            if (fifo) {
                all.put("FifoQueue", "true");
                all.put("ContentBasedDeduplication", "false");
                all.put("DeduplicationScope", "queue");
                all.put("FifoThroughputLimit", "perQueue");
            }
            all.putAll(attributes);
            all.values().removeIf(String::isEmpty);
            sse(all, attributes);
            Queue queue = new Queue(account, call.region(), name, arn, all, tags, now, now, null,
                    parsedPolicy(all, arn), 0);
            queues.put(queue);
            return Shape.of().put("QueueUrl", url(call, queue));
        });
    }

    private PreparedCall getQueueUrl(Call call, Input input) {
        String owner = input.string("QueueOwnerAWSAccountId") == null ? call.caller().account()
                : input.string("QueueOwnerAWSAccountId");
        String arn = arn(call.region(), owner, input.string("QueueName"));
        Queue queue = queues.byArn(arn).orElse(null);
        return PreparedCall.of(List.of(onQueue("GetQueueUrl", arn, queue)), () -> {
            if (queue == null) {
                throw noQueue();
            }
            return Shape.of().put("QueueUrl", url(call, queue));
        });
    }

    private PreparedCall listQueues(Call call, Input input) {
        String prefix = input.string("QueueNamePrefix") == null ? "" : input.string("QueueNamePrefix");
        Integer max = input.integer("MaxResults");
        if (max != null && (max < 1 || max > 1000)) {
            throw invalidParameter("Value " + max + " for parameter MaxResults is invalid. Reason: MaxResults must be"
                    + " an integer between 1 and 1000.");
        }
        String after = null;
        if (input.string("NextToken") != null) {
            try {
                after = new String(Base64.getUrlDecoder().decode(input.string("NextToken")), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw invalidParameter("Invalid NextToken value.");
            }
        }
        String from = after;
        return PreparedCall.of(List.of(AccessCheck.of("sqs:ListQueues", "*")), () -> {
            List<Queue> matching = queues.queues(call.caller().account(), call.region()).stream()
                    .filter(q -> q.name().startsWith(prefix) && (from == null || q.name().compareTo(from) > 0))
                    .toList();
            int limit = max == null ? 1000 : max;
            List<String> urls = new ArrayList<>();
            for (Queue queue : matching.subList(0, Math.min(limit, matching.size()))) {
                urls.add(url(call, queue));
            }
            Shape out = Shape.of().put("QueueUrls", urls);
            if (max != null && matching.size() > limit) {
                out.put("NextToken", Base64.getUrlEncoder().encodeToString(matching.get(limit - 1).name()
                        .getBytes(StandardCharsets.UTF_8)));
            }
            return out;
        });
    }

    private PreparedCall deleteQueue(Call call, Input input) {
        Target target = target(call, input);
        return PreparedCall.of(List.of(onQueue("DeleteQueue", target.arn(), target.queue())), () -> {
            queues.remove(current(target.arn()), queues.clock().instant());
            return null;
        });
    }

    private static final List<String> ALL_ATTRIBUTES = List.of("QueueArn", "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp",
            "LastModifiedTimestamp", "VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod",
            "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "Policy", "RedrivePolicy", "RedriveAllowPolicy",
            "SqsManagedSseEnabled", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "FifoQueue",
            "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit");

    private PreparedCall getQueueAttributes(Call call, Input input) {
        Target target = target(call, input);
        List<String> names = input.listOrEmpty("AttributeNames");
        for (String name : names) {
            if (!name.equals("All") && !ALL_ATTRIBUTES.contains(name) && !NOT_YET.contains(name)) {
                throw error("InvalidAttributeName", "Unknown Attribute " + name + ".");
            }
        }
        return PreparedCall.of(List.of(onQueue("GetQueueAttributes", target.arn(), target.queue())), () -> {
            Queue queue = current(target.arn());
            Map<String, String> values = new LinkedHashMap<>();
            long now = now();
            int visible = 0;
            int inFlight = 0;
            int delayed = 0;
            for (QueuedMessage message : queues.messages(queue.arn())) {
                if (message.visibleAt() <= now) {
                    visible++;
                } else if (message.receiveCount() > 0) {
                    inFlight++;
                } else {
                    delayed++;
                }
            }
            for (String name : ALL_ATTRIBUTES) {
                if (!names.contains("All") && !names.contains(name)) {
                    continue;
                }
                String value = switch (name) {
                    case "QueueArn" -> queue.arn();
                    case "ApproximateNumberOfMessages" -> String.valueOf(visible);
                    case "ApproximateNumberOfMessagesNotVisible" -> String.valueOf(inFlight);
                    case "ApproximateNumberOfMessagesDelayed" -> String.valueOf(delayed);
                    case "CreatedTimestamp" -> String.valueOf(queue.created().getEpochSecond());
                    case "LastModifiedTimestamp" -> String.valueOf(queue.modified().getEpochSecond());
                    default -> queue.attribute(name);
                };
                if (value != null) {
                    values.put(name, value);
                }
            }
            return Shape.of().put("Attributes", values);
        });
    }

    private PreparedCall setQueueAttributes(Call call, Input input) {
        Target target = target(call, input);
        Map<String, String> given = input.map("Attributes");
        for (String name : given.keySet()) {
            if (COMPUTED.contains(name)) {
                throw error("InvalidAttributeName", "Unknown Attribute " + name + ".");
            }
        }
        boolean fifo = target.arn().endsWith(".fifo");
        if (given.containsKey("FifoQueue")) {
            // A queue's type is chosen when it is created.
            throw error("InvalidAttributeName", "Unknown Attribute FifoQueue.");
        }
        Map<String, String> attributes = checkedAttributes(given, target.arn(), fifo);
        return PreparedCall.of(List.of(onQueue("SetQueueAttributes", target.arn(), target.queue())), () -> {
            Queue queue = current(target.arn());
            checkDeadLetterTarget(attributes, queue.arn());
            Map<String, String> all = new LinkedHashMap<>(queue.attributes());
            all.putAll(attributes);
            all.values().removeIf(String::isEmpty);
            sse(all, attributes);
            queues.put(queue.withAttributes(all, parsedPolicy(all, queue.arn()), queues.clock().instant()));
            return null;
        });
    }

    private PreparedCall purgeQueue(Call call, Input input) {
        Target target = target(call, input);
        return PreparedCall.of(List.of(onQueue("PurgeQueue", target.arn(), target.queue())), () -> {
            Queue queue = current(target.arn());
            Instant now = queues.clock().instant();
            if (queue.purged() != null && queue.purged().plusSeconds(60).isAfter(now)) {
                throw error("PurgeQueueInProgress", "Only one PurgeQueue operation on " + queue.name() + " is allowed"
                        + " every 60 seconds.");
            }
            for (QueuedMessage message : List.copyOf(queues.messages(queue.arn()))) {
                queues.remove(message);
            }
            queues.put(queue.purgedAt(now));
            return null;
        });
    }

    // ---- permissions -----------------------------------------------------------------------------------

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The actions AddPermission may grant (SQS's list in its API reference), by name without the prefix. */
    private static final Set<String> SHAREABLE = Set.of("*", "SendMessage", "ReceiveMessage", "DeleteMessage",
            "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues",
            "PurgeQueue", "SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch");

    /** A queue's policy as JSON to edit: its current one, or the empty policy SQS starts from. */
    private static ObjectNode policyDocument(Queue queue) {
        String text = queue.attribute("Policy");
        if (text != null) {
            try {
                return (ObjectNode) JSON.readTree(text);
            } catch (java.io.IOException | ClassCastException e) {
                throw new IllegalStateException("the policy of " + queue.arn() + " was checked when it was set", e);
            }
        }
        ObjectNode document = JSON.createObjectNode().put("Version", "2012-10-17")
                .put("Id", queue.arn() + "/SQSDefaultPolicy");
        document.putArray("Statement");
        return document;
    }

    private static ArrayNode statements(
            ObjectNode document) {
        JsonNode statement = document.get("Statement");
        if (statement instanceof ArrayNode array) {
            return array;
        }
        ArrayNode array = document.putArray("Statement");
        if (statement != null) {
            array.add(statement);
        }
        return array;
    }

    private void writePolicy(Queue queue, ObjectNode document) {
        Map<String, String> all = new LinkedHashMap<>(queue.attributes());
        if (statements(document).isEmpty()) {
            all.remove("Policy");
        } else {
            all.put("Policy", document.toString());
        }
        queues.put(queue.withAttributes(all, parsedPolicy(all, queue.arn()), queues.clock().instant()));
    }

    /**
     * AddPermission: a statement labelled {@code Label} allowing the accounts the actions on the queue, added to its
     * policy as SQS adds it. SQS's messages for a label in use and an action it does not share are not in its API
     * reference; these follow what it has been seen to answer.
     */
    private PreparedCall addPermission(Call call, Input input) {
        Target target = target(call, input);
        String label = input.string("Label");
        if (!label.matches("[A-Za-z0-9_-]{1,80}")) {
            throw invalidParameter("Value " + label + " for parameter Label is invalid. Reason: Must be at most 80"
                    + " characters of letters, digits, hyphens and underscores.");
        }
        List<String> accounts = input.list("AWSAccountIds");
        List<String> actions = input.list("Actions");
        for (String account : accounts) {
            if (!account.matches("[0-9]{12}")) {
                throw invalidParameter("Value " + account + " for parameter PrincipalId is invalid. Reason: Unable to"
                        + " verify.");
            }
        }
        for (String action : actions) {
            if (!SHAREABLE.contains(action)) {
                throw invalidParameter("Value SQS:" + action + " for parameter ActionName is invalid. Reason: Only"
                        + " the queue owner is allowed to invoke this action.");
            }
        }
        return PreparedCall.of(List.of(onQueue("AddPermission", target.arn(), target.queue())), () -> {
            Queue queue = current(target.arn());
            ObjectNode document = policyDocument(queue);
            ArrayNode statements = statements(document);
            for (JsonNode statement : statements) {
                if (label.equals(statement.path("Sid").asText(null))) {
                    throw invalidParameter("Value " + label + " for parameter Label is invalid. Reason: Already"
                            + " exists.");
                }
            }
            ObjectNode statement = statements.addObject().put("Sid", label)
                    .put("Effect", "Allow");
            ArrayNode principals = statement.putObject("Principal").putArray("AWS");
            accounts.forEach(account -> principals.add("arn:aws:iam::" + account + ":root"));
            ArrayNode granted = statement.putArray("Action");
            actions.forEach(action -> granted.add("SQS:" + action));
            statement.put("Resource", queue.arn());
            writePolicy(queue, document);
            return null;
        });
    }

    private PreparedCall removePermission(Call call, Input input) {
        Target target = target(call, input);
        String label = input.string("Label");
        return PreparedCall.of(List.of(onQueue("RemovePermission", target.arn(), target.queue())), () -> {
            Queue queue = current(target.arn());
            ObjectNode document = policyDocument(queue);
            ArrayNode statements = statements(document);
            for (int i = 0; i < statements.size(); i++) {
                if (label.equals(statements.get(i).path("Sid").asText(null))) {
                    statements.remove(i);
                    writePolicy(queue, document);
                    return null;
                }
            }
            throw invalidParameter("Value " + label + " for parameter Label is invalid. Reason: can't find label on"
                    + " existing policy.");
        });
    }

    // ---- tags ------------------------------------------------------------------------------------------

    private PreparedCall tagQueue(Call call, Input input) {
        Target target = target(call, input);
        Map<String, String> tags = input.map("Tags");
        RequestContext.Builder context = tagContext(target.queue());
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        return PreparedCall.of(List.of(new AccessCheck("sqs:TagQueue", target.arn(), accountOf(target.arn()),
                target.queue() == null ? null : target.queue().policy(), context.build())), () -> {
                    Queue queue = current(target.arn());
                    Map<String, String> merged = new LinkedHashMap<>(queue.tags());
                    merged.putAll(tags);
                    if (merged.size() > 50) {
                        // SQS allows 50 tags a queue; its wording for more is not documented.
                        throw invalidParameter("Too many tags added for queue " + queue.name() + ".");
                    }
                    queues.put(queue.withTags(merged));
                    return null;
                });
    }

    private PreparedCall untagQueue(Call call, Input input) {
        Target target = target(call, input);
        List<String> keys = input.list("TagKeys");
        RequestContext.Builder context = tagContext(target.queue()).multi("aws:TagKeys", keys);
        return PreparedCall.of(List.of(new AccessCheck("sqs:UntagQueue", target.arn(), accountOf(target.arn()),
                target.queue() == null ? null : target.queue().policy(), context.build())), () -> {
                    Queue queue = current(target.arn());
                    Map<String, String> remaining = new LinkedHashMap<>(queue.tags());
                    keys.forEach(remaining::remove);
                    queues.put(queue.withTags(remaining));
                    return null;
                });
    }

    private PreparedCall listQueueTags(Call call, Input input) {
        Target target = target(call, input);
        return PreparedCall.of(List.of(onQueue("ListQueueTags", target.arn(), target.queue())),
                () -> Shape.of().put("Tags", new LinkedHashMap<>(current(target.arn()).tags())));
    }

    // ---- sending ---------------------------------------------------------------------------------------

    /** One message to send, checked: what SendMessage and each entry of SendMessageBatch carry. */
    private record Outgoing(String body, Integer delay, Map<String, QueuedMessage.Attribute> attributes,
                            String groupId, String deduplicationId) {}

    /**
     * A message's body and attributes checked against SQS's rules. The wordings follow answers SQS has been seen to
     * give; its API reference names the errors but not their messages.
     */
    private static Outgoing outgoing(Input input) {
        String body = input.string("MessageBody");
        if (body == null || body.isEmpty()) {
            throw error("MissingParameter", "The request must contain the parameter MessageBody.");
        }
        body.codePoints().forEach(c -> {
            if (!(c == 0x9 || c == 0xA || c == 0xD || c >= 0x20 && c <= 0xD7FF || c >= 0xE000 && c <= 0xFFFD
                    || c >= 0x10000 && c <= 0x10FFFF)) {
                throw error("InvalidMessageContents", "Invalid binary character '#x" + Integer.toHexString(c)
                        .toUpperCase(java.util.Locale.ROOT) + "' was found in the message body, the set of allowed"
                        + " characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to"
                        + " #x10FFFF");
            }
        });
        Integer delay = input.integer("DelaySeconds");
        if (delay != null && (delay < 0 || delay > 900)) {
            throw invalidParameter("Value " + delay + " for parameter DelaySeconds is invalid. Reason: DelaySeconds"
                    + " must be >= 0 and <= 900.");
        }
        Map<String, Input> given = input.map("MessageAttributes");
        Map<String, QueuedMessage.Attribute> attributes = new TreeMap<>();
        if (given != null) {
            if (given.size() > 10) {
                throw invalidParameter("Number of message attributes [" + given.size() + "] exceeds the allowed"
                        + " maximum [10].");
            }
            for (Map.Entry<String, Input> entry : given.entrySet()) {
                attributes.put(entry.getKey(), attribute(entry.getKey(), entry.getValue()));
            }
        }
        return new Outgoing(body, delay, attributes, input.string("MessageGroupId"),
                input.string("MessageDeduplicationId"));
    }

    private static QueuedMessage.Attribute attribute(String name, Input value) {
        String type = value.string("DataType");
        String base = type == null ? "" : type.split("\\.", 2)[0];
        if (!base.equals("String") && !base.equals("Number") && !base.equals("Binary")) {
            throw invalidParameter("The type of message (user) attribute '" + name + "' is invalid. You must use only"
                    + " the following supported type prefixes: Binary, Number, String.");
        }
        if (base.equals("Binary")) {
            byte[] bytes = value.blob("BinaryValue");
            if (bytes == null || bytes.length == 0) {
                throw invalidParameter("The message attribute '" + name + "' must contain non-empty message attribute"
                        + " value for message attribute type '" + base + "'.");
            }
            return new QueuedMessage.Attribute(type, null, bytes);
        }
        String text = value.string("StringValue");
        if (text == null || text.isEmpty()) {
            throw invalidParameter("The message attribute '" + name + "' must contain non-empty message attribute"
                    + " value for message attribute type '" + base + "'.");
        }
        if (base.equals("Number")) {
            try {
                new java.math.BigDecimal(text.trim());
            } catch (NumberFormatException e) {
                throw invalidParameter("Can't cast the value of message (user) attribute '" + name + "' to a number.");
            }
        }
        return new QueuedMessage.Attribute(type, text, null);
    }

    private static int size(Outgoing message) {
        int size = message.body().getBytes(StandardCharsets.UTF_8).length;
        for (Map.Entry<String, QueuedMessage.Attribute> a : message.attributes().entrySet()) {
            size += a.getKey().getBytes(StandardCharsets.UTF_8).length
                    + a.getValue().dataType().getBytes(StandardCharsets.UTF_8).length
                    + (a.getValue().binaryValue() != null ? a.getValue().binaryValue().length
                    : a.getValue().stringValue().getBytes(StandardCharsets.UTF_8).length);
        }
        return size;
    }

    private static final long DEDUPLICATION_MILLIS = 5 * 60 * 1000L;
    private static final Pattern FIFO_ID = Pattern.compile("[\\x21-\\x7E]{1,128}");

    /**
     * Puts a message in a queue: its record is written in the call's transaction, before the answer. In a FIFO queue
     * the message gets the queue's next sequence number, unless a message with its deduplication id was sent in the
     * last five minutes: then it is accepted and not queued again, and the answer is the first one's.
     */
    private Shape enqueue(String queueArn, Outgoing message, String senderId) {
        Queue queue = current(queueArn);
        int limit = queue.intAttribute("MaximumMessageSize");
        if (size(message) > limit) {
            throw invalidParameter("One or more parameters are invalid. Reason: Message must be shorter than " + limit
                    + " bytes.");
        }
        long now = now();
        String id = UUID.randomUUID().toString();
        QueuedMessage.Fifo fifo = null;
        String deduplicationKey = null;
        if (queue.fifo()) {
            // SQS's wordings for these, as clients report them; its API reference names the rules only.
            if (message.groupId() == null) {
                throw error("MissingParameter", "The request must contain the parameter MessageGroupId.");
            }
            if (message.delay() != null) {
                throw invalidParameter("Value " + message.delay() + " for parameter DelaySeconds is invalid. Reason:"
                        + " The request include parameter that is not valid for this queue type.");
            }
            String deduplicationId = message.deduplicationId();
            if (deduplicationId == null) {
                if (!"true".equals(queue.attribute("ContentBasedDeduplication"))) {
                    throw invalidParameter("The queue should either have ContentBasedDeduplication enabled or"
                            + " MessageDeduplicationId provided explicitly");
                }
                deduplicationId = sha256(message.body());
            }
            if (!FIFO_ID.matcher(message.groupId()).matches() || !FIFO_ID.matcher(deduplicationId).matches()) {
                throw invalidParameter("Value " + (FIFO_ID.matcher(message.groupId()).matches() ? deduplicationId
                        : message.groupId()) + " for parameter " + (FIFO_ID.matcher(message.groupId()).matches()
                        ? "MessageDeduplicationId" : "MessageGroupId") + " is invalid. Reason: It must be 1 to 128"
                        + " characters of alphanumeric and punctuation characters.");
            }
            deduplicationKey = queue.arn() + "|" + ("messageGroup".equals(queue.attribute("DeduplicationScope"))
                    ? message.groupId() : "") + "|" + deduplicationId;
            QueueDirectory.Sent earlier = queues.deduplicated(deduplicationKey).orElse(null);
            if (earlier != null && earlier.at() + DEDUPLICATION_MILLIS > now) {
                return sendResult(earlier.messageId(), message, String.format("%020d", earlier.sequence()));
            }
            long sequence = Math.max(queue.sequence() + 1, now * 1_000_000L);
            queues.put(queue.withSequence(sequence));
            fifo = new QueuedMessage.Fifo(message.groupId(), deduplicationId, sequence);
            queues.remember(deduplicationKey, new QueueDirectory.Sent(id, sequence, now));
        } else if (message.deduplicationId() != null) {
            throw invalidParameter("Value " + message.deduplicationId() + " for parameter MessageDeduplicationId is"
                    + " invalid. Reason: The request include parameter that is not valid for this queue type.");
        }
        int delay = message.delay() != null ? message.delay() : queue.intAttribute("DelaySeconds");
        queues.put(new QueuedMessage(QueueDirectory.messageKey(queue.arn(), fifo != null ? fifo.sequence() : now, id),
                queue.arn(), id, message.body(), message.attributes(), senderId, now,
                now + delay * 1000L, 0, 0, null, fifo, null));
        return sendResult(id, message, fifo == null ? null : fifo.sequenceNumber());
    }

    private static Shape sendResult(String id, Outgoing message, String sequenceNumber) {
        Shape out = Shape.of().put("MessageId", id).put("MD5OfMessageBody", md5(message.body()));
        if (!message.attributes().isEmpty()) {
            out.put("MD5OfMessageAttributes", md5(message.attributes()));
        }
        if (sequenceNumber != null) {
            out.put("SequenceNumber", sequenceNumber);
        }
        return out;
    }

    private static String sha256(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(
                    StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private PreparedCall sendMessage(Call call, Input input) {
        Target target = target(call, input);
        Outgoing message = outgoing(input);
        return PreparedCall.withPermissions(List.of(onQueue("SendMessage", target.arn(), target.queue())),
                permissions -> {
                    requireKms("kms:GenerateDataKey", current(target.arn()), call, permissions);
                    return enqueue(target.arn(), message, call.caller().principal().userId());
                });
    }

    /** A batch's entries, checked as SQS checks a batch before any entry: their number and their ids. */
    private static List<Input> batch(Input input, String entryShape) {
        List<Input> entries = input.listOrEmpty("Entries");
        if (entries.isEmpty()) {
            throw error("EmptyBatchRequest", "There should be at least one " + entryShape + " in the request.");
        }
        if (entries.size() > 10) {
            throw error("TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent "
                    + entries.size() + ".");
        }
        Set<String> ids = new HashSet<>();
        for (Input entry : entries) {
            String id = entry.string("Id");
            if (!BATCH_ID.matcher(id).matches()) {
                throw error("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens"
                        + " and underscores. It can be at most 80 letters long.");
            }
            if (!ids.add(id)) {
                throw error("BatchEntryIdsNotDistinct", "Id " + id + " repeated.");
            }
        }
        return entries;
    }

    /** Runs each entry of a batch: its result, or its own error among the batch's failures. */
    private static Shape eachEntry(List<Input> entries, Function<Input, Shape> run) {
        List<Shape> successful = new ArrayList<>();
        List<Shape> failed = new ArrayList<>();
        for (Input entry : entries) {
            try {
                Shape result = run.apply(entry);
                Shape answer = Shape.of().put("Id", entry.string("Id")); // the Id first, as SQS writes it
                if (result != null) {
                    result.members().forEach(answer::put);
                }
                successful.add(answer);
            } catch (AwsException e) {
                failed.add(Shape.of().put("Id", entry.string("Id")).put("SenderFault", e.senderFault())
                        .put("Code", QUERY_CODES.getOrDefault(e.code(), e.code())).put("Message", e.getMessage()));
            }
        }
        return Shape.of().put("Successful", successful).put("Failed", failed);
    }

    private PreparedCall sendMessageBatch(Call call, Input input) {
        Target target = target(call, input);
        List<Input> entries = batch(input, "SendMessageBatchRequestEntry");
        List<AccessCheck> checks = List.of(onQueue("SendMessage", target.arn(), target.queue()));
        return PreparedCall.withPermissions(checks, permissions -> {
            Queue queue = current(target.arn());
            requireKms("kms:GenerateDataKey", queue, call, permissions);
            int total = 0;
            for (Input entry : entries) {
                total += entry.string("MessageBody") == null ? 0
                        : entry.string("MessageBody").getBytes(StandardCharsets.UTF_8).length;
            }
            int limit = queue.intAttribute("MaximumMessageSize");
            if (total > limit) {
                throw error("BatchRequestTooLong", "Batch requests cannot be longer than " + limit + " bytes. You have"
                        + " sent " + total + " bytes.");
            }
            String sender = call.caller().principal().userId();
            return eachEntry(entries, entry -> enqueue(queue.arn(), outgoing(entry), sender));
        });
    }

    // ---- receiving -------------------------------------------------------------------------------------

    /** A receipt handle: the message's record key and the nonce of one receive, so an older receive's is told. */
    private static String receiptHandle(QueuedMessage message) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((message.key() + "#" + message.receipt())
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The record key and nonce a receipt handle carries, or an error for one that is not a handle. */
    private static String[] receipt(String handle, String queueArn) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(handle), StandardCharsets.UTF_8);
            int hash = text.lastIndexOf('#');
            if (hash > 0 && text.startsWith(queueArn + "|")) {
                return new String[] {text.substring(0, hash), text.substring(hash + 1)};
            }
        } catch (IllegalArgumentException e) {
            // not base64: not a handle
        }
        throw error("ReceiptHandleIsInvalid", "The input receipt handle \"" + handle + "\" is not a valid receipt"
                + " handle.");
    }

    private static boolean wanted(List<String> names, String name) {
        for (String wanted : names) {
            if (wanted.equals("All") || wanted.equals(".*") || wanted.equals(name)
                    || wanted.endsWith(".*") && name.startsWith(wanted.substring(0, wanted.length() - 1))) {
                return true;
            }
        }
        return false;
    }

    private PreparedCall receiveMessage(Call call, Input input) {
        Target target = target(call, input);
        Integer max = input.integer("MaxNumberOfMessages");
        if (max != null && (max < 1 || max > 10)) {
            throw invalidParameter("Value " + max + " for parameter MaxNumberOfMessages is invalid. Reason: Must be"
                    + " between 1 and 10, if provided.");
        }
        Integer visibility = input.integer("VisibilityTimeout");
        if (visibility != null && (visibility < 0 || visibility > 43_200)) {
            throw invalidParameter("Value " + visibility + " for parameter VisibilityTimeout is invalid. Reason: Must"
                    + " be between 0 and 43200, if provided.");
        }
        Integer wait = input.integer("WaitTimeSeconds");
        if (wait != null && (wait < 0 || wait > 20)) {
            throw invalidParameter("Value " + wait + " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0"
                    + " and <= 20, if provided.");
        }
        List<String> system = new ArrayList<>(input.listOrEmpty("AttributeNames"));
        system.addAll(input.listOrEmpty("MessageSystemAttributeNames"));
        List<String> userNames = input.listOrEmpty("MessageAttributeNames");
        List<AccessCheck> checks = List.of(onQueue("ReceiveMessage", target.arn(), target.queue()));
        return PreparedCall.withPermissions(checks, permissions -> {
            long seen = queues.puts();
            boolean decrypts = false;
            Queue queue = current(target.arn());
            long now = now();
            long retention = queue.intAttribute("MessageRetentionPeriod") * 1000L;
            int timeout = visibility != null ? visibility : queue.intAttribute("VisibilityTimeout");
            String redrive = queue.attribute("RedrivePolicy");
            List<Shape> received = new ArrayList<>();
            // FIFO: a group whose earlier message is in flight or delayed gives nothing until that one is done.
            Set<String> blockedGroups = new HashSet<>();
            int limit = max == null ? 1 : max;
            int receives = redrive == null ? 0 : maxReceiveCount(redrive);
            // The queue's messages in order, read live (the store's sorted map is safe to change while it is read),
            // up to the first `limit` receivable ones: a long queue is not copied for every receive.
            for (QueuedMessage message : queues.messages(queue.arn())) {
                if (received.size() >= limit) {
                    break;
                }
                if (message.sent() + retention <= now) {
                    queues.remove(message); // past the queue's retention period: SQS deletes it
                    continue;
                }
                String group = message.fifo() == null ? null : message.fifo().groupId();
                if (group != null && blockedGroups.contains(group)) {
                    continue;
                }
                if (message.visibleAt() > now) {
                    if (group != null) {
                        blockedGroups.add(group);
                    }
                    continue;
                }
                if (redrive != null && message.receiveCount() >= receives
                        && moveToDeadLetterQueue(message, deadLetterTarget(redrive), now)) {
                    continue;
                }
                if (!decrypts) {
                    // A message to return: SQS decrypts it with the queue's key, as the caller.
                    requireKms("kms:Decrypt", queue, call, permissions);
                    decrypts = true;
                }
                QueuedMessage taken = message.received(now, now + timeout * 1000L, UUID.randomUUID().toString());
                queues.put(taken);
                received.add(shape(taken, system, userNames));
            }
            int waitSeconds = wait != null ? wait : queue.intAttribute("ReceiveMessageWaitTimeSeconds");
            if (received.isEmpty() && waitSeconds > 0 && WaitForChange.mayWait()) {
                // Long polling: the pipeline waits outside the store's lock until a message is put, then asks again.
                throw new WaitForChange(java.util.concurrent.TimeUnit.SECONDS.toNanos(waitSeconds),
                        nanos -> queues.awaitPut(seen, nanos));
            }
            return Shape.of().put("Messages", received);
        });
    }

    /**
     * Moves a message received {@code maxReceiveCount} times to its queue's dead-letter queue, as SQS does when it
     * would be received once more: same id, body, attributes and send time, visible there at once. A dead-letter queue
     * deleted since leaves the message where it is.
     */
    private boolean moveToDeadLetterQueue(QueuedMessage message, String dlqArn, long now) {
        if (queues.byArn(dlqArn).isEmpty()) {
            return false;
        }
        queues.remove(message);
        queues.put(new QueuedMessage(QueueDirectory.messageKey(dlqArn, message.fifo() != null
                ? message.fifo().sequence() : message.sent(), message.id()), dlqArn,
                message.id(), message.body(), message.attributes(), message.senderId(), message.sent(), now,
                message.receiveCount(), message.firstReceive(), null, message.fifo(), message.queueArn()));
        return true;
    }

    // ---- message move tasks ------------------------------------------------------------------------------

    private static final String RATE_REFUSED = "Value for parameter MaxNumberOfMessagesPerSecond is invalid. Reason:"
            + " You must enter a number that's between 1 and 500.";

    /** A queue ARN as the move tasks take it, else SQS's InvalidAddress naming the parameter. */
    private static String queueArn(String arn, String parameter) {
        String[] parts = arn == null ? new String[0] : arn.split(":", -1);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[2].equals("sqs") || parts[5].isEmpty()) {
            throw error("InvalidAddress", "You must use this format to specify the " + parameter
                    + ": arn:<partition>:<service>:<region>:<account-id>:<resource-id>");
        }
        return arn;
    }

    private static AwsException noResource(String parameter) {
        return error("ResourceNotFoundException", "The resource that you specified for the " + parameter
                + " parameter doesn't exist.");
    }

    /** Whether some queue of the account names {@code queue} as its dead-letter queue. */
    private boolean isDeadLetterQueue(Queue queue) {
        return queues.queues(queue.account(), queue.region()).stream().anyMatch(q -> q.attribute("RedrivePolicy") != null
                && deadLetterTarget(q.attribute("RedrivePolicy")).equals(queue.arn()));
    }

    /**
     * StartMessageMoveTask: from a dead-letter queue to {@code DestinationArn}, or each message back to the queue it
     * was dead-lettered from. The caller needs to receive, delete and read the source's attributes and to send to the
     * destination, as SQS asks. The task runs in the background at {@code MaxNumberOfMessagesPerSecond}, or as fast
     * as the server goes; one task per source queue at a time.
     */
    private PreparedCall startMessageMoveTask(Call call, Input input) {
        String sourceArn = queueArn(input.string("SourceArn"), "SourceArn");
        String destinationArn = input.has("DestinationArn") ? queueArn(input.string("DestinationArn"),
                "DestinationArn") : null;
        Integer rate = input.integer("MaxNumberOfMessagesPerSecond");
        if (rate != null && (rate < 1 || rate > 500)) {
            throw invalidParameter(RATE_REFUSED);
        }
        Queue source = queues.byArn(sourceArn).orElse(null);
        Queue destination = destinationArn == null ? null : queues.byArn(destinationArn).orElse(null);
        List<AccessCheck> checks = new ArrayList<>();
        for (String action : List.of("StartMessageMoveTask", "ReceiveMessage", "DeleteMessage",
                "GetQueueAttributes")) {
            checks.add(onQueue(action, sourceArn, source));
        }
        if (destinationArn != null) {
            checks.add(onQueue("SendMessage", destinationArn, destination));
        }
        return PreparedCall.of(checks, () -> {
            Queue from = queues.byArn(sourceArn).orElseThrow(() -> noResource("SourceArn"));
            if (!isDeadLetterQueue(from)) {
                throw invalidParameter("Source queue must be configured as a Dead Letter Queue.");
            }
            if (destinationArn != null) {
                Queue to = queues.byArn(destinationArn).orElseThrow(() -> noResource("DestinationArn"));
                if (to.arn().equals(from.arn())) {
                    throw invalidParameter("Source queue arn and destination queue arn cannot be the same.");
                }
                if (to.fifo() != from.fifo()) {
                    throw invalidParameter("The source queue and destination queue must be of the same queue type.");
                }
            }
            if (from.fifo()) {
                throw new AwsException("NotImplemented", 501, "crossrole does not move the messages of FIFO queues"
                        + " yet");
            }
            if (queues.moveTasks(from.arn()).stream().anyMatch(MoveTask::active)) {
                throw invalidParameter("There is already a task running. Only one active task is allowed for a"
                        + " source queue arn at a given time.");
            }
            MoveTask task = new MoveTask(UUID.randomUUID().toString(), from.arn(), destinationArn, rate, "RUNNING", 0,
                    queues.messages(from.arn()).size(), null, now());
            queues.put(task);
            Runnable wake = mover;
            if (wake != null) {
                wake.run();
            }
            return Shape.of().put("TaskHandle", task.handle());
        });
    }

    /** ListMessageMoveTasks: the source queue's latest tasks (one unless asked for up to ten), the latest first. */
    private PreparedCall listMessageMoveTasks(Call call, Input input) {
        String sourceArn = queueArn(input.string("SourceArn"), "SourceArn");
        Integer max = input.integer("MaxResults");
        if (max != null && (max < 1 || max > 10)) {
            throw invalidParameter("Value for parameter MaxResults is invalid. Reason: You must enter a number that's"
                    + " between 1 and 10.");
        }
        Queue source = queues.byArn(sourceArn).orElse(null);
        return PreparedCall.of(List.of(onQueue("ListMessageMoveTasks", sourceArn, source)), () -> {
            queues.byArn(sourceArn).orElseThrow(() -> noResource("SourceArn"));
            List<Shape> results = new ArrayList<>();
            for (MoveTask task : queues.moveTasks(sourceArn).stream().limit(max == null ? 1 : max).toList()) {
                // The handle is shown while the task can still be cancelled.
                results.add(Shape.of().put("TaskHandle", task.status().equals("RUNNING") ? task.handle() : null)
                        .put("Status", task.status()).put("SourceArn", task.sourceArn())
                        .put("DestinationArn", task.destinationArn())
                        .put("MaxNumberOfMessagesPerSecond", task.maxPerSecond())
                        .put("ApproximateNumberOfMessagesMoved", task.moved())
                        .put("ApproximateNumberOfMessagesToMove", task.toMove())
                        .put("FailureReason", task.failureReason()).put("StartedTimestamp", task.started()));
            }
            return Shape.of().put("Results", results);
        });
    }

    /** CancelMessageMoveTask: a running task stops moving; it reads CANCELLING, then CANCELLED. */
    private PreparedCall cancelMessageMoveTask(Call call, Input input) {
        String taskId = MoveTask.taskIdOf(input.string("TaskHandle"));
        MoveTask found = taskId == null ? null : queues.moveTask(taskId).orElse(null);
        if (found == null) {
            // The handle names no task (or another's ARN cannot be told from a forged one): nothing to authorize.
            throw error("ResourceNotFoundException", "Task does not exist.");
        }
        Queue source = queues.byArn(found.sourceArn()).orElse(null);
        return PreparedCall.of(List.of(onQueue("CancelMessageMoveTask", found.sourceArn(), source)), () -> {
            MoveTask task = queues.moveTask(taskId).orElseThrow(() -> error("ResourceNotFoundException",
                    "Task does not exist."));
            if (!task.status().equals("RUNNING")) {
                // SQS's wording for a task that is no longer running was not found; the code is the model's.
                throw invalidParameter("Only active tasks can be cancelled. The task is " + task.status() + ".");
            }
            queues.put(task.progressed("CANCELLING", task.moved(), null));
            return Shape.of().put("ApproximateNumberOfMessagesMoved", task.moved());
        });
    }

    /** Wakes the mover at once (set by {@link #startMoving}); {@code null} before it runs. */
    private volatile Runnable mover;

    /**
     * Starts moving the messages of running move tasks, on a thread of its own: each second, each task moves up to
     * its rate (or all it can), each message in one store transaction, so a restart loses nothing and resumes the task.
     * Close the returned handle to stop.
     */
    public AutoCloseable startMoving(dev.crossrole.server.store.StateSync sync) {
        java.util.concurrent.ScheduledExecutorService thread = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(runnable -> {
                    Thread t = new Thread(runnable, "sqs-message-mover");
                    t.setDaemon(true);
                    return t;
                });
        Runnable pass = () -> {
            try {
                for (MoveTask task : queues.activeMoveTasks()) {
                    advance(task, sync);
                }
            } catch (RuntimeException e) {
                System.getLogger(SqsService.class.getName()).log(System.Logger.Level.WARNING,
                        "message move pass failed; the next one tries again", e);
            }
        };
        thread.scheduleWithFixedDelay(pass, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        mover = () -> thread.execute(pass);
        return () -> {
            mover = null;
            thread.shutdownNow();
        };
    }

    /** One second's worth of a task: cancels it, moves up to its rate, or ends it. */
    private void advance(MoveTask started, dev.crossrole.server.store.StateSync sync) {
        int budget = started.maxPerSecond() == null ? 10_000 : started.maxPerSecond();
        for (int i = 0; i <= budget; i++) {
            boolean more = sync.write(tx -> {
                MoveTask task = queues.moveTask(started.taskId()).orElse(null);
                if (task == null || !task.active()) {
                    return false;
                }
                if (task.status().equals("CANCELLING")) {
                    queues.put(task.progressed("CANCELLED", task.moved(), null));
                    return false;
                }
                long now = now();
                QueuedMessage next = null;
                for (QueuedMessage message : queues.messages(task.sourceArn())) {
                    if (message.visibleAt() <= now) {
                        next = message;
                        break;
                    }
                }
                if (queues.byArn(task.sourceArn()).isEmpty() || next == null) {
                    // Messages received and not yet visible again stay where they are, as in SQS.
                    queues.put(task.progressed("COMPLETED", task.moved(), null));
                    return false;
                }
                String to = task.destinationArn() != null ? task.destinationArn() : next.deadLetterSource();
                if (to == null) {
                    queues.put(task.progressed("FAILED", task.moved(), "CouldNotDetermineMessageSource"));
                    return false;
                }
                if (queues.byArn(to).isEmpty()) {
                    queues.put(task.progressed("FAILED", task.moved(), "AWS.SimpleQueueService.NonExistentQueue"));
                    return false;
                }
                queues.remove(next);
                // A moved message starts over in its new queue: not received yet, visible at once.
                queues.put(new QueuedMessage(QueueDirectory.messageKey(to, now, next.id()), to, next.id(),
                        next.body(), next.attributes(), next.senderId(), next.sent(), now, 0, 0, null, null, null));
                queues.put(task.progressed("RUNNING", task.moved() + 1, null));
                return true;
            });
            if (!more) {
                return;
            }
        }
    }

    private PreparedCall listDeadLetterSourceQueues(Call call, Input input) {
        Target target = target(call, input);
        Integer max = input.integer("MaxResults");
        if (max != null && (max < 1 || max > 1000)) {
            throw invalidParameter("Value " + max + " for parameter MaxResults is invalid. Reason: MaxResults must be"
                    + " an integer between 1 and 1000.");
        }
        String after = input.string("NextToken") == null ? null : new String(Base64.getUrlDecoder().decode(
                input.string("NextToken")), StandardCharsets.UTF_8);
        return PreparedCall.of(List.of(onQueue("ListDeadLetterSourceQueues", target.arn(), target.queue())), () -> {
            Queue dlq = current(target.arn());
            List<Queue> sources = queues.queues(dlq.account(), dlq.region()).stream()
                    .filter(q -> q.attribute("RedrivePolicy") != null
                            && deadLetterTarget(q.attribute("RedrivePolicy")).equals(dlq.arn())
                            && (after == null || q.name().compareTo(after) > 0)).toList();
            int limit = max == null ? 1000 : max;
            List<String> urls = new ArrayList<>();
            sources.subList(0, Math.min(limit, sources.size())).forEach(q -> urls.add(url(call, q)));
            Shape out = Shape.of().put("queueUrls", urls);
            if (max != null && sources.size() > limit) {
                out.put("NextToken", Base64.getUrlEncoder().encodeToString(sources.get(limit - 1).name()
                        .getBytes(StandardCharsets.UTF_8)));
            }
            return out;
        });
    }

    private static Shape shape(QueuedMessage message, List<String> system, List<String> userNames) {
        Shape out = Shape.of().put("MessageId", message.id()).put("ReceiptHandle", receiptHandle(message))
                .put("MD5OfBody", md5(message.body())).put("Body", message.body());
        Map<String, String> attributes = new LinkedHashMap<>();
        if (wanted(system, "SenderId")) {
            attributes.put("SenderId", message.senderId());
        }
        if (wanted(system, "SentTimestamp")) {
            attributes.put("SentTimestamp", String.valueOf(message.sent()));
        }
        if (wanted(system, "ApproximateReceiveCount")) {
            attributes.put("ApproximateReceiveCount", String.valueOf(message.receiveCount()));
        }
        if (wanted(system, "ApproximateFirstReceiveTimestamp")) {
            attributes.put("ApproximateFirstReceiveTimestamp", String.valueOf(message.firstReceive()));
        }
        if (message.deadLetterSource() != null && wanted(system, "DeadLetterQueueSourceArn")) {
            attributes.put("DeadLetterQueueSourceArn", message.deadLetterSource());
        }
        if (message.fifo() != null) {
            if (wanted(system, "MessageGroupId")) {
                attributes.put("MessageGroupId", message.fifo().groupId());
            }
            if (wanted(system, "MessageDeduplicationId")) {
                attributes.put("MessageDeduplicationId", message.fifo().deduplicationId());
            }
            if (wanted(system, "SequenceNumber")) {
                attributes.put("SequenceNumber", message.fifo().sequenceNumber());
            }
        }
        if (!attributes.isEmpty()) {
            out.put("Attributes", attributes);
        }
        Map<String, QueuedMessage.Attribute> returned = new TreeMap<>();
        message.attributes().forEach((name, value) -> {
            if (wanted(userNames, name)) {
                returned.put(name, value);
            }
        });
        if (!returned.isEmpty()) {
            Map<String, Shape> values = new LinkedHashMap<>();
            returned.forEach((name, value) -> {
                Shape v = Shape.of().put("DataType", value.dataType());
                if (value.binaryValue() != null) {
                    v.put("BinaryValue", value.binaryValue());
                } else {
                    v.put("StringValue", value.stringValue());
                }
                values.put(name, v);
            });
            out.put("MessageAttributes", values).put("MD5OfMessageAttributes", md5(returned));
        }
        return out;
    }

    private void delete(Queue queue, String handle) {
        String[] receipt = receipt(handle, queue.arn());
        // A handle of a message already deleted deletes nothing, and succeeds, as in SQS.
        queues.message(receipt[0]).ifPresent(queues::remove);
    }

    private PreparedCall deleteMessage(Call call, Input input) {
        Target target = target(call, input);
        String handle = input.string("ReceiptHandle");
        return PreparedCall.of(List.of(onQueue("DeleteMessage", target.arn(), target.queue())), () -> {
            delete(current(target.arn()), handle);
            return null;
        });
    }

    private PreparedCall deleteMessageBatch(Call call, Input input) {
        Target target = target(call, input);
        List<Input> entries = batch(input, "DeleteMessageBatchRequestEntry");
        return PreparedCall.of(List.of(onQueue("DeleteMessage", target.arn(), target.queue())), () -> {
            Queue queue = current(target.arn());
            return eachEntry(entries, entry -> {
                delete(queue, entry.string("ReceiptHandle"));
                return null;
            });
        });
    }

    private void changeVisibility(Queue queue, String handle, Integer timeout) {
        if (timeout == null || timeout < 0 || timeout > 43_200) {
            throw invalidParameter("Value " + timeout + " for parameter VisibilityTimeout is invalid. Reason: Must be"
                    + " between 0 and 43200, if provided.");
        }
        String[] receipt = receipt(handle, queue.arn());
        long now = now();
        QueuedMessage message = queues.message(receipt[0]).orElse(null);
        if (message == null || message.receiveCount() == 0 || message.visibleAt() <= now) {
            // SQS's wording, as clients have reported it; the API reference does not give it.
            throw error("MessageNotInflight", "Message does not exist or is not available for visibility timeout"
                    + " change.");
        }
        queues.put(message.visibleAt(now + timeout * 1000L));
    }

    private PreparedCall changeMessageVisibility(Call call, Input input) {
        Target target = target(call, input);
        String handle = input.string("ReceiptHandle");
        Integer timeout = input.integer("VisibilityTimeout");
        return PreparedCall.of(List.of(onQueue("ChangeMessageVisibility", target.arn(), target.queue())), () -> {
            changeVisibility(current(target.arn()), handle, timeout);
            return null;
        });
    }

    private PreparedCall changeMessageVisibilityBatch(Call call, Input input) {
        Target target = target(call, input);
        List<Input> entries = batch(input, "ChangeMessageVisibilityBatchRequestEntry");
        return PreparedCall.of(List.of(onQueue("ChangeMessageVisibility", target.arn(), target.queue())), () -> {
            Queue queue = current(target.arn());
            return eachEntry(entries, entry -> {
                changeVisibility(queue, entry.string("ReceiptHandle"), entry.integer("VisibilityTimeout"));
                return null;
            });
        });
    }

    // ---- deliveries from other services ----------------------------------------------------------------

    /**
     * The delivery other services use, each call one store transaction: decided by the authorizer as the service
     * principal, with the queue's policy and {@code aws:SourceArn}/{@code aws:SourceAccount}; on an SSE-KMS queue the
     * service also needs {@code kms:GenerateDataKey} from the key's policy.
     */
    public QueueDelivery delivery(dev.crossrole.server.authz.Authorizer authorizer,
                                  dev.crossrole.server.store.StateSync sync) {
        return (queueArn, servicePrincipal, sourceArn, sourceAccount, body, attributes, groupId, dedupId) ->
                sync.write(tx -> {
                    Queue queue = queues.byArn(queueArn).orElse(null);
                    if (queue == null) {
                        return QueueDelivery.DeliveryResult.failed(QUERY_CODES.get("QueueDoesNotExist"),
                                "The specified queue does not exist.");
                    }
                    dev.crossrole.server.service.Caller service = new dev.crossrole.server.service.Caller(
                            new dev.crossrole.policy.Principal.ServicePrincipal(servicePrincipal), null, null);
                    dev.crossrole.server.service.RequestInfo info = new dev.crossrole.server.service.RequestInfo(
                            null, true, queue.region(), servicePrincipal, queues.clock().instant());
                    RequestContext.Builder context = tagContext(queue);
                    if (sourceArn != null) {
                        context.single("aws:SourceArn", sourceArn);
                    }
                    if (sourceAccount != null) {
                        context.single("aws:SourceAccount", sourceAccount);
                    }
                    AccessCheck send = new AccessCheck("sqs:SendMessage", queue.arn(), queue.account(),
                            queue.policy(), context.build());
                    dev.crossrole.policy.Decision decision = authorizer.decide(service, send, info);
                    if (!decision.allowed()) {
                        // The engine's words, so that whoever reads the failure learns which gate denied it.
                        return new QueueDelivery.DeliveryResult(null, null, "AccessDenied",
                                decision.accessDeniedMessage(), decision);
                    }
                    Map<String, QueuedMessage.Attribute> converted = new TreeMap<>();
                    (attributes == null ? Map.<String, QueueDelivery.MessageAttributeValue>of() : attributes)
                            .forEach((name, v) -> converted.put(name, new QueuedMessage.Attribute(v.dataType(),
                                    v.stringValue(), v.binaryValue())));
                    try {
                        if (queue.attribute("KmsMasterKeyId") != null) {
                            String keyId = queue.attribute("KmsMasterKeyId");
                            KmsKeys.KeyReference key = keyId.equals("alias/aws/sqs")
                                    ? keys.managedKey(queue.account(), queue.region(), "sqs")
                                    : keys.find(queue.account(), queue.region(), keyId).orElseThrow(() -> error(
                                            "KmsNotFound", "Invalid keyId " + keyId));
                            AccessCheck kms = keys.viaService("kms:GenerateDataKey", key, null, "sqs",
                                    queue.region(), Map.of("aws:sqs:arn", queue.arn()), KMS_DENIED);
                            if (!authorizer.decide(service, kms, info).allowed()) {
                                throw error("KmsAccessDenied", KMS_DENIED);
                            }
                        }
                        Shape out = enqueue(queue.arn(), new Outgoing(body, null, converted, groupId, dedupId),
                                servicePrincipal);
                        return new QueueDelivery.DeliveryResult((String) out.get("MessageId"),
                                (String) out.get("SequenceNumber"), null, null);
                    } catch (AwsException e) {
                        return QueueDelivery.DeliveryResult.failed(QUERY_CODES.getOrDefault(e.code(), e.code()),
                                e.getMessage());
                    }
                });
    }

    // ---- digests ---------------------------------------------------------------------------------------

    static String md5(String body) {
        return HexFormat.of().formatHex(digest().digest(body.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The MD5 of message attributes as SQS computes it (and the SDKs verify): for each attribute in name order, its
     * name, its data type, a transport byte (1 for String and Number, 2 for Binary) and its value, each string or
     * value preceded by its length as four big-endian bytes.
     */
    static String md5(Map<String, QueuedMessage.Attribute> attributes) {
        MessageDigest md5 = digest();
        for (Map.Entry<String, QueuedMessage.Attribute> entry : new TreeMap<>(attributes).entrySet()) {
            QueuedMessage.Attribute value = entry.getValue();
            lengthPrefixed(md5, entry.getKey().getBytes(StandardCharsets.UTF_8));
            lengthPrefixed(md5, value.dataType().getBytes(StandardCharsets.UTF_8));
            if (value.binaryValue() != null) {
                md5.update((byte) 2);
                lengthPrefixed(md5, value.binaryValue());
            } else {
                md5.update((byte) 1);
                lengthPrefixed(md5, value.stringValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    private static void lengthPrefixed(MessageDigest md5, byte[] bytes) {
        md5.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        md5.update(bytes);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
