package dev.crossrole.server.cloudtrail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.AdjustableClock;
import dev.crossrole.server.store.StateSync;
import dev.crossrole.server.store.Store;
import dev.crossrole.server.store.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event history in the store: lookups newest first by account, pages, retention, the bound, restarts. */
class EventHistoryTest {
    private static final String A = "111122223333";
    private static final String B = "555566667777";
    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path dir;
    private final AdjustableClock clock = new AdjustableClock(Clock.fixed(START, ZoneOffset.UTC));
    private Store store;
    private EventHistory history;

    private EventHistory open(Duration retention, long maxEvents) {
        if (store != null) {
            store.close();
        }
        store = Stores.embedded(dir);
        StateSync sync = new StateSync(store);
        history = new EventHistory(sync, clock, retention, maxEvents, store::read);
        sync.register(history);
        sync.load();
        return history;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private static TrailEvent event(String account, long secondsAfterStart, String name) {
        return new TrailEvent(account, START.plusSeconds(secondsAfterStart).toEpochMilli(),
                name + "-" + account + "-" + secondsAfterStart, name, "sqs.amazonaws.com", "us-east-1",
                name.startsWith("List"), "AKIAEXAMPLE", "alice", List.of(), "{\"eventName\":\"" + name + "\"}");
    }

    private List<String> names(EventHistory.Page page) {
        return page.events().stream().map(TrailEvent::eventName).toList();
    }

    private EventHistory.Page all(String account, TrailEvent after, int limit) {
        return history.lookup(account, Long.MIN_VALUE, Long.MAX_VALUE, e -> true, after, limit);
    }

    @Test
    void anAccountSeesItsEventsNewestFirstWhetherWrittenOrQueued() {
        open(Duration.ofDays(90), 1000);
        history.add(event(A, 1, "CreateQueue"));
        history.add(event(B, 2, "DeleteQueue"));
        history.write();
        history.add(event(A, 3, "TagQueue"));
        assertEquals(List.of("TagQueue", "CreateQueue"), names(all(A, null, 50)));
        assertEquals(List.of("DeleteQueue"), names(all(B, null, 50)));
        assertEquals(2, history.storedEvents());
    }

    @Test
    void pagesFollowEachOtherWithoutGapOrRepeatAcrossBatches() {
        open(Duration.ofDays(90), 1000);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            history.add(event(A, i % 7 * 10 + i, "Op" + i)); // batches overlap in time
            if (i % 5 == 4) {
                history.write();
            }
        }
        List<TrailEvent> every = new ArrayList<>(all(A, null, 50).events());
        assertEquals(23, every.size());
        for (int i = 1; i < every.size(); i++) {
            assertTrue(TrailEvent.newestFirst(every.get(i - 1), every.get(i)) < 0, "newest first at " + i);
        }
        every.forEach(e -> expected.add(e.eventName()));
        List<String> paged = new ArrayList<>();
        TrailEvent after = null;
        int pages = 0;
        while (true) {
            EventHistory.Page page = all(A, after, 4);
            paged.addAll(names(page));
            pages++;
            if (!page.more()) {
                break;
            }
            after = page.events().get(page.events().size() - 1);
        }
        assertEquals(expected, paged);
        assertEquals(6, pages);
    }

    @Test
    void aRecordsSummaryTellsWhatItHoldsWithoutItsEvents() {
        List<TrailEvent> events = List.of(event(A, 5, "A1"), event(B, 2, "B1"), event(A, 9, "A2"));
        byte[] record = EventHistory.encode(events);
        EventHistory.BatchInfo info = EventHistory.summary("k", record);
        assertEquals(START.plusSeconds(2).toEpochMilli(), info.earliest);
        assertEquals(START.plusSeconds(9).toEpochMilli(), info.latest);
        assertEquals(3, info.count);
        assertEquals(java.util.Set.of(A, B), info.recipients);
        assertEquals(events, EventHistory.decode(record));
    }

    @Test
    void aTimeRangeAndAFilterNarrowTheLookup() {
        open(Duration.ofDays(90), 1000);
        history.add(event(A, 10, "CreateQueue"));
        history.add(event(A, 20, "ListQueues"));
        history.add(event(A, 30, "CreateQueue"));
        history.write();
        long from = START.plusSeconds(15).toEpochMilli();
        long to = START.plusSeconds(30).toEpochMilli();
        assertEquals(List.of("CreateQueue", "ListQueues"), names(history.lookup(A, from, to, e -> true, null, 50)));
        assertEquals(List.of("ListQueues"), names(history.lookup(A, Long.MIN_VALUE, Long.MAX_VALUE,
                TrailEvent::readOnly, null, 50)));
    }

    @Test
    void eventsSurviveARestart() {
        open(Duration.ofDays(90), 1000);
        history.add(event(A, 1, "CreateQueue"));
        history.write();
        open(Duration.ofDays(90), 1000);
        assertEquals(List.of("CreateQueue"), names(all(A, null, 50)));
        assertEquals(1, history.storedEvents());
        assertEquals(event(A, 1, "CreateQueue"), all(A, null, 50).events().get(0), "every field read back as written");
    }

    @Test
    void retentionLetsOldEventsGoByTheServersClock() {
        open(Duration.ofDays(90), 1000);
        history.add(event(A, 0, "Old"));
        history.write();
        clock.advance(Duration.ofDays(60));
        history.add(new TrailEvent(A, clock.millis(), "new-id", "New", "sqs.amazonaws.com", "us-east-1", false,
                null, null, List.of(), "{}"));
        history.write();
        clock.advance(Duration.ofDays(31));
        // Past retention it is not shown even before the writer deletes it; then it is deleted from the store.
        assertEquals(List.of("New"), names(all(A, null, 50)));
        assertEquals(2, history.storedEvents());
        history.write();
        assertEquals(1, history.storedEvents());
        open(Duration.ofDays(90), 1000);
        assertEquals(List.of("New"), names(all(A, null, 50)));
    }

    @Test
    void theBoundOnEventsLetsTheOldestBatchesGo() {
        open(Duration.ofDays(90), 4);
        for (int i = 0; i < 6; i++) {
            history.add(event(A, i, "Op" + i));
            history.add(event(A, i, "Again" + i));
            history.write();
        }
        assertTrue(history.storedEvents() <= 4, "kept " + history.storedEvents());
        assertEquals(List.of("Op5", "Op4", "Again5", "Again4").stream().sorted().toList(),
                names(all(A, null, 50)).stream().sorted().toList());
    }

    @Test
    void aRetentionOfZeroKeepsNothing() {
        open(Duration.ZERO, 1000);
        history.add(event(A, 1, "CreateQueue"));
        history.write();
        assertFalse(all(A, null, 50).more());
        assertEquals(List.of(), names(all(A, null, 50)));
        assertEquals(0, history.storedEvents());
    }
}
