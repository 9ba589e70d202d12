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
        all.put("requests", RequestsCommand::new);
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
        return run(args, out, err, System.getenv());
    }

    /** Runs the command line with the given streams and environment (for {@code serve}'s options). */
    static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> environment) {
        CommandLine commandLine = new CommandLine(new Main());
        Supplier<Object> named = args.length > 0 && !args[0].equals("help") ? SUBCOMMANDS.get(args[0]) : null;
        if (named != null) {
            commandLine.addSubcommand(named.get());
        } else {
            SUBCOMMANDS.values().forEach(subcommand -> commandLine.addSubcommand(subcommand.get()));
        }
        sameVersion(commandLine);
        CommandLine serve = commandLine.getSubcommands().get("serve");
        if (serve != null) {
            serve.setDefaultValueProvider(new EnvironmentDefaults(environment));
        }
        commandLine.setOut(out);
        commandLine.setErr(err);
        // Usage errors (unknown options, missing parameters) are "unusable input": exit 2.
        commandLine.setParameterExceptionHandler((ex, a) -> {
            err.println("crossrole: " + parameterMessage(ex, args));
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Run 'crossrole " + ex.getCommandLine().getCommandSpec().qualifiedName().replaceFirst("^crossrole ?", "")
                    + " --help' for usage.");
            return ExitCodes.UNUSABLE;
        });
        commandLine.setExecutionExceptionHandler(unexpected(err));
        return commandLine.execute(args);
    }

    /**
     * Anything a command throws was not answered by the command itself (commands answer bad input themselves):
     * said as what it was, with its causes, never as a usage error (2). A failed read or write (a full disk, a
     * folder crossrole may not write) exits 74; anything else is crossrole's own failure, a bug, and exits 70.
     */
    static CommandLine.IExecutionExceptionHandler unexpected(PrintWriter err) {
        return (ex, commandLine, parseResult) -> {
            boolean inputOutput = ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException;
            err.println("crossrole: " + (inputOutput ? "reading or writing failed: " : "internal error: ") + describe(ex));
            for (Throwable cause = ex.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
                err.println("crossrole:   caused by " + describe(cause));
            }
            if (Boolean.getBoolean(STACK_TRACES)) {
                ex.printStackTrace(err);
            } else if (!inputOutput) {
                err.println("crossrole: this is a bug in crossrole; CROSSROLE_JAVA_OPTS=-D" + STACK_TRACES
                        + "=true prints its stack trace.");
            }
            err.flush();
            return inputOutput ? ExitCodes.INPUT_OUTPUT : ExitCodes.SOFTWARE;
        };
    }

    /** The system property that has unexpected exceptions' stack traces printed. */
    static final String STACK_TRACES = "crossrole.stackTraces";

    /** Every subcommand's --version (from mixinStandardHelpOptions) prints what crossrole --version does. */
    private static void sameVersion(CommandLine commandLine) {
        commandLine.getSubcommands().values().forEach(subcommand -> {
            subcommand.getCommandSpec().versionProvider(new Version());
            sameVersion(subcommand);
        });
    }

    /** An exception's class and, when it has one, its message. */
    static String describe(Throwable exception) {
        String message = exception.getMessage();
        return exception.getClass().getName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    /**
     * picocli's message, naming the environment variable when the refused value came from one: the option has one
     * and the command line does not name the option. (picocli's message names the option either way, and applies
     * defaults before it has parsed the command line, so its parse result cannot tell.)
     */
    private static String parameterMessage(CommandLine.ParameterException ex, String[] args) {
        String message = ex.getMessage();
        CommandLine.Model.ArgSpec argument = ex.getArgSpec();
        CommandLine.Model.CommandSpec command = ex.getCommandLine().getCommandSpec();
        if (argument instanceof CommandLine.Model.OptionSpec option
                && command.defaultValueProvider() instanceof EnvironmentDefaults defaults
                && defaults.defaultValue(option) != null
                && java.util.Arrays.stream(args).noneMatch(arg -> java.util.Arrays.stream(option.names())
                        .anyMatch(name -> arg.equals(name) || arg.startsWith(name + "=")))) {
            return EnvironmentDefaults.variable(option) + ": " + message;
        }
        return message == null ? describe(ex) : message;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"crossrole " + dev.crossrole.server.BuildInfo.current().describe()};
        }
    }
}
