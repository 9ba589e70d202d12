package dev.crossrole.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server's clock: the configured clock plus an offset an administrator moves forward
 * ({@code POST /_crossrole/clock?advance=P31D}, {@code crossrole clock advance 31d}), so what AWS does after days —
 * lifecycle expirations, credentials and sessions expiring, retention — can be tried in seconds. Only forward: every
 * record already stored was made at an earlier time, and time going back would make it the future.
 */
public final class AdjustableClock extends Clock {
    private final Clock base;
    private final AtomicReference<Duration> offset;

    public AdjustableClock(Clock base) {
        this(base, new AtomicReference<>(Duration.ZERO));
    }

    private AdjustableClock(Clock base, AtomicReference<Duration> offset) {
        this.base = base;
        this.offset = offset;
    }

    /** Moves the clock forward by {@code amount} (positive); returns the new offset from the configured clock. */
    public Duration advance(Duration amount) {
        if (amount.isNegative() || amount.isZero()) {
            throw new IllegalArgumentException("the clock only moves forward");
        }
        return offset.accumulateAndGet(amount, Duration::plus);
    }

    /** The configured clock, without the offset: the real time, which clients sign requests with. */
    public Clock base() {
        return base;
    }

    /** How far this clock is ahead of the configured one. */
    public Duration offset() {
        return offset.get();
    }

    @Override
    public Instant instant() {
        return base.instant().plus(offset.get());
    }

    @Override
    public long millis() {
        return instant().toEpochMilli();
    }

    @Override
    public ZoneId getZone() {
        return base.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new AdjustableClock(base.withZone(zone), offset);
    }
}
