package dev.crossrole.server.s3;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.service.Call;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * S3's event notifications: when an operation changes an object, each configuration of the bucket whose events and
 * key filter match sends S3's event message to its queue or topic, on behalf of {@code s3.amazonaws.com} with the
 * bucket as {@code aws:SourceArn} and its owner as {@code aws:SourceAccount} — so the destination's policy decides,
 * as on AWS. The message is sent before the operation answers: an acknowledged write's event is not lost to a
 * restart. A destination that refuses it drops the event, as S3 does, and the refusal is logged.
 */
public final class BucketNotifications {
    /** The service principal S3 sends as. */
    public static final String S3_PRINCIPAL = "s3.amazonaws.com";
    private static final System.Logger LOG = System.getLogger(BucketNotifications.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter EVENT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    /** Where notifications go: the queues and topics this server serves. */
    public interface Destinations {
        /**
         * Sends {@code message} to the queue or topic {@code arn} as S3 for the bucket.
         *
         * @return {@code null} when it was accepted, else why not (the destination's error code and message)
         */
        String send(String arn, String bucketArn, String bucketOwner, String message);
    }

    private final S3Repository repository;
    private final Clock clock;
    private final AtomicLong lastSequencer = new AtomicLong();
    private volatile Destinations destinations = (arn, bucketArn, owner, message) -> "crossrole has no "
            + service(arn) + " to deliver to";

    BucketNotifications(S3Repository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    /** Connects the queues and topics, which the server builds after S3. */
    void connect(Destinations connected) {
        this.destinations = connected;
    }

    /** Whether the destination's service is one this server delivers to (SQS, SNS; not Lambda). */
    static boolean deliverable(String arn) {
        String service = service(arn);
        return service.equals("sqs") || service.equals("sns");
    }

    /**
     * Validates a destination as S3 does when a configuration is put: by sending it S3's test event.
     *
     * @return {@code null} when the destination took it, else why not
     */
    String test(String arn, Bucket bucket, String requestId) {
        ObjectNode test = JSON.createObjectNode();
        test.put("Service", "Amazon S3");
        test.put("Event", "s3:TestEvent");
        test.put("Time", EVENT_TIME.format(clock.instant()));
        test.put("Bucket", bucket.name());
        test.put("RequestId", requestId);
        test.put("HostId", hostId(requestId));
        return destinations.send(arn, bucket.arn(), bucket.owner(), test.toString());
    }

    /** Sends what {@code events} call for under their buckets' configurations; never fails the operation. */
    void publish(List<ObjectEvent> events, Call call) {
        for (ObjectEvent event : events) {
            Bucket bucket = repository.bucket(event.bucket()).orElse(null);
            if (bucket == null || bucket.notification() == null) {
                continue;
            }
            Instant at = clock.instant();
            String sequencer = sequencer(at);
            String[][] kinds = {{"QueueConfigurations", "QueueArn"}, {"TopicConfigurations", "TopicArn"},
                {"LambdaFunctionConfigurations", "LambdaFunctionArn"}};
            for (String[] kind : kinds) {
                for (Map<String, Object> configuration : configurations(bucket.notification(), kind[0])) {
                    if (!matches(configuration, event)) {
                        continue;
                    }
                    String arn = (String) configuration.get(kind[1]);
                    String message = message(event, bucket, (String) configuration.get("Id"), call, at, sequencer);
                    String failure;
                    try {
                        failure = destinations.send(arn, bucket.arn(), bucket.owner(), message);
                    } catch (RuntimeException e) {
                        failure = e.toString();
                    }
                    if (failure != null) {
                        LOG.log(System.Logger.Level.WARNING, "S3 event " + event.name() + " of s3://" + bucket.name()
                                + "/" + event.key() + " not delivered to " + arn + ": " + failure);
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> configurations(BucketConfigs.Document notification, String kind) {
        Object list = notification.members().get(kind);
        List<Map<String, Object>> out = new ArrayList<>();
        if (list instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> map) {
                    out.add((Map<String, Object>) map);
                }
            }
        }
        return out;
    }

    /** Whether a configuration asks for this event: one of its event types names it, and its key filter holds. */
    @SuppressWarnings("unchecked")
    static boolean matches(Map<String, Object> configuration, ObjectEvent event) {
        boolean named = false;
        for (Object type : (List<Object>) configuration.getOrDefault("Events", List.of())) {
            String wanted = String.valueOf(type);
            String name = "s3:" + event.name();
            if (wanted.equals(name) || wanted.endsWith(":*")
                    && name.startsWith(wanted.substring(0, wanted.length() - 1))) {
                named = true;
                break;
            }
        }
        if (!named) {
            return false;
        }
        Object filter = configuration.get("Filter");
        Object key = filter instanceof Map<?, ?> f ? f.get("Key") : null;
        Object rules = key instanceof Map<?, ?> k ? k.get("FilterRules") : null;
        if (rules instanceof List<?> list) {
            for (Object rule : list) {
                if (!(rule instanceof Map<?, ?> r)) {
                    continue;
                }
                String name = String.valueOf(r.get("Name")).toLowerCase(Locale.ROOT);
                String value = r.get("Value") == null ? "" : String.valueOf(r.get("Value"));
                if (name.equals("prefix") && !event.key().startsWith(value)
                        || name.equals("suffix") && !event.key().endsWith(value)) {
                    return false;
                }
            }
        }
        return true;
    }

    private String message(ObjectEvent event, Bucket bucket, String configurationId, Call call, Instant at,
                           String sequencer) {
        ObjectNode record = JSON.createObjectNode();
        // S3 wrote 2.1 for object creation and removal and 2.3 for lifecycle, tagging and ACL events.
        boolean later = event.name().startsWith("LifecycleExpiration:") || event.name().startsWith("ObjectTagging:")
                || event.name().startsWith("ObjectAcl:");
        record.put("eventVersion", later ? "2.3" : "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", bucket.region());
        record.put("eventTime", EVENT_TIME.format(at.truncatedTo(ChronoUnit.MILLIS)));
        record.put("eventName", event.name());
        record.putObject("userIdentity").put("principalId", principalId(call));
        record.putObject("requestParameters").put("sourceIPAddress", call == null || call.info() == null
                || call.info().sourceIp() == null ? S3_PRINCIPAL : call.info().sourceIp());
        String requestId = call == null ? null : call.requestId();
        ObjectNode response = record.putObject("responseElements");
        response.put("x-amz-request-id", requestId);
        response.put("x-amz-id-2", hostId(requestId));
        ObjectNode s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", configurationId);
        ObjectNode bucketNode = s3.putObject("bucket");
        bucketNode.put("name", bucket.name());
        bucketNode.putObject("ownerIdentity").put("principalId", bucket.owner());
        bucketNode.put("arn", bucket.arn());
        ObjectNode object = s3.putObject("object");
        // The key as S3 sends it: form-encoded (spaces as '+'), its slashes kept.
        object.put("key", URLEncoder.encode(event.key(), StandardCharsets.UTF_8).replace("%2F", "/"));
        if (event.size() != null) {
            object.put("size", event.size());
        }
        if (event.etag() != null) {
            object.put("eTag", event.etag());
        }
        if (event.versionId() != null) {
            object.put("versionId", event.versionId());
        }
        object.put("sequencer", sequencer);
        ObjectNode message = JSON.createObjectNode();
        ArrayNode records = message.putArray("Records");
        records.add(record);
        return message.toString();
    }

    /** Who caused the event as S3 names them: {@code AWS:} and the principal's unique id; S3 itself for its own. */
    private static String principalId(Call call) {
        if (call == null) {
            return S3_PRINCIPAL;
        }
        dev.crossrole.policy.Principal principal = call.caller().principal();
        if (principal instanceof dev.crossrole.policy.Principal.AccountRoot root) {
            return root.accountId();
        }
        if (principal instanceof dev.crossrole.policy.Principal.Anonymous) {
            return "anonymous";
        }
        return "AWS:" + principal.userId();
    }

    /** A sequencer that grows with every event this node sends: hexadecimal, as S3's. */
    private String sequencer(Instant at) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, at);
        long next = lastSequencer.updateAndGet(last -> Math.max(last + 1, micros));
        return String.format("%016X", next);
    }

    private static String hostId(String requestId) {
        return java.util.Base64.getEncoder().encodeToString(("crossrole/" + requestId)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static String service(String arn) {
        String[] parts = arn == null ? new String[0] : arn.split(":", 4);
        return parts.length > 2 ? parts[2] : "service";
    }
}
