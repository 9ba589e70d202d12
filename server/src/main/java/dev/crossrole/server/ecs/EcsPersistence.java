package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.store.DataDirectory;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * ECS state in the data directory ({@code ecs.json}): clusters, task definitions, revision counters and
 * tasks. Saves are coalesced on one background thread (a task changes state from its containers'
 * threads, which must not wait on the disk); {@link #flush()} writes synchronously. At start, tasks that
 * were still running when crossrole stopped are reported STOPPED with a reason, and any of their
 * processes that survived a crash are killed.
 */
public final class EcsPersistence implements AutoCloseable {
    static final String FILE = "ecs.json";
    static final String RESTART_REASON = "Task stopped because crossrole stopped while the task was running";
    private static final Logger LOG = Logger.getLogger(EcsPersistence.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EcsDirectory ecs;
    private final EcsTasks tasks;
    private final DataDirectory data;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "crossrole-ecs-state");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean pending = new AtomicBoolean();

    private EcsPersistence(EcsDirectory ecs, EcsTasks tasks, DataDirectory data) {
        this.ecs = ecs;
        this.tasks = tasks;
        this.data = data;
    }

    public static EcsPersistence attach(EcsDirectory ecs, EcsTasks tasks, DataDirectory data, Clock clock) throws IOException {
        EcsPersistence persistence = new EcsPersistence(ecs, tasks, data);
        String saved = data.read(FILE);
        if (saved != null) {
            persistence.load(JSON.readTree(saved), clock);
        }
        ecs.onChange(persistence::requestSave);
        tasks.onChange(persistence::requestSave);
        persistence.flush();
        return persistence;
    }

    /** Schedules a save; many changes in a burst cost one write. */
    void requestSave() {
        if (pending.compareAndSet(false, true)) {
            writer.execute(() -> {
                pending.set(false);
                save();
            });
        }
    }

    /** Writes the current state now, in the calling thread. */
    public synchronized void flush() {
        save();
    }

    private synchronized void save() {
        try {
            data.writeSecret(FILE, JSON.writeValueAsString(toJson()));
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "cannot save ECS state", e);
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
        flush();
    }

    // ---- writing ----------------------------------------------------------------------------

    private ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", 1);
        ArrayNode clusters = root.putArray("clusters");
        for (Cluster c : ecs.allClusters()) {
            ObjectNode n = clusters.addObject().put("account", c.account()).put("region", c.region()).put("name", c.name())
                    .put("active", c.active()).put("created", c.created().toString());
            ObjectNode tags = n.putObject("tags");
            c.tags().forEach(tags::put);
        }
        ObjectNode revisions = root.putObject("revisions");
        ecs.revisions().forEach(revisions::put);
        ArrayNode definitions = root.putArray("taskDefinitions");
        for (TaskDefinition d : allDefinitions()) {
            ObjectNode n = definitions.addObject().put("account", d.account()).put("region", d.region())
                    .put("family", d.family()).put("revision", d.revision()).put("active", d.active())
                    .put("registeredAt", d.registeredAt().toString())
                    .put("deregisteredAt", d.deregisteredAt() == null ? null : d.deregisteredAt().toString());
            n.set("document", d.document());
            ObjectNode tags = n.putObject("tags");
            d.tags().forEach(tags::put);
        }
        ArrayNode taskArray = root.putArray("tasks");
        for (EcsTask t : tasks.all()) {
            taskArray.add(taskJson(t));
        }
        return root;
    }

    private List<TaskDefinition> allDefinitions() {
        List<TaskDefinition> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Cluster c : ecs.allClusters()) {
            if (seen.add(c.account() + "/" + c.region())) {
                out.addAll(ecs.taskDefinitions(c.account(), c.region()));
            }
        }
        for (String key : ecs.revisions().keySet()) {
            String[] parts = key.split("/", 3);
            if (seen.add(parts[0] + "/" + parts[1])) {
                out.addAll(ecs.taskDefinitions(parts[0], parts[1]));
            }
        }
        return out;
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
                    .put("stoppedReason", t.stoppedReason).put("version", t.version);
            n.set("overrides", t.overrides);
            ObjectNode tags = n.putObject("tags");
            t.tags.forEach(tags::put);
            ArrayNode containers = n.putArray("containers");
            for (EcsTask.Container c : t.containers) {
                containers.addObject().put("name", c.name).put("arn", c.arn).put("image", c.image)
                        .put("essential", c.essential).put("stopTimeout", c.stopTimeoutSeconds)
                        .put("logFile", c.logFile.toString()).put("lastStatus", c.lastStatus)
                        .put("exitCode", c.exitCode).put("reason", c.reason).put("runtimeId", c.runtimeId)
                        .put("processStarted", str(c.processStarted));
            }
            return n;
        }
    }

    private static String str(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    // ---- reading ----------------------------------------------------------------------------

    private void load(JsonNode root, Clock clock) {
        for (JsonNode n : root.path("clusters")) {
            ecs.putCluster(new Cluster(n.get("account").asText(), n.get("region").asText(), n.get("name").asText(),
                    n.get("active").asBoolean(), Instant.parse(n.get("created").asText()), strings(n.path("tags"))));
        }
        root.path("revisions").fields().forEachRemaining(e -> ecs.restoreRevision(e.getKey(), e.getValue().asInt()));
        for (JsonNode n : root.path("taskDefinitions")) {
            ecs.putTaskDefinition(new TaskDefinition(n.get("account").asText(), n.get("region").asText(),
                    n.get("family").asText(), n.get("revision").asInt(), (ObjectNode) n.get("document"),
                    n.get("active").asBoolean(), Instant.parse(n.get("registeredAt").asText()),
                    instant(n, "deregisteredAt"), strings(n.path("tags"))));
        }
        Instant now = clock.instant();
        for (JsonNode n : root.path("tasks")) {
            Optional<TaskDefinition> definition = ecs.taskDefinition(n.get("account").asText(), n.get("region").asText(),
                    n.get("family").asText(), n.get("revision").asInt());
            Optional<Cluster> cluster = ecs.cluster(n.get("account").asText(), n.get("region").asText(),
                    n.get("cluster").asText());
            if (definition.isEmpty() || cluster.isEmpty()) {
                continue;
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
                containers.add(container);
            }
            EcsTask task = new EcsTask(n.get("id").asText(), n.get("account").asText(), n.get("region").asText(),
                    cluster.get(), definition.get(), text(n, "taskRoleArn"), text(n, "group"), text(n, "startedBy"),
                    text(n, "launchType"), n.get("enableExecuteCommand").asBoolean(), strings(n.path("tags")),
                    n.get("overrides") instanceof ObjectNode o ? o : JSON.createObjectNode(), Path.of(n.get("workDir").asText()),
                    null, "restored-" + n.get("id").asText(), n.get("id").asText() + "-restored", containers,
                    Instant.parse(n.get("createdAt").asText()));
            task.startedAt = instant(n, "startedAt");
            task.stoppingAt = instant(n, "stoppingAt");
            task.stoppedAt = instant(n, "stoppedAt");
            task.lastStatus = n.get("lastStatus").asText();
            task.desiredStatus = n.get("desiredStatus").asText();
            task.stopCode = text(n, "stopCode");
            task.stoppedReason = text(n, "stoppedReason");
            task.version = n.get("version").asInt();
            if (!"STOPPED".equals(task.lastStatus)) {
                stopOrphans(task);
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
            }
            tasks.restore(task);
        }
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
