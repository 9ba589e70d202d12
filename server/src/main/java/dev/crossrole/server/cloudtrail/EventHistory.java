package dev.crossrole.server.cloudtrail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.store.Replica;
import dev.crossrole.server.store.StateSync;
import dev.crossrole.server.store.StoreException;
import dev.crossrole.server.store.StoredRecord;
import dev.crossrole.server.store.Transaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The CloudTrail events of every account, kept in the store ({@code cloudtrail.events}) and bounded by a retention
 * period and a number of events.
 *
 * <p>No request waits for its event to be written: events are queued in memory (at most {@link #MAX_PENDING}; past
 * that the oldest queued are dropped and the drop is logged) and a background writer commits what is queued, as
 * records of at most {@link #BATCH_EVENTS} events (batches), in one transaction every {@link #WRITE_INTERVAL}, and
 * once more when crossrole closes; a crash loses at most that interval of history. Lookups see the queued events too. The same writer deletes the batches that retention or the
 * bound on events let go, by the server's (adjustable) clock.
 *
 * <p>Events are not held: of each batch the history keeps what lookups decide on without its events (its times and
 * the accounts it has events of), and reads a batch from the store when a lookup needs it, keeping the batches read
 * last (at most {@link #DECODED_BYTES} of them) decoded. The embedded store keeps this namespace's values in its files
 * only, so memory does not grow with the events stored.
 */
public final class EventHistory implements Replica, AutoCloseable {
    static final String NAMESPACE = "cloudtrail.events";
    /** The event history's retention on AWS: 90 days. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(90);
    /** How many events are kept at most, whatever their age (the oldest batches go first). */
    public static final long DEFAULT_MAX_EVENTS = 200_000;
    static final int MAX_PENDING = 20_000;
    /** Events in one record at most: a record of them stays well under a megabyte. */
    static final int BATCH_EVENTS = 200;
    static final long DECODED_BYTES = 16L << 20;
    static final Duration WRITE_INTERVAL = Duration.ofMillis(500);
    private static final Logger LOG = Logger.getLogger(EventHistory.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What the history holds of a batch: its key, the times of its first and last events, how many it has and whose.
     * A batch this node has just written keeps its events until the next write, by when its commit is decided.
     */
    static final class BatchInfo {
        final String key;
        final long earliest;
        final long latest;
        final int count;
        final Set<String> recipients;
        volatile List<TrailEvent> unflushed;

        BatchInfo(String key, List<TrailEvent> events, boolean keep) {
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            Set<String> accounts = new HashSet<>();
            for (TrailEvent event : events) {
                first = Math.min(first, event.time());
                last = Math.max(last, event.time());
                accounts.add(event.recipient());
            }
            this.key = key;
            this.earliest = first;
            this.latest = last;
            this.count = events.size();
            this.recipients = Set.copyOf(accounts);
            this.unflushed = keep ? List.copyOf(events) : null;
        }

        /** A committed batch as its record's summary describes it (its events are not read). */
        BatchInfo(String key, long earliest, long latest, int count, Set<String> recipients) {
            this.key = key;
            this.earliest = earliest;
            this.latest = latest;
            this.count = count;
            this.recipients = Set.copyOf(recipients);
            this.unflushed = null;
        }
    }

    /** A page of a lookup: the events, newest first, and whether more follow. */
    record Page(List<TrailEvent> events, boolean more) {}

    private final StateSync sync;
    private final Clock clock;
    private final Duration retention;
    private final long maxEvents;
    private final BiFunction<String, String, Optional<StoredRecord>> committed;
    /** Events recorded but not yet written, oldest first; guarded by this. */
    private final ArrayDeque<TrailEvent> pending = new ArrayDeque<>();
    /** The batches in the store, by key (first event's time, then a unique suffix); guarded by this. */
    private final TreeMap<String, BatchInfo> batches = new TreeMap<>();
    private long storedEvents;
    /** What the last flush wrote and deleted, for a discard to undo if its commit failed; guarded by this. */
    private final List<BatchInfo> written = new ArrayList<>();
    private final List<BatchInfo> deleted = new ArrayList<>();
    /** The events a flush has taken from the queue and not yet put in the index; guarded by this. */
    private List<TrailEvent> takenEvents = List.of();
    /** The batches read last, by key, least recently used first; guarded by itself. */
    private final LinkedHashMap<String, List<TrailEvent>> decoded = new LinkedHashMap<>(64, 0.75f, true);
    private long decodedBytes;
    private long dropped;
    /** Set while the background writer's transaction runs: only it takes the queued events into a batch. */
    private volatile boolean writing;
    private volatile boolean failing;
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "crossrole-event-history");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param retention how long events are kept ({@link Duration#ZERO}: none are kept)
     * @param maxEvents how many events are kept at most
     * @param committed reads a committed record of the store, for a batch's events when a lookup needs them
     */
    EventHistory(StateSync sync, Clock clock, Duration retention, long maxEvents,
                 BiFunction<String, String, Optional<StoredRecord>> committed) {
        this.sync = sync;
        this.clock = clock;
        this.retention = retention;
        this.maxEvents = maxEvents;
        this.committed = committed;
    }

    /** A history registered with the store's caches, its writer started; {@link StateSync#load} fills it. */
    public static EventHistory attach(StateSync sync, Clock clock, Duration retention, long maxEvents) {
        EventHistory history = new EventHistory(sync, clock, retention, maxEvents, sync.store()::read);
        sync.register(history);
        history.writer.scheduleWithFixedDelay(history::writeQuietly, WRITE_INTERVAL.toMillis(),
                WRITE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return history;
    }

    Duration retention() {
        return retention;
    }

    Clock clock() {
        return clock;
    }

    /** Queues an event to be written (nothing, when retention keeps none). */
    void add(TrailEvent event) {
        if (retention.isZero()) {
            return;
        }
        synchronized (this) {
            if (pending.size() >= MAX_PENDING) {
                pending.removeFirst();
                if (dropped++ % 10_000 == 0) {
                    LOG.warning("the event history's queue is full: the oldest queued events are dropped");
                }
            }
            pending.addLast(event);
        }
    }

    /** Writes what is queued and deletes what retention lets go, now; for the writer, tests and closing. */
    void write() {
        boolean due;
        synchronized (this) {
            due = !pending.isEmpty() || expiryDue(clock.millis());
        }
        if (!due) {
            return;
        }
        writing = true;
        try {
            sync.write(tx -> null);
        } finally {
            writing = false;
        }
    }

    private void writeQuietly() {
        try {
            write();
            if (failing) {
                LOG.info("writing the event history works again");
            }
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.log(Level.WARNING, "cannot write the event history; retrying", e);
            }
            failing = true;
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeQuietly();
    }

    // ---- lookups -----------------------------------------------------------------------------------------

    /**
     * An account's events that {@code matches} accepts, between two times (inclusive, epoch milliseconds) and within
     * retention, newest first, after {@code after} (the last event of the previous page; {@code null} for the first).
     */
    Page lookup(String account, long start, long end, Predicate<TrailEvent> matches, TrailEvent after, int limit) {
        long notBefore = retention.isZero() ? Long.MAX_VALUE : clock.millis() - retention.toMillis();
        long from = Math.max(start, notBefore);
        long to = after == null ? end : Math.min(end, after.time());
        Predicate<TrailEvent> wanted = e -> e.recipient().equals(account) && e.time() >= from && e.time() <= end
                && (after == null || TrailEvent.newestFirst(after, e) < 0) && matches.test(e);
        List<TrailEvent> found = new ArrayList<>();
        List<BatchInfo> candidates = new ArrayList<>();
        synchronized (this) {
            for (TrailEvent event : pending) {
                if (wanted.test(event)) {
                    found.add(event);
                }
            }
            for (TrailEvent event : takenEvents) {
                if (wanted.test(event)) {
                    found.add(event);
                }
            }
            for (BatchInfo info : batches.values()) {
                if (info.recipients.contains(account) && info.latest >= from && info.earliest <= to) {
                    candidates.add(info);
                }
            }
        }
        found.sort(TrailEvent::newestFirst);
        trim(found, limit + 1);
        candidates.sort(Comparator.comparingLong((BatchInfo b) -> b.latest).reversed());
        for (BatchInfo info : candidates) {
            if (found.size() > limit && info.latest < found.get(limit).time()) {
                break; // every event left is older than a full page
            }
            for (TrailEvent event : events(info)) {
                if (wanted.test(event)) {
                    found.add(event);
                }
            }
            found.sort(TrailEvent::newestFirst);
            trim(found, limit + 1);
        }
        boolean more = found.size() > limit;
        return new Page(List.copyOf(found.subList(0, Math.min(limit, found.size()))), more);
    }

    private static void trim(List<TrailEvent> events, int size) {
        while (events.size() > size) {
            events.remove(events.size() - 1);
        }
    }

    /** How many events the store holds (queued ones aside). */
    synchronized long storedEvents() {
        return storedEvents;
    }

    /** A batch's events: kept since this node wrote it, decoded lately, or read from the store (none if gone). */
    private List<TrailEvent> events(BatchInfo info) {
        List<TrailEvent> unflushed = info.unflushed;
        if (unflushed != null) {
            return unflushed;
        }
        synchronized (decoded) {
            List<TrailEvent> known = decoded.get(info.key);
            if (known != null) {
                return known;
            }
        }
        Optional<StoredRecord> record = committed.apply(NAMESPACE, info.key);
        if (record.isEmpty() || !record.get().live()) {
            return List.of(); // deleted since by another node's retention
        }
        List<TrailEvent> events = decode(record.get().value());
        remember(info.key, events);
        return events;
    }

    private void remember(String key, List<TrailEvent> events) {
        long bytes = 0;
        for (TrailEvent event : events) {
            bytes += event.bytes();
        }
        synchronized (decoded) {
            List<TrailEvent> previous = decoded.put(key, events);
            if (previous != null) {
                for (TrailEvent event : previous) {
                    bytes -= event.bytes();
                }
            }
            decodedBytes += bytes;
            var eldest = decoded.entrySet().iterator();
            while (decodedBytes > DECODED_BYTES && eldest.hasNext()) {
                for (TrailEvent event : eldest.next().getValue()) {
                    decodedBytes -= event.bytes();
                }
                eldest.remove();
            }
        }
    }

    // ---- the store ---------------------------------------------------------------------------------------

    private boolean expiryDue(long now) {
        if (batches.isEmpty()) {
            return false;
        }
        return storedEvents > maxEvents || retention.isZero()
                || batches.firstEntry().getValue().earliest < now - retention.toMillis();
    }

    @Override
    public boolean owns(String namespace) {
        return NAMESPACE.equals(namespace);
    }

    @Override
    public synchronized void apply(StoredRecord record) {
        BatchInfo known = batches.get(record.key());
        if (!record.live()) {
            if (known != null) {
                batches.remove(record.key());
                storedEvents -= known.count;
            }
            return;
        }
        if (known == null) {
            BatchInfo info = summary(record.key(), record.value());
            batches.put(info.key, info);
            storedEvents += info.count;
        }
    }

    /** The queue is written by the background writer alone, never as a change of its own before another write. */
    @Override
    public boolean hasPendingChanges() {
        return false;
    }

    @Override
    public void flush(Transaction tx) {
        List<TrailEvent> taken;
        List<BatchInfo> expired = new ArrayList<>();
        synchronized (this) {
            for (BatchInfo info : written) {
                info.unflushed = null; // the write before this one is decided: its events are the store's now
            }
            written.clear();
            deleted.clear();
            if (!writing) {
                return;
            }
            // Requests queue their events while this one is written: the lock is held only to take them, and lookups
            // see them as taken until they are in the index.
            taken = new ArrayList<>(pending);
            pending.clear();
            takenEvents = taken;
            long notBefore = retention.isZero() ? Long.MAX_VALUE : clock.millis() - retention.toMillis();
            long left = storedEvents + taken.size();
            for (BatchInfo info : batches.values()) {
                if (info.latest < notBefore || left > maxEvents) {
                    expired.add(info);
                    left -= info.count;
                } else if (info.earliest >= notBefore) {
                    break; // batches are in order of their first event: the rest are within retention
                }
            }
        }
        // Encoded outside the lock, in records of at most BATCH_EVENTS events (no array grows past what the
        // collector handles as an ordinary object).
        List<BatchInfo> made = new ArrayList<>();
        for (int from = 0; from < taken.size(); from += BATCH_EVENTS) {
            List<TrailEvent> events = taken.subList(from, Math.min(taken.size(), from + BATCH_EVENTS));
            String key = key(events.get(0).time());
            tx.put(NAMESPACE, key, encode(events));
            made.add(new BatchInfo(key, events, true));
        }
        synchronized (this) {
            for (BatchInfo info : made) {
                batches.put(info.key, info);
                storedEvents += info.count;
                written.add(info);
            }
            takenEvents = List.of();
            for (BatchInfo info : expired) {
                if (batches.remove(info.key) != null) {
                    tx.delete(NAMESPACE, info.key);
                    storedEvents -= info.count;
                    deleted.add(info);
                }
            }
        }
    }

    @Override
    public synchronized void discard(BiFunction<String, String, Optional<StoredRecord>> committedNow) {
        // Only what the store does not hold is undone: a discard may follow a write that did commit.
        List<TrailEvent> back = new ArrayList<>();
        for (BatchInfo info : written) {
            if (committedNow.apply(NAMESPACE, info.key).isPresent()) {
                info.unflushed = null;
            } else if (batches.remove(info.key) != null) {
                storedEvents -= info.count;
                if (info.unflushed != null) {
                    back.addAll(info.unflushed);
                }
            }
        }
        for (int i = back.size() - 1; i >= 0; i--) {
            pending.addFirst(back.get(i));
        }
        written.clear();
        takenEvents = List.of();
        for (BatchInfo info : deleted) {
            if (committedNow.apply(NAMESPACE, info.key).isPresent() && !batches.containsKey(info.key)) {
                batches.put(info.key, info);
                storedEvents += info.count;
            }
        }
        deleted.clear();
    }

    /** A batch's key: its first event's time, zero-padded so that keys sort by it, then a suffix unique to it. */
    static String key(long firstTime) {
        String digits = Long.toString(firstTime);
        return "0".repeat(Math.max(0, 19 - digits.length())) + digits + "-" + EventRecorder.randomId();
    }

    // ---- records -----------------------------------------------------------------------------------------

    /**
     * A batch's record, in lines of JSON: first a summary (its events' first and last times, their number, their
     * recipients), then for each event a line of its lookup fields and a line of its record as EventRecorder wrote it.
     * The records are copied as they are (compact JSON has no line breaks), and a start, or another node, learns what
     * a batch holds from its first line alone. The lines are deflated (at the fastest level): events repeat their
     * callers, agents and field names, so a batch shrinks to a fraction, and with it what the store writes, keeps
     * and copies when it compacts.
     */
    static byte[] encode(List<TrailEvent> events) {
        return deflate(lines(events));
    }

    private static byte[] lines(List<TrailEvent> events) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(events.size() * 2048);
        try {
            BatchInfo info = new BatchInfo("", events, false);
            ObjectNode summary = JSON.createObjectNode().put("earliest", info.earliest).put("latest", info.latest)
                    .put("count", info.count);
            ArrayNode recipients = summary.putArray("recipients");
            new java.util.TreeSet<>(info.recipients).forEach(recipients::add);
            out.write(JSON.writeValueAsBytes(summary));
            for (TrailEvent e : events) {
                ObjectNode n = JSON.createObjectNode();
                n.put("recipient", e.recipient()).put("time", e.time()).put("id", e.eventId()).put("name", e.eventName())
                        .put("source", e.eventSource()).put("region", e.region()).put("readOnly", e.readOnly())
                        .put("accessKeyId", e.accessKeyId()).put("username", e.username());
                ArrayNode resources = n.putArray("resources");
                for (TrailEvent.Resource r : e.resources()) {
                    resources.addObject().put("type", r.type()).put("name", r.name());
                }
                out.write('\n');
                out.write(JSON.writeValueAsBytes(n));
                out.write('\n');
                out.write(e.cloudTrailEvent().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** What a batch's record holds, from its first line; the events are not read. */
    static BatchInfo summary(String key, byte[] record) {
        byte[] bytes = firstLine(record);
        int end = bytes.length;
        JsonNode n = parse(bytes, 0, end);
        Set<String> recipients = new HashSet<>();
        n.path("recipients").forEach(r -> recipients.add(r.asText()));
        return new BatchInfo(key, n.path("earliest").asLong(), n.path("latest").asLong(), n.path("count").asInt(),
                recipients);
    }

    static List<TrailEvent> decode(byte[] record) {
        byte[] bytes = inflate(record);
        List<TrailEvent> events = new ArrayList<>();
        int at = indexOf(bytes, 0) + 1; // past the summary
        while (at > 0 && at < bytes.length) {
            int metaEnd = indexOf(bytes, at);
            JsonNode n = parse(bytes, at, metaEnd);
            int eventEnd = indexOf(bytes, metaEnd + 1);
            String event = new String(bytes, metaEnd + 1, eventEnd - metaEnd - 1, StandardCharsets.UTF_8);
            List<TrailEvent.Resource> resources = new ArrayList<>();
            for (JsonNode r : n.path("resources")) {
                resources.add(new TrailEvent.Resource(r.path("type").asText(), r.path("name").asText()));
            }
            events.add(new TrailEvent(n.get("recipient").asText(), n.get("time").asLong(), n.get("id").asText(),
                    n.get("name").asText(), n.get("source").asText(), text(n, "region"),
                    n.path("readOnly").asBoolean(), text(n, "accessKeyId"), text(n, "username"), resources, event));
            at = eventEnd + 1;
        }
        return events;
    }

    private static byte[] deflate(byte[] bytes) {
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_SPEED, true);
        try {
            deflater.setInput(bytes);
            deflater.finish();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(bytes.length / 4 + 64);
            byte[] buffer = new byte[16 << 10];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static java.io.InputStream inflating(byte[] record) {
        return new java.util.zip.InflaterInputStream(new java.io.ByteArrayInputStream(record),
                new java.util.zip.Inflater(true), 16 << 10);
    }

    private static byte[] inflate(byte[] record) {
        try (java.io.InputStream in = inflating(record)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new StoreException("a record of " + NAMESPACE + " does not inflate: " + e.getMessage(), e);
        }
    }

    /** The first line of a record, inflating no more than it takes. */
    private static byte[] firstLine(byte[] record) {
        try (java.io.InputStream in = inflating(record)) {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);
            byte[] buffer = new byte[1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                int end = indexOf(buffer, 0, n);
                line.write(buffer, 0, end);
                if (end < n) {
                    break;
                }
            }
            return line.toByteArray();
        } catch (IOException e) {
            throw new StoreException("a record of " + NAMESPACE + " does not inflate: " + e.getMessage(), e);
        }
    }

    private static int indexOf(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return to;
    }

    /** The index of the next line break at or after {@code from}, or the length when there is none. */
    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return bytes.length;
    }

    private static JsonNode parse(byte[] bytes, int from, int to) {
        try {
            return JSON.readTree(bytes, from, to - from);
        } catch (IOException e) {
            throw new StoreException("a record of " + NAMESPACE + " is not what crossrole writes: " + e.getMessage(),
                    e);
        }
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }
}
