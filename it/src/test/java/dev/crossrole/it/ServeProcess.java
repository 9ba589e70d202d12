package dev.crossrole.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code crossrole serve} in a JVM of its own, on a free port: for tests that kill it with SIGKILL or give it a
 * small heap, which an in-process server cannot show.
 */
record ServeProcess(Process process, String endpoint, StringBuffer printed) {
    private static final Pattern LISTENING = Pattern.compile("crossrole listening on (http://\\S+)");

    /**
     * Starts {@code serve --port 0 --data-dir data} plus {@code serveOptions} with {@code jvmOptions}, in
     * {@code workDir}, without the caller's AWS_* environment, and returns once it listens; its output is
     * drained from then on into {@link #printed}.
     */
    static ServeProcess start(Path workDir, Path data, List<String> jvmOptions, String... serveOptions)
            throws IOException {
        return start(List.of(), workDir, data, jvmOptions, java.util.Map.of(), serveOptions);
    }

    /** What it printed so far (standard output and error). */
    String output() {
        return printed.toString();
    }

    /** As {@link #start(Path, Path, List, String...)}, the java command run by {@code launcher} (e.g. a shell setting the umask). */
    static ServeProcess start(List<String> launcher, Path workDir, Path data, List<String> jvmOptions, String... serveOptions)
            throws IOException {
        return start(launcher, workDir, data, jvmOptions, java.util.Map.of(), serveOptions);
    }

    /** As {@link #start(Path, Path, List, String...)}, with {@code environment} replacing variables of the caller's. */
    static ServeProcess start(Path workDir, Path data, List<String> jvmOptions, java.util.Map<String, String> environment,
                              String... serveOptions) throws IOException {
        return start(List.of(), workDir, data, jvmOptions, environment, serveOptions);
    }

    private static ServeProcess start(List<String> launcher, Path workDir, Path data, List<String> jvmOptions,
                                      java.util.Map<String, String> environment, String... serveOptions)
            throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.add(CrossroleCommand.java());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", CrossroleCommand.classPath(), "dev.crossrole.cli.Main", "serve", "--port", "0",
                "--data-dir", data.toString()));
        command.addAll(List.of(serveOptions));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().putAll(environment);
        Process process = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuffer seen = new StringBuffer();
        String endpoint = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (endpoint == null && System.nanoTime() < deadline) {
            String line = out.readLine();
            if (line == null) {
                break;
            }
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                endpoint = m.group(1);
            }
        }
        if (endpoint == null) {
            process.destroyForcibly();
            throw new IllegalStateException("crossrole did not start:\n" + seen);
        }
        Thread drain = new Thread(() -> {
            try {
                out.lines().forEach(l -> seen.append(l).append('\n'));
            } catch (java.io.UncheckedIOException e) {
                // the test closed the process's streams: nothing more to read
            }
        }, "crossrole-output");
        drain.setDaemon(true);
        drain.start();
        return new ServeProcess(process, endpoint, seen);
    }
}
