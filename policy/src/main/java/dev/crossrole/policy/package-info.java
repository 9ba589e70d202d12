/**
 * The IAM policy language as a library: parse and validate policy documents by kind, evaluate an
 * authorization request against a policy set the way AWS does, and explain every decision.
 *
 * <p>Entry points: {@link dev.crossrole.policy.Policies} (parse, validate) and
 * {@link dev.crossrole.policy.PolicyEngine} (evaluate). The package depends on the JDK and Jackson only,
 * so it can be embedded and used offline.
 */
package dev.crossrole.policy;
