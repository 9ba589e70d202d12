package dev.crossrole.server.ecs;

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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * ECS in the store: one record per cluster ({@code account/region/name}), per family's revision counter
 * ({@code account/region/family}), per task definition revision ({@code account/region/family/revision})
 * and per task (its id). API writes commit what they changed in their own transaction; a task's state also
 * changes from its containers' threads, which must not wait on the disk, so those changes are committed by
 * one background thread, coalesced.
 *
 * <p>A task record names the node running the task. Nodes sharing a store follow each other's tasks: a
 * record written by another node replaces this node's copy of that task, while for a task this node runs
 * only what another node may ask is taken in (its tags, and a stop, which stops the processes here). A
 * background catch-up ({@link #followOtherNodes}) notices such records even when the node gets no
 * requests. At start, tasks this node was still running when it stopped are reported STOPPED with a
 * reason, and any of their processes that survived a crash are killed; other nodes' tasks are left alone.
 */
public final class EcsPersistence implements Replica, AutoCloseable {
    public static final String CLUSTERS = "ecs.clusters";
    public static final String FAMILIES = "ecs.families";
    public static final String TASK_DEFINITIONS = "ecs.taskDefinitions";
    public static final String TASKS = "ecs.tasks";
    static final String RESTART_REASON = "Task stopped because crossrole stopped while the task was running";
    private static final Logger LOG = Logger.getLogger(EcsPersistence.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EcsDirectory ecs;
    private final EcsTasks tasks;
    private final StateSync sync;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "crossrole-ecs-state");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean pending = new AtomicBoolean();
    /** Task records read at start, restored once clusters and definitions are all in. */
    private final List<JsonNode> loadedTasks = new ArrayList<>();
    private volatile boolean loading = true;
    private List<EcsDirectory.Change> inFlight = List.of();
    private List<String> inFlightTasks = List.of();
    private final ScheduledExecutorService catchUp = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "crossrole-catch-up");
        thread.setDaemon(true);
        return thread;
    });
    /** Whether the last background catch-up failed, so that an outage is logged once, not every interval. */
    private volatile boolean catchUpFailing;

    private EcsPersistence(EcsDirectory ecs, EcsTasks tasks, StateSync sync) {
        this.ecs = ecs;
        this.tasks = tasks;
        this.sync = sync;
    }

    /** Registers ECS with the store's caches; call {@link #restoreTasks} once the store is loaded. */
    public static EcsPersistence attach(EcsDirectory ecs, EcsTasks tasks, StateSync sync) {
        EcsPersistence persistence = new EcsPersistence(ecs, tasks, sync);
        sync.register(persistence);
        tasks.onChange(persistence::requestSave);
        return persistence;
    }

    /** Puts back the tasks read at start (stopping those that were running) and commits what that changed. */
    public void restoreTasks(Clock clock) {
        loading = false;
        Instant now = clock.instant();
        for (JsonNode n : loadedTasks) {
            restoreTask(n, now);
        }
        loadedTasks.clear();
        sync.write(tx -> null);
    }

    /**
     * Applies other nodes' commits every {@code interval} even while no request comes in, so that a stop asked
     * through another node reaches the processes of a task running here.
     */
    public void followOtherNodes(Duration interval) {
        catchUp.scheduleWithFixedDelay(this::catchUpNow, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void catchUpNow() {
        try {
            sync.refresh();
            if (catchUpFailing) {
                LOG.info("catching up with the store works again");
            }
            catchUpFailing = false;
        } catch (RuntimeException e) {
            if (!catchUpFailing) {
                LOG.log(Level.WARNING, "cannot catch up with the store; retrying", e);
            }
            catchUpFailing = true;
        }
    }

    @Override
    public boolean owns(String namespace) {
        return namespace.startsWith("ecs.");
    }

    @Override
    public void apply(StoredRecord record) {
        String key = record.key();
        if (record.namespace().equals(TASKS)) {
            if (loading) {
                if (record.live()) {
                    loadedTasks.add(parse(record));
                }
            } else if (record.live()) {
                applyTask(parse(record));
            } else {
                tasks.forget(key);
            }
            return;
        }
        ecs.untracked(() -> {
            switch (record.namespace()) {
                case CLUSTERS -> {
                    if (record.live()) {
                        ecs.putCluster(cluster(parse(record)));
                    } else {
                        ecs.removeCluster(key);
                    }
                }
                case FAMILIES -> {
                    if (record.live()) {
                        ecs.restoreRevision(key, parse(record).get("last").asInt());
                    } else {
                        ecs.forgetRevision(key);
                    }
                }
                case TASK_DEFINITIONS -> {
                    if (record.live()) {
                        ecs.putTaskDefinition(definition(parse(record)));
                    } else {
                        ecs.removeTaskDefinition(key);
                    }
                }
                default -> { }
            }
        });
    }

    /** A task record committed by any node, once this node is running: see the class comment. */
    private void applyTask(JsonNode n) {
        String id = n.get("id").asText();
        Optional<EcsTask> known = tasks.task(id).filter(tasks::local);
        if (known.isPresent()) {
            tasks.merge(known.get(), strings(n.path("tags")), n.get("desiredStatus").asText(), text(n, "stopCode"),
                    text(n, "stoppedReason"), n.get("version").asInt());
        } else if (!tasks.nodeId().equals(text(n, "node"))) {
            taskFrom(n).ifPresent(tasks::follow);
        }
    }

    @Override
    public boolean hasPendingChanges() {
        return ecs.hasUntakenChanges();
    }

    @Override
    public void flush(Transaction tx) {
        List<EcsDirectory.Change> changes = ecs.takeTouched();
        inFlight = changes;
        for (EcsDirectory.Change change : changes) {
            switch (change.kind()) {
                case CLUSTER -> putOrDelete(tx, CLUSTERS, change.key(), ecs.clusterByKey(change.key()).map(EcsPersistence::clusterJson));
                case FAMILY -> putOrDelete(tx, FAMILIES, change.key(), Optional.ofNullable(ecs.lastRevision(change.key()))
                        .map(last -> JSON.createObjectNode().put("last", last)));
                case TASK_DEFINITION -> putOrDelete(tx, TASK_DEFINITIONS, change.key(),
                        ecs.taskDefinitionByKey(change.key()).map(EcsPersistence::definitionJson));
            }
        }
        List<String> taskIds = new ArrayList<>(tasks.takeChanged());
        inFlightTasks = taskIds;
        for (String id : taskIds) {
            putOrDelete(tx, TASKS, id, tasks.task(id).map(EcsPersistence::taskJson));
        }
    }

    private static void putOrDelete(Transaction tx, String namespace, String key, Optional<ObjectNode> value) {
        if (value.isPresent()) {
            try {
                tx.put(namespace, key, JSON.writeValueAsBytes(value.get()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            tx.delete(namespace, key);
        }
    }

    @Override
    public void discard(BiFunction<String, String, Optional<StoredRecord>> committed) {
        List<EcsDirectory.Change> changes = new ArrayList<>(inFlight);
        changes.addAll(ecs.takeTouched());
        inFlight = List.of();
        for (EcsDirectory.Change change : changes) {
            String namespace = switch (change.kind()) {
                case CLUSTER -> CLUSTERS;
                case FAMILY -> FAMILIES;
                case TASK_DEFINITION -> TASK_DEFINITIONS;
            };
            apply(committed.apply(namespace, change.key()).orElse(new StoredRecord(namespace, change.key(), null, 0, 0)));
        }
        List<String> taskIds = new ArrayList<>(inFlightTasks);
        taskIds.addAll(tasks.takeChanged());
        inFlightTasks = List.of();
        for (String id : taskIds) {
            Optional<EcsTask> task = tasks.task(id);
            if (task.isPresent() && tasks.local(task.get())) {
                // A task's state is what its processes did, not a speculative change: it stays to be written next time.
                tasks.markChanged(id);
            } else {
                // A wish recorded for another node's task (a stop, tags) did not reach the store: back to its record.
                committed.apply(TASKS, id).ifPresentOrElse(record -> applyTask(parse(record)), () -> tasks.forget(id));
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

    /** Commits task changes made by containers' threads; many changes in a burst cost one commit. */
    void requestSave() {
        if (loading) {
            return;
        }
        if (pending.compareAndSet(false, true)) {
            try {
                writer.execute(() -> {
                    pending.set(false);
                    save();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                pending.set(false); // closing: close() commits what is left
            }
        }
    }

    private void save() {
        try {
            sync.write(tx -> null);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "cannot save ECS task state", e);
        }
    }

    /** Commits what is left; call after the tasks have stopped and before the store closes. */
    @Override
    public void close() {
        catchUp.shutdown(); // no interrupt: a catch-up in the middle of reading the store finishes
        writer.shutdown();
        try {
            catchUp.awaitTermination(5, TimeUnit.SECONDS); // none may still be reading when the store closes
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        save();
    }

    // ---- writing ----------------------------------------------------------------------------

    static ObjectNode clusterJson(Cluster c) {
        ObjectNode n = JSON.createObjectNode().put("account", c.account()).put("region", c.region()).put("name", c.name())
                .put("active", c.active()).put("created", c.created().toString());
        ObjectNode tags = n.putObject("tags");
        c.tags().forEach(tags::put);
        return n;
    }

    static ObjectNode definitionJson(TaskDefinition d) {
        ObjectNode n = JSON.createObjectNode().put("account", d.account()).put("region", d.region())
                .put("family", d.family()).put("revision", d.revision()).put("active", d.active())
                .put("registeredAt", d.registeredAt().toString())
                .put("deregisteredAt", d.deregisteredAt() == null ? null : d.deregisteredAt().toString());
        n.set("document", d.document());
        ObjectNode tags = n.putObject("tags");
        d.tags().forEach(tags::put);
        return n;
    }

    private static ObjectNode taskJson(EcsTask t) {
        synchronized (t) {
            ObjectNode n = JSON.createObjectNode();
            n.put("id", t.id).put("account", t.account).put("region", t.region).put("cluster", t.cluster.name())
                    .put("family", t.definition.family()).put("revision", t.definition.revision())
                    .put("taskRoleArn", t.taskRoleArn).put("group", t.group).put("startedBy", t.startedBy)
                    .put("launchType", t.launchType).put("enableExecuteCommand", t.enableExecuteCommand)
                    .put("workDir", t.workDir.toString()).put("createdAt", t.createdAt.toString())
                    .put("startedAt", str(t.startedAt)).put("stoppingAt", str(t.stoppingAt))
                    .put("stoppedAt", str(t.stoppedAt)).put("lastStatus", t.lastStatus)
                    .put("desiredStatus", t.desiredStatus).put("stopCode", t.stopCode)
                    .put("stoppedReason", t.stoppedReason).put("version", t.version).put("node", t.node);
            n.set("overrides", t.overrides);
            ObjectNode tags = n.putObject("tags");
            t.tags.forEach(tags::put);
            ArrayNode containers = n.putArray("containers");
            for (EcsTask.Container c : t.containers) {
                containers.addObject().put("name", c.name).put("arn", c.arn).put("image", c.image)
                        .put("essential", c.essential).put("stopTimeout", c.stopTimeoutSeconds)
                        .put("logFile", c.logFile.toString()).put("lastStatus", c.lastStatus)
                        .put("exitCode", c.exitCode).put("reason", c.reason).put("runtimeId", c.runtimeId)
                        .put("processStarted", str(c.processStarted))
                        .put("finishedAt", str(c.finishedAt));
            }
            return n;
        }
    }

    private static String str(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    // ---- reading ----------------------------------------------------------------------------

    static Cluster cluster(JsonNode n) {
        return new Cluster(n.get("account").asText(), n.get("region").asText(), n.get("name").asText(),
                n.get("active").asBoolean(), Instant.parse(n.get("created").asText()), strings(n.path("tags")));
    }

    static TaskDefinition definition(JsonNode n) {
        return new TaskDefinition(n.get("account").asText(), n.get("region").asText(),
                n.get("family").asText(), n.get("revision").asInt(), (ObjectNode) n.get("document"),
                n.get("active").asBoolean(), Instant.parse(n.get("registeredAt").asText()),
                instant(n, "deregisteredAt"), strings(n.path("tags")));
    }

    /**
     * A record as {@code state import} should write it. A task's processes do not move with a document: a task
     * still recorded as running loses the node it named (which may never start again here), so the first node
     * that starts on the imported store takes it as its own and reports it STOPPED; processes are matched by
     * pid and start time, so nothing else on this machine is killed.
     */
    public static StoredRecord forImport(StoredRecord record) {
        if (!TASKS.equals(record.namespace()) || !record.live()) {
            return record;
        }
        try {
            JsonNode n = JSON.readTree(record.value());
            if (!(n instanceof ObjectNode task) || "STOPPED".equals(text(n, "lastStatus")) || !n.has("node")) {
                return record;
            }
            task.remove("node");
            return new StoredRecord(record.namespace(), record.key(), JSON.writeValueAsBytes(task), record.version(),
                    record.revision());
        } catch (java.io.IOException e) {
            return record; // not JSON: the record goes in as written, and the task is ignored at start as before
        }
    }

    /**
     * Puts back a task read at start. Records written before tasks named their node are this node's: crossrole
     * then ran on one node only.
     */
    private void restoreTask(JsonNode n, Instant now) {
        String node = text(n, "node");
        Optional<EcsTask> restored = taskFrom(n);
        if (restored.isEmpty()) {
            return;
        }
        EcsTask task = restored.get();
        if (node != null && !node.equals(tasks.nodeId())) {
            tasks.follow(task);
            return;
        }
        if (!"STOPPED".equals(task.lastStatus)) {
            stopOrphans(task);
            TaskVolumes.removeScratch(TaskVolumes.scratchRoot(tasks.tasksDir(), task.id));
            task.lastStatus = "STOPPED";
            task.desiredStatus = "STOPPED";
            task.stopCode = "TerminationNotice";
            task.stoppedReason = RESTART_REASON;
            task.stoppingAt = task.stoppingAt == null ? now : task.stoppingAt;
            task.stoppedAt = now;
            task.version++;
            for (EcsTask.Container c : task.containers) {
                c.lastStatus = "STOPPED";
            }
            tasks.restore(task);
            tasks.markChanged(task.id);
            return;
        }
        tasks.restore(task);
    }

    /** A task as its record says; empty when its cluster or task definition is not (or no longer) known. */
    private Optional<EcsTask> taskFrom(JsonNode n) {
        Optional<TaskDefinition> definition = ecs.taskDefinition(n.get("account").asText(), n.get("region").asText(),
                n.get("family").asText(), n.get("revision").asInt());
        Optional<Cluster> cluster = ecs.cluster(n.get("account").asText(), n.get("region").asText(),
                n.get("cluster").asText());
        if (definition.isEmpty() || cluster.isEmpty()) {
            return Optional.empty();
        }
        List<EcsTask.Container> containers = new ArrayList<>();
        for (JsonNode c : n.path("containers")) {
            EcsTask.Container container = new EcsTask.Container(c.get("name").asText(), c.get("arn").asText(),
                    c.get("image").asText(), c.get("essential").asBoolean(), c.get("stopTimeout").asInt(), Map.of(),
                    Path.of(c.get("logFile").asText()));
            container.lastStatus = c.get("lastStatus").asText();
            container.exitCode = c.hasNonNull("exitCode") ? c.get("exitCode").asInt() : null;
            container.reason = text(c, "reason");
            container.runtimeId = text(c, "runtimeId");
            container.processStarted = instant(c, "processStarted");
            container.finishedAt = instant(c, "finishedAt");
            containers.add(container);
        }
        EcsTask task = new EcsTask(n.get("id").asText(), n.get("account").asText(), n.get("region").asText(),
                cluster.get(), definition.get(), text(n, "taskRoleArn"), text(n, "group"), text(n, "startedBy"),
                text(n, "launchType"), n.get("enableExecuteCommand").asBoolean(), strings(n.path("tags")),
                n.get("overrides") instanceof ObjectNode o ? o : JSON.createObjectNode(), Path.of(n.get("workDir").asText()),
                null, "restored-" + n.get("id").asText(), n.get("id").asText() + "-restored", containers,
                Instant.parse(n.get("createdAt").asText()), n.hasNonNull("node") ? n.get("node").asText() : tasks.nodeId());
        task.startedAt = instant(n, "startedAt");
        task.stoppingAt = instant(n, "stoppingAt");
        task.stoppedAt = instant(n, "stoppedAt");
        task.lastStatus = n.get("lastStatus").asText();
        task.desiredStatus = n.get("desiredStatus").asText();
        task.stopCode = text(n, "stopCode");
        task.stoppedReason = text(n, "stoppedReason");
        task.version = n.get("version").asInt();
        return Optional.of(task);
    }

    /** Kills processes of a task that outlived a crashed crossrole (recognised by pid and start time). */
    private static void stopOrphans(EcsTask task) {
        for (EcsTask.Container c : task.containers) {
            if (c.runtimeId == null || c.processStarted == null || !c.runtimeId.matches("\\d+")) {
                continue;
            }
            ProcessHandle.of(Long.parseLong(c.runtimeId)).ifPresent(process -> {
                Optional<Instant> started = process.info().startInstant();
                if (started.isPresent() && Duration.between(started.get(), c.processStarted).abs().getSeconds() < 5) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    c.reason = "crossrole stopped the container's orphaned process after a restart";
                }
            });
        }
    }

    private static Instant instant(JsonNode node, String field) {
        String text = text(node, field);
        return text == null ? null : Instant.parse(text);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
