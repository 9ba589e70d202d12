package dev.crossrole.server.logs;

/**
 * One stored event. Its position — timestamp, then the batch that brought it, then its place in that batch —
 * orders a stream's events and makes the tokens and event ids that point at it.
 */
record LogEvent(String stream, long timestamp, String message, long ingestionTime, long batch, int index)
        implements Comparable<LogEvent> {

    @Override
    public int compareTo(LogEvent other) {
        int order = Long.compare(timestamp, other.timestamp);
        if (order == 0) {
            order = stream.compareTo(other.stream);
        }
        if (order == 0) {
            order = Long.compare(batch, other.batch);
        }
        return order != 0 ? order : Integer.compare(index, other.index);
    }

    /** Its position as 56 digits, as CloudWatch Logs' tokens and event ids are written. */
    String position() {
        StringBuilder digits = new StringBuilder(56);
        pad(digits, timestamp, 20);
        pad(digits, batch, 20);
        pad(digits, index, 16);
        return digits.toString();
    }

    /** {@code value} in {@code width} digits, zeros first (String.format costs a parse of its pattern per call). */
    private static void pad(StringBuilder out, long value, int width) {
        String digits = Long.toString(value);
        out.append("0".repeat(Math.max(0, width - digits.length()))).append(digits);
    }
}
