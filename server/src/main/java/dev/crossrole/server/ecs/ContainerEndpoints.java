package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.tasks.TaskRuntime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * What ECS serves containers, on crossrole's own listener: the credentials endpoint
 * ({@code GET /v2/credentials/{id}} with the task's authorization token) and task metadata v4
 * ({@code /v4/{id}}, {@code /v4/{id}/task}, {@code /v4/{id}/stats}, {@code /v4/{id}/task/stats}).
 */
public final class ContainerEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final EcsTasks tasks;

    /** An answer in JSON, as the listener sends it. */
    public record Answer(int status, String json) {}

    public ContainerEndpoints(EcsTasks tasks) {
        this.tasks = tasks;
    }

    /**
     * The answer for a container-endpoint path, or {@code null} when the path is not one.
     *
     * @param rawPath the path as sent
     * @param authorization the {@code Authorization} header, or {@code null}
     */
    public Answer answer(String method, String rawPath, String authorization) {
        if (rawPath.startsWith("/v2/credentials/")) {
            return credentials(method, authorization, rawPath.substring("/v2/credentials/".length()));
        }
        if (rawPath.startsWith("/v4/") || rawPath.startsWith("/v3/")) {
            return metadata(rawPath.substring(4));
        }
        return null;
    }

    private Answer credentials(String method, String authorization, String id) {
        if (!"GET".equals(method)) {
            return error(405, "InvalidRequest", "Only GET is supported.");
        }
        if (authorization == null || authorization.isEmpty()) {
            return error(401, "NoAuthorizationToken", "Authorization header is missing.");
        }
        Optional<EcsTasks.Vended> vended = tasks.credentials(id, authorization);
        if (vended.isEmpty()) {
            return error(403, "InvalidIdInRequest", "Credentials could not be retrieved for this id and token.");
        }
        EcsTasks.Vended v = vended.get();
        ObjectNode node = JSON.createObjectNode();
        node.put("RoleArn", v.roleArn());
        node.put("AccessKeyId", v.credentials().accessKeyId());
        node.put("SecretAccessKey", v.credentials().secretAccessKey());
        node.put("Token", v.credentials().sessionToken());
        node.put("Expiration", v.credentials().expiration().truncatedTo(ChronoUnit.SECONDS).toString());
        node.put("AccountId", v.accountId());
        return new Answer(200, node.toString());
    }

    private Answer metadata(String rest) {
        int slash = rest.indexOf('/');
        String id = slash < 0 ? rest : rest.substring(0, slash);
        String sub = slash < 0 ? "" : rest.substring(slash);
        // A container's id is its task's and its place in the task ("<task metadata id>-<index>"); a task's own id,
        // which tasks started before containers had their own were given, answers for its first container.
        Optional<EcsTask> found = tasks.byMetadataId(id);
        int index = 0;
        if (found.isEmpty()) {
            int dash = id.lastIndexOf('-');
            if (dash > 0 && id.substring(dash + 1).matches("\\d{1,3}")) {
                found = tasks.byMetadataId(id.substring(0, dash));
                index = Integer.parseInt(id.substring(dash + 1));
            }
        }
        if (found.isEmpty() || index >= found.get().containers.size()) {
            return error(404, "NotFound", "No task with this metadata id.");
        }
        EcsTask task = found.get();
        EcsTask.Container container = task.containers.get(index);
        return switch (sub) {
            case "", "/" -> new Answer(200, containerMetadata(task, container).toString());
            case "/task" -> new Answer(200, taskMetadata(task).toString());
            case "/stats" -> new Answer(200, stats(container).toString());
            case "/task/stats" -> {
                ObjectNode stats = JSON.createObjectNode();
                task.containers.forEach(c -> stats.set(c.runtimeId == null ? c.name : c.runtimeId, stats(c)));
                yield new Answer(200, stats.toString());
            }
            default -> error(404, "NotFound", "Unknown metadata path " + sub);
        };
    }

    /**
     * Docker-style stats for a container (the fields ECS passes through from Docker): CPU time and memory of
     * its processes, read from /proc where they are local and alive; zeros otherwise.
     */
    private static ObjectNode stats(EcsTask.Container c) {
        TaskRuntime.RunningContainer running = c.running;
        Optional<ObjectNode> engine = running == null || !"RUNNING".equals(c.lastStatus) ? Optional.empty()
                : running.engineStats();
        if (engine.isPresent()) {
            return engine.get(); // as ECS passes Docker's through, its "name" the engine's ("/ecs-…")
        }
        long cpuNanos = 0;
        long rssBytes = 0;
        int processes = 0;
        if (c.runtimeId != null && c.runtimeId.matches("\\d+")) {
            java.util.Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(c.runtimeId));
            if (handle.isPresent() && handle.get().isAlive()) {
                // The container is its process and what that started (a sandbox's init and command included).
                java.util.List<ProcessHandle> processesOf = new java.util.ArrayList<>(java.util.List.of(handle.get()));
                handle.get().descendants().forEach(processesOf::add);
                processes = processesOf.size();
                for (ProcessHandle process : processesOf) {
                    cpuNanos += process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
                    rssBytes += residentBytes(process.pid());
                }
            }
        }
        String now = java.time.Instant.now().toString();
        ObjectNode node = JSON.createObjectNode();
        node.put("read", now);
        node.put("preread", now);
        node.put("name", c.name);
        node.put("id", c.runtimeId == null ? "" : c.runtimeId);
        node.put("num_procs", processes);
        node.putObject("pids_stats").put("current", processes);
        ObjectNode cpu = node.putObject("cpu_stats");
        cpu.putObject("cpu_usage").put("total_usage", cpuNanos).put("usage_in_kernelmode", 0)
                .put("usage_in_usermode", cpuNanos);
        cpu.put("online_cpus", Runtime.getRuntime().availableProcessors());
        node.putObject("memory_stats").put("usage", rssBytes).put("max_usage", rssBytes)
                .put("limit", Runtime.getRuntime().maxMemory());
        node.putObject("networks");
        return node;
    }

    /** VmRSS of a local process from /proc, or 0 once it ended (or without /proc). */
    private static long residentBytes(long pid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // the process ended meanwhile, or /proc is not there: report what is known
        }
        return 0;
    }

    private static ObjectNode containerMetadata(EcsTask task, EcsTask.Container c) {
        synchronized (task) {
            ObjectNode node = JSON.createObjectNode();
            node.put("DockerId", c.runtimeId == null ? "" : c.runtimeId);
            node.put("Name", c.name);
            node.put("DockerName", c.engineName != null ? c.engineName
                    : "ecs-" + task.definition.family() + "-" + task.definition.revision() + "-" + c.name);
            node.put("Image", c.image);
            node.put("ImageID", c.imageId == null ? "" : c.imageId);
            node.putObject("Labels").put("com.amazonaws.ecs.cluster", task.cluster.arn())
                    .put("com.amazonaws.ecs.container-name", c.name)
                    .put("com.amazonaws.ecs.task-arn", task.arn())
                    .put("com.amazonaws.ecs.task-definition-family", task.definition.family())
                    .put("com.amazonaws.ecs.task-definition-version", String.valueOf(task.definition.revision()));
            node.put("DesiredStatus", task.desiredStatus);
            node.put("KnownStatus", c.lastStatus);
            if (c.exitCode != null) {
                node.put("ExitCode", c.exitCode);
            }
            ObjectNode limits = node.putObject("Limits");
            com.fasterxml.jackson.databind.JsonNode definition = task.definition.container(c.name);
            limits.put("CPU", definition.path("cpu").asInt(0));
            if (definition.hasNonNull("memory") || definition.hasNonNull("memoryReservation")) {
                limits.put("Memory", definition.hasNonNull("memory") ? definition.get("memory").asInt()
                        : definition.get("memoryReservation").asInt());
            }
            node.put("CreatedAt", task.createdAt.toString());
            if (c.processStarted != null) {
                node.put("StartedAt", c.processStarted.toString());
            }
            if (c.finishedAt != null) {
                node.put("FinishedAt", c.finishedAt.toString());
            }
            if (c.healthChecked) {
                ObjectNode health = node.putObject("Health").put("status", c.healthStatus);
                if (c.healthSince != null) {
                    health.put("statusSince", c.healthSince.toString());
                }
            }
            node.put("Type", "NORMAL");
            node.put("ContainerARN", c.arn);
            // Every runtime runs a task's containers in this machine's network namespace (see the runtimes): the
            // container's address is the machine's loopback, whatever mode the definition names.
            node.putArray("Networks").addObject()
                    .put("NetworkMode", task.definition.document().path("networkMode").asText("bridge"))
                    .putArray("IPv4Addresses").add("127.0.0.1");
            return node;
        }
    }

    /**
     * A task-level size as RegisterTaskDefinition takes it: a number of units ({@code 1024}, {@code 2048}) or with
     * its unit ({@code 1 vCPU}, {@code 2 GB}). Returns vCPUs for CPU ({@code perUnit} 1/1024) and MiB for memory.
     */
    static double taskSize(String text, String bigUnit, double perUnit) {
        String lower = text.toLowerCase(java.util.Locale.ROOT).strip();
        double number;
        try {
            number = Double.parseDouble(lower.replaceAll("[^0-9.]", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
        if (lower.contains(bigUnit)) {
            return bigUnit.equals("gb") ? number * 1024 : number;
        }
        return number * perUnit;
    }

    private static ObjectNode taskMetadata(EcsTask task) {
        synchronized (task) {
            ObjectNode node = JSON.createObjectNode();
            node.put("Cluster", task.cluster.arn());
            node.put("TaskARN", task.arn());
            node.put("Family", task.definition.family());
            node.put("Revision", String.valueOf(task.definition.revision()));
            node.put("DesiredStatus", task.desiredStatus);
            node.put("KnownStatus", task.lastStatus);
            node.put("PullStartedAt", task.createdAt.toString());
            node.put("PullStoppedAt", task.createdAt.toString());
            node.put("AvailabilityZone", task.region + "a");
            node.put("LaunchType", task.launchType);
            // The task's size, when its definition gives one: CPU in vCPUs (1,024 units each), memory in MiB.
            com.fasterxml.jackson.databind.JsonNode document = task.definition.document();
            if (document.hasNonNull("cpu") || document.hasNonNull("memory")) {
                ObjectNode limits = node.putObject("Limits");
                if (document.hasNonNull("cpu")) {
                    limits.put("CPU", taskSize(document.get("cpu").asText(), "vcpu", 1.0 / 1024));
                }
                if (document.hasNonNull("memory")) {
                    limits.put("Memory", Math.round(taskSize(document.get("memory").asText(), "gb", 1)));
                }
            }
            ArrayNode containers = node.putArray("Containers");
            task.containers.forEach(c -> containers.add(containerMetadata(task, c)));
            return node;
        }
    }

    private static Answer error(int status, String code, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("code", code);
        node.put("message", message);
        return new Answer(status, node.toString());
    }
}
