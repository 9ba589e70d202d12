package dev.crossrole.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * A policy string that may contain policy variables ({@code ${aws:username}}, {@code ${aws:PrincipalTag/team, 'default'}})
 * and the escapes {@code ${*}}, {@code ${?}}, {@code ${$}}. Variables are recognised only in documents
 * of Version 2012-10-17; otherwise the text is taken literally. Substituted text is always literal:
 * a tag value {@code Bob*} never becomes a wildcard.
 */
final class TextPattern {
    private final String raw;
    /** {@code null} when the text has no variables, so the precompiled forms apply. */
    private final Part[] parts;
    /** Compiled on first use: a policy's patterns are validated at once but matched only when requests come. */
    private volatile Glob sensitive;
    private volatile Glob insensitive;
    /** The last glob built for substituted values: the same principal tends to ask again and again. */
    private volatile Memo memo;

    private record Memo(String[] values, Glob glob) {}

    private sealed interface Part permits Literal, Variable {}

    /** Policy text; wildcards in it stay wildcards. */
    private record Literal(String text) implements Part {}

    /** A variable reference ({@code key} as written), or an escape when {@code escaped} is set. */
    private record Variable(String key, String lowerKey, String defaultValue, String escaped) implements Part {}

    private TextPattern(String raw, Part[] parts) {
        this.raw = raw;
        this.parts = parts;
    }

    static TextPattern compile(String raw, boolean variablesEnabled) {
        if (!variablesEnabled || raw.indexOf("${") < 0) {
            return new TextPattern(raw, null);
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        boolean anyVariable = false;
        while (i < raw.length()) {
            int start = raw.indexOf("${", i);
            int end = start < 0 ? -1 : raw.indexOf('}', start + 2);
            if (start < 0 || end < 0) {
                literal.append(raw, i, raw.length());
                break;
            }
            literal.append(raw, i, start);
            Variable variable = parseVariable(raw.substring(start + 2, end));
            if (variable == null) {
                literal.append(raw, start, end + 1);
            } else {
                if (literal.length() > 0) {
                    parts.add(new Literal(literal.toString()));
                    literal.setLength(0);
                }
                parts.add(variable);
                anyVariable = true;
            }
            i = end + 1;
        }
        if (!anyVariable) {
            return new TextPattern(raw, null);
        }
        if (literal.length() > 0) {
            parts.add(new Literal(literal.toString()));
        }
        return new TextPattern(raw, parts.toArray(new Part[0]));
    }

    private static Variable parseVariable(String body) {
        switch (body) {
            case "*":
                return new Variable(null, null, null, "*");
            case "?":
                return new Variable(null, null, null, "?");
            case "$":
                return new Variable(null, null, null, "$");
            default:
                break;
        }
        String key = body;
        String defaultValue = null;
        int comma = body.indexOf(',');
        if (comma >= 0) {
            key = body.substring(0, comma);
            String rest = body.substring(comma + 1).trim();
            if (rest.length() >= 2 && rest.charAt(0) == '\'' && rest.charAt(rest.length() - 1) == '\'') {
                defaultValue = rest.substring(1, rest.length() - 1);
            } else {
                return null;
            }
        }
        key = key.trim();
        if (key.isEmpty()) {
            return null;
        }
        return new Variable(key, ContextKeys.normalize(key), defaultValue, null);
    }

    String raw() {
        return raw;
    }

    boolean hasVariables() {
        return parts != null;
    }

    /** The context keys the text's variables name, as written and in order ({@code ${*}} and the like are not keys). */
    List<String> variableKeys() {
        if (parts == null) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        for (Part part : parts) {
            if (part instanceof Variable variable && variable.key() != null) {
                keys.add(variable.key());
            }
        }
        return keys;
    }

    /** The text with variables substituted, or {@code null} when a variable has no value and no default. */
    String resolveText(VariableSource source) {
        if (parts == null) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length() + 16);
        for (Part part : parts) {
            if (part instanceof Literal literal) {
                out.append(literal.text());
            } else {
                String value = substitute((Variable) part, source);
                if (value == null) {
                    return null;
                }
                out.append(value);
            }
        }
        return out.toString();
    }

    /** The wildcard pattern with variables substituted as literal text, or {@code null} when a variable has no value. */
    Glob resolveGlob(VariableSource source, boolean ignoreCase) {
        if (parts == null) {
            if (!ignoreCase) {
                Glob g = sensitive;
                if (g == null) {
                    g = Glob.of(raw, false);
                    sensitive = g;
                }
                return g;
            }
            Glob g = insensitive;
            if (g == null) {
                g = Glob.of(raw, true);
                insensitive = g;
            }
            return g;
        }
        String[] values = new String[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] instanceof Variable variable) {
                values[i] = substitute(variable, source);
                if (values[i] == null) {
                    return null;
                }
            }
        }
        Memo last = memo;
        if (!ignoreCase && last != null && java.util.Arrays.equals(last.values(), values)) {
            return last.glob();
        }
        Glob built = buildGlob(values, ignoreCase);
        if (!ignoreCase) {
            memo = new Memo(values, built);
        }
        return built;
    }

    private Glob buildGlob(String[] values, boolean ignoreCase) {
        StringBuilder chars = new StringBuilder(raw.length() + 16);
        StringBuilder flags = new StringBuilder(raw.length() + 16);
        int index = 0;
        for (Part part : parts) {
            if (part instanceof Literal literal) {
                String text = literal.text();
                chars.append(text);
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    flags.append(c == '*' || c == '?' ? 'w' : 'l');
                }
            } else {
                String value = values[index];
                chars.append(value);
                flags.append("l".repeat(value.length()));
            }
            index++;
        }
        char[] patternChars = chars.toString().toCharArray();
        boolean[] wild = new boolean[patternChars.length];
        for (int i = 0; i < wild.length; i++) {
            wild[i] = flags.charAt(i) == 'w';
        }
        return new Glob(patternChars, wild, ignoreCase);
    }

    private static String substitute(Variable variable, VariableSource source) {
        if (variable.escaped() != null) {
            return variable.escaped();
        }
        String value = source.singleValue(variable.lowerKey());
        return value != null ? value : variable.defaultValue();
    }

    /** Supplies single values of context keys for substitution; multivalued or absent keys give {@code null}. */
    interface VariableSource {
        String singleValue(String lowerKey);
    }

    @Override
    public String toString() {
        return raw;
    }
}
