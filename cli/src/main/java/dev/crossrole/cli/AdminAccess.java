package dev.crossrole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a command reaches a running crossrole's admin API: its endpoint and the administrator's token, taken
 * from {@code $CROSSROLE_ADMIN_TOKEN} or else from the data directory's {@code admin-token} file.
 * Shared by {@code why}, {@code exec} and {@code logs}.
 */
final class AdminAccess {
    static final String TOKEN_VARIABLE = "CROSSROLE_ADMIN_TOKEN";
    static final String TOKEN_FILE = "admin-token";

    @Option(names = "--endpoint", defaultValue = "${env:AWS_ENDPOINT_URL:-http://127.0.0.1:4566}",
            description = "crossrole's endpoint (default: $AWS_ENDPOINT_URL or http://127.0.0.1:4566)")
    String endpoint;

    @Option(names = "--data-dir", defaultValue = "${env:CROSSROLE_DATA_DIR:-.crossrole}",
            description = {"the data directory of the crossrole to reach, where its admin-token is",
                    "(default: $CROSSROLE_DATA_DIR or ./.crossrole; $" + TOKEN_VARIABLE + " is used first when set)"})
    Path dataDir;

    /** The client, with the token when one is found (the server explains a missing one). */
    AdminClient client() {
        return new AdminClient(endpoint, token(), dataDir);
    }

    private String token() {
        String fromEnvironment = System.getenv(TOKEN_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.strip();
        }
        Path file = dataDir.resolve(TOKEN_FILE);
        try {
            return Files.isRegularFile(file) ? Files.readString(file).strip() : null;
        } catch (IOException e) {
            return null; // answered by the server as a missing token, and explained below
        }
    }

    /** Prints why the admin API refused a call, with where the token was looked for. */
    void refused(PrintWriter err, AdminClient.Response response) {
        err.println("crossrole: " + response.message());
        if (response.status() == 401 || response.status() == 403) {
            String variable = System.getenv(TOKEN_VARIABLE);
            err.println("crossrole: the token was taken from " + (variable != null && !variable.isBlank()
                    ? "$" + TOKEN_VARIABLE : dataDir.resolve(TOKEN_FILE) + (Files.isReadable(dataDir.resolve(TOKEN_FILE))
                    ? "" : " (not found or not readable)"))
                    + "; point --data-dir at the data directory of the crossrole at " + endpoint + ".");
        }
    }

    /**
     * GETs an admin route that answers a JSON object and prints one of its text fields, one line; the exit status
     * says how it went (refusals and unreachable crossrole explained on {@code err}).
     */
    int printField(String pathAndQuery, String field, PrintWriter out, PrintWriter err) {
        AdminClient.Response response;
        try {
            response = client().get(pathAndQuery);
        } catch (IOException e) {
            unreachable(err, e);
            return ExitCodes.UNUSABLE;
        }
        if (response.status() == 401 || response.status() == 403) {
            refused(err, response);
            return ExitCodes.UNUSABLE;
        }
        if (response.status() != 200) {
            err.println("crossrole: " + response.message());
            return ExitCodes.INVALID;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode answer = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(response.text());
            out.println(answer.path(field).asText());
            out.flush();
            return ExitCodes.OK;
        } catch (IOException e) {
            err.println("crossrole: the answer has no " + field + ": " + e.getMessage());
            return ExitCodes.UNUSABLE;
        }
    }

    void unreachable(PrintWriter err, IOException e) {
        err.println("crossrole: cannot reach crossrole at " + endpoint + ": " + e.getMessage());
    }
}
