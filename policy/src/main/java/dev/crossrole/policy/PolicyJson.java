package dev.crossrole.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Bounded JSON reading for policy documents. Nesting depth and string lengths are capped so that a
 * hostile document fails fast with a syntax error instead of exhausting the stack or the heap.
 */
final class PolicyJson {
    /** A valid policy nests at most six levels (document, Statement array, statement, Condition, operator, values). */
    static final int MAX_DEPTH = 32;

    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(1 << 20)
                    .maxNumberLength(100)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    private PolicyJson() {}

    /** Parses one JSON value; {@code null} if the text is not exactly one well-formed JSON value within the bounds. */
    static JsonNode readOrNull(String text) {
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonNode node = MAPPER.readTree(parser);
            if (node == null || parser.nextToken() != null) {
                return null;
            }
            return node;
        } catch (IOException | RuntimeException e) {
            // Any failure to read, including constraint violations, is a syntax error of the document.
            return null;
        }
    }
}
