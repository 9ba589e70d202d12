package dev.crossrole.cli;

import java.io.IOException;
import java.io.PrintWriter;
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
                "Exit status: 0 found, 1 unknown request id, 2 crossrole not reachable or the admin token refused."})
final class WhyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    AdminAccess admin;

    @Option(names = "--json", description = "print the recorded request and decision as JSON")
    boolean json;

    @Parameters(paramLabel = "REQUEST-ID")
    String requestId;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AdminClient.Response response;
        try {
            response = admin.client().get("/_crossrole/requests/" + URLEncoder.encode(requestId.trim(), StandardCharsets.UTF_8)
                    + (json ? "" : "?format=text"));
        } catch (IOException e) {
            admin.unreachable(err, e);
            return ExitCodes.UNUSABLE;
        }
        if (response.status() == 404) {
            err.println("crossrole: " + response.message());
            return ExitCodes.INVALID;
        }
        if (response.status() != 200) {
            admin.refused(err, response);
            return ExitCodes.UNUSABLE;
        }
        String text = response.text();
        out.print(text);
        if (!text.endsWith("\n")) {
            out.println();
        }
        out.flush();
        return ExitCodes.OK;
    }
}
