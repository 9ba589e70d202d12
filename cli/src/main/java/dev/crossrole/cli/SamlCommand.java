package dev.crossrole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code crossrole saml ...}: the running crossrole's built-in SAML 2.0 identity provider. */
@Command(name = "saml", mixinStandardHelpOptions = true,
        description = "Metadata and signed responses of crossrole's built-in SAML identity provider, for SAML"
                + " federation tests.",
        subcommands = {SamlCommand.Metadata.class, SamlCommand.Assertion.class})
final class SamlCommand implements Runnable {
    static final String DEFAULT_ISSUER = "idp.crossrole.localhost";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Command(name = "metadata", mixinStandardHelpOptions = true,
            description = {"Print the identity provider's metadata document (XML), for aws iam create-saml-provider",
                    "--saml-metadata-document file://...; it is also served at /_crossrole/saml/ISSUER/metadata.",
                    "Exit status: 0 printed, 1 refused (the message says why), 2 crossrole not reachable."})
    static final class Metadata implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        AdminAccess admin;

        @Option(names = "--issuer", defaultValue = DEFAULT_ISSUER,
                description = "the identity provider's name; its entity id is https://ISSUER (default: ${DEFAULT-VALUE})")
        String issuer;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            AdminClient.Response response;
            try {
                response = admin.client().get("/_crossrole/saml/" + issuer + "/metadata");
            } catch (IOException e) {
                admin.unreachable(err, e);
                return ExitCodes.UNUSABLE;
            }
            if (response.status() != 200) {
                err.println("crossrole: " + response.message());
                return ExitCodes.INVALID;
            }
            out.print(response.text());
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "assertion", mixinStandardHelpOptions = true,
            description = {"Print a signed SAML response of the built-in identity provider, base64 (one line): what",
                    "aws sts assume-role-with-saml --saml-assertion takes. Its issuer is https://ISSUER; an IAM SAML",
                    "provider made of the issuer's metadata (crossrole saml metadata) in the role's account makes",
                    "AssumeRoleWithSAML accept it, with its claims as the trust policy's saml: keys. The assertion is",
                    "signed (RSA-SHA256) and, when the IAM provider has a private key, encrypted for it.",
                    "Exit status: 0 printed, 1 refused (the message says why), 2 crossrole not reachable or the admin",
                    "token refused."})
    static final class Assertion implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        AdminAccess admin;

        @Option(names = "--role", required = true, paramLabel = "ROLE_ARN",
                description = "a role the user may assume (the Role attribute); repeat for several")
        List<String> roles;

        @Option(names = "--provider", required = true, paramLabel = "PROVIDER_ARN",
                description = "the IAM SAML provider's ARN, paired with each role in the Role attribute")
        String provider;

        @Option(names = "--sub", required = true, description = "the subject (NameID), e.g. alice@example.com")
        String subject;

        @Option(names = "--sub-type", description = "the NameID format: persistent (default), transient or a URI")
        String subjectType;

        @Option(names = "--issuer", defaultValue = DEFAULT_ISSUER,
                description = "the identity provider's name; its entity id is https://ISSUER (default: ${DEFAULT-VALUE})")
        String issuer;

        @Option(names = "--session-name", paramLabel = "NAME",
                description = "the RoleSessionName attribute (default: the subject)")
        String sessionName;

        @Option(names = "--attribute", paramLabel = "NAME=VALUE",
                description = {"a further attribute; repeat for several or for several values. A name without a scheme",
                        "is one of AWS's (SessionDuration=900, SourceIdentity=alice, PrincipalTag:team=ops,",
                        "TransitiveTagKeys=team); others as given (urn:oid:1.3.6.1.4.1.5923.1.1.1.1=staff)"})
        List<String> attributes = new ArrayList<>();

        @Option(names = "--ttl", defaultValue = "300",
                description = "seconds the assertion may be redeemed, up to 86400 (default: ${DEFAULT-VALUE})")
        long ttl;

        @Option(names = "--encrypt", defaultValue = "auto",
                description = "auto (when the IAM provider has a private key), yes or no (default: ${DEFAULT-VALUE})")
        String encrypt;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            StringBuilder query = new StringBuilder("provider=").append(encode(provider)).append("&sub=")
                    .append(encode(subject)).append("&ttl=").append(ttl).append("&encrypt=").append(encode(encrypt));
            roles.forEach(r -> query.append("&role=").append(encode(r)));
            if (subjectType != null) {
                query.append("&sub-type=").append(encode(subjectType));
            }
            if (sessionName != null) {
                query.append("&session-name=").append(encode(sessionName));
            }
            attributes.forEach(a -> query.append("&attribute=").append(encode(a)));
            return admin.printField("/_crossrole/saml/" + issuer + "/assertion?" + query, "assertion", out, err);
        }
    }
}
