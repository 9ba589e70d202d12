package dev.crossrole.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code crossrole} command. */
@Command(name = "crossrole", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A local, multi-account AWS with a real IAM policy engine.")
public final class Main implements Runnable {
    /**
     * The subcommands, by name, in the order usage lists them. picocli builds a command's model by reflection when it
     * is added, some 20 ms a command in a fresh JVM: a command line naming one gets only that one; usage, help and
     * anything else (an unknown name gets suggestions) get all of them.
     */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> all = new LinkedHashMap<>();
        all.put("serve", ServeCommand::new);
        all.put("why", WhyCommand::new);
        all.put("exec", ExecCommand::new);
        all.put("logs", LogsCommand::new);
        all.put("clock", ClockCommand::new);
        all.put("accounts", AccountsCommand::new);
        all.put("policy", PolicyCommand::new);
        all.put("oidc", OidcCommand::new);
        all.put("saml", SamlCommand::new);
        all.put("warm-up", WarmUpCommand::new);
        all.put("state", StateCommand::new);
        all.put("help", CommandLine.HelpCommand::new);
        return java.util.Collections.unmodifiableMap(all);
    }

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
        Supplier<Object> named = args.length > 0 && !args[0].equals("help") ? SUBCOMMANDS.get(args[0]) : null;
        if (named != null) {
            commandLine.addSubcommand(named.get());
        } else {
            SUBCOMMANDS.values().forEach(subcommand -> commandLine.addSubcommand(subcommand.get()));
        }
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
