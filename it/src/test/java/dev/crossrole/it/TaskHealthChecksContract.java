package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.HealthCheck;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * Container health checks as ECS runs them, the same on every task runtime: a subclass names the runtime (its
 * crossrole and the image its containers use).
 */
abstract class TaskHealthChecksContract {
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
}
