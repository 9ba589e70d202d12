/**
 * Turns (caller, operation, resources) into the policy set and request context the policy engine
 * needs, and decides every access check of a call.
 */
package dev.crossrole.server.authz;
