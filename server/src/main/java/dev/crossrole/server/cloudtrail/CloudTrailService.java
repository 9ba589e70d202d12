package dev.crossrole.server.cloudtrail;

import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.requestlog.RecordedRequest;
import dev.crossrole.server.requestlog.RequestDetails;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.PreparedCall;
import dev.crossrole.server.service.ServiceProvider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * AWS CloudTrail on the model-driven layer ({@code cloudtrail/2013-11-01}, JSON 1.1): the event history's
 * LookupEvents, over the events {@link EventHistory} keeps of every request crossrole served. A caller sees its own
 * account's management events in the region it calls, newest first; CloudTrail's other operations (trails, event
 * data stores, Lake queries) are not served yet.
 */
public final class CloudTrailService implements ServiceProvider {
    /** The attribute keys LookupEvents filters on, as its model lists them. */
    private static final List<String> ATTRIBUTE_KEYS = List.of("EventId", "EventName", "ReadOnly", "Username",
            "ResourceType", "ResourceName", "EventSource", "AccessKeyId");
    private static final int DEFAULT_MAX_RESULTS = 50;

    private final EventHistory history;
    private final EventRecorder recorder;

    /**
     * @param accountOfKey the served account an access key belongs to, or {@code null}: a request that failed
     *     authentication is recorded for that account
     * @param served whether crossrole serves an account: another account's resource makes an event of that account
     *     only when it is served
     */
    public CloudTrailService(EventHistory history, Function<String, String> accountOfKey, Predicate<String> served) {
        this.history = history;
        this.recorder = new EventRecorder(history, accountOfKey, served);
    }

    /** Records a finished request as the events of the accounts it concerns (a {@code RequestLog} listener). */
    public void record(RecordedRequest request, RequestDetails details) {
        recorder.record(request, details);
    }

    @Override
    public String modelId() {
        return "cloudtrail";
    }

    @Override
    public String validationErrorCode() {
        return "ValidationException";
    }

    @Override
    public String accessDeniedCode() {
        return "AccessDeniedException";
    }

    @Override
    public void register(OperationTable ops) {
        ops.on("LookupEvents", this::lookupEvents, Authorization.of("cloudtrail:LookupEvents"));
    }

    private PreparedCall lookupEvents(Call call, Input input) {
        List<Input> attributes = input.listOrEmpty("LookupAttributes");
        // CloudTrail honours the first attribute of the list and ignores the others (its documentation allows one).
        Predicate<TrailEvent> matches = attributes.isEmpty() ? e -> true : matcher(attributes.get(0));
        Instant now = history.clock().instant();
        Instant start = input.timestamp("StartTime");
        Instant end = input.timestamp("EndTime");
        if (start != null && end != null && start.isAfter(end)) {
            throw new AwsException("InvalidTimeRangeException", 400, "Start time must be earlier than end time.");
        }
        boolean insights = "insight".equals(input.string("EventCategory"));
        int limit = input.integer("MaxResults") == null ? DEFAULT_MAX_RESULTS : input.integer("MaxResults");
        String account = call.caller().account();
        String region = call.region();
        String query = queryOf(attributes.isEmpty() ? null : attributes.get(0), start, end, insights, region);
        TrailEvent after = input.string("NextToken") == null ? null
                : readToken(input.string("NextToken"), account, query);
        long from = start == null ? Long.MIN_VALUE : start.toEpochMilli();
        long to = end == null ? Long.MAX_VALUE : end.toEpochMilli();
        return PreparedCall.of(List.of(AccessCheck.of("cloudtrail:LookupEvents", "*")), () -> {
            if (insights || account == null) {
                // An account without CloudTrail Insights (every account here) has no Insights events to show.
                return Shape.of().put("Events", List.of());
            }
            EventHistory.Page page = history.lookup(account, from, to,
                    e -> region.equals(e.region()) && matches.test(e), after, limit);
            List<Shape> events = new ArrayList<>();
            for (TrailEvent e : page.events()) {
                List<Shape> resources = new ArrayList<>();
                for (TrailEvent.Resource r : e.resources()) {
                    resources.add(Shape.of().put("ResourceType", r.type()).put("ResourceName", r.name()));
                }
                events.add(Shape.of().put("EventId", e.eventId()).put("EventName", e.eventName())
                        .put("ReadOnly", Boolean.toString(e.readOnly())).put("AccessKeyId", e.accessKeyId())
                        .put("EventTime", Instant.ofEpochMilli(e.time())).put("EventSource", e.eventSource())
                        .put("Username", e.username()).put("Resources", resources)
                        .put("CloudTrailEvent", e.cloudTrailEvent()));
            }
            Shape out = Shape.of().put("Events", events);
            if (page.more()) {
                out.put("NextToken", token(account, query, page.events().get(page.events().size() - 1)));
            }
            return out;
        });
    }

    /** What events one lookup attribute selects; values are matched exactly, as CloudTrail matches them. */
    private static Predicate<TrailEvent> matcher(Input attribute) {
        String key = attribute.string("AttributeKey");
        String value = attribute.string("AttributeValue");
        if (!ATTRIBUTE_KEYS.contains(key)) {
            throw new AwsException("InvalidLookupAttributesException", 400, "Invalid attribute key: " + key);
        }
        return switch (key) {
            case "EventId" -> e -> value.equals(e.eventId());
            case "EventName" -> e -> value.equals(e.eventName());
            case "ReadOnly" -> {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new AwsException("InvalidLookupAttributesException", 400,
                            "Invalid value for ReadOnly lookup attribute: " + value + ". Valid values are true and"
                                    + " false.");
                }
                boolean readOnly = Boolean.parseBoolean(value);
                yield e -> e.readOnly() == readOnly;
            }
            case "Username" -> e -> value.equals(e.username());
            case "ResourceType" -> e -> e.resources().stream().anyMatch(r -> value.equals(r.type()));
            case "ResourceName" -> e -> e.resources().stream().anyMatch(r -> value.equals(r.name())
                    || value.equals(shortName(r.name())));
            case "EventSource" -> e -> value.equals(e.eventSource());
            default -> e -> value.equals(e.accessKeyId());
        };
    }

    /** A resource's name without its ARN: what follows the resource type ({@code role/Admin} → {@code Admin}). */
    static String shortName(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length < 6) {
            return arn;
        }
        String rest = parts[5];
        int slash = rest.indexOf('/');
        if (parts[2].equals("s3") || parts[2].equals("sqs")) {
            return rest;
        }
        if (slash >= 0) {
            return rest.substring(slash + 1);
        }
        int colon = rest.indexOf(':');
        return colon >= 0 ? rest.substring(colon + 1) : rest;
    }

    // ---- next tokens -------------------------------------------------------------------------------------

    /**
     * A lookup's parameters (but the page size) as a digest: a token is good only for the lookup it came from. The
     * account is part of the token too, and a lookup reads its caller's events only, whatever a token says.
     */
    private static String queryOf(Input attribute, Instant start, Instant end, boolean insights, String region) {
        String text = (attribute == null ? "" : attribute.string("AttributeKey") + "=" + attribute.string(
                "AttributeValue")) + "|" + start + "|" + end + "|" + insights + "|" + region;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String token(String account, String query, TrailEvent last) {
        String text = "1|" + account + "|" + query + "|" + last.time() + "|" + last.eventId();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The last event of the previous page, as a token names it; a token of another account or lookup is refused. */
    static TrailEvent readToken(String token, String account, String query) {
        String[] parts;
        try {
            parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split("\\|", -1);
        } catch (IllegalArgumentException e) {
            throw invalidToken();
        }
        if (parts.length != 5 || !parts[0].equals("1") || !parts[1].equals(account) || !parts[2].equals(query)) {
            throw invalidToken();
        }
        long time;
        try {
            time = Long.parseLong(parts[3]);
        } catch (NumberFormatException e) {
            throw invalidToken();
        }
        return new TrailEvent(account, time, parts[4], "", "", null, false, null, null, List.of(), "");
    }

    private static AwsException invalidToken() {
        return new AwsException("InvalidNextTokenException", 400, "Invalid NextToken.");
    }
}
