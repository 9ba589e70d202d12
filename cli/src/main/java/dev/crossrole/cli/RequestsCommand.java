package dev.crossrole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code crossrole requests}: the requests a running crossrole served most recently, to find one to explain. */
@Command(name = "requests", mixinStandardHelpOptions = true,
        description = {"List the requests a running crossrole served most recently, newest first:",
                "time, request id, HTTP status, the policy decision, action, caller and resource.",
                "'crossrole why REQUEST-ID' explains one.",
                "Exit status: 0 listed, 2 a bad option, crossrole not reachable or the admin",
                "token refused."})
final class RequestsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    AdminAccess admin;

    @Option(names = "--denied", description = "only the requests a policy denied")
    boolean denied;

    @Option(names = "--account", paramLabel = "ID", description = "only the requests made by or to the account ID")
    String account;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
            description = "at most N requests, 1 to 1000 (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "print the requests as JSON")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StringBuilder query = new StringBuilder("/_crossrole/requests?limit=").append(limit);
        if (denied) {
            query.append("&denied=true");
        }
        if (account != null) {
            query.append("&account=").append(java.net.URLEncoder.encode(account, java.nio.charset.StandardCharsets.UTF_8));
        }
        AdminClient.Response response;
        try {
            response = admin.client().get(query.toString());
        } catch (IOException e) {
            admin.unreachable(err, e);
            return ExitCodes.UNUSABLE;
        }
        if (response.status() != 200) {
            admin.refused(err, response);
            return ExitCodes.UNUSABLE;
        }
        if (json) {
            out.println(response.text());
            out.flush();
            return ExitCodes.OK;
        }
        JsonNode requests;
        try {
            requests = response.json().path("requests");
        } catch (IOException e) {
            err.println("crossrole: the admin API answered what is not JSON: " + response.text());
            return ExitCodes.UNUSABLE;
        }
        if (requests.isEmpty()) {
            err.println("crossrole: no request" + (denied ? " denied" : "") + (account != null ? " of account " + account : "")
                    + " among those remembered");
            return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TIME", "REQUEST-ID", "STATUS", "DECISION", "ACTION", "CALLER", "RESOURCE"});
        for (JsonNode r : requests) {
            rows.add(new String[] {seconds(r.path("time").asText("-")), r.path("requestId").asText("-"),
                    r.path("httpStatus").asText("-"), r.path("outcome").asText("-"),
                    r.path("action").asText(r.path("service").asText("?") + ":" + r.path("operation").asText("?")),
                    r.path("caller").asText("-"), r.path("resource").asText("-")});
        }
        printTable(out, rows);
        out.flush();
        return ExitCodes.OK;
    }

    /** {@code 2026-01-02T03:04:05.678Z} to {@code 2026-01-02T03:04:05Z}: a person matches a request to the second. */
    static String seconds(String instant) {
        int dot = instant.indexOf('.');
        return dot > 0 && instant.endsWith("Z") ? instant.substring(0, dot) + "Z" : instant;
    }

    /** Columns as wide as their widest cell, two spaces apart; the last one unpadded. */
    static void printTable(PrintWriter out, List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(c == columns - 1 ? row[c] : String.format("%-" + widths[c] + "s  ", row[c]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
