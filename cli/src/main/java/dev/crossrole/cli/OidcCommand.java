package dev.crossrole.cli;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code crossrole oidc ...}: the running crossrole's built-in OpenID Connect issuer. */
@Command(name = "oidc", mixinStandardHelpOptions = true,
        description = "Tokens of crossrole's built-in OpenID Connect issuer, for web-identity federation tests.",
        subcommands = {OidcCommand.Token.class})
final class OidcCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = {"Print a signed ID token of the built-in issuer (ES256, one line).",
                    "Its issuer is https://ISSUER; crossrole publishes the issuer's discovery document and keys at",
                    "/_crossrole/oidc/ISSUER/.well-known/openid-configuration and /_crossrole/oidc/ISSUER/jwks.",
                    "An IAM OIDC provider for https://ISSUER in a role's account makes AssumeRoleWithWebIdentity",
                    "accept the token, with its claims as the trust policy's condition keys (ISSUER:sub, ISSUER:aud, ...).",
                    "Exit status: 0 printed, 1 refused (the message says why), 2 crossrole not reachable or the admin",
                    "token refused."})
    static final class Token implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        AdminAccess admin;

        @Option(names = "--sub", required = true, description = "the subject (sub), e.g. repo:org/app:ref:refs/heads/main")
        String subject;

        @Option(names = "--aud", required = true, description = "an audience (aud); repeat for several, e.g. sts.amazonaws.com")
        List<String> audiences;

        @Option(names = "--issuer", defaultValue = "token.actions.githubusercontent.com",
                description = "the issuer's name: its URL without https:// (default: ${DEFAULT-VALUE})")
        String issuer;

        @Option(names = "--ttl", defaultValue = "3600", description = "seconds the token is valid, up to 86400 (default: ${DEFAULT-VALUE})")
        long ttl;

        @Option(names = "--claim", paramLabel = "NAME=VALUE",
                description = {"a further claim, e.g. repository=org/app; a value starting with { or [ is JSON, e.g.",
                        "https://aws.amazon.com/tags={\"principal_tags\":{\"team\":[\"deploy\"]}}; repeat for several"})
        List<String> claims = new ArrayList<>();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            StringBuilder query = new StringBuilder("sub=").append(encode(subject)).append("&ttl=").append(ttl);
            audiences.forEach(a -> query.append("&aud=").append(encode(a)));
            claims.forEach(c -> query.append("&claim=").append(encode(c)));
            return admin.printField("/_crossrole/oidc/" + issuer + "/token?" + query, "token", out, err);
        }

        private static String encode(String value) {
            return URLEncoder.encode(value, StandardCharsets.UTF_8);
        }
    }
}
