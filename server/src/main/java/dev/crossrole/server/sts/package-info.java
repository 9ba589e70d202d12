/**
 * STS: AssumeRole (with session policies, tags, source identity, external id, role chaining),
 * GetCallerIdentity, GetSessionToken, GetFederationToken, GetAccessKeyInfo, DecodeAuthorizationMessage; federation
 * with AssumeRoleWithWebIdentity ({@link dev.crossrole.server.sts.WebIdentityTokens}, crossrole's own OpenID Connect
 * issuer {@link dev.crossrole.server.sts.OidcIssuer}) and AssumeRoleWithSAML
 * ({@link dev.crossrole.server.sts.SamlAssertions}, crossrole's own SAML identity provider
 * {@link dev.crossrole.server.sts.SamlIdentityProvider}); the sealing of session claims into session tokens
 * ({@link dev.crossrole.server.sts.SessionTokens}); and the facade other services use to obtain role credentials
 * ({@code ServiceRoleCredentials}).
 */
package dev.crossrole.server.sts;
