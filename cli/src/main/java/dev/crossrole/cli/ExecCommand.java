package dev.crossrole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code crossrole exec}: runs a command inside a running task's container environment — its
 * variables (credentials endpoint and token, metadata, region, endpoint) and working directory —
 * the local counterpart of ECS Exec.
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run a command in a running task's container environment (the local ECS Exec).",
                "Exit status: the command's, or 2 when the task cannot be reached."})
final class ExecCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    TaskTarget target;

    @Option(names = {"-i", "--interactive"}, description = "attach standard input (use -it for a shell)")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "accepted for familiarity with docker exec; the terminal is passed through")
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
        String container = target.container;
        if (!"RUNNING".equals(taskNode.path("lastStatus").asText())) {
            err.println("crossrole: task " + id + " is " + taskNode.path("lastStatus").asText() + ", not RUNNING");
            return ExitCodes.UNUSABLE;
        }
        JsonNode chosen = null;
        for (JsonNode c : taskNode.path("containers")) {
            if (container == null || container.equals(c.path("name").asText())) {
                chosen = c;
                break;
            }
        }
        if (chosen == null) {
            err.println("crossrole: task " + id + " has no container named " + container);
            return ExitCodes.UNUSABLE;
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of(taskNode.path("workingDirectory").asText()).toFile());
        builder.environment().clear();
        chosen.path("environment").fields().forEachRemaining(e -> builder.environment().put(e.getKey(), e.getValue().asText()));
        builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.redirectInput(interactive ? ProcessBuilder.Redirect.INHERIT
                : ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        spec.commandLine().getOut().flush();
        try {
            return builder.start().waitFor();
        } catch (IOException e) {
            err.println("crossrole: cannot run " + command.get(0) + ": " + e.getMessage());
            return 127;
        }
    }
}
