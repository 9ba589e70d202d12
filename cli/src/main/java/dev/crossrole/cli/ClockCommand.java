package dev.crossrole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code crossrole clock [advance DURATION]}: a running crossrole's time, moved forward to try what takes days. */
@Command(name = "clock", mixinStandardHelpOptions = true,
        description = {"Show a running crossrole's clock, or move it forward: 'crossrole clock advance 31d' makes",
                "lifecycle expirations, credential and session expiry and retention happen as if 31 days had passed",
                "(the lifecycle pass runs before the command returns). Durations: 31d, 12h, 90m, 30s, or ISO-8601",
                "(P31D, PT2H30M). The clock only moves forward, and returns to the real time when crossrole restarts.",
                "Exit status: 0 done, 1 bad arguments, 2 crossrole not reachable or the admin token refused."})
final class ClockCommand implements Callable<Integer> {
    private static final Pattern SHORT = Pattern.compile("(\\d+)([dhms])");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    AdminAccess admin;

    @Parameters(index = "0", arity = "0..1", paramLabel = "advance", description = "the word 'advance'")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DURATION", description = "how far to move the clock")
    String duration;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String path = "/_crossrole/clock";
        boolean advance = action != null;
        if (advance) {
            if (!action.equals("advance") || duration == null) {
                err.println("crossrole: usage: crossrole clock [advance DURATION]");
                return ExitCodes.INVALID;
            }
            Duration amount = parse(duration);
            if (amount == null || amount.isNegative() || amount.isZero()) {
                err.println("crossrole: '" + duration + "' is not a positive duration (31d, 12h, 90m, 30s, P31D, PT2H)");
                return ExitCodes.INVALID;
            }
            path += "?advance=" + URLEncoder.encode(amount.toString(), StandardCharsets.UTF_8);
        }
        AdminClient.Response response;
        try {
            response = advance ? admin.client().post(path) : admin.client().get(path);
        } catch (IOException e) {
            admin.unreachable(err, e);
            return ExitCodes.UNUSABLE;
        }
        if (response.status() != 200) {
            admin.refused(err, response);
            return ExitCodes.UNUSABLE;
        }
        try {
            var node = response.json();
            out.println(node.path("now").asText() + " (ahead of the real time by " + node.path("offset").asText()
                    + ")");
        } catch (IOException e) {
            out.println(response.text());
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** {@code 31d}, {@code 12h}, {@code 90m}, {@code 30s}, or an ISO-8601 duration; {@code null} when neither. */
    static Duration parse(String text) {
        Matcher m = SHORT.matcher(text.trim());
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofSeconds(n);
                };
            } catch (NumberFormatException | ArithmeticException e) {
                return null;
            }
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
