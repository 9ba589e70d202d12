package dev.crossrole.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** ECS task behaviour (health checks, dependencies) with containers run as sandboxed processes. */
class SandboxedTaskBehaviourTest extends TaskBehaviourContract {
    static TestCrossrole crossrole;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    @Override
    TestCrossrole crossrole() {
        return crossrole;
    }

    @Override
    String image() {
        return "local/not-pulled";
    }
}
