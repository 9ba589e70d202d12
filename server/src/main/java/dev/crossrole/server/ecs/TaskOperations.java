package dev.crossrole.server.ecs;

import static dev.crossrole.server.ecs.EcsSupport.account;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.PreparedCall;
import dev.crossrole.server.sts.ServiceRoleCredentials;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** RunTask, DescribeTasks, ListTasks, StopTask, ExecuteCommand, and tags on ECS resources. */
final class TaskOperations {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EcsSupport support;
    private final EcsDirectory ecs;
    private final EcsTasks tasks;
    private final TaskDefinitionOperations definitions;

    TaskOperations(EcsSupport support, EcsTasks tasks, TaskDefinitionOperations definitions) {
        this.support = support;
        this.ecs = support.ecs;
        this.tasks = tasks;
        this.definitions = definitions;
    }

    void register(OperationTable operations) {
        operations.on("RunTask", this::runTask,
                        Authorization.of("ecs:RunTask").on("task-definition", "taskDefinition").keys("ecs:cluster"),
                        Authorization.of("iam:PassRole").on("role", "overrides", "taskDefinition")
                                .keys("iam:PassedToService"),
                        Authorization.of("ecs:TagResource").on("task", "cluster")
                                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys"))
                .on("DescribeTasks", this::describeTasks,
                        Authorization.of("ecs:DescribeTasks").on("task", "cluster", "tasks").keys("ecs:cluster"))
                .on("ListTasks", this::listTasks,
                        Authorization.of("ecs:ListTasks").on("container-instance", "cluster").keys("ecs:cluster"))
                .on("StopTask", this::stopTask,
                        Authorization.of("ecs:StopTask").on("task", "cluster", "task").keys("ecs:cluster"))
                .on("ExecuteCommand", this::executeCommand,
                        Authorization.of("ecs:ExecuteCommand").on("cluster", "cluster"));
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    // ---- RunTask ------------------------------------------------------------------------------

    private PreparedCall runTask(Call call, Input input) {
        String reference = input.string("taskDefinition");
        if (reference.isEmpty()) {
            throw EcsErrors.invalidParameter("TaskDefinition cannot be empty.");
        }
        Integer count = input.integer("count");
        if (count != null && (count < 1 || count > 10)) {
            throw EcsErrors.invalidParameter("Count must be between 1 and 10.");
        }
        String launchType = input.string("launchType");
        if (launchType != null && !Set.of("EC2", "FARGATE", "EXTERNAL").contains(launchType)) {
            // The model also names MANAGED_INSTANCES, which needs capacity crossrole does not have.
            throw EcsErrors.invalidParameter("Invalid launch type: " + launchType);
        }
        ObjectNode overrides = input.has("overrides") ? EcsDocuments.object(input.struct("overrides"))
                : JsonNodeFactory.instance.objectNode();
        String startedBy = input.string("startedBy");
        String group = input.string("group");
        boolean exec = input.bool("enableExecuteCommand", false);
        Map<String, String> tags = EcsSupport.tags(input, "tags");
        Cluster cluster = support.activeCluster(call, input.string("cluster"));
        TaskDefinition definition = definitions.resolve(call, reference, true);
        if (definition == null) {
            throw EcsErrors.client("TaskDefinition not found.");
        }
        if (!definition.active()) {
            throw EcsErrors.client("TaskDefinition is inactive");
        }
        if ("awsvpc".equals(definition.document().path("networkMode").asText()) && !input.has("networkConfiguration")) {
            throw EcsErrors.invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
        }
        if (overrides.has("containerOverrides")) {
            for (JsonNode o : overrides.get("containerOverrides")) {
                String name = o.path("name").asText(null);
                boolean known = false;
                for (JsonNode c : definition.document().get("containerDefinitions")) {
                    known |= c.get("name").asText().equals(name);
                }
                if (!known) {
                    throw EcsErrors.invalidParameter("Override for container named " + name
                            + " is not a container in the TaskDefinition.");
                }
                EnvironmentFiles.invalid(name, o.get("environmentFiles")).ifPresent(reason -> {
                    throw EcsErrors.client(reason);
                });
            }
        }
        String taskRole = overrides.hasNonNull("taskRoleArn")
                ? TaskDefinitionOperations.roleArn(call, overrides.get("taskRoleArn").asText()) : definition.taskRoleArn();
        String executionRole = overrides.hasNonNull("executionRoleArn")
                ? TaskDefinitionOperations.roleArn(call, overrides.get("executionRoleArn").asText())
                : definition.executionRoleArn();
        RequestContext clusterKey = RequestContext.builder().single("ecs:cluster", cluster.arn()).build();
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(EcsSupport.check("ecs:RunTask", definition.arn(), clusterKey));
        for (String role : new java.util.LinkedHashSet<>(java.util.Arrays.asList(taskRole, executionRole))) {
            if (role != null) {
                checks.add(TaskDefinitionOperations.passRole(role));
            }
        }
        if (!tags.isEmpty()) {
            RequestContext.Builder tagging = RequestContext.builder();
            tags.forEach((k, v) -> tagging.single("aws:RequestTag/" + k, v));
            tagging.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
            checks.add(EcsSupport.check("ecs:TagResource", "arn:aws:ecs:" + call.region() + ":" + account(call) + ":task/"
                    + cluster.name() + "/*", tagging.build()));
        }
        int n = count == null ? 1 : count;
        String resolvedLaunchType = launchType != null ? launchType
                : definition.document().path("requiresCompatibilities").toString().contains("FARGATE") ? "FARGATE" : "EC2";
        return PreparedCall.of(checks, () -> {
            // Refused before anything is recorded: a task that could never run is not created.
            tasks.runtimeUnavailable().ifPresent(reason -> {
                throw EcsErrors.client(reason);
            });
            TaskVolumes.unsupported(definition, tasks.providesEngineVolumes()).ifPresent(reason -> {
                throw EcsErrors.client(reason);
            });
            ContainerSecrets.unsupported(definition).ifPresent(reason -> {
                throw EcsErrors.client(reason);
            });
            unmappablePort(definition).ifPresent(reason -> {
                throw EcsErrors.client(reason);
            });
            extraPrivilege(definition).ifPresent(reason -> {
                throw EcsErrors.client(reason);
            });
            if (!input.listOrEmpty("volumeConfigurations").isEmpty()) {
                // crossrole's wording: ignoring them would run the task without the volumes it asked for.
                throw EcsErrors.client("crossrole cannot provide volumeConfigurations (Amazon EBS volumes): tasks run on"
                        + " this machine, with bind mounts (host.sourcePath) and task-scoped volumes only.");
            }
            List<Shape> started = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                EcsTask task = create(call, cluster, definition, taskRole, overrides, startedBy, group, resolvedLaunchType,
                        exec, tags);
                if (taskRole != null) {
                    ServiceRoleCredentials.Outcome outcome = tasks.assumeTaskRole(task);
                    if (outcome == null || !outcome.allowed()) {
                        throw EcsErrors.client("ECS was unable to assume the role '" + taskRole + "' that was provided for"
                                + " this task. Please verify that the role being passed has the proper trust relationship"
                                + " and permissions and that your IAM user has permissions to pass this role.");
                    }
                    task.credentials = outcome.credentials();
                }
                tasks.add(task);
                Shape shape = taskShape(task, true);
                tasks.startLater(task);
                started.add(shape);
            }
            return Shape.of().put("tasks", started).put("failures", List.of());
        });
    }

    private EcsTask create(Call call, Cluster cluster, TaskDefinition definition, String taskRole, ObjectNode overrides,
                           String startedBy, String group, String launchType, boolean exec, Map<String, String> tags) {
        String id = hex(16);
        Path workDir = tasks.tasksDir().resolve(id);
        String credentialsId = taskRole == null ? null : UUID.randomUUID().toString();
        String token = hex(24);
        String metadataId = id + "-" + (1000000000L + RANDOM.nextInt(1000000000));
        String region = call.region();
        String endpoint = tasks.endpoint();
        List<EcsTask.Container> containers = new ArrayList<>();
        for (JsonNode def : definition.document().get("containerDefinitions")) {
            String name = def.get("name").asText();
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
            env.put("HOME", workDir.toString());
            env.put("LANG", System.getenv().getOrDefault("LANG", "C.UTF-8"));
            def.path("environment").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
            if (overrides.has("containerOverrides")) {
                for (JsonNode o : overrides.get("containerOverrides")) {
                    if (o.path("name").asText().equals(name)) {
                        o.path("environment").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
                    }
                }
            }
            if (credentialsId != null) {
                env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint + "/v2/credentials/" + credentialsId);
                env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", token);
            }
            // Each container its own: the container metadata path answers for the container that asks.
            String containerMetadataId = metadataId + "-" + containers.size();
            env.put("ECS_CONTAINER_METADATA_URI_V4", endpoint + "/v4/" + containerMetadataId);
            env.put("ECS_CONTAINER_METADATA_URI", endpoint + "/v3/" + containerMetadataId);
            env.put("AWS_REGION", region);
            env.put("AWS_DEFAULT_REGION", region);
            env.put("AWS_ENDPOINT_URL", endpoint);
            env.put("AWS_EXECUTION_ENV", "FARGATE".equals(launchType) ? "AWS_ECS_FARGATE" : "AWS_ECS_EC2");
            env.put("AWS_EC2_METADATA_DISABLED", "true");
            int stopTimeout = def.path("stopTimeout").asInt(30);
            containers.add(new EcsTask.Container(name, "arn:aws:ecs:" + region + ":" + account(call) + ":container/"
                    + cluster.name() + "/" + id + "/" + UUID.randomUUID(), def.path("image").asText(),
                    def.path("essential").asBoolean(true), stopTimeout, env, EcsTasks.logFolder(tasks.tasksDir(), id).resolve(name + ".log")));
        }
        return new EcsTask(id, account(call), region, cluster, definition, taskRole,
                group != null ? group : "family:" + definition.family(), startedBy, launchType, exec, tags, overrides,
                workDir, credentialsId, token, metadataId, containers, ecs.clock().instant(), tasks.nodeId());
    }

    // ---- shapes -------------------------------------------------------------------------------

    /**
     * A port mapping crossrole cannot honour: containers run on this machine's network (see the runtimes), where a
     * container's port is this machine's, so a {@code hostPort} other than the {@code containerPort} would be a
     * binding that does not exist. Refused rather than reported falsely.
     */
    static java.util.Optional<String> unmappablePort(TaskDefinition definition) {
        for (JsonNode container : definition.document().path("containerDefinitions")) {
            for (JsonNode mapping : container.path("portMappings")) {
                int containerPort = mapping.path("containerPort").asInt(0);
                int hostPort = mapping.path("hostPort").asInt(0);
                if (hostPort != 0 && hostPort != containerPort) {
                    return java.util.Optional.of("crossrole runs a task's containers on this machine's network, where a"
                            + " container's port is the machine's: container " + container.path("name").asText()
                            + " maps containerPort " + containerPort + " to hostPort " + hostPort + "; leave hostPort out"
                            + " or make it " + containerPort + ".");
                }
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * A container that asks for more than a container's usual privileges — {@code privileged}, added Linux
     * capabilities, this machine's devices — which no runtime of crossrole grants: its code could then reach this
     * machine (and crossrole's data) as root. Refused rather than run without them.
     */
    static java.util.Optional<String> extraPrivilege(TaskDefinition definition) {
        for (JsonNode container : definition.document().path("containerDefinitions")) {
            String name = container.path("name").asText();
            String asked = null;
            if (container.path("privileged").asBoolean(false)) {
                asked = "privileged mode";
            } else if (container.path("linuxParameters").path("capabilities").path("add").size() > 0) {
                List<String> added = new ArrayList<>();
                container.path("linuxParameters").path("capabilities").path("add").forEach(c -> added.add(c.asText()));
                asked = "the added capabilities " + String.join(", ", added);
            } else if (container.path("linuxParameters").path("devices").size() > 0) {
                List<String> devices = new ArrayList<>();
                container.path("linuxParameters").path("devices").forEach(d -> devices.add(d.path("hostPath").asText()));
                asked = "this machine's devices " + String.join(", ", devices);
            }
            if (asked != null) {
                return java.util.Optional.of("crossrole runs containers without extra privileges: container " + name
                        + " asks for " + asked + ", which would let its code reach this machine as root; remove it"
                        + " from the task definition.");
            }
        }
        return java.util.Optional.empty();
    }

    /** A running container's port mappings as bindings: each container port is this machine's, on every address. */
    private static List<Shape> networkBindings(EcsTask task, String container) {
        List<Shape> bindings = new ArrayList<>();
        for (JsonNode mapping : task.definition.container(container).path("portMappings")) {
            int port = mapping.path("containerPort").asInt(0);
            if (port > 0) {
                bindings.add(Shape.of().put("bindIP", "0.0.0.0").put("containerPort", port)
                        .put("hostPort", port).put("protocol", mapping.path("protocol").asText("tcp")));
            }
        }
        return bindings;
    }

    Shape taskShape(EcsTask task, boolean withTags) {
        synchronized (task) {
            List<Shape> containers = new ArrayList<>();
            for (EcsTask.Container c : task.containers) {
                Shape shape = Shape.of()
                        .put("containerArn", c.arn)
                        .put("taskArn", task.arn())
                        .put("name", c.name)
                        .put("image", c.image)
                        .put("runtimeId", c.runtimeId)
                        .put("lastStatus", c.lastStatus)
                        .put("exitCode", c.exitCode)
                        .put("reason", c.reason)
                        .put("networkBindings", "RUNNING".equals(c.lastStatus) ? networkBindings(task, c.name) : List.of())
                        .put("networkInterfaces", List.of())
                        .put("healthStatus", c.healthStatus);
                if (task.enableExecuteCommand) {
                    shape.put("managedAgents", List.of(Shape.of().put("name", "ExecuteCommandAgent")
                            .put("lastStatus", c.lastStatus)));
                }
                containers.add(shape);
            }
            // The container overrides as sent, and a bare {name} for containers that had none (as ECS echoes them).
            List<Object> overrides = new ArrayList<>();
            for (EcsTask.Container c : task.containers) {
                JsonNode sent = null;
                for (JsonNode o : task.overrides.path("containerOverrides")) {
                    if (o.path("name").asText().equals(c.name)) {
                        sent = o;
                    }
                }
                overrides.add(sent != null ? sent.deepCopy() : Shape.of().put("name", c.name));
            }
            Shape overridesShape = Shape.of().put("containerOverrides", overrides).put("inferenceAcceleratorOverrides", List.of());
            if (task.overrides.hasNonNull("taskRoleArn")) {
                overridesShape.put("taskRoleArn", task.overrides.get("taskRoleArn").asText());
            }
            Shape shape = Shape.of()
                    .put("taskArn", task.arn())
                    .put("clusterArn", task.cluster.arn())
                    .put("taskDefinitionArn", task.definition.arn())
                    .put("overrides", overridesShape)
                    .put("lastStatus", task.lastStatus)
                    .put("desiredStatus", task.desiredStatus)
                    .put("cpu", task.definition.document().path("cpu").asText(null))
                    .put("memory", task.definition.document().path("memory").asText(null))
                    .put("containers", containers)
                    .put("startedBy", task.startedBy)
                    .put("version", task.version)
                    .put("stoppedReason", task.stoppedReason)
                    .put("stopCode", task.stopCode)
                    .put("connectivity", "CONNECTED")
                    .put("connectivityAt", task.createdAt)
                    .put("createdAt", task.createdAt)
                    .put("startedAt", task.startedAt)
                    .put("stoppingAt", task.stoppingAt)
                    .put("stoppedAt", task.stoppedAt)
                    .put("executionStoppedAt", task.stoppedAt)
                    .put("group", task.group)
                    .put("launchType", task.launchType)
                    .put("availabilityZone", task.region + "a")
                    .put("attachments", List.of())
                    .put("enableExecuteCommand", task.enableExecuteCommand)
                    .put("healthStatus", ContainerHealth.taskHealth(task));
            if (withTags) {
                shape.put("tags", EcsSupport.tagShapes(task.tags));
            }
            return shape;
        }
    }

    /** A task named by id or ARN in a cluster of the caller. */
    private EcsTask find(Call call, Cluster cluster, String reference) {
        String id = reference.startsWith("arn:") ? reference.substring(reference.lastIndexOf('/') + 1) : reference;
        return tasks.task(id).filter(t -> t.account.equals(account(call)) && t.cluster.arn().equals(cluster.arn()))
                .orElse(null);
    }

    // ---- describe, list, stop -------------------------------------------------------------------

    private PreparedCall describeTasks(Call call, Input input) {
        List<String> references = input.list("tasks");
        if (references.isEmpty()) {
            throw EcsErrors.invalidParameter("Tasks cannot be empty.");
        }
        if (references.size() > 100) {
            throw EcsErrors.invalidParameter("Tasks can have a maximum of 100 items.");
        }
        boolean withTags = input.listOrEmpty("include").contains("TAGS");
        Cluster cluster = support.activeCluster(call, input.string("cluster"));
        RequestContext clusterKey = RequestContext.builder().single("ecs:cluster", cluster.arn()).build();
        List<AccessCheck> checks = new ArrayList<>();
        for (String reference : references) {
            String id = reference.startsWith("arn:") ? reference.substring(reference.lastIndexOf('/') + 1) : reference;
            checks.add(EcsSupport.check("ecs:DescribeTasks", "arn:aws:ecs:" + call.region() + ":" + account(call) + ":task/"
                    + cluster.name() + "/" + id, clusterKey));
        }
        return PreparedCall.of(checks, () -> {
            List<Shape> found = new ArrayList<>();
            List<Shape> failures = new ArrayList<>();
            for (String reference : references) {
                EcsTask task = find(call, cluster, reference);
                if (task == null) {
                    String arn = reference.startsWith("arn:") ? reference : "arn:aws:ecs:" + call.region() + ":"
                            + account(call) + ":task/" + cluster.name() + "/" + reference;
                    failures.add(Shape.of().put("arn", arn).put("reason", "MISSING"));
                } else {
                    found.add(taskShape(task, withTags));
                }
            }
            return Shape.of().put("tasks", found).put("failures", failures);
        });
    }

    private PreparedCall listTasks(Call call, Input input) {
        String desired = input.string("desiredStatus");
        String family = input.string("family");
        String startedBy = input.string("startedBy");
        String launchType = input.string("launchType");
        EcsPages.Request page = EcsPages.request(input);
        Cluster cluster = support.activeCluster(call, input.string("cluster"));
        RequestContext clusterKey = RequestContext.builder().single("ecs:cluster", cluster.arn()).build();
        // The reference authorizes ListTasks on container instances: any of the cluster's, with ecs:cluster.
        String containerInstances = "arn:aws:ecs:" + call.region() + ":" + account(call) + ":container-instance/"
                + cluster.name() + "/*";
        return PreparedCall.of(List.of(EcsSupport.check("ecs:ListTasks", containerInstances, clusterKey)), () -> {
            String wanted = desired == null ? "RUNNING" : desired;
            List<String> arns = tasks.all().stream()
                    .filter(t -> t.account.equals(account(call)) && t.cluster.arn().equals(cluster.arn()))
                    .filter(t -> {
                        synchronized (t) {
                            return t.desiredStatus.equals(wanted) || (wanted.equals("PENDING") && "PENDING".equals(t.lastStatus));
                        }
                    })
                    .filter(t -> family == null || t.definition.family().equals(family))
                    .filter(t -> startedBy == null || startedBy.equals(t.startedBy))
                    .filter(t -> launchType == null || launchType.equals(t.launchType))
                    .sorted(java.util.Comparator.comparing((EcsTask t) -> t.createdAt).thenComparing(t -> t.id))
                    .map(EcsTask::arn).toList();
            EcsPages.Page<String> p = EcsPages.page(arns, page);
            return Shape.of().put("taskArns", p.items()).put("nextToken", p.nextToken());
        });
    }

    private PreparedCall stopTask(Call call, Input input) {
        String reference = input.string("task");
        if (reference.isEmpty()) {
            throw EcsErrors.invalidParameter("Task cannot be empty.");
        }
        String reason = input.string("reason");
        if (reason != null && reason.length() > 255) {
            throw EcsErrors.invalidParameter("Reason cannot be longer than 255 characters.");
        }
        Cluster cluster = support.activeCluster(call, input.string("cluster"));
        String id = reference.startsWith("arn:") ? reference.substring(reference.lastIndexOf('/') + 1) : reference;
        if (!id.matches("[0-9a-f]{32}")) {
            throw EcsErrors.invalidParameter("Invalid id: " + reference);
        }
        RequestContext clusterKey = RequestContext.builder().single("ecs:cluster", cluster.arn()).build();
        return PreparedCall.of(List.of(EcsSupport.check("ecs:StopTask", "arn:aws:ecs:" + call.region() + ":" + account(call)
                + ":task/" + cluster.name() + "/" + id, clusterKey)), () -> {
                    EcsTask task = find(call, cluster, id);
                    if (task == null) {
                        throw EcsErrors.invalidParameter("The referenced task was not found.");
                    }
                    tasks.stop(task, "UserInitiated", reason == null ? "Task stopped by user" : reason);
                    return Shape.of().put("task", taskShape(task, false));
                });
    }

    private PreparedCall executeCommand(Call call, Input input) {
        String reference = input.string("task");
        Cluster cluster = support.activeCluster(call, input.string("cluster"));
        return PreparedCall.of(List.of(EcsSupport.check("ecs:ExecuteCommand", cluster.arn(), RequestContext.empty())), () -> {
            String id = reference.substring(reference.lastIndexOf('/') + 1);
            throw EcsErrors.invalidParameter("crossrole runs tasks as local processes and has no Session Manager: use"
                    + " ./crossrole exec --cluster " + cluster.name() + " --task " + id + " -- COMMAND instead.");
        });
    }

}
