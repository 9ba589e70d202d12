package dev.crossrole.policy;

import java.util.List;
import java.util.Locale;

/** One compiled statement. Matching is split by element so the engine can say which element failed. */
final class Statement {
    final int index;
    final String sid;
    final boolean allow;
    /** {@code null} when the statement names no principal (identity-style statements). */
    final PrincipalEntry[] principals;
    final boolean notPrincipal;
    /** The action patterns as written; compiled to globs on first use (many statements never see a request). */
    private final String[] actionPatterns;
    private volatile Glob[] actions;
    /** Marks an action pattern that can never match (a wildcard in the service prefix). */
    private static final Glob NEVER = Glob.literal("\u0000never", false);
    final boolean notAction;
    /** {@code null} when the statement has no Resource element (trust policies). */
    final TextPattern[] resources;
    final boolean notResource;
    final Condition[] conditions;

    Statement(int index, String sid, boolean allow, PrincipalEntry[] principals, boolean notPrincipal,
              List<String> actions, boolean notAction, TextPattern[] resources, boolean notResource,
              Condition[] conditions) {
        this.index = index;
        this.sid = sid;
        this.allow = allow;
        this.principals = principals;
        this.notPrincipal = notPrincipal;
        this.actionPatterns = actions.toArray(new String[0]);
        this.notAction = notAction;
        this.resources = resources;
        this.notResource = notResource;
        this.conditions = conditions;
    }

    /**
     * Actions match case-insensitively; a wildcard may not stand for the service prefix, so
     * {@code *:Get*} matches nothing while {@code *} alone matches every action.
     */
    private static Glob compileAction(String action) {
        if (action.equals("*")) {
            return Glob.of("*", true);
        }
        int colon = action.indexOf(':');
        int vendorEnd = colon < 0 ? action.length() : colon;
        for (int i = 0; i < vendorEnd; i++) {
            char c = action.charAt(i);
            if (c == '*' || c == '?') {
                return NEVER;
            }
        }
        return Glob.of(action.toLowerCase(Locale.ROOT), true);
    }

    private Glob[] actionGlobs() {
        Glob[] compiled = actions;
        if (compiled == null) {
            compiled = new Glob[actionPatterns.length];
            for (int i = 0; i < compiled.length; i++) {
                compiled[i] = compileAction(actionPatterns[i]);
            }
            actions = compiled;
        }
        return compiled;
    }

    boolean actionMatches(String lowerAction) {
        boolean any = false;
        for (Glob glob : actionGlobs()) {
            if (glob != NEVER && glob.matches(lowerAction)) {
                any = true;
                break;
            }
        }
        return any != notAction;
    }

    /**
     * Resources match case-sensitively. The resource {@code *} of an action without resource-level
     * permissions matches only a policy resource that is exactly {@code *}. An entry whose variable has no
     * value matches nothing.
     */
    boolean resourceMatches(String resource, EvaluationContext ctx) {
        if (resources == null) {
            return true;
        }
        boolean any = false;
        boolean wildcardOnly = resource.equals("*");
        for (TextPattern pattern : resources) {
            if (wildcardOnly) {
                if (pattern.raw().equals("*")) {
                    any = true;
                    break;
                }
                continue;
            }
            Glob glob = pattern.resolveGlob(ctx, false);
            if (glob != null && glob.matches(resource)) {
                any = true;
                break;
            }
        }
        return any != notResource;
    }

    /**
     * For a statement with a Principal element: the strongest grant among the entries naming the caller,
     * or {@code null} if none does. For NotPrincipal: a caller is exempt only when every identity level it
     * has (account, user or role, session) is listed, and never when it has a permissions boundary.
     */
    Grant principalMatch(Principal principal, boolean callerHasBoundary) {
        if (principals == null) {
            return Grant.DIRECT;
        }
        PrincipalEntry.Level[] levels = PrincipalEntry.Level.of(principal);
        if (notPrincipal) {
            // AWS: a Deny with NotPrincipal always applies to a principal that has a permissions boundary.
            if (callerHasBoundary && !allow) {
                return Grant.DIRECT;
            }
            for (PrincipalEntry.Level level : levels) {
                boolean listed = false;
                for (PrincipalEntry entry : principals) {
                    if (entry.matches(principal, level)) {
                        listed = true;
                        break;
                    }
                }
                if (!listed) {
                    return Grant.DIRECT;
                }
            }
            return null;
        }
        Grant best = null;
        for (PrincipalEntry entry : principals) {
            for (PrincipalEntry.Level level : levels) {
                if (entry.matches(principal, level)) {
                    Grant grant = Grant.of(entry.kind());
                    if (best == null || grant.compareTo(best) > 0) {
                        best = grant;
                    }
                }
            }
        }
        return best;
    }
}
