package dev.crossrole.server.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A bucket's server access logging, website and event notification configurations: PutBucketLogging and
 * GetBucketLogging ({@code s3:PutBucketLogging}, {@code s3:GetBucketLogging}), PutBucketWebsite, GetBucketWebsite and
 * DeleteBucketWebsite ({@code s3:PutBucketWebsite}, {@code s3:GetBucketWebsite}, {@code s3:DeleteBucketWebsite}),
 * PutBucketNotificationConfiguration and GetBucketNotificationConfiguration ({@code s3:PutBucketNotification},
 * {@code s3:GetBucketNotification}), as the Service Authorization Reference gives them.
 *
 * <p>Each is validated as S3 validates it and kept as put; crossrole stores them and answers with them, but delivers
 * no access log records, serves no website endpoint and sends no event notifications.
 */
final class BucketConfigs {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The service principal S3 server access logging writes as. */
    static final String LOGGING_SERVICE = "logging.s3.amazonaws.com";
    /** S3's limit on a website configuration's routing rules (user guide, "Configuring redirects"). */
    static final int MAX_ROUTING_RULES = 50;

    private BucketConfigs() {}

    /**
     * A configuration as put: the model's members by name, as plain strings, lists and maps, kept in the order sent
     * and answered the same way.
     */
    public record Document(Map<String, Object> members) {
        public Document {
            members = members == null ? Map.of() : members;
        }

        static Document of(Input input) {
            return new Document(plain(input));
        }

        Shape toShape() {
            return shape(members);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> struct(String member) {
            return members.get(member) instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
        }
    }

    private static Map<String, Object> plain(Input input) {
        Map<String, Object> out = new LinkedHashMap<>();
        input.values().forEach((name, value) -> out.put(name, plainValue(value)));
        return out;
    }

    private static Object plainValue(Object value) {
        if (value instanceof Input nested) {
            return plain(nested);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(item -> out.add(plainValue(item)));
            return out;
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Shape shape(Map<String, Object> members) {
        Shape shape = Shape.of();
        members.forEach((name, value) -> shape.put(name, shapeValue(value)));
        return shape;
    }

    @SuppressWarnings("unchecked")
    private static Object shapeValue(Object value) {
        if (value instanceof Map<?, ?> map) {
            return shape((Map<String, Object>) map);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(BucketConfigs::shapeValue).toList();
        }
        return value;
    }

    // ---- logging ------------------------------------------------------------------------------

    /**
     * PutBucketLogging: without {@code LoggingEnabled} logging is turned off; with it, the target bucket must exist,
     * be in the same region, be owned by the same account, and let the logging service write to it — by a bucket
     * policy allowing {@code logging.s3.amazonaws.com} {@code s3:PutObject}, or (where the target's ACLs are enabled)
     * by the LogDelivery group's WRITE and READ_ACP grants. Each refusal is S3's 400 InvalidTargetBucketForLogging
     * naming the TargetBucket. Its grants are checked as an ACL's (S3: MalformedXML for an unknown permission).
     */
    static S3Call putLogging(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketLogging", bucket, RequestContext.empty()), findings -> {
            Input status = input.document();
            if (status == null) {
                throw S3Exception.malformedXml();
            }
            Input enabled = status.struct("LoggingEnabled");
            Document logging = null;
            if (enabled != null) {
                String target = enabled.string("TargetBucket");
                if (target == null || enabled.string("TargetPrefix") == null) {
                    throw S3Exception.malformedXml();
                }
                for (Input grant : enabled.<Input>listOrEmpty("TargetGrants")) {
                    Input grantee = grant.struct("Grantee");
                    String permission = grant.string("Permission");
                    if (grantee == null || !Set.of("FULL_CONTROL", "READ", "WRITE").contains(permission)) {
                        throw S3Exception.malformedXml();
                    }
                    if (grantee.string("ID") != null) {
                        AclGrant.checkId(grantee.string("ID"));
                    } else if (grantee.string("URI") != null) {
                        AclGrant.checkUri(grantee.string("URI"));
                    } else if (grantee.string("EmailAddress") != null) {
                        throw AclGrant.unresolvable(grantee.string("EmailAddress"));
                    } else {
                        throw S3Exception.malformedXml();
                    }
                }
                Bucket targetBucket = repository.bucket(target).orElseThrow(() -> invalidTarget(target,
                        "The target bucket for logging does not exist"));
                if (!targetBucket.owner().equals(bucket.owner())) {
                    // S3's words, as quoted in zalando-stups/sevenseconds#29 and scality/cloudserver#6015
                    throw invalidTarget(target, "The owner for the bucket to be logged and the target bucket must be"
                            + " the same.");
                }
                if (!targetBucket.region().equals(bucket.region())) {
                    // S3's exact words for a target in another region were not found; these say what is refused.
                    throw invalidTarget(target, "The target bucket for logging must be in the same region as the"
                            + " bucket to be logged.");
                }
                if (!logDeliveryAllowed(targetBucket)) {
                    // S3's classic words for the ACL grants; it names the bucket policy way as well since ACLs can
                    // be disabled (its exact newer wording was not found).
                    throw invalidTarget(target, "You must give the log-delivery group WRITE and READ_ACP permissions"
                            + " to the target bucket, or allow " + LOGGING_SERVICE + " s3:PutObject in its bucket"
                            + " policy");
                }
                logging = Document.of(enabled);
            }
            Document put = logging;
            repository.updateBucket(bucket.name(), current -> current.withLogging(put));
            return input.respond(Shape.of());
        });
    }

    private static S3Exception invalidTarget(String target, String message) {
        return new S3Exception("InvalidTargetBucketForLogging", 400, message).with("TargetBucket", target);
    }

    /** Whether the logging service may write to {@code target}: its ACL's LogDelivery grants or its bucket policy. */
    static boolean logDeliveryAllowed(Bucket target) {
        if (target.aclsEnabled()) {
            boolean write = false;
            boolean readAcp = false;
            for (AclGrant grant : target.acl()) {
                if (AclGrant.LOG_DELIVERY.equals(grant.uri())) {
                    write |= grant.permission().equals("WRITE") || grant.permission().equals("FULL_CONTROL");
                    readAcp |= grant.permission().equals("READ_ACP") || grant.permission().equals("FULL_CONTROL");
                }
            }
            if (write && readAcp) {
                return true;
            }
        }
        return target.policyText() != null && policyAllowsLogging(target.policyText());
    }

    /**
     * Whether a bucket policy has an Allow statement for the logging service principal with {@code s3:PutObject}
     * (or a wildcard covering it). Its conditions (the source account or bucket) are the owner's to choose.
     */
    static boolean policyAllowsLogging(String policyText) {
        try {
            JsonNode statements = JSON.readTree(policyText).path("Statement");
            for (JsonNode statement : statements.isArray() ? statements : JSON.createArrayNode().add(statements)) {
                if (!"Allow".equals(statement.path("Effect").asText())
                        || !values(statement.path("Principal").path("Service")).contains(LOGGING_SERVICE)) {
                    continue;
                }
                for (String action : values(statement.path("Action"))) {
                    if (S3Service.Glob.matches(action.toLowerCase(java.util.Locale.ROOT), "s3:putobject")) {
                        return true;
                    }
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static List<String> values(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        } else if (node.isArray()) {
            node.forEach(item -> out.add(item.asText()));
        }
        return out;
    }

    /** GetBucketLogging: the configuration, or an empty status when logging is off. */
    static S3Call getLogging(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetBucketLogging", bucket, RequestContext.empty()),
                findings -> input.respond(Shape.of().put("LoggingEnabled",
                        bucket.logging() == null ? null : bucket.logging().toShape())));
    }

    // ---- website ------------------------------------------------------------------------------

    /**
     * PutBucketWebsite, validated as the API reference describes the configuration: either RedirectAllRequestsTo
     * alone, or an IndexDocument (whose Suffix is not empty and has no slash) with an optional ErrorDocument and up to
     * 50 routing rules, each with a Redirect; redirect codes are 3XX, error codes 4XX or 5XX, protocols http or
     * https, and a Redirect replaces the key or its prefix, not both. Refusals are S3's 400 InvalidArgument; where
     * S3's exact message could not be found, the message says what is refused.
     */
    static S3Call putWebsite(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketWebsite", bucket, RequestContext.empty()), findings -> {
            Input website = input.document();
            if (website == null) {
                throw S3Exception.malformedXml();
            }
            Input redirectAll = website.struct("RedirectAllRequestsTo");
            List<Input> rules = website.listOrEmpty("RoutingRules");
            if (redirectAll != null) {
                if (website.has("IndexDocument") || website.has("ErrorDocument") || website.has("RoutingRules")) {
                    throw invalidWebsite("RedirectAllRequestsTo cannot be provided in conjunction with other Routing"
                            + " Rules.", "RedirectAllRequestsTo");
                }
                if (redirectAll.string("HostName") == null || redirectAll.string("HostName").isEmpty()) {
                    throw S3Exception.malformedXml();
                }
                checkProtocol(redirectAll.string("Protocol"));
            } else {
                Input index = website.struct("IndexDocument");
                if (index == null) {
                    throw invalidWebsite("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo"
                            + " is empty", "IndexDocument");
                }
                String suffix = index.string("Suffix");
                if (suffix == null || suffix.isEmpty() || suffix.contains("/")) {
                    throw invalidWebsite("The IndexDocument Suffix is not well formed", "IndexDocument");
                }
                Input error = website.struct("ErrorDocument");
                if (error != null && (error.string("Key") == null || error.string("Key").isEmpty())) {
                    throw invalidWebsite("The ErrorDocument Key is not well formed", "ErrorDocument");
                }
                if (rules.size() > MAX_ROUTING_RULES) {
                    throw invalidWebsite("The number of routing rules must not exceed the allowed limit of "
                            + MAX_ROUTING_RULES, "RoutingRules");
                }
                for (Input rule : rules) {
                    checkRule(rule);
                }
            }
            Document put = Document.of(website);
            repository.updateBucket(bucket.name(), current -> current.withWebsite(put));
            return input.respond(Shape.of());
        });
    }

    private static void checkRule(Input rule) {
        Input redirect = rule.struct("Redirect");
        if (redirect == null) {
            throw S3Exception.malformedXml();
        }
        if (redirect.string("ReplaceKeyWith") != null && redirect.string("ReplaceKeyPrefixWith") != null) {
            throw invalidWebsite("You can only define ReplaceKeyPrefix or ReplaceKey but not both.", "Redirect");
        }
        checkProtocol(redirect.string("Protocol"));
        String code = redirect.string("HttpRedirectCode");
        if (code != null && !(code.matches("3\\d\\d") && !code.equals("300"))) {
            throw invalidWebsite("The provided HTTP redirect code (" + code + ") is not valid. Valid codes are 3XX"
                    + " except 300.", "HttpRedirectCode");
        }
        Input condition = rule.struct("Condition");
        if (condition != null) {
            String error = condition.string("HttpErrorCodeReturnedEquals");
            if (error != null && !error.matches("[45]\\d\\d")) {
                throw invalidWebsite("The provided HTTP error code (" + error + ") is not valid. Valid codes are 4XX"
                        + " or 5XX.", "HttpErrorCodeReturnedEquals");
            }
            if (error == null && condition.string("KeyPrefixEquals") == null) {
                throw invalidWebsite("Condition cannot be empty. To redirect all requests without a condition, the"
                        + " condition element shouldn't be present.", "Condition");
            }
        }
    }

    private static void checkProtocol(String protocol) {
        if (protocol != null && !protocol.equals("http") && !protocol.equals("https")) {
            throw invalidWebsite("Invalid protocol, protocol can be http or https. If not defined the protocol will"
                    + " be selected automatically.", "Protocol");
        }
    }

    private static S3Exception invalidWebsite(String message, String name) {
        return S3Exception.invalidArgument(message, name, null);
    }

    static S3Call getWebsite(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetBucketWebsite", bucket, RequestContext.empty()), findings -> {
            if (bucket.website() == null) {
                throw new S3Exception("NoSuchWebsiteConfiguration", 404,
                        "The specified bucket does not have a website configuration").with("BucketName", bucket.name());
            }
            return input.respond(bucket.website().toShape());
        });
    }

    static S3Call deleteWebsite(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:DeleteBucketWebsite", bucket, RequestContext.empty()), findings -> {
            repository.updateBucket(bucket.name(), current -> current.withWebsite(null));
            return input.respond(Shape.of());
        });
    }

    // ---- notification -------------------------------------------------------------------------

    /** The event types S3 can notify of (user guide, "Supported event types"); a trailing {@code *} names a family. */
    private static final Set<String> EVENTS = Set.of("s3:TestEvent", "s3:ObjectCreated:*", "s3:ObjectCreated:Put",
            "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
            "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
            "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete",
            "s3:ReducedRedundancyLostObject", "s3:Replication:*", "s3:Replication:OperationFailedReplication",
            "s3:Replication:OperationNotTracked", "s3:Replication:OperationMissedThreshold",
            "s3:Replication:OperationReplicatedAfterThreshold", "s3:LifecycleExpiration:*",
            "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated", "s3:LifecycleTransition",
            "s3:IntelligentTiering", "s3:ObjectTagging:*", "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete",
            "s3:ObjectAcl:Put");

    /**
     * PutBucketNotificationConfiguration. Each SNS topic, SQS queue and Lambda function configuration is checked: its
     * events are S3's, its filter rules are {@code prefix} or {@code suffix} once each, and its destination is an ARN
     * of its service in the bucket's region. Then, as S3 does, each queue and topic is sent S3's test event, on
     * behalf of S3 for this bucket: where the destination is missing or its policy does not let S3 send from the
     * bucket, nothing is stored and the answer is 400 InvalidArgument "Unable to validate the following destination
     * configurations", naming each refusing destination. A Lambda function cannot be validated (crossrole has no
     * Lambda) and is refused the same way. {@code x-amz-skip-destination-validation} stores the configuration
     * without asking. A configuration without an {@code Id} is given one, as S3 gives it.
     */
    static S3Call putNotification(S3Input input, Bucket bucket, S3Repository repository,
                                  BucketNotifications notifications, String requestId) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketNotification", bucket, RequestContext.empty()),
                findings -> {
                    Input configuration = input.document();
                    if (configuration == null) {
                        throw S3Exception.malformedXml();
                    }
                    boolean skip = Boolean.TRUE.equals(input.bool("SkipDestinationValidation"));
                    Set<String> ids = new java.util.HashSet<>();
                    String[][] kinds = {{"TopicConfigurations", "TopicArn", "sns"},
                        {"QueueConfigurations", "QueueArn", "sqs"},
                        {"LambdaFunctionConfigurations", "LambdaFunctionArn", "lambda"}};
                    List<String> destinations = new ArrayList<>();
                    for (String[] kind : kinds) {
                        for (Input destination : configuration.<Input>listOrEmpty(kind[0])) {
                            String arn = destination.string(kind[1]);
                            checkDestination(destination, arn, kind[2], bucket.region(), ids);
                            destinations.add(arn);
                        }
                    }
                    if (!skip) {
                        S3Exception refused = null;
                        int refusals = 0;
                        for (String arn : new java.util.LinkedHashSet<>(destinations)) {
                            String failure = BucketNotifications.deliverable(arn)
                                    ? notifications.test(arn, bucket, requestId) : "crossrole has no Lambda";
                            if (failure != null) {
                                if (refused == null) {
                                    refused = S3Exception.invalidArgument("Unable to validate the following"
                                            + " destination configurations", null, null);
                                }
                                refusals++;
                                refused.with("ArgumentName" + refusals, arn).with("ArgumentValue" + refusals,
                                        refusal(arn));
                            }
                        }
                        if (refused != null) {
                            throw refused;
                        }
                    }
                    Document put = configuration.values().isEmpty() ? null : withIds(Document.of(configuration));
                    repository.updateBucket(bucket.name(), current -> current.withNotification(put));
                    return input.respond(Shape.of());
                });
    }

    /** S3's words for a destination its test event could not reach. */
    private static String refusal(String arn) {
        return switch (serviceOf(arn)) {
            case "SQS" -> "Permissions on the destination queue do not allow S3 to publish notifications from this"
                    + " bucket";
            case "SNS" -> "Permissions on the destination topic do not allow S3 to publish notifications from this"
                    + " bucket";
            default -> "Not authorized to invoke function [" + arn + "]";
        };
    }

    /** The configuration with an {@code Id} for each destination that came without one. */
    @SuppressWarnings("unchecked")
    private static Document withIds(Document document) {
        Map<String, Object> members = new LinkedHashMap<>(document.members());
        for (String kind : List.of("TopicConfigurations", "QueueConfigurations", "LambdaFunctionConfigurations")) {
            if (members.get(kind) instanceof List<?> list) {
                List<Object> named = new ArrayList<>();
                for (Object item : list) {
                    if (item instanceof Map<?, ?> map && map.get("Id") == null) {
                        Map<String, Object> copy = new LinkedHashMap<>();
                        copy.put("Id", java.util.Base64.getEncoder().encodeToString(java.util.UUID.randomUUID()
                                .toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                        ((Map<String, Object>) map).forEach((name, value) -> {
                            if (!name.equals("Id")) {
                                copy.put(name, value);
                            }
                        });
                        named.add(copy);
                    } else {
                        named.add(item);
                    }
                }
                members.put(kind, named);
            }
        }
        return new Document(members);
    }

    private static String serviceOf(String arn) {
        String[] parts = arn.split(":", 4);
        return parts.length > 2 ? parts[2].toUpperCase(java.util.Locale.ROOT) : "service";
    }

    private static void checkDestination(Input destination, String arn, String service, String region,
                                         Set<String> ids) {
        if (arn == null) {
            throw S3Exception.malformedXml();
        }
        String[] parts = arn.split(":");
        if (parts.length < 6 || !parts[0].equals("arn") || !parts[2].equals(service)) {
            // S3's words for a malformed destination ARN were not found; the code is the API's InvalidArgument.
            throw S3Exception.invalidArgument("The ARN is not well formed", arn, "The ARN is not well formed");
        }
        if (!parts[3].equals(region)) {
            throw S3Exception.invalidArgument("The notification destination service region is not valid for the"
                    + " bucket location constraint", arn, "The destination is in another region");
        }
        String id = destination.string("Id");
        if (id != null && !ids.add(id)) {
            throw S3Exception.invalidArgument("Configurations overlap. Configuration id's must be unique.", id,
                    null);
        }
        List<String> events = destination.listOrEmpty("Events");
        if (events.isEmpty()) {
            throw S3Exception.malformedXml();
        }
        for (String event : events) {
            if (!EVENTS.contains(event)) {
                throw S3Exception.invalidArgument("The event is not supported for notifications", event, null);
            }
        }
        Input filter = destination.struct("Filter");
        Input key = filter == null ? null : filter.struct("Key");
        if (key != null) {
            Set<String> names = new java.util.HashSet<>();
            for (Input rule : key.<Input>listOrEmpty("FilterRules")) {
                String name = rule.string("Name") == null ? "" : rule.string("Name").toLowerCase(java.util.Locale.ROOT);
                if (!name.equals("prefix") && !name.equals("suffix")) {
                    throw S3Exception.invalidArgument("filter rule name must be either prefix or suffix", "FilterRule",
                            rule.string("Name"));
                }
                if (!names.add(name)) {
                    throw S3Exception.invalidArgument("Cannot specify more than one " + name + " rule in a filter.",
                            "FilterRule", rule.string("Name"));
                }
            }
        }
    }

    /** GetBucketNotificationConfiguration: the configuration as put; an empty one when none was. */
    static S3Call getNotification(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetBucketNotification", bucket, RequestContext.empty()),
                findings -> input.respond(bucket.notification() == null ? Shape.of()
                        : bucket.notification().toShape()));
    }
}
