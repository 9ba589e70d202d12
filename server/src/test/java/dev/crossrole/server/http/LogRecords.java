package dev.crossrole.server.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/** What was logged at or above a level while attached to a logger: the listener tests' view of the log. */
final class LogRecords extends Handler {
    private final Level least;
    final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogRecords(Level least) {
        this.least = least;
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= least.intValue()) {
            records.add(record);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
