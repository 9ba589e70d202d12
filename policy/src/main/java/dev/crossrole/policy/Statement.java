package dev.crossrole.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One compiled statement. Matching is split by element so the engine can say which element failed. */
final class Statement {
    final int index;
    final String sid;
    final boolean allow;
    /** {@code null} when the statement names no principal (identity-style statements). */
    final PrincipalEntry[] principals;
    final boolean notPrincipal;
    /** The action patterns as written; compiled on first use (many statements never see a request). */
    private final String[] actionPatterns;
    private volatile ActionIndex compiledActions;
    /** From this many patterns on, they are grouped by service prefix (AWS's ReadOnlyAccess has 2,744 in two statements). */
    private static final int GROUP_FROM = 16;
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

    /**
     * The compiled patterns of a statement. A pattern's service prefix holds no wildcard (else it is
     * {@link #NEVER}), so it can only match actions of exactly that prefix: a long list is grouped by
     * prefix and a request tries only its own service's patterns, plus {@code *} and patterns without a colon.
     */
    private record ActionIndex(Glob[] ungrouped, Map<String, Glob[]> byService, Glob[] anyService) {
        static ActionIndex of(String[] patterns) {
            Glob[] all = new Glob[patterns.length];
            for (int i = 0; i < all.length; i++) {
                all[i] = compileAction(patterns[i]);
            }
            if (all.length < GROUP_FROM) {
                return new ActionIndex(all, null, null);
            }
            Map<String, List<Glob>> grouped = new HashMap<>();
            List<Glob> anyService = new ArrayList<>();
            for (int i = 0; i < all.length; i++) {
                if (all[i] == NEVER) {
                    continue;
                }
                int colon = patterns[i].indexOf(':');
                if (colon < 0) {
                    anyService.add(all[i]);
                } else {
                    grouped.computeIfAbsent(patterns[i].substring(0, colon).toLowerCase(Locale.ROOT),
                            k -> new ArrayList<>()).add(all[i]);
                }
            }
            Map<String, Glob[]> byService = new HashMap<>();
            grouped.forEach((service, globs) -> byService.put(service, globs.toArray(new Glob[0])));
            return new ActionIndex(null, byService, anyService.toArray(new Glob[0]));
        }
    }

    private ActionIndex actionIndex() {
        ActionIndex compiled = compiledActions;
        if (compiled == null) {
            compiled = ActionIndex.of(actionPatterns);
            compiledActions = compiled;
        }
        return compiled;
    }

    boolean actionMatches(String lowerAction) {
        ActionIndex index = actionIndex();
        boolean any;
        if (index.byService() == null) {
            any = anyMatches(index.ungrouped(), lowerAction);
        } else {
            int colon = lowerAction.indexOf(':');
            Glob[] sameService = colon < 0 ? null : index.byService().get(lowerAction.substring(0, colon));
            any = anyMatches(index.anyService(), lowerAction)
                    || (sameService != null && anyMatches(sameService, lowerAction));
        }
        return any != notAction;
    }

    private static boolean anyMatches(Glob[] globs, String lowerAction) {
        for (Glob glob : globs) {
            if (glob != NEVER && glob.matches(lowerAction)) {
                return true;
            }
        }
        return false;
    }

    /** The Resource entries as the policy wrote them, for explanations; made the first time one asks. */
    java.util.List<String> resourcesAsWritten() {
        java.util.List<String> written = resourcesWritten;
        if (written == null) {
            java.util.List<String> made = new java.util.ArrayList<>();
            if (resources != null) {
                for (TextPattern pattern : resources) {
                    made.add(pattern.raw());
                }
            }
            written = java.util.List.copyOf(made);
            resourcesWritten = written;
        }
        return written;
    }

    private volatile java.util.List<String> resourcesWritten;

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
     * An Allow with NotPrincipal: AWS supports NotPrincipal only with Deny (IAM User Guide,
     * reference_policies_elements_notprincipal.html) and validation refuses the pair, so such a statement,
     * read back from a document stored before that rule, applies to nobody.
     */
    boolean unsupportedAllow() {
        return allow && notPrincipal;
    }

    /**
     * For a statement with a Principal element: the strongest grant among the entries naming the caller,
     * or {@code null} if none does. For NotPrincipal with Deny: a caller is exempt only when every identity
     * level it has (account, user or role, session) is listed, and never when it has a permissions boundary.
     * NotPrincipal with Allow names nobody.
     */
    Grant principalMatch(Principal principal, boolean callerHasBoundary) {
        if (principals == null) {
            return Grant.DIRECT;
        }
        if (unsupportedAllow()) {
            return null;
        }
        PrincipalEntry.Level[] levels = PrincipalEntry.Level.of(principal);
        if (notPrincipal) {
            // AWS: a Deny with NotPrincipal always applies to a principal that has a permissions boundary.
            if (callerHasBoundary) {
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
