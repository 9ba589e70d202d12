package dev.crossrole.server.ecs;

import static dev.crossrole.server.ecs.EcsSupport.account;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.PreparedCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** CreateCluster, DescribeClusters, ListClusters, DeleteCluster. */
final class ClusterOperations {
    private final EcsSupport support;
    private final EcsDirectory ecs;

    ClusterOperations(EcsSupport support) {
        this.support = support;
        this.ecs = support.ecs;
    }

    void register(OperationTable operations) {
        operations.on("CreateCluster", this::createCluster,
                        Authorization.of("ecs:CreateCluster").on("cluster", "clusterName")
                                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys"),
                        Authorization.of("ecs:TagResource").on("cluster", "clusterName")
                                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys"))
                .on("DescribeClusters", this::describeClusters,
                        Authorization.of("ecs:DescribeClusters").on("cluster", "clusters"))
                .on("ListClusters", this::listClusters, Authorization.of("ecs:ListClusters"))
                .on("DeleteCluster", this::deleteCluster, Authorization.of("ecs:DeleteCluster").on("cluster", "cluster"));
    }

    Shape clusterShape(Cluster cluster, boolean withTags) {
        int active = cluster.active() ? ecs.activeTaskCount(cluster) : 0;
        Shape shape = Shape.of()
                .put("clusterArn", cluster.arn())
                .put("clusterName", cluster.name())
                .put("status", cluster.active() ? "ACTIVE" : "INACTIVE")
                .put("registeredContainerInstancesCount", 0)
                .put("runningTasksCount", active)
                .put("pendingTasksCount", 0)
                .put("activeServicesCount", 0)
                .put("statistics", List.of())
                .put("tags", withTags ? EcsSupport.tagShapes(cluster.tags()) : List.of())
                .put("settings", List.of(Shape.of().put("name", "containerInsights").put("value", "disabled")))
                .put("capacityProviders", List.of())
                .put("defaultCapacityProviderStrategy", List.of());
        return shape;
    }

    private PreparedCall createCluster(Call call, Input input) {
        String name = input.string("clusterName");
        if (name == null) {
            name = EcsSupport.DEFAULT_CLUSTER;
        }
        if (!EcsSupport.CLUSTER_NAME.matcher(name).matches()) {
            throw EcsErrors.invalidParameter("Cluster name must be between 1 and 255 characters long, and may only contain"
                    + " alphanumeric characters, hyphens and underscores.");
        }
        Map<String, String> tags = EcsSupport.tags(input, "tags");
        String clusterName = name;
        String arn = support.clusterArn(call, clusterName);
        RequestContext.Builder context = RequestContext.builder();
        if (!tags.isEmpty()) {
            tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
            context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        }
        List<AccessCheck> checks = new ArrayList<>(List.of(EcsSupport.check("ecs:CreateCluster", arn, context.build())));
        if (!tags.isEmpty()) {
            checks.add(EcsSupport.check("ecs:TagResource", arn, context.build()));
        }
        return PreparedCall.of(checks, () -> {
            synchronized (ecs) {
                Cluster existing = ecs.cluster(account(call), call.region(), clusterName).orElse(null);
                // Creating an existing active cluster returns it, as ECS does.
                Cluster cluster = existing != null && existing.active() ? existing : ecs.putCluster(new Cluster(account(call),
                        call.region(), clusterName, true, ecs.clock().instant(), tags));
                return Shape.of().put("cluster", clusterShape(cluster, true));
            }
        });
    }

    private PreparedCall describeClusters(Call call, Input input) {
        List<String> names = input.listOrEmpty("clusters");
        if (names.size() > 100) {
            throw EcsErrors.invalidParameter("Clusters can have a maximum of 100 items.");
        }
        boolean withTags = input.listOrEmpty("include").contains("TAGS");
        List<String> requested = names.isEmpty() ? List.of(EcsSupport.DEFAULT_CLUSTER) : names;
        List<AccessCheck> checks = new ArrayList<>();
        for (String n : requested) {
            checks.add(EcsSupport.check("ecs:DescribeClusters", support.clusterArn(call, EcsSupport.clusterName(n)),
                    RequestContext.empty()));
        }
        return PreparedCall.of(checks, () -> {
            List<Shape> clusters = new ArrayList<>();
            List<Shape> failures = new ArrayList<>();
            for (String n : requested) {
                String name = EcsSupport.clusterName(n);
                ecs.cluster(account(call), call.region(), name).ifPresentOrElse(
                        c -> clusters.add(clusterShape(c, withTags)),
                        () -> failures.add(Shape.of().put("arn", support.clusterArn(call, name)).put("reason", "MISSING")));
            }
            return Shape.of().put("clusters", clusters).put("failures", failures);
        });
    }

    private PreparedCall listClusters(Call call, Input input) {
        EcsPages.Request page = EcsPages.request(input);
        return PreparedCall.of(List.of(EcsSupport.check("ecs:ListClusters", "*", RequestContext.empty())), () -> {
            List<String> arns = ecs.clusters(account(call), call.region()).stream().filter(Cluster::active)
                    .map(Cluster::arn).toList();
            EcsPages.Page<String> p = EcsPages.page(arns, page);
            return Shape.of().put("clusterArns", p.items()).put("nextToken", p.nextToken());
        });
    }

    private PreparedCall deleteCluster(Call call, Input input) {
        String name = EcsSupport.clusterName(input.string("cluster"));
        return PreparedCall.of(List.of(EcsSupport.check("ecs:DeleteCluster", support.clusterArn(call, name),
                RequestContext.empty())), () -> {
                    synchronized (ecs) {
                        Cluster cluster = ecs.cluster(account(call), call.region(), name).filter(Cluster::active)
                                .orElseThrow(EcsErrors::clusterNotFound);
                        if (ecs.activeTaskCount(cluster) > 0) {
                            throw EcsErrors.clusterContainsTasks();
                        }
                        Cluster inactive = ecs.putCluster(new Cluster(cluster.account(), cluster.region(), cluster.name(),
                                false, cluster.created(), cluster.tags()));
                        return Shape.of().put("cluster", clusterShape(inactive, true));
                    }
                });
    }
}
