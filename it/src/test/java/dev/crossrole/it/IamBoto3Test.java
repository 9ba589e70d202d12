package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Steps 1 and 2 of the walkthrough with boto3 ({@code python3} on PATH, botocore honouring
 * {@code AWS_ENDPOINT_URL}): one Python run, whose findings are checked here. boto3 decodes the
 * URL-encoded policy documents into dicts.
 */
class IamBoto3Test {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long TIMEOUT_SECONDS = 60;

    static TestCrossrole crossrole;
    static JsonNode out;
    static Path walkthrough;

    @BeforeAll
    static void run() throws Exception {
        crossrole = new TestCrossrole();
        walkthrough = Path.of(IamBoto3Test.class.getResource("/walkthrough/step1-identity-policy.json").toURI()).getParent();
        out = Boto3Script.run(crossrole, "/boto3/iam_walkthrough.py", TIMEOUT_SECONDS, walkthrough.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    static JsonNode document(String name) throws IOException {
        return JSON.readTree(walkthrough.resolve(name).toFile());
    }

    @Test
    void rolesAndPoliciesOfTheWalkthrough() throws Exception {
        JsonNode step1 = document("step1-identity-policy.json");
        JsonNode step2 = document("step2-trust-policy.json");
        JsonNode ecs = document("ecs-tasks-trust-policy.json");
        assertAll(
                () -> assertEquals(roleArn(SOURCE, "my-ECS-task-role"), out.path("taskRoleArn").asText()),
                // boto3 hands policy documents over as dicts (decoded from the URL-encoded text).
                () -> assertEquals(ecs, out.path("taskRoleTrust"), out.toString()),
                () -> assertEquals(step1, out.path("taskRolePolicy"), out.toString()),
                () -> assertEquals(roleArn(DESTINATION, "destination-account-role"), out.path("destinationRoleArn").asText()),
                () -> assertEquals(step2, out.path("destinationRoleTrust"), out.toString()),
                () -> assertEquals(3600, out.path("destinationRoleMaxSessionDuration").asInt()),
                () -> assertTrue(out.path("listedRoles").toString().contains("\"destination-account-role\""), out.toString()),
                () -> assertTrue(!out.path("listedRoles").toString().contains("my-ECS-task-role"), out.toString()));
    }

    @Test
    void errorsAsBoto3SeesThem() {
        assertAll(
                () -> assertEquals("MalformedPolicyDocument", out.path("invalidPrincipal").path("Code").asText(),
                        out.toString()),
                () -> assertEquals("Invalid principal in policy: \"AWS\":\"arn:aws:iam::1111222233334444:role/my-ECS-task-role\"",
                        out.path("invalidPrincipal").path("Message").asText()),
                () -> assertEquals(400, out.path("invalidPrincipal").path("Status").asInt()),
                () -> assertEquals("DeleteConflict", out.path("deleteConflict").path("Code").asText(), out.toString()),
                () -> assertEquals("Cannot delete entity, must delete policies first.",
                        out.path("deleteConflict").path("Message").asText()),
                () -> assertEquals(409, out.path("deleteConflict").path("Status").asInt()),
                () -> assertEquals("NoSuchEntity", out.path("noSuchRole").path("Code").asText(), out.toString()),
                () -> assertEquals("The role with name destination-account-role cannot be found.",
                        out.path("noSuchRole").path("Message").asText()),
                () -> assertEquals(404, out.path("noSuchRole").path("Status").asInt()));
    }
}
