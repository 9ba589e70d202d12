package dev.crossrole.server.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.tasks.TaskRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running container may change what is in its task's folder (a link where a folder was), and crossrole acts
 * on that folder with its own privileges: so every container of a task is prepared before the first starts,
 * and the logs crossrole writes live beside the task's folder, not in it.
 */
class EcsTasksStartTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Records what the runtime was asked, in order. */
    private static final class RecordingRuntime implements TaskRuntime {
        final List<String> calls = new ArrayList<>();

        @Override
        public void prepare(ContainerLaunch launch) {
            calls.add("prepare " + launch.containerName());
        }

        @Override
        public RunningContainer start(ContainerLaunch launch) {
            calls.add("start " + launch.containerName());
            return new RunningContainer() {
                private final CompletableFuture<Integer> exit = new CompletableFuture<>();

                @Override
                public String runtimeId() {
                    return "1";
                }

                @Override
                public CompletableFuture<Integer> exit() {
                    return exit;
                }

                @Override
                public void stop(Duration grace) {
                    exit.complete(143);
                }

                @Override
                public ExecSession exec(ExecLaunch launch) throws java.io.IOException {
                    throw new java.io.IOException("not in this test");
                }
            };
        }

        @Override
        public String name() {
            return "recording";
        }
    }

    @Test
    void everyContainerIsPreparedBeforeAnyStartsAndLogsAreBesideTheTasksFolder(@TempDir Path data) throws Exception {
        RecordingRuntime runtime = new RecordingRuntime();
        Path tasksDir = data.resolve("tasks");
        EcsTasks tasks = new EcsTasks(runtime, null, null, Clock.systemUTC(), tasksDir, () -> "http://127.0.0.1:1", "node",
                new AgentCalls() {
                    @Override
                    public byte[] readObject(dev.crossrole.server.sts.TemporaryCredentials credentials, String region,
                                             String bucket, String key) throws CallFailure {
                        throw new CallFailure("no S3 here");
                    }

                    @Override
                    public String parameterValue(dev.crossrole.server.sts.TemporaryCredentials credentials,
                                                 String region, String name) throws CallFailure {
                        throw new CallFailure("no SSM here");
                    }

                    @Override
                    public String secretValue(dev.crossrole.server.sts.TemporaryCredentials credentials, String region,
                                              String secretId, String stage, String version) throws CallFailure {
                        throw new CallFailure("no Secrets Manager here");
                    }

                    @Override
                    public void createLogGroup(dev.crossrole.server.sts.TemporaryCredentials credentials, String region,
                                               String group) throws CallFailure {
                        throw new CallFailure("no CloudWatch Logs here");
                    }

                    @Override
                    public void createLogStream(dev.crossrole.server.sts.TemporaryCredentials credentials,
                                                String region, String group, String stream) throws CallFailure {
                        throw new CallFailure("no CloudWatch Logs here");
                    }

                    @Override
                    public void putLogEvents(dev.crossrole.server.sts.TemporaryCredentials credentials, String region,
                                             String group, String stream, List<LogLine> lines) throws CallFailure {
                        throw new CallFailure("no CloudWatch Logs here");
                    }
                });
        ObjectNode document = (ObjectNode) JSON.readTree("{\"containerDefinitions\":["
                + "{\"name\":\"a\",\"command\":[\"sleep\",\"1\"]},{\"name\":\"b\",\"command\":[\"sleep\",\"1\"]},"
                + "{\"name\":\"c\",\"command\":[\"sleep\",\"1\"]}]}");
        TaskDefinition definition = new TaskDefinition("111122223333", "us-east-1", "f", 1, document, true, Instant.EPOCH,
                null, Map.of());
        Cluster cluster = new Cluster("111122223333", "us-east-1", "default", true, Instant.EPOCH, Map.of());
        String id = "0123456789abcdef0123456789abcdef";
        List<EcsTask.Container> containers = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            containers.add(new EcsTask.Container(name, "arn:" + name, "local", true, 30, Map.of(),
                    EcsTasks.logFolder(tasksDir, id).resolve(name + ".log")));
        }
        EcsTask task = new EcsTask(id, "111122223333", "us-east-1", cluster, definition, null, "family:f", null, "EC2",
                false, Map.of(), JSON.createObjectNode(), tasksDir.resolve(id), null, "token", id + "-1", containers,
                Instant.EPOCH, "node");
        tasks.add(task);
        tasks.start(task);
        assertEquals(List.of("prepare a", "prepare b", "prepare c", "start a", "start b", "start c"), runtime.calls);
        for (String name : List.of("a", "b", "c")) {
            Path log = tasksDir.resolve(id + ".logs").resolve(name + ".log");
            assertTrue(Files.isRegularFile(log), log.toString());
            assertFalse(log.startsWith(tasksDir.resolve(id)), "the log is not in the task's folder");
        }
        tasks.close();
    }
}
