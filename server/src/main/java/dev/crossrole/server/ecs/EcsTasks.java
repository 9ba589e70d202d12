package dev.crossrole.server.ecs;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.Role;
import dev.crossrole.server.store.PrivateFiles;
import dev.crossrole.server.sts.ServiceRoleCredentials;
import dev.crossrole.server.sts.TemporaryCredentials;
import dev.crossrole.server.tasks.TaskRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The tasks of every account: starting their containers through the runtime, following them to
 * STOPPED as ECS does, and vending each task's role credentials to its containers. With several nodes on
 * one store, each task runs on the node that started it; the others hold a copy of its record (kept up to
 * date by {@link EcsPersistence}) for reads, and a stop asked of them is recorded for the running node.
 */
public final class EcsTasks implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EcsTasks.class.getName());
    static final String ECS_SERVICE = "ecs-tasks.amazonaws.com";
    /** Task-role sessions last six hours and are renewed once less than half of that remains. */
    static final int CREDENTIALS_SECONDS = 6 * 3600;

    private final Map<String, EcsTask> byId = new ConcurrentHashMap<>();
    private final Map<String, EcsTask> byCredentialsId = new ConcurrentHashMap<>();
    private final Map<String, EcsTask> byMetadataId = new ConcurrentHashMap<>();
    private final TaskRuntime runtime;
    private final IamDirectory iam;
    private final ServiceRoleCredentials roleCredentials;
    private final Clock clock;
    private final Path tasksDir;
    private final Supplier<String> endpoint;
    private final String nodeId;
    private final ContainerHealth health;
    private final AgentCalls agent;
    /**
     * Starts tasks after RunTask answered, as ECS does: pulling an image or downloading environment files may take
     * long, and must not hold the request (or the store's write lock) meanwhile.
     */
    /** Sends {@code awslogs} containers' output every second (one thread: each send is one local request). */
    private final java.util.concurrent.ScheduledExecutorService logShipping =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "awslogs");
                thread.setDaemon(true);
                return thread;
            });
    private final java.util.concurrent.ExecutorService starter = java.util.concurrent.Executors.newCachedThreadPool(
            runnable -> {
                Thread thread = new Thread(runnable, "task-start");
                thread.setDaemon(true);
                return thread;
            });

    /**
     * @param agent how environment files and secrets are read (as the execution role, through crossrole's endpoint)
     */
    public EcsTasks(TaskRuntime runtime, IamDirectory iam, ServiceRoleCredentials roleCredentials, Clock clock,
                    Path tasksDir, Supplier<String> endpoint, String nodeId, AgentCalls agent) {
        this.nodeId = nodeId;
        this.runtime = runtime;
        this.iam = iam;
        this.roleCredentials = roleCredentials;
        this.clock = clock;
        this.tasksDir = tasksDir;
        this.endpoint = endpoint;
        this.health = new ContainerHealth(clock);
        this.agent = agent;
    }

    Path tasksDir() {
        return tasksDir;
    }

    String endpoint() {
        return endpoint.get();
    }

    /** The id of this node: recorded in the tasks it starts. */
    public String nodeId() {
        return nodeId;
    }

    /** Whether this node runs the task's processes (otherwise it holds a copy of another node's record). */
    public boolean local(EcsTask task) {
        return nodeId.equals(task.node);
    }

    /** Called after a task is added or changes (persistence); must not block on task locks. */
    private volatile Runnable onChange = () -> { };
    /** Ids of tasks changed since the store last took them. */
    private final java.util.Set<String> changedTasks = ConcurrentHashMap.newKeySet();

    public void onChange(Runnable listener) {
        this.onChange = listener;
    }

    /** The ids of the tasks added or changed since the last call. */
    java.util.Set<String> takeChanged() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (var it = changedTasks.iterator(); it.hasNext(); ) {
            out.add(it.next());
            it.remove();
        }
        return out;
    }

    void markChanged(String taskId) {
        changedTasks.add(taskId);
    }

    void add(EcsTask task) {
        task.onChange = () -> {
            changedTasks.add(task.id);
            onChange.run();
        };
        changedTasks.add(task.id);
        byId.put(task.id, task);
        if (!local(task)) {
            return; // its containers call the endpoints of the node running them
        }
        if (task.credentialsId != null) {
            byCredentialsId.put(task.credentialsId, task);
        }
        byMetadataId.put(task.metadataId, task);
    }

    public Optional<EcsTask> task(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Puts back a task read from the data directory (always a stopped one). */
    void restore(EcsTask task) {
        add(task);
        changedTasks.remove(task.id);
    }

    /** Puts in (or replaces) the copy of a task another node runs, as its record now says. */
    void follow(EcsTask task) {
        restore(task);
    }

    /** Forgets the copy of another node's task whose record was deleted. */
    void forget(String id) {
        byId.computeIfPresent(id, (key, task) -> local(task) ? task : null);
    }

    /**
     * Takes in what another node recorded for a task this node runs: its tags, and a stop asked through that
     * node, which stops the containers here.
     */
    void merge(EcsTask task, Map<String, String> tags, String desiredStatus, String stopCode, String stoppedReason,
               int version) {
        boolean stopAsked;
        synchronized (task) {
            task.version = Math.max(task.version, version);
            if (!task.tags.equals(tags)) {
                task.tags = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tags));
            }
            stopAsked = "STOPPED".equals(desiredStatus) && "RUNNING".equals(task.desiredStatus) && !task.stopped();
        }
        if (stopAsked) {
            stop(task, stopCode == null ? "UserInitiated" : stopCode, stoppedReason == null ? "Task stopped by user" : stoppedReason);
        }
    }

    public Collection<EcsTask> all() {
        return List.copyOf(byId.values());
    }

    public int activeCount(Cluster cluster) {
        return (int) byId.values().stream().filter(t -> t.cluster.arn().equals(cluster.arn()) && !t.stopped()).count();
    }

    // ---- starting ----------------------------------------------------------------------------

    /**
     * The task role's first credentials, assumed by ECS's service principal with the task id as the session
     * name; {@code null} when the trust policy does not let ECS assume it.
     */
    ServiceRoleCredentials.Outcome assumeTaskRole(EcsTask task) {
        return assumeServiceRole(task, roleOf(task.taskRoleArn));
    }

    /** A role of the task assumed by ECS's service principal; {@code null} when there is no such role. */
    private ServiceRoleCredentials.Outcome assumeServiceRole(EcsTask task, Role role) {
        if (role == null) {
            return null;
        }
        RequestContext context = RequestContext.builder()
                .single("aws:SourceAccount", task.account)
                .single("aws:SourceArn", task.arn())
                .build();
        return roleCredentials.assume(role, ECS_SERVICE, task.id, context, CREDENTIALS_SECONDS);
    }

    private Role roleOf(String arn) {
        if (arn == null) {
            return null;
        }
        String[] parts = arn.split(":", 6);
        if (parts.length != 6 || !parts[5].startsWith("role/")) {
            return null;
        }
        return iam.role(parts[4], parts[5].substring(parts[5].lastIndexOf('/') + 1)).filter(r -> r.arn().equals(arn))
                .orElse(null);
    }

    /** Starts the task in the background: RunTask answers with the task PROVISIONING. */
    void startLater(EcsTask task) {
        try {
            starter.execute(() -> {
                try {
                    start(task);
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "task " + task.id + " could not be started", e);
                    stop(task, "TaskFailedToStart", "crossrole could not start the task: " + e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            stop(task, "TerminationNotice", "crossrole stopped");
        }
    }

    /**
     * Starts every container; an essential container that cannot start stops the task. Every container is
     * prepared (folders made, their owner set) before the first one starts: a running container may change what
     * is in its task's folder, so crossrole touches nothing there afterwards.
     */
    void start(EcsTask task) {
        synchronized (task) {
            if (!"RUNNING".equals(task.desiredStatus) || task.stopped()) {
                return; // stopped before it began
            }
            task.lastStatus = "PENDING";
            task.changed();
        }
        if (!fetchAgentResources(task)) {
            return;
        }
        Path scratch = TaskVolumes.scratchRoot(tasksDir, task.id);
        Map<EcsTask.Container, TaskRuntime.ContainerLaunch> launches = new java.util.LinkedHashMap<>();
        for (EcsTask.Container container : task.containers) {
            try {
                Path workingDirectory = workingDirectory(task, container);
                createPrivately(task, workingDirectory, container.logFile);
                TaskVolumes.makeScratch(task.definition, scratch);
                TaskRuntime.ContainerLaunch launch = new TaskRuntime.ContainerLaunch(task.id, container.name,
                        container.runImage != null ? container.runImage : container.image, argv(task, container),
                        container.environment, task.workDir, workingDirectory,
                        container.logFile, TaskVolumes.mounts(task.definition, container.name, scratch, task.id,
                        task.account),
                        ContainerSpecs.of(task, container));
                runtime.prepare(launch);
                launches.put(container, launch);
            } catch (IOException e) {
                if (cannotStart(task, container, e)) {
                    return;
                }
            }
        }
        // Containers without dependsOn start now, in order; the others once their dependencies' conditions hold.
        Map<EcsTask.Container, TaskRuntime.ContainerLaunch> waiting = new java.util.LinkedHashMap<>();
        for (Map.Entry<EcsTask.Container, TaskRuntime.ContainerLaunch> entry : launches.entrySet()) {
            if (!ContainerDependencies.of(task.definition.container(entry.getKey().name)).isEmpty()) {
                waiting.put(entry.getKey(), entry.getValue());
            } else if (!startContainer(task, entry.getKey(), entry.getValue())) {
                return;
            }
        }
        if (!waiting.isEmpty()) {
            Thread waiter = new Thread(() -> startWhenReady(task, waiting), "dependencies-" + task.id);
            waiter.setDaemon(true);
            waiter.start();
        }
        markRunningOnceStarted(task);
    }

    /**
     * What ECS's agent fetches with the task execution role before any container starts: each container's
     * {@code environmentFiles} and {@code secrets}, added to its environment. False when one could not be read, which
     * stops the task (ECS's {@code ResourceInitializationError}).
     */
    private boolean fetchAgentResources(EcsTask task) {
        ExecutionRole executionRole = new ExecutionRole(task);
        for (EcsTask.Container container : task.containers) {
            List<EnvironmentFiles.Location> files = EnvironmentFiles.of(task, container.name);
            List<ContainerSecrets.Reference> secrets = ContainerSecrets.of(task.definition.container(container.name));
            if (files.isEmpty() && secrets.isEmpty()) {
                continue;
            }
            String failurePrefix = files.isEmpty() ? ContainerSecrets.FAILURE : "ResourceInitializationError: failed to"
                    + " download env files: ";
            String refused = executionRole.assume();
            if (refused != null) {
                return agentFailed(task, container, failurePrefix + refused);
            }
            TemporaryCredentials executionCredentials = executionRole.get();
            List<Map<String, String>> read = new java.util.ArrayList<>();
            for (EnvironmentFiles.Location file : files) {
                try {
                    read.add(EnvironmentFiles.parse(agent.readObject(executionCredentials, task.region,
                            file.bucket(), file.key())));
                } catch (AgentCalls.CallFailure e) {
                    return agentFailed(task, container, "ResourceInitializationError: failed to download env files:"
                            + " unable to download env file with key " + file.key() + " from bucket " + file.bucket()
                            + ", error: " + e.getMessage());
                }
            }
            Map<String, String> secretValues = new java.util.LinkedHashMap<>();
            for (ContainerSecrets.Reference secret : secrets) {
                String from = secret.parameter() ? "unable to retrieve secrets from ssm: "
                        : "unable to retrieve secret from asm: ";
                try {
                    String value = secret.parameter()
                            ? agent.parameterValue(executionCredentials, secret.region(task.region), secret.secretId())
                            : agent.secretValue(executionCredentials, secret.region(task.region), secret.secretId(),
                                    secret.versionStage(), secret.versionId());
                    secretValues.put(secret.name(), secret.select(value));
                } catch (AgentCalls.CallFailure | ContainerSecrets.MissingKey e) {
                    return agentFailed(task, container, ContainerSecrets.FAILURE + from + e.getMessage());
                }
            }
            EnvironmentFiles.Merged merged = EnvironmentFiles.merge(container.environment,
                    ContainerSpecs.hostDefaults(task, container.name), read);
            Map<String, String> environment = new java.util.LinkedHashMap<>(merged.environment());
            environment.putAll(secretValues); // the agent sets secrets last: they win over the same name elsewhere
            java.util.Set<String> fromFiles = new java.util.HashSet<>(merged.fromFiles());
            fromFiles.addAll(secretValues.keySet());
            synchronized (task) {
                container.environment = Map.copyOf(environment);
                container.fromFiles = java.util.Set.copyOf(fromFiles);
                container.secretNames = java.util.Set.copyOf(secretValues.keySet());
            }
        }
        return prepareLogStreams(task, executionRole) && pullEcrImages(task, executionRole);
    }

    /**
     * Each container image in an ECR registry, pulled as ECS's agent pulls it on Fargate before any container starts:
     * a registry password from {@code ecr:GetAuthorizationToken} with the execution role, then the image through
     * crossrole's registry ({@code ecr:BatchGetImage}, {@code ecr:GetDownloadUrlForLayer}; the repository's policy must
     * allow the role when it is another account's), and loaded into the engine. A runtime that runs no images asks
     * the same permissions and loads nothing. False when the pull was refused, which stops the task with ECS's
     * reason.
     */
    private boolean pullEcrImages(EcsTask task, ExecutionRole executionRole) {
        Map<String, String> pulled = new java.util.HashMap<>();
        Map<String, String> passwords = new java.util.HashMap<>();
        for (EcsTask.Container container : task.containers) {
            EcrImage image = EcrImage.parse(container.image);
            if (image == null) {
                continue;
            }
            String loaded = pulled.get(image.image());
            if (loaded != null) {
                container.runImage = loaded;
                continue;
            }
            String registryAuth = "ResourceInitializationError: unable to pull secrets or registry auth: execution"
                    + " resource retrieval failed: unable to retrieve ecr registry auth: ";
            String refused = executionRole.assume();
            if (refused != null) {
                return agentFailed(task, container, registryAuth + refused);
            }
            String password = passwords.get(image.region());
            if (password == null) {
                try {
                    password = agent.registryAuthorization(executionRole.get(), image.region());
                } catch (AgentCalls.CallFailure e) {
                    return agentFailed(task, container, registryAuth + "service call has been retried 1 time(s): "
                            + e.getMessage());
                }
                passwords.put(image.region(), password);
            }
            Path folder = null;
            try {
                if (runtime.runsImages()) {
                    folder = tasksDir.resolve(task.id + ".pull");
                    PrivateFiles.createDirectories(folder);
                }
                dev.crossrole.server.tasks.PulledImage fetched = agent.pullImage(password, image, folder);
                loaded = runtime.runsImages() ? runtime.load(fetched) : image.image();
            } catch (AgentCalls.PullFailure e) {
                return agentFailed(task, container, "CannotPullContainerError: " + (e.resolving()
                        ? "pull image manifest has been retried 1 time(s): " : "ref pull has been retried 1 time(s): ")
                        + e.getMessage());
            } catch (AgentCalls.CallFailure e) {
                return agentFailed(task, container, "CannotPullContainerError: " + e.getMessage());
            } catch (IOException e) {
                return agentFailed(task, container, dev.crossrole.server.tasks.ContainerStartFailure.errorNameOf(e)
                        + ": " + e.getMessage());
            } finally {
                deleteQuietly(folder);
            }
            if (runtime.runsImages()) {
                container.runImage = loaded;
            }
            pulled.put(image.image(), loaded);
        }
        return true;
    }

    /** Removes a folder the agent pulled into. */
    private static void deleteQuietly(Path folder) {
        if (folder == null || !java.nio.file.Files.exists(folder)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(folder)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> {
                try {
                    java.nio.file.Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.log(Level.FINE, "cannot remove " + file, e);
                }
            });
        } catch (IOException e) {
            LOG.log(Level.FINE, "cannot remove " + folder, e);
        }
    }

    /**
     * The {@code awslogs} containers' log groups ({@code awslogs-create-group}) and streams, made with the execution
     * role before any container starts, as on Fargate; false when one could not be made, which stops the task.
     */
    private boolean prepareLogStreams(EcsTask task, ExecutionRole executionRole) {
        String failure = "ResourceInitializationError: failed to validate logger args: ";
        for (EcsTask.Container container : task.containers) {
            AwsLogs.Settings settings = AwsLogs.Settings.of(task.definition.container(container.name), task.region);
            if (settings == null) {
                continue;
            }
            if (settings.group().isEmpty()) {
                return agentFailed(task, container, failure + "must specify a value for log opt 'awslogs-group'");
            }
            String refused = executionRole.assume();
            if (refused != null) {
                return agentFailed(task, container, failure + refused);
            }
            container.awsLogs = settings;
            task.executionRole = executionRole;
            if (settings.createGroup()) {
                try {
                    agent.createLogGroup(executionRole.get(), settings.region(), settings.group());
                } catch (AgentCalls.CallFailure e) {
                    return agentFailed(task, container, failure + "failed to create Cloudwatch log group: "
                            + e.getMessage());
                }
            }
            if (settings.streamPrefix() != null) {
                String stream = settings.stream(container.name, task.id, null);
                try {
                    agent.createLogStream(executionRole.get(), settings.region(), settings.group(), stream);
                } catch (AgentCalls.CallFailure e) {
                    return agentFailed(task, container, failure + "create stream has been retried 1 times: failed to"
                            + " create Cloudwatch log stream: " + e.getMessage());
                }
                container.awsLogsStream = stream;
            }
        }
        return true;
    }

    /**
     * A task's execution role as ECS's agent holds it: assumed (by ECS's service principal, its trust policy checked)
     * when first needed, and again before its credentials expire, for as long as the task sends logs.
     */
    final class ExecutionRole implements java.util.function.Supplier<TemporaryCredentials> {
        private final EcsTask task;
        private TemporaryCredentials current;

        ExecutionRole(EcsTask task) {
            this.task = task;
        }

        /** Assumes the role unless its credentials are fresh: {@code null}, or why it cannot be assumed. */
        synchronized String assume() {
            if (current != null && current.expiration().minusSeconds(300).isAfter(clock.instant())) {
                return null;
            }
            String arn = executionRoleArn(task);
            if (arn == null) {
                return "the task has no execution role for ECS to act with; give the task definition an"
                        + " executionRoleArn";
            }
            ServiceRoleCredentials.Outcome outcome = assumeServiceRole(task, roleOf(arn));
            if (outcome == null || !outcome.allowed()) {
                return "ECS was unable to assume the execution role '" + arn + "': " + (outcome == null
                        ? "the role does not exist" : "its trust policy does not allow ecs-tasks.amazonaws.com to"
                        + " assume it");
            }
            current = outcome.credentials();
            return null;
        }

        @Override
        public synchronized TemporaryCredentials get() {
            String refused = assume();
            if (refused != null) {
                throw new IllegalStateException(refused);
            }
            return current;
        }
    }

    /**
     * Starts sending an {@code awslogs} container's output; its stream, when named after the container's runtime id
     * (no {@code awslogs-stream-prefix}), is made now. False when it cannot be made, as Docker then fails the start.
     */
    private boolean startShippingLogs(EcsTask task, EcsTask.Container container) {
        AwsLogs.Settings settings = container.awsLogs;
        if (settings == null) {
            return true;
        }
        String stream = container.awsLogsStream;
        if (stream == null) {
            stream = settings.stream(container.name, task.id, container.runtimeId);
            try {
                agent.createLogStream(task.executionRole.get(), settings.region(), settings.group(), stream);
            } catch (AgentCalls.CallFailure | RuntimeException e) {
                synchronized (task) {
                    container.reason = "CannotStartContainerError: Error response from daemon: failed to initialize"
                            + " logging driver: failed to create Cloudwatch log stream: " + e.getMessage();
                }
                return false;
            }
            container.awsLogsStream = stream;
        }
        AwsLogs.Shipper shipper = new AwsLogs.Shipper(agent, task.executionRole, settings, stream, container.logFile,
                0, clock);
        container.logShipper = shipper;
        try {
            container.logShipping = logShipping.scheduleWithFixedDelay(() -> shipper.ship(false), 1, 1,
                    java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return true; // crossrole is closing
        }
        return true;
    }

    /** Sends the rest of an ended container's output, once its runtime has written the last of it. */
    private void finishShippingLogs(EcsTask.Container container) {
        AwsLogs.Shipper shipper = container.logShipper;
        if (shipper == null) {
            return;
        }
        if (container.logShipping != null) {
            container.logShipping.cancel(false);
        }
        try {
            logShipping.schedule(() -> shipper.ship(true), 300, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            shipper.ship(true);
        }
    }

    private boolean agentFailed(EcsTask task, EcsTask.Container container, String reason) {
        synchronized (task) {
            container.lastStatus = "STOPPED";
            container.reason = reason;
        }
        stop(task, "TaskFailedToStart", reason);
        return false;
    }

    /** The execution role of a task: its override's, else its definition's. */
    private static String executionRoleArn(EcsTask task) {
        String arn = task.overrides != null && task.overrides.hasNonNull("executionRoleArn")
                ? task.overrides.get("executionRoleArn").asText() : task.definition.executionRoleArn();
        if (arn != null && !arn.startsWith("arn:")) {
            arn = "arn:aws:iam::" + task.account + ":role/" + arn;
        }
        return arn;
    }

    /** Starts one container; false when its failure stopped the task (it was essential). */
    private boolean startContainer(EcsTask task, EcsTask.Container container, TaskRuntime.ContainerLaunch launch) {
        synchronized (task) {
            if (!"RUNNING".equals(task.desiredStatus) || "STOPPED".equals(container.lastStatus)) {
                return false; // the task is being stopped: nothing more starts
            }
        }
        try {
            TaskRuntime.RunningContainer running = runtime.start(launch, created -> {
                synchronized (task) {
                    container.runtimeId = created.runtimeId();
                    container.engineName = created.engineName();
                    container.imageId = created.imageId();
                }
            });
            ContainerHealth.Settings check = ContainerHealth.Settings.of(task.definition.container(container.name));
            boolean stopAsked;
            synchronized (task) {
                container.running = running;
                container.processStarted = clock.instant();
                container.lastStatus = "RUNNING";
                container.healthChecked = check != null;
                stopAsked = !"RUNNING".equals(task.desiredStatus);
                task.notifyAll();
            }
            running.exit().whenComplete((code, error) -> containerExited(task, container, code == null ? -1 : code));
            if (!startShippingLogs(task, container)) {
                stop(task, "TaskFailedToStart", container.reason);
                return false;
            }
            if (stopAsked) {
                // StopTask (or crossrole stopping) came while the container was being created.
                running.stop(Duration.ofSeconds(container.stopTimeoutSeconds));
                return false;
            }
            if (check != null) {
                health.watch(task, container, check);
            }
            return true;
        } catch (IOException e) {
            return !cannotStart(task, container, e);
        }
    }

    /** The task is RUNNING once none of its containers waits to start (and it is not being stopped). */
    private void markRunningOnceStarted(EcsTask task) {
        synchronized (task) {
            if ("PENDING".equals(task.lastStatus) && "RUNNING".equals(task.desiredStatus)
                    && task.containers.stream().noneMatch(c -> "PENDING".equals(c.lastStatus))) {
                task.lastStatus = "RUNNING";
                task.startedAt = clock.instant();
                task.changed();
            }
        }
    }

    /**
     * Starts each waiting container once every condition of its {@code dependsOn} holds; one whose condition can no
     * longer hold (a dependency that failed, or one not met within its {@code startTimeout}) does not start, and, if
     * essential, stops the task.
     */
    private void startWhenReady(EcsTask task, Map<EcsTask.Container, TaskRuntime.ContainerLaunch> waiting) {
        Map<EcsTask.Container, Long> deadlines = new java.util.HashMap<>();
        for (EcsTask.Container container : waiting.keySet()) {
            deadlines.put(container, System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(
                    ContainerDependencies.startTimeoutSeconds(task.definition.container(container.name))));
        }
        while (!waiting.isEmpty()) {
            Map<EcsTask.Container, TaskRuntime.ContainerLaunch> ready = new java.util.LinkedHashMap<>();
            Map<EcsTask.Container, String> failed = new java.util.LinkedHashMap<>();
            synchronized (task) {
                if (!"RUNNING".equals(task.desiredStatus) || task.stopped()) {
                    return; // stop() marks the containers that never started
                }
                for (var entry : waiting.entrySet()) {
                    EcsTask.Container container = entry.getKey();
                    ContainerDependencies.Verdict verdict = ContainerDependencies.verdict(task, container.name,
                            ContainerDependencies.of(task.definition.container(container.name)));
                    if (verdict.met()) {
                        ready.put(container, entry.getValue());
                    } else if (verdict.failure() != null) {
                        failed.put(container, verdict.failure());
                    } else if (System.nanoTime() > deadlines.get(container)) {
                        failed.put(container, "its dependencies were not met within its startTimeout of "
                                + ContainerDependencies.startTimeoutSeconds(task.definition.container(container.name))
                                + " seconds (" + verdict.waitingFor() + ")");
                    }
                }
                if (ready.isEmpty() && failed.isEmpty()) {
                    try {
                        task.wait(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    continue;
                }
            }
            for (var entry : failed.entrySet()) {
                waiting.remove(entry.getKey());
                if (dependencyFailed(task, entry.getKey(), entry.getValue())) {
                    return;
                }
            }
            for (var entry : ready.entrySet()) {
                waiting.remove(entry.getKey());
                if (!startContainer(task, entry.getKey(), entry.getValue())) {
                    return;
                }
            }
            markRunningOnceStarted(task);
        }
    }

    /** A container whose dependencies cannot be met: not started; whether that stopped the task (it is essential). */
    private boolean dependencyFailed(EcsTask task, EcsTask.Container container, String why) {
        synchronized (task) {
            container.lastStatus = "STOPPED";
            container.reason = "DependencyConditionNotMet: container " + container.name + " was not started: " + why;
            task.changed();
            task.notifyAll();
        }
        if (container.essential) {
            stop(task, "TaskFailedToStart", container.reason);
            return true;
        }
        markRunningOnceStarted(task);
        return false;
    }

    /** Records why a container could not start; whether that stopped the task (the container was essential). */
    private boolean cannotStart(EcsTask task, EcsTask.Container container, IOException e) {
        synchronized (task) {
            container.lastStatus = "STOPPED";
            container.reason = dev.crossrole.server.tasks.ContainerStartFailure.errorNameOf(e) + ": " + e.getMessage();
        }
        if (container.essential) {
            // ECS's stopped reason for a container that could not start names why (ECS developer guide,
            // "Troubleshooting Amazon ECS CannotStartContainerError errors").
            stop(task, "TaskFailedToStart", container.reason);
            return true;
        }
        return false;
    }

    /** Where a task's container logs are: beside its folder, where the task cannot rename or replace them. */
    static Path logFolder(Path tasksDir, String taskId) {
        return tasksDir.resolve(taskId + ".logs");
    }

    /**
     * Creates what crossrole keeps of a task in its data directory before the runtime starts it: the tasks
     * folder, the task's log folder (0700) and the container's log file (0600), and a relative working directory
     * inside the task's folder (0700). The runtime then finds them in place.
     */
    private static void createPrivately(EcsTask task, Path workingDirectory, Path logFile) throws IOException {
        PrivateFiles.createDirectories(logFile.getParent());
        if (!java.nio.file.Files.exists(logFile)) {
            try {
                PrivateFiles.createFile(logFile);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // a container of the same name raced us to it
            }
        }
        if (workingDirectory.normalize().startsWith(task.workDir.normalize())) {
            PrivateFiles.createDirectories(workingDirectory);
        }
    }

    /**
     * The container's {@code workingDirectory}: an absolute path is used as it is (there is no image
     * file system); a relative one, or none, is inside the task's own directory.
     */
    private static Path workingDirectory(EcsTask task, EcsTask.Container container) {
        for (var def : task.definition.document().get("containerDefinitions")) {
            if (def.get("name").asText().equals(container.name) && def.hasNonNull("workingDirectory")) {
                Path wanted = Path.of(def.get("workingDirectory").asText());
                return wanted.isAbsolute() ? wanted : task.workDir.resolve(wanted);
            }
        }
        return task.workDir;
    }

    /** The container's entryPoint then command, with the task's container overrides applied. */
    private static List<String> argv(EcsTask task, EcsTask.Container container) {
        List<String> entryPoint = new java.util.ArrayList<>();
        List<String> command = new java.util.ArrayList<>();
        for (var def : task.definition.document().get("containerDefinitions")) {
            if (def.get("name").asText().equals(container.name)) {
                if (def.has("entryPoint")) {
                    def.get("entryPoint").forEach(v -> entryPoint.add(v.asText()));
                }
                if (def.has("command")) {
                    def.get("command").forEach(v -> command.add(v.asText()));
                }
            }
        }
        if (task.overrides != null && task.overrides.has("containerOverrides")) {
            for (var o : task.overrides.get("containerOverrides")) {
                if (o.path("name").asText().equals(container.name) && o.has("command")) {
                    command.clear();
                    o.get("command").forEach(v -> command.add(v.asText()));
                }
            }
        }
        List<String> argv = new java.util.ArrayList<>(entryPoint);
        argv.addAll(command);
        return argv;
    }

    private void containerExited(EcsTask task, EcsTask.Container container, int code) {
        finishShippingLogs(container);
        boolean stopTask;
        synchronized (task) {
            container.exitCode = code;
            container.finishedAt = clock.instant();
            container.lastStatus = "STOPPED";
            task.changed();
            task.notifyAll(); // containers that depend on this one's exit
            stopTask = container.essential && !"STOPPED".equals(task.lastStatus);
            if (task.containers.stream().allMatch(c -> "STOPPED".equals(c.lastStatus)) && task.stoppingAt != null) {
                markStopped(task);
                return;
            }
        }
        if (stopTask) {
            stop(task, "EssentialContainerExited", "Essential container in task exited");
        }
    }

    /** Whether this node's runtime provides a container engine's volumes ({@code dockerVolumeConfiguration}). */
    boolean providesEngineVolumes() {
        return runtime.providesEngineVolumes();
    }

    /** Why RunTask cannot start containers on this node (no sandbox can be made), or empty when it can. */
    Optional<String> runtimeUnavailable() {
        return runtime.unavailable();
    }

    // ---- exec ------------------------------------------------------------------------------------

    /** Why an exec cannot run: the message, and the HTTP status the admin API answers with. */
    public static final class ExecRefused extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        ExecRefused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** A checked exec: the container to run it in, started by {@link #exec(ExecTarget, TaskRuntime.ExecLaunch)}. */
    public record ExecTarget(EcsTask task, String container, TaskRuntime.RunningContainer running) {}

    /**
     * Finds the running container to exec into ({@code container} {@code null}: the task's first), or says why
     * there is none: another node runs the task, it is not RUNNING, no such container, or it has stopped.
     */
    public ExecTarget execTarget(EcsTask task, String container, boolean terminal) throws ExecRefused {
        if (!local(task)) {
            throw new ExecRefused(409, "Task " + task.id + " runs on another crossrole node (node id " + task.node
                    + "): run exec against that node.");
        }
        synchronized (task) {
            if (!"RUNNING".equals(task.lastStatus)) {
                throw new ExecRefused(409, "Task " + task.id + " is " + task.lastStatus + ", not RUNNING.");
            }
            EcsTask.Container chosen = container == null ? task.containers.get(0) : task.containers.stream()
                    .filter(c -> c.name.equals(container)).findFirst().orElse(null);
            if (chosen == null) {
                throw new ExecRefused(404, "Task " + task.id + " has no container named " + container + ".");
            }
            if (chosen.running == null || !"RUNNING".equals(chosen.lastStatus)) {
                throw new ExecRefused(409, "Container " + chosen.name + " of task " + task.id + " is "
                        + chosen.lastStatus + ", not RUNNING.");
            }
            if (terminal && runtime.terminalUnavailable().isPresent()) {
                throw new ExecRefused(501, runtime.terminalUnavailable().get());
            }
            return new ExecTarget(task, chosen.name, chosen.running);
        }
    }

    /** Starts an exec'd command in the container; it ends with the container at the latest. */
    public TaskRuntime.ExecSession exec(ExecTarget target, TaskRuntime.ExecLaunch launch) throws IOException {
        return target.running().exec(launch);
    }

    // ---- stopping ----------------------------------------------------------------------------

    /**
     * Stops a task: SIGTERM to each running container, SIGKILL after its stopTimeout. For a task another node
     * runs, records the wish (desired status STOPPED, with the code and reason); that node stops it once it
     * reads the record.
     */
    void stop(EcsTask task, String stopCode, String reason) {
        if (!local(task)) {
            synchronized (task) {
                if (!task.stopped() && !"STOPPED".equals(task.desiredStatus)) {
                    task.desiredStatus = "STOPPED";
                    task.stopCode = stopCode;
                    task.stoppedReason = reason;
                    task.changed();
                }
            }
            return;
        }
        List<EcsTask.Container> toStop;
        synchronized (task) {
            if ("STOPPED".equals(task.lastStatus)) {
                return;
            }
            task.desiredStatus = "STOPPED";
            if (task.stopCode == null) {
                task.stopCode = stopCode;
                task.stoppedReason = reason;
            }
            if (task.stoppingAt == null) {
                // ECS's DEACTIVATING (load balancer targets, network interfaces let go) has nothing to do here: the
                // task goes on to STOPPING, its containers being asked to stop, and is STOPPED once none runs.
                task.stoppingAt = clock.instant();
                task.lastStatus = "STOPPING";
                task.changed();
            }
            for (EcsTask.Container c : task.containers) {
                if (c.running == null && "PENDING".equals(c.lastStatus)) {
                    c.lastStatus = "STOPPED"; // still waiting for its dependencies: it never starts
                }
            }
            toStop = task.containers.stream().filter(c -> c.running != null && !"STOPPED".equals(c.lastStatus)).toList();
            if (toStop.isEmpty()) {
                markStopped(task);
                return;
            }
        }
        boolean ordered = toStop.stream().anyMatch(c -> !ContainerDependencies.of(task.definition.container(c.name)).isEmpty());
        if (!ordered) {
            for (EcsTask.Container container : toStop) {
                container.running.stop(Duration.ofSeconds(container.stopTimeoutSeconds));
            }
            return;
        }
        Thread stopper = new Thread(() -> stopInReverseDependencyOrder(task), "stop-" + task.id);
        stopper.setDaemon(true);
        stopper.start();
    }

    /**
     * ECS stops a task's containers in the reverse of their dependencies: a container is asked to stop once every
     * container that depends on it has stopped (a sidecar outlives the application that needs it).
     */
    private void stopInReverseDependencyOrder(EcsTask task) {
        java.util.Set<EcsTask.Container> asked = new java.util.HashSet<>();
        while (true) {
            List<EcsTask.Container> now = new java.util.ArrayList<>();
            synchronized (task) {
                List<EcsTask.Container> running = task.containers.stream()
                        .filter(c -> c.running != null && !"STOPPED".equals(c.lastStatus)).toList();
                if (running.isEmpty()) {
                    return;
                }
                for (EcsTask.Container container : running) {
                    boolean dependentsStopped = running.stream().noneMatch(other -> other != container
                            && ContainerDependencies.of(task.definition.container(other.name)).stream()
                            .anyMatch(d -> d.containerName().equals(container.name)));
                    if (dependentsStopped && asked.add(container)) {
                        now.add(container);
                    }
                }
                if (now.isEmpty()) {
                    try {
                        task.wait(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    continue;
                }
            }
            for (EcsTask.Container container : now) {
                container.running.stop(Duration.ofSeconds(container.stopTimeoutSeconds));
            }
        }
    }

    private void markStopped(EcsTask task) {
        // Nothing of the task runs any more: its task-scoped volumes go with it, as Docker's do.
        TaskVolumes.removeScratch(TaskVolumes.scratchRoot(tasksDir, task.id));
        String arn = task.arn();
        try {
            starter.execute(() -> runtime.taskStopped(arn)); // the engine may take its time; the task's lock is held
        } catch (java.util.concurrent.RejectedExecutionException e) {
            runtime.taskStopped(arn);
        }
        task.lastStatus = "STOPPED";
        task.stoppedAt = clock.instant();
        task.desiredStatus = "STOPPED";
        for (EcsTask.Container c : task.containers) {
            if (!"STOPPED".equals(c.lastStatus)) {
                c.lastStatus = "STOPPED";
            }
        }
        task.changed();
        task.notifyAll();
    }

    /** Waits until a task is STOPPED (for shutdown and tests). */
    public boolean awaitStopped(EcsTask task, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (task) {
            while (!"STOPPED".equals(task.lastStatus)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                task.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    /**
     * Stops every task this node runs, as the server stops; processes never outlive it. Waits as long as the
     * longest {@code stopTimeout} among them (and a little for the kill to land): a container that ignores SIGTERM
     * is killed by its runtime after its own timeout, not cut short by crossrole.
     */
    @Override
    public void close() {
        starter.shutdown(); // a task not yet started is stopped below; its starting thread then starts nothing more
        List<EcsTask> running = byId.values().stream().filter(this::local).toList();
        int longestTimeout = 0;
        for (EcsTask task : running) {
            stop(task, "TerminationNotice", "crossrole stopped");
            for (EcsTask.Container container : task.containers) {
                longestTimeout = Math.max(longestTimeout, container.stopTimeoutSeconds);
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(longestTimeout + 5L).toNanos();
        for (EcsTask task : running) {
            try {
                if (!awaitStopped(task, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    LOG.warning("task " + task.id + " did not stop in time");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        health.close();
        logShipping.shutdown(); // the last sends of ended containers, already scheduled, still run
        try {
            logShipping.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        onChange.run();
    }

    // ---- credentials ---------------------------------------------------------------------------

    /** A task's role credentials for its containers: renewed once less than half their lifetime remains. */
    public Optional<Vended> credentials(String credentialsId, String authorization) {
        EcsTask task = byCredentialsId.get(credentialsId);
        // Compared in constant time: the token is the only secret between a local process and a role's keys.
        if (task == null || authorization == null || !java.security.MessageDigest.isEqual(
                task.authorizationToken.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                authorization.trim().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        synchronized (task) {
            if (task.stopped()) {
                return Optional.empty();
            }
            Instant now = clock.instant();
            if (task.credentials == null
                    || task.credentials.expiration().minusSeconds(CREDENTIALS_SECONDS / 2).isBefore(now)) {
                ServiceRoleCredentials.Outcome outcome = assumeTaskRole(task);
                if (outcome == null || !outcome.allowed()) {
                    LOG.log(Level.WARNING, "ECS can no longer assume the task role of task " + task.id);
                    return Optional.empty();
                }
                task.credentials = outcome.credentials();
            }
            return Optional.of(new Vended(task.taskRoleArn, task.credentials, task.account));
        }
    }

    /** Credentials as the container endpoint hands them out. */
    public record Vended(String roleArn, TemporaryCredentials credentials, String accountId) {}

    public Optional<EcsTask> byMetadataId(String metadataId) {
        return Optional.ofNullable(byMetadataId.get(metadataId));
    }
}
