package dev.crossrole.server.ecs;

import static dev.crossrole.server.ecs.EcsSupport.account;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.PreparedCall;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** TagResource, UntagResource, ListTagsForResource on clusters, task definitions and tasks. */
final class TagOperations {
    private final EcsDirectory ecs;
    private final EcsTasks tasks;

    TagOperations(EcsSupport support, EcsTasks tasks) {
        this.ecs = support.ecs;
        this.tasks = tasks;
    }

    void register(OperationTable operations) {
        operations.on("TagResource", this::tagResource, onTaggable("ecs:TagResource", "aws:RequestTag/${TagKey}",
                        "aws:TagKeys"))
                .on("UntagResource", this::untagResource, onTaggable("ecs:UntagResource", "aws:TagKeys"))
                .on("ListTagsForResource", this::listTags, onTaggable("ecs:ListTagsForResource"));
    }

    /** An action on whichever taggable resource {@code resourceArn} names: a cluster, task definition or task. */
    private static Authorization[] onTaggable(String action, String... keys) {
        return new Authorization[] {
            Authorization.of(action).on("cluster", "resourceArn").keys(keys),
            Authorization.of(action).on("task-definition", "resourceArn").keys(keys),
            Authorization.of(action).on("task", "resourceArn").keys(keys)};
    }

    /** The tags of the resource an ARN names, and how to replace them. */
    private interface Tagged {
        Map<String, String> tags();

        void replace(Map<String, String> tags);
    }

    private Tagged resolve(Call call, String arn) {
        if (arn.isEmpty()) {
            throw EcsErrors.invalidParameter("The ARN must not be empty.");
        }
        String[] parts = arn.split(":", 6);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[2].equals("ecs")) {
            throw EcsErrors.invalidParameter("The ARN provided is invalid.");
        }
        if (!parts[4].equals(account(call))) {
            throw EcsErrors.invalidParameter("The specified resource is not in your account.");
        }
        String resource = parts[5];
        if (resource.startsWith("cluster/")) {
            Cluster cluster = ecs.cluster(parts[4], parts[3], resource.substring(8)).filter(Cluster::active)
                    .orElseThrow(EcsErrors::clusterNotFound);
            return new Tagged() {
                public Map<String, String> tags() {
                    return cluster.tags();
                }

                public void replace(Map<String, String> tags) {
                    ecs.putCluster(new Cluster(cluster.account(), cluster.region(), cluster.name(), true, cluster.created(), tags));
                }
            };
        }
        if (resource.startsWith("task-definition/")) {
            String ref = resource.substring(16);
            int colon = ref.lastIndexOf(':');
            TaskDefinition definition = colon < 0 ? null : ecs.taskDefinition(parts[4], parts[3], ref.substring(0, colon),
                    parseRevision(ref.substring(colon + 1))).orElse(null);
            if (definition == null) {
                throw EcsErrors.invalidParameter("The specified task definition does not exist.");
            }
            return new Tagged() {
                public Map<String, String> tags() {
                    return definition.tags();
                }

                public void replace(Map<String, String> tags) {
                    ecs.putTaskDefinition(new TaskDefinition(definition.account(), definition.region(), definition.family(),
                            definition.revision(), definition.document(), definition.active(), definition.registeredAt(),
                            definition.deregisteredAt(), tags));
                }
            };
        }
        if (resource.startsWith("task/")) {
            EcsTask task = tasks.task(resource.substring(resource.lastIndexOf('/') + 1))
                    .filter(t -> t.account().equals(parts[4])).orElseThrow(() ->
                            EcsErrors.invalidParameter("The specified task is stopped or does not exist."));
            return new Tagged() {
                public Map<String, String> tags() {
                    synchronized (task) {
                        return task.tags;
                    }
                }

                public void replace(Map<String, String> tags) {
                    synchronized (task) {
                        task.tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags)); // in the order given
                    }
                    tasks.markChanged(task.id()); // committed with the call; a task's version counts its life cycle only
                }
            };
        }
        throw EcsErrors.invalidParameter("The ARN provided is invalid.");
    }

    private static int parseRevision(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private PreparedCall tagResource(Call call, Input input) {
        String arn = input.string("resourceArn");
        Map<String, String> tags = EcsSupport.tags(input, "tags");
        if (tags.isEmpty()) {
            throw EcsErrors.invalidParameter("Tags must not be empty.");
        }
        RequestContext.Builder context = RequestContext.builder();
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        return PreparedCall.of(List.of(EcsSupport.check("ecs:TagResource", arn, context.build())), () -> {
            synchronized (ecs) {
                Tagged tagged = resolve(call, arn);
                Map<String, String> merged = new LinkedHashMap<>(tagged.tags());
                merged.putAll(tags);
                if (merged.size() > 50) {
                    throw EcsErrors.invalidParameter("Tags can have a maximum of 50 key-value pairs.");
                }
                tagged.replace(merged);
                return Shape.of();
            }
        });
    }

    private PreparedCall untagResource(Call call, Input input) {
        String arn = input.string("resourceArn");
        List<String> keys = input.listOrEmpty("tagKeys");
        if (keys.isEmpty()) {
            throw EcsErrors.invalidParameter("TagKeys must not be empty.");
        }
        RequestContext context = RequestContext.builder().multi("aws:TagKeys", keys).build();
        return PreparedCall.of(List.of(EcsSupport.check("ecs:UntagResource", arn, context)), () -> {
            synchronized (ecs) {
                Tagged tagged = resolve(call, arn);
                Map<String, String> remaining = new LinkedHashMap<>(tagged.tags());
                keys.forEach(remaining::remove);
                tagged.replace(remaining);
                return Shape.of();
            }
        });
    }

    private PreparedCall listTags(Call call, Input input) {
        String arn = input.string("resourceArn");
        return PreparedCall.of(List.of(EcsSupport.check("ecs:ListTagsForResource", arn,
                RequestContext.empty())), () -> Shape.of().put("tags", EcsSupport.tagShapes(resolve(call, arn).tags())));
    }
}
