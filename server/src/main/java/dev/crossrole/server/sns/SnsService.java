package dev.crossrole.server.sns;

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
import dev.crossrole.server.sqs.QueueDelivery;
import dev.crossrole.server.store.StateSync;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Amazon SNS on the model-driven layer ({@code sns/2010-03-31}, the Query protocol): topics with their attributes,
 * policies and tags; subscriptions of SQS queues and of HTTP/HTTPS endpoints on loopback, with SNS's confirmation;
 * Publish and PublishBatch with message attributes, filter policies, raw delivery and FIFO deduplication.
 *
 * <p>A topic's policy is the resource policy of every check on the topic, so another account reaches a topic only when
 * the topic's policy and its own identity policies both allow it. Deliveries to SQS go through SQS's service delivery
 * ({@link QueueDelivery}) as {@code sns.amazonaws.com} with the topic as {@code aws:SourceArn}, inside the Publish's
 * own store transaction: a publish answered is delivered to every queue that allowed it. HTTP deliveries are posted
 * after, asynchronously.
 */
public final class SnsService implements ServiceProvider, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnsService.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9_-]{1,256}");
    private static final Pattern FIFO_TOPIC_NAME = Pattern.compile("[A-Za-z0-9_-]{1,251}\\.fifo");
    private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
    private static final Pattern BATCH_ID = Pattern.compile("[A-Za-z0-9_-]{1,80}");
    /** What a MessageGroupId or MessageDeduplicationId may hold: up to 128 letters, digits and punctuation. */
    private static final Pattern GROUP_ID = Pattern.compile(
            "[A-Za-z0-9!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]{1,128}");
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z0-9_\\-.]{1,256}");
    /** An action named in a denial ({@code sns:Publish}), not the service of an ARN ({@code arn:aws:sns:us-east-1}). */
    private static final Pattern ACTION_IN_MESSAGE = Pattern.compile("\\bsns:(?=[A-Z*])");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    /** SNS's size limit: a message and its attributes, 256 KiB. */
    private static final int MAX_MESSAGE_BYTES = 262_144;
    private static final int MAX_TAGS = 50;
    private static final int PAGE = 100;
    private static final String SERVICE_PRINCIPAL = "sns.amazonaws.com";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** The delivery policy every topic has unless it sets its own: SNS's defaults for HTTP/S endpoints. */
    static final String DEFAULT_DELIVERY_POLICY = "{\"http\":{\"defaultHealthyRetryPolicy\":{\"minDelayTarget\":20,"
            + "\"maxDelayTarget\":20,\"numRetries\":3,\"numMaxDelayRetries\":0,\"numNoDelayRetries\":0,"
            + "\"numMinDelayRetries\":0,\"backoffFunction\":\"linear\"},\"disableSubscriptionOverrides\":false,"
            + "\"defaultRequestPolicy\":{\"headerContentType\":\"text/plain; charset=UTF-8\"}}}";
    /** The topic attributes SetTopicAttributes (and CreateTopic) take, beyond the delivery-status ones. */
    private static final Set<String> TOPIC_ATTRIBUTES = Set.of("DeliveryPolicy", "DisplayName", "Policy",
            "TracingConfig", "KmsMasterKeyId", "SignatureVersion", "ContentBasedDeduplication", "ArchivePolicy",
            "FifoThroughputScope");
    private static final Set<String> FIFO_ONLY = Set.of("ContentBasedDeduplication", "ArchivePolicy",
            "FifoThroughputScope");
    private static final Set<String> SUBSCRIPTION_ATTRIBUTES = Set.of("DeliveryPolicy", "FilterPolicy",
            "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "SubscriptionRoleArn");
    /** The protocols AWS accepts that crossrole cannot deliver to: refused as not implemented. */
    private static final Set<String> UNDELIVERABLE = Set.of("lambda", "firehose", "application", "email",
            "email-json", "sms");
    /** The actions AddPermission may grant, as SNS names them. */
    private static final Set<String> SHAREABLE = Set.of("*", "Publish", "Subscribe", "Receive", "GetTopicAttributes",
            "SetTopicAttributes", "AddPermission", "RemovePermission", "DeleteTopic", "ListSubscriptionsByTopic",
            "ListTopics", "ListSubscriptions", "Unsubscribe", "ConfirmSubscription", "GetSubscriptionAttributes",
            "SetSubscriptionAttributes");

    private final TopicDirectory directory;
    private final KmsKeys keys;
    private final StateSync sync;
    private final Supplier<QueueDelivery> queues;
    private final NotificationSigner signer;
    private final HttpDelivery http = new HttpDelivery();
    private final SecureRandom random = new SecureRandom();
    private final RefusedDeliveries refused;

    /**
     * Where deliveries a queue's policy refused are kept, so that they can be explained like a denied request: answers
     * the id they are kept under ({@code crossrole why <id>}), or {@code null}.
     */
    @FunctionalInterface
    public interface RefusedDeliveries {
        String record(String servicePrincipal, String queueArn, dev.crossrole.policy.Decision denial, String errorCode,
                      String errorMessage);
    }

    /**
     * @param queues how SNS delivers to SQS queues, asked at each delivery (it is made after the services)
     */
    public SnsService(TopicDirectory directory, KmsKeys keys, StateSync sync, Supplier<QueueDelivery> queues,
                      RefusedDeliveries refused) {
        this.directory = directory;
        this.keys = keys;
        this.sync = sync;
        this.queues = queues;
        this.refused = refused;
        this.signer = new NotificationSigner(directory);
    }

    @Override
    public String modelId() {
        return "sns";
    }

    @Override
    public String accessDeniedCode() {
        return "AuthorizationError";
    }

    @Override
    public String accessDeniedMessage(String message) {
        // SNS writes its actions with the service's name in capitals: "… perform: SNS:Publish on resource: …".
        return ACTION_IN_MESSAGE.matcher(message).replaceAll("SNS:");
    }

    @Override
    public void register(OperationTable ops) {
        String tag = "aws:ResourceTag/${TagKey}";
        String[] via = {"kms:CallerAccount", "kms:ViaService", "kms:EncryptionContext:${EncryptionContextKey}",
            "kms:EncryptionContextKeys", "kms:EncryptionAlgorithm"};
        ops.on("CreateTopic", this::createTopic, Authorization.of("sns:CreateTopic").on("topic", "Name")
                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys"));
        ops.on("DeleteTopic", this::deleteTopic, Authorization.of("sns:DeleteTopic").on("topic", "TopicArn").keys(tag));
        ops.on("ListTopics", this::listTopics, Authorization.of("sns:ListTopics"));
        ops.on("GetTopicAttributes", this::getTopicAttributes, Authorization.of("sns:GetTopicAttributes")
                .on("topic", "TopicArn").keys(tag));
        ops.on("SetTopicAttributes", this::setTopicAttributes, Authorization.of("sns:SetTopicAttributes")
                .on("topic", "TopicArn").keys(tag));
        ops.on("AddPermission", this::addPermission, Authorization.of("sns:AddPermission").on("topic", "TopicArn")
                .keys(tag));
        ops.on("RemovePermission", this::removePermission, Authorization.of("sns:RemovePermission")
                .on("topic", "TopicArn").keys(tag));
        ops.on("TagResource", this::tagResource, Authorization.of("sns:TagResource").on("topic", "ResourceArn")
                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys", tag));
        ops.on("UntagResource", this::untagResource, Authorization.of("sns:UntagResource")
                .on("topic", "ResourceArn").keys("aws:TagKeys", tag));
        ops.on("ListTagsForResource", this::listTagsForResource, Authorization.of("sns:ListTagsForResource")
                .on("topic", "ResourceArn").keys(tag));
        ops.on("Subscribe", this::subscribe, Authorization.of("sns:Subscribe").on("topic", "TopicArn")
                .keys("sns:Endpoint", "sns:Protocol", tag));
        ops.on("ConfirmSubscription", this::confirmSubscription, Authorization.of("sns:ConfirmSubscription")
                .on("topic", "TopicArn"));
        ops.on("Unsubscribe", this::unsubscribe, Authorization.of("sns:Unsubscribe").on("topic", "SubscriptionArn")
                .keys(tag));
        ops.on("ListSubscriptions", this::listSubscriptions, Authorization.of("sns:ListSubscriptions"));
        ops.on("ListSubscriptionsByTopic", this::listSubscriptionsByTopic,
                Authorization.of("sns:ListSubscriptionsByTopic").on("topic", "TopicArn").keys(tag));
        ops.on("GetSubscriptionAttributes", this::getSubscriptionAttributes,
                Authorization.of("sns:GetSubscriptionAttributes").on("topic", "SubscriptionArn").keys(tag));
        ops.on("SetSubscriptionAttributes", this::setSubscriptionAttributes,
                Authorization.of("sns:SetSubscriptionAttributes").on("topic", "SubscriptionArn").keys(tag));
        ops.on("Publish", this::publish, Authorization.of("sns:Publish").on("topic", "TopicArn").keys(tag),
                Authorization.of("kms:GenerateDataKey").on("key").keys(via),
                Authorization.of("kms:Decrypt").on("key").keys(via));
        ops.on("PublishBatch", this::publishBatch, Authorization.of("sns:Publish").on("topic", "TopicArn").keys(tag),
                Authorization.of("kms:GenerateDataKey").on("key").keys(via),
                Authorization.of("kms:Decrypt").on("key").keys(via));
    }

    @Override
    public void close() {
        http.close();
    }

    // ---- errors, ARNs and checks -----------------------------------------------------------------------

    static AwsException invalid(String reason) {
        return new AwsException("InvalidParameter", 400, "Invalid parameter: " + reason);
    }

    private static AwsException invalidValue(String message) {
        return new AwsException("ParameterValueInvalid", 400, message);
    }

    private static AwsException topicNotFound() {
        return new AwsException("NotFound", 404, "Topic does not exist");
    }

    private static AwsException subscriptionNotFound() {
        return new AwsException("NotFound", 404, "Subscription does not exist");
    }

    static String topicArn(String region, String account, String name) {
        return "arn:aws:sns:" + region + ":" + account + ":" + name;
    }

    /** A topic ARN read from {@code member}: six parts, SNS's, the call's region, a 12-digit account and a name. */
    private static String checkedTopicArn(Call call, String arn, String member) {
        String[] parts = arn == null ? new String[0] : arn.split(":", -1);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[1].equals("aws") || !parts[2].equals("sns")
                || !parts[3].equals(call.region()) || !ACCOUNT.matcher(parts[4]).matches()
                || !(TOPIC_NAME.matcher(parts[5]).matches() || FIFO_TOPIC_NAME.matcher(parts[5]).matches())) {
            throw invalid(member);
        }
        return arn;
    }

    private static String accountOf(String arn) {
        return arn.split(":")[4];
    }

    /** The topic a subscription ARN belongs to, or SNS's answer to an ARN that is not a subscription's. */
    private static String topicOfSubscription(Call call, String arn) {
        String[] parts = arn.split(":", -1);
        if (parts.length < 6) {
            throw invalid("SubscriptionArn Reason: An ARN must have at least 6 elements, not " + parts.length);
        }
        if (parts.length != 7 || !parts[0].equals("arn") || !parts[2].equals("sns")) {
            throw invalid("SubscriptionId");
        }
        return checkedTopicArn(call, arn.substring(0, arn.lastIndexOf(':')), "SubscriptionArn");
    }

    /** The condition keys of every check on a topic: its tags, and {@code aws:SourceOwner}, the caller's account. */
    private static RequestContext.Builder context(Topic topic, Call call) {
        RequestContext.Builder context = RequestContext.builder();
        if (topic != null) {
            topic.tags().forEach((k, v) -> context.single("aws:ResourceTag/" + k, v));
        }
        String account = call.caller().account();
        if (account != null) {
            context.single("aws:SourceOwner", account);
        }
        return context;
    }

    /** The permission an action on a topic needs: decided with the topic's policy, as its owner's account's. */
    private static AccessCheck onTopic(String action, String arn, Topic topic, Call call) {
        return new AccessCheck("sns:" + action, arn, accountOf(arn), topic == null ? null : topic.policy(),
                context(topic, call).build());
    }

    /**
     * The permission an action on a subscription needs: its owner's account decides for its own principals alone
     * (as for anything it owns); anyone else needs the topic's policy too.
     */
    private AccessCheck onSubscription(String action, String topicArn, Subscription subscription, Call call) {
        Topic topic = directory.topic(topicArn).orElse(null);
        if (subscription != null && subscription.owner().equals(call.caller().account())
                && !subscription.owner().equals(accountOf(topicArn))) {
            return new AccessCheck("sns:" + action, topicArn, subscription.owner(), null,
                    context(topic, call).build());
        }
        return onTopic(action, topicArn, topic, call);
    }

    private Topic current(String arn) {
        return directory.topic(arn).orElseThrow(SnsService::topicNotFound);
    }

    // ---- topics ----------------------------------------------------------------------------------------

    /** The policy AWS gives a new topic: its own account's principals may do what a topic owner does with it. */
    static String defaultPolicy(String arn) {
        String account = accountOf(arn);
        ObjectNode policy = JSON.createObjectNode().put("Version", "2008-10-17").put("Id", "__default_policy_ID");
        ObjectNode statement = policy.putArray("Statement").addObject().put("Sid", "__default_statement_ID")
                .put("Effect", "Allow");
        statement.putObject("Principal").put("AWS", "*");
        ArrayNode actions = statement.putArray("Action");
        for (String action : List.of("GetTopicAttributes", "SetTopicAttributes", "AddPermission", "RemovePermission",
                "DeleteTopic", "Subscribe", "ListSubscriptionsByTopic", "Publish")) {
            actions.add("SNS:" + action);
        }
        statement.put("Resource", arn);
        statement.putObject("Condition").putObject("StringEquals").put("AWS:SourceOwner", account);
        return policy.toString();
    }

    private static Policy parsedPolicy(String text, String arn) {
        try {
            return TopicDirectory.policy(text, arn);
        } catch (InvalidPolicyException e) {
            throw invalid("Policy Error: " + e.getMessage());
        }
    }

    private static boolean deliveryStatusAttribute(String name) {
        return name.matches("(Application|Firehose|HTTP|Lambda|SQS)(SuccessFeedbackRoleArn|SuccessFeedbackSampleRate"
                + "|FailureFeedbackRoleArn)");
    }

    /** One topic attribute given to CreateTopic or SetTopicAttributes, checked; its value as the topic keeps it. */
    private static String checkedTopicAttribute(String name, String value, String arn, boolean fifo) {
        if (!TOPIC_ATTRIBUTES.contains(name) && !deliveryStatusAttribute(name)) {
            throw invalid("AttributeName");
        }
        if (FIFO_ONLY.contains(name) && !fifo) {
            throw invalid(name + " Reason: " + name + " can only be set for FIFO topics");
        }
        if (value.isEmpty()) {
            return value;
        }
        switch (name) {
            case "Policy" -> parsedPolicy(value, arn);
            case "DeliveryPolicy", "ArchivePolicy" -> {
                try {
                    if (!JSON.readTree(value).isObject()) {
                        throw invalid(name);
                    }
                } catch (IOException e) {
                    throw invalid(name);
                }
            }
            case "DisplayName" -> {
                if (value.length() > 100) {
                    throw invalid("DisplayName");
                }
            }
            case "SignatureVersion" -> {
                if (!value.equals("1") && !value.equals("2")) {
                    throw invalid("SignatureVersion");
                }
            }
            case "TracingConfig" -> {
                if (!value.equals("PassThrough") && !value.equals("Active")) {
                    throw invalid("TracingConfig");
                }
            }
            case "ContentBasedDeduplication" -> {
                if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                    throw invalid("ContentBasedDeduplication");
                }
                return value.toLowerCase(Locale.ROOT);
            }
            case "FifoThroughputScope" -> {
                if (!value.equals("Topic") && !value.equals("MessageGroup")) {
                    throw invalid("FifoThroughputScope");
                }
            }
            default -> {
                if (name.endsWith("SampleRate") && !value.matches("[0-9]{1,2}|100")) {
                    throw invalid(name);
                }
            }
        }
        return value;
    }

    /** Tags as a map, checked: distinct keys, at most 50. */
    private static Map<String, String> checkedTags(List<Input> given) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Input tag : given) {
            if (tags.put(tag.string("Key"), tag.string("Value")) != null) {
                throw invalid("Duplicated keys are not allowed.");
            }
        }
        if (tags.size() > MAX_TAGS) {
            throw tagLimit();
        }
        return tags;
    }

    private static AwsException tagLimit() {
        return new AwsException("TagLimitExceeded", 400, "Could not complete request: tag quota of per resource"
                + " exceeded");
    }

    private static RequestContext.Builder requestTags(Map<String, String> tags, RequestContext.Builder context) {
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        if (!tags.isEmpty()) {
            context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        }
        return context;
    }

    private PreparedCall createTopic(Call call, Input input) {
        String name = input.string("Name");
        Map<String, String> given = input.map("Attributes") == null ? Map.of() : input.map("Attributes");
        String fifoValue = given.getOrDefault("FifoTopic", "false");
        if (!fifoValue.equalsIgnoreCase("true") && !fifoValue.equalsIgnoreCase("false")) {
            throw invalid("FifoTopic");
        }
        boolean fifo = fifoValue.equalsIgnoreCase("true");
        if (fifo && !FIFO_TOPIC_NAME.matcher(name).matches()) {
            throw invalid("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase"
                    + " ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters"
                    + " long.");
        }
        if (!fifo && !TOPIC_NAME.matcher(name).matches()) {
            throw invalid("Topic Name");
        }
        String account = call.caller().account();
        String arn = topicArn(call.region(), account, name);
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, String> attribute : given.entrySet()) {
            if (!attribute.getKey().equals("FifoTopic")) {
                attributes.put(attribute.getKey(), checkedTopicAttribute(attribute.getKey(),
                        attribute.getValue() == null ? "" : attribute.getValue(), arn, fifo));
            }
        }
        Map<String, String> tags = checkedTags(input.listOrEmpty("Tags"));
        RequestContext context = requestTags(tags, RequestContext.builder()).build();
        return PreparedCall.of(List.of(new AccessCheck("sns:CreateTopic", arn, account, null, context)), () -> {
            Topic existing = directory.topic(arn).orElse(null);
            if (existing != null) {
                for (Map.Entry<String, String> attribute : attributes.entrySet()) {
                    String has = existing.attribute(attribute.getKey());
                    if (!attribute.getValue().equals(has == null ? "" : has)) {
                        throw invalid("Attributes Reason: Topic already exists with different attributes");
                    }
                }
                if (!tags.isEmpty() && !tags.equals(existing.tags())) {
                    throw invalid("Tags Reason: Topic already exists with different tags");
                }
                return Shape.of().put("TopicArn", arn);
            }
            Map<String, String> all = new LinkedHashMap<>();
            all.put("Policy", defaultPolicy(arn));
            if (fifo) {
                all.put("FifoTopic", "true");
                all.put("ContentBasedDeduplication", "false");
            }
            all.putAll(attributes);
            all.values().removeIf(String::isEmpty);
            all.putIfAbsent("Policy", defaultPolicy(arn));
            directory.put(new Topic(account, call.region(), name, arn, all, tags, parsedPolicy(all.get("Policy"), arn),
                    0, 0));
            return Shape.of().put("TopicArn", arn);
        });
    }

    private PreparedCall deleteTopic(Call call, Input input) {
        String arn = checkedTopicArn(call, input.string("TopicArn"), "TopicArn");
        Topic topic = directory.topic(arn).orElse(null);
        return PreparedCall.of(List.of(onTopic("DeleteTopic", arn, topic, call)), () -> {
            // Deleting a topic that does not exist is no error: DeleteTopic is idempotent.
            directory.topic(arn).ifPresent(directory::remove);
            return null;
        });
    }

    /** A page's start: after the ARN a NextToken names. */
    private static String after(Input input) {
        String token = input.string("NextToken");
        if (token == null) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("NextToken");
        }
    }

    private static String nextToken(String arn) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(arn.getBytes(StandardCharsets.UTF_8));
    }

    private PreparedCall listTopics(Call call, Input input) {
        String after = after(input);
        return PreparedCall.of(List.of(AccessCheck.of("sns:ListTopics", "*")), () -> {
            List<Topic> matching = directory.topics(call.caller().account(), call.region()).stream()
                    .filter(t -> after == null || t.arn().compareTo(after) > 0).toList();
            List<Shape> page = new ArrayList<>();
            matching.stream().limit(PAGE).forEach(t -> page.add(Shape.of().put("TopicArn", t.arn())));
            Shape out = Shape.of().put("Topics", page);
            if (matching.size() > PAGE) {
                out.put("NextToken", nextToken(matching.get(PAGE - 1).arn()));
            }
            return out;
        });
    }

    private PreparedCall getTopicAttributes(Call call, Input input) {
        String arn = checkedTopicArn(call, input.string("TopicArn"), "TopicArn");
        Topic topic = directory.topic(arn).orElse(null);
        return PreparedCall.of(List.of(onTopic("GetTopicAttributes", arn, topic, call)), () -> {
            Topic t = current(arn);
            int confirmed = 0;
            int pending = 0;
            for (Subscription subscription : directory.subscriptionsOf(arn)) {
                if (subscription.pending()) {
                    pending++;
                } else {
                    confirmed++;
                }
            }
            Map<String, String> values = new LinkedHashMap<>();
            values.put("Policy", t.attribute("Policy"));
            values.put("Owner", t.account());
            values.put("SubscriptionsPending", String.valueOf(pending));
            values.put("TopicArn", t.arn());
            values.put("EffectiveDeliveryPolicy", t.attribute("DeliveryPolicy") != null
                    ? t.attribute("DeliveryPolicy") : DEFAULT_DELIVERY_POLICY);
            values.put("SubscriptionsConfirmed", String.valueOf(confirmed));
            values.put("DisplayName", t.attributes().getOrDefault("DisplayName", ""));
            values.put("SubscriptionsDeleted", String.valueOf(t.deletedSubscriptions()));
            t.attributes().forEach(values::putIfAbsent);
            return Shape.of().put("Attributes", values);
        });
    }

    private PreparedCall setTopicAttributes(Call call, Input input) {
        String arn = checkedTopicArn(call, input.string("TopicArn"), "TopicArn");
        String name = input.string("AttributeName");
        String value = input.string("AttributeValue") == null ? "" : input.string("AttributeValue");
        Topic topic = directory.topic(arn).orElse(null);
        return PreparedCall.of(List.of(onTopic("SetTopicAttributes", arn, topic, call)), () -> {
            Topic t = current(arn);
            String checked = checkedTopicAttribute(name, value, arn, t.fifo());
            Map<String, String> all = new LinkedHashMap<>(t.attributes());
            if (checked.isEmpty()) {
                all.remove(name);
            } else {
                all.put(name, checked);
            }
            // A topic always has a policy: removing it brings back the default.
            all.putIfAbsent("Policy", defaultPolicy(arn));
            directory.put(t.withAttributes(all, parsedPolicy(all.get("Policy"), arn)));
            return null;
        });
    }

    private static ObjectNode policyDocument(Topic topic) {
        try {
            return (ObjectNode) JSON.readTree(topic.attribute("Policy"));
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("the policy of " + topic.arn() + " was checked when it was set", e);
        }
    }

    private static ArrayNode statements(ObjectNode document) {
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

    private PreparedCall addPermission(Call call, Input input) {
        String arn = checkedTopicArn(call, input.string("TopicArn"), "TopicArn");
        String label = input.string("Label");
        if (!LABEL.matcher(label).matches()) {
            throw invalid("Label");
        }
        List<String> accounts = input.listOrEmpty("AWSAccountId");
        List<String> actions = input.listOrEmpty("ActionName");
        if (accounts.isEmpty()) {
            throw invalid("AWSAccountId");
        }
        if (actions.isEmpty()) {
            throw invalid("ActionName");
        }
        for (String account : accounts) {
            if (!ACCOUNT.matcher(account).matches()) {
                throw invalid("AWSAccountId");
            }
        }
        for (String action : actions) {
            if (!SHAREABLE.contains(action)) {
                throw invalid("Policy statement action out of service scope!");
            }
        }
        Topic topic = directory.topic(arn).orElse(null);
        return PreparedCall.of(List.of(onTopic("AddPermission", arn, topic, call)), () -> {
            Topic t = current(arn);
            ObjectNode document = policyDocument(t);
            ArrayNode statements = statements(document);
            for (JsonNode statement : statements) {
                if (label.equals(statement.path("Sid").asText(null))) {
                    throw invalid("Statement already exists");
                }
            }
            ObjectNode statement = statements.addObject().put("Sid", label).put("Effect", "Allow");
            if (accounts.size() == 1) {
                statement.putObject("Principal").put("AWS", "arn:aws:iam::" + accounts.get(0) + ":root");
            } else {
                ArrayNode principals = statement.putObject("Principal").putArray("AWS");
                accounts.forEach(a -> principals.add("arn:aws:iam::" + a + ":root"));
            }
            if (actions.size() == 1) {
                statement.put("Action", "SNS:" + actions.get(0));
            } else {
                ArrayNode list = statement.putArray("Action");
                actions.forEach(a -> list.add("SNS:" + a));
            }
            statement.put("Resource", arn);
            Map<String, String> all = new LinkedHashMap<>(t.attributes());
            all.put("Policy", document.toString());
            directory.put(t.withAttributes(all, parsedPolicy(all.get("Policy"), arn)));
            return null;
        });
    }

    private PreparedCall removePermission(Call call, Input input) {
        String arn = checkedTopicArn(call, input.string("TopicArn"), "TopicArn");
        String label = input.string("Label");
        Topic topic = directory.topic(arn).orElse(null);
        return PreparedCall.of(List.of(onTopic("RemovePermission", arn, topic, call)), () -> {
            Topic t = current(arn);
            ObjectNode document = policyDocument(t);
            ArrayNode statements = statements(document);
            for (int i = statements.size() - 1; i >= 0; i--) {
                if (label.equals(statements.get(i).path("Sid").asText(null))) {
                    statements.remove(i);
                }
            }
            Map<String, String> all = new LinkedHashMap<>(t.attributes());
            all.put("Policy", document.toString());
            directory.put(t.withAttributes(all, parsedPolicy(all.get("Policy"), arn)));
            return null;
        });
    }

    private Topic taggable(String arn) {
        return directory.topic(arn).orElseThrow(() -> new AwsException("ResourceNotFound", 404,
                "Resource does not exist"));
    }

    private PreparedCall tagResource(Call call, Input input) {
        String arn = checkedTopicArn(call, input.string("ResourceArn"), "ResourceArn");
        Map<String, String> tags = checkedTags(input.listOrEmpty("Tags"));
        Topic topic = directory.topic(arn).orElse(null);
        RequestContext context = requestTags(tags, context(topic, call)).build();
        return PreparedCall.of(List.of(new AccessCheck("sns:TagResource", arn, accountOf(arn),
                topic == null ? null : topic.policy(), context)), () -> {
                    Topic t = taggable(arn);
                    Map<String, String> all = new LinkedHashMap<>(t.tags());
                    all.putAll(tags);
                    if (all.size() > MAX_TAGS) {
                        throw tagLimit();
                    }
                    directory.put(t.withTags(all));
                    return Shape.of();
                });
    }

    private PreparedCall untagResource(Call call, Input input) {
        String arn = checkedTopicArn(call, input.string("ResourceArn"), "ResourceArn");
        List<String> removed = input.listOrEmpty("TagKeys");
        Topic topic = directory.topic(arn).orElse(null);
        RequestContext.Builder context = context(topic, call);
        if (!removed.isEmpty()) {
            context.multi("aws:TagKeys", removed);
        }
        return PreparedCall.of(List.of(new AccessCheck("sns:UntagResource", arn, accountOf(arn),
                topic == null ? null : topic.policy(), context.build())), () -> {
                    Topic t = taggable(arn);
                    Map<String, String> all = new LinkedHashMap<>(t.tags());
                    removed.forEach(all::remove);
                    directory.put(t.withTags(all));
                    return Shape.of();
                });
    }

    private PreparedCall listTagsForResource(Call call, Input input) {
        String arn = checkedTopicArn(call, input.string("ResourceArn"), "ResourceArn");
        Topic topic = directory.topic(arn).orElse(null);
        return PreparedCall.of(List.of(onTopic("ListTagsForResource", arn, topic, call)), () -> {
            List<Shape> tags = new ArrayList<>();
            taggable(arn).tags().forEach((k, v) -> tags.add(Shape.of().put("Key", k).put("Value", v)));
            return Shape.of().put("Tags", tags);
        });
    }

    // ---- subscriptions ---------------------------------------------------------------------------------

    /**
     * A subscription attribute given to Subscribe or SetSubscriptionAttributes, checked; its value as kept.
     *
     * @param prefix how SNS's message begins (Subscribe names the Attributes parameter)
     * @param scope the filter policy scope the subscription will have
     */
    private static String checkedSubscriptionAttribute(String name, String value, String prefix, String scope) {
        if (!SUBSCRIPTION_ATTRIBUTES.contains(name)) {
            throw new AwsException("InvalidParameter", 400, prefix + "AttributeName");
        }
        if (value.isEmpty() && !name.equals("RawMessageDelivery") && !name.equals("FilterPolicyScope")) {
            return value;
        }
        switch (name) {
            case "RawMessageDelivery" -> {
                if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                    throw new AwsException("InvalidParameter", 400, prefix + "RawMessageDelivery: Invalid value ["
                            + value + "]. Must be true or false.");
                }
                return value.toLowerCase(Locale.ROOT);
            }
            case "FilterPolicyScope" -> {
                if (!value.equals(FilterPolicy.ATTRIBUTES) && !value.equals(FilterPolicy.BODY)) {
                    throw new AwsException("InvalidParameter", 400, prefix + "FilterPolicyScope: Invalid value ["
                            + value + "]. Please use either MessageBody or MessageAttributes");
                }
            }
            case "FilterPolicy" -> FilterPolicy.check(value, scope, prefix);
            case "RedrivePolicy" -> {
                JsonNode node;
                try {
                    node = JSON.readTree(value);
                } catch (IOException e) {
                    throw new AwsException("InvalidParameter", 400, prefix + "RedrivePolicy: failed to parse JSON.");
                }
                String target = node == null ? "" : node.path("deadLetterTargetArn").asText("");
                if (target.split(":", -1).length != 6 || !target.startsWith("arn:")) {
                    throw new AwsException("InvalidParameter", 400, prefix
                            + "RedrivePolicy: deadLetterTargetArn is an invalid arn");
                }
            }
            case "DeliveryPolicy" -> {
                try {
                    if (!JSON.readTree(value).isObject()) {
                        throw new IOException("not an object");
                    }
                } catch (IOException e) {
                    throw new AwsException("InvalidParameter", 400, prefix + "DeliveryPolicy: failed to parse JSON.");
                }
            }
            default -> {
                // SubscriptionRoleArn: kept for Firehose subscriptions, which crossrole does not deliver to
            }
        }
        return value;
    }

    /** An SQS endpoint's queue ARN, checked. */
    private static String queueArn(String endpoint) {
        String[] parts = endpoint == null ? new String[0] : endpoint.split(":", -1);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[2].equals("sqs") || !ACCOUNT.matcher(parts[4])
                .matches() || parts[5].isEmpty()) {
            throw invalid("SQS endpoint ARN");
        }
        return endpoint;
    }

    private PreparedCall subscribe(Call call, Input input) {
        String arn = checkedTopicArn(call, input.string("TopicArn"), "TopicArn");
        String protocol = input.string("Protocol");
        String endpoint = input.string("Endpoint");
        if (!protocol.equals("sqs") && !protocol.equals("http") && !protocol.equals("https")) {
            if (UNDELIVERABLE.contains(protocol)) {
                throw new AwsException("NotImplemented", 501, "crossrole does not deliver SNS notifications to the "
                        + protocol + " protocol yet");
            }
            throw invalid("Amazon SNS does not support this protocol string: " + protocol);
        }
        if (endpoint == null || endpoint.isEmpty()) {
            throw invalid("Endpoint");
        }
        if (protocol.equals("sqs")) {
            queueArn(endpoint);
        } else {
            if (!endpoint.startsWith(protocol + "://")) {
                throw invalid("Endpoint must match the specified protocol");
            }
            if (!HttpDelivery.loopback(endpoint)) {
                throw invalid("Endpoint Reason: crossrole delivers HTTP and HTTPS notifications only to loopback"
                        + " endpoints (127.0.0.1, ::1 or localhost), not to " + endpoint);
            }
        }
        Map<String, String> given = input.map("Attributes") == null ? Map.of() : input.map("Attributes");
        String prefix = "Invalid parameter: Attributes Reason: ";
        String scope = given.getOrDefault("FilterPolicyScope", FilterPolicy.ATTRIBUTES);
        Map<String, String> attributes = new LinkedHashMap<>();
        given.forEach((name, value) -> attributes.put(name, checkedSubscriptionAttribute(name,
                value == null ? "" : value, prefix, scope)));
        attributes.values().removeIf(String::isEmpty);
        boolean returnArn = input.bool("ReturnSubscriptionArn", false);
        Topic topic = directory.topic(arn).orElse(null);
        RequestContext.Builder context = context(topic, call).single("sns:Protocol", protocol)
                .single("sns:Endpoint", endpoint);
        AccessCheck check = new AccessCheck("sns:Subscribe", arn, accountOf(arn), topic == null ? null
                : topic.policy(), context.build());
        return PreparedCall.of(List.of(check), () -> {
            Topic t = current(arn);
            if (t.fifo() && !protocol.equals("sqs")) {
                // FIFO topics deliver to SQS queues only.
                throw invalid("Invalid protocol type: " + protocol);
            }
            if (protocol.equals("sqs") && endpoint.endsWith(".fifo") && !t.fifo()) {
                throw invalid("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard"
                        + " SNS topics");
            }
            for (Subscription existing : directory.subscriptionsOf(arn)) {
                if (existing.protocol().equals(protocol) && existing.endpoint().equals(endpoint)) {
                    for (Map.Entry<String, String> attribute : attributes.entrySet()) {
                        if (!attribute.getValue().equals(existing.attribute(attribute.getKey()))) {
                            throw invalid("Attributes Reason: Subscription already exists with different"
                                    + " attributes");
                        }
                    }
                    return Shape.of().put("SubscriptionArn", existing.pending() && !returnArn
                            ? "pending confirmation" : existing.arn());
                }
            }
            String subscriptionArn = arn + ":" + UUID.randomUUID();
            String caller = call.caller().account();
            // A queue is confirmed when its own account subscribes it; any other endpoint proves it wants the
            // notifications by confirming with the token it is sent.
            boolean confirmed = protocol.equals("sqs") && accountOf(endpoint).equals(caller);
            String token = confirmed ? null : newToken();
            Subscription subscription = new Subscription(subscriptionArn, arn, caller, call.caller().arn(), protocol,
                    endpoint, attributes, !confirmed, token, false);
            directory.put(subscription);
            if (!confirmed) {
                sendConfirmation(call, t, subscription);
            }
            return Shape.of().put("SubscriptionArn", confirmed || returnArn ? subscriptionArn
                    : "pending confirmation");
        });
    }

    private String newToken() {
        byte[] bytes = new byte[64];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private PreparedCall confirmSubscription(Call call, Input input) {
        String arn = input.string("TopicArn");
        try {
            checkedTopicArn(call, arn, "Topic");
        } catch (AwsException e) {
            throw invalid("Topic");
        }
        String token = input.string("Token");
        String authenticate = input.string("AuthenticateOnUnsubscribe");
        boolean authenticated = "true".equalsIgnoreCase(authenticate) && call.caller().account() != null;
        // The token is the proof: whoever received it may confirm, signed or not, as in SNS.
        return PreparedCall.of(List.of(), () -> Shape.of().put("SubscriptionArn", confirm(arn, token,
                authenticated)));
    }

    /** Confirms the subscription a token was sent for; answers its ARN. Call inside a store write. */
    private String confirm(String topicArn, String token, boolean authenticated) {
        current(topicArn);
        for (Subscription subscription : directory.subscriptionsOf(topicArn)) {
            if (token != null && token.equals(subscription.token())) {
                if (subscription.pending()) {
                    directory.put(subscription.confirmed(authenticated));
                }
                return subscription.arn();
            }
        }
        throw invalid("Token");
    }

    private PreparedCall unsubscribe(Call call, Input input) {
        String arn = input.string("SubscriptionArn");
        String topicArn = topicOfSubscription(call, arn);
        Subscription subscription = directory.subscription(arn).orElse(null);
        return PreparedCall.of(List.of(onSubscription("Unsubscribe", topicArn, subscription, call)), () -> {
            // Unsubscribing what is not (or no longer) subscribed does nothing, as in SNS.
            directory.subscription(arn).ifPresent(this::removeSubscription);
            return null;
        });
    }

    private void removeSubscription(Subscription subscription) {
        directory.remove(subscription);
        directory.topic(subscription.topicArn()).ifPresent(t -> directory.put(t.withSubscriptionDeleted()));
    }

    private static Shape listed(Subscription s) {
        return Shape.of().put("SubscriptionArn", s.pending() ? "PendingConfirmation" : s.arn())
                .put("Owner", s.owner()).put("Protocol", s.protocol()).put("Endpoint", s.endpoint())
                .put("TopicArn", s.topicArn());
    }

    private static Shape page(List<Subscription> all, String after) {
        List<Subscription> matching = all.stream().filter(s -> after == null || s.arn().compareTo(after) > 0)
                .toList();
        List<Shape> page = new ArrayList<>();
        matching.stream().limit(PAGE).forEach(s -> page.add(listed(s)));
        Shape out = Shape.of().put("Subscriptions", page);
        if (matching.size() > PAGE) {
            out.put("NextToken", nextToken(matching.get(PAGE - 1).arn()));
        }
        return out;
    }

    private PreparedCall listSubscriptions(Call call, Input input) {
        String after = after(input);
        return PreparedCall.of(List.of(AccessCheck.of("sns:ListSubscriptions", "*")), () ->
                page(directory.subscriptionsBy(call.caller().account(), call.region()), after));
    }

    private PreparedCall listSubscriptionsByTopic(Call call, Input input) {
        String arn = checkedTopicArn(call, input.string("TopicArn"), "TopicArn");
        String after = after(input);
        Topic topic = directory.topic(arn).orElse(null);
        return PreparedCall.of(List.of(onTopic("ListSubscriptionsByTopic", arn, topic, call)), () -> {
            current(arn);
            return page(directory.subscriptionsOf(arn), after);
        });
    }

    private PreparedCall getSubscriptionAttributes(Call call, Input input) {
        String arn = input.string("SubscriptionArn");
        String topicArn = topicOfSubscription(call, arn);
        Subscription subscription = directory.subscription(arn).orElse(null);
        return PreparedCall.of(List.of(onSubscription("GetSubscriptionAttributes", topicArn, subscription, call)),
                () -> {
                    Subscription s = directory.subscription(arn).orElseThrow(SnsService::subscriptionNotFound);
                    Map<String, String> values = new LinkedHashMap<>();
                    values.put("ConfirmationWasAuthenticated", String.valueOf(s.authenticated()));
                    values.put("Endpoint", s.endpoint());
                    values.put("Owner", s.owner());
                    values.put("PendingConfirmation", String.valueOf(s.pending()));
                    values.put("Protocol", s.protocol());
                    values.put("RawMessageDelivery", String.valueOf(s.raw()));
                    values.put("SubscriptionArn", s.arn());
                    if (s.principal() != null) {
                        values.put("SubscriptionPrincipal", s.principal());
                    }
                    values.put("TopicArn", s.topicArn());
                    if (s.protocol().startsWith("http")) {
                        values.put("EffectiveDeliveryPolicy", effectiveDeliveryPolicy(s));
                    }
                    s.attributes().forEach((name, value) -> {
                        if (!name.equals("RawMessageDelivery")) {
                            values.put(name, value);
                        }
                    });
                    if (s.attribute("FilterPolicy") != null) {
                        values.putIfAbsent("FilterPolicyScope", FilterPolicy.ATTRIBUTES);
                    } else {
                        values.remove("FilterPolicyScope");
                    }
                    return Shape.of().put("Attributes", values);
                });
    }

    private String effectiveDeliveryPolicy(Subscription s) {
        if (s.attribute("DeliveryPolicy") != null) {
            return s.attribute("DeliveryPolicy");
        }
        Topic topic = directory.topic(s.topicArn()).orElse(null);
        return topic != null && topic.attribute("DeliveryPolicy") != null ? topic.attribute("DeliveryPolicy")
                : DEFAULT_DELIVERY_POLICY;
    }

    private PreparedCall setSubscriptionAttributes(Call call, Input input) {
        String arn = input.string("SubscriptionArn");
        String topicArn = topicOfSubscription(call, arn);
        String name = input.string("AttributeName");
        String value = input.string("AttributeValue") == null ? "" : input.string("AttributeValue");
        Subscription subscription = directory.subscription(arn).orElse(null);
        return PreparedCall.of(List.of(onSubscription("SetSubscriptionAttributes", topicArn, subscription, call)),
                () -> {
                    Subscription s = directory.subscription(arn).orElseThrow(SnsService::subscriptionNotFound);
                    String scope = name.equals("FilterPolicyScope") ? value
                            : s.attributes().getOrDefault("FilterPolicyScope", FilterPolicy.ATTRIBUTES);
                    String checked = checkedSubscriptionAttribute(name, value, "Invalid parameter: ", scope);
                    if (name.equals("FilterPolicyScope") && s.attribute("FilterPolicy") != null) {
                        // The policy in place must make sense in its new scope.
                        FilterPolicy.check(s.attribute("FilterPolicy"), checked, "Invalid parameter: ");
                    }
                    Map<String, String> all = new LinkedHashMap<>(s.attributes());
                    if (checked.isEmpty()) {
                        all.remove(name);
                    } else {
                        all.put(name, checked);
                    }
                    directory.put(s.withAttributes(all));
                    return null;
                });
    }

    // ---- publishing --------------------------------------------------------------------------------------

    /** A message attribute as published: its data type and its string or binary value. */
    record Attribute(String dataType, String stringValue, byte[] binaryValue) {}

    /** A message checked as SNS checks it before looking at the topic. */
    record Outgoing(String message, String subject, Map<String, String> structured, Map<String, Attribute> attributes,
                    String groupId, String deduplicationId) {
        /** The message a protocol gets: its own entry of a JSON message structure, else the default. */
        String messageFor(String protocol) {
            if (structured == null) {
                return message;
            }
            return structured.getOrDefault(protocol, structured.get("default"));
        }
    }

    private static Outgoing outgoing(Input input) {
        String message = input.string("Message");
        if (message == null || message.isEmpty()) {
            throw invalid("Empty message");
        }
        String subject = input.string("Subject");
        if (subject != null && (subject.isEmpty() || subject.length() >= 100 || subject.chars()
                .anyMatch(c -> Character.isISOControl(c)))) {
            throw invalid("Subject");
        }
        Map<String, String> structured = null;
        String structure = input.string("MessageStructure");
        if (structure != null) {
            if (!structure.equals("json")) {
                throw invalid("MessageStructure");
            }
            JsonNode node;
            try {
                node = JSON.readTree(message);
            } catch (IOException e) {
                node = null;
            }
            if (node == null || !node.isObject()) {
                throw invalid("Message Structure - JSON message body failed to parse");
            }
            structured = new LinkedHashMap<>();
            for (var fields = node.fields(); fields.hasNext(); ) {
                var field = fields.next();
                // Entries whose values are not strings are ignored, as SNS ignores them.
                if (field.getValue().isTextual()) {
                    structured.put(field.getKey(), field.getValue().asText());
                }
            }
            if (!structured.containsKey("default")) {
                throw invalid("Message Structure - No default entry in JSON message body");
            }
        }
        Map<String, Attribute> attributes = attributes(input.map("MessageAttributes"));
        long size = message.getBytes(StandardCharsets.UTF_8).length;
        for (Map.Entry<String, Attribute> attribute : attributes.entrySet()) {
            Attribute a = attribute.getValue();
            size += attribute.getKey().getBytes(StandardCharsets.UTF_8).length
                    + a.dataType().getBytes(StandardCharsets.UTF_8).length + (a.binaryValue() != null
                    ? a.binaryValue().length : a.stringValue().getBytes(StandardCharsets.UTF_8).length);
        }
        if (size > MAX_MESSAGE_BYTES) {
            throw invalid("Message too long");
        }
        String groupId = input.string("MessageGroupId");
        if (groupId != null && !GROUP_ID.matcher(groupId).matches()) {
            throw invalid("MessageGroupId");
        }
        String deduplicationId = input.string("MessageDeduplicationId");
        if (deduplicationId != null && !GROUP_ID.matcher(deduplicationId).matches()) {
            throw invalid("MessageDeduplicationId");
        }
        return new Outgoing(message, subject, structured, attributes, groupId, deduplicationId);
    }

    /** Message attributes checked with SNS's rules and messages (its ParameterValueInvalid). */
    private static Map<String, Attribute> attributes(Map<String, Input> given) {
        Map<String, Attribute> attributes = new java.util.TreeMap<>();
        if (given == null) {
            return attributes;
        }
        for (Map.Entry<String, Input> entry : given.entrySet()) {
            String name = entry.getKey();
            Input value = entry.getValue();
            if (name.getBytes(StandardCharsets.UTF_8).length > 256) {
                throw invalidValue("Length of message attribute name must be less than 256 bytes.");
            }
            if (!ATTRIBUTE_NAME.matcher(name).matches()) {
                for (char c : name.toCharArray()) {
                    if (!Character.isLetterOrDigit(c) && c != '_' && c != '-' && c != '.' || c > 127) {
                        throw invalidValue("Invalid non-alphanumeric character '#x" + Integer.toHexString(c)
                                .toUpperCase(Locale.ROOT) + "' was found in the message attribute name. Can only"
                                + " include alphanumeric characters, hyphens, underscores, or dots.");
                    }
                }
            }
            if (name.startsWith(".")) {
                throw invalidValue("Invalid message attribute name starting with character '.' was found.");
            }
            if (name.endsWith(".")) {
                throw invalidValue("Invalid message attribute name ending with character '.' was found.");
            }
            if (name.contains("..")) {
                throw invalidValue("Message attribute name can not have successive '.' character.");
            }
            String type = value.string("DataType");
            String base = type.split("\\.", 2)[0];
            if (!base.equals("String") && !base.equals("Number") && !base.equals("Binary")) {
                throw invalidValue("The message attribute '" + name + "' has an invalid message attribute type, the"
                        + " set of supported type prefixes is Binary, Number, and String.");
            }
            String text = value.string("StringValue");
            byte[] binary = value.blob("BinaryValue");
            if (text == null && binary == null) {
                throw invalidValue("The message attribute '" + name + "' must contain non-empty message attribute"
                        + " value for message attribute type '" + type + "'.");
            }
            String field = base.equals("Binary") ? "Binary" : "String";
            if (base.equals("Binary") ? binary == null : text == null) {
                throw invalidValue("The message attribute '" + name + "' with type '" + type + "' must use field '"
                        + field + "'.");
            }
            if (base.equals("Binary") ? binary.length == 0 : text.isEmpty()) {
                throw invalidValue("The message attribute '" + name + "' must contain non-empty message attribute"
                        + " value for message attribute type '" + type + "'.");
            }
            if (base.equals("Number")) {
                try {
                    new java.math.BigDecimal(text.trim());
                } catch (NumberFormatException e) {
                    throw invalidValue("Could not cast message attribute '" + name + "' value to number.");
                }
            }
            if (type.startsWith("String.Array")) {
                try {
                    if (!JSON.readTree(text).isArray()) {
                        throw new IOException("not an array");
                    }
                } catch (IOException e) {
                    throw invalidValue("The message attribute '" + name + "' with type 'String.Array' has an"
                            + " invalid value: it must be a JSON array.");
                }
            }
            attributes.put(name, new Attribute(type, base.equals("Binary") ? null : text,
                    base.equals("Binary") ? binary : null));
        }
        return attributes;
    }

    /** The topic a Publish names: TopicArn, or TargetArn when that is a topic's. */
    private static String publishTarget(Call call, Input input) {
        String topic = input.string("TopicArn");
        String target = input.string("TargetArn");
        if (input.string("PhoneNumber") != null) {
            throw new AwsException("NotImplemented", 501, "crossrole does not send SMS messages (Publish with"
                    + " PhoneNumber) yet");
        }
        if (topic == null && target == null) {
            throw invalid("TopicArn or TargetArn Reason: no value for required parameter");
        }
        if (topic != null && target != null) {
            throw invalid("TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified");
        }
        if (target != null && target.contains(":endpoint/")) {
            throw invalid("TargetArn Reason: No endpoint found for the target arn specified");
        }
        return topic != null ? checkedTopicArn(call, topic, "TopicArn") : checkedTopicArn(call, target, "TargetArn");
    }

    /** The KMS permissions a publisher needs on an encrypted topic, asked through SNS; none on other topics. */
    private void requireKms(Topic topic, Call call, PreparedCall.Permissions permissions) {
        String keyId = topic.attribute("KmsMasterKeyId");
        if (keyId == null) {
            return;
        }
        KmsKeys.KeyReference key = keyId.equals("alias/aws/sns")
                ? keys.managedKey(topic.account(), topic.region(), "sns")
                : keys.find(topic.account(), topic.region(), keyId).orElseThrow(() -> new AwsException("KMSNotFound",
                        400, "Invalid keyId " + keyId));
        for (String action : List.of("kms:GenerateDataKey", "kms:Decrypt")) {
            AccessCheck check = keys.viaService(action, key, call.caller().account(), "sns", topic.region(),
                    Map.of("aws:sns:topicArn", topic.arn()), null);
            if (!permissions.allows(check)) {
                throw new AwsException("KMSAccessDenied", 400, "User: " + call.caller().arn() + " is not authorized"
                        + " to perform: " + action + " on resource: " + key.arn());
            }
        }
    }

    private PreparedCall publish(Call call, Input input) {
        String arn = publishTarget(call, input);
        Outgoing message = outgoing(input);
        Topic topic = directory.topic(arn).orElse(null);
        return PreparedCall.withPermissions(List.of(onTopic("Publish", arn, topic, call)), permissions -> {
            Topic t = current(arn);
            requireKms(t, call, permissions);
            return publishTo(call, t, message);
        });
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(
                    StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Publishes a checked message to a topic and delivers it; answers its MessageId (and SequenceNumber). */
    private Shape publishTo(Call call, Topic topic, Outgoing message) {
        String deduplicationId = message.deduplicationId();
        String sequenceNumber = null;
        if (topic.fifo()) {
            if (message.groupId() == null) {
                throw invalid("The MessageGroupId parameter is required for FIFO topics");
            }
            if (deduplicationId == null) {
                if (!"true".equals(topic.attribute("ContentBasedDeduplication"))) {
                    throw invalid("The topic should either have ContentBasedDeduplication enabled or"
                            + " MessageDeduplicationId provided explicitly");
                }
                deduplicationId = sha256(message.message());
            }
            String key = topic.arn() + "|" + ("MessageGroup".equals(topic.attribute("FifoThroughputScope"))
                    ? message.groupId() + "|" : "") + deduplicationId;
            long now = directory.clock().millis();
            TopicDirectory.Published earlier = directory.published(key).orElse(null);
            if (earlier != null && earlier.at() + 300_000 > now) {
                // Accepted, not delivered again: the same answer as the first publish within five minutes.
                return Shape.of().put("MessageId", earlier.messageId()).put("SequenceNumber",
                        earlier.sequenceNumber());
            }
            Topic next = topic.withSequence(topic.sequence() + 1);
            directory.put(next);
            topic = next;
            sequenceNumber = String.format("%020d", 10_000_000_000_000_000L + next.sequence());
            String messageId = UUID.randomUUID().toString();
            directory.remember(key, new TopicDirectory.Published(messageId, sequenceNumber, now));
            deliver(call, topic, message, messageId, sequenceNumber, deduplicationId);
            return Shape.of().put("MessageId", messageId).put("SequenceNumber", sequenceNumber);
        }
        if (deduplicationId != null) {
            throw invalid("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that"
                    + " is not valid for this topic type");
        }
        String messageId = UUID.randomUUID().toString();
        deliver(call, topic, message, messageId, null, null);
        return Shape.of().put("MessageId", messageId);
    }

    private PreparedCall publishBatch(Call call, Input input) {
        String arn = checkedTopicArn(call, input.string("TopicArn"), "TopicArn");
        List<Input> entries = input.listOrEmpty("PublishBatchRequestEntries");
        if (entries.isEmpty()) {
            throw new AwsException("EmptyBatchRequest", 400, "The batch request doesn't contain any entries.");
        }
        if (entries.size() > 10) {
            throw new AwsException("TooManyEntriesInBatchRequest", 400, "The batch request contains more entries than"
                    + " permissible.");
        }
        Set<String> ids = new HashSet<>();
        long total = 0;
        for (Input entry : entries) {
            if (!BATCH_ID.matcher(entry.string("Id")).matches()) {
                throw new AwsException("InvalidBatchEntryId", 400, "The Id of a batch entry in a batch request"
                        + " doesn't abide by the specification.");
            }
            if (!ids.add(entry.string("Id"))) {
                throw new AwsException("BatchEntryIdsNotDistinct", 400, "Two or more batch entries in the request"
                        + " have the same Id.");
            }
            total += entry.string("Message") == null ? 0 : entry.string("Message").getBytes(StandardCharsets.UTF_8)
                    .length;
        }
        if (total > MAX_MESSAGE_BYTES) {
            throw new AwsException("BatchRequestTooLong", 400, "The length of all the messages put together is more"
                    + " than the limit.");
        }
        Topic topic = directory.topic(arn).orElse(null);
        return PreparedCall.withPermissions(List.of(onTopic("Publish", arn, topic, call)), permissions -> {
            Topic t = current(arn);
            requireKms(t, call, permissions);
            List<Shape> successful = new ArrayList<>();
            List<Shape> failed = new ArrayList<>();
            for (Input entry : entries) {
                try {
                    Shape result = publishTo(call, current(arn), outgoing(entry));
                    Shape answer = Shape.of().put("Id", entry.string("Id"));
                    result.members().forEach(answer::put);
                    successful.add(answer);
                } catch (AwsException e) {
                    failed.add(Shape.of().put("Id", entry.string("Id")).put("Code", e.code())
                            .put("Message", e.getMessage()).put("SenderFault", e.senderFault()));
                }
            }
            return Shape.of().put("Successful", successful).put("Failed", failed);
        });
    }

    // ---- delivery ----------------------------------------------------------------------------------------

    /** Where crossrole answers the links it puts in envelopes: the host the client reached it by. */
    private static String base(Call call) {
        String host = call.info().host() == null ? "localhost" : call.info().host();
        return (call.info().secureTransport() ? "https" : "http") + "://" + host;
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Whether a subscription's filter policy lets a message through. */
    private static boolean passes(Subscription subscription, Outgoing message) {
        String text = subscription.attribute("FilterPolicy");
        if (text == null) {
            return true;
        }
        JsonNode policy;
        try {
            policy = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("a filter policy is checked when it is set", e);
        }
        if (FilterPolicy.BODY.equals(subscription.attribute("FilterPolicyScope"))) {
            return FilterPolicy.matchesBody(policy, message.messageFor(subscription.protocol()));
        }
        Map<String, FilterPolicy.Attribute> attributes = new LinkedHashMap<>();
        message.attributes().forEach((name, a) -> attributes.put(name, new FilterPolicy.Attribute(a.dataType(),
                a.stringValue())));
        return FilterPolicy.matchesAttributes(policy, attributes);
    }

    /** Delivers a message to every confirmed subscription of the topic whose filter lets it through. */
    private void deliver(Call call, Topic topic, Outgoing message, String messageId, String sequenceNumber,
                         String deduplicationId) {
        String timestamp = TIMESTAMP.format(directory.clock().instant());
        for (Subscription subscription : directory.subscriptionsOf(topic.arn())) {
            if (subscription.pending() || !passes(subscription, message)) {
                continue;
            }
            String text = message.messageFor(subscription.protocol());
            String body = subscription.raw() ? text : envelope(call, topic, subscription, message, text, messageId,
                    sequenceNumber, timestamp);
            if (subscription.protocol().equals("sqs")) {
                Map<String, QueueDelivery.MessageAttributeValue> attributes = new LinkedHashMap<>();
                if (subscription.raw()) {
                    message.attributes().forEach((name, a) -> attributes.put(name,
                            new QueueDelivery.MessageAttributeValue(a.dataType(), a.stringValue(), a.binaryValue())));
                }
                boolean fifoQueue = subscription.endpoint().endsWith(".fifo");
                toQueue(topic, subscription, messageId, body, attributes, fifoQueue ? message.groupId() : null,
                        fifoQueue ? deduplicationId : null);
            } else {
                Map<String, String> headers = headers("Notification", messageId, topic.arn(), subscription);
                http.post(subscription.endpoint(), headers, body, retries(topic, subscription));
            }
        }
    }

    private static Map<String, String> headers(String type, String messageId, String topicArn,
                                               Subscription subscription) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amz-sns-message-type", type);
        headers.put("x-amz-sns-message-id", messageId);
        headers.put("x-amz-sns-topic-arn", topicArn);
        if (!type.equals("SubscriptionConfirmation")) {
            headers.put("x-amz-sns-subscription-arn", subscription.arn());
        }
        if (subscription.raw() && type.equals("Notification")) {
            headers.put("x-amz-sns-rawdelivery", "true");
        }
        headers.put("Content-Type", "text/plain; charset=UTF-8");
        headers.put("User-Agent", "Amazon Simple Notification Service Agent");
        return headers;
    }

    /** The retries of an HTTP delivery: the subscription's or topic's delivery policy, else SNS's defaults. */
    private HttpDelivery.Retries retries(Topic topic, Subscription subscription) {
        String text = subscription == null ? null : effectiveDeliveryPolicy(subscription);
        if (text == null) {
            text = topic.attribute("DeliveryPolicy");
        }
        if (text == null) {
            return HttpDelivery.Retries.DEFAULT;
        }
        try {
            JsonNode node = JSON.readTree(text);
            JsonNode retry = node.has("healthyRetryPolicy") ? node.get("healthyRetryPolicy")
                    : node.path("http").path("defaultHealthyRetryPolicy");
            int retries = Math.min(100, Math.max(0, retry.path("numRetries").asInt(3)));
            long delay = Math.min(3600, Math.max(1, retry.path("minDelayTarget").asLong(20))) * 1000L;
            return new HttpDelivery.Retries(retries, delay);
        } catch (IOException e) {
            return HttpDelivery.Retries.DEFAULT;
        }
    }

    // ---- publishing by other services ---------------------------------------------------------------

    /** How another service inside crossrole (S3's event notifications) publishes to a topic. */
    @FunctionalInterface
    public interface ServicePublisher {
        /**
         * Publishes {@code message} to the topic as {@code servicePrincipal} for {@code sourceArn} of
         * {@code sourceAccount}: allowed only by the topic's policy (with {@code aws:SourceArn} and
         * {@code aws:SourceAccount}), and on an encrypted topic by the key's policy.
         *
         * @return {@code null} when published, else SNS's error code and message
         */
        String publish(String topicArn, String servicePrincipal, String sourceArn, String sourceAccount,
                       String subject, String message);
    }

    /**
     * The publisher other services use, each publish one store transaction, decided by {@code authorizer} as the
     * service principal; {@code host} is where the envelopes' links point (the server's address).
     */
    public ServicePublisher publisher(dev.crossrole.server.authz.Authorizer authorizer, Supplier<String> host) {
        return (topicArn, servicePrincipal, sourceArn, sourceAccount, subject, message) -> sync.write(tx -> {
            Topic topic = directory.topic(topicArn).orElse(null);
            if (topic == null) {
                return "NotFound: Topic does not exist";
            }
            if (topic.fifo()) {
                // S3 sends its event notifications to standard topics only.
                return "InvalidParameter: " + servicePrincipal + " does not publish to FIFO topics";
            }
            dev.crossrole.server.service.Caller service = new dev.crossrole.server.service.Caller(
                    new dev.crossrole.policy.Principal.ServicePrincipal(servicePrincipal), null, null);
            dev.crossrole.server.service.RequestInfo info = new dev.crossrole.server.service.RequestInfo(null, false,
                    topic.region(), servicePrincipal, directory.clock().instant(), host.get());
            RequestContext.Builder context = RequestContext.builder();
            topic.tags().forEach((k, v) -> context.single("aws:ResourceTag/" + k, v));
            if (sourceArn != null) {
                context.single("aws:SourceArn", sourceArn);
            }
            if (sourceAccount != null) {
                context.single("aws:SourceAccount", sourceAccount);
            }
            AccessCheck publish = new AccessCheck("sns:Publish", topic.arn(), topic.account(), topic.policy(),
                    context.build());
            dev.crossrole.policy.Decision decision = authorizer.decide(service, publish, info);
            if (!decision.allowed()) {
                String id = refused.record(servicePrincipal, topic.arn(), decision, "AuthorizationError",
                        decision.toString());
                return "AuthorizationError: the topic's policy does not let " + servicePrincipal + " publish"
                        + (id == null ? "" : " (crossrole why " + id + ")");
            }
            String keyId = topic.attribute("KmsMasterKeyId");
            if (keyId != null) {
                KmsKeys.KeyReference key = keyId.equals("alias/aws/sns")
                        ? keys.managedKey(topic.account(), topic.region(), "sns")
                        : keys.find(topic.account(), topic.region(), keyId).orElse(null);
                if (key == null) {
                    return "KMSNotFound: Invalid keyId " + keyId;
                }
                for (String action : List.of("kms:GenerateDataKey", "kms:Decrypt")) {
                    AccessCheck check = keys.viaService(action, key, null, "sns", topic.region(),
                            Map.of("aws:sns:topicArn", topic.arn()), null);
                    if (!authorizer.decide(service, check, info).allowed()) {
                        return "KMSAccessDenied: the key's policy does not let " + servicePrincipal + " use it";
                    }
                }
            }
            Call call = new Call(UUID.randomUUID().toString(), service, info);
            publishTo(call, topic, new Outgoing(message, subject, null, Map.of(), null, null));
            return null;
        });
    }

    /** Sends to a queue through SQS's service delivery; a refusal is logged with the engine's reason. */
    private void toQueue(Topic topic, Subscription subscription, String messageId, String body,
                         Map<String, QueueDelivery.MessageAttributeValue> attributes, String groupId, String dedupId) {
        QueueDelivery delivery = queues.get();
        if (delivery == null) {
            LOG.warning("SNS: no SQS delivery to send " + messageId + " to " + subscription.endpoint());
            return;
        }
        QueueDelivery.DeliveryResult result = delivery.deliver(subscription.endpoint(), SERVICE_PRINCIPAL,
                topic.arn(), topic.account(), body, attributes, groupId, dedupId);
        if (!result.delivered()) {
            String id = result.denial() == null ? null : refused.record(SERVICE_PRINCIPAL, subscription.endpoint(),
                    result.denial(), result.errorCode(), result.errorMessage());
            LOG.warning("SNS: message " + messageId + " of " + topic.arn() + " was not delivered to "
                    + subscription.endpoint() + " (subscription " + subscription.arn() + "): " + result.errorCode()
                    + ": " + result.errorMessage() + (id == null ? "" : " (crossrole why " + id + ")"));
        }
    }

    /** The JSON envelope of a notification, signed, as SNS delivers it unless raw delivery is on. */
    private String envelope(Call call, Topic topic, Subscription subscription, Outgoing message, String text,
                            String messageId, String sequenceNumber, String timestamp) {
        String version = topic.attributes().getOrDefault("SignatureVersion", "1");
        StringBuilder signed = new StringBuilder().append("Message\n").append(text).append("\nMessageId\n")
                .append(messageId).append('\n');
        if (message.subject() != null) {
            signed.append("Subject\n").append(message.subject()).append('\n');
        }
        signed.append("Timestamp\n").append(timestamp).append("\nTopicArn\n").append(topic.arn())
                .append("\nType\nNotification\n");
        ObjectNode envelope = JSON.createObjectNode().put("Type", "Notification").put("MessageId", messageId);
        if (sequenceNumber != null) {
            envelope.put("SequenceNumber", sequenceNumber);
        }
        envelope.put("TopicArn", topic.arn());
        if (message.subject() != null) {
            envelope.put("Subject", message.subject());
        }
        envelope.put("Message", text).put("Timestamp", timestamp).put("SignatureVersion", version)
                .put("Signature", signer.sign(signed.toString(), version))
                .put("SigningCertURL", base(call) + "/_sns/" + signer.certificateName())
                .put("UnsubscribeURL", base(call) + "/_sns/unsubscribe?SubscriptionArn="
                        + encoded(subscription.arn()));
        if (!message.attributes().isEmpty()) {
            ObjectNode attributes = envelope.putObject("MessageAttributes");
            message.attributes().forEach((name, a) -> attributes.putObject(name).put("Type", a.dataType())
                    .put("Value", a.binaryValue() != null ? Base64.getEncoder().encodeToString(a.binaryValue())
                            : a.stringValue()));
        }
        return envelope.toString();
    }

    /** Sends a subscription's endpoint the SubscriptionConfirmation with its token and SubscribeURL. */
    private void sendConfirmation(Call call, Topic topic, Subscription subscription) {
        String messageId = UUID.randomUUID().toString();
        String timestamp = TIMESTAMP.format(directory.clock().instant());
        String version = topic.attributes().getOrDefault("SignatureVersion", "1");
        String text = "You have chosen to subscribe to the topic " + topic.arn() + ".\nTo confirm the subscription,"
                + " visit the SubscribeURL included in this message.";
        String subscribeUrl = base(call) + "/_sns/confirm?TopicArn=" + encoded(topic.arn()) + "&Token="
                + subscription.token();
        String signed = "Message\n" + text + "\nMessageId\n" + messageId + "\nSubscribeURL\n" + subscribeUrl
                + "\nTimestamp\n" + timestamp + "\nToken\n" + subscription.token() + "\nTopicArn\n" + topic.arn()
                + "\nType\nSubscriptionConfirmation\n";
        ObjectNode envelope = JSON.createObjectNode().put("Type", "SubscriptionConfirmation")
                .put("MessageId", messageId).put("Token", subscription.token()).put("TopicArn", topic.arn())
                .put("Message", text).put("SubscribeURL", subscribeUrl).put("Timestamp", timestamp)
                .put("SignatureVersion", version).put("Signature", signer.sign(signed, version))
                .put("SigningCertURL", base(call) + "/_sns/" + signer.certificateName());
        if (subscription.protocol().equals("sqs")) {
            toQueue(topic, subscription, messageId, envelope.toString(), Map.of(), null, null);
        } else {
            http.post(subscription.endpoint(), headers("SubscriptionConfirmation", messageId, topic.arn(),
                    subscription), envelope.toString(), retries(topic, subscription));
        }
    }

    // ---- the links in envelopes ------------------------------------------------------------------------

    /** What crossrole answers one of SNS's links: status, content type, body. */
    public record LinkAnswer(int status, String contentType, String body) {}

    /**
     * Answers the links notifications carry, under {@code /_sns/}: the signing certificate, the SubscribeURL (a plain
     * GET confirms, as SNS's does) and the UnsubscribeURL (refused for a subscription confirmed with
     * AuthenticateOnUnsubscribe, which needs a signed Unsubscribe); {@code null} for any other path.
     */
    public LinkAnswer answerLink(String method, String path, Map<String, String> query) {
        if (!path.startsWith("/_sns/")) {
            return null;
        }
        if (!"GET".equals(method)) {
            return new LinkAnswer(405, "text/plain", "GET only\n");
        }
        // The key or subscription may have been made through another node sharing the store.
        sync.refresh();
        String name = path.substring("/_sns/".length());
        if (name.startsWith("SimpleNotificationService-") && name.endsWith(".pem")) {
            String pem = signer.certificatePem(name);
            return pem == null ? new LinkAnswer(404, "text/plain", "no such certificate\n")
                    : new LinkAnswer(200, "application/x-pem-file", pem);
        }
        try {
            if (name.equals("confirm")) {
                String topicArn = query.get("TopicArn");
                if (topicArn == null || topicArn.split(":", -1).length != 6) {
                    throw invalid("Topic");
                }
                String arn = sync.write(tx -> confirm(topicArn, query.get("Token"), false));
                return new LinkAnswer(200, "text/xml", "<ConfirmSubscriptionResponse xmlns=\"https://sns.amazonaws"
                        + ".com/doc/2010-03-31/\"><ConfirmSubscriptionResult><SubscriptionArn>" + xml(arn)
                        + "</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>");
            }
            if (name.equals("unsubscribe")) {
                String arn = query.get("SubscriptionArn");
                sync.write(tx -> {
                    Subscription subscription = arn == null ? null : directory.subscription(arn).orElse(null);
                    if (subscription != null && subscription.authenticated()) {
                        throw new AwsException("AuthorizationError", 403, "Unsubscribing " + arn + " needs a signed"
                                + " request: it was confirmed with AuthenticateOnUnsubscribe");
                    }
                    if (subscription != null) {
                        removeSubscription(subscription);
                    }
                    return null;
                });
                return new LinkAnswer(200, "text/xml", "<UnsubscribeResponse xmlns=\"https://sns.amazonaws.com/doc/"
                        + "2010-03-31/\"><ResponseMetadata><RequestId>" + UUID.randomUUID()
                        + "</RequestId></ResponseMetadata></UnsubscribeResponse>");
            }
        } catch (AwsException e) {
            return new LinkAnswer(e.httpStatus(), "text/xml", "<ErrorResponse xmlns=\"https://sns.amazonaws.com/doc/"
                    + "2010-03-31/\"><Error><Type>Sender</Type><Code>" + xml(e.code()) + "</Code><Message>"
                    + xml(e.getMessage()) + "</Message></Error></ErrorResponse>");
        }
        return new LinkAnswer(404, "text/plain", "not found\n");
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
