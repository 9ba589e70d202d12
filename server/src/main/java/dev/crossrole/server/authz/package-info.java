/**
 * Authorization: the {@link dev.crossrole.server.authz.Authorizer} turns a caller and one of its call's
 * {@code service.AccessCheck}s into the policy set and request context the policy engine needs (identity,
 * resource, boundary and session policies read from {@code iam}), and decides it.
 */
package dev.crossrole.server.authz;
