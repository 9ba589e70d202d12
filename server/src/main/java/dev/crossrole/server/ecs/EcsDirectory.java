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

    public EcsDirectory(Clock clock) {
        this.clock = clock;
    }

    public Clock clock() {
        return clock;
    }

    private static String key(String account, String region, String name) {
        return account + "/" + region + "/" + name;
    }

    public synchronized Cluster putCluster(Cluster cluster) {
        clusters.put(key(cluster.account(), cluster.region(), cluster.name()), cluster);
        return cluster;
    }

    public Optional<Cluster> cluster(String account, String region, String name) {
        return Optional.ofNullable(clusters.get(key(account, region, name)));
    }

    /** How many of a cluster's tasks are not yet stopped. Tasks are not kept yet, so none are. */
    public int activeTaskCount(Cluster cluster) {
        return 0;
    }

    /** The account's clusters in a region, by name; inactive ones included. */
    public List<Cluster> clusters(String account, String region) {
        return clusters.values().stream().filter(c -> c.account().equals(account) && c.region().equals(region))
                .sorted(Comparator.comparing(Cluster::name)).toList();
    }
}
