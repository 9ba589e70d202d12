package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KMS, Secrets Manager, Parameter Store, CloudWatch Logs and ECR with boto3 ({@code python3} on PATH, botocore
 * honouring {@code AWS_ENDPOINT_URL}): one Python run ({@code boto3/data_services.py}), whose findings — values read
 * back, boto3's paginators, and the errors boto3 parsed — are checked here.
 */
class DataServicesBoto3Test {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long TIMEOUT_SECONDS = 90;

    static TestCrossrole crossrole;
    static JsonNode out;

    @BeforeAll
    static void run() throws Exception {
        crossrole = new TestCrossrole();
        out = Boto3Script.run(crossrole, "/boto3/data_services.py", TIMEOUT_SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    private static JsonNode error(int status, String code) {
        return JSON.createObjectNode().put("code", code).put("status", status);
    }

    private static JsonNode withoutMessage(JsonNode error) {
        return error.isObject() ? ((com.fasterxml.jackson.databind.node.ObjectNode) error.deepCopy()).without("message")
                : error;
    }

    @Test
    void kmsEncryptsUnderItsContext() {
        assertAll(
                () -> assertEquals("hello", out.path("kmsDecrypted").asText()),
                () -> assertEquals(error(400, "InvalidCiphertextException"), withoutMessage(out.path("kmsWrongContext"))));
    }

    @Test
    void secretsKeepTheirStagesAndBatchesReportEachSecret() {
        assertAll(
                () -> assertEquals("q", out.path("secretCurrent").asText()),
                () -> assertEquals("p", out.path("secretPrevious").asText()),
                () -> assertEquals(1, out.path("secretBatch").path("values").asInt()),
                () -> assertEquals("[\"ResourceNotFoundException\"]", out.path("secretBatch").path("errors").toString()));
    }

    @Test
    void parametersDecryptAndPageByPath() {
        assertAll(
                () -> assertEquals("t0k3n", out.path("parameterDecrypted").asText()),
                () -> assertEquals("[\"/boto3/app/host\",\"/boto3/app/token\"]", out.path("parametersByPath").toString()),
                () -> assertEquals(error(400, "ParameterNotFound"), withoutMessage(out.path("parameterMissing"))));
    }

    @Test
    void logsFilterThroughBoto3sPaginator() {
        assertAll(
                () -> assertEquals(JSON.valueToTree(List.of("line 1 ERROR", "line 3 ERROR")), out.path("logEventsPaged")),
                () -> assertEquals("arn:aws:logs:us-east-1:" + SOURCE + ":log-group:/boto3/app:*",
                        out.path("logGroupArn").asText()),
                () -> assertEquals("The specified log stream does not exist.",
                        out.path("logsMissingStream").path("message").asText()),
                () -> assertEquals(error(400, "ResourceNotFoundException"),
                        withoutMessage(out.path("logsMissingStream"))));
    }

    @Test
    void ecrRepositoriesAndTokens() {
        assertAll(
                () -> assertEquals(SOURCE + ".dkr.ecr.us-east-1.amazonaws.com/boto3/app",
                        out.path("ecrRepositoryUri").asText()),
                () -> assertEquals("AWS", out.path("ecrTokenUser").asText()),
                () -> assertEquals(error(400, "RepositoryNotFoundException"), withoutMessage(out.path("ecrMissing"))));
    }
}
