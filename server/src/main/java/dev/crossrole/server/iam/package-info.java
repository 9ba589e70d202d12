/**
 * IAM's entities (accounts, users, roles, managed policies, access keys) and the directory other
 * services consult through {@link dev.crossrole.server.iam.IamDirectory}. The IAM Query API builds on it.
 */
package dev.crossrole.server.iam;
