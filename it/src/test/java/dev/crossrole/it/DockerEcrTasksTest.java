package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * ECS over the docker runtime with images in ECR: pushed with podman to crossrole's registry, pulled by ECS's agent
 * with the task execution role and loaded into the engine, the container then running the image; a refused pull stops
 * the task before any container is made, with ECS's reason; another account's image runs once its repository policy
 * allows the role.
 */
class DockerEcrTasksTest {
    private static final String ECS_TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
    private static final String PULL = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":[\"ecr:GetAuthorizationToken\",\"ecr:BatchCheckLayerAvailability\","
            + "\"ecr:GetDownloadUrlForLayer\",\"ecr:BatchGetImage\"],\"Resource\":\"*\"}]}";

    static TestCrossrole crossrole;
    static EcsClient ecs;
    static Path authFolder;
    /** Image names this test made in Podman's shared storage (pushed, and loaded by ECS), removed at the end. */
    static final List<String> images = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        crossrole = PodmanService.crossroleOnEngine();
        ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(SOURCE));
        authFolder = Files.createTempDirectory("crossrole-ecs-ecr");
        push(SOURCE, "team/app");
        push(DESTINATION, "shared/app");
        crossrole.role(SOURCE, "exec", ECS_TRUST, PULL);
        crossrole.role(SOURCE, "exec-no-layers", ECS_TRUST, PULL.replace("\"ecr:GetDownloadUrlForLayer\",", ""));
        for (String image : List.of(ecrImage(SOURCE, "team/app", "1"), ecrImage(DESTINATION, "shared/app", "1"))) {
            images.add(image);
            EcrPodmanTest.podman("rmi", "--ignore", image); // the engine must have it from the agent's pull
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (String image : images) {
            EcrPodmanTest.podman("rmi", "--ignore", image);
        }
        if (ecs != null) {
            ecs.close();
        }
        if (crossrole != null) {
            crossrole.close();
        }
        if (authFolder != null) {
            try (var files = Files.walk(authFolder)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String ecrImage(String account, String repository, String tag) {
        return account + ".dkr.ecr.us-east-1.amazonaws.com/" + repository + ":" + tag;
    }

    /** Creates {@code repository} in {@code account} and pushes the test's busybox image to it as tag 1 (podman). */
    private static void push(String account, String repository) throws Exception {
        try (EcrClient ecr = EcrSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(account))) {
            ecr.createRepository(r -> r.repositoryName(repository));
            String token = ecr.getAuthorizationToken().authorizationData().get(0).authorizationToken();
            String password = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8).substring(4);
            String registry = crossrole.server.registryEndpoint().orElseThrow().substring("http://".length());
            Path auth = authFolder.resolve(account + ".json");
            String login = EcrPodmanTest.podman("login", "--authfile", auth.toString(), "--tls-verify=false",
                    "--username", "AWS", "--password", password, registry);
            assertTrue(login.contains("Login Succeeded"), login);
            String name = registry + "/" + account + "/" + repository + ":1";
            images.add(name);
            EcrPodmanTest.podman("tag", DockerRuntimeTest.IMAGE, name);
            String pushed = EcrPodmanTest.podman("push", "--authfile", auth.toString(), "--tls-verify=false", name);
            assertTrue(pushed.contains("Writing manifest"), pushed);
        }
    }

    private static Task run(String family, String image, String executionRole) throws InterruptedException {
        ecs.registerTaskDefinition(r -> r.family(family).executionRoleArn(roleArn(SOURCE, executionRole))
                .containerDefinitions(ContainerDefinition.builder().name("app").image(image).memory(64)
                        .command("sh", "-c", "echo running $0 from ECR", family).build()));
        String arn = ecs.runTask(r -> r.taskDefinition(family)).tasks().get(0).taskArn();
        return EcsSdk.awaitStopped(ecs, null, arn);
    }

    private static String logs(Task task) throws Exception {
        return crossrole.adminGet("/_crossrole/tasks/" + EcsSdk.id(task.taskArn()) + "/logs?container=app").body();
    }

    @Test
    void theAgentPullsTheImageWithTheExecutionRoleAndTheContainerRunsIt() throws Exception {
        String image = ecrImage(SOURCE, "team/app", "1");
        Task task = run("ecr-image", image, "exec");
        assertEquals("EssentialContainerExited", task.stopCodeAsString(), task.toString());
        assertEquals(0, task.containers().get(0).exitCode(), task.toString());
        assertEquals(image, task.containers().get(0).image());
        assertTrue(logs(task).contains("running ecr-image from ECR"), logs(task));
        assertTrue(EcrPodmanTest.podman("images", "--format", "{{.Repository}}:{{.Tag}}").contains(image),
                "ECS's agent loaded the image under its task definition's name");
    }

    @Test
    void aRefusedPullStopsTheTaskBeforeAnyContainerIsMade() throws Exception {
        Task task = run("ecr-no-layers", ecrImage(SOURCE, "team/app", "1"), "exec-no-layers");
        assertEquals("TaskFailedToStart", task.stopCodeAsString(), task.toString());
        String reason = task.stoppedReason();
        assertTrue(reason.startsWith("CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy:"
                + " httpReaderSeeker: failed open: unexpected status code "), reason);
        assertTrue(reason.contains(": 403 Forbidden: denied: User: arn:aws:sts::" + SOURCE + ":assumed-role/"
                + "exec-no-layers/"), reason);
        assertTrue(reason.contains("is not authorized to perform: ecr:GetDownloadUrlForLayer on resource:"
                + " arn:aws:ecr:us-east-1:" + SOURCE + ":repository/team/app"), reason);
        assertTrue(reason.contains("crossrole why "), reason);
        assertEquals(reason, task.containers().get(0).reason());
        String containers = EcrPodmanTest.podman("ps", "-a", "--filter", "label=com.amazonaws.ecs.task-arn="
                + task.taskArn(), "--format", "{{.ID}}");
        assertEquals("", containers.strip(), "no container was made for the task");
    }

    @Test
    void anotherAccountsImageRunsOnceItsRepositoryPolicyAllowsTheExecutionRole() throws Exception {
        String image = ecrImage(DESTINATION, "shared/app", "1");
        Task denied = run("ecr-cross-account", image, "exec");
        assertEquals("TaskFailedToStart", denied.stopCodeAsString(), denied.toString());
        assertTrue(denied.stoppedReason().contains("pull access denied, repository does not exist or may require"
                + " authorization: denied: User: arn:aws:sts::" + SOURCE + ":assumed-role/exec/"),
                denied.stoppedReason());
        assertTrue(denied.stoppedReason().contains("because no resource-based policy allows the ecr:BatchGetImage"
                + " action"), denied.stoppedReason());
        try (EcrClient destination = EcrSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION))) {
            destination.setRepositoryPolicy(r -> r.repositoryName("shared/app").policyText("{\"Version\":"
                    + "\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                    + roleArn(SOURCE, "exec") + "\"},\"Action\":[\"ecr:BatchGetImage\","
                    + "\"ecr:GetDownloadUrlForLayer\",\"ecr:BatchCheckLayerAvailability\"]}]}"));
        }
        Task allowed = run("ecr-cross-account", image, "exec");
        assertEquals("EssentialContainerExited", allowed.stopCodeAsString(), allowed.toString());
        assertTrue(logs(allowed).contains("running ecr-cross-account from ECR"), logs(allowed));
    }
}
