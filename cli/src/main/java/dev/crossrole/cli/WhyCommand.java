package dev.crossrole.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code crossrole why <request-id>}: the full explanation of a request a running crossrole served. */
@Command(name = "why", mixinStandardHelpOptions = true,
        description = {"Explain a request: which policies decided it and what would change the decision.",
                "The request id is in every response (x-amzn-RequestId, RequestId in errors).",
                "Exit status: 0 found, 1 unknown request id, 2 crossrole not reachable."})
final class WhyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--endpoint", defaultValue = "${env:AWS_ENDPOINT_URL:-http://127.0.0.1:4566}",
            description = "crossrole's endpoint (default: $AWS_ENDPOINT_URL or http://127.0.0.1:4566)")
    String endpoint;

    @Option(names = "--json", description = "print the recorded request and decision as JSON")
    boolean json;

    @Parameters(paramLabel = "REQUEST-ID")
    String requestId;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        String url = base + "/_crossrole/requests/" + URLEncoder.encode(requestId.trim(), StandardCharsets.UTF_8)
                + (json ? "" : "?format=text");
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(3000);
            connection.setReadTimeout(10000);
            int status = connection.getResponseCode();
            try (InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
                if (status == 404) {
                    err.println("crossrole: " + text.replaceAll(".*\"message\":\"([^\"]*)\".*", "$1").trim());
                    return ExitCodes.INVALID;
                }
                if (status != 200) {
                    err.println("crossrole: " + url + " answered HTTP " + status + ": " + text);
                    return ExitCodes.UNUSABLE;
                }
                out.print(text);
                if (!text.endsWith("\n")) {
                    out.println();
                }
                out.flush();
                return ExitCodes.OK;
            }
        } catch (IllegalArgumentException | IOException e) {
            err.println("crossrole: cannot reach crossrole at " + base + ": " + e.getMessage());
            return ExitCodes.UNUSABLE;
        }
    }
}
