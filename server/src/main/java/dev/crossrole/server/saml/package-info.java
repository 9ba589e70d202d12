/**
 * SAML 2.0 as XML: a parser hardened against what attackers put in XML (no DTDs, no entities, no external
 * anything), identity-provider metadata (read and written), enveloped XML signatures made and checked with the
 * JDK's {@code javax.xml.crypto.dsig} under strict rules (one reference, to the element that holds the signature,
 * by an ID registered for that element only), and XML encryption of assertions. It knows nothing of IAM or STS:
 * what a verified response means for a role session is {@code sts}'s business.
 */
package dev.crossrole.server.saml;
