package dev.crossrole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code crossrole logs}: a task container's output (stdout and stderr), optionally followed. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print a task container's output; --follow keeps printing until the task stops."})
final class LogsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--endpoint", defaultValue = "${env:AWS_ENDPOINT_URL:-http://127.0.0.1:4566}",
            description = "crossrole's endpoint (default: $AWS_ENDPOINT_URL or http://127.0.0.1:4566)")
    String endpoint;

    @Option(names = "--cluster", description = "the task's cluster")
    String cluster;

    @Option(names = "--task", required = true, description = "the task id or ARN")
    String task;

    @Option(names = "--container", description = "the container (default: the first)")
    String container;

    @Option(names = {"-f", "--follow"}, description = "keep printing new output until the task stops")
    boolean follow;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String id = task.contains("/") ? task.substring(task.lastIndexOf('/') + 1) : task;
        AdminClient client = new AdminClient(endpoint);
        long offset = 0;
        while (true) {
            AdminClient.Response response;
            try {
                response = client.get("/_crossrole/tasks/" + id + "/logs?offset=" + offset
                        + (container == null ? "" : "&container=" + URLEncoder.encode(container, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                err.println("crossrole: cannot reach crossrole at " + endpoint + ": " + e.getMessage());
                return ExitCodes.UNUSABLE;
            }
            if (response.status() != 200) {
                err.println("crossrole: " + response.message());
                return ExitCodes.INVALID;
            }
            out.print(response.text());
            out.flush();
            String next = response.header("X-Crossrole-Next-Offset");
            offset = next == null ? offset : Long.parseLong(next);
            if (!follow || "STOPPED".equals(response.header("X-Crossrole-Task-Status"))) {
                return ExitCodes.OK;
            }
            Thread.sleep(300);
        }
    }
}
