package dev.crossrole.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Options' values from the environment, as containers are configured: {@code --data-dir} from
 * {@code CROSSROLE_DATA_DIR}, every option's longest name in upper snake case after {@code CROSSROLE_}. picocli asks
 * for a default only for options the command line does not give, so the command line wins over the environment,
 * which wins over the options' own defaults. An empty variable counts as unset.
 */
final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {
    static final String PREFIX = "CROSSROLE_";
    private final Map<String, String> environment;

    EnvironmentDefaults(Map<String, String> environment) {
        this.environment = environment;
    }

    /** {@code --tls-port} → {@code CROSSROLE_TLS_PORT}. */
    static String variable(OptionSpec option) {
        return PREFIX + option.longestName().replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** The options taken from the environment: all but help and version. */
    static boolean configurable(OptionSpec option) {
        return !option.usageHelp() && !option.versionHelp();
    }

    @Override
    public String defaultValue(ArgSpec argument) {
        if (!(argument instanceof OptionSpec option) || !configurable(option)) {
            return null;
        }
        String value = environment.get(variable(option));
        return value == null || value.isEmpty() ? null : value;
    }

    /**
     * How an error names the option whose value it refuses: {@code --port}, or {@code CROSSROLE_PORT (--port)} when
     * the value came from the environment.
     */
    static String source(CommandLine.Model.CommandSpec command, String optionName) {
        OptionSpec option = command.findOption(optionName);
        CommandLine.ParseResult parsed = command.commandLine().getParseResult();
        if (option == null || parsed == null || parsed.hasMatchedOption(option)
                || !(command.defaultValueProvider() instanceof EnvironmentDefaults defaults)
                || defaults.defaultValue(option) == null) {
            return optionName;
        }
        return variable(option) + " (" + optionName + ")";
    }
}
