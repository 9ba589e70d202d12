package dev.crossrole.policy;

import java.math.BigDecimal;
import java.util.Base64;

/** Parsers for the typed condition families. Each returns {@code null} for text it cannot read; none throws. */
final class Values {
    private Values() {}

    static BigDecimal number(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(Character.isDigit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
                return null;
            }
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Boolean bool(String text) {
        if ("true".equalsIgnoreCase(text)) {
            return Boolean.TRUE;
        }
        if ("false".equalsIgnoreCase(text)) {
            return Boolean.FALSE;
        }
        return null;
    }

    static byte[] binary(String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Splits an ARN into its six components at the first five colons; {@code null} if it has fewer. */
    static String[] arnComponents(String text) {
        if (text == null || !text.startsWith("arn:")) {
            return null;
        }
        String[] parts = new String[6];
        int start = 0;
        for (int i = 0; i < 5; i++) {
            int colon = text.indexOf(':', start);
            if (colon < 0) {
                return null;
            }
            parts[i] = text.substring(start, colon);
            start = colon + 1;
        }
        parts[5] = text.substring(start);
        return parts;
    }

    // ---- dates -------------------------------------------------------------------------------

    /** {@code yyyy-MM-ddTHH:mm:ssZ} in UTC, written by hand (DateTimeFormatter costs more than the decision). */
    static String isoSeconds(java.time.Instant instant) {
        long seconds = instant.getEpochSecond();
        long days = Math.floorDiv(seconds, 86_400L);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        long z = days + 719468;
        long era = (z >= 0 ? z : z - 146096) / 146097;
        long doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long y = yoe + era * 400;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1;
        long m = mp < 10 ? mp + 3 : mp - 9;
        y += m <= 2 ? 1 : 0;
        if (y < 0 || y > 9999) {
            return instant.toString();
        }
        char[] out = "0000-00-00T00:00:00Z".toCharArray();
        put(out, 0, (int) y, 4);
        put(out, 5, (int) m, 2);
        put(out, 8, (int) d, 2);
        put(out, 11, secondOfDay / 3600, 2);
        put(out, 14, secondOfDay / 60 % 60, 2);
        put(out, 17, secondOfDay % 60, 2);
        return new String(out);
    }

    private static void put(char[] out, int at, int value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            out[at + i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * An instant in epoch milliseconds, read from epoch seconds ({@code 1700000000}) or an ISO-8601 date
     * ({@code 2019-07-01}, {@code 2019-07-01T13:20:15Z}, {@code 2016-12-13T21:20:37.593194+00:00});
     * {@code null} when the text is neither. Hand-written so the hot path throws nothing.
     */
    static Long epochMillis(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            return null;
        }
        boolean allDigits = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && !(i == 0 && c == '-')) {
                allDigits = false;
                break;
            }
        }
        if (allDigits && text.indexOf('-') < 0) {
            if (text.length() > 15) {
                return null;
            }
            return Long.parseLong(text) * 1000L;
        }
        return isoMillis(text);
    }

    private static Long isoMillis(String s) {
        Cursor c = new Cursor(s);
        int year = c.digits(4, 4);
        if (year < 0 || !c.take('-')) {
            return null;
        }
        int month = c.digits(2, 2);
        if (month < 1 || month > 12 || !c.take('-')) {
            return null;
        }
        int day = c.digits(2, 2);
        if (day < 1 || day > daysInMonth(year, month)) {
            return null;
        }
        long days = daysFromCivil(year, month, day);
        if (c.done()) {
            return days * 86_400_000L;
        }
        if (!c.take('T') && !c.take('t')) {
            return null;
        }
        int hour = c.digits(2, 2);
        if (hour < 0 || hour > 23 || !c.take(':')) {
            return null;
        }
        int minute = c.digits(2, 2);
        if (minute < 0 || minute > 59) {
            return null;
        }
        int second = 0;
        int millis = 0;
        if (c.take(':')) {
            second = c.digits(2, 2);
            if (second < 0 || second > 60) {
                return null;
            }
            if (c.take('.')) {
                int start = c.pos;
                if (c.digits(1, 9) < 0) {
                    return null;
                }
                String fraction = (s.substring(start, c.pos) + "00").substring(0, 3);
                millis = Integer.parseInt(fraction);
            }
        }
        long offsetMinutes;
        if (c.take('Z') || c.take('z')) {
            offsetMinutes = 0;
        } else if (c.peek() == '+' || c.peek() == '-') {
            int sign = c.peek() == '-' ? -1 : 1;
            c.pos++;
            int oh = c.digits(2, 2);
            if (oh < 0 || oh > 23) {
                return null;
            }
            int om = 0;
            if (c.take(':')) {
                om = c.digits(2, 2);
            } else if (!c.done()) {
                om = c.digits(2, 2);
            }
            if (om < 0 || om > 59) {
                return null;
            }
            offsetMinutes = sign * (oh * 60L + om);
        } else if (c.done()) {
            offsetMinutes = 0;
        } else {
            return null;
        }
        if (!c.done()) {
            return null;
        }
        long seconds = days * 86_400L + hour * 3600L + minute * 60L + second - offsetMinutes * 60L;
        return seconds * 1000L + millis;
    }

    private static int daysInMonth(int year, int month) {
        switch (month) {
            case 2:
                return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4: case 6: case 9: case 11:
                return 30;
            default:
                return 31;
        }
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
    private static long daysFromCivil(long y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = (y >= 0 ? y : y - 399) / 400;
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    private static final class Cursor {
        final String s;
        int pos;

        Cursor(String s) {
            this.s = s;
        }

        boolean done() {
            return pos >= s.length();
        }

        char peek() {
            return done() ? '\0' : s.charAt(pos);
        }

        boolean take(char c) {
            if (!done() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        int digits(int min, int max) {
            int start = pos;
            int value = 0;
            while (!done() && pos - start < max && Character.isDigit(s.charAt(pos))) {
                value = value * 10 + (s.charAt(pos) - '0');
                pos++;
            }
            return pos - start < min ? -1 : value;
        }
    }

    // ---- IP addresses ------------------------------------------------------------------------

    /** An IPv4 or IPv6 network; an address without a prefix is a single host (/32 or /128). */
    record Cidr(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address == null || address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    static Cidr cidr(String text) {
        if (text == null) {
            return null;
        }
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        byte[] address = ipAddress(slash < 0 ? trimmed : trimmed.substring(0, slash));
        if (address == null) {
            return null;
        }
        int max = address.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = trimmed.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return null;
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                return null;
            }
        }
        return new Cidr(address, prefix);
    }

    /** Parses a literal IPv4 or IPv6 address without any name lookup; {@code null} when it is not one. */
    static byte[] ipAddress(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return null;
        }
        return text.indexOf(':') >= 0 ? ipv6(text) : ipv4(text);
    }

    private static byte[] ipv4(String text) {
        byte[] out = new byte[4];
        int part = 0;
        int value = -1;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                if (value < 0 || part > 3) {
                    return null;
                }
                out[part++] = (byte) value;
                value = -1;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return part == 4 ? out : null;
    }

    private static byte[] ipv6(String text) {
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
            return null;
        }
        String head = doubleColon >= 0 ? text.substring(0, doubleColon) : text;
        String tail = doubleColon >= 0 ? text.substring(doubleColon + 2) : "";
        int[] headGroups = groups(head, false);
        int[] tailGroups = groups(tail, true);
        if (headGroups == null || tailGroups == null) {
            return null;
        }
        int total = headGroups.length + tailGroups.length;
        if (doubleColon < 0 ? total != 8 : total > 7) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < headGroups.length; i++) {
            out[2 * i] = (byte) (headGroups[i] >> 8);
            out[2 * i + 1] = (byte) headGroups[i];
        }
        int offset = 8 - tailGroups.length;
        for (int i = 0; i < tailGroups.length; i++) {
            out[2 * (offset + i)] = (byte) (tailGroups[i] >> 8);
            out[2 * (offset + i) + 1] = (byte) tailGroups[i];
        }
        return out;
    }

    /** 16-bit groups of one side of an IPv6 address; the last side may end in a dotted IPv4 address. */
    private static int[] groups(String side, boolean mayEndInIpv4) {
        if (side.isEmpty()) {
            return new int[0];
        }
        String[] pieces = side.split(":", -1);
        int extra = 0;
        byte[] v4 = null;
        String last = pieces[pieces.length - 1];
        if (last.indexOf('.') >= 0) {
            v4 = ipv4(last);
            if (v4 == null) {
                return null;
            }
            extra = 1;
        }
        int count = pieces.length - (v4 != null ? 1 : 0);
        int[] out = new int[count + extra * 2];
        for (int i = 0; i < count; i++) {
            String p = pieces[i];
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < p.length(); j++) {
                int digit = Character.digit(p.charAt(j), 16);
                if (digit < 0) {
                    return null;
                }
                value = value * 16 + digit;
            }
            out[i] = value;
        }
        if (v4 != null) {
            out[count] = ((v4[0] & 0xFF) << 8) | (v4[1] & 0xFF);
            out[count + 1] = ((v4[2] & 0xFF) << 8) | (v4[3] & 0xFF);
        }
        return out;
    }
}
