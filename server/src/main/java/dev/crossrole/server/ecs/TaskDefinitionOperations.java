package dev.crossrole.server.ecs;

import static dev.crossrole.server.ecs.EcsSupport.account;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, ListTaskDefinitionFamilies, DeregisterTaskDefinition. */
final class TaskDefinitionOperations {
    static final Pattern FAMILY = Pattern.compile("[a-zA-Z0-9_-]{1,255}");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Fargate's task sizes: CPU units to the allowed memory (MiB) range and step. */
    private static final Map<Integer, int[]> FARGATE_SIZES = Map.of(
            256, new int[] {512, 2048, 0},
            512, new int[] {1024, 4096, 1024},
            1024, new int[] {2048, 8192, 1024},
            2048, new int[] {4096, 16384, 1024},
            4096, new int[] {8192, 30720, 1024},
            8192, new int[] {16384, 61440, 4096},
            16384, new int[] {32768, 122880, 8192});

    private final EcsDirectory ecs;

    TaskDefinitionOperations(EcsSupport support) {
        this.ecs = support.ecs;
    }

    void register(OperationTable operations) {
        operations.on("RegisterTaskDefinition", this::register,
                        Authorization.of("ecs:RegisterTaskDefinition").on("task-definition", "family"),
                        Authorization.of("ecs:TagResource").on("task-definition", "family"),
                        Authorization.of("iam:PassRole").on("role", "taskRoleArn", "executionRoleArn")
                                .keys("iam:PassedToService"))
                .on("DescribeTaskDefinition", this::describe, Authorization.of("ecs:DescribeTaskDefinition"))
                .on("ListTaskDefinitions", this::list, Authorization.of("ecs:ListTaskDefinitions"))
                .on("ListTaskDefinitionFamilies", this::listFamilies, Authorization.of("ecs:ListTaskDefinitionFamilies"))
                .on("DeregisterTaskDefinition", this::deregister, Authorization.of("ecs:DeregisterTaskDefinition"));
    }

    /** A role named by ARN or by name (resolved in the caller's account). */
    static String roleArn(Call call, String nameOrArn) {
        if (nameOrArn == null || nameOrArn.startsWith("arn:")) {
            return nameOrArn;
        }
        return "arn:aws:iam::" + account(call) + ":role/" + nameOrArn;
    }

    /** {@code iam:PassRole} for a role handed to ECS, with {@code iam:PassedToService}. */
    static AccessCheck passRole(String roleArn) {
        return EcsSupport.check("iam:PassRole", roleArn, RequestContext.builder()
                .single("iam:PassedToService", "ecs-tasks.amazonaws.com").build());
    }

    // ---- register ---------------------------------------------------------------------------

    private PreparedCall register(Call call, Input input) {
        String family = input.string("family");
        if (family.isEmpty()) {
            throw EcsErrors.client("Family must not be empty.");
        }
        if (!FAMILY.matcher(family).matches()) {
            throw EcsErrors.client("Family contains invalid characters or is longer than 255 characters: letters, numbers,"
                    + " hyphens and underscores are allowed.");
        }
        List<Input> containers = input.list("containerDefinitions");
        if (containers.isEmpty()) {
            throw EcsErrors.client("Container list cannot be empty.");
        }
        List<String> compatibilities = input.listOrEmpty("requiresCompatibilities");
        boolean fargate = compatibilities.contains("FARGATE");
        String networkMode = input.string("networkMode");
        Integer taskCpu = size(input.string("cpu"), true);
        Integer taskMemory = size(input.string("memory"), false);
        if (fargate) {
            if (taskCpu == null) {
                throw EcsErrors.client("Fargate requires that 'cpu' be defined at the task level.");
            }
            if (taskMemory == null) {
                throw EcsErrors.client("Fargate requires that 'memory' be defined at the task level.");
            }
            if (!"awsvpc".equals(networkMode)) {
                throw EcsErrors.client("Fargate only supports network mode \u2018awsvpc\u2019.");
            }
            int[] range = FARGATE_SIZES.get(taskCpu);
            boolean fits = range != null && taskMemory >= range[0] && taskMemory <= range[1]
                    && (range[2] == 0 ? (taskMemory == 512 || taskMemory == 1024 || taskMemory == 2048)
                    : (taskMemory - range[0]) % range[2] == 0);
            if (!fits) {
                throw EcsErrors.client("No Fargate configuration exists for given values: " + taskCpu + " CPU, " + taskMemory
                        + " memory. See the Amazon ECS documentation for the valid values.");
            }
        }
        ArrayNode normalized = JSON.arrayNode();
        Set<String> names = new HashSet<>();
        for (Input container : containers) {
            if (container == null) {
                throw EcsErrors.client("Container.name should not be null or empty.");
            }
            ObjectNode c = EcsDocuments.object(container);
            String name = c.hasNonNull("name") ? c.get("name").asText() : null;
            if (name == null || name.isEmpty()) {
                throw EcsErrors.client("Container.name should not be null or empty.");
            }
            if (!names.add(name)) {
                throw EcsErrors.client("Duplicate container names found in task definition: " + name);
            }
            if (!c.hasNonNull("image") || c.get("image").asText().isEmpty()) {
                throw EcsErrors.client("Container.image should not be null or empty.");
            }
            if (!fargate && taskMemory == null && !c.hasNonNull("memory") && !c.hasNonNull("memoryReservation")) {
                throw EcsErrors.client("Invalid setting for container '" + name + "'. At least one of 'memory' or"
                        + " 'memoryReservation' must be specified.");
            }
            EnvironmentFiles.invalid(name, c.get("environmentFiles")).ifPresent(reason -> {
                throw EcsErrors.client(reason);
            });
            ContainerHealth.invalid(name, c.get("healthCheck")).ifPresent(reason -> {
                throw EcsErrors.client(reason);
            });
            if (c.get("healthCheck") instanceof ObjectNode check) {
                // ECS shows the defaults it applies.
                check.putIfAbsent("interval", JSON.numberNode(30));
                check.putIfAbsent("timeout", JSON.numberNode(5));
                check.putIfAbsent("retries", JSON.numberNode(3));
            }
            if (!c.has("cpu")) {
                c.put("cpu", 0);
            }
            for (String list : new String[] {"portMappings", "environment", "mountPoints", "volumesFrom"}) {
                if (!c.has(list) || c.get(list).isNull()) {
                    c.putArray(list);
                }
            }
            if (!c.has("essential")) {
                c.put("essential", true);
            }
            normalized.add(c);
        }
        List<JsonNode> definitions = new ArrayList<>();
        normalized.forEach(definitions::add);
        ContainerSecrets.invalid(definitions, input.string("executionRoleArn")).ifPresent(reason -> {
            throw EcsErrors.client(reason);
        });
        ContainerLinks.invalid(definitions, networkMode).ifPresent(reason -> {
            throw EcsErrors.client(reason);
        });
        ContainerDependencies.invalid(definitions).ifPresent(reason -> {
            throw EcsErrors.client(reason);
        });
        boolean anyEssential = false;
        for (JsonNode c : normalized) {
            anyEssential |= c.get("essential").asBoolean();
        }
        if (!anyEssential) {
            throw EcsErrors.client("Task definition must have at least one essential container.");
        }
        ArrayNode volumes = TaskVolumes.registered(EcsDocuments.array(input.listOrEmpty("volumes")), normalized, fargate);
        Map<String, String> tags = EcsSupport.tags(input, "tags");
        String taskRole = roleArn(call, input.string("taskRoleArn"));
        String executionRole = roleArn(call, input.string("executionRoleArn"));
        List<AccessCheck> checks = new ArrayList<>();
        String arnPrefix = "arn:aws:ecs:" + call.region() + ":" + account(call) + ":task-definition/" + family;
        // The revision is not known before the call runs: the check names every revision of the family.
        checks.add(EcsSupport.check("ecs:RegisterTaskDefinition", arnPrefix + ":*", RequestContext.empty()));
        if (!tags.isEmpty()) {
            checks.add(EcsSupport.check("ecs:TagResource", arnPrefix + ":*", RequestContext.empty()));
        }
        for (String role : new LinkedHashSet<>(java.util.Arrays.asList(taskRole, executionRole))) {
            if (role != null) {
                checks.add(passRole(role));
            }
        }
        return PreparedCall.of(checks, () -> {
            int revision = ecs.nextRevision(account(call), call.region(), family);
            java.time.Instant now = ecs.clock().instant();
            ObjectNode doc = JSON.objectNode();
            doc.put("taskDefinitionArn", arnPrefix + ":" + revision);
            doc.set("containerDefinitions", normalized);
            doc.put("family", family);
            if (taskRole != null) {
                doc.put("taskRoleArn", taskRole);
            }
            if (executionRole != null) {
                doc.put("executionRoleArn", executionRole);
            }
            doc.put("networkMode", networkMode == null ? "bridge" : networkMode);
            doc.put("revision", revision);
            doc.set("volumes", volumes);
            ArrayNode attributes = doc.putArray("requiresAttributes");
            if (taskRole != null) {
                attributes.addObject().put("name", "com.amazonaws.ecs.capability.task-iam-role");
            }
            if ("awsvpc".equals(networkMode)) {
                attributes.addObject().put("name", "ecs.capability.task-eni");
            }
            attributes.addObject().put("name", "com.amazonaws.ecs.capability.docker-remote-api.1.18");
            doc.set("placementConstraints", EcsDocuments.array(input.listOrEmpty("placementConstraints")));
            ArrayNode compat = doc.putArray("compatibilities");
            compat.add("EC2");
            if (fargate || ("awsvpc".equals(networkMode) && taskCpu != null && taskMemory != null)) {
                compat.add("FARGATE");
            }
            if (!compatibilities.isEmpty()) {
                ArrayNode requires = doc.putArray("requiresCompatibilities");
                compatibilities.forEach(requires::add);
            }
            if (taskCpu != null) {
                doc.put("cpu", String.valueOf(taskCpu));
            }
            if (taskMemory != null) {
                doc.put("memory", String.valueOf(taskMemory));
            }
            for (String passthrough : new String[] {"pidMode", "ipcMode", "ephemeralStorage", "runtimePlatform",
                    "proxyConfiguration", "enableFaultInjection"}) {
                if (input.has(passthrough)) {
                    doc.set(passthrough, EcsDocuments.json(input.get(passthrough)));
                }
            }
            doc.put("registeredAt", now.toEpochMilli() / 1000.0);
            doc.put("registeredBy", call.caller().arn());
            TaskDefinition definition = ecs.putTaskDefinition(new TaskDefinition(account(call), call.region(), family,
                    revision, doc, true, now, null, tags));
            return Shape.of().put("taskDefinition", definition.shape()).put("tags", EcsSupport.tagShapes(tags));
        });
    }

    /** Task-level cpu or memory: a number, or with units ({@code 0.25 vCPU}, {@code 1 GB}); {@code null} if absent. */
    static Integer size(String text, boolean cpu) {
        if (text == null) {
            return null;
        }
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (cpu && t.endsWith("vcpu")) {
                return (int) Math.round(Double.parseDouble(t.substring(0, t.length() - 4).trim()) * 1024);
            }
            if (!cpu && t.endsWith("gb")) {
                return (int) Math.round(Double.parseDouble(t.substring(0, t.length() - 2).trim()) * 1024);
            }
            int value = Integer.parseInt(t);
            if (value <= 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw EcsErrors.invalidParameter("Invalid '" + (cpu ? "cpu" : "memory") + "' setting for task.");
        }
    }

    // ---- describe, list, deregister -----------------------------------------------------------

    /** A task definition named by family (latest ACTIVE revision), family:revision, or ARN. */
    TaskDefinition resolve(Call call, String reference, boolean latestWhenNoRevision) {
        String ref = reference;
        int slash = ref.indexOf(":task-definition/");
        if (ref.startsWith("arn:")) {
            if (slash < 0) {
                return null;
            }
            ref = ref.substring(slash + ":task-definition/".length());
        }
        int colon = ref.lastIndexOf(':');
        if (colon < 0) {
            return latestWhenNoRevision ? ecs.latestActive(account(call), call.region(), ref).orElse(null) : null;
        }
        try {
            int revision = Integer.parseInt(ref.substring(colon + 1));
            return ecs.taskDefinition(account(call), call.region(), ref.substring(0, colon), revision).orElse(null);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private PreparedCall describe(Call call, Input input) {
        String reference = input.string("taskDefinition");
        if (reference.isEmpty()) {
            throw EcsErrors.client("Task Definition can not be blank.");
        }
        boolean withTags = input.listOrEmpty("include").contains("TAGS");
        return PreparedCall.of(List.of(EcsSupport.check("ecs:DescribeTaskDefinition", "*", RequestContext.empty())), () -> {
            TaskDefinition definition = resolve(call, reference, true);
            if (definition == null) {
                throw EcsErrors.client("Unable to describe task definition.");
            }
            Shape out = Shape.of().put("taskDefinition", definition.shape());
            if (withTags) {
                out.put("tags", EcsSupport.tagShapes(definition.tags()));
            }
            return out;
        });
    }

    private PreparedCall list(Call call, Input input) {
        String family = input.string("familyPrefix");
        String status = input.string("status");
        String sort = input.string("sort");
        EcsPages.Request page = EcsPages.request(input);
        return PreparedCall.of(List.of(EcsSupport.check("ecs:ListTaskDefinitions", "*", RequestContext.empty())), () -> {
            boolean active = status == null || status.equals("ACTIVE");
            List<TaskDefinition> all = new ArrayList<>(ecs.taskDefinitions(account(call), call.region()).stream()
                    .filter(d -> family == null || d.family().equals(family))
                    .filter(d -> status == null || !status.equals("DELETE_IN_PROGRESS"))
                    .filter(d -> d.active() == active).toList());
            if ("DESC".equals(sort)) {
                all.sort(Comparator.comparing(TaskDefinition::family).reversed()
                        .thenComparing(Comparator.comparingInt(TaskDefinition::revision).reversed()));
            }
            EcsPages.Page<String> p = EcsPages.page(all.stream().map(TaskDefinition::arn).toList(), page);
            return Shape.of().put("taskDefinitionArns", p.items()).put("nextToken", p.nextToken());
        });
    }

    private PreparedCall listFamilies(Call call, Input input) {
        String prefix = input.string("familyPrefix");
        String status = input.string("status");
        EcsPages.Request page = EcsPages.request(input);
        return PreparedCall.of(List.of(EcsSupport.check("ecs:ListTaskDefinitionFamilies", "*", RequestContext.empty())), () -> {
            Map<String, Boolean> anyActive = new LinkedHashMap<>();
            for (TaskDefinition d : ecs.taskDefinitions(account(call), call.region())) {
                if (prefix == null || d.family().startsWith(prefix)) {
                    anyActive.merge(d.family(), d.active(), Boolean::logicalOr);
                }
            }
            String wanted = status == null ? "ACTIVE" : status;
            List<String> families = anyActive.entrySet().stream()
                    .filter(e -> wanted.equals("ALL") || (wanted.equals("ACTIVE") == e.getValue()))
                    .map(Map.Entry::getKey).toList();
            EcsPages.Page<String> p = EcsPages.page(families, page);
            return Shape.of().put("families", p.items()).put("nextToken", p.nextToken());
        });
    }

    private PreparedCall deregister(Call call, Input input) {
        String reference = input.string("taskDefinition");
        if (reference.isEmpty()) {
            throw EcsErrors.client("Task Definition can not be blank.");
        }
        String tail = reference.startsWith("arn:") ? reference.substring(reference.indexOf('/') + 1) : reference;
        if (!tail.contains(":")) {
            throw EcsErrors.client("Invalid revision number. Number: " + tail);
        }
        return PreparedCall.of(List.of(EcsSupport.check("ecs:DeregisterTaskDefinition", "*", RequestContext.empty())), () -> {
            synchronized (ecs) {
                TaskDefinition definition = resolve(call, reference, false);
                if (definition == null) {
                    throw EcsErrors.client("The specified task definition does not exist.");
                }
                TaskDefinition inactive = definition.active() ? ecs.putTaskDefinition(
                        definition.deregistered(ecs.clock().instant())) : definition;
                return Shape.of().put("taskDefinition", inactive.shape());
            }
        });
    }
}
