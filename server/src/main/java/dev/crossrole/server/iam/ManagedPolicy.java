package dev.crossrole.server.iam;

import dev.crossrole.policy.Policy;
import java.time.Instant;

/** A managed policy (customer-managed in an account, or AWS-managed with account {@code aws}). */
public record ManagedPolicy(String arn, String name, String path, String policyId, Policy document, Instant created) {}
