/**
 * STS: AssumeRole (with session policies, tags, source identity, external id, role chaining),
 * GetCallerIdentity, GetSessionToken, GetAccessKeyInfo, DecodeAuthorizationMessage; and the facade
 * other services use to obtain role credentials.
 */
package dev.crossrole.server.sts;
