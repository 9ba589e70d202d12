package dev.crossrole.server.requestlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RequestLogTest {
    private static RecordedRequest request(int n) {
        return new RecordedRequest("id-" + n, Instant.EPOCH, "sts", "GetCallerIdentity", null, null, null, null, 200,
                null, null, n);
    }

    @Test
    void theLastCapacityRequestsAreFoundByIdAndOlderOnesAreGone() {
        RequestLog log = new RequestLog(5);
        for (int n = 1; n <= 12; n++) {
            log.record(request(n));
        }
        for (int n = 8; n <= 12; n++) {
            assertEquals(n, log.find("id-" + n).orElseThrow().durationMicros());
        }
        for (int n = 1; n <= 7; n++) {
            assertTrue(log.find("id-" + n).isEmpty(), "evicted: id-" + n);
        }
        assertTrue(log.find("id-13").isEmpty());
        assertEquals(List.of("id-12", "id-11", "id-10"),
                log.recent(3).stream().map(RecordedRequest::requestId).collect(Collectors.toList()));
    }

    @Test
    void anEmptyLogFindsNothing() {
        RequestLog log = new RequestLog(3);
        assertTrue(log.find("id-1").isEmpty());
        assertTrue(log.recent(10).isEmpty());
    }
}
