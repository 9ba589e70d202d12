package dev.crossrole.server.authz;

import dev.crossrole.policy.AuthorizationRequest;
import dev.crossrole.policy.ContextValue;
import dev.crossrole.policy.Decision;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyEngine;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.PolicySet;
import dev.crossrole.policy.Principal;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.iam.Account;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IamUser;
import dev.crossrole.server.iam.ManagedPolicy;
import dev.crossrole.server.iam.Role;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Caller;
import dev.crossrole.server.service.RequestInfo;
import dev.crossrole.server.service.SessionClaims;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds, for one access check, the caller's policy set (identity policies, boundary, session
 * policies) and the request context (global keys from the caller and the HTTP request, plus the
 * operation's keys), and asks the policy engine.
 */
public final class Authorizer {
    private static final int SESSION_POLICY_CACHE_LIMIT = 4096;

    private final IamDirectory iam;
    private final PolicyEngine engine;
    /** Inline session policies arrive inside tokens as text; compile each distinct text once. */
    private final Map<String, Policy> sessionPolicyCache = new ConcurrentHashMap<>();

    public Authorizer(IamDirectory iam, PolicyEngine engine) {
        this.iam = iam;
        this.engine = engine;
    }

    public Decision decide(Caller caller, AccessCheck check, RequestInfo info) {
        PolicySet.Builder set = PolicySet.builder();
        Principal principal = caller.principal();
        SessionClaims session = caller.session();
        Map<String, String> principalTags = Map.of();
        if (principal instanceof Principal.IamUser) {
            Optional<IamUser> user = iam.userById(principal.userId());
            if (user.isPresent()) {
                set.identity(iam.identityPolicies(user.get()));
                set.boundary(iam.boundary(user.get().permissionsBoundaryArn()));
                principalTags = user.get().tags();
            }
        } else if (principal instanceof Principal.RoleSession roleSession) {
            // A deleted role leaves its sessions without permissions.
            Optional<Role> role = iam.roleById(roleSession.roleUniqueId());
            if (role.isPresent()) {
                set.identity(iam.identityPolicies(role.get()));
                set.boundary(iam.boundary(role.get().permissionsBoundaryArn()));
            }
            principalTags = session == null ? Map.of() : session.tags();
            if (session != null) {
                if (session.sessionPolicy() != null) {
                    set.session(sessionPolicy(session.sessionPolicy()));
                }
                for (String arn : session.sessionPolicyArns()) {
                    set.session(iam.policy(arn).map(ManagedPolicy::document).orElse(DENY_NOTHING));
                }
            }
        } else if (principal instanceof Principal.FederatedUser && session != null) {
            // GetFederationToken: what the user who asked may do, narrowed by the session policies, which are
            // required — without one the session may do nothing (beyond resource policies naming it).
            if (session.userName() == null) {
                set.identity(List.of(ALLOW_ALL));
            } else {
                Optional<IamUser> user = iam.userById(session.userId());
                if (user.isPresent()) {
                    set.identity(iam.identityPolicies(user.get()));
                    set.boundary(iam.boundary(user.get().permissionsBoundaryArn()));
                }
            }
            principalTags = session.tags();
            if (session.sessionPolicy() == null && session.sessionPolicyArns().isEmpty()) {
                set.session(DENY_NOTHING);
            }
            if (session.sessionPolicy() != null) {
                set.session(sessionPolicy(session.sessionPolicy()));
            }
            for (String arn : session.sessionPolicyArns()) {
                set.session(iam.policy(arn).map(ManagedPolicy::document).orElse(DENY_NOTHING));
            }
        }
        if (check.resourcePolicy() != null) {
            set.resource(check.resourcePolicy());
        }
        set.grants(check.grants());
        RequestContext.Builder organization = RequestContext.builder();
        Account callerAccount = principal.accountId() == null ? null : iam.account(principal.accountId()).orElse(null);
        if (callerAccount != null && callerAccount.organizationId() != null) {
            callerAccount.serviceControlPolicies().forEach(set::scpLevel);
            organization.single("aws:PrincipalOrgID", callerAccount.organizationId());
            if (callerAccount.organizationPath() != null) {
                organization.multi("aws:PrincipalOrgPaths", List.of(callerAccount.organizationPath()));
            }
        }
        AuthorizationRequest probe = new AuthorizationRequest(principal, check.action(), check.resource(),
                check.resourceAccount(), RequestContext.empty());
        Account resourceAccount = iam.account(probe.effectiveResourceAccount()).orElse(null);
        if (resourceAccount != null && resourceAccount.organizationId() != null) {
            resourceAccount.resourceControlPolicies().forEach(set::rcpLevel);
            organization.single("aws:ResourceOrgID", resourceAccount.organizationId());
            if (resourceAccount.organizationPath() != null) {
                organization.multi("aws:ResourceOrgPaths", List.of(resourceAccount.organizationPath()));
            }
        }
        RequestContext context = context(caller, check, info, principalTags, organization.build());
        AuthorizationRequest request = new AuthorizationRequest(principal, check.action(), check.resource(),
                check.resourceAccount(), context);
        Decision decision = engine.evaluate(request, set.build());
        recordAttempt(principal, check.action(), info);
        return decision;
    }

    /**
     * Notes a user's or role's attempt for IAM's access advisor, which counts every authenticated attempt, allowed
     * or denied (IAM API Reference, GenerateServiceLastAccessedDetails). In memory only: see {@code ServiceLastAccess}.
     */
    private void recordAttempt(Principal principal, String action, RequestInfo info) {
        if (principal instanceof Principal.IamUser user) {
            iam.serviceLastAccess().record(user.accountId(), user.uniqueId(), action, info.region(), info.time());
        } else if (principal instanceof Principal.RoleSession session) {
            iam.serviceLastAccess().record(session.accountId(), session.roleUniqueId(), action, info.region(),
                    info.time());
        }
    }

    /** The account root's permissions, for a federated user the root asked for. */
    private static final Policy ALLOW_ALL = Policies.parseValid(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
            PolicyKind.IDENTITY, "the account root's permissions");

    /** A managed session policy that has since been deleted grants nothing. */
    private static final Policy DENY_NOTHING = Policies.parseValid(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"NotAction\":\"*\",\"Resource\":\"*\"}]}",
            PolicyKind.SESSION, "deleted managed session policy");

    private Policy sessionPolicy(String text) {
        Policy cached = sessionPolicyCache.get(text);
        if (cached != null) {
            return cached;
        }
        Policy policy;
        try {
            // Validated when the session was created: read back as a stored document.
            policy = Policies.parseStored(text, PolicyKind.SESSION, "session policy");
        } catch (InvalidPolicyException e) {
            // Unreachable unless the session policy was not validated when the session was created.
            policy = DENY_NOTHING;
        }
        if (sessionPolicyCache.size() < SESSION_POLICY_CACHE_LIMIT) {
            sessionPolicyCache.put(text, policy);
        }
        return policy;
    }

    /** A second as aws:CurrentTime and aws:EpochTime write it; the last one is kept, as most requests share it. */
    private record RequestSecond(long second, String iso, String epoch) {
        private static volatile RequestSecond last = new RequestSecond(Long.MIN_VALUE, "", "");

        static RequestSecond of(Instant time) {
            RequestSecond known = last;
            if (known.second == time.getEpochSecond()) {
                return known;
            }
            Instant second = time.truncatedTo(ChronoUnit.SECONDS);
            RequestSecond made = new RequestSecond(second.getEpochSecond(), second.toString(),
                    String.valueOf(second.getEpochSecond()));
            last = made;
            return made;
        }
    }

    private static RequestContext context(Caller caller, AccessCheck check, RequestInfo info,
                                          Map<String, String> principalTags, RequestContext organization) {
        RequestContext.Builder context = organization.toBuilder();
        RequestSecond now = RequestSecond.of(info.time());
        context.single("aws:CurrentTime", now.iso());
        context.single("aws:EpochTime", now.epoch());
        context.single("aws:SecureTransport", String.valueOf(info.secureTransport()));
        if (info.sourceIp() != null) {
            context.single("aws:SourceIp", info.sourceIp());
        }
        if (info.region() != null) {
            context.single("aws:RequestedRegion", info.region());
        }
        if (info.userAgent() != null) {
            context.single("aws:UserAgent", info.userAgent());
        }
        context.single("aws:ViaAWSService", "false");
        for (Map.Entry<String, String> tag : principalTags.entrySet()) {
            context.single("aws:PrincipalTag/" + tag.getKey(), tag.getValue());
        }
        SessionClaims session = caller.session();
        if (session != null) {
            context.single("aws:TokenIssueTime", Instant.ofEpochSecond(session.issuedAt()).toString());
            context.single("aws:MultiFactorAuthPresent", String.valueOf(session.mfa()));
            if (session.mfa()) {
                // Seconds since the session's MFA code was checked (tokens from before that time was kept: issued).
                long at = session.mfaAuthenticatedAt() > 0 ? session.mfaAuthenticatedAt() : session.issuedAt();
                context.single("aws:MultiFactorAuthAge", String.valueOf(Math.max(0, now.second() - at)));
            }
            if (session.sourceIdentity() != null) {
                context.single("aws:SourceIdentity", session.sourceIdentity());
            }
        }
        for (Map.Entry<String, ContextValue> entry : check.operationContext().asMap().entrySet()) {
            context.put(entry.getKey(), entry.getValue());
        }
        return context.build();
    }
}
