package dev.crossrole.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.ecs.EcsTask;
import dev.crossrole.server.ecs.EcsTasks;
import dev.crossrole.server.http.HttpRequest;
import dev.crossrole.server.http.HttpResponse;
import dev.crossrole.server.http.WebSocket;
import dev.crossrole.server.tasks.TaskRuntime;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code GET /_crossrole/tasks/{id}/exec?command=…&command=…}: a WebSocket on which a command runs inside one of
 * the task's containers, owned by crossrole (stopping the task ends it). Parameters: {@code command} (repeated:
 * the argv, at least one), {@code container} (default: the first), {@code interactive} and {@code tty}
 * ({@code true}/{@code false}), and with a tty {@code term} (its TERM), {@code cols} and {@code rows}. Everything
 * is checked before the protocol switch, so a refusal is a plain HTTP error with a message; then
 * {@link ExecRelay} speaks the channel protocol.
 */
final class ExecEndpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TERM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");
    private static final int DEFAULT_COLUMNS = 80;
    private static final int DEFAULT_ROWS = 24;
    private static final List<String> PARAMETERS = List.of("command", "container", "interactive", "tty", "term", "cols",
            "rows");

    private final EcsTasks tasks;

    ExecEndpoint(EcsTasks tasks) {
        this.tasks = tasks;
    }

    /** A malformed exec request: answered 400 with the message. */
    private static final class BadParameter extends Exception {
        private static final long serialVersionUID = 1L;

        BadParameter(String message) {
            super(message, null, false, false);
        }
    }

    HttpResponse handle(HttpRequest request, String taskId) {
        TaskRuntime.ExecLaunch launch;
        String container;
        try {
            Map<String, List<String>> query = parameters(request.rawQuery());
            container = single(query, "container");
            launch = launch(query);
        } catch (BadParameter e) {
            return message(400, e.getMessage());
        }
        Optional<EcsTask> task = tasks.task(taskId);
        if (task.isEmpty()) {
            return message(404, "No task with id " + taskId + ".");
        }
        EcsTasks.ExecTarget target;
        try {
            target = tasks.execTarget(task.get(), container, launch.terminal() != null);
        } catch (EcsTasks.ExecRefused e) {
            return message(e.status(), e.getMessage());
        }
        return WebSocket.accept(request, WebSocket.DEFAULT_MAX_MESSAGE_BYTES,
                socket -> new ExecRelay(socket, () -> tasks.exec(target, launch), launch).run());
    }

    private static TaskRuntime.ExecLaunch launch(Map<String, List<String>> query) throws BadParameter {
        List<String> argv = query.getOrDefault("command", List.of());
        if (argv.isEmpty()) {
            throw new BadParameter("command is required: one command= parameter per word of the command line.");
        }
        if (argv.get(0).isEmpty()) {
            throw new BadParameter("The command's first word (the program) cannot be empty.");
        }
        boolean interactive = bool(query, "interactive");
        boolean tty = bool(query, "tty");
        TaskRuntime.Terminal terminal = null;
        if (tty) {
            String term = single(query, "term");
            if (term != null && !TERM.matcher(term).matches()) {
                throw new BadParameter("term must be a terminal type such as xterm-256color.");
            }
            terminal = new TaskRuntime.Terminal(term == null ? "xterm" : term, size(query, "cols", DEFAULT_COLUMNS),
                    size(query, "rows", DEFAULT_ROWS));
        } else {
            for (String name : List.of("term", "cols", "rows")) {
                if (query.containsKey(name)) {
                    throw new BadParameter(name + " applies to a terminal only (tty=true).");
                }
            }
        }
        return new TaskRuntime.ExecLaunch(List.copyOf(argv), interactive, terminal);
    }

    /** The query's parameters by name, in order; unknown names and malformed encoding are refused. */
    private static Map<String, List<String>> parameters(String rawQuery) throws BadParameter {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&", -1)) {
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            if (!PARAMETERS.contains(name)) {
                throw new BadParameter("Unknown parameter '" + name + "'; exec takes " + String.join(", ", PARAMETERS) + ".");
            }
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static String decode(String text) throws BadParameter {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadParameter("Malformed percent-encoding in the query: " + e.getMessage());
        }
    }

    private static String single(Map<String, List<String>> query, String name) throws BadParameter {
        List<String> values = query.get(name);
        if (values == null) {
            return null;
        }
        if (values.size() > 1) {
            throw new BadParameter(name + " may be given once.");
        }
        return values.get(0);
    }

    private static boolean bool(Map<String, List<String>> query, String name) throws BadParameter {
        String value = single(query, name);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw new BadParameter(name + " must be true or false.");
    }

    private static int size(Map<String, List<String>> query, String name, int fallback) throws BadParameter {
        String value = single(query, name);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= ExecRelay.MAX_TERMINAL_SIZE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new BadParameter(name + " must be a number from 1 to " + ExecRelay.MAX_TERMINAL_SIZE + ".");
    }

    private static HttpResponse message(int status, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("message", message);
        return HttpResponse.json(status, node.toString());
    }
}
