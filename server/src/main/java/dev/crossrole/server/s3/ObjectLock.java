package dev.crossrole.server.s3;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The Object Lock settings of one object version: its retention (mode and retain-until date) and its legal hold.
 * Each is kept as it was put, and a retention whose date has passed protects nothing (S3 leaves it in place).
 *
 * @param mode {@code GOVERNANCE} or {@code COMPLIANCE}; {@code null} when the version has no retention
 * @param retainUntil until when the retention protects the version; {@code null} exactly when {@code mode} is
 * @param legalHold {@code ON} or {@code OFF} once a legal hold was put on the version; {@code null} when never
 */
public record ObjectLock(String mode, Instant retainUntil, String legalHold) {
    static final String GOVERNANCE = "GOVERNANCE";
    static final String COMPLIANCE = "COMPLIANCE";
    static final String ON = "ON";
    static final String OFF = "OFF";

    /** S3's words when a lock refuses a delete or a change of retention (versity/versitygw#1330, noobaa-core#9420). */
    static final String PROTECTED = "Access Denied because object protected by object lock.";

    /** How S3 writes the retain-until date in headers and condition keys: ISO 8601 with milliseconds. */
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** The version with nothing of its lock set: stored as no lock at all. */
    static ObjectLock orNull(String mode, Instant retainUntil, String legalHold) {
        return mode == null && legalHold == null ? null : new ObjectLock(mode, retainUntil, legalHold);
    }

    boolean hasRetention() {
        return mode != null;
    }

    /** Whether the retention still protects the version at {@code now}. */
    boolean retained(Instant now) {
        return mode != null && retainUntil.isAfter(now);
    }

    boolean held() {
        return ON.equals(legalHold);
    }

    /** Whether the version may not be deleted at {@code now}, unless {@code bypass} lifts a GOVERNANCE retention. */
    boolean protects(Instant now, boolean bypass) {
        return held() || (retained(now) && !(bypass && mode.equals(GOVERNANCE)));
    }

    ObjectLock withRetention(String newMode, Instant newRetainUntil) {
        return orNull(newMode, newRetainUntil, legalHold);
    }

    ObjectLock withLegalHold(String status) {
        return orNull(mode, retainUntil, status);
    }

    /** The retain-until date as S3 writes it. */
    static String format(Instant date) {
        return DATE.format(date.truncatedTo(ChronoUnit.MILLIS));
    }

    /**
     * Days left until {@code date}, a part of a day counting as one (0 once it passed), for
     * {@code s3:object-lock-remaining-retention-days}.
     */
    static long remainingDays(Instant date, Instant now) {
        if (!date.isAfter(now)) {
            return 0;
        }
        long seconds = Duration.between(now, date).toSeconds();
        return (seconds + 86_399) / 86_400;
    }
}
