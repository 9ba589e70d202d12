package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.sts.StsClient;

/** IAM and ECS state survive a restart; tasks never outlive crossrole and are reported STOPPED with a reason. */
class RestartTest {
    @TempDir
    Path dir;

    private static StaticCredentialsProvider admin(CrossroleServer server) {
        Bootstrap.Profile p = server.profiles().get(0);
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(), p.secretAccessKey()));
    }

    private static EcsClient ecs(CrossroleServer server) {
        return EcsClient.builder().endpointOverride(URI.create(server.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(admin(server)).httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static IamClient iam(CrossroleServer server) {
        return IamClient.builder().endpointOverride(URI.create(server.endpoint())).region(Region.AWS_GLOBAL)
                .credentialsProvider(admin(server)).httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static String runSleeper(CrossroleServer server) {
        EcsClient ecs = ecs(server);
        ecs.registerTaskDefinition(r -> r.family("sleeper").containerDefinitions(ContainerDefinition.builder()
                .name("app").image("local").memory(64).command("sleep", "300").build()));
        return ecs.runTask(r -> r.taskDefinition("sleeper")).tasks().get(0).taskArn();
    }

    private static Task describe(CrossroleServer server, String arn) {
        return ecs(server).describeTasks(r -> r.tasks(arn)).tasks().get(0);
    }

    @Test
    void stateSurvivesAndRunningTasksAreStoppedOnShutdown() throws Exception {
        Path data = dir.resolve("data");
        String taskArn;
        AccessKey key;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            IamClient iam = iam(server);
            iam.createRole(r -> r.roleName("kept-role").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},"
                    + "\"Action\":\"sts:AssumeRole\"}]}"));
            iam.putRolePolicy(r -> r.roleName("kept-role").policyName("p").policyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}"));
            iam.createUser(r -> r.userName("kept-user"));
            key = iam.createAccessKey(r -> r.userName("kept-user")).accessKey();
            taskArn = runSleeper(server);
            assertEquals("RUNNING", EcsSdk.awaitRunning(ecs(server), null, taskArn).lastStatus());
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            IamClient iam = iam(again);
            assertEquals("kept-role", iam.getRole(r -> r.roleName("kept-role")).role().roleName());
            assertEquals(java.util.List.of("p"), iam.listRolePolicies(r -> r.roleName("kept-role")).policyNames());
            StsClient asUser = StsClient.builder().endpointOverride(URI.create(again.endpoint())).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(),
                            key.secretAccessKey())))
                    .httpClient(UrlConnectionHttpClient.create()).build();
            assertEquals("arn:aws:iam::111122223333:user/kept-user", asUser.getCallerIdentity().arn());
            assertEquals(1, ecs(again).describeTaskDefinition(r -> r.taskDefinition("sleeper")).taskDefinition().revision());
            Task task = describe(again, taskArn);
            assertEquals("STOPPED", task.lastStatus());
            assertEquals("TerminationNotice", task.stopCodeAsString());
            assertEquals("crossrole stopped", task.stoppedReason());
            // Revisions continue where they were.
            assertEquals(2, ecs(again).registerTaskDefinition(r -> r.family("sleeper").containerDefinitions(
                    ContainerDefinition.builder().name("app").image("local").memory(64).build())).taskDefinition().revision());
        }
    }

    @Test
    void afterACrashRunningTasksAreReportedStoppedAndTheirProcessesKilled() throws Exception {
        Path data = dir.resolve("crashed");
        try (CrossroleServer first = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0))) {
            String taskArn = runSleeper(first);
            long pid = Long.parseLong(EcsSdk.awaitRunning(ecs(first), null, taskArn).containers().get(0).runtimeId());
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            Thread.sleep(300);   // the state write is coalesced on a background thread
            // A crash leaves the data directory as it is while the task runs: start a second crossrole on a copy.
            Path copy = dir.resolve("copy");
            try (Stream<Path> files = Files.walk(data)) {
                for (Path p : files.toList()) {
                    Path target = copy.resolve(data.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            try (CrossroleServer second = CrossroleServer.start(CrossroleServer.Options.defaults(copy).withPort(0))) {
                Task task = describe(second, taskArn);
                assertEquals("STOPPED", task.lastStatus());
                assertEquals("TerminationNotice", task.stopCodeAsString());
                assertEquals("Task stopped because crossrole stopped while the task was running", task.stoppedReason());
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                        "the orphaned process is killed");
            }
        }
    }
}
