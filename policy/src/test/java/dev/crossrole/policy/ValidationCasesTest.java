package dev.crossrole.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Write-time verdicts by policy kind, written from AWS documentation and recorded answers (each case's
 * {@code source}): a document of a kind is either accepted, or refused with the code, status, message and
 * location AWS's service for that kind answers with. The recorded CreatePolicy corpus
 * ({@link ValidationCorpusTest}) covers identity policies; these cases cover what it does not.
 */
class ValidationCasesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> cases() throws IOException, URISyntaxException {
        Path dir = Path.of(ValidationCasesTest.class.getResource("/validation-cases").toURI());
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JSON.readTree(file.toFile()).get("cases").forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void casesAreUniqueAndSourced() throws Exception {
        Set<String> ids = new HashSet<>();
        for (JsonNode c : cases()) {
            assertTrue(ids.add(c.get("id").asText()), "duplicate id " + c.get("id"));
            assertFalse(c.path("source").asText().isBlank(), c.get("id") + " names no source");
            assertNotNull(PolicyKind.fromCliName(c.path("kind").asText()), c.get("id") + " names no kind");
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCaseIsJudgedAsDocumented() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases()) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText() + ": " + c.get("description").asText(), () -> check(c)));
        }
        return tests.stream();
    }

    private static void check(JsonNode c) throws InvalidPolicyException {
        String id = c.get("id").asText();
        PolicyKind kind = PolicyKind.fromCliName(c.get("kind").asText());
        String document = c.get("document").toString();
        JsonNode expect = c.get("expect");
        Diagnostic error = Policies.validate(document, kind).error();
        if (expect.path("valid").asBoolean(false)) {
            assertNull(error, () -> id + ": " + error);
            Policies.parse(document, kind, id);
            return;
        }
        assertNotNull(error, id + ": expected " + expect);
        assertEquals(expect.get("code").asText(), error.code(), id);
        assertEquals(expect.get("status").asInt(), error.httpStatus(), id);
        assertEquals(expect.get("message").asText(), error.message(), id);
        assertEquals(expect.get("location").asText(), error.location(), id);
        assertEquals(expect.has("detail") ? expect.get("detail").asText() : null, error.detail(), id);
    }
}
