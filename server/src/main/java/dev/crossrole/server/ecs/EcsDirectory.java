package dev.crossrole.server.ecs;

import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** ECS state of every account and region, in memory: clusters, task definitions, tasks. */
public final class EcsDirectory {
    private final Clock clock;
    private final Map<String, Cluster> clusters = new ConcurrentHashMap<>();
    /** Revisions by account/region/family, in revision order. */
    private final Map<String, java.util.List<TaskDefinition>> taskDefinitions = new ConcurrentHashMap<>();
    /** The last revision number used per family: numbers are never reused, even after deregistration. */
    private final Map<String, Integer> lastRevision = new ConcurrentHashMap<>();

    public EcsDirectory(Clock clock) {
        this.clock = clock;
    }

    public Clock clock() {
        return clock;
    }

    /** What changed since the store last took it: a cluster, a family's revision counter or a task definition. */
    record Change(Kind kind, String key) {}

    enum Kind { CLUSTER, FAMILY, TASK_DEFINITION }

    /** Guarded by this. */
    private final java.util.Set<Change> touched = new java.util.LinkedHashSet<>();
    private int untracked;

    private void touch(Kind kind, String key) {
        if (untracked == 0) {
            touched.add(new Change(kind, key));
        }
    }

    synchronized List<Change> takeTouched() {
        List<Change> out = List.copyOf(touched);
        touched.clear();
        return out;
    }

    synchronized boolean hasUntakenChanges() {
        return !touched.isEmpty();
    }

    /** Runs changes that come from the store, which are not to be written back. */
    synchronized void untracked(Runnable changes) {
        untracked++;
        try {
            changes.run();
        } finally {
            untracked--;
        }
    }

    /** Revision counters per family, for persistence. */
    synchronized Map<String, Integer> revisions() {
        return Map.copyOf(lastRevision);
    }

    synchronized Integer lastRevision(String key) {
        return lastRevision.get(key);
    }

    synchronized void restoreRevision(String key, int revision) {
        lastRevision.put(key, revision);
        touch(Kind.FAMILY, key);
    }

    synchronized void forgetRevision(String key) {
        lastRevision.remove(key);
        touch(Kind.FAMILY, key);
    }

    /** A cluster by its key (account/region/name). */
    Optional<Cluster> clusterByKey(String key) {
        return Optional.ofNullable(clusters.get(key));
    }

    synchronized void removeCluster(String key) {
        clusters.remove(key);
        touch(Kind.CLUSTER, key);
    }

    /** A task definition by its key (account/region/family/revision). */
    synchronized Optional<TaskDefinition> taskDefinitionByKey(String key) {
        int slash = key.lastIndexOf('/');
        List<TaskDefinition> revisions = taskDefinitions.get(key.substring(0, slash));
        int revision = Integer.parseInt(key.substring(slash + 1));
        return revisions == null ? Optional.empty() : revisions.stream().filter(d -> d.revision() == revision).findFirst();
    }

    synchronized void removeTaskDefinition(String key) {
        int slash = key.lastIndexOf('/');
        List<TaskDefinition> revisions = taskDefinitions.get(key.substring(0, slash));
        int revision = Integer.parseInt(key.substring(slash + 1));
        if (revisions != null) {
            revisions.removeIf(d -> d.revision() == revision);
        }
        touch(Kind.TASK_DEFINITION, key);
    }

    static String definitionKey(TaskDefinition d) {
        return key(d.account(), d.region(), d.family()) + "/" + d.revision();
    }

    static String clusterKey(Cluster c) {
        return key(c.account(), c.region(), c.name());
    }

    private static String key(String account, String region, String name) {
        return account + "/" + region + "/" + name;
    }

    public synchronized Cluster putCluster(Cluster cluster) {
        clusters.put(key(cluster.account(), cluster.region(), cluster.name()), cluster);
        touch(Kind.CLUSTER, clusterKey(cluster));
        return cluster;
    }

    public Optional<Cluster> cluster(String account, String region, String name) {
        return Optional.ofNullable(clusters.get(key(account, region, name)));
    }

    // ---- task definitions -------------------------------------------------------------------

    public synchronized int nextRevision(String account, String region, String family) {
        int revision = lastRevision.merge(key(account, region, family), 1, Integer::sum);
        touch(Kind.FAMILY, key(account, region, family));
        return revision;
    }

    public synchronized TaskDefinition putTaskDefinition(TaskDefinition definition) {
        java.util.List<TaskDefinition> revisions = taskDefinitions.computeIfAbsent(
                key(definition.account(), definition.region(), definition.family()), k -> new java.util.ArrayList<>());
        revisions.removeIf(d -> d.revision() == definition.revision());
        revisions.add(definition);
        revisions.sort(Comparator.comparingInt(TaskDefinition::revision));
        touch(Kind.TASK_DEFINITION, definitionKey(definition));
        return definition;
    }

    public Optional<TaskDefinition> taskDefinition(String account, String region, String family, int revision) {
        java.util.List<TaskDefinition> revisions = taskDefinitions.get(key(account, region, family));
        if (revisions == null) {
            return Optional.empty();
        }
        synchronized (this) {
            return revisions.stream().filter(d -> d.revision() == revision).findFirst();
        }
    }

    /** The latest ACTIVE revision of a family. */
    public Optional<TaskDefinition> latestActive(String account, String region, String family) {
        java.util.List<TaskDefinition> revisions = taskDefinitions.get(key(account, region, family));
        if (revisions == null) {
            return Optional.empty();
        }
        synchronized (this) {
            for (int i = revisions.size() - 1; i >= 0; i--) {
                if (revisions.get(i).active()) {
                    return Optional.of(revisions.get(i));
                }
            }
        }
        return Optional.empty();
    }

    /** Every revision of the account's families in a region, by family then revision. */
    public synchronized List<TaskDefinition> taskDefinitions(String account, String region) {
        String prefix = account + "/" + region + "/";
        return taskDefinitions.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .flatMap(e -> e.getValue().stream())
                .sorted(Comparator.comparing(TaskDefinition::family).thenComparingInt(TaskDefinition::revision)).toList();
    }

    private volatile EcsTasks tasks;

    void useTasks(EcsTasks tasks) {
        this.tasks = tasks;
    }

    /** How many of a cluster's tasks are not yet stopped. */
    public int activeTaskCount(Cluster cluster) {
        EcsTasks t = tasks;
        return t == null ? 0 : t.activeCount(cluster);
    }

    /** Every cluster of every account and region. */
    public synchronized List<Cluster> allClusters() {
        return List.copyOf(clusters.values());
    }

    /** The account's clusters in a region, by name; inactive ones included. */
    public List<Cluster> clusters(String account, String region) {
        return clusters.values().stream().filter(c -> c.account().equals(account) && c.region().equals(region))
                .sorted(Comparator.comparing(Cluster::name)).toList();
    }
}
