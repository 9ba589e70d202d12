package dev.crossrole.policy;

import java.math.BigInteger;
import java.util.Locale;

/**
 * The date check IAM applies to Date-operator values when a policy is saved ("legacy parsing"): an
 * epoch-seconds integer from 0 to 2^63-1, or an ISO-8601-like date whose year lies in Java's
 * {@code Date} range (-292275054 to 292278993) and whose fields are in range. Field counts may be
 * partial ({@code 01T} is accepted), as AWS accepts them.
 */
final class LegacyDates {
    private static final BigInteger MAX_EPOCH = BigInteger.valueOf(Long.MAX_VALUE);

    private LegacyDates() {}

    static boolean acceptable(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.indexOf('t') >= 0 || lower.indexOf('-') >= 0) {
            return isoAcceptable(lower);
        }
        BigInteger epoch = integer(lower);
        return epoch != null && epoch.signum() >= 0 && epoch.compareTo(MAX_EPOCH) <= 0;
    }

    private static boolean isoAcceptable(String text) {
        int t = text.indexOf('t');
        String date = t < 0 ? text : text.substring(0, t);
        String time = t < 0 ? "" : text.substring(t + 1);
        boolean negativeYear = date.startsWith("-");
        String[] dateParts = (negativeYear ? date.substring(1) : date).split("-", -1);
        if (dateParts.length > 3) {
            return false;
        }
        BigInteger year = integer((negativeYear ? "-" : "") + dateParts[0]);
        if (year == null || year.compareTo(BigInteger.valueOf(-292275054)) < 0
                || year.compareTo(BigInteger.valueOf(292278993)) > 0) {
            return false;
        }
        if (dateParts.length > 1 && !inRange(dateParts[1], 1, 12)) {
            return false;
        }
        if (dateParts.length > 2 && !inRange(dateParts[2], 1, 31)) {
            return false;
        }
        String[] timeParts = time.split(":", -1);
        if (!timeParts[0].isEmpty() && !inRange(timeParts[0], 0, 23)) {
            return false;
        }
        if (timeParts.length > 1 && !inRange(timeParts[1], 0, 59)) {
            return false;
        }
        if (timeParts.length > 2) {
            String seconds = timeParts[2];
            String zone = null;
            int z = seconds.indexOf('z');
            int plus = seconds.indexOf('+');
            int minus = seconds.indexOf('-');
            if (z >= 0) {
                if (z != seconds.length() - 1) {
                    return false;
                }
                seconds = seconds.substring(0, z);
            } else if (plus >= 0 || minus >= 0) {
                int sign = plus >= 0 ? plus : minus;
                zone = seconds.substring(sign + 1);
                seconds = seconds.substring(0, sign);
            }
            if (zone != null) {
                // A zone written "+hh:mm" arrives split: its minutes are the next time part.
                String zoneHours = zone;
                String zoneMinutes = timeParts.length > 3 ? timeParts[3] : null;
                if (zoneHours.length() != 2 || !inRange(zoneHours, 0, 23)) {
                    return false;
                }
                if (zoneMinutes != null && (zoneMinutes.length() != 2 || !inRange(zoneMinutes, 0, 59))) {
                    return false;
                }
            }
            int dot = seconds.indexOf('.');
            String whole = dot < 0 ? seconds : seconds.substring(0, dot);
            if (!inRange(whole, 0, 59)) {
                return false;
            }
            if (dot >= 0 && !inRange(seconds.substring(dot + 1), 0, 999_999_999)) {
                return false;
            }
        }
        return true;
    }

    private static boolean inRange(String digits, long min, long max) {
        BigInteger value = integer(digits);
        return value != null && value.compareTo(BigInteger.valueOf(min)) >= 0
                && value.compareTo(BigInteger.valueOf(max)) <= 0;
    }

    private static BigInteger integer(String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty() || trimmed.length() > 40) {
            return null;
        }
        int start = trimmed.charAt(0) == '-' || trimmed.charAt(0) == '+' ? 1 : 0;
        if (start == trimmed.length()) {
            return null;
        }
        for (int i = start; i < trimmed.length(); i++) {
            if (!Character.isDigit(trimmed.charAt(i)) || trimmed.charAt(i) > '9') {
                return null;
            }
        }
        return new BigInteger(trimmed);
    }
}
