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

    @CommandLine.Mixin
    TaskTarget target;

    @Option(names = {"-f", "--follow"}, description = "keep printing new output until the task stops")
    boolean follow;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (target.cluster != null && target.describe(err) == null) {
            return ExitCodes.UNUSABLE;
        }
        String id = target.taskId();
        String container = target.container;
        AdminClient client = target.client();
        long offset = 0;
        while (true) {
            AdminClient.Response response;
            try {
                response = client.get("/_crossrole/tasks/" + id + "/logs?offset=" + offset
                        + (container == null ? "" : "&container=" + URLEncoder.encode(container, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                target.unreachable(err, e);
                return ExitCodes.UNUSABLE;
            }
            if (response.status() == 401 || response.status() == 403) {
                target.admin.refused(err, response);
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
