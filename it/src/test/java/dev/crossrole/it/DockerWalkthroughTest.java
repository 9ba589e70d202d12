package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.sessionArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.HostVolumeProperties;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.MountPoint;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.Volume;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * The walkthrough in a real container: crossrole on the docker runtime (Podman's service), a task whose image is a
 * minimal Debian with the AWS CLI ({@code crossrole-test/awscli:1}, from {@code it/images/build.sh}); inside it the
 * CLI's {@code cross-account} profile ({@code role_arn} + {@code credential_source = EcsContainer}) hops to
 * 555566667777 and lists its clusters. The container sees neither crossrole's data directory nor this machine's
 * processes.
 */
class DockerWalkthroughTest {
    static final String TASK_ROLE = roleArn(SOURCE, "my-ECS-task-role");
    static final String DEST_ROLE = roleArn(DESTINATION, "destination-account-role");

    static TestCrossrole crossrole;
    static EcsClient ecs;
    static Path models;
    static String taskId;
    static Task stopped;
    static String log;

    @BeforeAll
    static void start() throws Exception {
        crossrole = PodmanService.crossroleOnEngine();
        PodmanService.buildImages("awscli");
        String ecsTrust = WalkthroughSdkTaskTest.resource("ecs-tasks-trust-policy.json");
        String step1 = WalkthroughSdkTaskTest.resource("step1-identity-policy.json");
        String step2 = WalkthroughSdkTaskTest.resource("step2-trust-policy.json");
        String listClusters = WalkthroughSdkTaskTest.resource("destination-list-clusters-policy.json");
        try (IamClient sourceIam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE));
             IamClient destinationIam = IamSdk.iam(crossrole, crossrole.adminCredentials(DESTINATION));
             EcsClient destinationEcs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(DESTINATION))) {
            sourceIam.createRole(r -> r.roleName("my-ECS-task-role")
                    .assumeRolePolicyDocument(ecsTrust));
            sourceIam.putRolePolicy(r -> r.roleName("my-ECS-task-role").policyName("assume-destination-account-role")
                    .policyDocument(step1));
            destinationIam.createRole(r -> r.roleName("destination-account-role")
                    .assumeRolePolicyDocument(step2));
            destinationIam.putRolePolicy(r -> r.roleName("destination-account-role").policyName("list-ecs-clusters")
                    .policyDocument(listClusters));
            destinationEcs.createCluster(r -> { });
        }
        // The CLI v2 in the image ignores AWS_ENDPOINT_URL; botocore reads endpoint rule sets from AWS_DATA_PATH
        // before its own, so one per service sends every client it makes, the assume-role provider's STS too, here.
        models = Files.createTempDirectory("crossrole-aws-models");
        writeEndpointRules(models, crossrole.endpoint());
        String script = String.join("\n",
                "mkdir -p /root/.aws",
                "printf '[profile cross-account]\\nrole_arn = " + DEST_ROLE + "\\ncredential_source = EcsContainer\\n'"
                        + " > /root/.aws/config",
                "echo \"default $(aws sts get-caller-identity --query Arn --output text 2>&1)\"",
                "echo \"cross-account $(aws sts get-caller-identity --profile cross-account --query Arn --output text 2>&1)\"",
                "echo \"clusters $(aws ecs list-clusters --profile cross-account --query 'clusterArns[0]' --output text 2>&1)\"",
                "if [ -e '" + crossrole.dataDir + "' ]; then echo 'data visible'; else echo 'data hidden'; fi",
                "echo \"processes $(ls /proc | grep -c '^[0-9]')\"");
        ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(SOURCE));
        ecs.registerTaskDefinition(r -> r.family("awscli-in-a-container").taskRoleArn(TASK_ROLE)
                .volumes(Volume.builder().name("aws-models").host(HostVolumeProperties.builder()
                        .sourcePath(models.toString()).build()).build())
                .containerDefinitions(ContainerDefinition.builder().name("cli").image("crossrole-test/awscli:1")
                        .memory(256).essential(true)
                        .environment(KeyValuePair.builder().name("AWS_DATA_PATH").value("/aws-models").build())
                        .mountPoints(MountPoint.builder().sourceVolume("aws-models").containerPath("/aws-models")
                                .readOnly(true).build())
                        .command("bash", "-c", script).build()));
        var run = ecs.runTask(r -> r.taskDefinition("awscli-in-a-container"));
        assertEquals(List.of(), run.failures(), run.toString());
        String taskArn = run.tasks().get(0).taskArn();
        taskId = EcsSdk.id(taskArn);
        stopped = EcsSdk.awaitStopped(ecs, null, taskArn);
        HttpResponse<String> logs = crossrole.adminGet("/_crossrole/tasks/" + taskId + "/logs?container=cli");
        assertEquals(200, logs.statusCode(), logs.body());
        log = logs.body();
    }

    /** An endpoint rule set per service for botocore that answers {@code endpoint} (an explicit one still wins). */
    static void writeEndpointRules(Path root, String endpoint) throws Exception {
        for (String[] service : new String[][] {{"sts", "2011-06-15"}, {"ecs", "2014-11-13"}, {"iam", "2010-05-08"}}) {
            Path folder = Files.createDirectories(root.resolve(service[0]).resolve(service[1]));
            String parameter = "{\"required\": false, \"documentation\": \"\", \"type\": \"String\", \"builtIn\": \"%s\"}";
            Files.writeString(folder.resolve("endpoint-rule-set-1.json"), "{\"version\": \"1.0\", \"parameters\": {"
                    + "\"Region\": " + String.format(parameter, "AWS::Region") + ", "
                    + "\"Endpoint\": " + String.format(parameter, "SDK::Endpoint") + "}, \"rules\": ["
                    + "{\"conditions\": [{\"fn\": \"isSet\", \"argv\": [{\"ref\": \"Endpoint\"}]}], \"endpoint\": {\"url\":"
                    + " {\"ref\": \"Endpoint\"}, \"properties\": {}, \"headers\": {}}, \"type\": \"endpoint\"},"
                    + "{\"conditions\": [], \"endpoint\": {\"url\": \"" + endpoint + "\", \"properties\": {},"
                    + " \"headers\": {}}, \"type\": \"endpoint\"}]}");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (ecs != null) {
            ecs.close();
        }
        if (crossrole != null) {
            crossrole.close();
        }
    }

    private static String line(String prefix) {
        return log.lines().filter(l -> l.startsWith(prefix + " ")).findFirst().map(l -> l.substring(prefix.length() + 1))
                .orElseThrow(() -> new AssertionError("no line '" + prefix + " …' in the container's output:\n" + log));
    }

    @Test
    void theContainerRanTheImageAndTheTaskStopped() {
        assertEquals("STOPPED", stopped.lastStatus(), stopped.toString());
        assertEquals("EssentialContainerExited", stopped.stopCodeAsString(), stopped.toString());
        Container cli = stopped.containers().get(0);
        assertEquals(0, cli.exitCode(), log);
        assertTrue(cli.runtimeId().matches("[0-9a-f]{64}"), "the engine's container id: " + cli.runtimeId());
    }

    @Test
    void theDefaultChainIsTheTaskRole() {
        assertEquals(sessionArn(SOURCE, "my-ECS-task-role", taskId), line("default"), log);
    }

    @Test
    void theCrossAccountProfileHopsToTheDestinationAndListsItsClusters() {
        assertTrue(Pattern.matches(Pattern.quote(sessionArn(DESTINATION, "destination-account-role", "botocore-session-"))
                + "\\d+", line("cross-account")), log);
        assertEquals("arn:aws:ecs:us-east-1:" + DESTINATION + ":cluster/default", line("clusters"), log);
    }

    @Test
    void theContainerSeesNeitherTheDataDirectoryNorThisMachinesProcesses() {
        assertEquals("hidden", line("data"), log);
        int processes = Integer.parseInt(line("processes"));
        assertTrue(processes < 10, "a process namespace of its own: " + processes + " processes seen\n" + log);
    }
}
