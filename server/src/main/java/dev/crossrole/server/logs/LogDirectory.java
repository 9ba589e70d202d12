package dev.crossrole.server.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.store.RecordCache;
import dev.crossrole.server.store.RecordCacheReplica;
import dev.crossrole.server.store.StoreException;
import dev.crossrole.server.store.StoredRecord;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The log groups of every account with their streams, events, metric filters and resource policies, kept as caches
 * of their records in the store. A PutLogEvents batch is one record ({@code logs.events}, keyed by its stream's ARN
 * and its number), so that taking events writes what they add and never rewrites what a stream already holds.
 *
 * <p>Events are not held: of each batch the directory keeps what retention and queries decide on without its events
 * ({@link BatchInfo}), and reads a batch's record from the store when a query needs its events, keeping the batches
 * read last (at most {@link #DECODED_BYTES} of them) decoded. Memory so does not grow with the events stored.
 */
public final class LogDirectory extends RecordCacheReplica {
    static final String GROUPS = "logs.groups";
    static final String STREAMS = "logs.streams";
    static final String EVENTS = "logs.events";
    static final String METRIC_FILTERS = "logs.metric-filters";
    static final String POLICIES = "logs.resource-policies";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** About how much memory the batches kept decoded may take (their messages, two bytes a character). */
    static final long DECODED_BYTES = 32L << 20;

    /** The events of one PutLogEvents call, in the order they came (chronological, as PutLogEvents requires). */
    record Batch(String streamArn, long number, long ingestion, List<Long> timestamps, List<String> messages) {
        Batch {
            timestamps = List.copyOf(timestamps);
            messages = List.copyOf(messages);
        }

        String key() {
            return key(streamArn, number);
        }

        static String key(String streamArn, long number) {
            String digits = Long.toString(number); // as %019d, without a Formatter: queries make a key per batch
            return streamArn + ":" + "0".repeat(Math.max(0, 19 - digits.length())) + digits;
        }
    }

    /**
     * What the directory holds of a batch: its number and its latest event's time (all retention and queries decide on
     * without its events). A batch this node has just taken keeps its events until they are flushed into the store's
     * transaction.
     */
    static final class BatchInfo {
        private final long number;
        private final long latest;
        private volatile Batch unflushed;

        private BatchInfo(long number, long latest, Batch unflushed) {
            this.number = number;
            this.latest = latest;
            this.unflushed = unflushed;
        }

        static BatchInfo of(Batch batch, boolean keep) {
            long latest = Long.MIN_VALUE;
            for (long t : batch.timestamps()) {
                latest = Math.max(latest, t);
            }
            return new BatchInfo(batch.number(), latest, keep ? batch : null);
        }

        long number() {
            return number;
        }
    }

    /** A batch read from the store, for the {@link BatchInfo} it was read for (a failed commit may reuse the key). */
    private record Decoded(BatchInfo info, Batch batch, long bytes) {}

    /**
     * A metric filter: its pattern and what it would count. crossrole serves no CloudWatch metrics, so the counts are
     * never published; TestMetricFilter shows what the pattern matches.
     *
     * @param transformations the {@code metricTransformations} as given (JSON)
     */
    record MetricFilter(String groupArn, String name, String pattern, String transformations, long created) {
        String key() {
            return groupArn + ":metric-filter:" + name;
        }
    }

    /**
     * A resource policy: account-wide ({@code resourceArn} {@code null}) or on one log group.
     *
     * @param name the policy's name; for a log group's policy, the name CloudWatch Logs gives it
     */
    record ResourcePolicy(String account, String region, String name, String resourceArn, String document,
                          long updated, String revisionId) {
        String key() {
            return resourceArn != null ? "resource:" + resourceArn : "account:" + account + ":" + region + ":" + name;
        }
    }

    private final Clock clock;
    private final RecordCache<LogGroup> groups = new RecordCache<>(GROUPS, LogDirectory::groupBytes,
            bytes -> readGroup(parse(GROUPS, bytes)));
    private final RecordCache<LogStream> streams = RecordCache.sorted(STREAMS, LogDirectory::streamBytes,
            bytes -> readStream(parse(STREAMS, bytes)));
    private final RecordCache<BatchInfo> batches = RecordCache.sorted(EVENTS, this::flushed,
            bytes -> BatchInfo.of(readBatch(parse(EVENTS, bytes)), false));
    /** The committed batches, read on demand. */
    private final BiFunction<String, String, Optional<StoredRecord>> committed;
    /** The batches read or flushed last, by key, least recently used first; guarded by itself. */
    private final LinkedHashMap<String, Decoded> decoded = new LinkedHashMap<>(256, 0.75f, true);
    private long decodedBytes;
    private final RecordCache<MetricFilter> metricFilters = RecordCache.sorted(METRIC_FILTERS,
            LogDirectory::filterBytes, bytes -> readFilter(parse(METRIC_FILTERS, bytes)));
    private final RecordCache<ResourcePolicy> policies = new RecordCache<>(POLICIES, LogDirectory::policyBytes,
            bytes -> readPolicy(parse(POLICIES, bytes)));
    private final List<RecordCache<?>> caches = List.of(groups, streams, batches, metricFilters, policies);

    /** @param committed reads a committed record of the store, for the events of a batch when a query needs them */
    public LogDirectory(Clock clock, BiFunction<String, String, Optional<StoredRecord>> committed) {
        this.clock = clock;
        this.committed = committed;
    }

    Clock clock() {
        return clock;
    }

    // ---- groups ------------------------------------------------------------------------------------------

    Optional<LogGroup> group(String arn) {
        return groups.get(arn);
    }

    /** The groups of an account and region, by name. */
    List<LogGroup> groups(String account, String region) {
        return groups.values().stream().filter(g -> g.account().equals(account) && g.region().equals(region))
                .sorted(Comparator.comparing(LogGroup::name)).toList();
    }

    void put(LogGroup group) {
        groups.put(group.arn(), group);
    }

    /** Removes a group with everything in it. */
    void remove(LogGroup group) {
        for (LogStream stream : List.copyOf(streams(group.arn()))) {
            remove(stream);
        }
        for (MetricFilter filter : List.copyOf(metricFilters(group.arn()))) {
            metricFilters.remove(filter.key());
        }
        policies.remove("resource:" + group.arn());
        groups.remove(group.arn());
    }

    // ---- streams and events ------------------------------------------------------------------------------

    Optional<LogStream> stream(String arn) {
        return streams.get(arn);
    }

    /** A group's streams, by name. */
    java.util.Collection<LogStream> streams(String groupArn) {
        return streams.withPrefix(groupArn + ":log-stream:");
    }

    void put(LogStream stream) {
        streams.put(stream.arn(), stream);
    }

    void remove(LogStream stream) {
        for (BatchInfo batch : List.copyOf(batches.withPrefix(stream.arn() + ":"))) {
            batches.remove(Batch.key(stream.arn(), batch.number()));
        }
        streams.remove(stream.arn());
    }

    void add(Batch batch) {
        batches.put(batch.key(), BatchInfo.of(batch, true));
    }

    /** A stream's events at or after {@code notBefore} (retention), in order. */
    List<LogEvent> events(LogStream stream, long notBefore) {
        List<LogEvent> events = new ArrayList<>();
        for (BatchInfo info : batches.withPrefix(stream.arn() + ":")) {
            if (info.latest < notBefore) {
                continue;
            }
            Batch batch = batch(Batch.key(stream.arn(), info.number), info);
            if (batch == null) {
                continue; // deleted since by another node (retention, or the stream's deletion)
            }
            for (int i = 0; i < batch.timestamps().size(); i++) {
                long timestamp = batch.timestamps().get(i);
                if (timestamp >= notBefore) {
                    events.add(new LogEvent(stream.name(), timestamp, batch.messages().get(i), batch.ingestion(),
                            batch.number(), i));
                }
            }
        }
        events.sort(null);
        return events;
    }

    /** Deletes a stream's batches whose every event is older than {@code notBefore}: retention's work. */
    void expire(LogStream stream, long notBefore) {
        for (BatchInfo batch : List.copyOf(batches.withPrefix(stream.arn() + ":"))) {
            if (batch.latest < notBefore) {
                batches.remove(Batch.key(stream.arn(), batch.number()));
            }
        }
    }

    /** A batch's events: those not yet flushed, or decoded lately, or read from the store (null if gone from it). */
    private Batch batch(String key, BatchInfo info) {
        Batch unflushed = info.unflushed;
        if (unflushed != null) {
            return unflushed;
        }
        synchronized (decoded) {
            Decoded known = decoded.get(key);
            if (known != null && known.info() == info) {
                return known.batch();
            }
        }
        Optional<StoredRecord> record = committed.apply(EVENTS, key);
        if (record.isEmpty()) {
            return null;
        }
        Batch batch = readBatch(parse(EVENTS, record.get().value()));
        remember(key, info, batch);
        return batch;
    }

    private void remember(String key, BatchInfo info, Batch batch) {
        long bytes = 64L * batch.messages().size();
        for (String message : batch.messages()) {
            bytes += 2L * message.length();
        }
        synchronized (decoded) {
            Decoded previous = decoded.put(key, new Decoded(info, batch, bytes));
            decodedBytes += bytes - (previous == null ? 0 : previous.bytes());
            var eldest = decoded.values().iterator();
            while (decodedBytes > DECODED_BYTES && eldest.hasNext()) {
                decodedBytes -= eldest.next().bytes();
                eldest.remove();
            }
        }
    }

    /**
     * A batch's record for the store's transaction; its events then go from the batch to the decoded ones, which a
     * bound keeps, since the store holds them from the commit on (a failed commit takes the batch out again).
     */
    private byte[] flushed(BatchInfo info) {
        Batch batch = info.unflushed;
        if (batch == null) {
            throw new IllegalStateException("batch " + info.number + " was flushed already");
        }
        byte[] bytes = batchBytes(batch);
        remember(batch.key(), info, batch);
        info.unflushed = null;
        return bytes;
    }

    // ---- metric filters and policies ---------------------------------------------------------------------

    java.util.Collection<MetricFilter> metricFilters(String groupArn) {
        return metricFilters.withPrefix(groupArn + ":metric-filter:");
    }

    Optional<MetricFilter> metricFilter(String groupArn, String name) {
        return metricFilters.get(groupArn + ":metric-filter:" + name);
    }

    void put(MetricFilter filter) {
        metricFilters.put(filter.key(), filter);
    }

    void remove(MetricFilter filter) {
        metricFilters.remove(filter.key());
    }

    /** The account-wide policies and log group policies of an account and region. */
    List<ResourcePolicy> policies(String account, String region) {
        return policies.values().stream().filter(p -> p.account().equals(account) && p.region().equals(region))
                .sorted(Comparator.comparing(ResourcePolicy::key)).toList();
    }

    Optional<ResourcePolicy> policy(String key) {
        return policies.get(key);
    }

    void put(ResourcePolicy policy) {
        policies.put(policy.key(), policy);
    }

    void remove(ResourcePolicy policy) {
        policies.remove(policy.key());
    }

    @Override
    protected List<RecordCache<?>> caches() {
        return caches;
    }

    // ---- records -----------------------------------------------------------------------------------------

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String namespace, byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new StoreException("a record of " + namespace + " is not JSON: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Long number(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asLong() : null;
    }

    private static byte[] groupBytes(LogGroup g) {
        ObjectNode n = JSON.createObjectNode().put("account", g.account()).put("region", g.region())
                .put("name", g.name()).put("created", g.created()).put("retentionDays", g.retentionDays())
                .put("kmsKeyId", g.kmsKeyId()).put("class", g.logGroupClass());
        ObjectNode tags = n.putObject("tags");
        g.tags().forEach(tags::put);
        return bytes(n);
    }

    private static LogGroup readGroup(JsonNode n) {
        Map<String, String> tags = new LinkedHashMap<>();
        n.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        return new LogGroup(n.get("account").asText(), n.get("region").asText(), n.get("name").asText(),
                n.get("created").asLong(), n.hasNonNull("retentionDays") ? n.get("retentionDays").asInt() : null,
                text(n, "kmsKeyId"), text(n, "class"), tags);
    }

    private static byte[] streamBytes(LogStream s) {
        return bytes(JSON.createObjectNode().put("group", s.groupArn()).put("name", s.name())
                .put("created", s.created()).put("first", s.firstEvent()).put("last", s.lastEvent())
                .put("ingestion", s.lastIngestion()).put("bytes", s.storedBytes()).put("batches", s.batches()));
    }

    private static LogStream readStream(JsonNode n) {
        return new LogStream(n.get("group").asText(), n.get("name").asText(), n.get("created").asLong(),
                number(n, "first"), number(n, "last"), number(n, "ingestion"), n.path("bytes").asLong(),
                n.path("batches").asLong());
    }

    private static byte[] batchBytes(Batch b) {
        ObjectNode n = JSON.createObjectNode().put("stream", b.streamArn()).put("number", b.number())
                .put("ingestion", b.ingestion());
        ArrayNode times = n.putArray("timestamps");
        b.timestamps().forEach(times::add);
        ArrayNode messages = n.putArray("messages");
        b.messages().forEach(messages::add);
        return bytes(n);
    }

    private static Batch readBatch(JsonNode n) {
        List<Long> times = new ArrayList<>();
        n.path("timestamps").forEach(t -> times.add(t.asLong()));
        List<String> messages = new ArrayList<>();
        n.path("messages").forEach(m -> messages.add(m.asText()));
        return new Batch(n.get("stream").asText(), n.get("number").asLong(), n.get("ingestion").asLong(), times,
                messages);
    }

    private static byte[] filterBytes(MetricFilter f) {
        return bytes(JSON.createObjectNode().put("group", f.groupArn()).put("name", f.name())
                .put("pattern", f.pattern()).put("transformations", f.transformations()).put("created", f.created()));
    }

    private static MetricFilter readFilter(JsonNode n) {
        return new MetricFilter(n.get("group").asText(), n.get("name").asText(), n.get("pattern").asText(),
                n.get("transformations").asText(), n.get("created").asLong());
    }

    private static byte[] policyBytes(ResourcePolicy p) {
        return bytes(JSON.createObjectNode().put("account", p.account()).put("region", p.region())
                .put("name", p.name()).put("resourceArn", p.resourceArn()).put("document", p.document())
                .put("updated", p.updated()).put("revisionId", p.revisionId()));
    }

    private static ResourcePolicy readPolicy(JsonNode n) {
        return new ResourcePolicy(n.get("account").asText(), n.get("region").asText(), n.get("name").asText(),
                text(n, "resourceArn"), n.get("document").asText(), n.get("updated").asLong(), text(n, "revisionId"));
    }

}
