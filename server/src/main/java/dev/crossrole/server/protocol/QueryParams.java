package dev.crossrole.server.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parameters of an AWS Query request, from a form body or a URL query string. Lists arrive as
 * {@code Name.member.N} (1-based), structures in lists as {@code Name.member.N.Field}; an empty list
 * may arrive as {@code Name=} (botocore).
 */
public final class QueryParams {
    private final Map<String, String> values;

    private QueryParams(Map<String, String> values) {
        this.values = values;
    }

    public static QueryParams of(Map<String, String> values) {
        return new QueryParams(new HashMap<>(values));
    }

    /**
     * Decodes {@code application/x-www-form-urlencoded} text (also a URL query string): percent-escapes,
     * {@code +} as space. A repeated name keeps its first value.
     *
     * @throws AwsException {@code MalformedQueryString} for a broken percent-escape
     */
    public static QueryParams parse(String encoded) {
        Map<String, String> values = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return new QueryParams(values);
        }
        int start = 0;
        while (start <= encoded.length()) {
            int end = encoded.indexOf('&', start);
            if (end < 0) {
                end = encoded.length();
            }
            if (end > start) {
                String pair = encoded.substring(start, end);
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                values.putIfAbsent(name, value);
            }
            start = end + 1;
        }
        return new QueryParams(values);
    }

    static String decode(String text) {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
            return text;
        }
        byte[] out = new byte[text.length()];
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                out[n++] = ' ';
            } else if (c == '%') {
                if (i + 2 >= text.length() || Character.digit(text.charAt(i + 1), 16) < 0
                        || Character.digit(text.charAt(i + 2), 16) < 0) {
                    throw new AwsException("MalformedQueryString", 404,
                            "Invalid percent-encoding in the query string: " + text);
                }
                out[n++] = (byte) ((Character.digit(text.charAt(i + 1), 16) << 4) | Character.digit(text.charAt(i + 2), 16));
                i += 2;
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                // A character beyond the BMP is two chars; encoded one at a time each would become '?'.
                boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1));
                byte[] utf8 = (pair ? text.substring(i, i + 2) : String.valueOf(c)).getBytes(StandardCharsets.UTF_8);
                if (pair) {
                    i++;
                }
                if (n + utf8.length > out.length) {
                    out = java.util.Arrays.copyOf(out, out.length * 2 + utf8.length);
                }
                System.arraycopy(utf8, 0, out, n, utf8.length);
                n += utf8.length;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    public String get(String name) {
        return values.get(name);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Whether any parameter's name starts with {@code prefix}. */
    public boolean hasPrefix(String prefix) {
        for (String name : values.keySet()) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The indexes N of the parameters named {@code prefix + N} or {@code prefix + N + ".…"}, in order (a Query list's
     * members, numbered from 1; an index that is not a positive number is not one).
     */
    public java.util.TreeSet<Integer> indexes(String prefix) {
        java.util.TreeSet<Integer> indexes = new java.util.TreeSet<>();
        for (String name : values.keySet()) {
            if (!name.startsWith(prefix)) {
                continue;
            }
            int end = name.indexOf('.', prefix.length());
            String digits = name.substring(prefix.length(), end < 0 ? name.length() : end);
            if (!digits.isEmpty() && digits.length() < 10 && digits.chars().allMatch(Character::isDigit)) {
                int index = Integer.parseInt(digits);
                if (index > 0) {
                    indexes.add(index);
                }
            }
        }
        return indexes;
    }

    public Map<String, String> asMap() {
        return java.util.Collections.unmodifiableMap(values);
    }

    /** The values of a list of strings {@code Name.member.N}, in N order. */
    public List<String> list(String name) {
        TreeMap<Integer, String> items = new TreeMap<>();
        String prefix = name + ".member.";
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                Integer index = index(e.getKey().substring(prefix.length()));
                if (index != null) {
                    items.put(index, e.getValue());
                }
            }
        }
        return new ArrayList<>(items.values());
    }

    /** A list of structures {@code Name.member.N.Field}, each as a field-to-value map, in N order. */
    public List<Map<String, String>> structList(String name) {
        TreeMap<Integer, Map<String, String>> items = new TreeMap<>();
        String prefix = name + ".member.";
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            String rest = e.getKey().substring(prefix.length());
            int dot = rest.indexOf('.');
            if (dot < 0) {
                continue;
            }
            Integer index = index(rest.substring(0, dot));
            if (index != null) {
                items.computeIfAbsent(index, k -> new HashMap<>()).put(rest.substring(dot + 1), e.getValue());
            }
        }
        return new ArrayList<>(items.values());
    }

    private static Integer index(String text) {
        if (text.isEmpty() || text.length() > 6) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return null;
            }
        }
        return Integer.parseInt(text);
    }
}
