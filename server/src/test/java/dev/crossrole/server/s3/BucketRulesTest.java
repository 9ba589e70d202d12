package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CORS origin and header matching, and the lifecycle's day arithmetic and filters, on their own. */
class BucketRulesTest {
    @Test
    void aWildcardStandsForAnyCharactersOnce() {
        assertTrue(BucketCors.wildcard("*", "https://anything", false));
        assertTrue(BucketCors.wildcard("https://*.example.com", "https://a.b.example.com", false));
        assertFalse(BucketCors.wildcard("https://*.example.com", "https://example.com", false));
        assertFalse(BucketCors.wildcard("https://app.example.com", "https://APP.example.com", false));
        assertTrue(BucketCors.wildcard("X-Amz-*", "x-amz-meta-a", true));
        assertFalse(BucketCors.wildcard("ab*ba", "aba", false), "head and tail may not overlap");
    }

    @Test
    void theFirstRuleAllowingOriginAndMethodGivesTheHeaders() {
        BucketCors cors = new BucketCors(List.of(
                new BucketCors.Rule(null, List.of("https://a.example"), List.of("PUT"), List.of(), List.of(), null),
                new BucketCors.Rule("any", List.of("*"), List.of("GET"), List.of(), List.of("ETag"), 5)));
        Map<String, String> headers = cors.actualHeaders("https://a.example", "GET");
        assertEquals("*", headers.get("Access-Control-Allow-Origin"));
        assertEquals("ETag", headers.get("Access-Control-Expose-Headers"));
        assertNull(headers.get("Access-Control-Allow-Credentials"), "a wildcard origin grants no credentials");
        assertEquals("https://a.example", cors.actualHeaders("https://a.example", "PUT")
                .get("Access-Control-Allow-Origin"));
        assertTrue(cors.actualHeaders("https://a.example", "DELETE").isEmpty());
    }

    @Test
    void daysRoundUpToTheNextMidnight() {
        assertEquals(Instant.parse("2026-01-03T00:00:00Z"),
                BucketLifecycle.afterDays(Instant.parse("2026-01-01T00:00:01Z"), 1));
        assertEquals(Instant.parse("2026-01-02T00:00:00Z"),
                BucketLifecycle.afterDays(Instant.parse("2026-01-01T00:00:00Z"), 1));
    }

    @Test
    void aFilterNeedsEveryCondition() {
        BucketLifecycle.Filter filter = new BucketLifecycle.Filter("logs/", Map.of("k", "v"), 10L, 100L, true,
                false);
        assertTrue(filter.matches(object("logs/a", 50, Map.of("k", "v", "other", "x"))));
        assertFalse(filter.matches(object("logs/a", 50, Map.of("k", "w"))));
        assertFalse(filter.matches(object("logs/a", 10, Map.of("k", "v"))), "greater than, strictly");
        assertFalse(filter.matches(object("logs/a", 100, Map.of("k", "v"))), "less than, strictly");
        assertFalse(filter.matches(object("data/a", 50, Map.of("k", "v"))));
    }

    private static StoredObject object(String key, long size, Map<String, String> tags) {
        return new StoredObject(key, "id", size, "\"e\"", Instant.EPOCH, Map.of(), Map.of(), Map.of(), tags, 0,
                List.of(), null, false);
    }
}
