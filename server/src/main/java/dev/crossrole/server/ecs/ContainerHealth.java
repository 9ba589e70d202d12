package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossrole.server.tasks.TaskRuntime;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A container definition's {@code healthCheck}, run as ECS's agent has Docker run it, on every runtime: the command
 * inside the running container every {@code interval} seconds, a run longer than {@code timeout} a failure, the
 * container {@code HEALTHY} after a success and {@code UNHEALTHY} after {@code retries} failures in a row; failures
 * within {@code startPeriod} of the start do not count until the first success. A task run on its own, not by a
 * service, runs on whatever its health (as on ECS).
 */
final class ContainerHealth implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ContainerHealth.class.getName());

    /** The check of one container, from its definition; {@code null} when it has none (or {@code NONE}). */
    record Settings(List<String> argv, int intervalSeconds, int timeoutSeconds, int retries, int startPeriodSeconds) {
        static Settings of(JsonNode definition) {
            JsonNode check = definition.path("healthCheck");
            JsonNode command = check.path("command");
            if (!command.isArray() || command.isEmpty() || command.get(0).asText().equals("NONE")) {
                return null;
            }
            List<String> words = new ArrayList<>();
            command.forEach(word -> words.add(word.asText()));
            List<String> argv = switch (words.get(0)) {
                // As Docker reads HEALTHCHECK: CMD-SHELL runs the rest as one shell command line.
                case "CMD-SHELL" -> List.of("/bin/sh", "-c", String.join(" ", words.subList(1, words.size())));
                case "CMD" -> words.subList(1, words.size());
                default -> words;
            };
            return new Settings(List.copyOf(argv), check.path("interval").asInt(30), check.path("timeout").asInt(5),
                    check.path("retries").asInt(3), check.path("startPeriod").asInt(0));
        }
    }

    /**
     * What RegisterTaskDefinition refuses in a health check (the limits of ECS's {@code HealthCheck}): the reason, or
     * empty when it is valid.
     */
    static Optional<String> invalid(String container, JsonNode check) {
        if (check == null || check.isMissingNode() || check.isNull()) {
            return Optional.empty();
        }
        JsonNode command = check.path("command");
        if (!command.isArray() || command.isEmpty()) {
            return Optional.of("Container '" + container + "': healthCheck command cannot be empty.");
        }
        String first = command.get(0).asText();
        if (!first.equals("CMD") && !first.equals("CMD-SHELL") && !first.equals("NONE")) {
            return Optional.of("Container '" + container + "': healthCheck command must begin with CMD, CMD-SHELL or"
                    + " NONE, not '" + first + "'.");
        }
        if (!first.equals("NONE") && command.size() < 2) {
            return Optional.of("Container '" + container + "': healthCheck command " + first + " needs a command.");
        }
        for (Object[] limit : new Object[][] {{"interval", 5, 300}, {"timeout", 2, 120}, {"retries", 1, 10},
                {"startPeriod", 0, 300}}) {
            String name = (String) limit[0];
            if (check.has(name) && !check.get(name).isNull()) {
                int value = check.get(name).asInt();
                if (value < (int) limit[1] || value > (int) limit[2]) {
                    return Optional.of("Container '" + container + "': healthCheck " + name + " must be between "
                            + limit[1] + " and " + limit[2] + (name.equals("retries") ? "" : " seconds") + ", not "
                            + value + ".");
                }
            }
        }
        return Optional.empty();
    }

    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "container-health");
        thread.setDaemon(true);
        return thread;
    });
    /** Runs the checks, which wait on commands inside containers. */
    private final ExecutorService checks = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "container-health-check");
        thread.setDaemon(true);
        return thread;
    });
    private final Clock clock;

    ContainerHealth(Clock clock) {
        this.clock = clock;
    }

    /** Starts checking a container that has just started. */
    void watch(EcsTask task, EcsTask.Container container, Settings settings) {
        Instant started = clock.instant();
        int[] failures = {0};
        ScheduledFuture<?>[] scheduled = new ScheduledFuture<?>[1];
        Runnable tick = () -> checks.execute(() -> {
            TaskRuntime.RunningContainer running;
            synchronized (task) {
                if (!"RUNNING".equals(container.lastStatus) || container.running == null) {
                    scheduled[0].cancel(false);
                    return;
                }
                running = container.running;
            }
            boolean passed = runOnce(running, settings);
            synchronized (task) {
                if (!"RUNNING".equals(container.lastStatus)) {
                    return;
                }
                String before = container.healthStatus;
                if (passed) {
                    failures[0] = 0;
                    container.healthStatus = "HEALTHY";
                } else if ("HEALTHY".equals(before) || Duration.between(started, clock.instant()).getSeconds()
                        >= settings.startPeriodSeconds()) {
                    failures[0]++;
                    if (failures[0] >= settings.retries()) {
                        container.healthStatus = "UNHEALTHY";
                    }
                }
                if (!container.healthStatus.equals(before)) {
                    container.healthSince = clock.instant();
                    task.changed();
                    task.notifyAll();
                }
            }
        });
        scheduled[0] = ticks.scheduleWithFixedDelay(tick, settings.intervalSeconds(), settings.intervalSeconds(),
                TimeUnit.SECONDS);
    }

    /** One run of the check command: whether it exited 0 within the timeout. */
    private boolean runOnce(TaskRuntime.RunningContainer running, Settings settings) {
        TaskRuntime.ExecSession exec;
        try {
            exec = running.exec(new TaskRuntime.ExecLaunch(settings.argv(), false, null));
        } catch (java.io.IOException e) {
            return false;
        }
        // Its output is read to the end (a full pipe would stall it) and dropped.
        checks.execute(() -> drain(exec.stdout()));
        checks.execute(() -> drain(exec.stderr()));
        try {
            return exec.exit().get(settings.timeoutSeconds(), TimeUnit.SECONDS) == 0;
        } catch (java.util.concurrent.TimeoutException e) {
            exec.kill();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void drain(InputStream in) {
        try (in) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException e) {
            LOG.log(Level.FINE, "health check output", e);
        }
    }

    /** The task's health from its essential containers that have checks (UNHEALTHY, then UNKNOWN, win). */
    static String taskHealth(EcsTask task) {
        boolean checked = false;
        boolean unknown = false;
        for (EcsTask.Container container : task.containers) {
            if (!container.essential || !container.healthChecked) {
                continue;
            }
            checked = true;
            if ("UNHEALTHY".equals(container.healthStatus)) {
                return "UNHEALTHY";
            }
            unknown |= !"HEALTHY".equals(container.healthStatus);
        }
        return !checked || unknown ? "UNKNOWN" : "HEALTHY";
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        checks.shutdownNow();
    }
}
