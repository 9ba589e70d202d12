package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.function.Predicate;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Task;

/** The ECS client of the AWS SDK for Java v2 against crossrole, and waiting for tasks. */
final class EcsSdk {
    private EcsSdk() {}

    /** An ECS client in us-east-1 signing with {@code credentials}; no retries (a failing test fails fast). */
    static EcsClient ecs(TestCrossrole crossrole, AwsCredentialsProvider credentials) {
        return EcsClient.builder()
                .endpointOverride(URI.create(crossrole.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    /** DescribeTasks until the task satisfies {@code condition}; fails after {@code timeout}. */
    static Task await(EcsClient ecs, String cluster, String taskArn, Duration timeout, String what,
                      Predicate<Task> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Task task = describe(ecs, cluster, taskArn);
        while (!condition.test(task) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            task = describe(ecs, cluster, taskArn);
        }
        assertTrue(condition.test(task), "waited " + timeout.toSeconds() + " s for " + what + ": " + task);
        return task;
    }

    /** RunTask of the family's latest revision in the default cluster, then DescribeTasks until it is RUNNING. */
    static Task runRunning(EcsClient ecs, String family) throws InterruptedException {
        String arn = ecs.runTask(r -> r.taskDefinition(family)).tasks().get(0).taskArn();
        return awaitRunning(ecs, null, arn);
    }

    static Task awaitRunning(EcsClient ecs, String cluster, String taskArn) throws InterruptedException {
        return await(ecs, cluster, taskArn, Duration.ofSeconds(30), "the task to run", t -> "RUNNING".equals(t.lastStatus()));
    }

    static Task awaitStopped(EcsClient ecs, String cluster, String taskArn) throws InterruptedException {
        return await(ecs, cluster, taskArn, Duration.ofSeconds(60), "the task to stop", t -> "STOPPED".equals(t.lastStatus()));
    }

    static Task describe(EcsClient ecs, String cluster, String taskArn) {
        var described = ecs.describeTasks(r -> r.cluster(cluster).tasks(taskArn));
        assertTrue(described.tasks().size() == 1, "DescribeTasks found " + taskArn + ": " + described);
        return described.tasks().get(0);
    }

    /** The task id: the last part of its ARN. */
    static String id(String taskArn) {
        return taskArn.substring(taskArn.lastIndexOf('/') + 1);
    }
}
