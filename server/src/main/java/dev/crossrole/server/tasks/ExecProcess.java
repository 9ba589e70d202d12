package dev.crossrole.server.tasks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An exec'd command as a process of crossrole. With a terminal, the command runs under {@code script}
 * (util-linux), which gives it a pseudo-terminal and copies the terminal's output to its own; the terminal is
 * resized by {@code stty} on the command's standard input, reached from outside through
 * {@code /proc/<pid>/fd/0} (which also works when the command is in a sandbox's mount namespace).
 */
final class ExecProcess implements TaskRuntime.ExecSession {
    private final Process process;
    private final boolean terminal;
    private final Path stty;
    private final boolean wrapper;
    private final CompletableFuture<Integer> exit;

    /**
     * @param wrapper whether {@code process} only starts the command and waits for it ({@code nsenter},
     *     {@code script}), ending with its status; otherwise it is the command itself
     */
    ExecProcess(Process process, boolean terminal, Path stty, boolean wrapper) {
        this.process = process;
        this.terminal = terminal;
        this.stty = stty;
        this.wrapper = wrapper;
        this.exit = process.onExit().thenApply(Process::exitValue);
    }

    /**
     * The shell line that sizes the terminal and runs {@code argv} on it. {@code script -c} hands its command to
     * {@code $SHELL -c}; the environment given to it has no {@code SHELL} (so that is /bin/sh), and a
     * {@code SHELL} the container had is put back for the command.
     */
    static String terminalLine(TaskRuntime.Terminal terminal, List<String> argv, Map<String, String> environment) {
        StringBuilder line = new StringBuilder("stty cols ").append(terminal.columns()).append(" rows ")
                .append(terminal.rows()).append(" 2>/dev/null; ");
        String shell = environment.get("SHELL");
        if (shell != null) {
            line.append("SHELL=").append(quoted(shell)).append("; export SHELL; ");
        }
        return line.append(words(argv)).toString();
    }

    /** {@code exec} and the words, each quoted: a line a shell runs as exactly that argv. */
    static String words(List<String> argv) {
        StringBuilder line = new StringBuilder("exec");
        for (String arg : argv) {
            line.append(' ').append(quoted(arg));
        }
        return line.toString();
    }

    /** {@code script} (util-linux) running {@code line} on a new pseudo-terminal; its exit status is the line's. */
    static List<String> onTerminal(Path script, String line) {
        return List.of(script.toString(), "-q", "-e", "-f", "-c", line, "/dev/null");
    }

    /** The environment of an exec'd command: the container's, with {@code TERM} for a terminal. */
    static Map<String, String> environment(Map<String, String> container, TaskRuntime.Terminal terminal) {
        Map<String, String> env = new java.util.LinkedHashMap<>(container);
        if (terminal != null) {
            env.put("TERM", terminal.term());
            env.remove("SHELL"); // see terminalLine
        }
        return env;
    }

    /** One shell word: single-quoted, a single quote written as {@code '\''}. */
    static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    @Override
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return process.getErrorStream();
    }

    @Override
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    @Override
    public void resize(int columns, int rows) throws IOException {
        if (!terminal || stty == null) {
            return;
        }
        Optional<Long> holder = terminalHolder();
        if (holder.isEmpty()) {
            return; // the command has not reached its terminal yet, or has ended
        }
        List<String> command = new ArrayList<>(List.of(stty.toString(), "-F", "/proc/" + holder.get() + "/fd/0",
                "cols", String.valueOf(columns), "rows", String.valueOf(rows)));
        Process resize = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!resize.waitFor(5, TimeUnit.SECONDS)) {
                resize.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The first process below this one whose standard input is a pseudo-terminal: the command under script. */
    private Optional<Long> terminalHolder() {
        return process.descendants().map(ProcessHandle::pid).filter(pid -> {
            try {
                return Files.readSymbolicLink(Path.of("/proc", String.valueOf(pid), "fd", "0")).toString()
                        .startsWith("/dev/pts/");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }).findFirst();
    }

    /** Asks the command and what it started to end (SIGTERM). */
    void terminate() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }

    /**
     * Kills the command and what it started. A wrapper is left to end by itself once its command is dead: killed
     * first, {@code nsenter} could leave a command it had just forked into the sandbox running there, out of
     * reach. The wait is bounded; then the wrapper is killed too.
     */
    @Override
    public void kill() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (wrapper && process.isAlive() && System.nanoTime() < deadline) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            try {
                process.waitFor(10, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
