/**
 * IAM: its entities (accounts, users, groups, roles, managed policies, access keys), the directory other
 * packages read them through ({@link dev.crossrole.server.iam.IamDirectory}), AWS's managed policies, the format
 * of access key ids ({@link dev.crossrole.server.iam.AccessKeys}), and the IAM Query API
 * ({@link dev.crossrole.server.iam.IamService} and its operation groups, policy simulation included).
 */
package dev.crossrole.server.iam;
