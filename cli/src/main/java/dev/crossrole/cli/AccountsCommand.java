package dev.crossrole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code crossrole accounts}: the accounts a running crossrole serves, and the profile of each one's administrator. */
@Command(name = "accounts", mixinStandardHelpOptions = true,
        description = {"List the accounts a running crossrole serves: id, alias, organization, and the profile of the",
                "account's administrator in <data-dir>/credentials (AWS_SHARED_CREDENTIALS_FILE=<data-dir>/credentials",
                "aws --profile PROFILE ...).",
                "Exit status: 0 listed, 2 crossrole not reachable or the admin token refused."})
final class AccountsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    AdminAccess admin;

    @Option(names = "--json", description = "print the accounts as JSON")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AdminClient.Response response;
        try {
            response = admin.client().get("/_crossrole/accounts");
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
        JsonNode accounts;
        try {
            accounts = response.json().path("accounts");
        } catch (IOException e) {
            err.println("crossrole: the admin API answered what is not JSON: " + response.text());
            return ExitCodes.UNUSABLE;
        }
        String format = "%-14s %-20s %-20s %s%n";
        out.printf(format, "ACCOUNT", "ALIAS", "PROFILE", "ORGANIZATION");
        for (JsonNode account : accounts) {
            out.printf(format, account.path("id").asText(), account.path("alias").asText("-"),
                    account.path("profile").asText("-"), account.path("organizationId").asText("-"));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
