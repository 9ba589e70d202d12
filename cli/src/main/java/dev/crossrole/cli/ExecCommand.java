package dev.crossrole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code crossrole exec}: runs a command inside a running task's container — its sandbox, environment
 * (credentials endpoint and token, metadata, region, endpoint) and working directory — the local counterpart of
 * ECS Exec. crossrole runs the command (stopping the task ends it); this command relays its input, output and
 * exit status over the admin API's exec WebSocket ({@link ExecSocket}).
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run a command in a running task's container (the local ECS Exec).",
                "Exit status: the command's, or 2 when the task cannot be reached."})
final class ExecCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    TaskTarget target;

    @Option(names = {"-i", "--interactive"}, description = "attach standard input (use -it for a shell)")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "run the command on a terminal (TERM and size taken from this one)")
    boolean tty;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "the command and its arguments (after --)")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        JsonNode taskNode = target.describe(err);
        if (taskNode == null) {
            return ExitCodes.UNUSABLE;
        }
        String id = target.taskId();
        if (!"RUNNING".equals(taskNode.path("lastStatus").asText())) {
            err.println("crossrole: task " + id + " is " + taskNode.path("lastStatus").asText() + ", not RUNNING");
            return ExitCodes.UNUSABLE;
        }
        String container = target.container;
        if (container != null) {
            boolean known = false;
            for (JsonNode c : taskNode.path("containers")) {
                known |= container.equals(c.path("name").asText());
            }
            if (!known) {
                err.println("crossrole: task " + id + " has no container named " + container);
                return ExitCodes.UNUSABLE;
            }
        }
        spec.commandLine().getOut().flush();
        return new ExecSocket(target.admin, id, container, command, interactive, tty, err).run();
    }
}
