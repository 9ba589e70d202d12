package dev.crossrole.server.requestlog;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The most recent requests, kept in a fixed-size ring so memory stays bounded under load; looked
 * up by request id for {@code crossrole why} and {@code GET /_crossrole/requests/{id}}. A lookup reads the ring,
 * newest first (tens of microseconds for 10,000 records): recording is on every request's path and lookups are a
 * person's, so no index by id is kept up to date on each request.
 */
public final class RequestLog {
    private final AtomicReferenceArray<RecordedRequest> ring;
    private final AtomicLong next = new AtomicLong();

    public RequestLog(int capacity) {
        this.ring = new AtomicReferenceArray<>(capacity);
    }

    public void record(RecordedRequest request) {
        int slot = (int) (next.getAndIncrement() % ring.length());
        ring.set(slot, request);
    }

    public Optional<RecordedRequest> find(String requestId) {
        long end = next.get();
        for (long i = end - 1; i >= 0 && i >= end - ring.length(); i--) {
            RecordedRequest r = ring.get((int) (i % ring.length()));
            if (r != null && r.requestId().equals(requestId)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Up to {@code limit} requests, newest first. */
    public List<RecordedRequest> recent(int limit) {
        return recent(limit, r -> true);
    }

    /** Up to {@code limit} of the requests {@code wanted} accepts, newest first. */
    public List<RecordedRequest> recent(int limit, java.util.function.Predicate<RecordedRequest> wanted) {
        List<RecordedRequest> out = new ArrayList<>();
        long end = next.get();
        for (long i = end - 1; i >= 0 && i >= end - ring.length() && out.size() < limit; i--) {
            RecordedRequest r = ring.get((int) (i % ring.length()));
            if (r != null && wanted.test(r)) {
                out.add(r);
            }
        }
        return out;
    }
}
