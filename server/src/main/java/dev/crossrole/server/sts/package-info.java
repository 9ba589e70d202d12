/**
 * STS: AssumeRole (with session policies, tags, source identity, external id, role chaining),
 * GetCallerIdentity, GetSessionToken, GetAccessKeyInfo, DecodeAuthorizationMessage; the sealing of session
 * claims into session tokens ({@link dev.crossrole.server.sts.SessionTokens}); and the facade other services use
 * to obtain role credentials ({@code ServiceRoleCredentials}).
 */
package dev.crossrole.server.sts;
