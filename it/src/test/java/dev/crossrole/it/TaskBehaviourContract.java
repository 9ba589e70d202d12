package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.HealthCheck;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * ECS task behaviour that does not depend on how containers run — health checks, container dependencies — the same
 * on every task runtime: a subclass names the runtime (its
 * crossrole and the image its containers use).
 */
abstract class TaskBehaviourContract {
    abstract TestCrossrole crossrole();

    abstract String image();

    private EcsClient ecs() {
        return EcsSdk.ecs(crossrole(), crossrole().adminCredentials(SOURCE));
    }

    private static ContainerDefinition.Builder container(String name, String image, String... command) {
        return ContainerDefinition.builder().name(name).image(image).memory(64).stopTimeout(2).command(command);
    }

    private static Task awaitHealth(EcsClient ecs, String taskArn, String container, String status)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        Task task = EcsSdk.describe(ecs, null, taskArn);
        while (System.nanoTime() < deadline) {
            task = EcsSdk.describe(ecs, null, taskArn);
            String now = task.containers().stream().filter(c -> c.name().equals(container)).findFirst().orElseThrow()
                    .healthStatusAsString();
            if (status.equals(now)) {
                return task;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(container + " never became " + status + ": " + task);
    }

    @Test
    void passingAndFailingChecksMakeContainersHealthyAndUnhealthyAndTheTaskFollowsItsEssentialOnes() throws Exception {
        try (EcsClient ecs = ecs()) {
            ecs.registerTaskDefinition(r -> r.family("health").containerDefinitions(
                    container("ready", image(), "sh", "-c", "touch /tmp/ready; exec sleep 300")
                            .healthCheck(HealthCheck.builder().command("CMD-SHELL", "test -e /tmp/ready").interval(5)
                                    .retries(1).build()).build(),
                    container("broken", image(), "sh", "-c", "exec sleep 300").essential(false)
                            .healthCheck(HealthCheck.builder().command("CMD", "false").interval(5).retries(2).build())
                            .build()));
            Task running = EcsSdk.runRunning(ecs, "health");
            assertEquals("UNKNOWN", running.healthStatusAsString(), "no verdict before the first interval");
            awaitHealth(ecs, running.taskArn(), "ready", "HEALTHY");
            Task task = awaitHealth(ecs, running.taskArn(), "broken", "UNHEALTHY");
            assertEquals("HEALTHY", task.healthStatusAsString(),
                    "a nonessential container's health is not the task's: " + task);
            assertEquals("RUNNING", task.lastStatus(), "a task run on its own runs on whatever its health");
            ecs.stopTask(r -> r.task(running.taskArn()));
            EcsSdk.awaitStopped(ecs, null, running.taskArn());
        }
    }

    @Test
    void anEssentialUnhealthyContainerMakesTheTaskUnhealthy() throws Exception {
        try (EcsClient ecs = ecs()) {
            ecs.registerTaskDefinition(r -> r.family("unhealthy").containerDefinitions(
                    container("app", image(), "sh", "-c", "exec sleep 300")
                            .healthCheck(HealthCheck.builder().command("CMD-SHELL", "exit 3").interval(5).retries(1)
                                    .build()).build()));
            Task running = EcsSdk.runRunning(ecs, "unhealthy");
            Task task = awaitHealth(ecs, running.taskArn(), "app", "UNHEALTHY");
            assertEquals("UNHEALTHY", task.healthStatusAsString(), task.toString());
            ecs.stopTask(r -> r.task(running.taskArn()));
            EcsSdk.awaitStopped(ecs, null, running.taskArn());
        }
    }

    @Test
    void checksOutsideEcsLimitsAreRefusedAtRegistration() {
        try (EcsClient ecs = ecs()) {
            for (Object[] bad : new Object[][] {
                    {HealthCheck.builder().command("CMD-SHELL", "true").interval(4).build(),
                            "Container 'app': healthCheck interval must be between 5 and 300 seconds, not 4."},
                    {HealthCheck.builder().command("CMD-SHELL", "true").timeout(121).build(),
                            "Container 'app': healthCheck timeout must be between 2 and 120 seconds, not 121."},
                    {HealthCheck.builder().command("CMD-SHELL", "true").retries(11).build(),
                            "Container 'app': healthCheck retries must be between 1 and 10, not 11."},
                    {HealthCheck.builder().command("CMD-SHELL", "true").startPeriod(301).build(),
                            "Container 'app': healthCheck startPeriod must be between 0 and 300 seconds, not 301."},
                    {HealthCheck.builder().command("curl", "-f", "http://localhost/").build(),
                            "Container 'app': healthCheck command must begin with CMD, CMD-SHELL or NONE, not 'curl'."},
                    {HealthCheck.builder().command("CMD").build(),
                            "Container 'app': healthCheck command CMD needs a command."}}) {
                ClientException refused = assertThrows(ClientException.class, () -> ecs.registerTaskDefinition(r -> r
                        .family("bad-health").containerDefinitions(container("app", image(), "true")
                                .healthCheck((HealthCheck) bad[0]).build())));
                assertEquals(400, refused.statusCode());
                assertEquals(bad[1], refused.awsErrorDetails().errorMessage());
            }
            assertThrows(Exception.class, () -> ecs.describeTaskDefinition(r -> r.taskDefinition("bad-health")),
                    "nothing was registered");
        }
    }

    @Test
    void theDefaultsEcsAppliesAreShown() {
        try (EcsClient ecs = ecs()) {
            ecs.registerTaskDefinition(r -> r.family("health-defaults").containerDefinitions(
                    container("app", image(), "true").healthCheck(HealthCheck.builder().command("CMD-SHELL", "true")
                            .build()).build()));
            HealthCheck shown = ecs.describeTaskDefinition(r -> r.taskDefinition("health-defaults")).taskDefinition()
                    .containerDefinitions().get(0).healthCheck();
            assertEquals(List.of(30, 5, 3), List.of(shown.interval(), shown.timeout(), shown.retries()));
        }
    }

    private static Container named(Task task, String name) {
        return task.containers().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    /** Follows a task until {@code done} says so, checking {@code invariant} on every description seen. */
    private static Task follow(EcsClient ecs, String taskArn, java.util.function.Predicate<Task> done,
                               java.util.function.Consumer<Task> invariant) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Task task = EcsSdk.describe(ecs, null, taskArn);
            invariant.accept(task);
            if (done.test(task)) {
                return task;
            }
            assertTrue(System.nanoTime() < deadline, "not reached in time: " + task);
            Thread.sleep(100);
        }
    }

    @Test
    void aContainerDependingOnAnotherSuccessStartsOnlyAfterItExitedZero() throws Exception {
        try (EcsClient ecs = ecs()) {
            ecs.registerTaskDefinition(r -> r.family("init-then-app").containerDefinitions(
                    container("init", image(), "sh", "-c", "sleep 2; exit 0").essential(false).build(),
                    container("app", image(), "sh", "-c", "exec sleep 300")
                            .dependsOn(d -> d.containerName("init").condition("SUCCESS")).build()));
            String arn = ecs.runTask(r -> r.taskDefinition("init-then-app")).tasks().get(0).taskArn();
            Task running = follow(ecs, arn, t -> "RUNNING".equals(named(t, "app").lastStatus()), t -> {
                if (!"STOPPED".equals(named(t, "init").lastStatus())) {
                    assertEquals("PENDING", named(t, "app").lastStatus(), "app waits for init: " + t);
                    assertEquals("PENDING", t.lastStatus(), "the task is PENDING while a container waits: " + t);
                }
            });
            assertEquals(0, named(running, "init").exitCode(), running.toString());
            assertEquals("RUNNING", follow(ecs, arn, t -> "RUNNING".equals(t.lastStatus()), t -> { }).lastStatus());
            ecs.stopTask(r -> r.task(arn));
            EcsSdk.awaitStopped(ecs, null, arn);
        }
    }

    @Test
    void aDependencyThatFailsKeepsItsEssentialDependentFromStartingAndStopsTheTask() throws Exception {
        try (EcsClient ecs = ecs()) {
            ecs.registerTaskDefinition(r -> r.family("init-fails").containerDefinitions(
                    container("init", image(), "sh", "-c", "exit 3").essential(false).build(),
                    container("app", image(), "sh", "-c", "exec sleep 300")
                            .dependsOn(d -> d.containerName("init").condition("SUCCESS")).build()));
            String arn = ecs.runTask(r -> r.taskDefinition("init-fails")).tasks().get(0).taskArn();
            Task stopped = EcsSdk.awaitStopped(ecs, null, arn);
            assertEquals("TaskFailedToStart", stopped.stopCodeAsString(), stopped.toString());
            assertEquals("DependencyConditionNotMet: container app was not started: its dependency init exited with 3"
                    + " (dependsOn SUCCESS)", stopped.stoppedReason());
            assertEquals(stopped.stoppedReason(), named(stopped, "app").reason());
            assertEquals(null, named(stopped, "app").exitCode(), "app never ran");
            assertEquals(3, named(stopped, "init").exitCode());
        }
    }

    @Test
    void aContainerDependingOnAnothersHealthStartsOnlyOnceItIsHealthy() throws Exception {
        try (EcsClient ecs = ecs()) {
            ecs.registerTaskDefinition(r -> r.family("healthy-first").containerDefinitions(
                    container("db", image(), "sh", "-c", "exec sleep 300")
                            .healthCheck(HealthCheck.builder().command("CMD-SHELL", "true").interval(5).retries(1)
                                    .build()).build(),
                    container("app", image(), "sh", "-c", "exec sleep 300")
                            .dependsOn(d -> d.containerName("db").condition("HEALTHY")).build()));
            String arn = ecs.runTask(r -> r.taskDefinition("healthy-first")).tasks().get(0).taskArn();
            follow(ecs, arn, t -> "RUNNING".equals(named(t, "app").lastStatus()), t -> {
                if (!"PENDING".equals(named(t, "app").lastStatus())) {
                    assertEquals("HEALTHY", named(t, "db").healthStatusAsString(), "app started before db was healthy: "
                            + t);
                }
            });
            ecs.stopTask(r -> r.task(arn));
            EcsSdk.awaitStopped(ecs, null, arn);
        }
    }

    @Test
    void stoppingATaskWhoseContainerStillWaitsStopsItAtOnce() throws Exception {
        try (EcsClient ecs = ecs()) {
            ecs.registerTaskDefinition(r -> r.family("never-healthy").containerDefinitions(
                    container("db", image(), "sh", "-c", "exec sleep 300")
                            .healthCheck(HealthCheck.builder().command("CMD-SHELL", "exit 1").interval(300).build())
                            .build(),
                    container("app", image(), "sh", "-c", "exec sleep 300")
                            .dependsOn(d -> d.containerName("db").condition("HEALTHY")).build()));
            String arn = ecs.runTask(r -> r.taskDefinition("never-healthy")).tasks().get(0).taskArn();
            follow(ecs, arn, t -> "RUNNING".equals(named(t, "db").lastStatus()), t -> { });
            ecs.stopTask(r -> r.task(arn).reason("enough"));
            Task stopped = EcsSdk.awaitStopped(ecs, null, arn);
            assertEquals("STOPPED", named(stopped, "app").lastStatus());
            assertEquals(null, named(stopped, "app").exitCode(), "app never ran");
        }
    }

    @Test
    void aTaskStopsItsContainersInTheReverseOfTheirDependencies() throws Exception {
        try (EcsClient ecs = ecs()) {
            var shared = software.amazon.awssdk.services.ecs.model.MountPoint.builder().sourceVolume("shared")
                    .containerPath("/tmp/shared").build();
            ecs.registerTaskDefinition(r -> r.family("sidecar-last").volumes(v -> v.name("shared")).containerDefinitions(
                    container("sidecar", image(), "sh", "-c", "trap 'if [ -e /tmp/shared/app-stopped ]; then echo after-app;"
                            + " else echo before-app; fi; exit 0' TERM; echo up; while true; do sleep 1; done")
                            .mountPoints(shared).stopTimeout(10).build(),
                    // The app takes two seconds to stop: a sidecar asked at the same time would look before it is done.
                    container("app", image(), "sh", "-c", "trap 'sleep 2; touch /tmp/shared/app-stopped; exit 0' TERM;"
                            + " echo up; while true; do sleep 1; done").mountPoints(shared).stopTimeout(10)
                            .dependsOn(d -> d.containerName("sidecar").condition("START")).build()));
            String arn = ecs.runTask(r -> r.taskDefinition("sidecar-last")).tasks().get(0).taskArn();
            follow(ecs, arn, t -> "RUNNING".equals(t.lastStatus()), t -> { });
            // Both shells have set their traps (RUNNING says only that their processes started).
            for (String name : List.of("sidecar", "app")) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!crossrole().adminGet("/_crossrole/tasks/" + EcsSdk.id(arn) + "/logs?container=" + name).body()
                        .startsWith("up")) {
                    assertTrue(System.nanoTime() < deadline, name + " never said it was up");
                    Thread.sleep(50);
                }
            }
            ecs.stopTask(r -> r.task(arn));
            Task stopped = EcsSdk.awaitStopped(ecs, null, arn);
            assertEquals(0, named(stopped, "app").exitCode(), stopped.toString());
            assertEquals(0, named(stopped, "sidecar").exitCode(), stopped.toString());
            var logs = crossrole().adminGet("/_crossrole/tasks/" + EcsSdk.id(arn) + "/logs?container=sidecar");
            // (A sandbox's shell also reports the sleep that the stop's SIGTERM ended: "Terminated".)
            assertTrue(logs.body().startsWith("up\n") && logs.body().contains("after-app\n")
                    && !logs.body().contains("before-app"), "the sidecar is asked to stop once the app has stopped: "
                    + logs.body());
        }
    }

    @Test
    void aContainerAskingForExtraPrivilegeIsRefusedAndNothingRuns() {
        try (EcsClient ecs = ecs()) {
            Object[][] cases = {
                    {container("app", image(), "true").privileged(true).build(), "privileged mode"},
                    {container("app", image(), "true").linuxParameters(l -> l.capabilities(c -> c.add("SYS_ADMIN",
                            "NET_ADMIN"))).build(), "the added capabilities SYS_ADMIN, NET_ADMIN"},
                    {container("app", image(), "true").linuxParameters(l -> l.devices(d -> d.hostPath("/dev/sda")))
                            .build(), "this machine's devices /dev/sda"}};
            for (Object[] bad : cases) {
                ecs.registerTaskDefinition(r -> r.family("privileged").containerDefinitions((ContainerDefinition) bad[0]));
                ClientException refused = assertThrows(ClientException.class,
                        () -> ecs.runTask(r -> r.taskDefinition("privileged")));
                assertEquals(400, refused.statusCode());
                assertEquals("crossrole runs containers without extra privileges: container app asks for " + bad[1]
                        + ", which would let its code reach this machine as root; remove it from the task definition.",
                        refused.awsErrorDetails().errorMessage());
            }
            assertEquals(List.of(), ecs.listTasks(r -> r.family("privileged").desiredStatus("STOPPED")).taskArns());
            assertEquals(List.of(), ecs.listTasks(r -> r.family("privileged")).taskArns());
        }
    }

    @Test
    void dependenciesThatCouldNeverBeMetAreRefusedAtRegistration() {
        try (EcsClient ecs = ecs()) {
            HealthCheck check = HealthCheck.builder().command("CMD-SHELL", "true").build();
            Object[][] cases = {
                    {List.of(container("app", image(), "true").dependsOn(d -> d.containerName("app").condition("START"))
                            .build()), "Container 'app' cannot depend on itself."},
                    {List.of(container("app", image(), "true").dependsOn(d -> d.containerName("db").condition("START"))
                            .build()), "Container 'app' depends on container 'db', which is not in the task definition."},
                    {List.of(container("db", image(), "true").build(), container("app", image(), "true")
                            .dependsOn(d -> d.containerName("db").condition("HEALTHY")).build()),
                            "Container 'app' depends on container 'db' being HEALTHY, but it has no healthCheck."},
                    {List.of(container("init", image(), "true").build(), container("app", image(), "true")
                            .dependsOn(d -> d.containerName("init").condition("COMPLETE")).build()),
                            "Container 'app' depends on essential container 'init' with condition COMPLETE: an essential"
                                    + " container's exit stops the task, so only a nonessential one can be awaited to exit."},
                    {List.of(container("a", image(), "true").healthCheck(check)
                                    .dependsOn(d -> d.containerName("b").condition("START")).build(),
                            container("b", image(), "true").dependsOn(d -> d.containerName("a").condition("HEALTHY"))
                                    .build()), "Container dependencies form a cycle: a -> b -> a."}};
            for (Object[] bad : cases) {
                @SuppressWarnings("unchecked")
                List<ContainerDefinition> definitions = (List<ContainerDefinition>) bad[0];
                ClientException refused = assertThrows(ClientException.class, () -> ecs.registerTaskDefinition(r -> r
                        .family("bad-dependencies").containerDefinitions(definitions)));
                assertEquals(bad[1], refused.awsErrorDetails().errorMessage());
            }
            assertThrows(Exception.class, () -> ecs.describeTaskDefinition(r -> r.taskDefinition("bad-dependencies")),
                    "nothing was registered");
        }
    }
}
