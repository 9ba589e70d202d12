package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The README's Organizations walk-through with the AWS CLI ({@code aws} on PATH), step by step. */
class OrganizationsCliTest {
    static TestCrossrole crossrole;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        work = Files.createTempDirectory("crossrole-orgs-cli");
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Run aws(String... args) throws Exception {
        return AwsCli.run(crossrole, work, work, null, Map.of(), args);
    }

    private static String text(String... args) throws Exception {
        Run run = aws(args);
        assertEquals(0, run.exit(), run.toString());
        return run.stdout().strip();
    }

    @Test
    void theReadmeWalkThrough() throws Exception {
        text("--profile", "source", "organizations", "create-organization", "--feature-set", "ALL");
        String root = text("--profile", "source", "organizations", "list-roots", "--query", "Roots[0].Id", "--output",
                "text");
        String ou = text("--profile", "source", "organizations", "create-organizational-unit", "--parent-id", root,
                "--name", "sandbox", "--query", "OrganizationalUnit.Id", "--output", "text");
        text("--profile", "source", "organizations", "move-account", "--account-id", TestCrossrole.DESTINATION,
                "--source-parent-id", root, "--destination-parent-id", ou);
        text("--profile", "source", "organizations", "enable-policy-type", "--root-id", root, "--policy-type",
                "SERVICE_CONTROL_POLICY");
        String policy = text("--profile", "source", "organizations", "create-policy", "--name", "DenyListUsers",
                "--type", "SERVICE_CONTROL_POLICY", "--description", "", "--query", "Policy.PolicySummary.Id",
                "--output", "text", "--content",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"iam:ListUsers\","
                        + "\"Resource\":\"*\"}]}");
        text("--profile", "destination", "iam", "list-users");
        text("--profile", "source", "organizations", "attach-policy", "--policy-id", policy, "--target-id", ou);
        Run denied = aws("--profile", "destination", "iam", "list-users");
        assertNotEquals(0, denied.exit());
        assertTrue(denied.stderr().contains("AccessDenied") && denied.stderr().contains(
                "with an explicit deny in a service control policy"), denied.stderr());
        Run member = aws("--profile", "destination", "organizations", "list-roots");
        assertTrue(member.stderr().contains("AccessDeniedException"), member.stderr());
    }
}
