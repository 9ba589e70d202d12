package dev.crossrole.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code crossrole} command. */
@Command(name = "crossrole", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A local, multi-account AWS with a real IAM policy engine.",
        subcommands = {ServeCommand.class, WhyCommand.class, ExecCommand.class, LogsCommand.class, PolicyCommand.class,
                WarmUpCommand.class, StateCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(out);
        commandLine.setErr(err);
        // Usage errors (unknown options, missing parameters) are "unusable input": exit 2.
        commandLine.setParameterExceptionHandler((ex, a) -> {
            err.println("crossrole: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Run 'crossrole " + ex.getCommandLine().getCommandSpec().qualifiedName().replaceFirst("^crossrole ?", "")
                    + " --help' for usage.");
            return ExitCodes.UNUSABLE;
        });
        commandLine.setExecutionExceptionHandler((ex, cl, parseResult) -> {
            err.println("crossrole: " + ex.getMessage());
            return ExitCodes.UNUSABLE;
        });
        return commandLine.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"crossrole " + (version == null ? "development build" : version)};
        }
    }
}
