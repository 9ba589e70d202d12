package dev.crossrole.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Every policy that applies to one request. Service control policies and resource control policies
 * are given per organization level, root first and account last; an empty list means "not in an
 * organization" (no gate).
 *
 * @param identityPolicies the caller's identity-based policies (its own and its groups')
 * @param resourcePolicy the resource's policy, or {@code null}; a {@link PolicyKind#TRUST} policy for
 *     {@code sts:AssumeRole} and its companion actions
 * @param permissionsBoundary the caller's permissions boundary, or {@code null}
 * @param sessionPolicies the session policies the caller's session was created with
 * @param serviceControlPolicies the SCPs of the caller's account, per level
 * @param resourceControlPolicies the RCPs of the resource's account, per level
 * @param identityOnly decide on the caller's side alone, as IAM's policy simulator does when it is given
 *     no resource policy: no resource-policy gate, whatever the resource's account
 * @param grants the KMS grants on the key the request is for (empty for anything but a KMS key)
 */
public record PolicySet(List<Policy> identityPolicies, Policy resourcePolicy, Policy permissionsBoundary,
                        List<Policy> sessionPolicies, List<List<Policy>> serviceControlPolicies,
                        List<List<Policy>> resourceControlPolicies, boolean identityOnly, List<KeyGrant> grants) {

    public PolicySet(List<Policy> identityPolicies, Policy resourcePolicy, Policy permissionsBoundary,
                     List<Policy> sessionPolicies, List<List<Policy>> serviceControlPolicies,
                     List<List<Policy>> resourceControlPolicies, boolean identityOnly) {
        this(identityPolicies, resourcePolicy, permissionsBoundary, sessionPolicies, serviceControlPolicies,
                resourceControlPolicies, identityOnly, List.of());
    }

    public PolicySet(List<Policy> identityPolicies, Policy resourcePolicy, Policy permissionsBoundary,
                     List<Policy> sessionPolicies, List<List<Policy>> serviceControlPolicies,
                     List<List<Policy>> resourceControlPolicies) {
        this(identityPolicies, resourcePolicy, permissionsBoundary, sessionPolicies, serviceControlPolicies,
                resourceControlPolicies, false);
    }

    public PolicySet {
        identityPolicies = List.copyOf(identityPolicies);
        sessionPolicies = List.copyOf(sessionPolicies);
        serviceControlPolicies = serviceControlPolicies.stream().map(List::copyOf).toList();
        resourceControlPolicies = resourceControlPolicies.stream().map(List::copyOf).toList();
        grants = List.copyOf(grants);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final List<Policy> identity = new ArrayList<>();
        private Policy resource;
        private Policy boundary;
        private final List<Policy> session = new ArrayList<>();
        private final List<List<Policy>> scps = new ArrayList<>();
        private final List<List<Policy>> rcps = new ArrayList<>();
        private boolean identityOnly;
        private final List<KeyGrant> grants = new ArrayList<>();

        public Builder identity(Policy policy) {
            identity.add(policy);
            return this;
        }

        public Builder identity(List<Policy> policies) {
            identity.addAll(policies);
            return this;
        }

        public Builder resource(Policy policy) {
            resource = policy;
            return this;
        }

        public Builder boundary(Policy policy) {
            boundary = policy;
            return this;
        }

        public Builder session(Policy policy) {
            session.add(policy);
            return this;
        }

        public Builder session(List<Policy> policies) {
            session.addAll(policies);
            return this;
        }

        /** Adds one organization level of SCPs; call root first, account last. */
        public Builder scpLevel(List<Policy> level) {
            scps.add(level);
            return this;
        }

        /** Adds one organization level of RCPs; call root first, account last. */
        public Builder rcpLevel(List<Policy> level) {
            rcps.add(level);
            return this;
        }

        /** Decide on the caller's side alone (no resource-policy gate), as the IAM policy simulator does. */
        public Builder identityOnly() {
            identityOnly = true;
            return this;
        }

        /** The KMS grants on the key the request is for. */
        public Builder grants(List<KeyGrant> keyGrants) {
            grants.addAll(keyGrants);
            return this;
        }

        public PolicySet build() {
            return new PolicySet(identity, resource, boundary, session, scps, rcps, identityOnly, grants);
        }
    }
}
