package dev.crossrole.server.logs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.Principal;
import dev.crossrole.policy.Policies;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Amazon CloudWatch Logs on the model-driven layer ({@code logs/2014-03-28}): log groups, streams and their events,
 * GetLogEvents and FilterLogEvents with filter patterns, retention, tags, metric filters and resource policies.
 *
 * <p>IAM decides as CloudWatch Logs asks it: a log group's actions on the group's ARN with a trailing {@code :*}
 * (a policy naming the group without it does not match them), the tagging actions on the ARN without it, a stream's
 * actions on the stream's ARN. Log groups have no resource policies for IAM principals — CloudWatch Logs' resource
 * policies are for AWS services delivering logs and are stored, not enforced for users or roles, as AWS documents —
 * so another account's log group is denied on its side.
 */
public final class LogsService implements ServiceProvider {
    private static final String SERVICE = "logs";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The values PutRetentionPolicy takes, from CloudWatch Logs' API reference. */
    private static final Set<Integer> RETENTION_DAYS = Set.of(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400,
            545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653);
    private static final long MAX_BATCH_BYTES = 1_048_576;
    /** What PutLogEvents counts for each event besides its message. */
    private static final int EVENT_OVERHEAD = 26;
    private static final long TOO_NEW = Duration.ofHours(2).toMillis();
    private static final long TOO_OLD = Duration.ofDays(14).toMillis();
    private static final long MAX_SPAN = Duration.ofHours(24).toMillis();
    private static final int MAX_ACCOUNT_POLICIES = 10;
    private static final int MAX_METRIC_FILTERS = 100;
    private static final Pattern GROUP_NAME = Pattern.compile("[\\.\\-_/#A-Za-z0-9]+");

    private final LogDirectory logs;
    private final KmsKeys keys;

    public LogsService(LogDirectory logs, KmsKeys keys) {
        this.logs = logs;
        this.keys = keys;
    }

    @Override
    public String modelId() {
        return SERVICE;
    }

    @Override
    public String accessDeniedCode() {
        return "AccessDeniedException";
    }

    @Override
    public String validationErrorCode() {
        return "InvalidParameterException";
    }

    @Override
    public void register(OperationTable ops) {
        String[] tagKeys = {"aws:RequestTag/${TagKey}", "aws:TagKeys"};
        ops.on("CreateLogGroup", this::createLogGroup, Authorization.of("logs:CreateLogGroup")
                .on("log-group", "logGroupName").keys(tagKeys), Authorization.of("kms:GenerateDataKey")
                .on("key", "kmsKeyId").keys("kms:CallerAccount", "kms:ViaService",
                        "kms:EncryptionContext:${EncryptionContextKey}", "kms:EncryptionContextKeys",
                        "kms:EncryptionAlgorithm"));
        ops.on("DeleteLogGroup", this::deleteLogGroup, onGroup("DeleteLogGroup"));
        String[] kmsKeys = {"kms:CallerAccount", "kms:ViaService", "kms:EncryptionContext:${EncryptionContextKey}",
            "kms:EncryptionContextKeys", "kms:EncryptionAlgorithm"};
        ops.on("AssociateKmsKey", this::associateKmsKey, onGroup("AssociateKmsKey"),
                Authorization.of("kms:GenerateDataKey").on("key", "kmsKeyId").keys(kmsKeys));
        ops.on("DisassociateKmsKey", this::disassociateKmsKey, onGroup("DisassociateKmsKey"));
        ops.on("DescribeLogGroups", this::describeLogGroups, Authorization.of("logs:DescribeLogGroups"));
        ops.on("PutRetentionPolicy", this::putRetentionPolicy, onGroup("PutRetentionPolicy"));
        ops.on("DeleteRetentionPolicy", this::deleteRetentionPolicy, onGroup("DeleteRetentionPolicy"));
        ops.on("CreateLogStream", this::createLogStream, onStream("CreateLogStream"));
        ops.on("DeleteLogStream", this::deleteLogStream, onStream("DeleteLogStream"));
        ops.on("DescribeLogStreams", this::describeLogStreams, Authorization.of("logs:DescribeLogStreams")
                .on("log-group", "logGroupName", "logGroupIdentifier"));
        ops.on("PutLogEvents", this::putLogEvents, onStream("PutLogEvents"));
        ops.on("GetLogEvents", this::getLogEvents, Authorization.of("logs:GetLogEvents")
                .on("log-stream", "logGroupName", "logGroupIdentifier", "logStreamName"));
        ops.on("FilterLogEvents", this::filterLogEvents, Authorization.of("logs:FilterLogEvents")
                .on("log-group", "logGroupName", "logGroupIdentifier"));
        ops.on("TagResource", this::tagResource, Authorization.of("logs:TagResource").on("log-group", "resourceArn")
                .keys(tagKeys));
        ops.on("UntagResource", this::untagResource, Authorization.of("logs:UntagResource")
                .on("log-group", "resourceArn").keys("aws:TagKeys"));
        ops.on("ListTagsForResource", this::listTagsForResource, Authorization.of("logs:ListTagsForResource")
                .on("log-group", "resourceArn"));
        ops.on("TagLogGroup", this::tagLogGroup, Authorization.of("logs:TagLogGroup").on("log-group", "logGroupName")
                .keys(tagKeys));
        ops.on("UntagLogGroup", this::untagLogGroup, onGroup("UntagLogGroup"));
        ops.on("ListTagsLogGroup", this::listTagsLogGroup, onGroup("ListTagsLogGroup"));
        ops.on("PutMetricFilter", this::putMetricFilter, onGroup("PutMetricFilter"));
        ops.on("DescribeMetricFilters", this::describeMetricFilters, onGroup("DescribeMetricFilters"));
        ops.on("DeleteMetricFilter", this::deleteMetricFilter, onGroup("DeleteMetricFilter"));
        ops.on("TestMetricFilter", this::testMetricFilter, Authorization.of("logs:TestMetricFilter"));
        ops.on("PutResourcePolicy", this::putResourcePolicy, Authorization.of("logs:PutResourcePolicy"));
        ops.on("DescribeResourcePolicies", this::describeResourcePolicies,
                Authorization.of("logs:DescribeResourcePolicies"));
        ops.on("DeleteResourcePolicy", this::deleteResourcePolicy, Authorization.of("logs:DeleteResourcePolicy"));
    }

    private static Authorization onGroup(String action) {
        return Authorization.of("logs:" + action).on("log-group", "logGroupName");
    }

    private static Authorization onStream(String action) {
        return Authorization.of("logs:" + action).on("log-stream", "logGroupName", "logStreamName");
    }

    // ---- errors, names and checks -------------------------------------------------------------------------

    static AwsException invalid(String message) {
        return new AwsException("InvalidParameterException", 400, message);
    }

    private static AwsException groupNotFound() {
        return new AwsException("ResourceNotFoundException", 400, "The specified log group does not exist.");
    }

    private static AwsException streamNotFound() {
        return new AwsException("ResourceNotFoundException", 400, "The specified log stream does not exist.");
    }

    private static String account(Call call) {
        return call.caller().account();
    }

    private static String groupArn(Call call, String name) {
        return LogGroup.arn(account(call), call.region(), name);
    }

    /**
     * The group an operation names by {@code logGroupName} or {@code logGroupIdentifier} (a name, or an ARN with
     * or without the trailing {@code :*}, which may be another account's): its ARN.
     */
    private static String identifiedGroup(Call call, Input input) {
        String name = input.string("logGroupName");
        String identifier = input.string("logGroupIdentifier");
        if (name != null && identifier != null) {
            throw invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
        }
        if (name == null && identifier == null) {
            throw invalid("Should provide either name or ARN of the log group.");
        }
        if (identifier == null) {
            return groupArn(call, name);
        }
        if (!identifier.startsWith("arn:")) {
            return groupArn(call, identifier);
        }
        String arn = identifier.endsWith(":*") ? identifier.substring(0, identifier.length() - 2) : identifier;
        String[] parts = arn.split(":", 7);
        if (parts.length != 7 || !parts[0].equals("arn") || !parts[2].equals(SERVICE) || !parts[5].equals("log-group")
                || !parts[4].matches("[0-9]{12}") || !GROUP_NAME.matcher(parts[6]).matches()) {
            throw invalid("Invalid log group identifier: " + identifier);
        }
        return arn;
    }

    private static RequestContext tagContext(LogGroup group) {
        RequestContext.Builder context = RequestContext.builder();
        if (group != null) {
            group.tags().forEach((k, v) -> context.single("aws:ResourceTag/" + k, v));
        }
        return context.build();
    }

    /** A log group action as CloudWatch Logs asks IAM: on the group's ARN with the trailing {@code :*}. */
    private AccessCheck groupCheck(String action, String arn) {
        return new AccessCheck("logs:" + action, arn + ":*", null, null,
                tagContext(logs.group(arn).orElse(null)));
    }

    private AccessCheck streamCheck(String action, String groupArn, String stream) {
        return new AccessCheck("logs:" + action, groupArn + ":log-stream:" + stream, null, null,
                tagContext(logs.group(groupArn).orElse(null)));
    }

    private LogGroup existingGroup(String arn) {
        return logs.group(arn).orElseThrow(LogsService::groupNotFound);
    }

    private static Map<String, String> tags(Input input, String member) {
        Map<String, String> tags = new LinkedHashMap<>();
        Map<String, Object> given = input.map(member);
        if (given != null) {
            given.forEach((k, v) -> tags.put(k, String.valueOf(v)));
        }
        return tags;
    }

    private static RequestContext requestTags(Map<String, String> tags) {
        RequestContext.Builder context = RequestContext.builder();
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        if (!tags.isEmpty()) {
            context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        }
        return context.build();
    }

    private static void checkTagCount(int count) {
        if (count > 50) {
            throw new AwsException("TooManyTagsException", 400, "A resource can have no more than 50 tags.");
        }
    }

    private long now() {
        return logs.clock().millis();
    }

    // ---- log groups ---------------------------------------------------------------------------------------

    private PreparedCall createLogGroup(Call call, Input input) {
        String name = input.string("logGroupName");
        String arn = groupArn(call, name);
        Map<String, String> tags = tags(input, "tags");
        String kmsKeyId = input.string("kmsKeyId");
        String logGroupClass = input.string("logGroupClass") == null ? "STANDARD" : input.string("logGroupClass");
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(new AccessCheck("logs:CreateLogGroup", arn + ":*", null, null, requestTags(tags)));
        if (kmsKeyId != null) {
            checks.add(logsMayUseKey(call, kmsKeyId, arn));
        }
        return PreparedCall.of(checks, () -> {
            if (logs.group(arn).isPresent()) {
                throw new AwsException("ResourceAlreadyExistsException", 400, "The specified log group already exists");
            }
            logs.put(new LogGroup(account(call), call.region(), name, now(), null, kmsKeyId, logGroupClass, tags));
            return null;
        });
    }

    /**
     * CloudWatch Logs encrypts a group's events with its key as the service itself: the key (named by its ARN, in the
     * group's Region) must exist and its key policy must let {@code logs.<region>.amazonaws.com} use it for this group
     * ({@code kms:EncryptionContext:aws:logs:arn}); otherwise CloudWatch Logs' answer, which does not say which.
     */
    private AccessCheck logsMayUseKey(Call call, String kmsKeyId, String groupArn) {
        String refused = "The specified KMS key does not exist or is not allowed to be used with Arn '" + groupArn + "'";
        KmsKeys.KeyReference key = kmsKeyId.startsWith("arn:") ? keys.find(account(call), call.region(), kmsKeyId)
                .filter(found -> found.arn().equals(kmsKeyId)).orElse(null) : null;
        if (key == null) {
            throw new AwsException("AccessDeniedException", 400, refused);
        }
        return keys.viaService("kms:GenerateDataKey", key, null, SERVICE, call.region(),
                Map.of("aws:logs:arn", groupArn), refused)
                .askedBy(new Principal.ServicePrincipal("logs." + call.region() + ".amazonaws.com"), refused);
    }

    private PreparedCall associateKmsKey(Call call, Input input) {
        if (input.string("resourceIdentifier") != null) {
            throw invalid("crossrole associates keys with log groups only, not with query results.");
        }
        String arn = groupArn(call, input.string("logGroupName"));
        String kmsKeyId = input.string("kmsKeyId");
        return PreparedCall.of(List.of(groupCheck("AssociateKmsKey", arn), logsMayUseKey(call, kmsKeyId, arn)), () -> {
            logs.put(existingGroup(arn).withKey(kmsKeyId));
            return null;
        });
    }

    private PreparedCall disassociateKmsKey(Call call, Input input) {
        if (input.string("resourceIdentifier") != null) {
            throw invalid("crossrole associates keys with log groups only, not with query results.");
        }
        String arn = groupArn(call, input.string("logGroupName"));
        return PreparedCall.of(List.of(groupCheck("DisassociateKmsKey", arn)), () -> {
            logs.put(existingGroup(arn).withKey(null));
            return null;
        });
    }

    private PreparedCall deleteLogGroup(Call call, Input input) {
        String arn = groupArn(call, input.string("logGroupName"));
        return PreparedCall.of(List.of(groupCheck("DeleteLogGroup", arn)), () -> {
            logs.remove(existingGroup(arn));
            return null;
        });
    }

    private PreparedCall describeLogGroups(Call call, Input input) {
        String prefix = input.string("logGroupNamePrefix");
        String pattern = input.string("logGroupNamePattern");
        if (prefix != null && pattern != null) {
            throw invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
        }
        if (input.has("logGroupIdentifiers") && (prefix != null || pattern != null)) {
            throw invalid("LogGroupIdentifiers and LogGroup name prefix or pattern are mutually exclusive"
                    + " parameters.");
        }
        String logGroupClass = input.string("logGroupClass");
        List<String> identifiers = input.listOrEmpty("logGroupIdentifiers");
        int limit = input.integer("limit") == null ? 50 : input.integer("limit");
        String token = input.string("nextToken");
        return PreparedCall.of(List.of(AccessCheck.of("logs:DescribeLogGroups", "*")), () -> {
            List<LogGroup> matching = new ArrayList<>();
            for (LogGroup group : logs.groups(account(call), call.region())) {
                boolean named = identifiers.isEmpty() || identifiers.stream().anyMatch(id -> id.equals(group.name())
                        || id.equals(group.arn()) || id.equals(group.arn() + ":*"));
                if (named && (prefix == null || group.name().startsWith(prefix))
                        && (pattern == null || group.name().toLowerCase(java.util.Locale.ROOT).contains(
                                pattern.toLowerCase(java.util.Locale.ROOT)))
                        && (logGroupClass == null || logGroupClass.equals(group.logGroupClass()))) {
                    matching.add(group);
                }
            }
            int from = pageStart(token, matching.size());
            int to = Math.min(matching.size(), from + limit);
            List<Shape> shown = new ArrayList<>();
            for (LogGroup group : matching.subList(from, to)) {
                shown.add(groupShape(group));
            }
            Shape out = Shape.of().put("logGroups", shown);
            return to < matching.size() ? out.put("nextToken", pageToken(to)) : out;
        });
    }

    private Shape groupShape(LogGroup group) {
        long stored = logs.streams(group.arn()).stream().mapToLong(LogStream::storedBytes).sum();
        Shape shape = Shape.of().put("logGroupName", group.name()).put("creationTime", group.created())
                .put("metricFilterCount", logs.metricFilters(group.arn()).size()).put("arn", group.arn() + ":*")
                .put("storedBytes", stored).put("logGroupClass", group.logGroupClass())
                .put("logGroupArn", group.arn());
        if (group.retentionDays() != null) {
            shape.put("retentionInDays", group.retentionDays());
        }
        if (group.kmsKeyId() != null) {
            shape.put("kmsKeyId", group.kmsKeyId());
        }
        return shape;
    }

    /** A page's opening: the position a previous page's token names. */
    private static int pageStart(String token, int size) {
        if (token == null) {
            return 0;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int from = Integer.parseInt(decoded.substring(decoded.indexOf(':') + 1));
            if (!decoded.startsWith("page:") || from < 0 || from > size) {
                throw new IllegalArgumentException();
            }
            return from;
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            throw invalid("The specified nextToken is invalid.");
        }
    }

    private static String pageToken(int from) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("page:" + from).getBytes(StandardCharsets.UTF_8));
    }

    private PreparedCall putRetentionPolicy(Call call, Input input) {
        String arn = groupArn(call, input.string("logGroupName"));
        int days = input.integer("retentionInDays");
        if (!RETENTION_DAYS.contains(days)) {
            throw invalid("1 validation error detected: Value '" + days + "' at 'retentionInDays' failed to satisfy"
                    + " constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365,"
                    + " 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]");
        }
        return PreparedCall.of(List.of(groupCheck("PutRetentionPolicy", arn)), () -> {
            LogGroup group = existingGroup(arn).withRetention(days);
            logs.put(group);
            long notBefore = now() - Duration.ofDays(days).toMillis();
            for (LogStream stream : List.copyOf(logs.streams(arn))) {
                logs.expire(stream, notBefore);
            }
            return null;
        });
    }

    private PreparedCall deleteRetentionPolicy(Call call, Input input) {
        String arn = groupArn(call, input.string("logGroupName"));
        return PreparedCall.of(List.of(groupCheck("DeleteRetentionPolicy", arn)), () -> {
            logs.put(existingGroup(arn).withRetention(null));
            return null;
        });
    }

    /** The earliest timestamp a group keeps, under its retention. */
    private long retained(LogGroup group) {
        return group.retentionDays() == null ? Long.MIN_VALUE
                : now() - Duration.ofDays(group.retentionDays()).toMillis();
    }

    // ---- streams ------------------------------------------------------------------------------------------

    private PreparedCall createLogStream(Call call, Input input) {
        String groupArn = groupArn(call, input.string("logGroupName"));
        String name = input.string("logStreamName");
        return PreparedCall.of(List.of(streamCheck("CreateLogStream", groupArn, name)), () -> {
            existingGroup(groupArn);
            String arn = groupArn + ":log-stream:" + name;
            if (logs.stream(arn).isPresent()) {
                throw new AwsException("ResourceAlreadyExistsException", 400, "The specified log stream already exists");
            }
            logs.put(new LogStream(groupArn, name, now(), null, null, null, 0, 0));
            return null;
        });
    }

    private PreparedCall deleteLogStream(Call call, Input input) {
        String groupArn = groupArn(call, input.string("logGroupName"));
        String name = input.string("logStreamName");
        return PreparedCall.of(List.of(streamCheck("DeleteLogStream", groupArn, name)), () -> {
            existingGroup(groupArn);
            logs.remove(logs.stream(groupArn + ":log-stream:" + name).orElseThrow(LogsService::streamNotFound));
            return null;
        });
    }

    private PreparedCall describeLogStreams(Call call, Input input) {
        String groupArn = identifiedGroup(call, input);
        String prefix = input.string("logStreamNamePrefix");
        boolean byLastEvent = "LastEventTime".equals(input.string("orderBy"));
        if (byLastEvent && prefix != null) {
            throw invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
        }
        boolean descending = input.bool("descending", false);
        int limit = input.integer("limit") == null ? 50 : input.integer("limit");
        String token = input.string("nextToken");
        return PreparedCall.of(List.of(groupCheck("DescribeLogStreams", groupArn)), () -> {
            existingGroup(groupArn);
            List<LogStream> matching = new ArrayList<>(logs.streams(groupArn).stream()
                    .filter(s -> prefix == null || s.name().startsWith(prefix)).toList());
            if (byLastEvent) {
                matching.sort(Comparator.comparing((LogStream s) -> s.lastEvent() == null ? s.created()
                        : s.lastEvent()).thenComparing(LogStream::name));
            }
            if (descending) {
                java.util.Collections.reverse(matching);
            }
            int from = pageStart(token, matching.size());
            int to = Math.min(matching.size(), from + limit);
            List<Shape> shown = new ArrayList<>();
            for (LogStream stream : matching.subList(from, to)) {
                Shape s = Shape.of().put("logStreamName", stream.name()).put("creationTime", stream.created())
                        .put("arn", stream.arn()).put("storedBytes", 0L);
                if (stream.firstEvent() != null) {
                    s.put("firstEventTimestamp", stream.firstEvent()).put("lastEventTimestamp", stream.lastEvent())
                            .put("lastIngestionTime", stream.lastIngestion());
                }
                shown.add(s);
            }
            Shape out = Shape.of().put("logStreams", shown);
            return to < matching.size() ? out.put("nextToken", pageToken(to)) : out;
        });
    }

    // ---- events -------------------------------------------------------------------------------------------

    private PreparedCall putLogEvents(Call call, Input input) {
        String groupArn = groupArn(call, input.string("logGroupName"));
        String name = input.string("logStreamName");
        List<Input> events = input.list("logEvents");
        long bytes = 0;
        for (int i = 0; i < events.size(); i++) {
            bytes += events.get(i).string("message").getBytes(StandardCharsets.UTF_8).length + EVENT_OVERHEAD;
            if (i > 0 && events.get(i).longValue("timestamp") < events.get(i - 1).longValue("timestamp")) {
                throw invalid("Log events in a single PutLogEvents request must be in chronological order.");
            }
        }
        if (bytes > MAX_BATCH_BYTES) {
            throw invalid("Upload too large: " + bytes + " bytes exceeds limit of " + MAX_BATCH_BYTES);
        }
        if (events.get(events.size() - 1).longValue("timestamp") - events.get(0).longValue("timestamp") > MAX_SPAN) {
            throw invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
        }
        return PreparedCall.of(List.of(streamCheck("PutLogEvents", groupArn, name)), () -> {
            LogGroup group = existingGroup(groupArn);
            LogStream stream = logs.stream(groupArn + ":log-stream:" + name).orElseThrow(LogsService::streamNotFound);
            long now = now();
            long expiredBefore = retained(group);
            Integer tooOldEnd = null;
            Integer expiredEnd = null;
            Integer tooNewStart = null;
            List<Long> timestamps = new ArrayList<>();
            List<String> messages = new ArrayList<>();
            long acceptedBytes = 0;
            for (int i = 0; i < events.size(); i++) {
                long timestamp = events.get(i).longValue("timestamp");
                if (timestamp > now + TOO_NEW) {
                    tooNewStart = tooNewStart == null ? i : tooNewStart;
                } else if (timestamp < expiredBefore) {
                    expiredEnd = i;
                } else if (timestamp < now - TOO_OLD) {
                    tooOldEnd = i;
                } else {
                    timestamps.add(timestamp);
                    String message = events.get(i).string("message");
                    messages.add(message);
                    acceptedBytes += message.getBytes(StandardCharsets.UTF_8).length;
                }
            }
            if (!timestamps.isEmpty()) {
                logs.add(new LogDirectory.Batch(stream.arn(), stream.batches(), now, timestamps, messages));
                logs.put(stream.withBatch(timestamps.get(0), timestamps.get(timestamps.size() - 1), now,
                        acceptedBytes));
            }
            Shape out = Shape.of().put("nextSequenceToken", String.format("%056d", stream.batches() + 1));
            if (tooOldEnd != null || expiredEnd != null || tooNewStart != null) {
                Shape rejected = Shape.of();
                if (tooNewStart != null) {
                    rejected.put("tooNewLogEventStartIndex", tooNewStart);
                }
                if (tooOldEnd != null) {
                    rejected.put("tooOldLogEventEndIndex", tooOldEnd);
                }
                if (expiredEnd != null) {
                    rejected.put("expiredLogEventEndIndex", expiredEnd);
                }
                out.put("rejectedLogEventsInfo", rejected);
            }
            return out;
        });
    }

    private PreparedCall getLogEvents(Call call, Input input) {
        String groupArn = identifiedGroup(call, input);
        String name = input.string("logStreamName");
        Long startTime = input.longValue("startTime");
        Long endTime = input.longValue("endTime");
        int limit = input.integer("limit") == null ? 10_000 : input.integer("limit");
        String token = input.string("nextToken");
        boolean forward;
        String from = null;
        if (token != null) {
            if (!token.matches("[fb]/[0-9]{56}")) {
                throw invalid("The specified nextToken is invalid.");
            }
            forward = token.charAt(0) == 'f';
            from = token.substring(2);
        } else {
            forward = input.bool("startFromHead", false);
        }
        String position = from;
        return PreparedCall.of(List.of(streamCheck("GetLogEvents", groupArn, name)), () -> {
            LogGroup group = existingGroup(groupArn);
            LogStream stream = logs.stream(groupArn + ":log-stream:" + name).orElseThrow(LogsService::streamNotFound);
            List<LogEvent> events = new ArrayList<>();
            for (LogEvent event : logs.events(stream, retained(group))) {
                boolean inWindow = (startTime == null || event.timestamp() >= startTime)
                        && (endTime == null || event.timestamp() < endTime);
                boolean pastToken = position == null || (forward ? event.position().compareTo(position) > 0
                        : event.position().compareTo(position) < 0);
                if (inWindow && pastToken) {
                    events.add(event);
                }
            }
            // Forward from the head (or a forward token): the first events; otherwise the last ones.
            List<LogEvent> page = forward ? events.subList(0, Math.min(limit, events.size()))
                    : events.subList(Math.max(0, events.size() - limit), events.size());
            List<Shape> shown = new ArrayList<>();
            for (LogEvent event : page) {
                shown.add(Shape.of().put("timestamp", event.timestamp()).put("message", event.message())
                        .put("ingestionTime", event.ingestionTime()));
            }
            String zero = "0".repeat(56);
            String forwardToken = page.isEmpty() ? (position != null ? position : zero)
                    : page.get(page.size() - 1).position();
            String backwardToken = page.isEmpty() ? (position != null ? position : zero) : page.get(0).position();
            return Shape.of().put("events", shown).put("nextForwardToken", "f/" + forwardToken)
                    .put("nextBackwardToken", "b/" + backwardToken);
        });
    }

    private PreparedCall filterLogEvents(Call call, Input input) {
        String groupArn = identifiedGroup(call, input);
        List<String> streamNames = input.listOrEmpty("logStreamNames");
        String streamPrefix = input.string("logStreamNamePrefix");
        if (!streamNames.isEmpty() && streamPrefix != null) {
            throw invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
        }
        FilterPattern pattern = pattern(input.string("filterPattern"));
        Long startTime = input.longValue("startTime");
        Long endTime = input.longValue("endTime");
        if (startTime != null && endTime != null && endTime < startTime) {
            throw invalid("endTime (" + endTime + ") must be greater than startTime (" + startTime + ").");
        }
        int limit = input.integer("limit") == null ? 10_000 : input.integer("limit");
        LogEvent after = filterTokenPosition(input.string("nextToken"));
        return PreparedCall.of(List.of(groupCheck("FilterLogEvents", groupArn)), () -> {
            LogGroup group = existingGroup(groupArn);
            List<LogEvent> events = new ArrayList<>();
            for (LogStream stream : logs.streams(groupArn)) {
                if (!streamNames.isEmpty() && !streamNames.contains(stream.name())
                        || streamPrefix != null && !stream.name().startsWith(streamPrefix)) {
                    continue;
                }
                for (LogEvent event : logs.events(stream, retained(group))) {
                    if ((startTime == null || event.timestamp() >= startTime)
                            && (endTime == null || event.timestamp() <= endTime)
                            && (after == null || event.compareTo(after) > 0)
                            && pattern.matches(event.message())) {
                        events.add(event);
                    }
                }
            }
            events.sort(null); // time, then stream, then each stream's own order
            List<Shape> shown = new ArrayList<>();
            for (LogEvent event : events.subList(0, Math.min(limit, events.size()))) {
                shown.add(Shape.of().put("logStreamName", event.stream()).put("timestamp", event.timestamp())
                        .put("message", event.message()).put("ingestionTime", event.ingestionTime())
                        .put("eventId", event.position()));
            }
            Shape out = Shape.of().put("events", shown).put("searchedLogStreams", List.of());
            if (events.size() > limit) {
                LogEvent last = events.get(limit - 1);
                String position = "after:" + last.timestamp() + "/" + last.batch() + "/" + last.index() + "/"
                        + last.stream();
                out.put("nextToken", Base64.getUrlEncoder().withoutPadding().encodeToString(
                        position.getBytes(StandardCharsets.UTF_8)));
            }
            return out;
        });
    }

    /** The event a FilterLogEvents token names (its message left out): the next page starts after it. */
    private static LogEvent filterTokenPosition(String token) {
        if (token == null) {
            return null;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (!decoded.startsWith("after:")) {
                throw new IllegalArgumentException();
            }
            String[] parts = decoded.substring("after:".length()).split("/", 4);
            return new LogEvent(parts[3], Long.parseLong(parts[0]), null, 0, Long.parseLong(parts[1]),
                    Integer.parseInt(parts[2]));
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw invalid("The specified nextToken is invalid.");
        }
    }

    private static FilterPattern pattern(String text) {
        try {
            return FilterPattern.parse(text);
        } catch (FilterPattern.Invalid e) {
            throw invalid(e.getMessage());
        }
    }

    // ---- tags ---------------------------------------------------------------------------------------------

    /** A log group's ARN as the tagging operations take it: without the trailing {@code :*}. */
    private static String taggedGroup(String resourceArn) {
        String[] parts = resourceArn.split(":", 7);
        if (parts.length != 7 || !parts[0].equals("arn") || !parts[2].equals(SERVICE)
                || !parts[5].equals("log-group") || parts[6].endsWith(":*")) {
            throw invalid("Invalid resource ARN: " + resourceArn);
        }
        return resourceArn;
    }

    private PreparedCall tagResource(Call call, Input input) {
        String arn = taggedGroup(input.string("resourceArn"));
        Map<String, String> tags = tags(input, "tags");
        RequestContext.Builder context = tagContext(logs.group(arn).orElse(null)).toBuilder();
        requestTags(tags).asMap().forEach(context::put);
        AccessCheck check = new AccessCheck("logs:TagResource", arn, null, null, context.build());
        return PreparedCall.of(List.of(check), () -> addTags(arn, tags));
    }

    private Shape addTags(String arn, Map<String, String> tags) {
        LogGroup group = logs.group(arn).orElseThrow(() -> new AwsException("ResourceNotFoundException", 400,
                "The specified resource does not exist."));
        Map<String, String> merged = new LinkedHashMap<>(group.tags());
        merged.putAll(tags);
        checkTagCount(merged.size());
        logs.put(group.withTags(merged));
        return null;
    }

    private PreparedCall untagResource(Call call, Input input) {
        String arn = taggedGroup(input.string("resourceArn"));
        List<String> keys = input.list("tagKeys");
        RequestContext.Builder context = tagContext(logs.group(arn).orElse(null)).toBuilder()
                .multi("aws:TagKeys", keys);
        AccessCheck check = new AccessCheck("logs:UntagResource", arn, null, null, context.build());
        return PreparedCall.of(List.of(check), () -> {
            LogGroup group = logs.group(arn).orElseThrow(() -> new AwsException("ResourceNotFoundException", 400,
                    "The specified resource does not exist."));
            Map<String, String> remaining = new LinkedHashMap<>(group.tags());
            keys.forEach(remaining::remove);
            logs.put(group.withTags(remaining));
            return null;
        });
    }

    private PreparedCall listTagsForResource(Call call, Input input) {
        String arn = taggedGroup(input.string("resourceArn"));
        AccessCheck check = new AccessCheck("logs:ListTagsForResource", arn, null, null,
                tagContext(logs.group(arn).orElse(null)));
        return PreparedCall.of(List.of(check), () -> Shape.of().put("tags", logs.group(arn).orElseThrow(
                () -> new AwsException("ResourceNotFoundException", 400, "The specified resource does not exist."))
                .tags()));
    }

    private PreparedCall tagLogGroup(Call call, Input input) {
        String arn = groupArn(call, input.string("logGroupName"));
        Map<String, String> tags = tags(input, "tags");
        RequestContext.Builder context = tagContext(logs.group(arn).orElse(null)).toBuilder();
        requestTags(tags).asMap().forEach(context::put);
        AccessCheck check = new AccessCheck("logs:TagLogGroup", arn + ":*", null, null, context.build());
        return PreparedCall.of(List.of(check), () -> {
            existingGroup(arn);
            return addTags(arn, tags);
        });
    }

    private PreparedCall untagLogGroup(Call call, Input input) {
        String arn = groupArn(call, input.string("logGroupName"));
        List<String> keys = input.list("tags");
        return PreparedCall.of(List.of(groupCheck("UntagLogGroup", arn)), () -> {
            LogGroup group = existingGroup(arn);
            Map<String, String> remaining = new LinkedHashMap<>(group.tags());
            keys.forEach(remaining::remove);
            logs.put(group.withTags(remaining));
            return null;
        });
    }

    private PreparedCall listTagsLogGroup(Call call, Input input) {
        String arn = groupArn(call, input.string("logGroupName"));
        return PreparedCall.of(List.of(groupCheck("ListTagsLogGroup", arn)),
                () -> Shape.of().put("tags", existingGroup(arn).tags()));
    }

    // ---- metric filters -----------------------------------------------------------------------------------

    private PreparedCall putMetricFilter(Call call, Input input) {
        String arn = groupArn(call, input.string("logGroupName"));
        String name = input.string("filterName");
        String patternText = input.string("filterPattern");
        pattern(patternText);
        List<Input> transformations = input.list("metricTransformations");
        if (transformations.size() != 1) {
            throw invalid("1 validation error detected: Value at 'metricTransformations' failed to satisfy constraint:"
                    + " Member must have length less than or equal to 1");
        }
        String transformationJson;
        try {
            transformationJson = JSON.writeValueAsString(List.of(transformations.get(0).values()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return PreparedCall.of(List.of(groupCheck("PutMetricFilter", arn)), () -> {
            existingGroup(arn);
            LogDirectory.MetricFilter existing = logs.metricFilter(arn, name).orElse(null);
            if (existing == null && logs.metricFilters(arn).size() >= MAX_METRIC_FILTERS) {
                throw new AwsException("LimitExceededException", 400, "Resource limit exceeded.");
            }
            logs.put(new LogDirectory.MetricFilter(arn, name, patternText, transformationJson,
                    existing == null ? now() : existing.created()));
            return null;
        });
    }

    private PreparedCall describeMetricFilters(Call call, Input input) {
        String groupName = input.string("logGroupName");
        String prefix = input.string("filterNamePrefix");
        if (prefix != null && groupName == null) {
            throw invalid("LogGroup name is required when filterNamePrefix is provided.");
        }
        String metricName = input.string("metricName");
        String metricNamespace = input.string("metricNamespace");
        if ((metricName == null) != (metricNamespace == null)) {
            throw invalid("metricName and metricNamespace must be provided together.");
        }
        int limit = input.integer("limit") == null ? 50 : input.integer("limit");
        String token = input.string("nextToken");
        String arn = groupName == null ? null : groupArn(call, groupName);
        AccessCheck check = arn == null ? AccessCheck.of("logs:DescribeMetricFilters", "*")
                : groupCheck("DescribeMetricFilters", arn);
        return PreparedCall.of(List.of(check), () -> {
            List<LogDirectory.MetricFilter> filters = new ArrayList<>();
            if (arn != null) {
                existingGroup(arn);
                filters.addAll(logs.metricFilters(arn));
            } else {
                for (LogGroup group : logs.groups(account(call), call.region())) {
                    filters.addAll(logs.metricFilters(group.arn()));
                }
            }
            List<Shape> matching = new ArrayList<>();
            for (LogDirectory.MetricFilter filter : filters) {
                List<Map<String, Object>> transformations = transformations(filter);
                boolean metricMatches = metricName == null || transformations.stream().anyMatch(t ->
                        metricName.equals(t.get("metricName")) && metricNamespace.equals(t.get("metricNamespace")));
                List<Shape> shownTransformations = new ArrayList<>();
                for (Map<String, Object> transformation : transformations) {
                    Shape shown = Shape.of();
                    transformation.forEach(shown::put);
                    shownTransformations.add(shown);
                }
                if ((prefix == null || filter.name().startsWith(prefix)) && metricMatches) {
                    String groupOfFilter = filter.groupArn().substring(filter.groupArn().indexOf(":log-group:")
                            + ":log-group:".length());
                    matching.add(Shape.of().put("filterName", filter.name()).put("filterPattern", filter.pattern())
                            .put("metricTransformations", shownTransformations).put("creationTime", filter.created())
                            .put("logGroupName", groupOfFilter));
                }
            }
            int from = pageStart(token, matching.size());
            int to = Math.min(matching.size(), from + limit);
            Shape out = Shape.of().put("metricFilters", new ArrayList<>(matching.subList(from, to)));
            return to < matching.size() ? out.put("nextToken", pageToken(to)) : out;
        });
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> transformations(LogDirectory.MetricFilter filter) {
        try {
            return JSON.readValue(filter.transformations(), List.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private PreparedCall deleteMetricFilter(Call call, Input input) {
        String arn = groupArn(call, input.string("logGroupName"));
        String name = input.string("filterName");
        return PreparedCall.of(List.of(groupCheck("DeleteMetricFilter", arn)), () -> {
            existingGroup(arn);
            logs.remove(logs.metricFilter(arn, name).orElseThrow(() -> new AwsException("ResourceNotFoundException",
                    400, "The specified metric filter does not exist.")));
            return null;
        });
    }

    private PreparedCall testMetricFilter(Call call, Input input) {
        FilterPattern pattern = pattern(input.string("filterPattern"));
        List<String> messages = input.list("logEventMessages");
        return PreparedCall.of(List.of(AccessCheck.of("logs:TestMetricFilter", "*")), () -> {
            List<Shape> matches = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                if (pattern.matches(messages.get(i))) {
                    matches.add(Shape.of().put("eventNumber", (long) i + 1).put("eventMessage", messages.get(i))
                            .put("extractedValues", pattern.extracted(messages.get(i))));
                }
            }
            return Shape.of().put("matches", matches);
        });
    }

    // ---- resource policies --------------------------------------------------------------------------------

    private PreparedCall putResourcePolicy(Call call, Input input) {
        String name = input.string("policyName");
        String document = input.string("policyDocument");
        String resourceArn = input.string("resourceArn");
        String expectedRevision = input.string("expectedRevisionId");
        if (document == null) {
            throw invalid("policyDocument is required.");
        }
        if (resourceArn == null && name == null) {
            throw invalid("policyName is required.");
        }
        String groupArn = resourceArn == null ? null : taggedGroup(resourceArn.endsWith(":*")
                ? resourceArn.substring(0, resourceArn.length() - 2) : resourceArn);
        try {
            Policies.parse(document, PolicyKind.RESOURCE, "resource policy");
        } catch (InvalidPolicyException e) {
            throw invalid(e.diagnostic().message());
        }
        return PreparedCall.of(List.of(AccessCheck.of("logs:PutResourcePolicy", "*")), () -> {
            long now = now();
            LogDirectory.ResourcePolicy policy;
            if (groupArn != null) {
                LogGroup group = logs.group(groupArn).filter(g -> g.account().equals(account(call)))
                        .orElseThrow(LogsService::groupNotFound);
                LogDirectory.ResourcePolicy existing = logs.policy("resource:" + groupArn).orElse(null);
                String current = existing == null ? null : existing.revisionId();
                if (!java.util.Objects.equals(current, expectedRevision)) {
                    throw new AwsException("OperationAbortedException", 400, "Expected revision id "
                            + expectedRevision + " does not match the current revision id " + current + ".");
                }
                policy = new LogDirectory.ResourcePolicy(group.account(), group.region(), name != null ? name
                        : "LogGroupResourcePolicy", groupArn, document, now, UUID.randomUUID().toString());
            } else {
                boolean exists = logs.policy("account:" + account(call) + ":" + call.region() + ":" + name).isPresent();
                long count = logs.policies(account(call), call.region()).stream()
                        .filter(p -> p.resourceArn() == null).count();
                if (!exists && count >= MAX_ACCOUNT_POLICIES) {
                    throw new AwsException("LimitExceededException", 400, "Resource limit exceeded.");
                }
                policy = new LogDirectory.ResourcePolicy(account(call), call.region(), name, null, document, now, null);
            }
            logs.put(policy);
            Shape out = Shape.of().put("resourcePolicy", policyShape(policy));
            return policy.revisionId() == null ? out : out.put("revisionId", policy.revisionId());
        });
    }

    private static Shape policyShape(LogDirectory.ResourcePolicy policy) {
        Shape shape = Shape.of().put("policyName", policy.name()).put("policyDocument", policy.document())
                .put("lastUpdatedTime", policy.updated())
                .put("policyScope", policy.resourceArn() == null ? "ACCOUNT" : "RESOURCE");
        if (policy.resourceArn() != null) {
            shape.put("resourceArn", policy.resourceArn()).put("revisionId", policy.revisionId());
        }
        return shape;
    }

    private PreparedCall describeResourcePolicies(Call call, Input input) {
        String resourceArn = input.string("resourceArn");
        String scope = input.string("policyScope");
        int limit = input.integer("limit") == null ? 50 : input.integer("limit");
        String token = input.string("nextToken");
        return PreparedCall.of(List.of(AccessCheck.of("logs:DescribeResourcePolicies", "*")), () -> {
            List<Shape> matching = new ArrayList<>();
            for (LogDirectory.ResourcePolicy policy : logs.policies(account(call), call.region())) {
                String policyScope = policy.resourceArn() == null ? "ACCOUNT" : "RESOURCE";
                if ((resourceArn == null || resourceArn.equals(policy.resourceArn()))
                        && (scope == null || scope.equals(policyScope))) {
                    matching.add(policyShape(policy));
                }
            }
            int from = pageStart(token, matching.size());
            int to = Math.min(matching.size(), from + limit);
            Shape out = Shape.of().put("resourcePolicies", new ArrayList<>(matching.subList(from, to)));
            return to < matching.size() ? out.put("nextToken", pageToken(to)) : out;
        });
    }

    private PreparedCall deleteResourcePolicy(Call call, Input input) {
        String name = input.string("policyName");
        String resourceArn = input.string("resourceArn");
        String expectedRevision = input.string("expectedRevisionId");
        if (name == null && resourceArn == null) {
            throw invalid("policyName is required.");
        }
        String key = resourceArn != null ? "resource:" + resourceArn
                : "account:" + account(call) + ":" + call.region() + ":" + name;
        return PreparedCall.of(List.of(AccessCheck.of("logs:DeleteResourcePolicy", "*")), () -> {
            LogDirectory.ResourcePolicy policy = logs.policy(key).filter(p -> p.account().equals(account(call)))
                    .orElseThrow(() -> new AwsException("ResourceNotFoundException", 400, "Policy with name ["
                            + (name != null ? name : resourceArn) + "] does not exist"));
            if (policy.resourceArn() != null && expectedRevision != null
                    && !expectedRevision.equals(policy.revisionId())) {
                throw new AwsException("OperationAbortedException", 400, "Expected revision id " + expectedRevision
                        + " does not match the current revision id " + policy.revisionId() + ".");
            }
            logs.remove(policy);
            return null;
        });
    }
}
