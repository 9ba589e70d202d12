package dev.crossrole.it;


import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** ECS task behaviour (health checks, dependencies) with containers an engine runs (Podman's service). */
class DockerTaskBehaviourTest extends TaskBehaviourContract {
    static TestCrossrole crossrole;

    @BeforeAll
    static void start() throws Exception {
        crossrole = PodmanService.crossroleOnEngine();
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
