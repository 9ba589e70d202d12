package dev.crossrole.server.tasks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A container's environment split in two. The programs that make and enter a sandbox — {@code bwrap},
 * {@code nsenter} and {@code setpriv}, which run as root (or, without root, as crossrole's user outside the
 * sandbox) — must not act on what a task definition chose: glibc's dynamic loader honours {@code LD_PRELOAD} and
 * its kin in any program that is not setuid, root's included, so a task could otherwise run its own library as
 * root. They get the environment without such variables ({@link #launcher}); the command gets those back
 * ({@link #command}) from {@code env}, run after the privileges are dropped. The variables moved hold no secret
 * (loader, locale and shell settings), so passing them as {@code env}'s arguments shows nothing a task's
 * credentials depend on.
 *
 * @param launcher what the launching programs see
 * @param command the variables only the command may see
 */
record LaunchEnvironment(Map<String, String> launcher, Map<String, String> command) {
    /**
     * Names glibc ignores for privileged programs (its {@code unsecvars.h}, glibc 2.36), the locale and time-zone
     * settings (a path there is read by the loader's locale code), and what makes a shell run code at start.
     */
    private static final Set<String> COMMAND_ONLY = Set.of("GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES",
            "HOSTALIASES", "LOCALDOMAIN", "LOCPATH", "NIS_PATH", "NLSPATH", "RESOLV_HOST_CONF", "RES_OPTIONS", "TMPDIR",
            "TZ", "TZDIR", "LANG", "LANGUAGE", "ENV", "BASH_ENV", "SHELLOPTS", "BASHOPTS", "IFS", "CDPATH", "PS4",
            "GLOBIGNORE");
    private static final List<String> COMMAND_ONLY_PREFIXES = List.of("LD_", "MALLOC_", "LC_", "BASH_FUNC_");

    static boolean commandOnly(String name) {
        if (COMMAND_ONLY.contains(name)) {
            return true;
        }
        for (String prefix : COMMAND_ONLY_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    static LaunchEnvironment of(Map<String, String> environment) {
        Map<String, String> launcher = new LinkedHashMap<>();
        Map<String, String> command = new LinkedHashMap<>();
        environment.forEach((name, value) -> (commandOnly(name) ? command : launcher).put(name, value));
        return new LaunchEnvironment(Map.copyOf(launcher), java.util.Collections.unmodifiableMap(command));
    }

    /**
     * {@code argv} run by {@code env} with the command's variables set, or {@code argv} itself when there are
     * none. A command whose name holds {@code =} cannot follow assignments ({@code env} would take it for one).
     */
    List<String> wrap(Path env, List<String> argv) throws IOException {
        if (command.isEmpty()) {
            return argv;
        }
        if (!argv.isEmpty() && argv.get(0).contains("=")) {
            throw new IOException("the command '" + argv.get(0) + "' has '=' in its name, which cannot be run with the"
                    + " variables " + String.join(", ", command.keySet()) + " set; name it by a path without '='");
        }
        List<String> out = new ArrayList<>(argv.size() + command.size() + 2);
        out.add(env.toString());
        out.add("--"); // no option after it: a command beginning with '-' stays the command
        command.forEach((name, value) -> out.add(name + "=" + value));
        out.addAll(argv);
        return out;
    }
}
