package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.HealthCheck;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;

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

    private String logs(String taskArn, String container) throws Exception {
        return crossrole().adminGet("/_crossrole/tasks/" + EcsSdk.id(taskArn) + "/logs?container=" + container).body();
    }

    @Test
    void environmentFilesAreReadWithTheExecutionRoleAndTheBucketPolicyDecidesAcrossAccounts() throws Exception {
        String bucket = "team-config-" + Long.toHexString(System.nanoTime());
        String executionRole = "arn:aws:iam::" + SOURCE + ":role/env-files-execution";
        try (IamClient iam = IamSdk.iam(crossrole(), crossrole().adminCredentials(SOURCE));
             S3Client configBucket = S3Sdk.pathStyle(crossrole(), crossrole().adminCredentials(DESTINATION));
             EcsClient ecs = ecs()) {
            configBucket.createBucket(r -> r.bucket(bucket));
            configBucket.putObject(r -> r.bucket(bucket).key("app/first.env"), RequestBody.fromString(String.join("\n",
                    "# a comment line, skipped", "GREETING=hello=world", "SHARED=from-first", "DEFINED=from-file",
                    "EMPTY=", "=no-name", "no equals sign", "PATH=/files/bin:/usr/local/bin:/usr/bin:/bin", "")));
            configBucket.putObject(r -> r.bucket(bucket).key("app/second.env"),
                    RequestBody.fromString("SHARED=from-second\nONLY_SECOND=2\n"));
            iam.createRole(r -> r.roleName("env-files-execution").assumeRolePolicyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                            + "\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"));
            iam.putRolePolicy(r -> r.roleName("env-files-execution").policyName("read-config").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                            + "\"Resource\":\"arn:aws:s3:::" + bucket + "/*\"}]}"));
            ecs.registerTaskDefinition(r -> r.family("env-files").executionRoleArn(executionRole).containerDefinitions(
                    container("app", image(), "sh", "-c", "echo \"$GREETING|$SHARED|$ONLY_SECOND|$DEFINED|${EMPTY-unset}"
                            + "|$PATH\"").essential(true)
                            .environment(e -> e.name("DEFINED").value("from-definition"))
                            .environmentFiles(f -> f.type("s3").value("arn:aws:s3:::" + bucket + "/app/first.env"),
                                    f -> f.type("s3").value("arn:aws:s3:::" + bucket + "/app/second.env")).build()));

            // The bucket is another account's: the role's own policy is not enough without the bucket's.
            String denied = ecs.runTask(r -> r.taskDefinition("env-files")).tasks().get(0).taskArn();
            Task stopped = EcsSdk.awaitStopped(ecs, null, denied);
            assertEquals("TaskFailedToStart", stopped.stopCodeAsString(), stopped.toString());
            String prefix = "ResourceInitializationError: failed to download env files: unable to download env file with"
                    + " key app/first.env from bucket " + bucket + ", error: AccessDenied: ";
            assertTrue(stopped.stoppedReason().startsWith(prefix), stopped.stoppedReason());
            java.util.regex.Matcher requestId = java.util.regex.Pattern.compile("RequestID: (\\S+); crossrole why \\1"
                    + " explains it\\)$").matcher(stopped.stoppedReason());
            assertTrue(requestId.find(), stopped.stoppedReason());
            String why = crossrole().adminGet("/_crossrole/requests/" + requestId.group(1)).body();
            assertTrue(why.contains("assumed-role/env-files-execution/" + EcsSdk.id(denied)) && why.contains("s3:GetObject"),
                    "the denied request is the execution role's session's GetObject: " + why);
            assertEquals(stopped.stoppedReason(), named(stopped, "app").reason());
            assertEquals(null, named(stopped, "app").exitCode(), "app never ran");

            configBucket.putBucketPolicy(r -> r.bucket(bucket).policy("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                    + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + executionRole + "\"},\"Action\":\"s3:GetObject\","
                    + "\"Resource\":\"arn:aws:s3:::" + bucket + "/app/*\"}]}"));
            String arn = ecs.runTask(r -> r.taskDefinition("env-files")).tasks().get(0).taskArn();
            Task done = EcsSdk.awaitStopped(ecs, null, arn);
            assertEquals(0, named(done, "app").exitCode(), done.toString());
            // The definition's environment wins over the files, the first file over the second; a file may set a
            // variable the definition leaves to the image (PATH).
            assertEquals("hello=world|from-first|2|from-definition|unset|/files/bin:/usr/local/bin:/usr/bin:/bin\n", logs(arn, "app"));

            // A task's override replaces the files. A file that does not exist stops the task with S3's answer, which
            // is AccessDenied, not NoSuchKey, for a reader that may not list the bucket.
            String missing = ecs.runTask(r -> r.taskDefinition("env-files").overrides(o -> o.containerOverrides(c -> c
                    .name("app").environmentFiles(f -> f.type("s3").value("arn:aws:s3:::" + bucket + "/app/none.env")))))
                    .tasks().get(0).taskArn();
            Task failed = EcsSdk.awaitStopped(ecs, null, missing);
            assertTrue(failed.stoppedReason().startsWith("ResourceInitializationError: failed to download env files: "
                    + "unable to download env file with key app/none.env from bucket " + bucket + ", error: AccessDenied: "),
                    failed.stoppedReason());
        }
    }

    @Test
    void environmentFilesThatAreNotS3ObjectArnsAreRefused() {
        try (EcsClient ecs = ecs()) {
            for (String value : List.of("s3://bucket/app.env", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/",
                    "arn:aws:s3:::/app.env")) {
                ClientException refused = assertThrows(ClientException.class, () -> ecs.registerTaskDefinition(r -> r
                        .family("bad-env-files").containerDefinitions(container("app", image(), "true")
                                .environmentFiles(f -> f.type("s3").value(value)).build())));
                assertEquals(400, refused.statusCode());
                assertEquals("Invalid arn syntax.", refused.awsErrorDetails().errorMessage(), value);
            }
            ClientException tooMany = assertThrows(ClientException.class, () -> ecs.registerTaskDefinition(r -> r
                    .family("bad-env-files").containerDefinitions(container("app", image(), "true")
                            .environmentFiles(java.util.stream.IntStream.range(0, 11).mapToObj(i -> software.amazon
                                    .awssdk.services.ecs.model.EnvironmentFile.builder().type("s3")
                                    .value("arn:aws:s3:::bucket/" + i + ".env").build()).toList()).build())));
            assertEquals("Container app has 11 environmentFiles; at most 10 are allowed.",
                    tooMany.awsErrorDetails().errorMessage());
            assertThrows(Exception.class, () -> ecs.describeTaskDefinition(r -> r.taskDefinition("bad-env-files")),
                    "nothing was registered");
            ecs.registerTaskDefinition(r -> r.family("env-files-override").containerDefinitions(
                    container("app", image(), "true").build()));
            ClientException badOverride = assertThrows(ClientException.class, () -> ecs.runTask(r -> r
                    .taskDefinition("env-files-override").overrides(o -> o.containerOverrides(c -> c.name("app")
                            .environmentFiles(f -> f.type("s3").value("not-an-arn"))))));
            assertEquals("Invalid arn syntax.", badOverride.awsErrorDetails().errorMessage());
            assertEquals(List.of(), ecs.listTasks(r -> r.family("env-files-override").desiredStatus("STOPPED"))
                    .taskArns(), "nothing was run");
        }
    }

    private void awaitLogStart(String taskArn, String container, String line) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!logs(taskArn, container).startsWith(line)) {
            assertTrue(System.nanoTime() < deadline, container + " never wrote " + line);
            Thread.sleep(50);
        }
    }

    @Test
    void runTaskAnswersAtOnceAndAStoppedTaskIsStoppingUntilItsContainersHaveExited() throws Exception {
        try (EcsClient ecs = ecs()) {
            ecs.registerTaskDefinition(r -> r.family("lifecycle").containerDefinitions(
                    container("slow", image(), "sh", "-c", "trap 'sleep 2; exit 0' TERM; echo up; while true; do sleep 1;"
                            + " done").stopTimeout(20).build(),
                    container("deaf", image(), "sh", "-c", "trap '' TERM; echo up; while true; do sleep 1; done")
                            .stopTimeout(2).build()));
            Task answered = ecs.runTask(r -> r.taskDefinition("lifecycle")).tasks().get(0);
            assertEquals("PROVISIONING", answered.lastStatus(), "RunTask does not wait for the containers: " + answered);
            assertEquals("RUNNING", answered.desiredStatus());
            String arn = answered.taskArn();
            EcsSdk.awaitRunning(ecs, null, arn);
            awaitLogStart(arn, "slow", "up");
            awaitLogStart(arn, "deaf", "up");
            Task asked = ecs.stopTask(r -> r.task(arn)).task();
            assertEquals("STOPPED", asked.desiredStatus());
            assertEquals("STOPPING", asked.lastStatus(), asked.toString());
            Task stopping = EcsSdk.describe(ecs, null, arn);
            assertEquals("STOPPING", stopping.lastStatus(), "the containers take their time: " + stopping);
            Task stopped = EcsSdk.awaitStopped(ecs, null, arn);
            assertEquals(0, named(stopped, "slow").exitCode(), "its trap ran: " + stopped);
            assertEquals(137, named(stopped, "deaf").exitCode(), "killed after its stopTimeout: " + stopped);
            assertTrue(Duration.between(stopped.stoppingAt(), stopped.stoppedAt()).toMillis() >= 1500,
                    "STOPPED only once both exited: " + stopped);
            assertEquals("UserInitiated", stopped.stopCodeAsString());
        }
    }

    @Test
    void eachContainerReadsItsOwnMetadataTheTasksAndTheTaskRolesCredentials() throws Exception {
        String role = "arn:aws:iam::" + SOURCE + ":role/contract-task-role";
        try (IamClient iam = IamSdk.iam(crossrole(), crossrole().adminCredentials(SOURCE)); EcsClient ecs = ecs()) {
            iam.createRole(r -> r.roleName("contract-task-role").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},"
                    + "\"Action\":\"sts:AssumeRole\"}]}"));
            // Each waits until the task's metadata says "early" has exited, then prints what it reads.
            String print = "until wget -qO- \"$ECS_CONTAINER_METADATA_URI_V4/task\" | grep -q '\"ExitCode\":4'; do sleep 0.2;"
                    + " done; wget -qO- \"$ECS_CONTAINER_METADATA_URI_V4\"; echo; wget -qO- \"$ECS_CONTAINER_METADATA_URI_V4/task\";"
                    + " echo; wget -qO- --header \"Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN\""
                    + " \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\"; echo; echo done; exec sleep 300";
            ecs.registerTaskDefinition(r -> r.family("metadata").taskRoleArn(role).containerDefinitions(
                    container("first", image(), "sh", "-c", print).build(),
                    container("second", image(), "sh", "-c", print).memory(96).build(),
                    container("early", image(), "sh", "-c", "exit 4").essential(false).build()));
            String arn = EcsSdk.runRunning(ecs, "metadata").taskArn();
            for (String name : List.of("first", "second")) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!logs(arn, name).contains("done")) {
                    assertTrue(System.nanoTime() < deadline, name + " printed no metadata: " + logs(arn, name));
                    Thread.sleep(50);
                }
            }
            Task described = EcsSdk.describe(ecs, null, arn);
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            for (Container container : described.containers()) {
                if (container.name().equals("early")) {
                    continue;
                }
                List<String> lines = logs(arn, container.name()).lines().toList();
                var own = json.readTree(lines.get(0));
                assertEquals(container.name(), own.path("Name").asText(), own.toString());
                assertEquals(container.runtimeId(), own.path("DockerId").asText(), own.toString());
                assertEquals(container.name().equals("first") ? 64 : 96, own.path("Limits").path("Memory").asInt());
                assertEquals("bridge", own.path("Networks").path(0).path("NetworkMode").asText(), own.toString());
                assertEquals("127.0.0.1", own.path("Networks").path(0).path("IPv4Addresses").path(0).asText());
                assertTrue(own.has("StartedAt") && !own.has("FinishedAt"), own.toString());
                var task = json.readTree(lines.get(1));
                assertEquals(arn, task.path("TaskARN").asText(), task.toString());
                assertEquals(List.of("first", "second", "early"), task.path("Containers").findValuesAsText("Name"));
                var early = task.path("Containers").path(2);
                assertEquals("STOPPED", early.path("KnownStatus").asText(), early.toString());
                assertEquals(4, early.path("ExitCode").asInt(), early.toString());
                assertTrue(java.time.Instant.parse(early.path("FinishedAt").asText())
                        .isAfter(java.time.Instant.parse(early.path("StartedAt").asText()).minusMillis(1)), early.toString());
                var credentials = json.readTree(lines.get(2));
                assertEquals(role, credentials.path("RoleArn").asText(), credentials.toString());
                assertTrue(credentials.path("AccessKeyId").asText().startsWith("ASIA"), credentials.toString());
            }
            ecs.stopTask(r -> r.task(arn));
            EcsSdk.awaitStopped(ecs, null, arn);
        }
    }

    @Test
    void anEssentialContainerExitingStopsTheTaskAndANonessentialOneDoesNot() throws Exception {
        try (EcsClient ecs = ecs()) {
            ecs.registerTaskDefinition(r -> r.family("essential-exit").containerDefinitions(
                    container("worker", image(), "sh", "-c", "exit 5").essential(false).build(),
                    container("app", image(), "sh", "-c", "sleep 3; exit 3").build()));
            String arn = ecs.runTask(r -> r.taskDefinition("essential-exit")).tasks().get(0).taskArn();
            Task afterWorker = follow(ecs, arn, t -> "STOPPED".equals(named(t, "worker").lastStatus()), t -> { });
            assertEquals(5, named(afterWorker, "worker").exitCode());
            if (!"STOPPED".equals(named(afterWorker, "app").lastStatus())) {
                assertEquals("RUNNING", afterWorker.lastStatus(), "a nonessential exit leaves the task: " + afterWorker);
            }
            Task stopped = EcsSdk.awaitStopped(ecs, null, arn);
            assertEquals("EssentialContainerExited", stopped.stopCodeAsString(), stopped.toString());
            assertEquals("Essential container in task exited", stopped.stoppedReason());
            assertEquals(3, named(stopped, "app").exitCode());
        }
    }

    @Test
    void aLinkedContainerIsReachedByItsAliasAndStartsFirst() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        try (EcsClient ecs = ecs()) {
            ecs.registerTaskDefinition(r -> r.family("linked").containerDefinitions(
                    container("app", image(), "sh", "-c", "grep -w database /etc/hosts; for i in $(seq 1 100); do"
                            + " if busybox wget -qO- http://database:" + port + "/; then exit 0; fi; sleep 0.2; done;"
                            + " exit 1").essential(false).links("db:database").build(),
                    container("db", image(), "sh", "-c", "mkdir -p /tmp/www && echo from-db > /tmp/www/index.html &&"
                            + " exec busybox httpd -f -p 127.0.0.1:" + port + " -h /tmp/www").build()));
            String arn = ecs.runTask(r -> r.taskDefinition("linked")).tasks().get(0).taskArn();
            Task done = follow(ecs, arn, t -> "STOPPED".equals(named(t, "app").lastStatus()), t -> {
                if ("PENDING".equals(named(t, "db").lastStatus())) {
                    assertEquals("PENDING", named(t, "app").lastStatus(), "a linked container starts first: " + t);
                }
            });
            assertEquals(0, named(done, "app").exitCode(), logs(arn, "app"));
            String output = logs(arn, "app");
            assertTrue(output.matches("(?s)127\\.0\\.0\\.1\\s+database\\n.*from-db\\n"), output);
            ecs.stopTask(r -> r.task(arn));
            EcsSdk.awaitStopped(ecs, null, arn);
        }
    }

    @Test
    void linksThatCannotWorkAreRefusedAtRegistration() {
        try (EcsClient ecs = ecs()) {
            Object[][] cases = {
                    {"bridge", List.of(container("app", image(), "true").links("db").build()),
                            "Container 'app' links to container 'db', which is not in the task definition."},
                    {"bridge", List.of(container("app", image(), "true").links("app:self").build()),
                            "Container 'app' cannot link to itself."},
                    {"bridge", List.of(container("db", image(), "true").build(),
                            container("app", image(), "true").links("db:data.base").build()),
                            "Container 'app' has an invalid link 'db:data.base': a link is name or name:alias, each up to"
                                    + " 255 letters, numbers, underscores and hyphens."},
                    {"awsvpc", List.of(container("db", image(), "true").build(),
                            container("app", image(), "true").links("db").build()),
                            "Links are not supported when networkMode=awsvpc."},
                    {"host", List.of(container("db", image(), "true").build(),
                            container("app", image(), "true").links("db").build()),
                            "Links are not supported when networkMode=host."},
                    {"bridge", List.of(container("db", image(), "true").links("app").build(),
                            container("app", image(), "true").links("db").build()),
                            "Container dependencies form a cycle: db -> app -> db."}};
            for (Object[] bad : cases) {
                @SuppressWarnings("unchecked")
                List<ContainerDefinition> definitions = (List<ContainerDefinition>) bad[1];
                ClientException refused = assertThrows(ClientException.class, () -> ecs.registerTaskDefinition(r -> r
                        .family("bad-links").networkMode((String) bad[0]).containerDefinitions(definitions)));
                assertEquals(400, refused.statusCode());
                assertEquals(bad[2], refused.awsErrorDetails().errorMessage());
            }
            assertThrows(Exception.class, () -> ecs.describeTaskDefinition(r -> r.taskDefinition("bad-links")),
                    "nothing was registered");
        }
    }

    @Test
    void secretsBecomeVariablesReadWithTheExecutionRoleAndAreNeverShown() throws Exception {
        String role = "arn:aws:iam::" + SOURCE + ":role/secrets-execution";
        String name = "contract/db-" + Long.toHexString(System.nanoTime());
        try (IamClient iam = IamSdk.iam(crossrole(), crossrole().adminCredentials(SOURCE));
             var secrets = SecretsManagerSdkTest.client(crossrole(), crossrole().adminCredentials(SOURCE));
             EcsClient ecs = ecs()) {
            String arn = secrets.createSecret(r -> r.name(name).secretString("{\"user\":\"app\",\"password\":\"p@ss\"}"))
                    .arn();
            iam.createRole(r -> r.roleName("secrets-execution").assumeRolePolicyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                            + "\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"));
            ecs.registerTaskDefinition(r -> r.family("with-secrets").executionRoleArn(role).containerDefinitions(
                    container("app", image(), "sh", "-c", "echo \"$DB_PASSWORD|$DB_JSON\"").secrets(
                            s -> s.name("DB_PASSWORD").valueFrom(arn + ":password::"),
                            s -> s.name("DB_JSON").valueFrom(arn)).build()));

            // The execution role may not read the secret yet: the task stops before its container starts.
            String denied = ecs.runTask(r -> r.taskDefinition("with-secrets")).tasks().get(0).taskArn();
            Task stopped = EcsSdk.awaitStopped(ecs, null, denied);
            assertEquals("TaskFailedToStart", stopped.stopCodeAsString(), stopped.toString());
            assertTrue(stopped.stoppedReason().startsWith("ResourceInitializationError: unable to pull secrets or"
                    + " registry auth: execution resource retrieval failed: unable to retrieve secret from asm:"
                    + " AccessDeniedException: User: arn:aws:sts::" + SOURCE + ":assumed-role/secrets-execution/"
                    + EcsSdk.id(denied) + " is not authorized to perform: secretsmanager:GetSecretValue"),
                    stopped.stoppedReason());
            assertEquals(null, named(stopped, "app").exitCode(), "app never ran");

            iam.putRolePolicy(r -> r.roleName("secrets-execution").policyName("read").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                            + "\"secretsmanager:GetSecretValue\",\"Resource\":\"" + arn + "\"}]}"));
            String arnOfTask = ecs.runTask(r -> r.taskDefinition("with-secrets")).tasks().get(0).taskArn();
            Task done = EcsSdk.awaitStopped(ecs, null, arnOfTask);
            assertEquals(0, named(done, "app").exitCode(), done.toString());
            assertEquals("p@ss|{\"user\":\"app\",\"password\":\"p@ss\"}\n", logs(arnOfTask, "app"));
            String shown = crossrole().adminGet("/_crossrole/tasks/" + EcsSdk.id(arnOfTask)).body();
            assertTrue(shown.contains("\"DB_PASSWORD\":\"<redacted>\"") && !shown.contains("p@ss"), shown);

            // From Parameter Store: a SecureString under the account's aws/ssm key, read with ssm:GetParameters.
            try (var ssm = SsmParameterSdkTest.client(crossrole(), crossrole().adminCredentials(SOURCE))) {
                ssm.putParameter(p -> p.name("/" + name + "/token").value("t0k3n").type("SecureString"));
            }
            ecs.registerTaskDefinition(r -> r.family("with-parameter").executionRoleArn(role).containerDefinitions(
                    container("app", image(), "sh", "-c", "echo \"$TOKEN\"").secrets(
                            s -> s.name("TOKEN").valueFrom("/" + name + "/token")).build()));
            Task noParameterPermission = EcsSdk.awaitStopped(ecs, null, ecs.runTask(r -> r.taskDefinition(
                    "with-parameter")).tasks().get(0).taskArn());
            assertTrue(noParameterPermission.stoppedReason().startsWith("ResourceInitializationError: unable to pull"
                    + " secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from"
                    + " ssm: AccessDeniedException: "), noParameterPermission.stoppedReason());
            iam.putRolePolicy(r -> r.roleName("secrets-execution").policyName("parameters").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                            + "\"ssm:GetParameters\",\"Resource\":\"*\"}]}"));
            String withParameter = ecs.runTask(r -> r.taskDefinition("with-parameter")).tasks().get(0).taskArn();
            assertEquals(0, named(EcsSdk.awaitStopped(ecs, null, withParameter), "app").exitCode());
            assertEquals("t0k3n\n", logs(withParameter, "app"));

            ecs.registerTaskDefinition(r -> r.family("missing-key").executionRoleArn(role).containerDefinitions(
                    container("app", image(), "true").secrets(s -> s.name("X").valueFrom(arn + ":nope::")).build()));
            Task noKey = EcsSdk.awaitStopped(ecs, null, ecs.runTask(r -> r.taskDefinition("missing-key")).tasks().get(0)
                    .taskArn());
            assertEquals("ResourceInitializationError: unable to pull secrets or registry auth: execution resource"
                    + " retrieval failed: unable to retrieve secret from asm: retrieved secret from Secrets Manager did not"
                    + " contain json key nope", noKey.stoppedReason());
        }
    }

    @Test
    void secretsNeedAnExecutionRoleAndAValueFromThatNamesASecretOrParameter() {
        try (EcsClient ecs = ecs()) {
            ClientException noRole = assertThrows(ClientException.class, () -> ecs.registerTaskDefinition(r -> r
                    .family("secrets-no-role").containerDefinitions(container("app", image(), "true")
                            .secrets(s -> s.name("X").valueFrom("arn:aws:secretsmanager:us-east-1:" + SOURCE
                                    + ":secret:x-AbCdEf")).build())));
            assertEquals("When you are specifying container secrets, you must also specify a value for"
                    + " 'executionRoleArn'.", noRole.awsErrorDetails().errorMessage());
            ecs.registerTaskDefinition(r -> r.family("secrets-s3").executionRoleArn("arn:aws:iam::" + SOURCE
                    + ":role/any").containerDefinitions(container("app", image(), "true")
                    .secrets(s -> s.name("X").valueFrom("arn:aws:s3:::bucket/key")).build()));
            ClientException s3 = assertThrows(ClientException.class, () -> ecs.runTask(r -> r.taskDefinition(
                    "secrets-s3")));
            assertEquals("Container app takes secret X from arn:aws:s3:::bucket/key, which is neither a Secrets Manager"
                    + " secret's ARN nor a Parameter Store parameter's name or ARN.", s3.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void awslogsSendsOutputToCloudWatchLogsWithTheExecutionRole() throws Exception {
        String role = "arn:aws:iam::" + SOURCE + ":role/logs-execution";
        try (IamClient iam = IamSdk.iam(crossrole(), crossrole().adminCredentials(SOURCE));
             var logs = LogsSdkTest.client(crossrole().endpoint(), crossrole().adminCredentials(SOURCE));
             EcsClient ecs = ecs()) {
            iam.createRole(r -> r.roleName("logs-execution").assumeRolePolicyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                            + "\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"));
            ecs.registerTaskDefinition(r -> r.family("with-awslogs").executionRoleArn(role).containerDefinitions(
                    container("app", image(), "sh", "-c", "echo first; echo second; sleep 1; printf third")
                            .logConfiguration(l -> l.logDriver("awslogs").options(java.util.Map.of(
                                    "awslogs-group", "/ecs/contract", "awslogs-region", "us-east-1",
                                    "awslogs-stream-prefix", "web", "awslogs-create-group", "true"))).build()));

            // The execution role may not write logs yet: the task stops before its container starts.
            String denied = ecs.runTask(r -> r.taskDefinition("with-awslogs")).tasks().get(0).taskArn();
            Task stopped = EcsSdk.awaitStopped(ecs, null, denied);
            assertEquals("TaskFailedToStart", stopped.stopCodeAsString(), stopped.toString());
            assertTrue(stopped.stoppedReason().startsWith("ResourceInitializationError: failed to validate logger args:"
                    + " failed to create Cloudwatch log group: AccessDeniedException: User: arn:aws:sts::" + SOURCE
                    + ":assumed-role/logs-execution/" + EcsSdk.id(denied) + " is not authorized to perform:"
                    + " logs:CreateLogGroup"), stopped.stoppedReason());
            assertEquals(null, named(stopped, "app").exitCode(), "app never ran");

            iam.putRolePolicy(r -> r.roleName("logs-execution").policyName("logs").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
                            + "\"logs:CreateLogGroup\",\"logs:CreateLogStream\",\"logs:PutLogEvents\"],"
                            + "\"Resource\":\"arn:aws:logs:us-east-1:" + SOURCE + ":log-group:/ecs/contract:*\"}]}"));
            String arnOfTask = ecs.runTask(r -> r.taskDefinition("with-awslogs")).tasks().get(0).taskArn();
            Task done = EcsSdk.awaitStopped(ecs, null, arnOfTask);
            assertEquals(0, named(done, "app").exitCode(), done.toString());
            String stream = "web/app/" + EcsSdk.id(arnOfTask);
            List<String> messages = List.of();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (messages.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                messages = logs.getLogEvents(r -> r.logGroupName("/ecs/contract").logStreamName(stream)
                        .startFromHead(true)).events().stream().map(e -> e.message()).toList();
            }
            assertEquals(List.of("first", "second", "third"), messages);
            assertEquals("first\nsecond\nthird", logs(arnOfTask, "app"), "crossrole logs still shows the output");

            // Without a stream prefix, the stream is named after the container's runtime id, as Docker names it.
            ecs.registerTaskDefinition(r -> r.family("awslogs-no-prefix").executionRoleArn(role).containerDefinitions(
                    container("app", image(), "sh", "-c", "echo unprefixed").logConfiguration(l -> l
                            .logDriver("awslogs").options(java.util.Map.of("awslogs-group", "/ecs/contract"))).build()));
            Task unprefixed = EcsSdk.awaitStopped(ecs, null, ecs.runTask(r -> r.taskDefinition("awslogs-no-prefix"))
                    .tasks().get(0).taskArn());
            String runtimeId = named(unprefixed, "app").runtimeId();
            List<String> unprefixedMessages = List.of();
            deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (unprefixedMessages.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
                unprefixedMessages = logs.getLogEvents(r -> r.logGroupName("/ecs/contract").logStreamName(runtimeId))
                        .events().stream().map(e -> e.message()).toList();
            }
            assertEquals(List.of("unprefixed"), unprefixedMessages);

            ecs.registerTaskDefinition(r -> r.family("awslogs-no-group").executionRoleArn(role).containerDefinitions(
                    container("app", image(), "true").logConfiguration(l -> l.logDriver("awslogs")
                            .options(java.util.Map.of("awslogs-stream-prefix", "web"))).build()));
            Task noGroup = EcsSdk.awaitStopped(ecs, null, ecs.runTask(r -> r.taskDefinition("awslogs-no-group"))
                    .tasks().get(0).taskArn());
            assertEquals("ResourceInitializationError: failed to validate logger args: must specify a value for log"
                    + " opt 'awslogs-group'", noGroup.stoppedReason());
        }
    }
}
