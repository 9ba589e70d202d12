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

    /** Called after every change of clusters or task definitions (persistence). */
    private volatile Runnable onChange = () -> { };

    public void onChange(Runnable listener) {
        this.onChange = listener;
    }

    /** Revision counters per family, for persistence. */
    synchronized Map<String, Integer> revisions() {
        return Map.copyOf(lastRevision);
    }

    synchronized void restoreRevision(String key, int revision) {
        lastRevision.put(key, revision);
    }

    private static String key(String account, String region, String name) {
        return account + "/" + region + "/" + name;
    }

    public synchronized Cluster putCluster(Cluster cluster) {
        clusters.put(key(cluster.account(), cluster.region(), cluster.name()), cluster);
        onChange.run();
        return cluster;
    }

    public Optional<Cluster> cluster(String account, String region, String name) {
        return Optional.ofNullable(clusters.get(key(account, region, name)));
    }

    // ---- task definitions -------------------------------------------------------------------

    public synchronized int nextRevision(String account, String region, String family) {
        int revision = lastRevision.merge(key(account, region, family), 1, Integer::sum);
        onChange.run();
        return revision;
    }

    public synchronized TaskDefinition putTaskDefinition(TaskDefinition definition) {
        java.util.List<TaskDefinition> revisions = taskDefinitions.computeIfAbsent(
                key(definition.account(), definition.region(), definition.family()), k -> new java.util.ArrayList<>());
        revisions.removeIf(d -> d.revision() == definition.revision());
        revisions.add(definition);
        revisions.sort(Comparator.comparingInt(TaskDefinition::revision));
        onChange.run();
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
