package dev.crossrole.server.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A CloudWatch Logs filter pattern, as FilterLogEvents, metric filters and TestMetricFilter read it:
 * <ul>
 *   <li>terms: {@code ERROR Exception} (all), {@code ?ERROR ?WARN} (any), {@code ERROR -Retry} (all but);
 *   a term matches a whole word of the message (case-sensitive), a quoted term a whole phrase;</li>
 *   <li>a regular expression between percent signs, {@code %Time(out|d out)%}, matching anywhere;</li>
 *   <li>JSON: {@code { $.level = "ERROR" && ($.latency > 100 || $.retry IS TRUE) }} with {@code = != < <= > >=},
 *   {@code *} wildcards in strings, {@code IS NULL}, {@code NOT EXISTS}, {@code IS TRUE}, {@code IS FALSE};</li>
 *   <li>space-delimited: {@code [ip, user, ..., status = 4*, bytes > 1000]}, where a bracketed or quoted stretch of
 *   the message is one field and {@code ...} any number of fields.</li>
 * </ul>
 * An empty pattern matches every event.
 */
final class FilterPattern {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The answer to a pattern that cannot be read (CloudWatch Logs' InvalidParameterException). */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private interface Matcher {
        /** Whether the event matches; the named fields of a space-delimited pattern go to {@code extracted}. */
        boolean matches(String message, Map<String, String> extracted);
    }

    private final Matcher matcher;

    private FilterPattern(Matcher matcher) {
        this.matcher = matcher;
    }

    static FilterPattern parse(String text) throws Invalid {
        String pattern = text == null ? "" : text.strip();
        if (pattern.isEmpty() || pattern.equals("\"\"")) {
            return new FilterPattern((message, extracted) -> true);
        }
        if (pattern.startsWith("{")) {
            return new FilterPattern(json(pattern));
        }
        if (pattern.startsWith("[")) {
            return new FilterPattern(delimited(pattern));
        }
        return new FilterPattern(terms(pattern));
    }

    boolean matches(String message) {
        return matcher.matches(message, new LinkedHashMap<>());
    }

    /** The named fields a space-delimited pattern took from a matching message (empty for other patterns). */
    Map<String, String> extracted(String message) {
        Map<String, String> fields = new LinkedHashMap<>();
        return matcher.matches(message, fields) ? fields : Map.of();
    }

    private static Invalid invalid() {
        return new Invalid("Invalid filter pattern");
    }

    // ---- terms -------------------------------------------------------------------------------------------

    private record Term(String text, char mode, Pattern regex) {
        boolean in(String message) {
            return regex != null ? regex.matcher(message).find() : containsWord(message, text);
        }
    }

    private static Matcher terms(String pattern) throws Invalid {
        List<Term> terms = new ArrayList<>();
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == ' ') {
                i++;
                continue;
            }
            char mode = ' ';
            if (c == '?' || c == '-') {
                mode = c;
                i++;
                if (i >= pattern.length() || pattern.charAt(i) == ' ') {
                    throw invalid();
                }
                c = pattern.charAt(i);
            }
            if (c == '"') {
                int end = closingQuote(pattern, i);
                terms.add(new Term(unescape(pattern.substring(i + 1, end)), mode, null));
                i = end + 1;
            } else if (c == '%') {
                int end = pattern.indexOf('%', i + 1);
                if (end < 0) {
                    throw invalid();
                }
                terms.add(new Term(null, mode, regex(pattern.substring(i + 1, end))));
                i = end + 1;
            } else {
                int end = i;
                while (end < pattern.length() && pattern.charAt(end) != ' ') {
                    end++;
                }
                String word = pattern.substring(i, end);
                if (!word.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_')) {
                    // Terms with other characters must be quoted.
                    throw new Invalid("Invalid character(s) in term '" + word + "'");
                }
                terms.add(new Term(word, mode, null));
                i = end;
            }
        }
        boolean anyOf = terms.stream().anyMatch(t -> t.mode() == '?');
        if (anyOf && terms.stream().anyMatch(t -> t.mode() != '?')) {
            throw invalid(); // "?" terms are alternatives of one another and cannot be mixed with others
        }
        return (message, extracted) -> {
            if (anyOf) {
                return terms.stream().anyMatch(t -> t.in(message));
            }
            for (Term term : terms) {
                if (term.in(message) == (term.mode() == '-')) {
                    return false;
                }
            }
            return true;
        };
    }

    private static Pattern regex(String body) throws Invalid {
        if (body.isEmpty() || body.contains("(")) {
            throw invalid(); // CloudWatch Logs' regular expressions have no groups
        }
        try {
            return Pattern.compile(body);
        } catch (PatternSyntaxException e) {
            throw invalid();
        }
    }

    private static int closingQuote(String text, int open) throws Invalid {
        for (int i = open + 1; i < text.length(); i++) {
            if (text.charAt(i) == '\\') {
                i++;
            } else if (text.charAt(i) == '"') {
                return i;
            }
        }
        throw invalid();
    }

    private static String unescape(String quoted) {
        return quoted.replace("\\\"", "\"").replace("\\\\", "\\");
    }

    /** Whether {@code word} stands in {@code message} with no letter or digit touching either end. */
    static boolean containsWord(String message, String word) {
        if (word.isEmpty()) {
            return true;
        }
        int from = 0;
        while (true) {
            int at = message.indexOf(word, from);
            if (at < 0) {
                return false;
            }
            int end = at + word.length();
            boolean openLeft = at == 0 || !wordChar(message.charAt(at - 1)) || !wordChar(word.charAt(0));
            boolean openRight = end == message.length() || !wordChar(message.charAt(end))
                    || !wordChar(word.charAt(word.length() - 1));
            if (openLeft && openRight) {
                return true;
            }
            from = at + 1;
        }
    }

    private static boolean wordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    // ---- JSON --------------------------------------------------------------------------------------------

    private static Matcher json(String pattern) throws Invalid {
        if (!pattern.endsWith("}")) {
            throw invalid();
        }
        Tokens tokens = new Tokens(pattern.substring(1, pattern.length() - 1));
        Condition<JsonNode> condition = orOf(tokens, FilterPattern::jsonComparison);
        if (!tokens.atEnd()) {
            throw invalid();
        }
        return (message, extracted) -> {
            String body = message.strip();
            if (!body.startsWith("{") && !body.startsWith("[")) {
                return false;
            }
            try {
                return condition.test(JSON.readTree(body));
            } catch (IOException e) {
                return false;
            }
        };
    }

    private interface Condition<T> {
        boolean test(T subject);
    }

    private interface ComparisonReader<T> {
        Condition<T> read(Tokens tokens) throws Invalid;
    }

    private static <T> Condition<T> orOf(Tokens tokens, ComparisonReader<T> comparison) throws Invalid {
        Condition<T> left = andOf(tokens, comparison);
        while (tokens.take("||")) {
            Condition<T> l = left;
            Condition<T> r = andOf(tokens, comparison);
            left = subject -> l.test(subject) || r.test(subject);
        }
        return left;
    }

    private static <T> Condition<T> andOf(Tokens tokens, ComparisonReader<T> comparison) throws Invalid {
        Condition<T> left = primary(tokens, comparison);
        while (tokens.take("&&")) {
            Condition<T> l = left;
            Condition<T> r = primary(tokens, comparison);
            left = subject -> l.test(subject) && r.test(subject);
        }
        return left;
    }

    private static <T> Condition<T> primary(Tokens tokens, ComparisonReader<T> comparison) throws Invalid {
        if (tokens.take("(")) {
            Condition<T> inner = orOf(tokens, comparison);
            if (!tokens.take(")")) {
                throw invalid();
            }
            return inner;
        }
        return comparison.read(tokens);
    }

    private static Condition<JsonNode> jsonComparison(Tokens tokens) throws Invalid {
        String selector = tokens.selector();
        List<Object> path = selectorPath(selector);
        if (tokens.takeWord("IS")) {
            if (tokens.takeWord("NULL")) {
                return root -> {
                    JsonNode n = at(root, path);
                    return n != null && n.isNull();
                };
            }
            if (tokens.takeWord("TRUE")) {
                return root -> {
                    JsonNode n = at(root, path);
                    return n != null && n.isBoolean() && n.booleanValue();
                };
            }
            if (tokens.takeWord("FALSE")) {
                return root -> {
                    JsonNode n = at(root, path);
                    return n != null && n.isBoolean() && !n.booleanValue();
                };
            }
            throw invalid();
        }
        if (tokens.takeWord("NOT")) {
            if (!tokens.takeWord("EXISTS")) {
                throw invalid();
            }
            return root -> at(root, path) == null;
        }
        String operator = tokens.operator();
        Value value = tokens.value();
        return root -> {
            JsonNode n = at(root, path);
            if (n == null || n.isContainerNode()) {
                return false;
            }
            if (value.number() != null) {
                return n.isNumber() && compare(n.decimalValue(), value.number(), operator);
            }
            boolean equal = !n.isNull() && value.matchesText(n.asText());
            return switch (operator) {
                case "=" -> equal;
                case "!=" -> !equal;
                default -> false;
            };
        };
    }

    /** {@code $.a.b[0].c} as its steps: names and indexes. */
    private static List<Object> selectorPath(String selector) throws Invalid {
        if (!selector.startsWith("$")) {
            throw invalid();
        }
        List<Object> path = new ArrayList<>();
        int i = 1;
        while (i < selector.length()) {
            char c = selector.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < selector.length() && selector.charAt(end) != '.' && selector.charAt(end) != '[') {
                    end++;
                }
                if (end == i + 1) {
                    throw invalid();
                }
                path.add(selector.substring(i + 1, end));
                i = end;
            } else if (c == '[') {
                int end = selector.indexOf(']', i);
                if (end < 0) {
                    throw invalid();
                }
                try {
                    path.add(Integer.parseInt(selector.substring(i + 1, end)));
                } catch (NumberFormatException e) {
                    throw invalid();
                }
                i = end + 1;
            } else {
                throw invalid();
            }
        }
        if (path.isEmpty()) {
            throw invalid();
        }
        return path;
    }

    private static JsonNode at(JsonNode root, List<Object> path) {
        JsonNode node = root;
        for (Object step : path) {
            node = step instanceof Integer index ? node.get(index) : node.get((String) step);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    private static boolean compare(java.math.BigDecimal actual, java.math.BigDecimal expected, String operator) {
        int order = actual.compareTo(expected);
        return switch (operator) {
            case "=" -> order == 0;
            case "!=" -> order != 0;
            case "<" -> order < 0;
            case "<=" -> order <= 0;
            case ">" -> order > 0;
            case ">=" -> order >= 0;
            default -> false;
        };
    }

    // ---- space-delimited ---------------------------------------------------------------------------------

    private static Matcher delimited(String pattern) throws Invalid {
        if (!pattern.endsWith("]")) {
            throw invalid();
        }
        List<String> names = new ArrayList<>();
        List<Condition<Map<String, String>>> conditions = new ArrayList<>();
        for (String part : splitFields(pattern.substring(1, pattern.length() - 1))) {
            String field = part.strip();
            if (field.isEmpty()) {
                throw invalid();
            }
            if (field.equals("...")) {
                names.add("...");
                continue;
            }
            Tokens tokens = new Tokens(field);
            names.add(tokens.name());
            if (!tokens.atEnd()) {
                // A field with a condition: read again from its start, the condition naming the field.
                Tokens condition = new Tokens(field);
                conditions.add(orOf(condition, FilterPattern::fieldComparison));
                if (!condition.atEnd()) {
                    throw invalid();
                }
            }
        }
        return (message, extracted) -> {
            List<String> values = messageFields(message);
            Map<String, String> byName = new LinkedHashMap<>();
            if (!assign(names, 0, values, 0, byName)) {
                return false;
            }
            for (Condition<Map<String, String>> condition : conditions) {
                if (!condition.test(byName)) {
                    return false;
                }
            }
            extracted.putAll(byName);
            return true;
        };
    }

    /** Binds the pattern's fields to the message's, an ellipsis taking as many as the fields after it leave. */
    private static boolean assign(List<String> names, int n, List<String> values, int v, Map<String, String> out) {
        if (n == names.size()) {
            return v == values.size();
        }
        if (names.get(n).equals("...")) {
            int after = (int) names.subList(n + 1, names.size()).stream().filter(x -> !x.equals("...")).count();
            for (int skip = values.size() - v - after; skip >= 0; skip--) {
                if (assign(names, n + 1, values, v + skip, out)) {
                    return true;
                }
            }
            return false;
        }
        if (v >= values.size()) {
            return false;
        }
        out.put("$" + names.get(n), values.get(v));
        return assign(names, n + 1, values, v + 1, out);
    }

    /** The pattern's comma-separated fields; commas inside quotes do not separate. */
    private static List<String> splitFields(String body) throws Invalid {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (quoted) {
            throw invalid();
        }
        parts.add(current.toString());
        return parts;
    }

    /** A message's fields: runs of non-spaces, a bracketed or quoted stretch being one field (without them). */
    static List<String> messageFields(String message) {
        List<String> fields = new ArrayList<>();
        int i = 0;
        while (i < message.length()) {
            char c = message.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
                continue;
            }
            char close = c == '"' ? '"' : c == '[' ? ']' : 0;
            if (close != 0) {
                int end = message.indexOf(close, i + 1);
                if (end > 0) {
                    fields.add(message.substring(i + 1, end));
                    i = end + 1;
                    continue;
                }
            }
            int end = i;
            while (end < message.length() && message.charAt(end) != ' ' && message.charAt(end) != '\t') {
                end++;
            }
            fields.add(message.substring(i, end));
            i = end;
        }
        return fields;
    }

    private static Condition<Map<String, String>> fieldComparison(Tokens tokens) throws Invalid {
        String name = "$" + tokens.name();
        String operator = tokens.operator();
        Value value = tokens.value();
        return fields -> {
            String actual = fields.get(name);
            if (actual == null) {
                return false;
            }
            if (value.number() != null) {
                try {
                    return compare(new java.math.BigDecimal(actual), value.number(), operator);
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            boolean equal = value.matchesText(actual);
            return switch (operator) {
                case "=" -> equal;
                case "!=" -> !equal;
                default -> false;
            };
        };
    }

    // ---- tokens of JSON and field conditions --------------------------------------------------------------

    /** A literal: a number, or text with {@code *} wildcards. */
    private record Value(java.math.BigDecimal number, Pattern text) {
        boolean matchesText(String actual) {
            return text.matcher(actual).matches();
        }
    }

    private static final class Tokens {
        private final String text;
        private int at;

        Tokens(String text) {
            this.text = text;
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        boolean atEnd() {
            skipSpace();
            return at >= text.length();
        }

        boolean take(String symbol) {
            skipSpace();
            if (text.startsWith(symbol, at)) {
                at += symbol.length();
                return true;
            }
            return false;
        }

        boolean takeWord(String word) {
            skipSpace();
            int end = at + word.length();
            if (text.regionMatches(true, at, word, 0, word.length())
                    && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end)))) {
                at = end;
                return true;
            }
            return false;
        }

        String selector() throws Invalid {
            skipSpace();
            int start = at;
            while (at < text.length() && !Character.isWhitespace(text.charAt(at)) && "=!<>()&|".indexOf(
                    text.charAt(at)) < 0) {
                at++;
            }
            if (start == at) {
                throw invalid();
            }
            return text.substring(start, at);
        }

        String name() throws Invalid {
            skipSpace();
            int start = at;
            while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
                at++;
            }
            if (start == at) {
                throw invalid();
            }
            return text.substring(start, at);
        }

        String operator() throws Invalid {
            skipSpace();
            for (String op : new String[] {"!=", "<=", ">=", "=", "<", ">"}) {
                if (text.startsWith(op, at)) {
                    at += op.length();
                    return op;
                }
            }
            throw invalid();
        }

        Value value() throws Invalid {
            skipSpace();
            if (at >= text.length()) {
                throw invalid();
            }
            String literal;
            boolean quoted = text.charAt(at) == '"';
            if (quoted) {
                int end = closingQuote(text, at);
                literal = unescape(text.substring(at + 1, end));
                at = end + 1;
            } else {
                int start = at;
                while (at < text.length() && !Character.isWhitespace(text.charAt(at)) && "()&|".indexOf(
                        text.charAt(at)) < 0) {
                    at++;
                }
                literal = text.substring(start, at);
            }
            if (!quoted) {
                try {
                    return new Value(new java.math.BigDecimal(literal), null);
                } catch (NumberFormatException e) {
                    // text
                }
            }
            String built = literal.equals("*") ? ".*" : String.join(".*", quotedPieces(literal));
            return new Value(null, Pattern.compile(built, Pattern.DOTALL));
        }

        private static List<String> quotedPieces(String literal) {
            List<String> pieces = new ArrayList<>();
            for (String piece : literal.split("\\*", -1)) {
                pieces.add(piece.isEmpty() ? "" : Pattern.quote(piece));
            }
            return pieces;
        }
    }
}
