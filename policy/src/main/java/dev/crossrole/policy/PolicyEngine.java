package dev.crossrole.policy;

import dev.crossrole.policy.Explanation.FailedCondition;
import dev.crossrole.policy.Explanation.Gate;
import dev.crossrole.policy.Explanation.GateOutcome;
import dev.crossrole.policy.Explanation.StatementRef;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides requests the way AWS does (IAM User Guide, "Policy evaluation logic" and "Cross-account
 * policy evaluation logic"): an applicable explicit deny anywhere wins; then every SCP and RCP level
 * must allow; then, in one account, a resource-policy grant may stand on its own depending on which
 * principal it named, else identity policies must allow, capped by the permissions boundary and
 * session policies; across accounts both the caller's side and the resource's policy must allow. A KMS grant
 * covering the request allows it for its grantee, in any account, short of an explicit deny.
 * Thread-safe; policies are compiled once and evaluated many times.
 */
public final class PolicyEngine {
    private final Clock clock;

    public PolicyEngine() {
        this(Clock.systemUTC());
    }

    /** The clock supplies {@code aws:CurrentTime} and {@code aws:EpochTime} when a request does not. */
    public PolicyEngine(Clock clock) {
        this.clock = clock;
    }

    public Decision evaluate(AuthorizationRequest request, PolicySet policies) {
        return new Evaluation(request, policies, clock).run();
    }

    /** How many near misses an explanation lists: a wildcard-heavy policy set could otherwise fill it. */
    private static final int MAX_RESOURCE_MISSES = 10;

    /** The state of one evaluation: the results of each policy group and the trace for the explanation. */
    private static final class Evaluation {
        private final AuthorizationRequest request;
        private final PolicySet set;
        private final EvaluationContext ctx;
        private final Principal principal;
        private final String lowerAction;
        private final String resourceAccount;
        private final boolean hasBoundary;
        private final List<Gate> gates = new ArrayList<>();
        private final List<StatementRef> matched = new ArrayList<>();
        private final List<FailedCondition> failed = new ArrayList<>();
        /** Made on the first near miss: most evaluations have none. */
        private List<Explanation.ResourceMiss> resourceMisses = List.of();

        Evaluation(AuthorizationRequest request, PolicySet set, Clock clock) {
            this.request = request;
            this.set = set;
            this.principal = request.principal();
            this.resourceAccount = request.effectiveResourceAccount();
            this.ctx = new EvaluationContext(request, resourceAccount, clock.instant());
            this.lowerAction = request.lowerAction();
            // Only users and role sessions can have a permissions boundary.
            this.hasBoundary = set.permissionsBoundary() != null && (principal instanceof Principal.IamUser
                    || principal instanceof Principal.RoleSession || principal instanceof Principal.FederatedUser);
        }

        /** Which statements of one group applied. */
        private static final class GroupResult {
            boolean present;
            StatementRef deny;
            StatementRef allow;
            Grant grant;
            /** The first Allow with NotPrincipal that matched the action and resource: skipped, as AWS does not support it. */
            StatementRef unsupportedAllow;
        }

        Decision run() {
            if (lowerAction.equals("sts:getcalleridentity")) {
                gates.add(new Gate(PolicyKind.IDENTITY, GateOutcome.NOT_APPLICABLE,
                        "sts:GetCallerIdentity needs no permission and cannot be denied"));
                return decide(Outcome.ALLOW, null);
            }
            boolean caller = hasCallerSide();
            boolean session = principal instanceof Principal.RoleSession || principal instanceof Principal.FederatedUser;

            List<GroupResult> scpLevels = new ArrayList<>();
            for (List<Policy> level : set.serviceControlPolicies()) {
                scpLevels.add(scan(PolicyKind.SCP, level, false));
            }
            List<GroupResult> rcpLevels = new ArrayList<>();
            for (List<Policy> level : set.resourceControlPolicies()) {
                rcpLevels.add(scan(PolicyKind.RCP, level, true));
            }
            GroupResult identity = caller ? scan(PolicyKind.IDENTITY, set.identityPolicies(), false) : new GroupResult();
            GroupResult boundary = caller && hasBoundary ? scan(PolicyKind.BOUNDARY, List.of(set.permissionsBoundary()), false)
                    : new GroupResult();
            GroupResult sessionPolicies = session ? scan(PolicyKind.SESSION, set.sessionPolicies(), false)
                    : new GroupResult();
            PolicyKind resourceKind = set.resourcePolicy() != null ? set.resourcePolicy().kind()
                    : set.identityOnly() ? PolicyKind.RESOURCE : defaultResourceKind();
            GroupResult resource = set.resourcePolicy() != null
                    ? scan(resourceKind, List.of(set.resourcePolicy()), true) : new GroupResult();

            this.scpLevels = scpLevels;
            this.rcpLevels = rcpLevels;
            this.identity = identity;
            this.boundary = boundary;
            this.sessionResult = sessionPolicies;
            this.resource = resource;
            this.resourceKind = resourceKind;
            this.caller = caller;
            this.isSession = session;
            this.keyGrants = matchGrants();

            // 1. An applicable explicit deny anywhere decides; report the first type in AWS's order.
            for (GroupResult level : scpLevels) {
                if (level.deny != null) {
                    return decide(Outcome.EXPLICIT_DENY, PolicyKind.SCP);
                }
            }
            for (GroupResult level : rcpLevels) {
                if (level.deny != null) {
                    return decide(Outcome.EXPLICIT_DENY, PolicyKind.RCP);
                }
            }
            if (boundary.deny != null) {
                return decide(Outcome.EXPLICIT_DENY, PolicyKind.BOUNDARY);
            }
            if (sessionPolicies.deny != null) {
                return decide(Outcome.EXPLICIT_DENY, PolicyKind.SESSION);
            }
            if (resource.deny != null) {
                return decide(Outcome.EXPLICIT_DENY, resourceKind);
            }
            if (identity.deny != null) {
                return decide(Outcome.EXPLICIT_DENY, PolicyKind.IDENTITY);
            }

            // 2. Every organization level must allow: SCPs for the caller's account, RCPs for the resource's.
            for (GroupResult level : scpLevels) {
                if (level.allow == null) {
                    return decide(Outcome.IMPLICIT_DENY, PolicyKind.SCP);
                }
            }
            for (GroupResult level : rcpLevels) {
                if (level.allow == null) {
                    return decide(Outcome.IMPLICIT_DENY, PolicyKind.RCP);
                }
            }

            boolean identityAllows = caller && (principal instanceof Principal.AccountRoot || identity.allow != null);
            boolean boundaryAllows = !hasBoundary || boundary.allow != null;
            boolean sessionAllows = !session || set.sessionPolicies().isEmpty() || sessionPolicies.allow != null;

            // 3. A KMS grant that covers the request and names the caller allows it on its own, in any account, as a
            //    key policy statement naming the caller would in the key's account: naming the account delegates to
            //    its identity policies; naming a role is capped by the session's boundary and session policies.
            if (keyGrants.covering != null) {
                keyGrants.allows = switch (keyGrants.level) {
                    case DIRECT -> true;
                    case ROLE -> boundaryAllows && sessionAllows;
                    case ACCOUNT -> identityAllows && boundaryAllows && sessionAllows;
                };
                if (keyGrants.allows) {
                    return decide(Outcome.ALLOW, null);
                }
            }

            // 4. Principals without identity policies: only the resource policy can grant.
            if (!caller) {
                return resource.grant != null ? decide(Outcome.ALLOW, null) : decide(Outcome.IMPLICIT_DENY, resourceKind);
            }
            boolean sameAccount = set.identityOnly()
                    || (resourceAccount != null && resourceAccount.equals(principal.accountId()));
            Grant grant = resource.grant;

            if (sameAccount && resourceKind == PolicyKind.RESOURCE && grant != null && grant != Grant.ACCOUNT) {
                // 5a. Same account, the resource policy named the caller (or its role): identity policies are not needed.
                if (grant == Grant.ROLE) {
                    if (!boundaryAllows) {
                        return decide(Outcome.IMPLICIT_DENY, PolicyKind.BOUNDARY);
                    }
                    if (!sessionAllows) {
                        return decide(Outcome.IMPLICIT_DENY, PolicyKind.SESSION);
                    }
                }
                return decide(Outcome.ALLOW, null);
            }

            // 5b. Trust and key policies must always allow themselves; identity policies are needed unless the
            //     trust or key policy named the caller directly in its own account.
            boolean identityNeeded = !sameAccount || resourceKind == PolicyKind.RESOURCE || grant == null
                    || grant == Grant.ACCOUNT;
            if (identityNeeded && !identityAllows) {
                return decide(Outcome.IMPLICIT_DENY, PolicyKind.IDENTITY);
            }
            if (!boundaryAllows) {
                return decide(Outcome.IMPLICIT_DENY, PolicyKind.BOUNDARY);
            }
            if (!sessionAllows) {
                return decide(Outcome.IMPLICIT_DENY, PolicyKind.SESSION);
            }
            boolean resourceSideNeeded = !sameAccount || resourceKind == PolicyKind.TRUST || resourceKind == PolicyKind.KEY;
            if (resourceSideNeeded && grant == null) {
                return decide(Outcome.IMPLICIT_DENY, resourceKind);
            }
            return decide(Outcome.ALLOW, null);
        }

        /**
         * Users, role sessions, federated users and root have a caller side; service principals, holders of an
         * identity provider's token and anonymous callers do not.
         */
        private boolean hasCallerSide() {
            return !(principal instanceof Principal.ServicePrincipal) && !(principal instanceof Principal.Anonymous)
                    && !(principal instanceof Principal.WebIdentity);
        }

        /** The KMS grants that name the caller: the strongest covering one, and the first that does not cover. */
        private static final class GrantMatch {
            KeyGrant covering;
            Grant level;
            boolean allows;
            KeyGrant namedNotCovering;
        }

        private GrantMatch matchGrants() {
            GrantMatch match = new GrantMatch();
            for (KeyGrant keyGrant : set.grants()) {
                Grant named = keyGrant.names(principal);
                if (named == null) {
                    continue;
                }
                if (!keyGrant.covers()) {
                    if (match.namedNotCovering == null) {
                        match.namedNotCovering = keyGrant;
                    }
                } else if (match.covering == null || named.compareTo(match.level) > 0) {
                    match.covering = keyGrant;
                    match.level = named;
                }
            }
            return match;
        }

        /** Without a resource policy, the missing one is a trust policy for the STS actions on a role, else a resource policy. */
        private PolicyKind defaultResourceKind() {
            return isStsRoleAction(request.action(), request.resource()) ? PolicyKind.TRUST : PolicyKind.RESOURCE;
        }

        private GroupResult scan(PolicyKind kind, List<Policy> policies, boolean matchPrincipal) {
            GroupResult result = new GroupResult();
            result.present = !policies.isEmpty();
            for (Policy policy : policies) {
                for (Statement statement : policy.statements()) {
                    if (!statement.actionMatches(lowerAction)) {
                        continue;
                    }
                    if (!statement.resourceMatches(request.resource(), ctx)) {
                        if (statement.allow && !statement.notResource && resourceMisses.size() < MAX_RESOURCE_MISSES) {
                            if (resourceMisses.isEmpty()) {
                                resourceMisses = new ArrayList<>();
                            }
                            resourceMisses.add(new Explanation.ResourceMiss(ref(kind, policy, statement),
                                    statement.resourcesAsWritten()));
                        }
                        continue;
                    }
                    Grant grant = Grant.DIRECT;
                    if (matchPrincipal) {
                        if (statement.unsupportedAllow()) {
                            if (result.unsupportedAllow == null) {
                                result.unsupportedAllow = ref(kind, policy, statement);
                            }
                            continue;
                        }
                        grant = statement.principalMatch(principal, hasBoundary);
                        if (grant == null) {
                            continue;
                        }
                    }
                    if (!conditionsHold(kind, policy, statement)) {
                        continue;
                    }
                    StatementRef ref = ref(kind, policy, statement);
                    matched.add(ref);
                    if (statement.allow) {
                        if (result.allow == null) {
                            result.allow = ref;
                        }
                        if (result.grant == null || grant.compareTo(result.grant) > 0) {
                            result.grant = grant;
                        }
                    } else if (result.deny == null) {
                        result.deny = ref;
                    }
                }
            }
            return result;
        }

        /**
         * All conditions of a statement must hold; every false one is recorded for the explanation. An operator
         * AWS does not accept (kept only in documents stored before it was refused) never widens access: it
         * does not hold in an Allow and holds in a Deny.
         */
        private boolean conditionsHold(PolicyKind kind, Policy policy, Statement statement) {
            boolean all = true;
            StatementRef ref = null;
            for (Condition condition : statement.conditions) {
                boolean holds = condition.supported ? condition.evaluate(ctx) : !statement.allow;
                if (!holds) {
                    all = false;
                    if (ref == null) {
                        ref = ref(kind, policy, statement);
                    }
                    ContextValue value = ctx.lookup(condition.lowerKey);
                    failed.add(new FailedCondition(ref, condition.operatorAsWritten, condition.key,
                            value == null ? null : value.values(), condition.policyValues));
                }
            }
            return all;
        }

        private static StatementRef ref(PolicyKind kind, Policy policy, Statement statement) {
            return new StatementRef(kind, policy.name(), statement.index, statement.sid, statement.allow ? "Allow" : "Deny");
        }

        // The groups' results, kept for the explanation.
        private List<GroupResult> scpLevels = List.of();
        private List<GroupResult> rcpLevels = List.of();
        private GroupResult identity = new GroupResult();
        private GroupResult boundary = new GroupResult();
        private GroupResult sessionResult = new GroupResult();
        private GroupResult resource = new GroupResult();
        private PolicyKind resourceKind = PolicyKind.RESOURCE;
        private GrantMatch keyGrants = new GrantMatch();
        private boolean caller;
        private boolean isSession;

        private void recordGates() {
            GroupResult session = sessionResult;
            for (int i = 0; i < scpLevels.size(); i++) {
                gates.add(new Gate(PolicyKind.SCP, outcome(scpLevels.get(i)), "organization level " + i
                        + (i == 0 ? " (root)" : i == scpLevels.size() - 1 ? " (account)" : " (OU)")));
            }
            if (scpLevels.isEmpty()) {
                gates.add(new Gate(PolicyKind.SCP, GateOutcome.NOT_APPLICABLE, "no service control policies apply"));
            }
            for (int i = 0; i < rcpLevels.size(); i++) {
                gates.add(new Gate(PolicyKind.RCP, outcome(rcpLevels.get(i)), "organization level " + i));
            }
            if (rcpLevels.isEmpty()) {
                gates.add(new Gate(PolicyKind.RCP, GateOutcome.NOT_APPLICABLE, "no resource control policies apply"));
            }
            if (!caller) {
                gates.add(new Gate(PolicyKind.IDENTITY, GateOutcome.NOT_APPLICABLE,
                        principal.displayName() + " has no identity-based policies"));
            } else if (principal instanceof Principal.AccountRoot && identity.deny == null) {
                gates.add(new Gate(PolicyKind.IDENTITY, GateOutcome.ALLOW,
                        "the account root user has full access to its own account"));
            } else {
                gates.add(new Gate(PolicyKind.IDENTITY, outcome(identity), identity.present ? null
                        : "the caller has no identity-based policies"));
            }
            gates.add(new Gate(PolicyKind.BOUNDARY, hasBoundary && caller ? outcome(boundary) : GateOutcome.NOT_APPLICABLE,
                    hasBoundary ? null : "no permissions boundary"));
            gates.add(new Gate(PolicyKind.SESSION, isSession && session.present ? outcome(session)
                    : GateOutcome.NOT_APPLICABLE, isSession && session.present ? null : "no session policies"));
            String resourceNote;
            if (set.resourcePolicy() == null) {
                resourceNote = resourceKind == PolicyKind.TRUST ? "no trust policy given" : "the resource has no resource-based policy";
            } else if (resource.grant == null) {
                resourceNote = resource.deny != null ? null : "no Allow statement names this principal"
                        + (resource.unsupportedAllow == null ? "" : "; " + resource.unsupportedAllow.label()
                        + " was skipped: NotPrincipal is supported only with Deny");
            } else {
                boolean sameAccount = resourceAccount != null && resourceAccount.equals(principal.accountId());
                resourceNote = switch (resource.grant) {
                    case ACCOUNT -> "an Allow names the caller's account"
                            + (sameAccount || resourceKind == PolicyKind.KEY
                            ? ": the account's identity policies must allow too" : "");
                    case ROLE -> "an Allow names the caller's role" + (sameAccount && resourceKind == PolicyKind.RESOURCE
                            ? ": limited by its permissions boundary and session policies" : "");
                    case DIRECT -> "an Allow names the caller itself (or \"*\")";
                };
            }
            gates.add(new Gate(resourceKind, set.resourcePolicy() == null ? GateOutcome.NOT_APPLICABLE : outcome(resource),
                    resourceNote));
            if (!set.grants().isEmpty()) {
                gates.add(new Gate(set.grants().get(0).source().gate(), keyGrants.allows ? GateOutcome.ALLOW
                        : GateOutcome.IMPLICIT_DENY, grantNote()));
            }
        }

        /** What the key's KMS grants said, for the grants' gate. */
        private String grantNote() {
            GrantMatch match = keyGrants;
            if (match.covering != null) {
                String named = match.covering.source().label() + " " + match.covering.grantId() + " allows "
                        + request.action() + " for " + match.covering.granteePrincipal();
                return switch (match.level) {
                    case DIRECT -> named;
                    case ROLE -> named + (match.allows ? "" : ", but the session's permissions boundary or session"
                            + " policies do not allow it");
                    case ACCOUNT -> named + (match.allows ? ", and the account's identity policies allow it too"
                            : ", the caller's account: its identity policies must allow it too");
                };
            }
            if (match.namedNotCovering != null) {
                return match.namedNotCovering.source().label() + " " + match.namedNotCovering.grantId()
                        + " names the caller, but " + match.namedNotCovering.notCovering();
            }
            int count = set.grants().size();
            KeyGrant.Source source = set.grants().get(0).source();
            return count == 1 ? "the " + source.holder() + "'s " + source.label() + " does not name this principal"
                    : "none of the " + source.holder() + "'s " + count + " " + source.label()
                    + "s names this principal";
        }

        private static GateOutcome outcome(GroupResult result) {
            if (result.deny != null) {
                return GateOutcome.EXPLICIT_DENY;
            }
            return result.allow != null ? GateOutcome.ALLOW : GateOutcome.IMPLICIT_DENY;
        }

        private Decision decide(Outcome outcome, PolicyKind decidedBy) {
            return new Decision(outcome, decidedBy, () -> explain(outcome, decidedBy));
        }

        /** The explanation, assembled only when someone reads it. */
        private Explanation explain(Outcome outcome, PolicyKind decidedBy) {
            if (gates.isEmpty()) {
                recordGates();
            }
            Set<String> missing = new LinkedHashSet<>();
            for (FailedCondition condition : failed) {
                if (condition.requestValues() == null) {
                    missing.add(condition.key());
                }
            }
            boolean crossAccount = principal.accountId() != null && resourceAccount != null
                    && !resourceAccount.equals(principal.accountId());
            String side = null;
            if (decidedBy != null) {
                boolean resourceSide = decidedBy == PolicyKind.RESOURCE || decidedBy == PolicyKind.TRUST
                        || decidedBy == PolicyKind.KEY || decidedBy == PolicyKind.RCP;
                side = resourceSide
                        ? "the resource's side (account " + (resourceAccount == null ? "unknown" : resourceAccount) + "): the "
                        + decidedBy.awsTypeName() + (decidedBy == PolicyKind.BOUNDARY ? "" : " policy")
                        : "the caller's side (account " + principal.accountId() + "): its " + decidedBy.awsTypeName()
                        + (decidedBy == PolicyKind.BOUNDARY ? "" : " policies");
            }
            Explanation explanation = new Explanation(principal.displayName(), request.action(), request.resource(),
                    principal.accountId(), resourceAccount, crossAccount, List.copyOf(gates), List.copyOf(matched),
                    List.copyOf(failed), List.copyOf(resourceMisses), List.copyOf(missing), side, null);
            String fix = Fixes.suggest(outcome, decidedBy, explanation, request, set);
            return fix == null ? explanation : explanation.withFix(fix);
        }
    }

    /** Whether the action is one of STS's role actions on a role ARN, decided by the role's trust policy. */
    static boolean isStsRoleAction(String action, String resource) {
        if (!action.regionMatches(true, 0, "sts:", 0, 4)) {
            return false;
        }
        String[] parts = Values.arnComponents(resource);
        return parts != null && parts[2].equals("iam") && parts[5].startsWith("role/");
    }
}
