package dev.crossrole.server.sts;

import dev.crossrole.policy.AuthorizationRequest;
import dev.crossrole.policy.Decision;
import dev.crossrole.policy.PolicyEngine;
import dev.crossrole.policy.PolicySet;
import dev.crossrole.policy.Principal;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.iam.Role;
import java.util.List;
import java.util.Map;

/**
 * How other services act with a role: an AWS service principal (ECS's {@code ecs-tasks.amazonaws.com})
 * assumes it, decided by the role's trust policy alone with the service's context keys, and STS issues
 * the session. ECS uses this for task roles; it never touches STS's internals.
 */
public final class ServiceRoleCredentials {
    private final StsService sts;
    private final PolicyEngine engine;

    public ServiceRoleCredentials(StsService sts, PolicyEngine engine) {
        this.sts = sts;
        this.engine = engine;
    }

    /** The outcome: credentials when the trust policy allowed the service, else the denial. */
    public record Outcome(TemporaryCredentials credentials, Decision decision) {
        public boolean allowed() {
            return credentials != null;
        }
    }

    /**
     * Has {@code service} assume {@code role}.
     *
     * @param context the keys the service sets ({@code aws:SourceAccount}, {@code aws:SourceArn})
     */
    public Outcome assume(Role role, String service, String sessionName, RequestContext context, int durationSeconds) {
        AuthorizationRequest request = new AuthorizationRequest(new Principal.ServicePrincipal(service), "sts:AssumeRole",
                role.arn(), role.account(), context);
        Decision decision = engine.evaluate(request, PolicySet.builder().resource(role.trustPolicy()).build());
        if (!decision.allowed()) {
            return new Outcome(null, decision);
        }
        TemporaryCredentials credentials = sts.issue(role, sessionName, durationSeconds, null, List.of(),
                Map.copyOf(role.tags()), List.of(), null, false, 0);
        return new Outcome(credentials, decision);
    }
}
