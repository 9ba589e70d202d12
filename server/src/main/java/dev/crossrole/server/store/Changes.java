package dev.crossrole.server.store;

import java.util.List;

/** The records changed after some revision, and the revision a reader is at once it has applied them. */
public record Changes(long revision, List<StoredRecord> records) {
    public Changes {
        records = List.copyOf(records);
    }
}
