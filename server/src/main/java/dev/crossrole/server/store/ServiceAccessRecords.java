package dev.crossrole.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.iam.AccessReport;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.ServiceLastAccess;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * IAM's access-advisor data in the store: one record per user or role with its latest attempt of each action
 * ({@code iam.lastAccess}, keyed by unique id) and one per report job ({@code iam.accessReports}, keyed by job id).
 *
 * <p>No request pays a store write for its attempt: attempts are recorded in memory ({@link ServiceLastAccess}) and
 * the changed entities ride along with whatever this node commits next; when nothing else commits, a background
 * writer commits them every few seconds, and once more when crossrole closes. A crash loses at most that interval of
 * last-access data. A record read from another node is merged action by action (the later attempt wins), so nodes
 * sharing a store converge. Report jobs are written with the call that started them.
 */
public final class ServiceAccessRecords implements Replica, AutoCloseable {
    public static final String LAST_ACCESS = "iam.lastAccess";
    public static final String REPORTS = "iam.accessReports";
    /** How often changed last-access data is committed when nothing else commits it. */
    public static final Duration WRITE_INTERVAL = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(ServiceAccessRecords.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServiceLastAccess access;
    private final StateSync sync;
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "crossrole-last-access");
        thread.setDaemon(true);
        return thread;
    });
    private List<String> inFlightEntities = List.of();
    private List<String> inFlightJobs = List.of();
    private volatile boolean failing;

    /** Unattached (tests): {@link #attach} registers it and starts the background writer. */
    ServiceAccessRecords(ServiceLastAccess access, StateSync sync) {
        this.access = access;
        this.sync = sync;
    }

    /** Registers with the store's caches and starts the background writer. */
    public static ServiceAccessRecords attach(IamDirectory iam, StateSync sync, Duration interval) {
        ServiceAccessRecords records = new ServiceAccessRecords(iam.serviceLastAccess(), sync);
        sync.register(records);
        records.writer.scheduleWithFixedDelay(records::saveIfChanged, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        return records;
    }

    private void saveIfChanged() {
        if (!access.hasChangedEntities()) {
            return;
        }
        try {
            sync.write(tx -> null);
            if (failing) {
                LOG.info("saving IAM last-access data works again");
            }
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.log(Level.WARNING, "cannot save IAM last-access data; retrying", e);
            }
            failing = true;
        }
    }

    /** Commits what is left; call before the store closes. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        saveIfChanged();
    }

    @Override
    public boolean owns(String namespace) {
        return namespace.equals(LAST_ACCESS) || namespace.equals(REPORTS);
    }

    @Override
    public void apply(StoredRecord record) {
        if (record.namespace().equals(LAST_ACCESS)) {
            if (record.live()) {
                access.merge(record.key(), decodeUses(parse(record)));
            } else {
                access.drop(record.key());
            }
        } else if (record.live()) {
            access.installJob(decodeReport(parse(record)));
        } else {
            access.removeJob(record.key());
        }
    }

    /** Last-access data is not a speculative change: it is never committed on its own before another write. */
    @Override
    public boolean hasPendingChanges() {
        return false;
    }

    @Override
    public void flush(Transaction tx) {
        List<String> entities = access.takeChangedEntities();
        inFlightEntities = entities;
        for (String id : entities) {
            Optional<ServiceLastAccess.Uses> uses = access.stored(id);
            if (uses.isPresent()) {
                tx.put(LAST_ACCESS, id, IamRecords.bytes(encode(uses.get())));
            } else {
                tx.delete(LAST_ACCESS, id);
            }
        }
        List<String> jobs = access.takeChangedJobs();
        inFlightJobs = jobs;
        for (String id : jobs) {
            Optional<AccessReport> job = access.job(id);
            if (job.isPresent()) {
                tx.put(REPORTS, id, IamRecords.bytes(encode(job.get())));
            } else {
                tx.delete(REPORTS, id);
            }
        }
    }

    @Override
    public void discard(BiFunction<String, String, Optional<StoredRecord>> committed) {
        // Attempts happened whatever became of the transaction: they stay to be written next time.
        List<String> entities = new ArrayList<>(inFlightEntities);
        entities.addAll(access.takeChangedEntities());
        inFlightEntities = List.of();
        access.changedAgain(entities);
        // A job is what the store holds: one whose call did not commit was never acknowledged.
        List<String> jobs = new ArrayList<>(inFlightJobs);
        jobs.addAll(access.takeChangedJobs());
        inFlightJobs = List.of();
        for (String id : jobs) {
            Optional<StoredRecord> record = committed.apply(REPORTS, id);
            if (record.isPresent() && record.get().live()) {
                access.installJob(decodeReport(parse(record.get())));
            } else {
                access.removeJob(id);
            }
        }
    }

    private static JsonNode parse(StoredRecord record) {
        try {
            return JSON.readTree(record.value());
        } catch (IOException e) {
            throw new StoreException(record + " is not JSON: " + e.getMessage(), e);
        }
    }

    // ---- encoding ---------------------------------------------------------------------------

    static ObjectNode encode(ServiceLastAccess.Uses uses) {
        ObjectNode n = JSON.createObjectNode().put("account", uses.account());
        ObjectNode actions = n.putObject("actions");
        uses.actions().forEach((action, use) -> actions.putObject(action).put("when", use.when().toString())
                .put("region", use.region()));
        return n;
    }

    static ServiceLastAccess.Uses decodeUses(JsonNode n) {
        Map<String, ServiceLastAccess.Use> actions = new LinkedHashMap<>();
        n.path("actions").fields().forEachRemaining(e -> actions.put(e.getKey(),
                new ServiceLastAccess.Use(Instant.parse(e.getValue().get("when").asText()),
                        IamRecords.text(e.getValue(), "region"))));
        return new ServiceLastAccess.Uses(n.get("account").asText(), actions);
    }

    static ObjectNode encode(AccessReport r) {
        ObjectNode n = JSON.createObjectNode().put("jobId", r.jobId()).put("account", r.account())
                .put("creator", r.creator()).put("arn", r.arn()).put("granularity", r.granularity())
                .put("created", r.created().toString()).put("completed", r.completed().toString());
        ArrayNode services = n.putArray("services");
        for (AccessReport.Service s : r.services()) {
            ObjectNode service = services.addObject().put("namespace", s.namespace()).put("name", s.name())
                    .put("lastAuthenticated", instant(s.lastAuthenticated())).put("lastEntity", s.lastEntity())
                    .put("lastRegion", s.lastRegion()).put("totalEntities", s.totalEntities());
            if (s.tracked() != null) {
                ArrayNode tracked = service.putArray("tracked");
                for (AccessReport.TrackedAction a : s.tracked()) {
                    tracked.addObject().put("action", a.action()).put("entity", a.entity())
                            .put("when", instant(a.when())).put("region", a.region());
                }
            }
            ArrayNode entities = service.putArray("entities");
            for (AccessReport.Entity e : s.entities()) {
                entities.addObject().put("arn", e.arn()).put("name", e.name()).put("type", e.type()).put("id", e.id())
                        .put("path", e.path()).put("lastAuthenticated", instant(e.lastAuthenticated()));
            }
        }
        return n;
    }

    static AccessReport decodeReport(JsonNode n) {
        List<AccessReport.Service> services = new ArrayList<>();
        for (JsonNode s : n.path("services")) {
            List<AccessReport.TrackedAction> tracked = null;
            if (s.has("tracked")) {
                tracked = new ArrayList<>();
                for (JsonNode a : s.get("tracked")) {
                    tracked.add(new AccessReport.TrackedAction(a.get("action").asText(), IamRecords.text(a, "entity"),
                            instant(a, "when"), IamRecords.text(a, "region")));
                }
            }
            List<AccessReport.Entity> entities = new ArrayList<>();
            for (JsonNode e : s.path("entities")) {
                entities.add(new AccessReport.Entity(e.get("arn").asText(), e.get("name").asText(), e.get("type").asText(),
                        e.get("id").asText(), IamRecords.text(e, "path"), instant(e, "lastAuthenticated")));
            }
            services.add(new AccessReport.Service(s.get("namespace").asText(), s.get("name").asText(),
                    instant(s, "lastAuthenticated"), IamRecords.text(s, "lastEntity"), IamRecords.text(s, "lastRegion"),
                    s.path("totalEntities").asInt(), tracked, entities));
        }
        return new AccessReport(n.get("jobId").asText(), n.get("account").asText(), n.get("creator").asText(),
                n.get("arn").asText(), n.get("granularity").asText(), Instant.parse(n.get("created").asText()),
                Instant.parse(n.get("completed").asText()), services);
    }

    private static String instant(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Instant instant(JsonNode node, String field) {
        String text = IamRecords.text(node, field);
        return text == null ? null : Instant.parse(text);
    }
}
