package dev.crossrole.server.iam;

import dev.crossrole.policy.Policy;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A managed policy (customer-managed in an account, or AWS-managed with account {@code aws}) and its
 * versions; the default version is the one that applies. Version numbers are never reused.
 */
public record ManagedPolicy(String arn, String name, String path, String policyId, String description, Instant created,
                            Instant updated, String defaultVersionId, List<PolicyVersion> versions, int nextVersion,
                            Map<String, String> tags) {

    /** One version of a managed policy: its document as submitted, compiled. */
    public record PolicyVersion(String versionId, Policy document, Instant created) {}

    public ManagedPolicy {
        versions = List.copyOf(versions);
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags)); // in the order given
    }

    /** A policy with one version, {@code v1}. */
    public static ManagedPolicy of(String arn, String name, String path, String policyId, Policy document, Instant created) {
        return new ManagedPolicy(arn, name, path, policyId, null, created, created, "v1",
                List.of(new PolicyVersion("v1", document, created)), 2, Map.of());
    }

    /** The default version's compiled document: what applies when the policy is attached. */
    public Policy document() {
        return defaultVersion().document();
    }

    public PolicyVersion defaultVersion() {
        for (PolicyVersion version : versions) {
            if (version.versionId().equals(defaultVersionId)) {
                return version;
            }
        }
        throw new IllegalStateException("policy " + arn + " has no default version");
    }

    public boolean awsManaged() {
        return arn.startsWith("arn:aws:iam::aws:");
    }

    /** The account owning a customer-managed policy; {@code aws} for AWS-managed ones. */
    public String account() {
        return arn.split(":", 6)[4];
    }
}
