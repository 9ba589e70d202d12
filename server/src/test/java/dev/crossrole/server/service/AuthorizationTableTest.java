package dev.crossrole.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.model.OperationModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every line of every provider's authorization table, held against AWS's Service Authorization Reference (copied
 * into {@code src/main/aws/service-authorization}): the action exists; its resource type is one the reference gives
 * the action, with an ARN format; an action the reference says needs a resource of some type is declared with one;
 * the members the ARN is built from are members of the operation's input; and every condition key is one the
 * reference lists for the action or its resource type, or a global {@code aws:} key.
 */
class AuthorizationTableTest {
    private static final Path REFERENCE = Path.of("src/main/aws/service-authorization");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Operations AWS runs without asking the policy engine, and why. */
    private static final Map<String, String> NEEDS_NO_PERMISSION = Map.of(
            "sts:GetSessionToken", "STS API Reference, GetSessionToken: no permissions are required to call it");

    @TempDir
    static Path dir;
    static CrossroleServer server;
    private static final Map<String, JsonNode> ACTIONS = new HashMap<>();
    private static final Map<String, JsonNode> RESOURCE_TYPES = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyDeclarationMatchesTheReference() throws IOException {
        List<String> wrong = new ArrayList<>();
        int lines = 0;
        for (OperationBindings<?> table : server.operationTables()) {
            for (OperationModel operation : table.implemented()) {
                String name = table.model().signingName() + ":" + operation.name();
                List<Authorization> declared = table.authorizations(operation);
                if (declared.isEmpty() && !NEEDS_NO_PERMISSION.containsKey(name)) {
                    wrong.add(name + " declares no authorization");
                }
                for (Authorization authorization : declared) {
                    lines++;
                    check(operation, authorization, wrong);
                }
            }
        }
        assertFalse(lines == 0, "no provider declared anything");
        assertEquals(List.of(), wrong, String.join("\n", wrong));
    }

    @Test
    void theCheckFindsWhatIsWrong() throws IOException {
        OperationModel assumeRole = dev.crossrole.server.model.ServiceModels.all().byId("sts").operation("AssumeRole");
        List<String> wrong = new ArrayList<>();
        check(assumeRole, Authorization.of("sts:AssumeRoles"), wrong);
        check(assumeRole, Authorization.of("sts:AssumeRole"), wrong);
        check(assumeRole, Authorization.of("sts:AssumeRole").on("user", "RoleArn"), wrong);
        check(assumeRole, Authorization.of("sts:AssumeRole").on("role", "RoleName"), wrong);
        check(assumeRole, Authorization.of("sts:AssumeRole").on("role", "RoleArn").keys("sts:Duration"), wrong);
        check(assumeRole, Authorization.of("sts:AssumeRole").on("role", "RoleArn").keys("sts:ExternalId",
                "aws:PrincipalTag/team", "iam:ResourceTag/${TagKey}"), wrong);
        assertEquals(5, wrong.size(), String.join("\n", wrong));
    }

    private static void check(OperationModel operation, Authorization authorization, List<String> wrong)
            throws IOException {
        String where = operation + " declares " + authorization.action();
        String[] parts = authorization.action().split(":", 2);
        JsonNode action = actions(parts[0]).get(parts[1].toLowerCase(Locale.ROOT));
        if (action == null || !action.path("name").asText().equals(parts[1])) {
            wrong.add(where + ": the reference has no such action");
            return;
        }
        Set<String> keys = new HashSet<>();
        action.path("conditionKeys").forEach(k -> keys.add(k.asText().toLowerCase(Locale.ROOT)));
        Set<String> types = new HashSet<>();
        Set<String> required = new HashSet<>();
        for (JsonNode type : action.path("resourceTypes")) {
            types.add(type.path("name").asText());
            if (type.path("required").asBoolean(false)) {
                required.add(type.path("name").asText());
            }
            type.path("conditionKeys").forEach(k -> keys.add(k.asText().toLowerCase(Locale.ROOT)));
        }
        String type = authorization.resourceType();
        if (type == null) {
            if (!required.isEmpty()) {
                wrong.add(where + " on *, but the reference requires a resource of type " + required);
            }
        } else {
            // The reference's resource-type files key types in lower case; actions name them as AWS spells them
            // (Secrets Manager's "Secret").
            JsonNode format = resourceTypes(parts[0]).has(type) ? resourceTypes(parts[0]).get(type)
                    : resourceTypes(parts[0]).get(type.toLowerCase(Locale.ROOT));
            if (!types.contains(type) || format == null || !format.hasNonNull("arn")) {
                wrong.add(where + " on '" + type + "', which the reference does not give the action (" + types + ")");
            } else {
                format.path("conditionKeys").forEach(k -> keys.add(k.asText().toLowerCase(Locale.ROOT)));
            }
        }
        for (String member : authorization.fromMembers()) {
            if (operation.input() == null || operation.input().member(member) == null) {
                wrong.add(where + ": its ARN is built from '" + member + "', which the input does not have");
            }
        }
        for (String key : authorization.conditionKeys()) {
            if (!key.startsWith("aws:") && !keys.contains(key.toLowerCase(Locale.ROOT))) {
                wrong.add(where + ": the condition key " + key + " is not the action's nor its resource's");
            }
        }
    }

    private static JsonNode actions(String service) throws IOException {
        JsonNode known = ACTIONS.get(service);
        if (known == null) {
            known = JSON.readTree(Files.readString(REFERENCE.resolve("actions").resolve(service + ".json")));
            ACTIONS.put(service, known);
        }
        return known;
    }

    private static JsonNode resourceTypes(String service) throws IOException {
        JsonNode known = RESOURCE_TYPES.get(service);
        if (known == null) {
            known = JSON.readTree(Files.readString(REFERENCE.resolve("resource-types").resolve(service + ".json")));
            RESOURCE_TYPES.put(service, known);
        }
        return known;
    }
}
