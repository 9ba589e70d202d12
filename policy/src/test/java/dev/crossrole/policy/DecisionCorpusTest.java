package dev.crossrole.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The table-driven decision corpus: each case in {@code decision-cases/*.json} is a simulate input
 * written from AWS documentation (its {@code source} names the page) with the decision, the deciding
 * policy type and, for many denials, AWS's exact message. A case marked {@code "stored"} evaluates its
 * documents as read back from storage (see {@link Policies#parseStored}).
 */
class DecisionCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A fixed clock, so that cases without aws:CurrentTime are repeatable. */
    static final PolicyEngine ENGINE = new PolicyEngine(Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC));

    record Case(String file, JsonNode node) {
        String id() {
            return node.get("id").asText();
        }
    }

    static List<Case> cases() throws IOException, URISyntaxException {
        Path dir = Path.of(DecisionCorpusTest.class.getResource("/decision-cases").toURI());
        List<Case> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode root = JSON.readTree(file.toFile());
                for (JsonNode c : root.get("cases")) {
                    out.add(new Case(file.getFileName().toString(), c));
                }
            }
        }
        return out;
    }

    @Test
    void corpusIsLargeUniqueAndSourced() throws Exception {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 250, "at least 250 cases, found " + cases.size());
        Set<String> ids = new HashSet<>();
        for (Case c : cases) {
            assertTrue(ids.add(c.id()), "duplicate id " + c.id());
            assertFalse(c.node().path("source").asText().isBlank(), c.id() + " names no source");
        }
    }

    @TestFactory
    Stream<DynamicContainer> everyCaseDecidesAsDocumented() throws Exception {
        List<DynamicContainer> files = new ArrayList<>();
        String current = null;
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases()) {
            if (!c.file().equals(current)) {
                if (current != null) {
                    files.add(DynamicContainer.dynamicContainer(current, tests));
                }
                current = c.file();
                tests = new ArrayList<>();
            }
            tests.add(DynamicTest.dynamicTest(c.id() + ": " + c.node().path("description").asText(), () -> check(c)));
        }
        if (current != null) {
            files.add(DynamicContainer.dynamicContainer(current, tests));
        }
        return files.stream();
    }

    private static void check(Case c) throws Exception {
        JsonNode expect = c.node().get("expect");
        // A "stored" case holds documents as crossrole reads them back from storage: accepted when written,
        // before a rule that now refuses them was added.
        PolicyValidator.Rules rules = c.node().path("stored").asBoolean(false) ? PolicyValidator.Rules.STORED
                : PolicyValidator.Rules.CUSTOMER;
        Decision decision = Simulation.fromJson(c.node().get("input"), rules).decide(ENGINE);
        String trace = "\n" + decision.explanation().toText(decision);
        assertEquals(expect.get("decision").asText(), decision.outcome().wireName(), c.id() + trace);
        if (expect.has("decidedBy")) {
            assertEquals(expect.get("decidedBy").asText(),
                    decision.decidedBy() == null ? null : decision.decidedBy().cliName(), c.id() + trace);
        }
        if (expect.has("message")) {
            assertEquals(expect.get("message").asText(), decision.accessDeniedMessage(), c.id() + trace);
        }
    }
}
