package dev.crossrole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLES = Path.of("..", "examples", "simulate");

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    @Test
    void validateAcceptsAValidPolicy() throws IOException {
        Path file = write("p.json", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                + "\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::555566667777:role/destination-account-role\"}}");
        Result r = run("policy", "validate", "--kind", "identity", file.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("valid identity policy", r.out().trim());
    }

    @Test
    void validateReportsAwsMessageAndExitsOne() throws IOException {
        Path file = write("trust.json", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/my-ECS-task-role\"},"
                + "\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}}");
        Result r = run("policy", "validate", "--kind", "trust", file.toString());
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("MalformedPolicyDocument (HTTP 400): Has prohibited field Resource"), r.out());
        assertTrue(r.out().contains("at Statement[0].Resource"), r.out());
    }

    @Test
    void validateJsonFormat() throws IOException {
        Path file = write("p.json", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"allow\","
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}");
        Result r = run("policy", "validate", "--kind", "identity", "--format", "json", file.toString());
        assertEquals(1, r.exit());
        JsonNode node = JSON.readTree(r.out());
        assertEquals(false, node.get("valid").asBoolean());
        assertEquals("The policy failed legacy parsing", node.get("diagnostics").get(0).get("message").asText());
    }

    @Test
    void validateJudgesSidsNotPrincipalAndNullIfExistsByKind() throws IOException {
        Path spacedSid = write("sid.json", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"Read the reports\","
                + "\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}}");
        Result identity = run("policy", "validate", "--kind", "inline", spacedSid.toString());
        assertEquals(1, identity.exit());
        assertTrue(identity.out().contains("MalformedPolicyDocument (HTTP 400): Statement IDs (SID) must be alpha-numeric."
                + " Check that your input satisfies the regular expression [0-9A-Za-z]*"), identity.out());
        assertTrue(identity.out().contains("at Statement[0].Sid"), identity.out());

        Path bucket = write("bucket.json", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"Read the reports\","
                + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::b/*\"}}");
        Result spacesInABucketPolicy = run("policy", "validate", "--kind", "resource", bucket.toString());
        assertEquals(0, spacesInABucketPolicy.exit(), spacesInABucketPolicy.out());
        Path notPrincipal = write("np.json", Files.readString(bucket).replace("\"Principal\"", "\"NotPrincipal\""));
        Result allowNotPrincipal = run("policy", "validate", "--kind", "resource", notPrincipal.toString());
        assertEquals(1, allowNotPrincipal.exit());
        assertTrue(allowNotPrincipal.out().contains("MalformedPolicy (HTTP 400): Invalid principal in policy"),
                allowNotPrincipal.out());
        assertTrue(allowNotPrincipal.out().contains("NotPrincipal is supported only with \"Effect\": \"Deny\""),
                allowNotPrincipal.out());

        Path nullIfExists = write("null.json", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"NullIfExists\":"
                + "{\"aws:TokenIssueTime\":\"true\"}}}}");
        Result operator = run("policy", "validate", "--kind", "identity", "--format", "json", nullIfExists.toString());
        assertEquals(1, operator.exit());
        JsonNode diagnostic = JSON.readTree(operator.out()).get("diagnostics").get(0);
        assertEquals("Syntax errors in policy.", diagnostic.get("message").asText());
        assertEquals("Statement[0].Condition.NullIfExists", diagnostic.get("location").asText());
    }

    @Test
    void validateUnusableInputExitsTwo() {
        Result missing = run("policy", "validate", "--kind", "identity", dir.resolve("nope.json").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("no such file"), missing.err());
        Result badKind = run("policy", "validate", "--kind", "bucket", dir.toString());
        assertEquals(2, badKind.exit());
        assertTrue(badKind.err().contains("unknown --kind 'bucket'"), badKind.err());
        Result noKind = run("policy", "validate", "x.json");
        assertEquals(2, noKind.exit());
        Result directory = run("policy", "validate", "--kind", "identity", dir.toString());
        assertEquals(2, directory.exit());
    }

    @Test
    void simulateTheWalkthroughAllows() throws IOException {
        Result r = run("policy", "simulate", EXAMPLES.resolve("walkthrough-assume-role.json").toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode node = JSON.readTree(r.out());
        assertEquals("Allow", node.get("decision").asText());
        assertTrue(node.get("explanation").get("crossAccount").asBoolean());
        assertEquals(false, node.has("message"));
    }

    @Test
    void simulateExplainsTheMissingIdentityPolicy() throws IOException {
        Result r = run("policy", "simulate", EXAMPLES.resolve("walkthrough-missing-identity-policy.json").toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode node = JSON.readTree(r.out());
        assertEquals("ImplicitDeny", node.get("decision").asText());
        assertEquals("identity", node.get("decidedBy").asText());
        assertEquals("User: arn:aws:sts::111122223333:assumed-role/my-ECS-task-role/8f2c1e0d9b7a4c6e8d1f0a2b3c4d5e6f"
                + " is not authorized to perform: sts:AssumeRole on resource:"
                + " arn:aws:iam::555566667777:role/destination-account-role because no identity-based policy allows"
                + " the sts:AssumeRole action", node.get("message").asText());
        assertTrue(node.get("explanation").get("fix").asText().contains("identity-based policy of the role"));
    }

    @Test
    void simulateTextFormat() {
        Result r = run("policy", "simulate", "--format", "text",
                EXAMPLES.resolve("walkthrough-missing-identity-policy.json").toString());
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("User: arn:aws:sts::111122223333:assumed-role/my-ECS-task-role/"), r.out());
        assertTrue(r.out().contains("Decision: ImplicitDeny"), r.out());
        assertTrue(r.out().contains("To change this:"), r.out());
    }

    @Test
    void simulateNamesTheMalformedField() throws IOException {
        Result missingAction = run("policy", "simulate", write("a.json",
                "{\"request\":{\"principal\":\"arn:aws:iam::111122223333:user/alice\",\"resource\":\"*\"}}").toString());
        assertEquals(2, missingAction.exit());
        assertTrue(missingAction.err().contains("request.action: is required"), missingAction.err());

        Result badPrincipal = run("policy", "simulate", write("b.json",
                "{\"request\":{\"principal\":\"alice\",\"action\":\"s3:GetObject\",\"resource\":\"*\"}}").toString());
        assertEquals(2, badPrincipal.exit());
        assertTrue(badPrincipal.err().contains("request.principal"), badPrincipal.err());

        Result badPolicy = run("policy", "simulate", write("c.json",
                "{\"request\":{\"principal\":\"arn:aws:iam::111122223333:user/alice\",\"action\":\"s3:GetObject\","
                        + "\"resource\":\"*\"},\"identityPolicies\":[{\"Version\":\"2012-10-17\",\"Statement\":[]}]}").toString());
        assertEquals(2, badPolicy.exit());
        assertTrue(badPolicy.err().contains("identityPolicies[0]: is not a valid identity policy:"
                + " MalformedPolicyDocument: Syntax errors in policy."), badPolicy.err());

        Result notJson = run("policy", "simulate", write("d.json", "{\"request\":").toString());
        assertEquals(2, notJson.exit());
        assertTrue(notJson.err().contains("not valid JSON"), notJson.err());

        Result unknownField = run("policy", "simulate", write("e.json",
                "{\"request\":{\"principal\":\"arn:aws:iam::111122223333:user/alice\",\"action\":\"s3:GetObject\","
                        + "\"resource\":\"*\"},\"identityPolicy\":{}}").toString());
        assertEquals(2, unknownField.exit());
        assertTrue(unknownField.err().contains("identityPolicy: unknown field"), unknownField.err());
    }

    @Test
    void unknownCommandIsUnusable() {
        Result r = run("policy", "frobnicate");
        assertEquals(2, r.exit());
    }

    @Test
    void eachSubcommandIsListedUnderItsOwnName() {
        Main.SUBCOMMANDS.forEach((name, subcommand) ->
                assertEquals(name, new picocli.CommandLine(subcommand.get()).getCommandName()));
    }

    @Test
    void usageAndHelpKnowEverySubcommandWhileOneNamedGetsOnlyItself() {
        Result usage = run("--help");
        assertEquals(0, usage.exit());
        for (String name : new String[] {"serve", "why", "exec", "logs", "policy", "state", "help"}) {
            assertTrue(usage.out().contains("  " + name + " "), name + " in " + usage.out());
        }
        Result help = run("help", "serve");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().contains("Usage: crossrole serve"), help.out());
        Result serveHelp = run("serve", "--help");
        assertEquals(0, serveHelp.exit(), serveHelp.err());
        assertTrue(serveHelp.out().contains("Usage: crossrole serve") && serveHelp.out().contains("--max-connections"),
                serveHelp.out());
        Result typo = run("serv");
        assertEquals(2, typo.exit());
        assertTrue(typo.err().contains("serve"), "suggests the command meant: " + typo.err());
    }
}
