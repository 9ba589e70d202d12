package dev.crossrole.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The terminal {@code crossrole exec -t} runs in: its type ({@code TERM}) and size for the remote terminal, and,
 * when standard input and output are that terminal, raw mode (keys go to the remote command as typed; the remote
 * terminal echoes) and size changes (SIGWINCH). Driven with {@code stty} on {@code /dev/tty}: the JDK has no
 * terminal API.
 */
final class LocalTerminal {
    private static final File TTY = new File("/dev/tty");
    private static final Size DEFAULT_SIZE = new Size(80, 24);

    record Size(int columns, int rows) {}

    private final String term;
    private final boolean attached;
    private String saved;

    private LocalTerminal(String term, boolean attached) {
        this.term = term;
        this.attached = attached;
    }

    /** This process's terminal; {@code TERM} defaults to {@code xterm}, as with {@code docker exec -t}. */
    static LocalTerminal ofThisProcess() {
        String term = System.getenv("TERM");
        return new LocalTerminal(term == null || term.isBlank() ? "xterm" : term, System.console() != null);
    }

    String term() {
        return term;
    }

    /** The terminal's size, or 80x24 when there is no terminal to ask. */
    Size size() {
        if (!attached) {
            return DEFAULT_SIZE;
        }
        String[] rowsColumns = stty("size").strip().split("\\s+");
        try {
            Size size = new Size(Integer.parseInt(rowsColumns[1]), Integer.parseInt(rowsColumns[0]));
            return size.columns() > 0 && size.rows() > 0 ? size : DEFAULT_SIZE;
        } catch (RuntimeException e) {
            return DEFAULT_SIZE;
        }
    }

    /** Puts the terminal in raw mode without echo; {@code false} when there is no terminal. */
    boolean makeRaw() {
        if (!attached) {
            return false;
        }
        saved = stty("-g").strip();
        if (saved.isEmpty()) {
            return false;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::restore, "crossrole-restore-terminal"));
        stty("raw", "-echo");
        return true;
    }

    /** Puts back the settings {@link #makeRaw} found. */
    synchronized void restore() {
        if (saved != null) {
            stty(saved);
            saved = null;
        }
    }

    /** Calls {@code listener} with the new size each time the terminal is resized. */
    void onResize(Consumer<Size> listener) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), signal -> listener.accept(size()));
        } catch (IllegalArgumentException e) {
            // no SIGWINCH on this system: the size stays what it was at the start
        }
    }

    private static String stty(String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of("stty"));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectInput(TTY)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(5, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
