package dev.crossrole.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * AWS's CreatePolicy verdicts on 78 invalid and 54 valid documents (recorded by moto's authors;
 * see iam-policy-validation/README.md) must come out exactly as recorded.
 */
class ValidationCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode corpus() throws IOException {
        try (InputStream in = ValidationCorpusTest.class.getResourceAsStream(
                "/iam-policy-validation/iam-policy-validation-cases.json")) {
            return JSON.readTree(in);
        }
    }

    private static String text(JsonNode document) {
        return document.isTextual() ? document.textValue() : document.toString();
    }

    @Test
    void corpusHasTheRecordedSize() throws IOException {
        JsonNode corpus = corpus();
        assertEquals(78, corpus.get("invalid").size());
        assertEquals(54, corpus.get("valid").size());
    }

    @TestFactory
    Stream<DynamicTest> invalidDocumentsGetAwsMessages() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        JsonNode invalid = corpus().get("invalid");
        for (int i = 0; i < invalid.size(); i++) {
            JsonNode c = invalid.get(i);
            String document = text(c.get("document"));
            String expected = c.get("error_message").textValue();
            tests.add(DynamicTest.dynamicTest("invalid[" + i + "] " + expected, () -> {
                ValidationResult result = Policies.validate(document, PolicyKind.IDENTITY);
                assertTrue(!result.valid(), "expected invalid: " + document);
                assertEquals("MalformedPolicyDocument", result.error().code());
                assertEquals(400, result.error().httpStatus());
                assertEquals(expected, result.error().message(), document);
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> validDocumentsAreAccepted() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        JsonNode valid = corpus().get("valid");
        for (int i = 0; i < valid.size(); i++) {
            String document = text(valid.get(i));
            tests.add(DynamicTest.dynamicTest("valid[" + i + "]", () -> {
                ValidationResult result = Policies.validate(document, PolicyKind.IDENTITY);
                assertNull(result.error(), () -> document + " -> " + result.error());
                // Every valid document also compiles for evaluation.
                Policies.parse(document, PolicyKind.IDENTITY, "valid[" + 0 + "]");
            }));
        }
        return tests.stream();
    }
}
