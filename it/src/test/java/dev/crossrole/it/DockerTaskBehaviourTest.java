package dev.crossrole.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossrole.server.tasks.TaskIsolation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** ECS task behaviour (health checks, dependencies) with containers an engine runs (Podman's service). */
class DockerTaskBehaviourTest extends TaskBehaviourContract {
    static TestCrossrole crossrole;

    @BeforeAll
    static void start() throws Exception {
        PodmanService podman = PodmanService.get().orElse(null);
        assumeTrue(podman != null, () -> "no container engine here: " + PodmanService.unavailable());
        crossrole = new TestCrossrole(options -> options.withTaskIsolation(TaskIsolation.DOCKER)
                .withDockerHost(podman.host()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (crossrole != null) {
            crossrole.close();
        }
    }

    @Override
    TestCrossrole crossrole() {
        return crossrole;
    }

    @Override
    String image() {
        return DockerRuntimeTest.IMAGE;
    }
}
