/**
 * AWS Organizations: organizations, their roots, OUs and accounts, and service and resource control policies enforced
 * on the members' requests.
 */
package dev.crossrole.server.organizations;
