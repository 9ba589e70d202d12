package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.sts.TemporaryCredentials;
import dev.crossrole.server.tasks.TaskRuntime;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task and its containers. Mutable: its life-cycle fields change as containers start and stop;
 * every change happens under the task's lock and bumps {@code version}, as ECS does.
 */
public final class EcsTask {
    /** One container of the task. */
    public static final class Container {
        final String name;
        final String arn;
        final String image;
        final boolean essential;
        final int stopTimeoutSeconds;
        /** Its environment; the variables of its environment files are added as the task starts. */
        volatile Map<String, String> environment;
        /** The names its environment files and secrets set. */
        volatile java.util.Set<String> fromFiles = java.util.Set.of();
        /** The names its {@code secrets} set: their values are never shown. */
        volatile java.util.Set<String> secretNames = java.util.Set.of();
        final Path logFile;
        String lastStatus = "PENDING";
        Integer exitCode;
        String reason;
        String runtimeId;
        /** Its health check's verdict (UNKNOWN until one is reached, or without a check), and since when. */
        volatile String healthStatus = "UNKNOWN";
        Instant healthSince;
        /** Whether its definition has a health check (only those count towards the task's health). */
        boolean healthChecked;
        /**
         * The name a container engine starts it from, when that is not {@link #image}: an ECR image the agent pulled
         * and loaded under its own name.
         */
        volatile String runImage;
        /** The engine's name for the container and its image's id, when a container engine runs it. */
        String engineName;
        String imageId;
        /** When the container's process started, to recognise it after a crash. */
        Instant processStarted;
        /** When it exited (task metadata's {@code FinishedAt}). */
        Instant finishedAt;
        TaskRuntime.RunningContainer running;
        /** Its {@code awslogs} settings and stream, or {@code null} for another log driver. */
        volatile AwsLogs.Settings awsLogs;
        volatile String awsLogsStream;
        /** What sends its output to CloudWatch Logs while it runs. */
        volatile AwsLogs.Shipper logShipper;
        volatile java.util.concurrent.ScheduledFuture<?> logShipping;

        Container(String name, String arn, String image, boolean essential, int stopTimeoutSeconds,
                  Map<String, String> environment, Path logFile) {
            this.name = name;
            this.arn = arn;
            this.image = image;
            this.essential = essential;
            this.stopTimeoutSeconds = stopTimeoutSeconds;
            this.environment = Map.copyOf(environment);
            this.logFile = logFile;
        }

        public String name() {
            return name;
        }

        public Map<String, String> environment() {
            return environment;
        }

        /** The variables its {@code secrets} set. */
        public java.util.Set<String> secretNames() {
            return secretNames;
        }

        public Path logFile() {
            return logFile;
        }
    }

    final String id;
    final String account;
    final String region;
    final Cluster cluster;
    final TaskDefinition definition;
    final String taskRoleArn;
    final String group;
    final String startedBy;
    final String launchType;
    final boolean enableExecuteCommand;
    Map<String, String> tags;
    final ObjectNode overrides;
    final Path workDir;
    final String credentialsId;
    final String authorizationToken;
    /** The execution role as ECS's agent holds it, while the task sends logs with it; {@code null} otherwise. */
    volatile java.util.function.Supplier<dev.crossrole.server.sts.TemporaryCredentials> executionRole;
    final String metadataId;
    final List<Container> containers;
    final Instant createdAt;
    /** The id of the crossrole node whose processes run the task. */
    final String node;

    String lastStatus = "PROVISIONING";
    String desiredStatus = "RUNNING";
    Instant startedAt;
    Instant stoppingAt;
    Instant stoppedAt;
    String stopCode;
    String stoppedReason;
    int version = 1;
    TemporaryCredentials credentials;

    EcsTask(String id, String account, String region, Cluster cluster, TaskDefinition definition, String taskRoleArn,
            String group, String startedBy, String launchType, boolean enableExecuteCommand, Map<String, String> tags,
            ObjectNode overrides, Path workDir, String credentialsId, String authorizationToken, String metadataId,
            List<Container> containers, Instant createdAt, String node) {
        this.id = id;
        this.account = account;
        this.region = region;
        this.cluster = cluster;
        this.definition = definition;
        this.taskRoleArn = taskRoleArn;
        this.group = group;
        this.startedBy = startedBy;
        this.launchType = launchType;
        this.enableExecuteCommand = enableExecuteCommand;
        this.tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags)); // in the order given
        this.overrides = overrides;
        this.workDir = workDir;
        this.credentialsId = credentialsId;
        this.authorizationToken = authorizationToken;
        this.metadataId = metadataId;
        this.containers = List.copyOf(containers);
        this.createdAt = createdAt;
        this.node = node;
    }

    public String id() {
        return id;
    }

    public String arn() {
        return "arn:aws:ecs:" + region + ":" + account + ":task/" + cluster.name() + "/" + id;
    }

    public String account() {
        return account;
    }

    public Cluster cluster() {
        return cluster;
    }

    public List<Container> containers() {
        return containers;
    }

    public Path workDir() {
        return workDir;
    }

    /** The id of the crossrole node running the task's processes. */
    public String node() {
        return node;
    }

    public synchronized boolean stopped() {
        return "STOPPED".equals(lastStatus);
    }

    public synchronized String lastStatus() {
        return lastStatus;
    }

    /** Called after every change of the task's state (persistence). */
    volatile Runnable onChange = () -> { };

    synchronized void changed() {
        version++;
        onChange.run();
    }
}
