package dev.crossrole.server.cloudtrail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModels;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.OperationInput;
import dev.crossrole.server.protocol.QueryParams;
import dev.crossrole.server.protocol.Shape;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A call's parameters and answer as an event writes them: lower camel case, every secret hidden. */
class RequestParametersTest {
    private static final String HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";

    private static Input json(String service, String operation, String body) {
        OperationModel model = ServiceModels.all().byId(service).operation(operation);
        return OperationInput.fromJson(model, body.getBytes(StandardCharsets.UTF_8), "ValidationException");
    }

    private static Input query(String service, String operation, String form) {
        OperationModel model = ServiceModels.all().byId(service).operation(operation);
        return OperationInput.fromQuery(model, QueryParams.parse(form), "ValidationError");
    }

    @Test
    void aSecretStringIsHiddenAndTheRestKept() {
        ObjectNode parameters = RequestParameters.of(json("secretsmanager", "CreateSecret",
                "{\"Name\":\"db\",\"SecretString\":\"hunter2\",\"Tags\":[{\"Key\":\"team\",\"Value\":\"a\"}]}"));
        assertEquals("db", parameters.get("name").asText());
        assertEquals(HIDDEN, parameters.get("secretString").asText());
        assertEquals("team", parameters.get("tags").get(0).get("key").asText());
        assertFalse(parameters.toString().contains("hunter2"));
    }

    @Test
    void aLoginProfilesPasswordIsHidden() {
        ObjectNode parameters = RequestParameters.of(query("iam", "CreateLoginProfile",
                "Action=CreateLoginProfile&Version=2010-05-08&UserName=bob&Password=Sup3r-Secret%21&"
                        + "PasswordResetRequired=true"));
        assertEquals("bob", parameters.get("userName").asText());
        assertEquals(HIDDEN, parameters.get("password").asText());
        assertTrue(parameters.get("passwordResetRequired").asBoolean());
        assertFalse(parameters.toString().contains("Sup3r"));
    }

    @Test
    void aSensitiveShapeIsHiddenWhateverItsMemberIsCalled() {
        // SSM's parameter values are sensitive in its model; the member's name says nothing of it.
        ObjectNode parameters = RequestParameters.of(json("ssm", "PutParameter",
                "{\"Name\":\"/app/db\",\"Value\":\"s3cret\",\"Type\":\"SecureString\"}"));
        assertEquals(HIDDEN, parameters.get("value").asText());
        assertEquals("SecureString", parameters.get("type").asText());
    }

    @Test
    void stsCredentialsAnsweredAreHiddenButTheirKeyIdAndExpiration() {
        OperationModel assumeRole = ServiceModels.all().byId("sts").operation("AssumeRole");
        Shape credentials = Shape.of().put("AccessKeyId", "ASIAEXAMPLE").put("SecretAccessKey", "wJalr-secret")
                .put("SessionToken", "sealed-token").put("Expiration", Instant.parse("2026-01-01T00:00:00Z"));
        Shape output = Shape.of().put("Credentials", credentials).put("AssumedRoleUser", Shape.of()
                .put("Arn", "arn:aws:sts::111122223333:assumed-role/r/s").put("AssumedRoleId", "AROAX:s"));
        ObjectNode answer = RequestParameters.of(output, assumeRole.output());
        assertEquals("ASIAEXAMPLE", answer.get("credentials").get("accessKeyId").asText());
        assertEquals(HIDDEN, answer.get("credentials").get("secretAccessKey").asText());
        assertEquals(HIDDEN, answer.get("credentials").get("sessionToken").asText());
        assertEquals("2026-01-01T00:00:00Z", answer.get("credentials").get("expiration").asText());
        assertEquals("AROAX:s", answer.get("assumedRoleUser").get("assumedRoleId").asText());
        assertFalse(answer.toString().contains("wJalr") || answer.toString().contains("sealed-token"));
    }

    @Test
    void credentialsAreHiddenByNameWhateverTheModelsCapitalization() {
        OperationModel token = ServiceModels.all().byId("ecr").operation("GetAuthorizationToken");
        Shape output = Shape.of().put("authorizationData", List.of(Shape.of()
                .put("authorizationToken", "QVdTOnNlY3JldA==").put("proxyEndpoint", "https://registry")));
        ObjectNode answer = RequestParameters.of(output, token.output());
        assertEquals(HIDDEN, answer.get("authorizationData").get(0).get("authorizationToken").asText());
        assertEquals("https://registry", answer.get("authorizationData").get(0).get("proxyEndpoint").asText());
        assertTrue(RequestParameters.secret("tokenValue") && RequestParameters.secret("SessionToken"));
        assertFalse(RequestParameters.secret("sessionId") || RequestParameters.secret(""));
    }

    @Test
    void binaryValuesAreLeftOutAndAPlaintextHidden() {
        ObjectNode encrypt = RequestParameters.of(json("kms", "Encrypt",
                "{\"KeyId\":\"alias/a\",\"Plaintext\":\"aGVsbG8=\"}"));
        assertEquals("alias/a", encrypt.get("keyId").asText());
        assertEquals(HIDDEN, encrypt.get("plaintext").asText());
        ObjectNode decrypt = RequestParameters.of(json("kms", "Decrypt",
                "{\"KeyId\":\"alias/a\",\"CiphertextBlob\":\"aGVsbG8=\"}"));
        assertFalse(decrypt.has("ciphertextBlob"), decrypt.toString());
        assertNull(RequestParameters.of(json("sqs", "ListQueues", "{}")));
    }
}
