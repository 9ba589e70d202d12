package dev.crossrole.server.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A shape's {@code pattern}, matched against the whole value. Half of the models' patterns are one character class
 * with a quantifier ({@code [\w+=,.@-]*}, {@code [\u0009\u000A\u000D\u0020-\u00FF]+}); for those a value of Latin-1
 * characters, which nearly every value is, is checked by a table of the class's first 256 characters (read from the
 * class by Java's own regular expressions, so it cannot disagree with them) and a count. Any other value, and every
 * other pattern, goes through the regular expression.
 */
public final class ValuePattern {
    /** {@code ^?[class]quantifier?$?}: the class, then the quantifier. */
    private static final Pattern ONE_CLASS =
            Pattern.compile("\\^?(\\[(?:[^\\]\\\\\\[]|\\\\.)*\\])(\\*|\\+|\\{(\\d+)(,(\\d*))?\\})?\\$?");

    private final Pattern pattern;
    /** For a one-class pattern: which of the first 256 characters the class holds; {@code null} otherwise. */
    private final boolean[] latin1;
    private final long minCount;
    private final long maxCount;

    private ValuePattern(Pattern pattern, boolean[] latin1, long minCount, long maxCount) {
        this.pattern = pattern;
        this.latin1 = latin1;
        this.minCount = minCount;
        this.maxCount = maxCount;
    }

    /** Compiles Java's form of a pattern; throws {@link java.util.regex.PatternSyntaxException} as Java would. */
    static ValuePattern compile(String javaPattern) {
        Pattern pattern = Pattern.compile(javaPattern);
        Matcher oneClass = ONE_CLASS.matcher(javaPattern);
        if (!oneClass.matches()) {
            return new ValuePattern(pattern, null, 0, 0);
        }
        Pattern characterClass = Pattern.compile(oneClass.group(1));
        boolean[] latin1 = new boolean[256];
        for (char c = 0; c < 256; c++) {
            latin1[c] = characterClass.matcher(String.valueOf(c)).matches();
        }
        String quantifier = oneClass.group(2);
        long min;
        long max;
        if (quantifier == null) {
            min = max = 1;
        } else if (quantifier.equals("*")) {
            min = 0;
            max = Long.MAX_VALUE;
        } else if (quantifier.equals("+")) {
            min = 1;
            max = Long.MAX_VALUE;
        } else {
            min = Long.parseLong(oneClass.group(3));
            max = oneClass.group(4) == null ? min
                    : oneClass.group(5).isEmpty() ? Long.MAX_VALUE : Long.parseLong(oneClass.group(5));
        }
        return new ValuePattern(pattern, latin1, min, max);
    }

    /** Whether the whole value matches, as {@code pattern.matcher(value).matches()} says. */
    public boolean matches(String value) {
        if (latin1 != null) {
            int length = value.length();
            if (length >= minCount && length <= maxCount) {
                boolean all = true;
                for (int i = 0; i < length; i++) {
                    char c = value.charAt(i);
                    if (c >= 256) {
                        all = false; // beyond Latin-1 (and code points that take two chars): the regular expression
                        break;
                    }
                    if (!latin1[c]) {
                        return false;
                    }
                }
                if (all) {
                    return true;
                }
            } else if (isLatin1(value)) {
                return false; // one character per code point, so the count is the length
            }
        }
        return pattern.matcher(value).matches();
    }

    private static boolean isLatin1(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 256) {
                return false;
            }
        }
        return true;
    }

    /** The regular expression, as Java compiled it. */
    public Pattern regex() {
        return pattern;
    }

    /** Whether values of Latin-1 characters are checked by the table rather than the regular expression. */
    boolean tabled() {
        return latin1 != null;
    }

    @Override
    public String toString() {
        return pattern.pattern();
    }
}
