/**
 * SigV4 (header and presigned forms), credential lookup, clock skew, session-token sealing.
 */
package dev.crossrole.server.auth;
