package dev.crossrole.policy;

/**
 * An IAM wildcard pattern: {@code *} matches any run of characters (including none and including
 * {@code /} and {@code :}), {@code ?} exactly one. Characters that came from policy-variable
 * substitution or the {@code ${*}}/{@code ${?}} escapes are literal, which is why each pattern
 * character carries its own "is a wildcard" flag instead of being re-scanned.
 */
final class Glob {
    private final char[] chars;
    private final boolean[] wild;
    private final boolean ignoreCase;
    private final boolean hasWildcards;

    Glob(char[] chars, boolean[] wild, boolean ignoreCase) {
        this.chars = chars;
        this.wild = wild;
        this.ignoreCase = ignoreCase;
        boolean any = false;
        for (boolean w : wild) {
            any |= w;
        }
        this.hasWildcards = any;
        if (ignoreCase) {
            for (int i = 0; i < chars.length; i++) {
                chars[i] = Character.toLowerCase(chars[i]);
            }
        }
    }

    /** Compiles a pattern in which every {@code *} and {@code ?} is a wildcard. */
    static Glob of(String pattern, boolean ignoreCase) {
        char[] chars = pattern.toCharArray();
        boolean[] wild = new boolean[chars.length];
        for (int i = 0; i < chars.length; i++) {
            wild[i] = chars[i] == '*' || chars[i] == '?';
        }
        return new Glob(chars, wild, ignoreCase);
    }

    /** Compiles a pattern in which nothing is a wildcard. */
    static Glob literal(String text, boolean ignoreCase) {
        return new Glob(text.toCharArray(), new boolean[text.length()], ignoreCase);
    }

    /**
     * Splits the pattern into the six ARN components at its first five colons, so that a {@code *}
     * cannot swallow a colon outside its component; {@code null} when there are fewer than five.
     */
    Glob[] arnComponents() {
        Glob[] out = new Glob[6];
        int start = 0;
        int found = 0;
        for (int i = 0; i < chars.length && found < 5; i++) {
            if (chars[i] == ':' && !wild[i]) {
                out[found++] = slice(start, i);
                start = i + 1;
            }
        }
        if (found < 5) {
            return null;
        }
        out[5] = slice(start, chars.length);
        return out;
    }

    private Glob slice(int from, int to) {
        return new Glob(java.util.Arrays.copyOfRange(chars, from, to), java.util.Arrays.copyOfRange(wild, from, to), ignoreCase);
    }

    /** The pattern's text, with wildcards shown as they are. */
    String text() {
        return new String(chars);
    }

    boolean matches(String text) {
        return matches(text, 0, text.length());
    }

    /** Matches {@code text[from, to)} against the whole pattern. Iterative, with single-star backtracking: O(n*m) worst case. */
    boolean matches(String text, int from, int to) {
        if (!hasWildcards) {
            int len = to - from;
            if (len != chars.length) {
                return false;
            }
            for (int i = 0; i < len; i++) {
                if (!same(chars[i], text.charAt(from + i))) {
                    return false;
                }
            }
            return true;
        }
        int p = 0;
        int t = from;
        int starP = -1;
        int starT = -1;
        while (t < to) {
            if (p < chars.length && wild[p] && chars[p] == '*') {
                starP = p++;
                starT = t;
            } else if (p < chars.length && ((wild[p] && chars[p] == '?') || (!wild[p] && same(chars[p], text.charAt(t))))) {
                p++;
                t++;
            } else if (starP >= 0) {
                p = starP + 1;
                t = ++starT;
            } else {
                return false;
            }
        }
        while (p < chars.length && wild[p] && chars[p] == '*') {
            p++;
        }
        return p == chars.length;
    }

    private boolean same(char patternChar, char textChar) {
        return patternChar == textChar || (ignoreCase && patternChar == Character.toLowerCase(textChar));
    }
}
