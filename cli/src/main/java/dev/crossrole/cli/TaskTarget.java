package dev.crossrole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** The options that pick a task's container on a running crossrole; shared by {@code exec} and {@code logs}. */
final class TaskTarget {
    @picocli.CommandLine.Mixin
    AdminAccess admin;

    @Option(names = "--cluster", description = "the task's cluster (checked when given)")
    String cluster;

    @Option(names = "--task", required = true, description = "the task id or ARN")
    String task;

    @Option(names = "--container", description = "the container (default: the first)")
    String container;

    /** The task id, from an id or a task ARN. */
    String taskId() {
        return task.contains("/") ? task.substring(task.lastIndexOf('/') + 1) : task;
    }

    AdminClient client() {
        return admin.client();
    }

    /**
     * The task as crossrole describes it, checked against {@code --cluster}; {@code null} after
     * printing to {@code err} why it cannot be used (crossrole unreachable, unknown task, other cluster).
     */
    JsonNode describe(PrintWriter err) throws IOException {
        AdminClient.Response response;
        try {
            response = client().get("/_crossrole/tasks/" + taskId());
        } catch (IOException e) {
            unreachable(err, e);
            return null;
        }
        if (response.status() != 200) {
            admin.refused(err, response);
            return null;
        }
        JsonNode taskNode = response.json();
        String taskCluster = taskNode.path("cluster").asText();
        if (cluster != null && !cluster.equals(taskCluster) && !cluster.endsWith(":cluster/" + taskCluster)) {
            err.println("crossrole: task " + taskId() + " is not in cluster " + cluster);
            return null;
        }
        return taskNode;
    }

    void unreachable(PrintWriter err, IOException e) {
        admin.unreachable(err, e);
    }
}
