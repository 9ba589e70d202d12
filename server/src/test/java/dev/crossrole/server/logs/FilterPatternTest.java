package dev.crossrole.server.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FilterPatternTest {
    private static boolean matches(String pattern, String message) throws FilterPattern.Invalid {
        return FilterPattern.parse(pattern).matches(message);
    }

    @Test
    void emptyPatternsMatchEverything() throws Exception {
        assertTrue(matches("", "anything"));
        assertTrue(matches("\"\"", "anything"));
        assertTrue(matches(null, "anything"));
    }

    @Test
    void termsMatchWholeWordsCaseSensitively() throws Exception {
        assertTrue(matches("ERROR", "[ERROR] disk full"));
        assertFalse(matches("ERROR", "ERRORS happened"));
        assertFalse(matches("error", "[ERROR] disk full"));
        assertTrue(matches("ERROR disk", "[ERROR] disk full"));
        assertFalse(matches("ERROR network", "[ERROR] disk full"));
        assertFalse(matches("AUTHORIZED", "[ERROR 401] UNAUTHORIZED REQUEST"));
    }

    @Test
    void anyAndExcludedTerms() throws Exception {
        assertTrue(matches("?ERROR ?WARN", "WARN low memory"));
        assertFalse(matches("?ERROR ?WARN", "INFO fine"));
        assertTrue(matches("ERROR -Retry", "ERROR timeout"));
        assertFalse(matches("ERROR -Retry", "ERROR timeout, Retry 2"));
        assertTrue(matches("-DEBUG", "INFO started"));
    }

    @Test
    void quotedPhrasesAndRegularExpressions() throws Exception {
        assertTrue(matches("\"Internal Server Error\"", "500 Internal Server Error at /x"));
        assertFalse(matches("\"Internal Server Error\"", "Internal Error"));
        assertTrue(matches("\"user=alice\"", "login user=alice ok"));
        assertTrue(matches("%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST"));
        assertTrue(matches("%^[hc]at%", "hat on"));
        assertFalse(matches("%^[hc]at%", "the cat"));
    }

    @Test
    void jsonSelectors() throws Exception {
        String event = "{\"level\":\"ERROR\",\"latency\":250,\"user\":{\"id\":\"u-17\"},\"retry\":true,"
                + "\"tags\":[\"a\",\"b\"],\"gone\":null}";
        assertTrue(matches("{ $.level = \"ERROR\" }", event));
        assertTrue(matches("{ $.level = ERR* }", event));
        assertFalse(matches("{ $.level != \"ERROR\" }", event));
        assertTrue(matches("{ $.latency > 200 && $.user.id = \"u-17\" }", event));
        assertFalse(matches("{ $.latency > 300 }", event));
        assertTrue(matches("{ ($.latency > 300 || $.retry IS TRUE) && $.tags[1] = \"b\" }", event));
        assertTrue(matches("{ $.gone IS NULL }", event));
        assertTrue(matches("{ $.missing NOT EXISTS }", event));
        assertFalse(matches("{ $.level NOT EXISTS }", event));
        assertFalse(matches("{ $.level = \"ERROR\" }", "level=ERROR not json"));
    }

    @Test
    void spaceDelimitedFields() throws Exception {
        String line = "127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] \"GET /index.html HTTP/1.0\" 404 1534";
        assertTrue(matches("[ip, user, username, timestamp, request, status_code = 4*, bytes]", line));
        assertFalse(matches("[ip, user, username, timestamp, request, status_code = 5*, bytes]", line));
        assertTrue(matches("[ip, ..., status_code = 404, bytes > 1000]", line));
        assertFalse(matches("[ip, user, status]", line));
        Map<String, String> fields = FilterPattern.parse("[ip, ..., status, bytes]").extracted(line);
        assertEquals("127.0.0.1", fields.get("$ip"));
        assertEquals("404", fields.get("$status"));
        assertEquals(List.of("a", "b c", "d e", "f"), FilterPattern.messageFields("a [b c] \"d e\" f"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"user=alice", "{ $.level = }", "{ level = 1 }", "{ $.a > 1", "[a, b", "%abc", "? x",
        "%(a|b)%", "?ERROR WARN", "{ $.a IS MAYBE }", "[a, , b]"})
    void malformedPatternsAreRefused(String pattern) {
        assertThrows(FilterPattern.Invalid.class, () -> FilterPattern.parse(pattern));
    }
}
